"""Wall time of the main command against the import floor (torch, lightning, torchmetrics, hydra).

    python scripts/bench_startup.py [--rounds 5]

The two commands run in turn, each in a fresh interpreter; the table shows medians and the median
of per-round ratios (the goal: the main command within 1.5x of the floor).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = [sys.executable, "-c", "import torch, lightning, torchmetrics, hydra"]


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    floor, main_cmd = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            floor.append(timed(FLOOR))
            main_cmd.append(
                timed(
                    [
                        sys.executable,
                        "train.py",
                        "task=multiclass",
                        "optim=nag",
                        f"hydra.run.dir={tmp}/run{i}",
                    ]
                )
            )
    ratios = [m / f for m, f in zip(main_cmd, floor)]
    import datetime
    import os
    import platform

    print(
        f"{datetime.date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; median of {args.rounds} rounds\n"
    )
    print("| command | wall time (s) |")
    print("|---|---:|")
    print(f"| import torch, lightning, torchmetrics, hydra | {statistics.median(floor):.2f} |")
    print(f"| python train.py task=multiclass optim=nag | {statistics.median(main_cmd):.2f} |")
    print(f"| ratio (goal <= 1.5) | {statistics.median(ratios):.2f} |")


if __name__ == "__main__":
    main()
