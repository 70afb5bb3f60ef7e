"""check_optimizer: every check on one optimizer, as a Report, and what the kit must know first.

Before any check runs, the kit builds what is under test (a Subject): the optimizer from its
factory, and its twin with the same hyperparameters.  A target or twin that cannot be built or
compared stops the kit there with one line (KitError).  The checks are in behaviour.py, the problems
in problems.py.

A twin is one of:
- a name from the course's table of optimizers (nnref.optim.OPTIMIZERS: "gd", "momentum", "nag",
  "adagrad", "rmsprop", "adam"): nnref's optimizer, with the table's defaults for what the optimizer
  under test does not set (NAMED_TWINS);
- an Optimizer class (torch.optim.SGD, nnref.optim.Momentum, yours), or a functools.partial of one
  (``partial(torch.optim.SGD, nesterov=True)``): it is built with the hyperparameters of the
  optimizer under test (its ``defaults``) wherever its constructor takes the same name;
  what the partial fixes stays fixed;
- any other callable params -> optimizer: used as it is.

Two optimizers can be the same method written in another form; such a pair is not compared bare
(Form, KNOWN_FORMS).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from nnref.optim import NAG, OPTIMIZERS, Momentum

from . import behaviour
from .behaviour import accepted
from .problems import bowl, error_line, fresh
from .report import FAIL, Report, Row


def check_optimizer(
    factory, *, twin=None, closure=False, dtypes=(torch.float64,), form=None, scope="full"
) -> Report:
    """Run the checks a well-made torch.optim.Optimizer passes, and with a twin, equality step for
    step.

    factory: params -> optimizer (an Optimizer class whose defaults do, a functools.partial, a
        lambda).
    twin: an nnref optimizer name ("momentum"), an Optimizer class or partial of one (built with the
        factory's hyperparameters where it takes the same names), or any factory params ->
        optimizer.
    closure: step with step(closure) throughout (automatic when the optimizer has
        gradient_at_lookahead).
    dtypes: the floating dtypes of the problems (complex checks use the matching complex dtype).
    form: a Form declaring a known difference of form between factory and twin; by default the
        pairs in KNOWN_FORMS.
    scope: "full", every check; or "course", what the lectures teach and every well-made
        Optimizer does (state in self.state, param groups, closures, a state_dict round trip,
        frozen parameters left alone), without argument validation, complex parameters and
        sparse gradients (the notebooks' exercises).

    Raises KitError (a ValueError, one line) when the factory or twin cannot be built or compared.
    """
    subject = prepare(factory, twin=twin, closure=closure, form=form)
    rows = [
        run_check(subject, name, check)
        for name, check in plan(twin=twin is not None, dtypes=dtypes, scope=scope)
    ]
    return Report(subject.title, rows)


# ------------------------------------------------------------------ the plan of checks


# What scope="course" leaves out: beyond the lectures (validation, complex, sparse).
BEYOND_THE_COURSE = ("rejects bad hyperparameters", "complex parameters", "sparse gradients")


def plan(*, twin: bool, dtypes, scope: str = "full") -> list[tuple[str, object]]:
    """[(check name, check(subject) -> (status, detail))], known before anything is built:
    the pytest helper makes one test item of each."""
    if scope not in ("full", "course"):
        raise KitError(f"scope={scope!r}: unknown; valid: full, course")
    dtypes = tuple(dtypes)

    def name(check, dtype):
        return check if len(dtypes) == 1 else f"{check} [{str(dtype).removeprefix('torch.')}]"

    checks = []
    for check, run, per_dtype in behaviour.CHECKS:
        if scope == "course" and check in BEYOND_THE_COURSE:
            continue
        for dtype in dtypes if per_dtype else dtypes[:1]:
            checks.append((name(check, dtype), functools.partial(run, dtype=dtype)))
    if twin:
        for problem in behaviour.TWIN_PROBLEMS:
            for dtype in dtypes:
                check = functools.partial(behaviour.check_twin, dtype=dtype, name=problem)
                checks.append((name(f"twin: {problem}", dtype), check))
    return checks


def run_check(subject, name, check) -> Row:
    try:
        status, detail = check(subject)
    except Exception as error:  # the optimizer under test raised: that is the finding, in one line
        status, detail = FAIL, f"raised {error_line(error)}"
    return Row(name, status, detail)


# ------------------------------------------------------------------ what is under test


@dataclass
class Subject:
    factory: Callable  # params -> the optimizer under test
    closure: bool  # step(closure) in every step (NAG), not backward() then step()
    lr: float  # the optimizer's own lr: the problems scale their group lrs from it
    label: str
    twin: Callable | None = None  # params -> the twin; always stepped with a closure
    form: Form | None = None
    twin_label: str = ""

    def build(self, params):
        return self.factory(params)

    def build_twin(self, params):
        return self.twin(params)

    @property
    def title(self) -> str:
        return f"{self.label} vs {self.twin_label}" if self.twin else self.label


def build(factory, params, who: str) -> torch.optim.Optimizer:
    """factory(params), or a KitError saying in one line why it is not an optimizer over params."""
    try:
        optimizer = factory(params)
    except Exception as error:
        raise KitError(f"{who}: building it raised {error_line(error)}") from None
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise KitError(
            f"{who}: the factory returned {type(optimizer).__name__}, not a torch.optim.Optimizer"
        )
    expected = (
        [p for group in params for p in group["params"]]
        if isinstance(params[0], dict)
        else list(params)
    )
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if len(held) != len(expected) or any(p is not q for p, q in zip(held, expected, strict=False)):
        raise KitError(
            f"{who}: does not optimize the parameters it was given (a factory must pass params on)"
        )
    return optimizer


def two_groups(params, lr):
    """The kit's param groups: the second at half the optimizer's lr."""
    return [{"params": [params[0]]}, {"params": [params[1]], "lr": lr * 0.5}]


def prepare(factory, *, twin=None, closure=False, form=None) -> Subject:
    if isinstance(factory, str):
        factory = load(factory)
    cls = optimizer_class(factory)
    if cls is not None and not issubclass(cls, torch.optim.Optimizer):
        raise KitError(f"{describe(factory)} is not a torch.optim.Optimizer subclass")
    if not callable(factory):
        raise KitError(
            f"{factory!r} is neither an Optimizer class nor a factory params -> optimizer"
        )
    name = describe(factory)
    ours = build(factory, fresh(bowl(torch.float64)), name)
    if "lr" not in ours.defaults:
        raise KitError(f"{name}: no 'lr' in its defaults (param groups and lr schedulers need one)")
    lr = ours.defaults["lr"]
    subject = Subject(
        factory=factory,
        # An optimizer that takes its own gradient says so (nnref's NAG: gradient_at_lookahead).
        closure=closure or bool(getattr(ours, "gradient_at_lookahead", False)),
        lr=lr,
        label=f"{name}({hyperparameters(ours)})",
    )
    if twin is None:
        return subject

    subject.twin = twin_factory(twin, ours)
    twin_name = twin if isinstance(twin, str) else describe(twin)
    groups_ours = build(factory, two_groups(fresh(bowl(torch.float64)), lr), name)
    groups_twin = build(
        subject.twin, two_groups(fresh(bowl(torch.float64)), lr), f"twin {twin_name}"
    )
    if len(groups_twin.param_groups) != len(groups_ours.param_groups):
        raise KitError(
            f"twin {twin_name}: has {len(groups_twin.param_groups)} parameter "
            f"group(s) where {name} has {len(groups_ours.param_groups)} (a "
            f"twin factory must pass its params on unchanged)"
        )
    subject.twin_label = f"{describe(type(groups_twin))}({hyperparameters(groups_twin)})"
    subject.form = form or known_form(ours, groups_twin)
    return subject


def hyperparameters(optimizer: torch.optim.Optimizer) -> str:
    """The defaults a reader wants to see: the numbers, not the implementation switches."""

    def shown(value):
        return value is not None and not (
            isinstance(value, (int, float)) and value == 0
        )  # False == 0 too

    return ", ".join(f"{k}={v}" for k, v in optimizer.defaults.items() if shown(v))


# ------------------------------------------------------------------ targets and twins

# name -> (class, hyperparameters used where the optimizer under test has none of its own): the
# course's table, whose defaults are also what `nnref-train optim=NAME` starts from.  The command
# line builds a target class with these too, so `--twin momentum` alone is enough.
NAMED_TWINS = {name: (entry.cls, entry.hyperparameters()) for name, entry in OPTIMIZERS.items()}


class KitError(ValueError):
    """The kit could not start: a target or twin that cannot be imported, built or compared.
    Its message is one line naming the problem."""


def load(spec: str):
    """A target named as pkg.mod:attr, pkg.mod.attr or path/to/file.py:attr -> the object."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        module_name, _, attr = spec.rpartition(".")
    if not module_name or not attr:
        raise KitError(f"{spec!r}: expected module:attribute, e.g. mypkg.mymod:MyMomentum")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise KitError(f"{spec!r}: no file {module_name}")
            module_spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
        else:
            # As `python -m` does: the student's own modules, in the folder they run the check
            # from, import by name (a console command's sys.path does not hold that folder).
            if os.getcwd() not in sys.path and "" not in sys.path:
                sys.path.insert(0, os.getcwd())
            module = importlib.import_module(module_name)
    except KitError:
        raise
    except Exception as error:  # the user's module failed: say so in one line
        raise KitError(f"cannot import {module_name}: {type(error).__name__}: {error}") from None
    target = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise KitError(f"{module_name} has no attribute {attr!r}")
        target = getattr(target, part)
    return target


def optimizer_class(factory):
    """The Optimizer class a factory is, or is a partial of; None for any other callable."""
    while isinstance(factory, functools.partial):
        factory = factory.func
    return factory if isinstance(factory, type) else None


def describe(factory) -> str:
    """A twin or target as people name it: torch.optim.SGD, nnref.optim.Momentum, my_factory."""
    cls = optimizer_class(factory)
    thing = cls or factory
    module = getattr(thing, "__module__", "") or ""
    name = getattr(thing, "__qualname__", None) or type(thing).__name__
    if module.startswith("torch.optim"):
        module = "torch.optim"
    elif module.startswith("nnref.optim"):
        module = "nnref.optim"
    return f"{module}.{name}" if module and module not in ("__main__", "builtins") else name


def twin_factory(twin, ours: torch.optim.Optimizer):
    """twin as a callable params -> optimizer, with the hyperparameters of ours where it can take
    them."""
    if isinstance(twin, str):
        if twin.lower() in NAMED_TWINS:
            cls, base = NAMED_TWINS[twin.lower()]
            return functools.partial(cls, **accepted(cls, {**base, **ours.defaults}))
        twin = load(twin)
    cls = optimizer_class(twin)
    if cls is None:
        if not callable(twin):
            raise KitError(
                f"twin {twin!r} is neither an optimizer name, an Optimizer class nor a factory"
            )
        return twin
    if not issubclass(cls, torch.optim.Optimizer):
        raise KitError(f"twin {describe(twin)} is not a torch.optim.Optimizer subclass")
    fixed = dict(twin.keywords) if isinstance(twin, functools.partial) else {}
    shared = {k: v for k, v in accepted(cls, ours.defaults).items() if k not in fixed}
    return functools.partial(twin, **shared)


# ------------------------------------------------------------------ differences of form

Point = Callable[[torch.optim.Optimizer, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Form:
    """A known difference of form: the optimizer and its twin are the same method written
    differently.

    A Form says how to read one side so that it is comparable (``ours_point``: NAG holds w, torch's
    SGD(nesterov=True) holds θ = w − γ·m), and which difference is expected and why
    (``differs_after_lr_change``: the course keeps η inside m, torch outside).  The report then
    shows the expected difference as ``form`` with the reason, not as a failure.

    Declare one with ``check_optimizer(..., form=Form(...))``; the pairs nnref knows are in
    KNOWN_FORMS and are found (either way round) from the two optimizers' classes.
    """

    summary: str  # what to expect, e.g. "equal at constant lr; differs after an lr change"
    reason: str  # why, in the method's own terms
    differs_after_lr_change: bool = False
    ours_point: Point | None = (
        None  # (optimizer, param) -> the point the twin holds; None: the param
    )
    twin_point: Point | None = None
    compared_as: str = ""  # the point's formula, for the report: "θ = w − γ·m"

    def flipped(self) -> Form:
        """The same pair seen from the other side (the twin is the one under test)."""
        return replace(self, ours_point=self.twin_point, twin_point=self.ours_point)


def lookahead_point(optimizer, p):
    """θ = w − γ·m: the point where the course's NAG takes its gradient, the point torch's
    SGD(nesterov=True) holds as its parameter.  γ is the momentum of p's group."""
    m = optimizer.state.get(p, {}).get("momentum_buffer")
    if m is None:
        return p.detach().clone()
    gamma = next(
        group["momentum"]
        for group in optimizer.param_groups
        if any(q is p for q in group["params"])
    )
    return p.detach() - gamma * m


KNOWN_FORMS = {
    (Momentum, torch.optim.SGD): Form(
        summary="equal at constant lr; differs after an lr change",
        reason="the course keeps each step's η inside m (m ← γ·m + η·g, w ← w − m); "
        "torch's SGD keeps an η-free buffer and multiplies all of it by the current η",
        differs_after_lr_change=True,
    ),
    (NAG, torch.optim.SGD): Form(
        summary="equal at constant lr, compared as θ = w − γ·m; differs after an lr change",
        reason="the course's NAG holds w and steps m ← γ·m + η·∇E(w − γ·m); torch's "
        "SGD(nesterov=True) holds the look-ahead point θ = w − γ·m and keeps η outside its buffer",
        differs_after_lr_change=True,
        ours_point=lookahead_point,
        compared_as="θ = w − γ·m",
    ),
}


def known_form(ours: torch.optim.Optimizer, twin: torch.optim.Optimizer) -> Form | None:
    """The declared form of the pair (exact classes: a subclass may have changed the method)."""
    pair = (type(ours), type(twin))
    if pair in KNOWN_FORMS:
        return KNOWN_FORMS[pair]
    if pair[::-1] in KNOWN_FORMS:
        return KNOWN_FORMS[pair[::-1]].flipped()
    return None
