"""What an optimizer does on the kit's problems, read as plain data: the probe half of each of
check_optimizer's checks.

A probe builds the optimizer under test, steps it on the kit's problems (problems.py) the way a
check needs, and writes what it saw into a dict: the points it held, its state (plain.tree), flags
such as "the closure was called". It never compares the optimizer with anything and says nothing
of right or wrong: behaviour.py's judges do that, from this data, in the grader's own process when
the optimizer is a student's. A probe writes as it goes, so when the optimizer raises half-way the
data so far is kept with the error's one line under "raised".

Torch only and no reference: the grader's child process, where a student's class runs, imports it.
"""

from __future__ import annotations

import copy
import functools
import inspect
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from . import plain
from .cases import case_seed
from .problems import (
    as_real_pair,
    bowl,
    complex_bowl,
    embedding,
    error_line,
    fresh,
    mlp,
    path,
    quadratic,
    take_step,
)

STEPS = 4  # the length of the runs that a check compares with each other
TWIN_STEPS = 12
DROP_AFTER = 6  # the lr drop: ×0.1 after this many steps


@dataclass
class Runner:
    """The optimizer under test, as the probes run it."""

    factory: Callable  # params -> the optimizer
    closure: bool  # step(closure) in every step (NAG), not backward() then step()
    lr: object  # the optimizer's own lr: the problems scale their group lrs from it
    point: Callable | None = None  # a declared form's reading of the held point (optimizers.Form)
    cls: type | None = None  # the class built (for a known difference of form, optimizers.py)

    def build(self, params):
        return self.factory(params)


# ------------------------------------------------------------------ naming and building


def optimizer_class(factory):
    """The Optimizer class a factory is, or is a partial of; None for any other callable."""
    while isinstance(factory, functools.partial):
        factory = factory.func
    return factory if isinstance(factory, type) else None


def describe(factory) -> str:
    """A twin or target as people name it: torch.optim.SGD, nnref.optim.Momentum, my_factory."""
    cls = optimizer_class(factory)
    thing = cls or factory
    module = str(getattr(thing, "__module__", "") or "")
    name = str(getattr(thing, "__qualname__", None) or plain.type_name(thing))
    if module.startswith("torch.optim"):
        module = "torch.optim"
    elif module.startswith("nnref.optim"):
        module = "nnref.optim"
    return f"{module}.{name}" if module and module not in ("__main__", "builtins") else name


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


def try_build(factory, params) -> tuple[torch.optim.Optimizer | None, dict | None]:
    """(factory(params), None), or (None, why it is not an optimizer over params, as data)."""
    try:
        optimizer = factory(params)
    except Exception as error:  # noqa: BLE001 - the finding, in one line
        return None, {"raised": error_line(error)}
    if not isinstance(optimizer, torch.optim.Optimizer):
        return None, {"returned": plain.type_name(optimizer)}
    expected = (
        [p for group in params for p in group["params"]]
        if isinstance(params[0], dict)
        else list(params)
    )
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if len(held) != len(expected) or any(p is not q for p, q in zip(held, expected, strict=False)):
        return None, {"foreign": True}
    return optimizer, None


def two_groups(params, lr):
    """The kit's param groups: the second at half the optimizer's lr."""
    return [{"params": [params[0]]}, {"params": [params[1]], "lr": lr * 0.5}]


def hyperparameters(optimizer: torch.optim.Optimizer) -> str:
    """The defaults a reader wants to see: the numbers, not the implementation switches."""

    def shown(value):
        # False == 0 too.
        return value is not None and not (isinstance(value, (int, float)) and value == 0)

    return ", ".join(f"{k}={v}" for k, v in optimizer.defaults.items() if shown(v))


