"""What a well-made torch.optim.Optimizer does, whatever its formula: the judge half of each check.

Each check's probe (runs.py) ran the optimizer under test and wrote what it saw as plain data; its
judge here turns that data into (status, detail), the detail a message. A judge compares only
what it was given, and what it computes itself: complex parameters and sparse gradients are held
to the twin's results where it takes them, and check_twin, the twin's own check, steps the twin
here, step for step on the same problem. So when the optimizer is a student's, run in a process
of its own by the grader, nothing it does can change a verdict.
"""

from __future__ import annotations

import math
import warnings

import torch

from nnref.locale.messages import _, join

from .plain import as_tensor, same, value, values
from .problems import (
    OURS,
    TWIN,
    bowl,
    complex_bowl,
    embedding,
    first_difference,
    first_parting,
    moved,
    try_path,
)
from .report import FAIL, FORM, PASS, SKIP
from .runs import COMPLEX, DRAWN, DROP_AFTER, twin_problem

# The sides a check compares, as its detail names them.
AFTER, BEFORE = _("after"), _("before")
RESTORED, ORIGINAL, COPY = _("restored"), _("original"), _("copy")
IN_A_GROUP, ALONE, TOGETHER = _("in a group"), _("alone"), _("together")
WITH_FROZEN, DENSE = _("with frozen"), _("dense")
COMPLEX_SIDE, REAL_PAIR = _("complex"), _("real pair")


def path_of(data: dict) -> list[list[torch.Tensor]]:
    """A path as the probe read it (path_data), back as tensors."""
    return [values(point) for point in data["path"]]


def raised(error: str) -> tuple[str, str]:
    return FAIL, _("raised {error}", error=error)


def rejects_bad_hyperparameters(data, subject, dtype):
    if "rebuild" in data:
        return SKIP, _(
            "cannot rebuild {cls} from its defaults ({error})",
            cls=data["class"],
            error=data["rebuild"],
        )
    problems = [
        _("accepted {setting}", setting=outcome["setting"])
        if outcome.get("accepted")
        else _(
            "{setting} raised {error}, not ValueError",
            setting=outcome["setting"],
            error=outcome["raised"],
        )
        for outcome in data["outcomes"]
    ]
    if problems:
        return FAIL, _("{problems} (expected ValueError)", problems=join(problems, "; "))
    return PASS, ""


def no_op_without_gradients(data, subject, dtype):
    moved_by = first_difference(
        values(data["after"]), values(data["start"]), exact=True, names=(AFTER, BEFORE)
    )
    if moved_by:
        return FAIL, _(
            "a step without gradients moved a parameter: {difference}", difference=moved_by
        )
    if not same(data["state_after"], data["state"]):
        return FAIL, _("a step without gradients changed the state")
    if not torch.equal(as_tensor(data["unused"]), torch.ones(5, dtype=dtype)):
        return FAIL, _("a parameter that never had a gradient moved")
    if not same(data["unused_state_after"], data["unused_state"]):
        return FAIL, _("the state of a parameter that never had a gradient changed")
    # A look-ahead optimizer goes to w − γ·m and back: equal up to rounding, not bit for bit.
    moved_by = first_difference(
        values(data["after_3"]),
        values(data["before_3"]),
        exact=not subject.closure,
        names=(AFTER, BEFORE),
    )
    if moved_by:
        return FAIL, _(
            "after 3 steps, a step without gradients moved a parameter: {difference}",
            difference=moved_by,
        )
    if not same(data["state_3_after"], data["state_3"]):
        return FAIL, _("after 3 steps, a step without gradients changed the state")
    return PASS, ""


def step_returns_closure_loss(data, subject, dtype):
    if not data["called"]:
        return FAIL, _("step(closure) never called the closure")
    result, loss = value(data["result"]), value(data["loss"])
    if data["same"] or (torch.is_tensor(result) and torch.equal(result, loss)):
        return PASS, ""
    return FAIL, _("step(closure) returned {result}, not the closure's loss", result=data["shown"])


