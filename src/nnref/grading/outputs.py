"""What the grader writes into DIR, each file whole or not at all (nnref.files):

grades.csv          one row per student: student, each exercise's points, total, max, flags
lms-moodle.csv      with --lms moodle: Moodle's grading worksheet (Identifier, Grade, ...)
lms-canvas.csv      with --lms canvas: Canvas's gradebook import (Student, ID, ...)
log.jsonl           one line per student and exercise: status, points, seconds, memory
feedback/ID.md      for each student, and .html (feedback.py)
summary.html        for the teacher (summary.py)
"""

from __future__ import annotations

import json
from pathlib import Path

from nnref.files import write_atomic, write_csv
from nnref.locale.messages import render

from . import feedback, summary
from .results import safe_name

LMS = ("moodle", "canvas")


def number(x: float) -> str:
    """A grade as a spreadsheet reads it: 1, 0.5, 0.667 (three decimals at most)."""
    return f"{round(x, 3):g}"


def points_of(result, points: dict) -> dict:
    """{exercise: points earned} for a student."""
    return {name: r.share * points[name] for name, r in result.exercises.items()}


def flags_text(result, lang: str) -> str:
    return "; ".join(render(flag, lang) for flag in result.flags)


def write_grades(out: Path, results, points: dict, lang: str) -> None:
    header = ["student", *points, "total", "max", "flags"]
    rows = []
    for result in results:
        earned = points_of(result, points)
        rows.append(
            [
                result.student,
                *(number(earned[name]) for name in points),
                number(sum(earned.values())),
                number(sum(points.values())),
                flags_text(result, lang),
            ]
        )
    write_csv(out / "grades.csv", header, rows)


def write_lms(out: Path, results, points: dict, lms: str, lang: str) -> None:
    """The grades as the LMS imports them (docs/teaching.md names the columns)."""
    totals = [number(sum(points_of(r, points).values())) for r in results]
    if lms == "moodle":
        header = ["Identifier", "Grade", "Feedback comments"]
        rows = [
            [f"Participant {r.student}", total, flags_text(r, lang)]
            for r, total in zip(results, totals)
        ]
    else:
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "nnref"]
        rows = [
            [r.name or r.student, r.student, "", "", "", total] for r, total in zip(results, totals)
        ]
    write_csv(out / f"lms-{lms}.csv", header, rows)


def write_log(out: Path, results, points: dict, lang: str) -> None:
    lines = []
    for result in results:
        for name, r in result.exercises.items():
            line = {
                "student": result.student,
                "exercise": name,
                "status": r.status,
                "points": round(r.share * points[name], 6),
                "notebook": r.notebook,
                "seconds": r.seconds,
                "peak_mb": r.peak_mb,
                "output_bytes": r.output_bytes,
                "error": render(r.error, lang),
                "flags": [render(f, lang) for f in result.flags],
            }
            lines.append(json.dumps(line, ensure_ascii=False))
    write_atomic(out / "log.jsonl", lambda f: f.write("\n".join(lines) + "\n"))


def write_all(out: Path, results, points: dict, *, lang: str, lms: str | None, about: dict) -> None:
    """Every output for the class. about: the seed, nnref's version and the limits used."""
    out = Path(out)
    for result in results:
        name = safe_name(result.student)
        text = feedback.markdown(result, points, lang)
        write_atomic(out / "feedback" / f"{name}.md", lambda f, text=text: f.write(text))
        page = feedback.html_page(result, points, lang)
        write_atomic(out / "feedback" / f"{name}.html", lambda f, page=page: f.write(page))
    page = summary.html_page(results, points, lang, about)
    write_atomic(out / "summary.html", lambda f: f.write(page))
    write_log(out, results, points, lang)
    if lms:
        write_lms(out, results, points, lms, lang)
    write_grades(out, results, points, lang)  # last: its presence says the run is complete
