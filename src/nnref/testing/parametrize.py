"""One pytest item per check: decorators over pytest.mark.parametrize.

    from nnref.testing import optimizer_checks

    @optimizer_checks(lambda params: MyMomentum(params, lr=0.05), twin="momentum")
    def test_my_momentum(check):
        check()

pytest then lists test_my_momentum[state_dict_round_trip], test_my_momentum[twin_MLP], ...; a
failing check fails its item with the report's line, a check that does not apply is skipped.
The checks are named from the arguments alone, so collecting builds nothing; the optimizer is
built when an item runs (a KitError then fails each item with its one-line message).
"""

from __future__ import annotations

import re

import torch

from nnref.heads import HEADS

from .heads import course_head, prepare_head, run_head_check
from .heads import plan as head_plan
from .optimizers import KitError, prepare, run_check
from .optimizers import plan as optimizer_plan
from .report import FAIL, SKIP


def item_id(name: str) -> str:
    """A check's name as a pytest id that -k can select: "twin: MLP" -> "twin_MLP"."""
    return re.sub(r"[^0-9A-Za-z_()=.+-]+", "_", name).strip("_")


class Check:
    """One check as one pytest item: calling it runs the check and fails or skips the test."""

    def __init__(self, name, run):
        self.name, self.run = name, run

    def __call__(self):
        import pytest  # here, not at the top: the kit itself runs without pytest installed

        try:
            row = self.run()
        except KitError as error:
            pytest.fail(str(error), pytrace=False)
        if row.status == FAIL:
            pytest.fail(f"{row.check}: {row.detail}", pytrace=False)
        if row.status == SKIP:
            pytest.skip(f"{row.check}: {row.detail}")
        return row

    def __repr__(self):
        return f"<Check {self.name}>"


def parametrize(checks):
    import pytest  # as in Check.__call__

    return pytest.mark.parametrize("check", checks, ids=[item_id(check.name) for check in checks])


def optimizer_checks(factory, *, twin=None, closure=False, dtypes=(torch.float64,), form=None):
    """check_optimizer's checks as one pytest item each (the same arguments)."""

    def run(name, check):
        return lambda: run_check(
            prepare(factory, twin=twin, closure=closure, form=form), name, check
        )

    checks = optimizer_plan(twin=twin is not None, dtypes=dtypes)
    return parametrize([Check(name, run(name, check)) for name, check in checks])


def head_checks(module_or_loss, task, *, loss=None, activation=None):
    """check_head's checks as one pytest item each (the same arguments)."""

    def run(name, check):
        return lambda: run_head_check(
            prepare_head(module_or_loss, task, loss=loss, activation=activation), name, check
        )

    if task not in HEADS:
        # Fails with the message.
        return parametrize([Check("head", lambda: prepare_head(module_or_loss, task))])
    # The loss names the checks: the head's own is looked up now, without building anything.
    head = course_head(module_or_loss)
    losses = getattr(head, "losses", None)
    own = getattr(head, "loss_name", None) or (
        next(iter(losses), None) if isinstance(losses, dict) else None
    )
    task_losses = tuple(HEADS[task].losses)
    name = loss or own or task_losses[0]
    if name not in task_losses:
        return parametrize([Check("head", lambda: prepare_head(module_or_loss, task, loss=name))])
    return parametrize(
        [Check(check_name, run(check_name, check)) for check_name, check in head_plan(task, name)]
    )
