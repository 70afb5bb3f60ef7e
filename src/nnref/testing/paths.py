"""An optimizer's path on a problem (the point it holds after each step), and where two paths part."""
from __future__ import annotations

from .compare import error_line, first_difference
from .problems import Problem, fresh, take_step


def held(optimizer, params, point=None):
    """The point the optimizer holds: its parameters, or point(optimizer, p) for a form (forms.py)."""
    return [point(optimizer, p) if point else p.detach().clone() for p in params]


def path(build, problem: Problem, *, closure, steps, point=None, frozen=(), groups=None, schedule=None):
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


def first_parting(ours, theirs, *, exact=False, names=("ours", "twin")):
    """(step index, what differs) where two paths first part, or None when they agree throughout."""
    for t, (a, b) in enumerate(zip(ours, theirs)):
        difference = first_difference(a, b, exact=exact, names=names)
        if difference:
            return t, difference
    return None


def moved(points, problem, frozen=()) -> bool:
    """Whether the path left its start at all: a comparison of two paths that stand still proves nothing."""
    start = [w for i, w in enumerate(problem.initial) if i not in frozen]
    end = [w for i, w in enumerate(points[-1]) if i not in frozen]
    return first_difference(end, start, exact=True) is not None
