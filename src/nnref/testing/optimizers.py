"""check_optimizer: every check on one optimizer, as a Report, and what the kit must know first.

Before any check runs, the kit builds what is under test (a Subject): the optimizer from its
factory, and its twin with the same hyperparameters.  A target or twin that cannot be built or
compared stops the kit there with one line (KitError).  Each check is a probe (runs.py: the
optimizer stepped on the kit's problems, read as plain data) and a judge (behaviour.py: that data
held to the rule, and to the twin); the problems are in problems.py.

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
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from nnref.locale.messages import _
from nnref.optim import NAG, OPTIMIZERS, Momentum

from . import behaviour, runs
from .plain import value
from .problems import bowl, error_line, fresh
from .report import Report, Row
from .runs import accepted, describe, hyperparameters, optimizer_class, try_build, two_groups


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


def through_json(data):
    """Data as it arrives from another process: a notebook's check and the grader then judge the
    same thing."""
    return json.loads(json.dumps(data))


@dataclass(frozen=True)
class Check:
    """One check: its probe runs the optimizer under test, its judge holds the data to the rule."""

    key: str  # runs.PROBES's key, or a twin problem's name
    dtype: torch.dtype
    twin_problem: bool = False
    seed: int | None = None  # the twin problem drawn from a seed

    @property
    def data_key(self) -> str:
        """Where runs.probe() writes this check's data."""
        return f"{self.key}/{runs.dtype_name(self.dtype)}"

    def probe(self, runner) -> dict:
        if self.twin_problem:
            return runs.probe_twin(runner, self.key, self.dtype, self.seed)
        return runs.run_probe(runner, self.key, self.dtype)

    def judge(self, data: dict, subject) -> tuple[str, str]:
        if self.twin_problem:
            return behaviour.check_twin(data, subject, self.dtype, self.key, self.seed)
        return behaviour.judge(self.key, data, subject, self.dtype)

    def __call__(self, subject) -> tuple[str, str]:
        """Probe and judge in this process (the optimizer is the caller's own)."""
        return self.judge(through_json(self.probe(subject.runner)), subject)


def plan(*, twin: bool, dtypes, scope: str = "full", seed=None) -> list[tuple[str, Check]]:
    """[(check name, Check)], known before anything is built: the pytest helper makes one test
    item of each."""
    if scope not in ("full", "course"):
        raise KitError(_("scope={scope!r}: unknown; valid: full, course", scope=scope))
    dtypes = tuple(dtypes)

    def name(check, dtype):
        if len(dtypes) == 1:
            return check
        return _("{check} [{dtype}]", check=check, dtype=runs.dtype_name(dtype))

    checks = [
        (name(behaviour.CHECKS[key][0], dtype), Check(key, dtype))
        for key, dtype in runs.plan(scope, dtypes)
    ]
    if twin:
        for problem in runs.twin_names(seed):
            for dtype in dtypes:
                check = Check(problem, dtype, twin_problem=True, seed=seed)
                twin_name = _("twin: {problem}", problem=behaviour.TWIN_NAMES[problem])
                checks.append((name(twin_name, dtype), check))
    return checks


def run_check(subject, name, check) -> Row:
    try:
        status, detail = check(subject)
    except Exception as error:  # the optimizer under test raised: that is the finding, in one line
        status, detail = behaviour.raised(error_line(error))
    return Row(name, status, detail)


def judged_rows(data: dict, subject, *, dtypes, scope, seed=None) -> list[Row]:
    """The rows of a report from runs.probe()'s data, probed elsewhere (the grader's child)."""
    return [
        Row(
            name,
            *check.judge(
                data["twins" if check.twin_problem else "checks"][check.data_key], subject
            ),
        )
        for name, check in plan(
            twin=subject.twin is not None, dtypes=dtypes, scope=scope, seed=seed
        )
    ]


# ------------------------------------------------------------------ what is under test


@dataclass
class Subject:
    label: str
    lr: object  # the optimizer's own lr, as its probe read it
    closure: bool  # it is stepped with step(closure) (NAG), not backward() then step()
    runner: runs.Runner | None = None  # in this process: the optimizer under test, to probe
    twin: Callable | None = None  # params -> the twin; always stepped with a closure
    form: Form | None = None
    twin_label: str = ""

    def build_twin(self, params):
        return self.twin(params)

    @property
    def title(self) -> str:
        if self.twin:
            return _("{ours} vs {twin}", ours=self.label, twin=self.twin_label)
        return self.label


def refusal(refused: dict, who: str) -> KitError:
    """Why something is not an optimizer over the kit's parameters (runs.try_build), in one line."""
    if "raised" in refused:
        return KitError(_("{who}: building it raised {error}", who=who, error=refused["raised"]))
    if "returned" in refused:
        return KitError(
            _(
                "{who}: the factory returned {type}, not a torch.optim.Optimizer",
                who=who,
                type=refused["returned"],
            )
        )
    if "not_optimizer" in refused:
        return KitError(_("{who} is not a torch.optim.Optimizer subclass", who=who))
    if "not_callable" in refused:
        return KitError(
            _(
                "{thing} is neither an Optimizer class nor a factory params -> optimizer",
                thing=refused["not_callable"],
            )
        )
    if "no_lr" in refused:
        return KitError(
            _("{who}: no 'lr' in its defaults (param groups and lr schedulers need one)", who=who)
        )
    return KitError(
        _(
            "{who}: does not optimize the parameters it was given (a factory must pass params on)",
            who=who,
        )
    )


