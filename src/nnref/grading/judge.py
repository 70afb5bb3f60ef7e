"""An exercise's result from what its child sent back (sandbox.py's outcome): the testing kit's
judge on the probe's data, in this process, or a zero with the reason.

The child's messages are plain data; nothing in them is trusted beyond being data: the rows come
from the kit's judge (nnref.testing.exercises.judge_exercise), which holds the data to the
reference it computes here.
"""

from __future__ import annotations

from nnref.locale.messages import _
from nnref.testing.exercises import hint_of, judge_exercise

from .results import (
    CRASHED,
    FAILED,
    MEMORY,
    NOT_DEFINED,
    NOT_DONE,
    PASSED,
    TIME,
    USES_NNREF,
    ExerciseResult,
)

# What running out of the memory limit looks like, as Python and torch say it.
OUT_OF_MEMORY = ("MemoryError", "can't allocate memory", "not enough memory", "Cannot allocate")


def strings(data):
    """Every str in plain data (nested dicts and lists)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def out_of_memory(data) -> str | None:
    """The line that says the code ran out of memory, if one of the data's does."""
    return next((t for t in strings(data) if any(mark in t for mark in OUT_OF_MEMORY)), None)


def graded(exercise: str, data, seed: int) -> ExerciseResult:
    """The kit's verdict on a probe's data: a share of checks passed, with the rows."""
    report = judge_exercise(exercise, data, seed=seed)
    if not report.done:
        return ExerciseResult(exercise, NOT_DONE, rows=rows_of(report))
    share = sum(row.ok for row in report.rows) / len(report.rows)
    hints = [hint for row in report.rows if (hint := hint_of(row.detail)) is not None]
    status = PASSED if share == 1 else FAILED
    return ExerciseResult(exercise, status, share, rows_of(report), hints=hints)


def rows_of(report) -> list:
    return [(row.check, row.status, row.detail) for row in report.rows]


def verdict(exercise: str, outcome: dict, seed: int) -> ExerciseResult:
    """The result from the child's last message, or from how the child ended without one. The
    error says what the status alone does not: the names used, the line, how the process ended."""
    messages = outcome.get("messages") or []
    last = messages[-1] if messages else {}
    stage, error = last.get("stage"), str(last.get("error", ""))[:300]
    how = str(outcome.get("how", ""))
    if last.get("uses"):
        used = ", ".join(str(name) for name in last["uses"][:3])
        return ExerciseResult(exercise, USES_NNREF, error=used)
    if stage == "done":
        if exhausted := out_of_memory(last.get("data")):
            return ExerciseResult(exercise, MEMORY, error=exhausted[:300])
        try:
            return graded(exercise, last["data"], seed)
        except Exception:  # noqa: BLE001 - data that is not a probe's: forged, or cut short
            return ExerciseResult(exercise, CRASHED, error=_("what it sent back is not readable"))
    if outcome.get("ended") == "time":
        return ExerciseResult(exercise, TIME)
    if stage == "undefined":
        return ExerciseResult(
            exercise, MEMORY if out_of_memory(error) else NOT_DEFINED, error=error
        )
    if stage == "crashed":
        return ExerciseResult(exercise, CRASHED, error=error)
    # Without a last message: it ended while its function or class was checked ("defined"), or
    # while the notebook's cells ran (os._exit in a cell).
    return ExerciseResult(exercise, CRASHED if stage == "defined" else NOT_DEFINED, error=how)


def judge(exercise: str, outcome: dict, *, seed: int, notebook: str) -> ExerciseResult:
    result = verdict(exercise, outcome, seed)
    result.notebook = notebook
    result.seconds = outcome.get("seconds")
    result.peak_mb = outcome.get("peak_mb")
    result.output_bytes = int(outcome.get("output_bytes") or 0)
    return result
