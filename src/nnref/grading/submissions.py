"""Who handed in what: the students of a SUBMISSIONS folder (or .zip) and their notebooks.

Three layouts are recognised, each student's id taken from it:

- a folder per student, the folder's name the id (`alice/03-multiclass.ipynb`), notebooks
  anywhere below it;
- Moodle's "Download all submissions": a folder per submission named
  `Full Name_12345_assignsubmission_file_`; the id is the participant number, 12345;
- Canvas's "Download Submissions": files side by side named
  `name_12345_67890_03-multiclass.ipynb` (`name_LATE_12345_...` when late); the id is the user's
  number, 12345, and the notebook's name is what follows the submission's number.

A .zip of any of them works too, read without unpacking it (with one folder around it all, as a
zipped folder has). Only `.ipynb` files count; hidden files and folders (`.ipynb_checkpoints`)
and macOS's `__MACOSX` are left out. Ids are sorted as people sort them: 2 before 10.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nnref.locale.messages import _

from .notebook import MAX_BYTES

MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_[a-z]+_?$", re.I)
CANVAS = re.compile(
    r"^(?P<name>[^_]+)(?:_late)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$", re.I
)


class SubmissionError(ValueError):
    """SUBMISSIONS cannot be read as a class: one line saying why."""


@dataclass
class Notebook:
    name: str  # as the student named it (its path below the student's folder)
    read: Callable[[int], bytes]  # read(n): its first n bytes


@dataclass
class Student:
    id: str
    name: str = ""  # the student's name where the LMS's naming gives it
    notebooks: list[Notebook] = field(default_factory=list)


@dataclass
class Entry:
    parts: tuple[str, ...]  # the file's path below SUBMISSIONS
    read: Callable[[int], bytes] | None  # None: a student's folder (perhaps empty)


def folder_entries(root: Path) -> list[Entry]:
    # Each folder at the top is a student, even one who handed in nothing.
    entries = [Entry((p.name,), None) for p in sorted(root.iterdir()) if p.is_dir()]
    for folder, folders, files in os.walk(root):  # links are not followed
        folders.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if not path.is_symlink():
                entries.append(Entry(path.relative_to(root).parts, reader(path)))
    return entries


def reader(path: Path) -> Callable[[int], bytes]:
    def read(n: int) -> bytes:
        with open(path, "rb") as f:
            return f.read(n)

    return read


def zip_entries(path: Path) -> list[Entry]:
    archive = zipfile.ZipFile(path)

    def read_member(info):
        def read(n: int) -> bytes:
            with archive.open(info) as f:
                return f.read(n)

        return read

    return [
        Entry(tuple(p for p in info.filename.split("/") if p), read_member(info))
        for info in archive.infolist()
        if not info.is_dir()
    ]


def hidden(entry: Entry) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in entry.parts)


def counted(entry: Entry) -> bool:
    return entry.read is not None and entry.parts[-1].lower().endswith(".ipynb")


def without_wrapper(entries: list[Entry]) -> list[Entry]:
    """A zipped SUBMISSIONS folder: the one folder around everything taken off, unless that
    folder is itself a student's (only notebooks directly in it, none named as Canvas names)."""
    tops = {entry.parts[0] for entry in entries}
    if len(tops) != 1 or any(len(entry.parts) < 2 for entry in entries):
        return entries
    deeper = any(len(entry.parts) > 2 for entry in entries)
    canvas = any(CANVAS.match(entry.parts[1]) for entry in entries)
    if not (deeper or canvas):
        return entries
    return [Entry(entry.parts[1:], entry.read) for entry in entries]


def natural(text: str):
    """A sort key that orders "s2" before "s10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def group(entries: list[Entry]) -> list[Student]:
    students: dict[str, Student] = {}
    for entry in entries:
        if hidden(entry):
            continue
        if len(entry.parts) == 1 and entry.read is not None:
            match = CANVAS.match(entry.parts[0])
            if not match:
                continue  # a file beside the students' folders: not anyone's
            student_id, name, file = match["id"], match["name"], match["file"]
        else:
            match = MOODLE.match(entry.parts[0])
            student_id = match["id"] if match else entry.parts[0]
            name, file = (match["name"] if match else ""), "/".join(entry.parts[1:])
        student = students.setdefault(student_id, Student(student_id, name))
        if counted(entry):
            student.notebooks.append(Notebook(file, entry.read))
    for student in students.values():
        student.notebooks.sort(key=lambda notebook: natural(notebook.name))
    return [students[key] for key in sorted(students, key=natural)]


def find_students(path: Path) -> list[Student]:
    """The class in SUBMISSIONS, sorted by id; SubmissionError when there is none to grade."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(_("{path}: no such folder or .zip", path=str(path)))
    if path.is_dir():
        entries = folder_entries(path)
    elif zipfile.is_zipfile(path):
        try:
            entries = without_wrapper([e for e in zip_entries(path) if not hidden(e)])
        except (zipfile.BadZipFile, OSError) as error:
            raise SubmissionError(
                _("{path}: cannot read the .zip ({error})", path=str(path), error=str(error))
            ) from None
    else:
        raise SubmissionError(_("{path}: neither a folder nor a .zip", path=str(path)))
    students = group(entries)
    if not students:
        raise SubmissionError(
            _(
                "{path}: no student found (a folder per student, or Moodle's or Canvas's "
                "download of submissions)",
                path=str(path),
            )
        )
    return students


def capped(notebook: Notebook) -> bytes | None:
    """A notebook's bytes, or None when it is larger than the cap (MAX_BYTES)."""
    data = notebook.read(MAX_BYTES + 1)
    return None if len(data) > MAX_BYTES else data
