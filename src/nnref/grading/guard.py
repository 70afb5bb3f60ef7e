"""nnref withheld from a student's code: the exercise is to write what nnref already has.

In the grader's child process an import finder stands before every other. While the notebook's
setup runs (its import statements) an import of nnref gives stand-ins, so the course's own setup
cell (`from nnref.experiments import ...`, `from nnref.testing import check_exercise`) costs
nothing; after that, an import of nnref's reference is refused, and touching a stand-in is using
it. Either marks the exercise `uses nnref`. The testing kit itself (nnref.testing) is not the
reference: its names are there, and do nothing.

    install()            # before the student's code runs
    strict()             # after the notebook's imports
    used()               # the nnref names the code used, in order

A process with this finder is not a container: code that removes it, or reads nnref's files by
path, gets past it. `used()` also lists any module of nnref found loaded at the end.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

USED: list[str] = []
MODE = ["setup"]  # "setup" while the notebook's imports run; then "strict"
STUBS: set[str] = set()  # the stand-in modules this finder made


def is_nnref(name: str) -> bool:
    return name == "nnref" or name.startswith("nnref.")


def is_kit(name: str) -> bool:
    return name in ("nnref", "nnref.testing") or name.startswith("nnref.testing.")


class Withheld:
    """A name the notebook imported from nnref's reference: touching it is using the reference."""

    def __init__(self, name: str):
        object.__setattr__(self, "withheld", name)

    def used(self, *args, **kwargs):
        name = object.__getattribute__(self, "withheld")
        USED.append(name)
        raise ImportError(f"{name}: nnref is the reference, and the exercise is to write it")

    __call__ = __getitem__ = __iter__ = __mro_entries__ = used

    def __getattr__(self, attribute):
        return self.used()

    def __repr__(self):
        return f"<nnref's {object.__getattribute__(self, 'withheld')}, withheld>"


def nothing(*args, **kwargs):
    """The testing kit's functions in the child: a notebook's check cell does nothing here."""
    return None


def stand_in(name: str) -> types.ModuleType:
    """A module standing in for nnref, nnref.testing or (during setup) a reference module."""
    module = types.ModuleType(name)
    module.__path__ = []  # a package: `import nnref.x` asks this finder for nnref.x

    def attribute(attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if name == "nnref" and attr == "testing":
            return importlib.import_module("nnref.testing")
        if is_kit(name) and name != "nnref":
            return nothing
        return Withheld(f"{name}.{attr}")

    module.__getattr__ = attribute
    return module


class Loader(importlib.abc.Loader):
    def create_module(self, spec):
        STUBS.add(spec.name)
        return stand_in(spec.name)

    def exec_module(self, module):
        pass


class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if not is_nnref(fullname):
            return None
        if MODE[0] == "strict" and not is_kit(fullname):
            USED.append(fullname)
            raise ImportError(
                f"{fullname}: nnref is the reference, and the exercise is to write it"
            )
        return importlib.machinery.ModuleSpec(fullname, Loader(), is_package=True)


def install() -> None:
    """nnref's own modules (the grader's child's) out of sight, and the finder first."""
    for name in [name for name in sys.modules if is_nnref(name)]:
        del sys.modules[name]
    sys.meta_path.insert(0, Finder())


def strict() -> None:
    MODE[0] = "strict"


def used() -> list[str]:
    """The nnref names the student's code used, and any real nnref module loaded behind the
    finder's back."""
    loaded = [name for name in sys.modules if is_nnref(name) and name not in STUBS]
    return [*USED, *loaded]
