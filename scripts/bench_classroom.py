"""A class at the playground: N students at once, each with their own seed and lr, over HTTP.

Starts `nnref-playground` (as `python -m nnref.playground`) and has N simulated students press
Train at once with gradio_client, each its own session. For N = 1, 10 and 30 it prints the time to
the first frame (p50, p95) and to the end of the run (p50, p95, max), the errors, whether every
student got their own result (the final train loss their settings give when run alone), and the
server's memory (its process and its workers) before and after; then a second round of 30 to see
whether memory keeps growing.

The goals on 2 cores with the students on the same machine: at N = 30 no errors and every student
their own result; p95 to the first frame <= 5 s; p95 to the end <= 1.5 x the physical limit,
N x (one lone run's server CPU seconds) / cores; after a second round of 30, memory within 1.2 x.
With --long R it then goes on in rounds of the largest size until R runs have been served, and
prints the memory after each hundred (goal: after 600 runs within 1.2 x of after the first 30).

    python scripts/bench_classroom.py [--sizes 1,10,30] [--concurrency N] [--long 600]
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gradio_client import Client  # noqa: E402
from support.serve import serve  # noqa: E402  (tests/support, shared with the browser tests)

from nnref.playground import streams  # noqa: E402
from nnref.playground.fields import training_defaults  # noqa: E402
from nnref.playground.form import parse_training  # noqa: E402

FINAL = re.compile(r"train loss [-\d.e+]+ → ([-\d.e+]+)")
TICK = os.sysconf("SC_CLK_TCK")


def student(i: int) -> dict:
    """Student i's own settings: the page's defaults with their seed and lr."""
    return {**training_defaults(), "seed": i, "lr": round(0.01 + 0.004 * (i % 10), 4)}


def expected_loss(values: dict) -> str:
    """The final train loss these settings give when run alone, as the status shows it."""
    form = {k: v for k, v in values.items() if k != "csv_file"}
    last = list(streams.training_frames(parse_training(form)))[-1]
    return FINAL.search(last.status).group(1)


def tree(pid: int) -> list[int]:
    """The process and its descendants (the room's workers)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_mb(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            line = next(
                x
                for x in Path(f"/proc/{p}/status").read_text().splitlines()
                if x.startswith("VmRSS")
            )
            total += int(line.split()[1])
        except (OSError, StopIteration):
            continue
    return total / 1024


def cpu_s(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime of the process
        except OSError:
            continue
    return total / TICK


def round_of(url: str, n: int, expected: dict) -> dict:
    """N students at once; per student: first frame and end times, error, own result."""
    results, barrier = {}, threading.Barrier(n)

    def one(i: int):
        values = student(i)
        args = {**values, "points": "[]", "preset": ""}
        client = Client(url, verbose=False, download_files=False)
        barrier.wait()
        start, first, last = time.perf_counter(), None, None
        try:
            for out in client.submit(**args, api_name="/train"):
                if "**waiting**" in str(out[1]):
                    continue  # the place in the queue, not a frame
                first = first or time.perf_counter() - start
                last = out
            end = time.perf_counter() - start
            got = FINAL.search(last[1]).group(1) if last else None
            results[i] = {"first": first, "end": end, "error": None, "own": got == expected[i]}
        except Exception as error:  # noqa: BLE001 - a student's error is a finding, not a crash
            results[i] = {"first": first, "end": None, "error": repr(error)[:200], "own": False}

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def quantile(values, q):
    values = sorted(v for v in values if v is not None)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,30")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--long", type=int, default=0, help="runs in all, for the memory check")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cores = os.cpu_count() or 1
    expected = {i: expected_loss(student(i)) for i in range(max(sizes))}  # each run alone, first
    command = [sys.executable, "-m", "nnref.playground", "--concurrency", str(args.concurrency)]
    with serve(command=command) as url:
        pid = next(
            p
            for p in tree(os.getpid())
            if p != os.getpid()
            and "nnref.playground" in Path(f"/proc/{p}/cmdline").read_text(errors="ignore")
        )
        round_of(url, 1, expected)  # warm-up: the workers' first run
        before = cpu_s(pid)
        round_of(url, 1, expected)
        lone_cpu = cpu_s(pid) - before
        print(
            f"{datetime.date.today()}, {cores} cores, --concurrency {args.concurrency}; one run "
            "alone "
            f"takes the server {lone_cpu:.2f} s of CPU\n"
        )
        print(
            "| students | first frame p50 / p95 (s) | end p50 / p95 / max (s) | physical limit "
            "(s) | "
            "p95 end / limit | errors | own result | server RSS before → after (MB) |"
        )
        print("|---|---|---|---|---|---|---|---|")
        rss = {}
        for n in [*sizes, sizes[-1]]:
            start_rss = rss_mb(pid)
            r = round_of(url, n, expected)
            after = rss_mb(pid)
            firsts, ends = [x["first"] for x in r.values()], [x["end"] for x in r.values()]
            limit = n * lone_cpu / cores
            errors = sum(x["error"] is not None for x in r.values())
            own = sum(x["own"] for x in r.values())
            label = f"{n}" if n not in rss else f"{n} (again)"
            rss[n] = after if n not in rss else rss[n]
            print(
                f"| {label} | {quantile(firsts, 0.5):.2f} / {quantile(firsts, 0.95):.2f} | "
                f"{quantile(ends, 0.5):.2f} / {quantile(ends, 0.95):.2f} / "
                f"{max(e or 0 for e in ends):.2f} | "
                f"{limit:.1f} | {quantile(ends, 0.95) / limit:.2f} | {errors} | {own}/{n} | "
                f"{start_rss:.0f} → {after:.0f} |"
            )
            for x in r.values():
                if x["error"]:
                    print(f"  error: {x['error']}")
        final = rss_mb(pid)
        print(
            f"\nRSS after the second round of {sizes[-1]}: {final:.0f} MB, "
            f"{final / rss[sizes[-1]]:.2f} x "
            f"the first (goal <= 1.2)"
        )
        served, shown = 2 + sum(sizes) + sizes[-1], 100
        while served < args.long:
            r = round_of(url, sizes[-1], expected)
            served += sizes[-1]
            bad = sum(x["error"] is not None or not x["own"] for x in r.values())
            if served >= shown or served >= args.long:
                shown += 100
                print(
                    f"after {served} runs: RSS {rss_mb(pid):.0f} MB, "
                    f"{rss_mb(pid) / rss[sizes[-1]]:.2f} x after the first {sizes[-1]}"
                    + (
                        f"; {bad} runs in the last round with an error or another's result"
                        if bad
                        else ""
                    )
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