def probe_build(factory, *, closure=False) -> tuple[dict, Runner | None]:
    """What building the optimizer shows, before any check (data), and the Runner the checks use
    (None when it cannot be built over the kit's parameters)."""
    data = {"name": describe(factory)}
    cls = optimizer_class(factory)
    if cls is not None and not issubclass(cls, torch.optim.Optimizer):
        return data | {"refused": {"not_optimizer": True}}, None
    if not callable(factory):
        return data | {"refused": {"not_callable": plain.shown(factory)}}, None
    ours, refused = try_build(factory, fresh(bowl(torch.float64)))
    if refused:
        return data | {"refused": refused}, None
    if "lr" not in ours.defaults:
        return data | {"refused": {"no_lr": True}}, None
    lr = ours.defaults["lr"]
    runner = Runner(
        factory,
        # An optimizer that takes its own gradient says so (nnref's NAG: gradient_at_lookahead).
        closure=closure or bool(getattr(ours, "gradient_at_lookahead", False)),
        lr=lr,
        cls=type(ours),
    )
    try:
        groups, refused = try_build(factory, two_groups(fresh(bowl(torch.float64)), lr))
    except Exception as error:  # noqa: BLE001 - an lr that is not a number: the judge says so
        groups, refused = None, {"raised": error_line(error)}
    data |= {
        "hyperparameters": hyperparameters(ours),
        "defaults": {str(k): plain.read(v) for k, v in ours.defaults.items()},
        "lr": plain.read(lr),
        "closure": runner.closure,
        "groups": {"refused": refused} if refused else {"count": len(groups.param_groups)},
    }
    return data, runner


# ------------------------------------------------------------------ stepping and reading


def steps(optimizer, problem, params, runner, ts):
    for t in ts:
        take_step(optimizer, problem, params, t, closure=runner.closure)


def step_without_gradients(optimizer, runner):
    """A step where no parameter has a gradient; with a closure, one that skips backward
    and returns None (as Lightning's does when training_step returns None)."""
    if not runner.closure:
        return optimizer.step()

    def skipping():
        optimizer.zero_grad(set_to_none=True)

    return optimizer.step(skipping)


def state(optimizer):
    """The per-parameter state as plain data, without empty entries (a lookup in the state
    defaultdict makes one)."""
    return plain.tree({k: v for k, v in optimizer.state_dict()["state"].items() if v})


def param_state(optimizer, p):
    held = optimizer.state.get(p)
    return plain.tree(held) if held else None


def path_data(build, problem, **options) -> dict:
    """{"path": [each step's held point, as plain tensors]}, or {"raised": the error's line}."""
    try:
        points = path(build, problem, **options)
    except Exception as error:  # noqa: BLE001 - the finding, in one line
        return {"raised": error_line(error)}
    return {"path": [plain.tensors(point) for point in points]}


# ------------------------------------------------------------------ the probes, one per check

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


def rejects_bad_hyperparameters(runner, dtype, data):
    params = fresh(bowl(dtype))
    optimizer = runner.build(params)
    cls = type(optimizer)
    kwargs = accepted(cls, optimizer.defaults)
    data["class"] = cls.__name__
    try:
        cls(params, **kwargs)
    except Exception as error:  # noqa: BLE001
        data["rebuild"] = error_line(error)
        return
    data["outcomes"] = outcomes = []
    for name in [n for n in BAD_VALUES if n in kwargs]:
        for bad in [b for b in BAD_VALUES[name] if same_kind(b, kwargs[name])]:
            try:
                cls(params, **{**kwargs, name: bad})
                outcomes.append({"setting": f"{name}={bad}", "accepted": True})
            except ValueError:
                pass
            except Exception as error:  # noqa: BLE001
                outcomes.append({"setting": f"{name}={bad}", "raised": error_line(error)})


def no_op_without_gradients(runner, dtype, data):
    problem = mlp(dtype)
    params = fresh(problem)
    unused = nn.Parameter(torch.ones(5, dtype=dtype))  # in the optimizer, never in the loss
    optimizer = runner.build([*params, unused])
    # State made in __init__ is fine (torch's Adagrad makes its sums there); a step must not change
    # it.
    data |= {"start": plain.tensors(params), "state": state(optimizer)}
    data["unused_state"] = param_state(optimizer, unused)
    step_without_gradients(optimizer, runner)
    data |= {"after": plain.tensors(params), "state_after": state(optimizer)}
    steps(optimizer, problem, params, runner, range(3))
    data |= {"unused": plain.tensor(unused), "unused_state_after": param_state(optimizer, unused)}
    optimizer.zero_grad(set_to_none=True)
    data |= {"before_3": plain.tensors(params), "state_3": state(optimizer)}
    step_without_gradients(optimizer, runner)
    data |= {"after_3": plain.tensors(params), "state_3_after": state(optimizer)}


