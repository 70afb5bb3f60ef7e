"""How long nnref-grade takes for a class: 30 students with the course's 7 notebooks each.

    python scripts/bench_grading.py [--students 30] [--jobs N] [--done 0.8]

The class is built from the notebooks' editions: each student's notebook is the teacher edition
(every exercise right) with probability --done, else the student edition (not done yet), drawn
from a fixed seed. The whole class is graded by `python -m nnref.grading` (nnref-grade) in a fresh
process, as a teacher runs it. Printed: the class's time, the seconds per notebook (its exercises'
processes, from log.jsonl), and the peak memory of the grader's largest process and of one
exercise's. The goal: the class within 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402

GOAL_S = 180.0


def build(root: Path, students: int, done: float) -> None:
    draw = random.Random(0)
    editions = {
        (name, kind): notebooks.edition(name, kind)
        for name in notebooks.names()
        for kind in notebooks.EDITIONS
    }
    for i in range(1, students + 1):
        for name in notebooks.names():
            kind = "teacher" if draw.random() < done else "student"
            path = root / f"student{i:02d}" / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(editions[name, kind], path)


def per_notebook(log: Path) -> list[float]:
    """The seconds each (student, notebook) took: the sum of its exercises' processes."""
    seconds: dict = {}
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        if entry["seconds"] is not None:
            key = (entry["student"], entry["notebook"])
            seconds[key] = seconds.get(key, 0.0) + entry["seconds"]
    return list(seconds.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--done", type=float, default=0.8)
    args = parser.parse_args(argv)
    print(
        f"{datetime.date.today()}, {platform.machine()}, {args.jobs} jobs on "
        f"{len(os.sched_getaffinity(0))} cores, Linux load {os.getloadavg()[0]:.1f}, "
        f"torch {torch.__version__}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        root, out = Path(folder) / "submissions", Path(folder) / "graded"
        build(root, args.students, args.done)
        command = [sys.executable, "-m", "nnref.grading", str(root), "--out", str(out)]
        command += ["--seed", "0", "--jobs", str(args.jobs)]
        start = time.perf_counter()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        notebook_seconds = per_notebook(out / "log.jsonl")
        lines = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    exercise = max(line["peak_mb"] or 0 for line in lines)
    print(f"{args.students} students x {len(notebooks.names())} notebooks, --done {args.done}\n")
    print("| measure | value |\n|---|---:|")
    print(f"| notebooks graded | {len(notebook_seconds)} |")
    print(f"| seconds per notebook, median | {statistics.median(notebook_seconds):.2f} |")
    print(f"| seconds per notebook, largest | {max(notebook_seconds):.2f} |")
    print(f"| peak memory, largest process (MB) | {largest:.0f} |")
    print(f"| peak memory, one exercise's process (MB) | {exercise:.0f} |")
    print(f"| the class (s) | {seconds:.1f} |")
    print(
        f"\nthe class: {seconds:.0f} s (goal <= {GOAL_S:.0f} s): "
        + ("met" if seconds <= GOAL_S else "missed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
