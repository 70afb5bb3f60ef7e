"""Momentum can overshoot: the speed it has built up carries it past the minimum it was heading for.

GD, Momentum and NAG (each momentum at gamma 0.5, 0.9 and 0.99) start from the same point with the
same lr on two surfaces, and each path is measured against the minimum w*:

- max_overshoot: how far the path gets past w* along the approach direction d, the unit vector from
  the start to w*: max over steps of (w_t - w*) . d, or 0 if it never crosses. (Across the approach,
  e.g. GD's zig-zag over the ravine's floor, is not counted: that is not "past the minimum".)
- steps_to_tol: the first step from which the path stays within `tol` of w* (a path that passes
  through w* and swings out again has not arrived), or None if it does not settle in time.

On the quadratic 0.5 x^2 with lr 0.1, GD multiplies x by 1 - lr = 0.9 each step, so it never
crosses 0. Momentum's error follows x_{t+1} = (1 + g - lr) x_t - g x_{t-1}; its characteristic
roots are complex when (1 + g - lr)^2 < 4g (so the path swings around 0), with modulus sqrt(g).
NAG's are complex when (1 + g)^2 (1 - lr) < 4g, with modulus sqrt(g (1 - lr)): it swings less.
The ravine is `optimizer_paths`' surface with its own start and lr.
"""

from __future__ import annotations

import math

import torch

from .optimizer_paths import SURFACES, trajectory

GAMMAS = (0.5, 0.9, 0.99)
MOMENTUM_OPTIMIZERS = ("momentum", "nag")


def quadratic(w):
    return 0.5 * w[0] ** 2


PROBLEMS = {
    # lr * curvature = 0.1: GD creeps in from one side; a minimum at 0, reached from the left.
    "quadratic": {
        "f": quadratic,
        "start": [-1.0],
        "minimum": [0.0],
        "lr": 0.1,
        "formula": "0.5 x^2",
    },
    "ravine": {
        "f": SURFACES["ravine"]["f"],
        "start": list(SURFACES["ravine"]["start"]),
        "minimum": [0.0, 0.0],
        "lr": SURFACES["ravine"]["lr"],
        "formula": SURFACES["ravine"]["formula"],
    },
}


def runs(gammas=GAMMAS) -> list[tuple[str, str, float]]:
    """(label, optimizer, gamma) for GD and for Momentum and NAG at each gamma; GD ignores gamma."""
    return [("gd", "gd", 0.0)] + [
        (f"{opt}_{g:g}", opt, g) for opt in MOMENTUM_OPTIMIZERS for g in gammas
    ]


def max_overshoot(points, start, minimum) -> float:
    """How far the path gets past `minimum` along the direction from `start` to it (0: never
    past)."""
    p, s, m = (torch.tensor(v, dtype=torch.float64) for v in (points, start, minimum))
    d = (m - s) / torch.linalg.norm(m - s)
    return max(0.0, float(((p - m) @ d).max()))


def settled_at(points, minimum, tol: float) -> int | None:
    """The first step after which every point stays within tol of the minimum."""
    dist = torch.linalg.norm(
        torch.tensor(points, dtype=torch.float64) - torch.tensor(minimum, dtype=torch.float64),
        dim=1,
    )
    outside = (dist > tol).nonzero()
    if len(outside) == 0:
        return 0
    last = int(outside[-1])
    return None if last == len(dist) - 1 else last + 1


def run_problem(
    name: str, steps: int = 1500, gammas=GAMMAS, tol: float = 1e-3, keep: int = 200
) -> dict:
    if name not in PROBLEMS:
        raise ValueError(f"problem {name!r}: unknown; valid: {', '.join(PROBLEMS)}")
    if not gammas or not all(0.0 <= g < 1.0 for g in gammas):
        raise ValueError(f"gammas={gammas!r}: need at least one momentum in [0, 1)")
    spec = PROBLEMS[name]
    out = {
        "settings": {
            "formula": spec["formula"],
            "start": spec["start"],
            "minimum": spec["minimum"],
            "lr": spec["lr"],
            "steps": int(steps),
            "tol": tol,
            "path_steps_kept": keep,
        },
        "max_overshoot": {},
        "steps_to_tol": {},
        "diverged": {},
        "path": {},
    }
    for label, opt, gamma in runs(gammas):
        path = trajectory(spec["f"], spec["start"], opt, spec["lr"], gamma, steps)
        out["max_overshoot"][label] = max_overshoot(path["points"], spec["start"], spec["minimum"])
        out["steps_to_tol"][label] = (
            None if path["diverged"] else settled_at(path["points"], spec["minimum"], tol)
        )
        out["diverged"][label] = path["diverged"]
        # The first `keep` steps in full: the overshoot is early, and a strided thinning would hide
        # it.
        out["path"][label] = [[float(f"{v:.7g}") for v in p] for p in path["points"][: keep + 1]]
    return out


def run(steps: int = 1500, gammas=GAMMAS, tol: float = 1e-3, keep: int = 200) -> dict:
    """Both problems; every optimizer within a problem shares its start and lr."""
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps={steps!r}: must be a positive integer")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol={tol!r}: must be a positive number")
    return {name: run_problem(name, steps, gammas, tol, keep) for name in PROBLEMS}
