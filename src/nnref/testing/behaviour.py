"""What a well-made torch.optim.Optimizer does, whatever its formula: one function per check.

Each takes the Subject (optimizers.py) and a dtype and returns (status, detail).  The checks in
CHECKS need no twin, except that complex parameters and sparse gradients are held to the twin's
results where it takes them; check_twin is the twin's own check: step for step on the same problem.
"""

from __future__ import annotations

import copy
import inspect
import io
import math
import warnings

import torch
from torch import nn

from .problems import (
    as_real_pair,
    bowl,
    complex_bowl,
    embedding,
    error_line,
    first_difference,
    first_parting,
    fresh,
    mlp,
    moved,
    quadratic,
    take_step,
    try_path,
    values,
)
from .report import FAIL, FORM, PASS, SKIP

STEPS = 4  # the length of the runs that a check compares with each other

# Values torch's own optimizers refuse with ValueError, for the hyperparameters whose names mean
# the same in all of them (alpha does not: RMSprop's smoothing constant, ASGD's power).
BAD_VALUES = {
    "lr": [-1.0],
    "momentum": [-0.1],
    "weight_decay": [-0.1],
    "eps": [-1.0],
    "lr_decay": [-0.1],
    "initial_accumulator_value": [-1.0],
    "betas": [(1.0, 0.999), (0.9, -0.1)],
}


def same_kind(bad, default) -> bool:
    """Only a bad value of the default's kind: Adafactor's eps is a pair, not a number."""
    if isinstance(bad, tuple):
        return isinstance(default, (tuple, list)) and len(default) == len(bad)
    return (
        isinstance(default, (int, float))
        and not isinstance(default, bool)
        or torch.is_tensor(default)
    )


def steps(optimizer, problem, params, subject, ts):
    for t in ts:
        take_step(optimizer, problem, params, t, closure=subject.closure)


def state_copy(optimizer):
    """The per-parameter state, without empty entries (a lookup in the state defaultdict makes
    one)."""
    return copy.deepcopy({k: v for k, v in optimizer.state_dict()["state"].items() if v})