def build(factory, params, who: str) -> torch.optim.Optimizer:
    """factory(params), or a KitError saying in one line why it is not an optimizer over params."""
    optimizer, refused = try_build(factory, params)
    if refused:
        raise refusal(refused, who)
    return optimizer


def prepare(factory, *, twin=None, closure=False, form=None) -> Subject:
    """The Subject of an optimizer in this process: built, probed and judged here."""
    if isinstance(factory, str):
        factory = load(factory)
    built, runner = runs.probe_build(factory, closure=closure)
    subject = subject_of(through_json(built), twin=twin, form=form, cls=runner and runner.cls)
    subject.runner = runner
    if runner is not None and subject.form is not None:
        runner.point = subject.form.ours_point
    return subject


def subject_of(built: dict, *, twin=None, form=None, cls=None) -> Subject:
    """The Subject from what building the optimizer showed (runs.probe_build's data), with its
    twin built here. cls: the optimizer's class, where this process has it (for KNOWN_FORMS)."""
    name = built["name"]
    if "refused" in built:
        raise refusal(built["refused"], name)
    lr = value(built["lr"])
    if isinstance(lr, bool) or not (isinstance(lr, (int, float)) or torch.is_tensor(lr)):
        raise KitError(_("{who}: its lr is {lr}, not a number", who=name, lr=str(lr)))
    subject = Subject(f"{name}({built['hyperparameters']})", lr, built["closure"])
    if twin is None:
        return subject
    defaults = {key: value(setting) for key, setting in built["defaults"].items()}
    subject.twin = twin_factory(twin, defaults)
    twin_name = twin if isinstance(twin, str) else describe(twin)
    if "refused" in built["groups"]:
        raise refusal(built["groups"]["refused"], name)
    groups = build(
        subject.twin, two_groups(fresh(bowl(torch.float64)), lr), _("twin {name}", name=twin_name)
    )
    if len(groups.param_groups) != built["groups"]["count"]:
        raise KitError(
            _(
                "twin {twin}: has {n} parameter group(s) where {ours} has {m} (a twin factory "
                "must pass its params on unchanged)",
                twin=twin_name,
                n=len(groups.param_groups),
                ours=name,
                m=built["groups"]["count"],
            )
        )
    subject.twin_label = f"{describe(type(groups))}({hyperparameters(groups)})"
    subject.form = form or (known_form(cls, type(groups)) if cls else None)
    return subject


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
    module_name, _sep, attr = spec.partition(":")
    if not attr:
        module_name, _sep, attr = spec.rpartition(".")
    if not module_name or not attr:
        raise KitError(
            _("{spec!r}: expected module:attribute, e.g. mypkg.mymod:MyMomentum", spec=spec)
        )
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise KitError(_("{spec!r}: no file {path}", spec=spec, path=module_name))
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
        raise KitError(
            _(
                "cannot import {module}: {type}: {error}",
                module=module_name,
                type=type(error).__name__,
                error=str(error),
            )
        ) from None
    target = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise KitError(_("{module} has no attribute {attr!r}", module=module_name, attr=attr))
        target = getattr(target, part)
    return target


def twin_factory(twin, defaults: dict):
    """twin as a callable params -> optimizer, with the hyperparameters of the optimizer under
    test (its defaults) where it can take them."""
    if isinstance(twin, str):
        if twin.lower() in NAMED_TWINS:
            cls, base = NAMED_TWINS[twin.lower()]
            return functools.partial(cls, **accepted(cls, {**base, **defaults}))
        twin = load(twin)
    cls = optimizer_class(twin)
    if cls is None:
        if not callable(twin):
            raise KitError(
                _(
                    "twin {twin!r} is neither an optimizer name, an Optimizer class nor a factory",
                    twin=twin,
                )
            )
        return twin
    if not issubclass(cls, torch.optim.Optimizer):
        raise KitError(
            _("twin {twin} is not a torch.optim.Optimizer subclass", twin=describe(twin))
        )
    fixed = dict(twin.keywords) if isinstance(twin, functools.partial) else {}
    shared = {k: v for k, v in accepted(cls, defaults).items() if k not in fixed}
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
    # (optimizer, param) -> the point the twin holds; None: the param itself
    ours_point: Point | None = None
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
        summary=_("equal at constant lr; differs after an lr change"),
        reason=_(
            "the course keeps each step's η inside m (m ← γ·m + η·g, w ← w − m); "
            "torch's SGD keeps an η-free buffer and multiplies all of it by the current η"
        ),
        differs_after_lr_change=True,
    ),
    (NAG, torch.optim.SGD): Form(
        summary=_("equal at constant lr, compared as θ = w − γ·m; differs after an lr change"),
        reason=_(
            "the course's NAG holds w and steps m ← γ·m + η·∇E(w − γ·m); torch's "
            "SGD(nesterov=True) holds the look-ahead point θ = w − γ·m and keeps η outside its "
            "buffer"
        ),
        differs_after_lr_change=True,
        ours_point=lookahead_point,
        compared_as="θ = w − γ·m",
    ),
}


def known_form(ours: type, twin: type) -> Form | None:
    """The declared form of the pair (exact classes: a subclass may have changed the method)."""
    pair = (ours, twin)
    if pair in KNOWN_FORMS:
        return KNOWN_FORMS[pair]
    if pair[::-1] in KNOWN_FORMS:
        return KNOWN_FORMS[pair[::-1]].flipped()
    return None