def step_returns_closure_loss(runner, dtype, data):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = runner.build(params)
    returned = []

    def closure():
        optimizer.zero_grad()
        loss = problem.loss_at(params, 0)
        loss.backward()
        returned.append(loss)
        return loss

    result = optimizer.step(closure)
    data["called"] = bool(returned)
    if returned:
        data |= {"same": result is returned[0], "shown": f"{plain.shown(result):.60}"}
        data |= {"result": plain.read(result), "loss": plain.read(returned[0])}


def param_groups_keep_their_lr(runner, dtype, data):
    problem = bowl(dtype)
    a, b = params = fresh(problem)
    optimizer = runner.build([{"params": [a], "lr": 0.0}, {"params": [b], "lr": runner.lr * 0.5}])
    alone = fresh(problem)
    alone_optimizer = runner.build([{"params": [alone[1]], "lr": runner.lr * 0.5}])
    steps(optimizer, problem, params, runner, range(STEPS))
    steps(alone_optimizer, problem, alone, runner, range(STEPS))
    data |= {"a": plain.tensor(a), "b": plain.tensor(b), "alone": plain.tensor(alone[1])}


def add_param_group(runner, dtype, data):
    problem = bowl(dtype)
    a, b = params = fresh(problem)
    optimizer = runner.build([a])
    alone_a, alone_b = fresh(problem), fresh(problem)
    optimizer_a = runner.build([alone_a[0]])
    steps(optimizer, problem, params, runner, range(2))
    steps(optimizer_a, problem, alone_a, runner, range(2))
    optimizer.add_param_group({"params": [b], "lr": runner.lr * 0.5})
    data["missing"] = sorted(map(str, set(optimizer.defaults) - set(optimizer.param_groups[-1])))
    if data["missing"]:
        return
    optimizer_b = runner.build([{"params": [alone_b[1]], "lr": runner.lr * 0.5}])
    steps(optimizer, problem, params, runner, range(2, 5))
    steps(optimizer_a, problem, alone_a, runner, range(2, 5))
    steps(optimizer_b, problem, alone_b, runner, range(2, 5))
    data |= {"together": plain.tensors([a, b]), "alone": plain.tensors([alone_a[0], alone_b[1]])}


def frozen_parameters(runner, dtype, data):
    problem = bowl(dtype)
    a, b = params = fresh(problem, frozen=(1,))
    optimizer = runner.build(params)
    data["frozen_state"] = param_state(optimizer, b)
    alone = fresh(problem, frozen=(1,))
    alone_optimizer = runner.build([alone[0]])
    steps(optimizer, problem, params, runner, range(STEPS))
    steps(alone_optimizer, problem, alone, runner, range(STEPS))
    data |= {"frozen": plain.tensor(b), "frozen_state_after": param_state(optimizer, b)}
    data |= {"trained": plain.tensor(a), "alone": plain.tensor(alone[0])}


def saved_after_steps(runner, dtype):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = runner.build(params)
    steps(optimizer, problem, params, runner, range(3))
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    return problem, params, optimizer, buffer


def state_dict_round_trip(runner, dtype, data):
    problem, params, optimizer, buffer = saved_after_steps(runner, dtype)
    buffer.seek(0)
    copies = [nn.Parameter(p.detach().clone()) for p in params]
    restored = runner.build(copies)
    restored.param_groups[0]["lr"] = 123.0  # must come back from the state dict
    restored.load_state_dict(torch.load(buffer, weights_only=False))
    data["lr"] = plain.read(restored.param_groups[0]["lr"])
    data["lr_original"] = plain.read(optimizer.param_groups[0]["lr"])
    data["steps"] = []
    for t in range(3, 6):
        take_step(optimizer, problem, params, t, closure=runner.closure)
        take_step(restored, problem, copies, t, closure=runner.closure)
        step = {"restored": plain.tensors(copies), "original": plain.tensors(params)}
        data["steps"].append(step | {"state_empty": not optimizer.state_dict()["state"]})


