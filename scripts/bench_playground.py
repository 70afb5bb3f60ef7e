"""The playground's speed against the issue's targets, medians of several runs.

Starts `nnref-playground` (as `python -m nnref.playground`) on a free port and calls it over HTTP
the way the page does (gradio_client: the same queue, events and validators; frames are not
downloaded, as a browser fetches them alongside). After one warm-up run per case (reported as
"cold"), each case runs --repeats times:

  training: the red/black points (200), binary head, 100 epochs, mini-batches (the page's defaults)
      first frame after Train < 1 s, whole run < 3 s, frames while it runs >= 5 per second
  paths: all six optimizers x 300 steps on the local minimum
      first frame < 1 s; whole (every frame, the numbers included) < 4 s, since its eight frames
      are spread over about three seconds so that an eye can follow the paths

    python scripts/bench_playground.py [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gradio_client import Client  # noqa: E402
from support.serve import serve  # tests/support, shared with the browser tests

from nnref.playground.fields import training_defaults
from nnref.playground.settings import PathSettings

TARGETS = [  # (case, measure, target, "<" or ">=", unit)
    ("training", "first_frame", 1.0, "<", "s"),
    ("training", "whole", 3.0, "<", "s"),
    ("training", "frames_per_s", 5.0, ">=", "/s"),
    ("paths", "first_frame", 1.0, "<", "s"),
    ("paths", "whole", 4.0, "<", "s"),
]
LABELS = {
    (
        "training",
        "first_frame",
    ): "200 points, binary, 100 epochs, mini-batch: first frame after Train",
    ("training", "whole"): "the same run, whole",
    ("training", "frames_per_s"): "frames while it runs",
    ("paths", "first_frame"): "the paths tab: all six optimizers × 300 steps, first frame",
    ("paths", "whole"): "the same, its animation whole (frames spread over about 3 s on purpose)",
}


def timed(client: Client, args: dict, api_name: str) -> dict:
    """Times (s, from submitting) of every frame a streaming event sends."""
    start = time.perf_counter()
    arrivals = [
        time.perf_counter() - start
        for out in client.submit(**args, api_name=api_name)
        if "**waiting**" not in str(out[1])  # a place in the queue is not a frame
    ]
    first, last = arrivals[0], arrivals[-1]
    return {
        "first_frame": first,
        "whole": last,
        "frames": len(arrivals),
        "frames_per_s": (len(arrivals) - 1) / (last - first) if last > first else float("inf"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    training_args = {**training_defaults(), "points": "[]", "preset": ""}  # no points, no preset
    p = PathSettings()  # local minimum, its own start, lr and gamma, 300 steps, all six optimizers
    assert p.steps == 300 and len(p.optimizers) == 6
    path_args = {
        **dict(surface=p.surface, x0=p.x0, y0=p.y0, optimizers=list(p.optimizers)),
        **dict(p_lr=p.lr, p_gamma=p.gamma, steps=p.steps, preset=""),
    }

    with serve() as url:
        client = Client(url, verbose=False, download_files=False)
        cases = {"training": (training_args, "/train"), "paths": (path_args, "/run_paths")}
        results = {}
        for case, (case_args, api) in cases.items():
            cold = timed(client, case_args, api)
            runs = [timed(client, case_args, api) for _ in range(args.repeats)]
            results[case] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(
                f"{case}: cold (first call) first frame {cold['first_frame']:.2f} s, whole "
                f"{cold['whole']:.2f} s; {results[case]['frames']:.0f} frames per run"
            )

    print(f"\nmedians of {args.repeats} runs after one warm-up, {time.strftime('%Y-%m-%d')}:")
    print("| case | measured | target | measured / target |\n|---|---|---|---|")
    failed = 0
    for case, measure, target, sense, unit in TARGETS:
        value = results[case][measure]
        met = value < target if sense == "<" else value >= target
        failed += not met
        print(
            f"| {LABELS[(case, measure)]} | {value:.2f} {unit} | {sense} {target:g} {unit} | "
            f"{value / target:.2f}{'' if met else '  (missed)'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
