"""What is under test: the optimizer factory and its twin, built once up front so that a target
that cannot be built or compared stops the kit with one line (KitError), before any check runs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch

from .compare import error_line
from .forms import Form, known_form
from .problems import bowl, fresh
from .twins import KitError, describe, hyperparameters, load, optimizer_class, twin_factory


@dataclass
class Subject:
    factory: Callable  # params -> the optimizer under test
    closure: bool  # step(closure) in every step (NAG), not backward() then step()
    lr: float  # the optimizer's own lr: the problems scale their group lrs from it
    label: str
    twin: Optional[Callable] = None  # params -> the twin; always stepped with a closure
    form: Optional[Form] = None
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
        raise KitError(f"{who}: the factory returned {type(optimizer).__name__}, not a torch.optim.Optimizer")
    expected = [p for group in params for p in group["params"]] if isinstance(params[0], dict) else list(params)
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if len(held) != len(expected) or any(p is not q for p, q in zip(held, expected)):
        raise KitError(f"{who}: does not optimize the parameters it was given (a factory must pass params on)")
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
        raise KitError(f"{factory!r} is neither an Optimizer class nor a factory params -> optimizer")
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
    groups_twin = build(subject.twin, two_groups(fresh(bowl(torch.float64)), lr), f"twin {twin_name}")
    if len(groups_twin.param_groups) != len(groups_ours.param_groups):
        raise KitError(
            f"twin {twin_name}: has {len(groups_twin.param_groups)} parameter group(s) where {name} has "
            f"{len(groups_ours.param_groups)} (a twin factory must pass its params on unchanged)"
        )
    subject.twin_label = f"{describe(type(groups_twin))}({hyperparameters(groups_twin)})"
    subject.form = form or known_form(ours, groups_twin)
    return subject
