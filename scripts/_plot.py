"""What every experiment script shares: its arguments, matplotlib's file backend, and writing
DIR/NAME.png with DIR/NAME.json (strict JSON: a non-finite number is written as null)."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from pathlib import Path


def parse_args(name: str, doc: str, argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"scripts/{name}.py", description=" ".join(doc.split()))
    parser.add_argument(
        "--out", default="figures/", help="folder for NAME.png and NAME.json (default: figures/)"
    )
    parser.add_argument("--quick", action="store_true", help="reduced sizes (seconds; for tests)")
    args = parser.parse_args(argv)
    # Before pyplot is imported anywhere: draw to files only, no display needed.
    import matplotlib

    matplotlib.use("Agg")
    import torch

    # Tiny nets: one thread is as fast.
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from nnref import quiet

    quiet.install()  # nnref's known-warning filters (importing nnref leaves the filters alone)
    return args


def _strict(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def save(fig, data: dict, out: str, name: str) -> tuple[Path, Path]:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    png, js = folder / f"{name}.png", folder / f"{name}.json"
    fig.savefig(png, dpi=100, bbox_inches="tight")
    text = json.dumps(_strict(data), indent=1, allow_nan=False)
    # Keep the innermost lists (curves, points) on one line each: the file stays small and readable.
    text = re.sub(r"\[([^\[\]{}]*)\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    js.write_text(text + "\n")
    print(f"wrote {png} and {js}")
    return png, js
