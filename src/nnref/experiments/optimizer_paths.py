"""Where each optimizer goes on a 2-D surface: GD, Momentum, NAG, AdaGrad, RMSProp and Adam.

The parameter is one 2-element tensor w = (x, y) and the loss a torch function of it, so each
`nnref.optim` optimizer runs exactly as on a network (NAG through step(closure)). Within a surface
every optimizer gets the same lr, and Momentum and NAG the same gamma.

- ravine: an ill-conditioned quadratic; GD zig-zags across the steep direction and crawls along
  the shallow one, momentum builds speed along the valley.
- local_minimum: a tilted double well in x plus a quadratic in y. Starting high on the right wall,
  GD stops in the shallow right-hand basin; Momentum and NAG roll through it (the course's car that
  steps in gum) into the deeper left-hand one.
- rosenbrock: the curved, flat-bottomed valley (1 - x)^2 + 100 (y - x^2)^2.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..optim import OPTIMIZERS, USES_MOMENTUM

TILT = 0.3  # local_minimum: how much lower the left well lies than the right one


def ravine(w):
    return 0.5 * (w[0] ** 2 + 100.0 * w[1] ** 2)


def local_minimum(w):
    # (x^2 - 1)^2 has wells at x = -1 and x = +1; the tilt lowers the left one and raises the right.
    return (w[0] ** 2 - 1.0) ** 2 + TILT * w[0] + w[1] ** 2


def rosenbrock(w):
    return (1.0 - w[0]) ** 2 + 100.0 * (w[1] - w[0] ** 2) ** 2


# lr is shared by all six optimizers on a surface; gamma by Momentum and NAG; tol is on
# loss - min loss.
SURFACES = {
    # lr * 100 (the steep curvature) = 1.25: GD overshoots the valley floor each step (factor
    # 1 - 1.25), a zig-zag; every optimizer stays stable (NAG's bound at gamma 0.9 is
    # 2(1+g)/(1+2g) = 1.36).
    "ravine": {
        "f": ravine,
        "start": [-8.0, 1.0],
        "lr": 0.0125,
        "momentum": 0.9,
        "steps": 600,
        "tol": 1e-3,
        "formula": "0.5 (x^2 + 100 y^2)",
    },
    "local_minimum": {
        "f": local_minimum,
        "start": [2.0, 1.0],
        "lr": 0.01,
        "momentum": 0.9,
        "steps": 300,
        "tol": 1e-3,
        "formula": f"(x^2 - 1)^2 + {TILT} x + y^2",
    },
    "rosenbrock": {
        "f": rosenbrock,
        "start": [-1.2, 1.0],
        "lr": 0.001,
        "momentum": 0.9,
        "steps": 3000,
        "tol": 1e-3,
        "formula": "(1 - x)^2 + 100 (y - x^2)^2",
    },
}


def double_well_points(tilt: float = TILT) -> dict:
    """The local_minimum surface along y = 0: the two minima, the barrier between them, their
    losses."""
    # g'(x) = 4x^3 - 4x + tilt = 0 has three real roots: deep minimum < barrier < shallow minimum.
    roots = sorted(float(r.real) for r in np.roots([4.0, 0.0, -4.0, tilt]))
    g = lambda x: (x * x - 1.0) ** 2 + tilt * x  # noqa: E731 - the 1-D section, for the losses only
    deep, barrier, shallow = roots
    return {
        "deep_x": deep,
        "barrier_x": barrier,
        "shallow_x": shallow,
        "deep_loss": g(deep),
        "barrier_loss": g(barrier),
        "shallow_loss": g(shallow),
    }


def min_loss(name: str) -> float:
    return double_well_points()["deep_loss"] if name == "local_minimum" else 0.0


def trajectory(f, start, name: str, lr: float, momentum: float, steps: int) -> dict:
    """Every point visited and the loss at each, from `steps` steps of optimizer `name`.
    A run whose loss stops being finite ends there, marked diverged.

    `gradient_at` holds, per step, the point where that step's gradient was taken: the current
    point for five of the optimizers, the look-ahead point w - gamma*m for NAG (its closure runs
    there)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer {name!r}: unknown; valid: {', '.join(OPTIMIZERS)}")
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    kwargs = {"lr": lr, "momentum": momentum} if name in USES_MOMENTUM else {"lr": lr}
    opt = OPTIMIZERS[name].cls([w], **kwargs)
    gradient_at = []

    def closure():
        opt.zero_grad()
        gradient_at.append(w.detach().tolist())
        loss = f(w)
        loss.backward()
        return loss

    points, losses = [w.detach().tolist()], [float(f(w.detach()))]
    for _ in range(int(steps)):
        opt.step(closure)
        loss = float(f(w.detach()))
        if not math.isfinite(loss):
            return {
                "points": points,
                "losses": losses,
                "diverged": True,
                "gradient_at": gradient_at,
            }
        points.append(w.detach().tolist())
        losses.append(loss)
    return {"points": points, "losses": losses, "diverged": False, "gradient_at": gradient_at}