def state_dict_weights_only(runner, dtype, data):
    _, _, _, buffer = saved_after_steps(runner, dtype)
    buffer.seek(0)
    data["plain"] = plain.tree(torch.load(buffer, weights_only=False))
    buffer.seek(0)
    try:
        data["safe"] = plain.tree(torch.load(buffer, weights_only=True))
    except Exception as error:  # noqa: BLE001
        data["refused"] = error_line(error)


def deepcopy_is_independent(runner, dtype, data):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = runner.build(params)
    steps(optimizer, problem, params, runner, range(2))
    copies, copied = copy.deepcopy((params, optimizer))
    held = [p for g in copied.param_groups for p in g["params"]]
    data["holds_copies"] = not any(p is not q for p, q in zip(held, copies, strict=False))
    if not data["holds_copies"]:
        return
    data["before"] = plain.tensors(params)
    try:
        steps(copied, problem, copies, runner, range(2, 4))
    except AttributeError as error:
        # Optimizer.__getstate__ keeps defaults, state and param_groups: nothing else is copied.
        data["copy_raised"] = error_line(error)
        return
    data["after_copy_stepped"] = plain.tensors(params)
    steps(optimizer, problem, params, runner, range(2, 4))
    data |= {"copy": plain.tensors(copies), "original": plain.tensors(params)}


def step_hooks(runner, dtype, data):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = runner.build(params)
    calls = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: calls.append(("pre", opt)))
    post = optimizer.register_step_post_hook(lambda opt, args, kwargs: calls.append(("post", opt)))
    steps(optimizer, problem, params, runner, range(1))
    data["calls"] = [[name, opt is optimizer] for name, opt in calls]
    pre.remove()
    post.remove()
    steps(optimizer, problem, params, runner, range(1, 2))
    data["calls_after_removal"] = len(calls)


def zero_grad(runner, dtype, data):
    problem = mlp(dtype)
    params = fresh(problem)
    optimizer = runner.build(params)
    problem.loss_at(params, 0).backward()
    optimizer.zero_grad()
    data["left"] = [p.grad is not None for p in params]
    if any(data["left"]):
        return
    problem.loss_at(params, 0).backward()
    optimizer.zero_grad(set_to_none=False)
    data["grads"] = [None if p.grad is None else plain.tensor(p.grad) for p in params]


def lr_scheduler(runner, dtype, data):
    """StepLR drops lr ×0.1 after 3 steps: the same path before, a different one after."""
    problem = mlp(dtype)
    scheduled, unscheduled = fresh(problem), fresh(problem)
    optimizer, reference = runner.build(scheduled), runner.build(unscheduled)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
    data["steps"] = []
    for t in range(6):
        take_step(optimizer, problem, scheduled, t, closure=runner.closure)
        scheduler.step()
        take_step(reference, problem, unscheduled, t, closure=runner.closure)
        step = {"scheduled": plain.tensors(scheduled), "unscheduled": plain.tensors(unscheduled)}
        data["steps"].append(step)
    data["lr"] = plain.read(optimizer.param_groups[0]["lr"])


COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}


def complex_parameters(runner, dtype, data):
    if dtype not in COMPLEX:
        return
    problem = complex_bowl(COMPLEX[dtype])
    run = dict(steps=6, closure=runner.closure, point=runner.point)
    data["ours"] = path_data(runner.build, problem, **run)
    if "path" in data["ours"]:
        # torch's convention: a complex parameter steps as its pair of real coordinates.
        data["pair"] = path_data(runner.build, as_real_pair(problem), **run)


def sparse_gradients(runner, dtype, data):
    run = dict(steps=6, closure=runner.closure, point=runner.point)
    with warnings.catch_warnings():  # torch's Adagrad warns that it checks sparse invariants
        warnings.filterwarnings("ignore", message="Sparse invariant checks")
        data["ours"] = path_data(runner.build, embedding(dtype, sparse=True), **run)
        data["dense"] = path_data(runner.build, embedding(dtype, sparse=False), **run)


