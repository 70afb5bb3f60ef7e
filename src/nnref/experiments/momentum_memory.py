"""Momentum's m is an exponential average of the past gradients, and that evens out its steps.

The course's recursion m_t = gamma m_{t-1} + lr grad_t (m_0 = 0) unrolls to the sum
m_t = lr * sum_{k=1..t} gamma^(t-k) grad_k: the gradient of j steps ago is weighted gamma^j, so the
far past fades. `buffer_against_sum` holds `nnref.optim.Momentum`'s own state (momentum_buffer)
against that sum, written out afresh at every step from the recorded gradients, in float64.

`step_lengths` then measures what the averaging does on `optimizer_paths`' ravine (its start, lr and
gamma): the lengths |w_{t+1} - w_t| of GD's and Momentum's steps, over each one's approach, i.e.
until its loss first comes within the surface's tol of the minimum. Their coefficient of variation
(std / mean) is small when the steps are even. GD's step is lr times the local slope: one long step
off the steep wall, then a long crawl of short ones. (Across the valley, though, Momentum zig-zags
for longer here: its swing shrinks by sqrt(gamma) per step, GD's by |1 - lr * 100| = 0.25.)
"""

from __future__ import annotations

import torch

from ..optim import Momentum
from .optimizer_paths import SURFACES, thin, trajectory


def buffer_against_sum(
    params, loss_fn, lr: float = 0.0125, gamma: float = 0.9, steps: int = 50
) -> dict:
    """Run Momentum on `params` (float64 tensors) minimising loss_fn(); at every step compare its
    momentum_buffer with lr * sum_k gamma^(t-k) grad_k. Returns the largest differences."""
    params = list(params)
    if not params or any(p.dtype != torch.float64 for p in params):
        raise ValueError(
            "params: need at least one float64 tensor (the check is to float64 rounding)"
        )
    opt = Momentum(params, lr=lr, momentum=gamma)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    grads = [[] for _ in params]  # per parameter, the gradient of every step so far
    max_abs, max_rel = 0.0, 0.0
    for t in range(1, int(steps) + 1):
        opt.step(closure)
        for p, history in zip(params, grads):
            # The gradient this step used (taken at w_{t-1}).
            history.append(p.grad.detach().clone())
            weights = gamma ** torch.arange(t - 1, -1, -1, dtype=torch.float64)  # g^(t-k), k = 1..t
            unrolled = lr * torch.einsum("k,k...->...", weights, torch.stack(history))
            buffer = opt.state[p]["momentum_buffer"]
            gap = float((buffer - unrolled).abs().max())
            max_abs = max(max_abs, gap)
            max_rel = max(max_rel, gap / max(float(unrolled.abs().max()), 1e-300))
    return {
        "steps": int(steps),
        "lr": lr,
        "gamma": gamma,
        "max_abs_diff": max_abs,
        "max_rel_diff": max_rel,
    }


def ravine_check(steps: int = 50) -> dict:
    """buffer_against_sum on the ravine, from its start with its lr and gamma."""
    spec = SURFACES["ravine"]
    w = torch.tensor(spec["start"], dtype=torch.float64, requires_grad=True)
    return buffer_against_sum(
        [w], lambda: spec["f"](w), lr=spec["lr"], gamma=spec["momentum"], steps=steps
    )


def coefficient_of_variation(values: torch.Tensor) -> float:
    return float(values.std() / values.mean())


def step_lengths(name: str, steps: int = 600) -> dict:
    """One optimizer's path on the ravine: its step lengths, and their CV over its approach."""
    if name not in ("gd", "momentum"):
        raise ValueError(f"optimizer {name!r}: this experiment compares gd and momentum")
    spec = SURFACES["ravine"]
    path = trajectory(spec["f"], spec["start"], name, spec["lr"], spec["momentum"], steps)
    points = torch.tensor(path["points"], dtype=torch.float64)
    lengths = torch.linalg.norm(points[1:] - points[:-1], dim=1)
    # The approach: steps until the loss first comes within tol (all of them if it never does).
    arrived = next(
        (i for i, loss in enumerate(path["losses"]) if loss <= spec["tol"]), len(lengths)
    )
    window = lengths[: max(arrived, 2)]
    return {
        "window": len(window),
        "step_length_cv": coefficient_of_variation(window),
        "mean_step": float(window.mean()),
        "largest_step": float(window.max()),
        "lengths": lengths.tolist(),
        "points": path["points"],
    }


def run(steps: int = 600, check_steps: int = 50, keep: int = 200) -> dict:
    spec = SURFACES["ravine"]
    walks = {name: step_lengths(name, steps) for name in ("gd", "momentum")}
    t = check_steps  # the weight of each past gradient in m_t, newest first
    return {
        "settings": {
            "surface": "ravine",
            "formula": spec["formula"],
            "start": list(spec["start"]),
            "lr": spec["lr"],
            "gamma": spec["momentum"],
            "steps": steps,
            "tol": spec["tol"],
            "window": "steps until the loss first comes within tol (the approach)",
        },
        "buffer_check": ravine_check(check_steps),
        "past_weights": [spec["momentum"] ** k for k in range(t)],
        "step_length_cv": {name: w["step_length_cv"] for name, w in walks.items()},
        "window": {name: w["window"] for name, w in walks.items()},
        "mean_step": {name: w["mean_step"] for name, w in walks.items()},
        # The first `keep` steps in full, for the figure.
        "step_lengths": {name: thin(w["lengths"][:keep], keep) for name, w in walks.items()},
        "path": {name: thin(w["points"][: keep + 1], keep + 1) for name, w in walks.items()},
    }