def thin(values: list, keep: int) -> list:
    """At most about `keep` evenly spaced entries, always with the first and the last, to 7
    significant digits: enough to draw, small enough for the JSON (finals are kept in full)."""
    if len(values) > keep:
        stride = math.ceil(len(values) / keep)
        values = values[::stride] + ([values[-1]] if (len(values) - 1) % stride else [])
    return [_short(v) for v in values]


def _short(v):
    if isinstance(v, list):
        return [_short(x) for x in v]
    return float(f"{v:.7g}") if isinstance(v, float) else v


def run_surface(
    name: str,
    steps: int | None = None,
    optimizers=tuple(OPTIMIZERS),
    keep: int = 250,
    start=None,
    lr: float | None = None,
    momentum: float | None = None,
    lookahead: bool = False,
) -> dict:
    """Every optimizer from one start on surface `name`. start, lr and momentum default to the
    surface's own (SURFACES); lookahead=True adds NAG's look-ahead points (its row's `lookahead`,
    with `lookahead_steps`: the step each was taken for)."""
    if name not in SURFACES:
        raise ValueError(f"surface {name!r}: unknown; valid: {', '.join(SURFACES)}")
    spec = SURFACES[name]
    steps = int(steps if steps is not None else spec["steps"])
    start = [float(v) for v in (spec["start"] if start is None else start)]
    lr = spec["lr"] if lr is None else lr
    momentum = spec["momentum"] if momentum is None else momentum
    best = min_loss(name)
    out = {
        "settings": {
            "formula": spec["formula"],
            "start": start,
            "lr": lr,
            "momentum": momentum,
            "steps": steps,
            "tol": spec["tol"],
            "min_loss": best,
            "lr_shared_by": list(optimizers),
            "momentum_shared_by": list(USES_MOMENTUM),
        }
    }
    if name == "local_minimum":
        out["settings"]["wells"] = double_well_points()
    for opt in optimizers:
        path = trajectory(spec["f"], start, opt, lr, momentum, steps)
        gaps = [loss - best for loss in path["losses"]]
        reached = next((i for i, gap in enumerate(gaps) if gap <= spec["tol"]), None)
        row = {
            "final_loss": path["losses"][-1],
            "final_point": path["points"][-1],
            "steps_to_tol": reached,
            "diverged": path["diverged"],
            "path": thin(path["points"], keep),
            "loss_steps": thin(list(range(len(gaps))), keep),
            "loss": thin(path["losses"], keep),
        }
        if name == "local_minimum":
            row["escaped"] = (not path["diverged"]) and path["points"][-1][0] < out["settings"][
                "wells"
            ]["barrier_x"]
        if lookahead and opt == "nag":
            row["lookahead"] = thin(path["gradient_at"], keep)
            row["lookahead_steps"] = thin(list(range(1, len(path["gradient_at"]) + 1)), keep)
        out[opt] = row
    return out


def run(steps_scale: float = 1.0, optimizers=tuple(OPTIMIZERS)) -> dict:
    """All three surfaces; steps_scale < 1 shortens every run (for quick checks)."""
    return {
        name: run_surface(name, max(1, round(spec["steps"] * steps_scale)), optimizers)
        for name, spec in SURFACES.items()
    }
