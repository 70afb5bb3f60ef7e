"""How long nnref.testing takes to check one optimizer: each of torch's built-ins against its course
twin (as `nnref-check optimizer torch.optim.SGD --twin momentum` does), and for scale, the same
number of plain steps of the optimizer alone.

    python scripts/bench_check.py [--rounds 5]

Each round checks every optimizer once, after one unclocked check that pays torch's one-off
imports. The table shows the median seconds of a whole check (the goal: well under a second, so
that a student's cell answers at once) and the median ratio of a check to 1,000 plain steps.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

import torch

from nnref.optim import OPTIMIZERS
from nnref.testing import check_optimizer

STEPS = 1_000


def subject(name: str):
    """torch's built-in with the settings that make it the course optimizer's twin."""
    entry = OPTIMIZERS[name]
    return functools.partial(entry.twin, **entry.hyperparameters(), **entry.twin_settings)


def checked_s(name: str) -> float:
    start = time.perf_counter()
    report = check_optimizer(subject(name), twin=name, closure=name == "nag")
    elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"{name}: the check failed, so its time means nothing:\n{report}")
    return elapsed


def stepped_s(name: str) -> float:
    """STEPS steps of the built-in on a 10x10 weight, the scale a check's own fits work at."""
    weight = torch.randn(10, 10, dtype=torch.float64, requires_grad=True)
    optimizer = subject(name)([weight])
    start = time.perf_counter()
    for _ in range(STEPS):
        optimizer.zero_grad()
        (weight**2).sum().backward()
        optimizer.step()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    checked_s("momentum")  # torch's one-off imports, outside the clock
    checks = {name: [] for name in OPTIMIZERS}
    ratios = {name: [] for name in OPTIMIZERS}
    for _ in range(args.rounds):
        for name in OPTIMIZERS:
            check, steps = checked_s(name), stepped_s(name)
            checks[name].append(check)
            ratios[name].append(check / steps)
    print(f"| optimizer | check (median s) | check / {STEPS:,} steps (median) |")
    print("|---|---|---|")
    for name in OPTIMIZERS:
        check, ratio = statistics.median(checks[name]), statistics.median(ratios[name])
        print(f"| {name} | {check:.3f} | {ratio:.1f} |")
    slowest = max(statistics.median(times) for times in checks.values())
    print(f"\nslowest check: {slowest:.3f} s (goal: well under 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
