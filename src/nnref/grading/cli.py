"""nnref-grade: grade a class's notebooks in one command.

nnref-grade SUBMISSIONS --out DIR [--lang en|ko] [--seed N] [--jobs N]
            [--time-limit S] [--memory-limit MB] [--points FILE] [--lms moodle|canvas]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

from nnref import __version__
from nnref.locale import LANGUAGES
from nnref.locale.messages import _, render

PROG = "nnref-grade"
EPILOG = """\
SUBMISSIONS is a folder with one folder per student (its name is the student's id), or a .zip of
one; Moodle's and Canvas's downloads of submissions are recognised, with their ids.

DIR receives grades.csv, feedback/ (one page per student, .md and .html), summary.html and
log.jsonl. A run that is stopped and started again grades only what is missing.

Exit status: 0 once every student has a row, whatever the grades and flags (a class with broken
or hostile notebooks is a normal class); 2 for bad usage (SUBMISSIONS missing or empty, --out
inside SUBMISSIONS, a bad --points file); 1 only when the grader itself fails; 130 when
interrupted (Ctrl-C).

Each exercise runs in a process of its own with these limits, in a scratch folder with a clean
environment. A process with limits is not a container: for a class you cannot trust, run
nnref-grade inside one (docs/teaching.md).
"""


def positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r}: give a number above 0")
        return value

    return parse


def cores() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog=PROG,
        description="Grade a class's notebooks: grades.csv, feedback for each student, a summary.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("submissions", metavar="SUBMISSIONS", type=Path)
    main.add_argument("--out", metavar="DIR", type=Path, required=True, help="where to write")
    main.add_argument("--lang", choices=LANGUAGES, default="en", help="feedback's language")
    main.add_argument(
        "--seed",
        metavar="N",
        type=int,
        help="the cases drawn for each exercise (default: a fresh seed, "
        "printed and written into the outputs; a resumed run keeps its seed)",
    )
    main.add_argument(
        "--jobs",
        metavar="N",
        type=positive(int),
        default=cores(),
        help="exercises run at once (default: the number of cores)",
    )
    main.add_argument(
        "--time-limit",
        metavar="S",
        type=positive(float),
        default=10.0,
        help="seconds per exercise (default 10)",
    )
    main.add_argument(
        "--memory-limit",
        metavar="MB",
        type=positive(int),
        default=2048,
        help="memory per exercise above the interpreter's own (default 2048)",
    )
    main.add_argument("--points", metavar="FILE", type=Path, help="YAML: exercise -> points")
    main.add_argument("--lms", choices=("moodle", "canvas"), help="also write lms-NAME.csv")
    return main


class UsageError(ValueError):
    """Bad usage: one line, exit status 2."""


def check_paths(submissions: Path, out: Path) -> None:
    inside = out.resolve().is_relative_to(submissions.resolve())
    if submissions.is_dir() and inside:
        raise UsageError(
            _("--out {out} is inside SUBMISSIONS: give a folder outside it", out=str(out))
        )


def previous_seed(out: Path) -> int | None:
    """The seed of an earlier run into DIR, so that a resumed run keeps it."""
    try:
        return int(json.loads((out / ".work" / "settings.json").read_text())["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run(args) -> int:
    from . import outputs  # noqa: PLC0415 - torch and the kit: after the usage is checked
    from .points import read_points  # noqa: PLC0415
    from .run import Settings, grade  # noqa: PLC0415
    from .sandbox import Limits  # noqa: PLC0415

    def say(message) -> None:
        print(render(message, args.lang), file=sys.stderr, flush=True)

    check_paths(args.submissions, args.out)
    points = read_points(args.points)
    seed = args.seed if args.seed is not None else previous_seed(args.out)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    say(_("seed: {seed}", seed=seed))
    limits = Limits(seconds=args.time_limit, memory_mb=args.memory_limit)
    settings = Settings(seed=seed, limits=limits, jobs=args.jobs)
    results = grade(args.submissions, args.out, settings, say=say)
    about = {
        _("seed"): str(seed),
        _("nnref's version"): __version__,
        _("time limit per exercise"): f"{limits.seconds:g} s",
        _("memory limit per exercise"): f"{limits.memory_mb} MB",
        _("printed output kept"): f"{limits.output_bytes} B",
    }
    outputs.write_all(args.out, results, points, lang=args.lang, lms=args.lms, about=about)
    say(_("wrote grades.csv, feedback/, summary.html and log.jsonl to {out}", out=str(args.out)))
    return 0


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    from .points import PointsError  # noqa: PLC0415
    from .submissions import SubmissionError  # noqa: PLC0415

    try:
        return run(args)
    except (UsageError, SubmissionError, PointsError) as error:
        message = _("{prog}: error: {error}", prog=PROG, error=error.args[0])
        print(render(message, args.lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            render(_("{prog}: interrupted; run it again to finish", prog=PROG), args.lang),
            file=sys.stderr,
        )
        return 130
    except Exception as error:  # noqa: BLE001 - the grader's own failure: say so, exit 1
        problem = f"{type(error).__name__}: {error}"
        message = _(
            "{prog}: the grader failed: {error} (please report it)", prog=PROG, error=problem
        )
        print(render(message, args.lang), file=sys.stderr)
        return 1