def param_groups_keep_their_lr(data, subject, dtype):
    initial = bowl(dtype).initial
    if difference := first_difference(
        [as_tensor(data["a"])], initial[:1], exact=True, names=(AFTER, BEFORE)
    ):
        return FAIL, _(
            "group 0 has lr=0 but moved ({difference}): the step ignores param_groups[i]['lr']",
            difference=difference,
        )
    if difference := first_difference(
        [as_tensor(data["b"])], [as_tensor(data["alone"])], names=(IN_A_GROUP, ALONE)
    ):
        return FAIL, _(
            "group 1 differs from the same group alone: {difference}", difference=difference
        )
    return PASS, ""


def add_param_group(data, subject, dtype):
    if data["missing"]:
        return FAIL, _(
            "the added group lacks the defaults {missing}", missing=", ".join(data["missing"])
        )
    if difference := first_difference(
        values(data["together"]), values(data["alone"]), names=(TOGETHER, ALONE)
    ):
        return FAIL, _(
            "after add_param_group, differs from each group alone: {difference}",
            difference=difference,
        )
    return PASS, ""


def frozen_parameters(data, subject, dtype):
    if not torch.equal(as_tensor(data["frozen"]), bowl(dtype).initial[1]):
        return FAIL, _("a parameter with requires_grad=False moved")
    if not same(data["frozen_state_after"], data["frozen_state"]):
        return FAIL, _("the state of a parameter with requires_grad=False changed")
    if difference := first_difference(
        [as_tensor(data["trained"])], [as_tensor(data["alone"])], names=(WITH_FROZEN, ALONE)
    ):
        return FAIL, _(
            "the trainable parameter differs from a run without the frozen one: {difference}",
            difference=difference,
        )
    return PASS, ""


def state_dict_round_trip(data, subject, dtype):
    if data["lr"] != data["lr_original"]:
        return FAIL, _("load_state_dict did not restore param_groups[0]['lr']")
    bit_for_bit = True
    for i in range(3):
        step = data["steps"][i]
        restored, original = values(step["restored"]), values(step["original"])
        if difference := first_difference(restored, original, names=(RESTORED, ORIGINAL)):
            if step["state_empty"]:
                return FAIL, _(
                    "step {step} after loading: {difference}; state_dict()['state'] is empty: "
                    "state kept outside self.state[p] is lost",
                    step=i + 1,
                    difference=difference,
                )
            return FAIL, _(
                "step {step} after loading: {difference}", step=i + 1, difference=difference
            )
        bit_for_bit = bit_for_bit and first_difference(restored, original, exact=True) is None
    # Close but not bit for bit: torch's NAdam, whose float32 mu_product comes back as the param's
    # dtype.
    return PASS, "" if bit_for_bit else _("equal to assert_close's tolerance, not bit for bit")


def state_dict_weights_only(data, subject, dtype):
    if "refused" in data:
        return FAIL, _("torch.load(weights_only=True) refused it: {error}", error=data["refused"])
    if same(data["safe"], data["plain"]):
        return PASS, ""
    return FAIL, _("weights_only=True loaded a different state dict")


def deepcopy_is_independent(data, subject, dtype):
    if not data["holds_copies"]:
        return FAIL, _("the copied optimizer does not hold the copied parameters")
    if "copy_raised" in data:
        return FAIL, _(
            "the copy raised {error}: attributes set in __init__ are not copied "
            "(keep state in self.state[p])",
            error=data["copy_raised"],
        )
    if difference := first_difference(
        values(data["after_copy_stepped"]),
        values(data["before"]),
        exact=True,
        names=(AFTER, BEFORE),
    ):
        return FAIL, _("stepping the copy moved the original: {difference}", difference=difference)
    if difference := first_difference(
        values(data["copy"]), values(data["original"]), exact=True, names=(COPY, ORIGINAL)
    ):
        return FAIL, _("the copy continued differently: {difference}", difference=difference)
    return PASS, ""


def step_hooks(data, subject, dtype):
    if data["calls"] != [["pre", True], ["post", True]]:
        return FAIL, _(
            "one step called the hooks as {calls}, not ['pre', 'post']",
            calls=str([name for name, mine in data["calls"]]),
        )
    if data["calls_after_removal"] != 2:
        return FAIL, _("a removed hook was still called")
    return PASS, ""


