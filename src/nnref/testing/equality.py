"""Step for step against the twin: the same start, the same problem, the held points compared
after every step (torch.testing.assert_close's tolerances for the dtype).

The twin is always stepped with step(closure), which every torch optimizer takes; the optimizer
under test the way it is used (backward() then step(), or step(closure) when it needs one).
"""
from __future__ import annotations

import torch

from . import problems
from .paths import first_parting, moved, try_path
from .report import FAIL, FORM, PASS

STEPS = 12
DROP_AFTER = 6  # the lr drop: ×0.1 after this many steps


def first_layer_at_half_lr(lr):
    return lambda params: [{"params": params[:2], "lr": lr * 0.5}, {"params": params[2:]}]


def lr_drop(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=DROP_AFTER, gamma=0.1)


# name -> (problem(dtype), options for path(): frozen / groups(lr) / schedule)
TWIN_PROBLEMS = {
    "quadratic": (problems.quadratic, {}),
    "MLP": (problems.mlp, {}),
    "param groups": (problems.mlp, {"groups": first_layer_at_half_lr}),
    "frozen parameters": (problems.mlp, {"frozen": (0, 1)}),  # the first layer: requires_grad=False
    "lr drop": (problems.mlp, {"schedule": lr_drop}),
}


def check_twin(subject, dtype, name):
    make_problem, options = TWIN_PROBLEMS[name]
    problem = make_problem(dtype)
    options = dict(options, steps=STEPS)
    if "groups" in options:
        options["groups"] = options["groups"](subject.lr)
    form = subject.form
    ours, error = try_path(subject.build, problem, closure=subject.closure, point=form and form.ours_point, **options)
    if error:
        return FAIL, f"raised {error}"
    twin, error = try_path(subject.build_twin, problem, closure=True, point=form and form.twin_point, **options)
    if error:
        return FAIL, f"the twin raised {error}"

    parting = first_parting(ours, twin)
    if parting is None:
        if not moved(ours, problem, options.get("frozen", ())):
            return FAIL, "neither moved: the comparison proves nothing"
        return PASS, f"compared as {form.compared_as}" if form and form.compared_as else ""
    t, difference = parting
    if form and form.differs_after_lr_change and "schedule" in options and t >= DROP_AFTER:
        return FORM, f"{form.summary} (from step {t + 1}: {difference}): {form.reason}"
    return FAIL, f"step {t + 1}: {difference}"