def same_tree(a, b) -> bool:
    """Equal, bit for bit: state dicts are nested dicts and lists of tensors and numbers."""
    if torch.is_tensor(a) or torch.is_tensor(b):
        return (
            torch.is_tensor(a) and torch.is_tensor(b) and a.shape == b.shape and torch.equal(a, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_tree(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_tree(x, y) for x, y in zip(a, b, strict=False))
    return a == b


def accepted(cls, hyperparameters: dict) -> dict:
    """The hyperparameters cls's constructor takes by name (all of them if it takes **kwargs):
    how an optimizer is rebuilt from its defaults, here and for a twin (optimizers.py)."""
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return dict(hyperparameters)
    names = {
        name
        for name, p in parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    return {k: v for k, v in hyperparameters.items() if k in names - {"params"}}


def rejects_bad_hyperparameters(subject, dtype):
    params = fresh(bowl(dtype))
    optimizer = subject.build(params)
    cls = type(optimizer)
    kwargs = accepted(cls, optimizer.defaults)
    try:
        cls(params, **kwargs)
    except Exception as error:
        return SKIP, f"cannot rebuild {cls.__name__} from its defaults ({error_line(error)})"
    problems = []
    for name in [n for n in BAD_VALUES if n in kwargs]:
        for bad in [b for b in BAD_VALUES[name] if same_kind(b, kwargs[name])]:
            try:
                cls(params, **{**kwargs, name: bad})
                problems.append(f"accepted {name}={bad}")
            except ValueError:
                pass
            except Exception as error:
                problems.append(f"{name}={bad} raised {error_line(error)}, not ValueError")
    return (FAIL, "; ".join(problems) + " (expected ValueError)") if problems else (PASS, "")


def step_without_gradients(optimizer, subject):
    """A step where no parameter has a gradient; with a closure, one that skips backward
    and returns None (as Lightning's does when training_step returns None)."""
    if not subject.closure:
        return optimizer.step()

    def skipping():
        optimizer.zero_grad(set_to_none=True)

    return optimizer.step(skipping)


def no_op_without_gradients(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    unused = nn.Parameter(torch.ones(5, dtype=dtype))  # in the optimizer, never in the loss
    optimizer = subject.build([*params, unused])
    # State made in __init__ is fine (torch's Adagrad makes its sums there); a step must not change
    # it.
    start, state, unused_state = (
        values(params),
        state_copy(optimizer),
        copy.deepcopy(optimizer.state.get(unused)),
    )
    step_without_gradients(optimizer, subject)
    if difference := first_difference(params, start, exact=True, names=("after", "before")):
        return FAIL, f"a step without gradients moved a parameter: {difference}"
    if not same_tree(state_copy(optimizer), state):
        return FAIL, "a step without gradients changed the state"

    steps(optimizer, problem, params, subject, range(3))
    if not torch.equal(unused.detach(), torch.ones(5, dtype=dtype)):
        return FAIL, "a parameter that never had a gradient moved"
    if not same_tree(copy.deepcopy(optimizer.state.get(unused)) or None, unused_state or None):
        return FAIL, "the state of a parameter that never had a gradient changed"
    optimizer.zero_grad(set_to_none=True)
    before, state = values(params), state_copy(optimizer)
    step_without_gradients(optimizer, subject)
    # A look-ahead optimizer goes to w − γ·m and back: equal up to rounding, not bit for bit.
    if difference := first_difference(
        params, before, exact=not subject.closure, names=("after", "before")
    ):
        return FAIL, f"after 3 steps, a step without gradients moved a parameter: {difference}"
    if not same_tree(state_copy(optimizer), state):
        return FAIL, "after 3 steps, a step without gradients changed the state"
    return PASS, ""


def step_returns_closure_loss(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = subject.build(params)
    returned = []

    def closure():
        optimizer.zero_grad()
        loss = problem.loss_at(params, 0)
        loss.backward()
        returned.append(loss)
        return loss

    result = optimizer.step(closure)
    if not returned:
        return FAIL, "step(closure) never called the closure"
    if result is returned[0] or (torch.is_tensor(result) and torch.equal(result, returned[0])):
        return PASS, ""
    return FAIL, f"step(closure) returned {result!r:.60}, not the closure's loss"


def param_groups_keep_their_lr(subject, dtype):
    problem = bowl(dtype)
    a, b = params = fresh(problem)
    optimizer = subject.build([{"params": [a], "lr": 0.0}, {"params": [b], "lr": subject.lr * 0.5}])
    alone = fresh(problem)
    alone_optimizer = subject.build([{"params": [alone[1]], "lr": subject.lr * 0.5}])
    steps(optimizer, problem, params, subject, range(STEPS))
    steps(alone_optimizer, problem, alone, subject, range(STEPS))
    if difference := first_difference(
        [a], problem.initial[:1], exact=True, names=("after", "before")
    ):
        return (
            FAIL,
            f"group 0 has lr=0 but moved ({difference}): the step ignores param_groups[i]['lr']",
        )
    if difference := first_difference([b], alone[1:], names=("in a group", "alone")):
        return FAIL, f"group 1 differs from the same group alone: {difference}"
    return PASS, ""


def add_param_group(subject, dtype):
    problem = bowl(dtype)
    a, b = params = fresh(problem)
    optimizer = subject.build([a])
    alone_a, alone_b = fresh(problem), fresh(problem)
    optimizer_a = subject.build([alone_a[0]])
    steps(optimizer, problem, params, subject, range(2))
    steps(optimizer_a, problem, alone_a, subject, range(2))
    optimizer.add_param_group({"params": [b], "lr": subject.lr * 0.5})
    if missing := sorted(set(optimizer.defaults) - set(optimizer.param_groups[-1])):
        return FAIL, f"the added group lacks the defaults {', '.join(missing)}"
    optimizer_b = subject.build([{"params": [alone_b[1]], "lr": subject.lr * 0.5}])
    steps(optimizer, problem, params, subject, range(2, 5))
    steps(optimizer_a, problem, alone_a, subject, range(2, 5))
    steps(optimizer_b, problem, alone_b, subject, range(2, 5))
    if difference := first_difference(
        [a, b], [alone_a[0], alone_b[1]], names=("together", "alone")
    ):
        return FAIL, f"after add_param_group, differs from each group alone: {difference}"
    return PASS, ""


def frozen_parameters(subject, dtype):
    problem = bowl(dtype)
    a, b = params = fresh(problem, frozen=(1,))
    optimizer = subject.build(params)
    frozen_state = copy.deepcopy(optimizer.state.get(b)) or None
    alone = fresh(problem, frozen=(1,))
    alone_optimizer = subject.build([alone[0]])
    steps(optimizer, problem, params, subject, range(STEPS))
    steps(alone_optimizer, problem, alone, subject, range(STEPS))
    if not torch.equal(b.detach(), problem.initial[1]):
        return FAIL, "a parameter with requires_grad=False moved"
    if not same_tree(copy.deepcopy(optimizer.state.get(b)) or None, frozen_state):
        return FAIL, "the state of a parameter with requires_grad=False changed"
    if difference := first_difference([a], alone[:1], names=("with frozen", "alone")):
        return (
            FAIL,
            f"the trainable parameter differs from a run without the frozen one: {difference}",
        )
    return PASS, ""


def saved_after_steps(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = subject.build(params)
    steps(optimizer, problem, params, subject, range(3))
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    return problem, params, optimizer, buffer


def state_dict_round_trip(subject, dtype):
    problem, params, optimizer, buffer = saved_after_steps(subject, dtype)
    buffer.seek(0)
    copies = [nn.Parameter(p.detach().clone()) for p in params]
    restored = subject.build(copies)
    restored.param_groups[0]["lr"] = 123.0  # must come back from the state dict
    restored.load_state_dict(torch.load(buffer, weights_only=False))
    if restored.param_groups[0]["lr"] != optimizer.param_groups[0]["lr"]:
        return FAIL, "load_state_dict did not restore param_groups[0]['lr']"
    bit_for_bit = True
    for t in range(3, 6):
        take_step(optimizer, problem, params, t, closure=subject.closure)
        take_step(restored, problem, copies, t, closure=subject.closure)
        if difference := first_difference(copies, params, names=("restored", "original")):
            hint = ""
            if not optimizer.state_dict()["state"]:
                hint = "; state_dict()['state'] is empty: state kept outside self.state[p] is lost"
            return FAIL, f"step {t - 2} after loading: {difference}{hint}"
        bit_for_bit = bit_for_bit and first_difference(copies, params, exact=True) is None
    # Close but not bit for bit: torch's NAdam, whose float32 mu_product comes back as the param's
    # dtype.
    return PASS, "" if bit_for_bit else "equal to assert_close's tolerance, not bit for bit"


def state_dict_weights_only(subject, dtype):
    _, _, _, buffer = saved_after_steps(subject, dtype)
    buffer.seek(0)
    plain = torch.load(buffer, weights_only=False)
    buffer.seek(0)
    try:
        safe = torch.load(buffer, weights_only=True)
    except Exception as error:
        return FAIL, f"torch.load(weights_only=True) refused it: {error_line(error)}"
    return (
        (PASS, "")
        if same_tree(safe, plain)
        else (FAIL, "weights_only=True loaded a different state dict")
    )


def deepcopy_is_independent(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = subject.build(params)
    steps(optimizer, problem, params, subject, range(2))
    copies, copied = copy.deepcopy((params, optimizer))
    if any(
        p is not q
        for p, q in zip([p for g in copied.param_groups for p in g["params"]], copies, strict=False)
    ):
        return FAIL, "the copied optimizer does not hold the copied parameters"
    before = values(params)
    try:
        steps(copied, problem, copies, subject, range(2, 4))
    except AttributeError as error:
        # Optimizer.__getstate__ keeps defaults, state and param_groups: nothing else is copied.
        return FAIL, (
            f"the copy raised {error_line(error)}: attributes set in __init__ are not copied "
            "(keep state in self.state[p])"
        )
    if difference := first_difference(params, before, exact=True, names=("after", "before")):
        return FAIL, f"stepping the copy moved the original: {difference}"
    steps(optimizer, problem, params, subject, range(2, 4))
    if difference := first_difference(copies, params, exact=True, names=("copy", "original")):
        return FAIL, f"the copy continued differently: {difference}"
    return PASS, ""


def step_hooks(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = subject.build(params)
    calls = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: calls.append(("pre", opt)))
    post = optimizer.register_step_post_hook(lambda opt, args, kwargs: calls.append(("post", opt)))
    steps(optimizer, problem, params, subject, range(1))
    if calls != [("pre", optimizer), ("post", optimizer)]:
        return (
            FAIL,
            f"one step called the hooks as {[name for name, _ in calls]}, not ['pre', 'post']",
        )
    pre.remove()
    post.remove()
    steps(optimizer, problem, params, subject, range(1, 2))
    return (PASS, "") if len(calls) == 2 else (FAIL, "a removed hook was still called")


def zero_grad(subject, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = subject.build(params)
    problem.loss_at(params, 0).backward()
    optimizer.zero_grad()
    if any(p.grad is not None for p in params):
        return FAIL, "zero_grad() left gradients (torch's default is set_to_none=True)"
    problem.loss_at(params, 0).backward()
    optimizer.zero_grad(set_to_none=False)
    if any(p.grad is None or p.grad.count_nonzero() for p in params):
        return FAIL, "zero_grad(set_to_none=False) did not leave zero gradients"
    return PASS, ""


def lr_scheduler(subject, dtype):
    """StepLR drops lr ×0.1 after 3 steps: the same path before, a different one after."""
    problem = mlp(dtype)
    scheduled, plain = fresh(problem), fresh(problem)
    optimizer, reference = subject.build(scheduled), subject.build(plain)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
    for t in range(6):
        take_step(optimizer, problem, scheduled, t, closure=subject.closure)
        scheduler.step()
        take_step(reference, problem, plain, t, closure=subject.closure)
        if t < 3 and (difference := first_difference(scheduled, plain, exact=True)):
            return FAIL, f"step {t + 1}, before the lr changed: {difference}"
    if not math.isclose(
        float(optimizer.param_groups[0]["lr"]), float(subject.lr) * 0.01, rel_tol=1e-6
    ):
        return FAIL, f"after 6 steps StepLR left lr at {optimizer.param_groups[0]['lr']}"
    if first_difference(scheduled, plain, exact=True) is None:
        return (
            FAIL,
            "the lr drop had no effect: step() does not read param_groups[i]['lr'] each step",
        )
    return PASS, ""


COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}


def complex_parameters(subject, dtype):
    if dtype not in COMPLEX:
        return SKIP, f"no complex dtype for {dtype}"
    problem = complex_bowl(COMPLEX[dtype])
    form = subject.form
    run = dict(steps=6, closure=subject.closure, point=form and form.ours_point)
    ours, error = try_path(subject.build, problem, **run)
    twin, twin_error = (None, "no twin")
    if subject.twin:
        twin_point = form and form.twin_point
        twin, twin_error = try_path(
            subject.build_twin, problem, steps=6, closure=True, point=twin_point
        )
    if error:
        if twin is not None:
            return FAIL, f"raised {error}, where the twin takes complex parameters"
        return SKIP, f"does not take complex parameters ({error})"
    # torch's convention: a complex parameter steps as its pair of real coordinates (Re w, Im w).
    pair, error = try_path(subject.build, as_real_pair(problem), **run)
    if error:
        return FAIL, f"on the real pair (Re w, Im w): raised {error}"
    as_pair = [[torch.view_as_real(w) for w in point] for point in ours]
    if parting := first_parting(as_pair, pair, names=("complex", "real pair")):
        return FAIL, f"step {parting[0] + 1}, not the same as on (Re w, Im w): {parting[1]}"
    if twin is None:
        why = f"the twin raised {twin_error}" if subject.twin else "no twin"
        return PASS, f"checked against the real pair (Re w, Im w) only ({why})"
    if parting := first_parting(ours, twin):
        return FAIL, f"step {parting[0] + 1}: {parting[1]}"
    return PASS, ""


def sparse_gradients(subject, dtype):
    problem = embedding(dtype, sparse=True)
    form = subject.form
    run = dict(steps=6, closure=subject.closure, point=form and form.ours_point)
    with warnings.catch_warnings():  # torch's Adagrad warns that it checks sparse invariants
        warnings.filterwarnings("ignore", message="Sparse invariant checks")
        if subject.twin:
            twin_point = form and form.twin_point
            reference, error = try_path(
                subject.build_twin, problem, steps=6, closure=True, point=twin_point
            )
            if error:
                return SKIP, f"the twin refuses sparse gradients ({error})"
        ours, error = try_path(subject.build, problem, **run)
        if error:
            if subject.twin:
                return FAIL, f"raised {error}, where the twin takes sparse gradients"
            return SKIP, f"refuses sparse gradients ({error})"
        if not subject.twin:
            reference, error = try_path(subject.build, embedding(dtype, sparse=False), **run)
            if error:
                return FAIL, f"on the dense gradient: raised {error}"
    if parting := first_parting(
        ours, reference, names=("ours", "twin" if subject.twin else "dense")
    ):
        against = "" if subject.twin else ", against the dense gradient's result"
        return FAIL, f"step {parting[0] + 1}{against}: {parting[1]}"
    return PASS, "" if subject.twin else "equal to the dense gradient's result"


# (name, check, once per dtype?) in the order the report lists them
CHECKS = [
    ("rejects bad hyperparameters", rejects_bad_hyperparameters, False),
    ("step without gradients is a no-op", no_op_without_gradients, False),
    ("step(closure) returns the loss", step_returns_closure_loss, False),
    ("param groups keep their own lr", param_groups_keep_their_lr, False),
    ("add_param_group", add_param_group, False),
    ("frozen parameters stay put", frozen_parameters, False),
    ("state_dict round trip", state_dict_round_trip, False),
    ("state_dict loads with weights_only=True", state_dict_weights_only, False),
    ("deepcopy is independent", deepcopy_is_independent, False),
    ("step pre/post hooks", step_hooks, False),
    ("zero_grad", zero_grad, False),
    ("lr scheduler changes the lr", lr_scheduler, False),
    ("complex parameters", complex_parameters, True),
    ("sparse gradients", sparse_gradients, True),
]


# ------------------------------------------------------------------ step for step against the twin
# The same start, the same problem, the held points compared after every step (assert_close's
# tolerances for the dtype).  The twin is always stepped with step(closure), which every torch
# optimizer takes; the optimizer under test the way it is used (backward() then step(), or
# step(closure) when it needs one).

TWIN_STEPS = 12
DROP_AFTER = 6  # the lr drop: ×0.1 after this many steps


def first_layer_at_half_lr(lr):
    return lambda params: [{"params": params[:2], "lr": lr * 0.5}, {"params": params[2:]}]


def lr_drop(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=DROP_AFTER, gamma=0.1)


# name -> (problem(dtype), options for path(): frozen / groups(lr) / schedule)
TWIN_PROBLEMS = {
    "quadratic": (quadratic, {}),
    "MLP": (mlp, {}),
    "param groups": (mlp, {"groups": first_layer_at_half_lr}),
    "frozen parameters": (mlp, {"frozen": (0, 1)}),  # the first layer: requires_grad=False
    "lr drop": (mlp, {"schedule": lr_drop}),
}


def check_twin(subject, dtype, name):
    make_problem, options = TWIN_PROBLEMS[name]
    problem = make_problem(dtype)
    options = dict(options, steps=TWIN_STEPS)
    if "groups" in options:
        options["groups"] = options["groups"](subject.lr)
    form = subject.form
    ours, error = try_path(
        subject.build, problem, closure=subject.closure, point=form and form.ours_point, **options
    )
    if error:
        return FAIL, f"raised {error}"
    twin, error = try_path(
        subject.build_twin, problem, closure=True, point=form and form.twin_point, **options
    )
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
