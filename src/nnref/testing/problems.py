"""The small problems the kit builds, and one training step on them.

A problem is a list of initial tensors and loss_at(params, t), the loss at step t (0, 1, ...).
Data come from a local torch.Generator: the kit never touches the global random state.
Full batches (the sparse problem excepted): every run of a problem is deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


@dataclass
class Problem:
    initial: list[torch.Tensor]
    loss_at: Callable[[list[torch.Tensor], int], torch.Tensor]


def _random(generator, dtype, *shape):
    return torch.randn(*shape, generator=generator, dtype=torch.float64).to(dtype)


def quadratic(dtype) -> Problem:
    """E(w) = ½·Σ k·w² with curvatures 1 and 10: where one lr fits both coordinates badly."""
    curvature = torch.tensor([1.0, 10.0], dtype=dtype)

    def loss_at(params, t):
        return 0.5 * (curvature * params[0] ** 2).sum()

    return Problem([torch.tensor([1.5, -1.0], dtype=dtype)], loss_at)


def mlp(dtype, seed=0) -> Problem:
    """Linear(4, 8) → tanh → Linear(8, 3), MSE on 16 fixed rows: four parameters of three shapes."""
    g = torch.Generator().manual_seed(seed)
    w1, b1 = _random(g, dtype, 8, 4) * 0.5, _random(g, dtype, 8) * 0.1
    w2, b2 = _random(g, dtype, 3, 8) * 0.5, _random(g, dtype, 3) * 0.1
    inputs, targets = _random(g, dtype, 16, 4), _random(g, dtype, 16, 3)

    def loss_at(params, t):
        w1, b1, w2, b2 = params
        outputs = torch.tanh(inputs @ w1.T + b1) @ w2.T + b2
        return nn.functional.mse_loss(outputs, targets)

    return Problem([w1, b1, w2, b2], loss_at)


def bowl(dtype, seed=1) -> Problem:
    """Two parameters in two separate bowls, E = Σᵢ Σ (kᵢ·wᵢ²/2 + cᵢ·wᵢ + wᵢ⁴/4): each one's path
    is its own, so a run on both must equal a run on each alone (param groups, frozen, added)."""
    g = torch.Generator().manual_seed(seed)
    shapes = [(3,), (2, 2)]
    curvatures = [_random(g, dtype, *s).abs() + 0.5 for s in shapes]
    slopes = [_random(g, dtype, *s) for s in shapes]

    def loss_at(params, t):
        return sum((k * w**2 / 2 + c * w + w**4 / 4).sum() for w, k, c in zip(params, curvatures, slopes))

    return Problem([_random(g, dtype, *s) for s in shapes], loss_at)


def complex_bowl(dtype, seed=2) -> Problem:
    """E(w) = Σ|c∘w − b|² + Σ(Re w)⁴ on a complex w: the gradient's real and imaginary parts differ
    in size, so an update that squares the complex number (not each real coordinate) shows."""
    g = torch.Generator().manual_seed(seed)
    c, b, w = (torch.randn(3, 4, dtype=dtype, generator=g) for _ in range(3))

    def loss_at(params, t):
        z = c * params[0] - b
        return (z.real**2 + z.imag**2).sum() + (params[0].real ** 4).sum()

    return Problem([w], loss_at)


def as_real_pair(problem: Problem) -> Problem:
    """The same problem on (Re w, Im w) as one real tensor: torch's convention for complex parameters."""
    initial = [torch.view_as_real(w).clone() for w in problem.initial]
    return Problem(initial, lambda params, t: problem.loss_at([torch.view_as_complex(p) for p in params], t))


# Each step's embedding rows, with repeats (a sparse gradient must be summed per row before
# anything non-linear is done with it); rows 6 and 7 are never touched.
ROWS = [[0, 1, 1, 4], [2, 4, 4, 5], [0, 3, 5], [1, 5, 5, 2]]


def embedding(dtype, sparse, seed=3) -> Problem:
    """An embedding table (8 × 3) in a regression on the rows each step looks up:
    F.embedding(sparse=True) gives the sparse COO gradient of nn.Embedding(sparse=True)."""
    g = torch.Generator().manual_seed(seed)
    table = _random(g, dtype, 8, 3)
    xs = [_random(g, dtype, len(rows), 3) for rows in ROWS]
    ys = [_random(g, dtype, len(rows)) for rows in ROWS]

    def loss_at(params, t):
        i = t % len(ROWS)
        looked_up = nn.functional.embedding(torch.tensor(ROWS[i]), params[0], sparse=sparse)
        return ((looked_up * xs[i]).sum(1) - ys[i]).pow(2).mean() + 0.1 * looked_up.pow(4).sum()

    return Problem([table], loss_at)


def fresh(problem: Problem, frozen=()) -> list[nn.Parameter]:
    """New leaf parameters at the problem's start; the indices in frozen get requires_grad=False."""
    return [nn.Parameter(w.clone(), requires_grad=i not in frozen) for i, w in enumerate(problem.initial)]


def take_step(optimizer, problem: Problem, params, t, *, closure: bool):
    """One training step as users write it: zero_grad, backward, step() — or, for an optimizer that
    takes its gradient itself (NAG), step(closure) with a closure doing the three.
    An optimizer with maximize=True climbs −E: ascending E itself would run off to infinity."""
    sign = -1.0 if optimizer.defaults.get("maximize") is True else 1.0

    def evaluate():
        optimizer.zero_grad()
        loss = sign * problem.loss_at(params, t)
        loss.backward()
        return loss

    if closure:
        return optimizer.step(evaluate)
    loss = evaluate()
    optimizer.step()
    return loss


def values(params) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]