def zero_grad(data, subject, dtype):
    if any(data["left"]):
        return FAIL, _("zero_grad() left gradients (torch's default is set_to_none=True)")
    if any(grad is None or as_tensor(grad).count_nonzero() for grad in data["grads"]):
        return FAIL, _("zero_grad(set_to_none=False) did not leave zero gradients")
    return PASS, ""


def lr_scheduler(data, subject, dtype):
    for t in range(3):
        step = data["steps"][t]
        scheduled, unscheduled = values(step["scheduled"]), values(step["unscheduled"])
        if difference := first_difference(scheduled, unscheduled, exact=True):
            return FAIL, _(
                "step {step}, before the lr changed: {difference}",
                step=t + 1,
                difference=difference,
            )
    lr = value(data["lr"])
    if not math.isclose(float(lr), float(subject.lr) * 0.01, rel_tol=1e-6):
        return FAIL, _("after 6 steps StepLR left lr at {lr}", lr=str(lr))
    last = data["steps"][5]
    if first_difference(values(last["scheduled"]), values(last["unscheduled"]), exact=True) is None:
        return FAIL, _(
            "the lr drop had no effect: step() does not read param_groups[i]['lr'] each step"
        )
    return PASS, ""


def complex_parameters(data, subject, dtype):
    if dtype not in COMPLEX:
        return SKIP, _("no complex dtype for {dtype}", dtype=str(dtype))
    problem = complex_bowl(COMPLEX[dtype])
    form = subject.form
    twin, twin_error = None, None
    if subject.twin:
        twin, twin_error = try_path(
            subject.build_twin, problem, steps=6, closure=True, point=form and form.twin_point
        )
    ours = data["ours"]
    if "raised" in ours:
        if twin is not None:
            return FAIL, _(
                "raised {error}, where the twin takes complex parameters", error=ours["raised"]
            )
        return SKIP, _("does not take complex parameters ({error})", error=ours["raised"])
    if "raised" in data["pair"]:
        return FAIL, _(
            "on the real pair (Re w, Im w): raised {error}", error=data["pair"]["raised"]
        )
    path = path_of(ours)
    as_pair = [[torch.view_as_real(w) for w in point] for point in path]
    if parting := first_parting(as_pair, path_of(data["pair"]), names=(COMPLEX_SIDE, REAL_PAIR)):
        return FAIL, _(
            "step {step}, not the same as on (Re w, Im w): {difference}",
            step=parting[0] + 1,
            difference=parting[1],
        )
    if twin is None:
        why = _("the twin raised {error}", error=twin_error) if subject.twin else _("no twin")
        return PASS, _("checked against the real pair (Re w, Im w) only ({why})", why=why)
    if parting := first_parting(path, twin):
        return FAIL, _("step {step}: {difference}", step=parting[0] + 1, difference=parting[1])
    return PASS, ""


def sparse_gradients(data, subject, dtype):
    form = subject.form
    reference = None
    with warnings.catch_warnings():  # torch's Adagrad warns that it checks sparse invariants
        warnings.filterwarnings("ignore", message="Sparse invariant checks")
        if subject.twin:
            reference, error = try_path(
                subject.build_twin,
                embedding(dtype, sparse=True),
                steps=6,
                closure=True,
                point=form and form.twin_point,
            )
            if error:
                return SKIP, _("the twin refuses sparse gradients ({error})", error=error)
    ours = data["ours"]
    if "raised" in ours:
        if subject.twin:
            return FAIL, _(
                "raised {error}, where the twin takes sparse gradients", error=ours["raised"]
            )
        return SKIP, _("refuses sparse gradients ({error})", error=ours["raised"])
    if not subject.twin:
        if "raised" in data["dense"]:
            return FAIL, _("on the dense gradient: raised {error}", error=data["dense"]["raised"])
        reference = path_of(data["dense"])
    names = (OURS, TWIN if subject.twin else DENSE)
    if parting := first_parting(path_of(ours), reference, names=names):
        if subject.twin:
            return FAIL, _("step {step}: {difference}", step=parting[0] + 1, difference=parting[1])
        return FAIL, _(
            "step {step}, against the dense gradient's result: {difference}",
            step=parting[0] + 1,
            difference=parting[1],
        )
    return PASS, "" if subject.twin else _("equal to the dense gradient's result")