# key -> (probe, once per dtype?), in the order the report lists them
PROBES = {
    "rejects bad hyperparameters": (rejects_bad_hyperparameters, False),
    "step without gradients is a no-op": (no_op_without_gradients, False),
    "step(closure) returns the loss": (step_returns_closure_loss, False),
    "param groups keep their own lr": (param_groups_keep_their_lr, False),
    "add_param_group": (add_param_group, False),
    "frozen parameters stay put": (frozen_parameters, False),
    "state_dict round trip": (state_dict_round_trip, False),
    "state_dict loads with weights_only=True": (state_dict_weights_only, False),
    "deepcopy is independent": (deepcopy_is_independent, False),
    "step pre/post hooks": (step_hooks, False),
    "zero_grad": (zero_grad, False),
    "lr scheduler changes the lr": (lr_scheduler, False),
    "complex parameters": (complex_parameters, True),
    "sparse gradients": (sparse_gradients, True),
}
# What scope="course" leaves out: beyond the lectures (validation, complex, sparse).
BEYOND_THE_COURSE = ("rejects bad hyperparameters", "complex parameters", "sparse gradients")


def dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def plan(scope: str, dtypes) -> list[tuple[str, torch.dtype]]:
    """[(probe key, dtype)] in the report's order: what a scope runs."""
    keys = [key for key in PROBES if not (scope == "course" and key in BEYOND_THE_COURSE)]
    return [(key, dtype) for key in keys for dtype in (dtypes if PROBES[key][1] else dtypes[:1])]


def run_probe(runner, key, dtype) -> dict:
    """One check's probe: its data, with "raised" when the optimizer raised half-way."""
    data = {}
    try:
        PROBES[key][0](runner, dtype, data)
    except Exception as error:  # noqa: BLE001 - the optimizer under test raised: the finding
        data["raised"] = error_line(error)
    return data


# ------------------------------------------------------------------ step for step against the twin
# The same start, the same problem, the points held after every step. The optimizer under test is
# stepped the way it is used (backward() then step(), or step(closure) when it needs one); the
# judge steps the twin itself.


def first_layer_at_half_lr(lr):
    return lambda params: [{"params": params[:2], "lr": lr * 0.5}, {"params": params[2:]}]


def lr_drop(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=DROP_AFTER, gamma=0.1)


def drawn_mlp(dtype, seed):
    """An MLP of the kit's shape whose start and data are drawn from the grader's seed."""
    return mlp(dtype, seed=case_seed(seed, "twin: MLP", 0))


# name -> (problem(dtype), options for path(): frozen / groups(lr) / schedule)
TWIN_PROBLEMS = {
    "quadratic": (quadratic, {}),
    "MLP": (mlp, {}),
    "param groups": (mlp, {"groups": first_layer_at_half_lr}),
    "frozen parameters": (mlp, {"frozen": (0, 1)}),  # the first layer: requires_grad=False
    "lr drop": (mlp, {"schedule": lr_drop}),
}
DRAWN = "drawn"  # the twin problem drawn from a seed: hidden, its expected values never shown


def twin_problem(name, dtype, lr, seed=None):
    """(problem, options for path()) of a twin check, the same in the probe and the judge."""
    if name == DRAWN:
        return drawn_mlp(dtype, seed), {"steps": TWIN_STEPS}
    make_problem, options = TWIN_PROBLEMS[name]
    options = dict(options, steps=TWIN_STEPS)
    if "groups" in options:
        options["groups"] = options["groups"](lr)
    return make_problem(dtype), options


def twin_names(seed) -> list[str]:
    return [*TWIN_PROBLEMS, *([DRAWN] if seed is not None else [])]


def probe_twin(runner, name, dtype, seed=None) -> dict:
    problem, options = twin_problem(name, dtype, runner.lr, seed)
    return path_data(runner.build, problem, closure=runner.closure, point=runner.point, **options)


def probe(factory, *, closure=False, scope="full", dtypes=(torch.float64,), seed=None) -> dict:
    """Everything check_optimizer asks of an optimizer, with a twin, as plain data: how it builds,
    each check's probe, and its path on each twin problem (and on one drawn from `seed`)."""
    data, runner = probe_build(factory, closure=closure)
    if runner is None:
        return data
    data["checks"] = {
        f"{key}/{dtype_name(dtype)}": run_probe(runner, key, dtype)
        for key, dtype in plan(scope, dtypes)
    }
    data["twins"] = {
        f"{name}/{dtype_name(dtype)}": probe_twin(runner, name, dtype, seed)
        for name in twin_names(seed)
        for dtype in dtypes
    }
    return data
