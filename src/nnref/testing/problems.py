"""The kit's ground: the small problems it builds, one training step on them, the path an optimizer
takes, and where two paths part, said in one line.

A problem is a list of initial tensors and loss_at(params, t), the loss at step t (0, 1, ...).
Data come from a local torch.Generator: the kit never touches the global random state.
Full batches (the sparse problem excepted): every run of a problem is deterministic.
A path is the point the optimizer holds after each step; two paths are compared point by point with
torch.testing.assert_close's tolerances, and the first element that breaks them is named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.testing import assert_close

from nnref.locale.messages import _

# ------------------------------------------------------------------ the problems


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
        return sum(
            (k * w**2 / 2 + c * w + w**4 / 4).sum()
            for w, k, c in zip(params, curvatures, slopes, strict=True)
        )

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
    """The same problem on (Re w, Im w) as one real tensor: torch's convention for complex
    parameters."""
    initial = [torch.view_as_real(w).clone() for w in problem.initial]
    return Problem(
        initial, lambda params, t: problem.loss_at([torch.view_as_complex(p) for p in params], t)
    )


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
    return [
        nn.Parameter(w.clone(), requires_grad=i not in frozen)
        for i, w in enumerate(problem.initial)
    ]


def values(params) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]


# ------------------------------------------------------------------ one step


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


# ------------------------------------------------------------------ equality, in one line

# torch.testing.assert_close's default tolerances (its documented table), named here so that
# the element that breaks them can be found and shown, not only the fact that one does.
TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
    torch.complex32: (1e-3, 1e-5),
    torch.complex64: (1.3e-6, 1e-5),
    torch.complex128: (1e-7, 1e-7),
}


def number(x) -> str:
    return f"{x:.10g}" if not isinstance(x, complex) else f"{x.real:.10g}{x.imag:+.10g}j"


# The two sides of a comparison, as a difference names them: "param 0[1]: ours 0.5 vs twin 0.4".
OURS, TWIN = _("ours"), _("twin")


def first_difference(ours, theirs, *, exact=False, names=(OURS, TWIN), label=None):
    """None when every pair is close (assert_close's tolerances, or bit for bit with exact=True);
    else one line naming the first parameter (or label) and element that differ, with both
    values."""
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        a, b = a.detach(), b.detach()
        a = a.to_dense() if a.is_sparse else a
        b = b.to_dense() if b.is_sparse else b
        what = label or _("param {i}", i=i)
        if a.shape != b.shape or a.dtype != b.dtype:
            return _(
                "{what}: {ours} {ours_dtype} {ours_shape} "
                "vs {theirs} {theirs_dtype} {theirs_shape}",
                what=what,
                ours=names[0],
                theirs=names[1],
                ours_dtype=str(a.dtype),
                ours_shape=str(tuple(a.shape)),
                theirs_dtype=str(b.dtype),
                theirs_shape=str(tuple(b.shape)),
            )
        rtol, atol = (0.0, 0.0) if exact else TOLERANCES.get(a.dtype, (0.0, 0.0))
        close = torch.isclose(a, b, rtol=rtol, atol=atol)
        if close.all():  # the same test as assert_close's, at a fraction of its cost
            continue
        try:
            assert_close(a, b, rtol=rtol, atol=atol)
        except AssertionError:
            bad = (~close).nonzero()
            index = tuple(bad[0].tolist()) if len(bad) else ()
            where = f"[{', '.join(map(str, index))}]" if index else ""
            x, y = number(a[index].item()), number(b[index].item())
            return _(
                "{what}{where}: {ours} {x} vs {theirs} {y}",
                what=what,
                where=where,
                ours=names[0],
                x=x,
                theirs=names[1],
                y=y,
            )
    if len(ours) != len(theirs):
        return _(
            "{ours} has {n} parameters, {theirs} {m}",
            ours=names[0],
            n=len(ours),
            theirs=names[1],
            m=len(theirs),
        )
    return None


def error_line(error: BaseException) -> str:
    """An exception as one line: its type and the first line of its message (Python's own
    words, shown as raised in every language)."""
    try:
        message = str(error).strip().splitlines()
    except Exception:  # noqa: BLE001 - an exception whose message itself raises
        message = []
    name = type(error).__name__
    return f"{name}: {message[0]}" if message else name


# ------------------------------------------------------------------ paths


def held(optimizer, params, point=None):
    """The point the optimizer holds: its parameters, or point(optimizer, p) for a declared Form."""
    return [point(optimizer, p) if point else p.detach().clone() for p in params]


def path(
    build, problem: Problem, *, closure, steps, point=None, frozen=(), groups=None, schedule=None
):
    """[the held point after step 1, 2, ...]: build(params) from the problem's start, `steps` steps.
    groups(params) -> the param groups to build with; schedule(optimizer) -> an lr scheduler."""
    params = fresh(problem, frozen)
    optimizer = build(groups(params) if groups else params)
    scheduler = schedule(optimizer) if schedule else None
    points = []
    for t in range(steps):
        take_step(optimizer, problem, params, t, closure=closure)
        if scheduler is not None:
            scheduler.step()
        points.append(held(optimizer, params, point))
    return points


def try_path(build, problem, **options):
    """(path, None), or (None, the error in one line) when building or stepping raised."""
    try:
        return path(build, problem, **options), None
    except Exception as error:
        return None, error_line(error)


def first_parting(ours, theirs, *, exact=False, names=(OURS, TWIN)):
    """(step index, what differs) where two paths first part, or None when they agree throughout."""
    for t, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        difference = first_difference(a, b, exact=exact, names=names)
        if difference:
            return t, difference
    return None


def moved(points, problem, frozen=()) -> bool:
    """Whether the path left its start at all: a comparison of two paths that stand still proves
    nothing."""
    start = [w for i, w in enumerate(problem.initial) if i not in frozen]
    end = [w for i, w in enumerate(points[-1]) if i not in frozen]
    return first_difference(end, start, exact=True) is not None