# key (runs.PROBES) -> (the check's name as the report shows it, its judge)
CHECKS = {
    "rejects bad hyperparameters": (_("rejects bad hyperparameters"), rejects_bad_hyperparameters),
    "step without gradients is a no-op": (
        _("step without gradients is a no-op"),
        no_op_without_gradients,
    ),
    "step(closure) returns the loss": (
        _("step(closure) returns the loss"),
        step_returns_closure_loss,
    ),
    "param groups keep their own lr": (
        _("param groups keep their own lr"),
        param_groups_keep_their_lr,
    ),
    "add_param_group": (_("add_param_group"), add_param_group),
    "frozen parameters stay put": (_("frozen parameters stay put"), frozen_parameters),
    "state_dict round trip": (_("state_dict round trip"), state_dict_round_trip),
    "state_dict loads with weights_only=True": (
        _("state_dict loads with weights_only=True"),
        state_dict_weights_only,
    ),
    "deepcopy is independent": (_("deepcopy is independent"), deepcopy_is_independent),
    "step pre/post hooks": (_("step pre/post hooks"), step_hooks),
    "zero_grad": (_("zero_grad"), zero_grad),
    "lr scheduler changes the lr": (_("lr scheduler changes the lr"), lr_scheduler),
    "complex parameters": (_("complex parameters"), complex_parameters),
    "sparse gradients": (_("sparse gradients"), sparse_gradients),
}


def judge(key: str, data: dict, subject, dtype) -> tuple[str, str]:
    """(status, detail) of one check from its probe's data. Where the optimizer raised before the
    probe had what the judge needs, the row says what it raised."""
    try:
        return CHECKS[key][1](data, subject, dtype)
    except Exception as error:  # noqa: BLE001 - data cut short by the optimizer's error, or forged
        if "raised" in data:
            return raised(data["raised"])
        return FAIL, _("its results could not be judged ({error})", error=str(error)[:200])


# ------------------------------------------------------------------ step for step against the twin
# The same start, the same problem, the held points compared after every step (assert_close's
# tolerances for the dtype). The twin is always stepped with step(closure), which every torch
# optimizer takes; the optimizer under test the way it is used (runs.py).

TWIN_NAMES = {
    "quadratic": _("quadratic"),
    "MLP": _("MLP"),
    "param groups": _("param groups"),
    "frozen parameters": _("frozen parameters"),
    "lr drop": _("lr drop"),
    DRAWN: _("an MLP drawn from the seed"),
}


def check_twin(data, subject, dtype, name, seed=None):
    """(status, detail): the optimizer's path on a twin problem (probed) against the twin's."""
    if "raised" in data:
        return raised(data["raised"])
    problem, options = twin_problem(name, dtype, subject.lr, seed)
    form = subject.form
    twin, error = try_path(
        subject.build_twin, problem, closure=True, point=form and form.twin_point, **options
    )
    if error:
        return FAIL, _("the twin raised {error}", error=error)
    ours = path_of(data)
    parting = first_parting(ours, twin)
    if parting is None:
        if not moved(ours, problem, options.get("frozen", ())):
            return FAIL, _("neither moved: the comparison proves nothing")
        if form and form.compared_as:
            return PASS, _("compared as {point}", point=form.compared_as)
        return PASS, ""
    t, difference = parting
    if form and form.differs_after_lr_change and "schedule" in options and t >= DROP_AFTER:
        return FORM, _(
            "{summary} (from step {step}: {difference}): {reason}",
            summary=form.summary,
            step=t + 1,
            difference=difference,
            reason=form.reason,
        )
    if name == DRAWN:
        # Drawn from the grader's seed: its numbers stay hidden, as a hidden case's do.
        return FAIL, _("step {step}: not the twin's point (its values are not shown)", step=t + 1)
    return FAIL, _("step {step}: {difference}", step=t + 1, difference=difference)
