"""How long the notebooks take to execute, each in a fresh kernel: both editions, one after another.

    python scripts/bench_notebooks.py [--lang en]

The goal: every notebook of both editions within 3 minutes in all, on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402

GOAL_S = 180.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", choices=notebooks.LANGUAGES)
    args = parser.parse_args(argv)
    langs = args.lang or ["en"]
    today, machine = datetime.date.today(), platform.machine()
    print(f"{today}, {machine}, {os.cpu_count()} cores; each in a fresh kernel\n")
    print("| notebook | teacher (s) | student (s) |\n|---|---:|---:|")
    total = 0.0
    for lang in langs:
        for name in notebooks.names():
            times = []
            for kind in notebooks.EDITIONS:
                start = time.perf_counter()
                notebooks.execute(notebooks.edition(name, kind, lang), notebooks.SOURCES)
                times.append(time.perf_counter() - start)
            total += sum(times)
            shown = notebooks.filename(name, lang).removesuffix(".ipynb")
            print(f"| {shown} | {times[0]:.1f} | {times[1]:.1f} |")
    print(
        f"\nall: {total:.0f} s (goal <= {GOAL_S:.0f} s): {'met' if total <= GOAL_S else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
