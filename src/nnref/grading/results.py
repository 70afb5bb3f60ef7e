"""What grading a student gives, and its JSON form: a result kept per student (DIR/.work), read
again by a later run (to resume) and by the outputs, in any language.

A text in a result is a message (nnref.locale.messages) kept with its ID and values, not its
English, so `--lang ko` can show a result graded in English, and the other way round.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from nnref.locale.messages import Joined, Message, join

# An exercise's status: graded (passed, failed) or zero for a reason.
PASSED, FAILED = "passed", "failed"
NOT_DONE, MISSING, NOT_DEFINED = "not done", "missing", "not defined"
TIME, MEMORY, CRASHED, USES_NNREF = "time limit", "memory limit", "crashed", "uses nnref"
ZERO = (NOT_DONE, MISSING, NOT_DEFINED, TIME, MEMORY, CRASHED, USES_NNREF)
FLAGGED = (TIME, MEMORY, CRASHED, USES_NNREF, NOT_DEFINED)  # a status that is also a flag


def safe_name(student_id: str) -> str:
    """A student's id as a file name: letters, digits, - _ . kept; an id that had anything else
    gets a few letters of its digest too, so that two ids never share a file."""
    name = re.sub(r"[^\w.-]", "_", student_id, flags=re.ASCII).lstrip(".")
    if name == student_id:
        return name
    return f"{name}-{hashlib.sha256(student_id.encode()).hexdigest()[:6]}"


def encode(text):
    """A message (or messages joined, or a plain str) as JSON data."""
    if isinstance(text, Joined):
        return {"joined": [encode(part) for part in text.parts], "sep": text.sep}
    if isinstance(text, Message):
        params = {key: encode(v) for key, v in text.params.items()}
        return {"msgid": text.msgid, "plural": text.plural, "count": text.count, "params": params}
    return text


def decode(data):
    """encode's data back as a message (or a plain value)."""
    if isinstance(data, dict) and "joined" in data:
        return join([decode(part) for part in data["joined"]], data["sep"])
    if isinstance(data, dict) and "msgid" in data:
        params = {key: decode(v) for key, v in data["params"].items()}
        return Message(data["msgid"], data["plural"], data["count"], **params)
    return data


@dataclass
class ExerciseResult:
    exercise: str
    status: str
    share: float = 0.0  # of its checks passed, 0 to 1
    rows: list = field(default_factory=list)  # [(check, status, detail)], texts as messages
    error: str = ""  # what explains a zero: the cell's error (Python's line), or a message
    notebook: str = ""  # the notebook it was found in
    seconds: float | None = None
    peak_mb: float | None = None
    output_bytes: int = 0
    hints: list = field(default_factory=list)  # the likely mistakes its rows name (messages)

    def to_json(self) -> dict:
        data = asdict(self)
        data["rows"] = [[encode(c), status, encode(d)] for c, status, d in self.rows]
        data["hints"] = [encode(hint) for hint in self.hints]
        data["error"] = encode(self.error)
        return data

    @classmethod
    def from_json(cls, data: dict) -> ExerciseResult:
        result = cls(**data)
        result.rows = [(decode(c), status, decode(d)) for c, status, d in data["rows"]]
        result.hints = [decode(hint) for hint in data["hints"]]
        result.error = decode(data["error"])
        return result


@dataclass
class StudentResult:
    student: str
    name: str = ""
    exercises: dict = field(default_factory=dict)  # name -> ExerciseResult, in course order
    flags: list = field(default_factory=list)  # messages: notebooks' flags, then exercises'

    def to_json(self) -> dict:
        return {
            "student": self.student,
            "name": self.name,
            "exercises": {k: r.to_json() for k, r in self.exercises.items()},
            "flags": [encode(flag) for flag in self.flags],
        }

    @classmethod
    def from_json(cls, data: dict) -> StudentResult:
        exercises = {k: ExerciseResult.from_json(r) for k, r in data["exercises"].items()}
        flags = [decode(flag) for flag in data["flags"]]
        return cls(data["student"], data["name"], exercises, flags)
