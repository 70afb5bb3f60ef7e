"""What a twin can be, and how the kit builds it with the same hyperparameters as the optimizer.

A twin is one of:
- a name of an nnref optimizer ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam");
- an Optimizer class (torch.optim.SGD, nnref.optim.Momentum, yours), or a functools.partial of one
  (``partial(torch.optim.SGD, nesterov=True)``): it is built with the hyperparameters of the
  optimizer under test (its ``defaults``) wherever its constructor takes the same name;
  what the partial fixes stays fixed;
- any other callable params -> optimizer: used as it is.

A name adds sensible values for what the optimizer under test does not set (NAMED_TWINS below).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
from pathlib import Path

import torch

from nnref import optim

# name -> (class, hyperparameters used where the optimizer under test has none of its own).
# The command line also builds a target class with these, so `--twin momentum` alone is enough.
NAMED_TWINS = {
    "gd": (optim.GD, dict(lr=0.1)),
    "momentum": (optim.Momentum, dict(lr=0.05, momentum=0.9)),
    "nag": (optim.NAG, dict(lr=0.05, momentum=0.9)),
    "adagrad": (optim.AdaGrad, dict(lr=0.1)),
    "rmsprop": (optim.RMSProp, dict(lr=0.01)),
    "adam": (optim.Adam, dict(lr=0.01)),
}


class KitError(ValueError):
    """The kit could not start: a target or twin that cannot be imported, built or compared.
    Its message is one line naming the problem."""


def load(spec: str):
    """"pkg.mod:attr", "pkg.mod.attr" or "path/to/file.py:attr" -> the object."""
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


def accepted(cls, hyperparameters: dict) -> dict:
    """The hyperparameters cls's constructor takes by name (all of them if it takes **kwargs)."""
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return dict(hyperparameters)
    names = {name for name, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {k: v for k, v in hyperparameters.items() if k in names - {"params"}}


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
    """twin as a callable params -> optimizer, with the hyperparameters of ours where it can take them."""
    if isinstance(twin, str):
        if twin.lower() in NAMED_TWINS:
            cls, base = NAMED_TWINS[twin.lower()]
            return functools.partial(cls, **accepted(cls, {**base, **ours.defaults}))
        twin = load(twin)
    cls = optimizer_class(twin)
    if cls is None:
        if not callable(twin):
            raise KitError(f"twin {twin!r} is neither an optimizer name, an Optimizer class nor a factory")
        return twin
    if not issubclass(cls, torch.optim.Optimizer):
        raise KitError(f"twin {describe(twin)} is not a torch.optim.Optimizer subclass")
    fixed = dict(twin.keywords) if isinstance(twin, functools.partial) else {}
    shared = {k: v for k, v in accepted(cls, ours.defaults).items() if k not in fixed}
    return functools.partial(twin, **shared)


def hyperparameters(optimizer: torch.optim.Optimizer) -> str:
    """The defaults a reader wants to see: the numbers, not the implementation switches."""
    def shown(value):
        return value is not None and not (isinstance(value, (int, float)) and value == 0)  # False == 0 too

    return ", ".join(f"{k}={v}" for k, v in optimizer.defaults.items() if shown(v))
