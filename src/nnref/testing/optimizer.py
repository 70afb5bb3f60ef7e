"""check_optimizer: every check on one optimizer, as a Report."""
from __future__ import annotations

import functools

import torch

from . import behaviour
from .compare import error_line
from .equality import TWIN_PROBLEMS, check_twin
from .report import FAIL, Report, Row
from .subject import prepare


def plan(*, twin: bool, dtypes) -> list[tuple[str, object]]:
    """[(check name, check(subject) -> (status, detail))], known before anything is built:
    the pytest helper makes one test item of each."""
    dtypes = tuple(dtypes)

    def name(check, dtype):
        return check if len(dtypes) == 1 else f"{check} [{str(dtype).removeprefix('torch.')}]"

    checks = []
    for check, run, per_dtype in behaviour.CHECKS:
        for dtype in dtypes if per_dtype else dtypes[:1]:
            checks.append((name(check, dtype), functools.partial(run, dtype=dtype)))
    if twin:
        for problem in TWIN_PROBLEMS:
            for dtype in dtypes:
                check = functools.partial(check_twin, dtype=dtype, name=problem)
                checks.append((name(f"twin: {problem}", dtype), check))
    return checks


def run_check(subject, name, check) -> Row:
    try:
        status, detail = check(subject)
    except Exception as error:  # the optimizer under test raised: that is the finding, in one line
        status, detail = FAIL, f"raised {error_line(error)}"
    return Row(name, status, detail)


def check_optimizer(factory, *, twin=None, closure=False, dtypes=(torch.float64,), form=None) -> Report:
    """Run the checks a well-made torch.optim.Optimizer passes, and with a twin, equality step for step.

    factory: params -> optimizer (an Optimizer class whose defaults do, a functools.partial, a lambda).
    twin: an nnref optimizer name ("momentum"), an Optimizer class or partial of one (built with the
        factory's hyperparameters where it takes the same names), or any factory params -> optimizer.
    closure: step with step(closure) throughout (automatic when the optimizer has gradient_at_lookahead).
    dtypes: the floating dtypes of the problems (complex checks use the matching complex dtype).
    form: a forms.Form declaring a known difference of form between factory and twin; by default the
        pairs in forms.KNOWN_FORMS.

    Raises KitError (a ValueError, one line) when the factory or twin cannot be built or compared.
    """
    subject = prepare(factory, twin=twin, closure=closure, form=form)
    rows = [run_check(subject, name, check) for name, check in plan(twin=twin is not None, dtypes=dtypes)]
    return Report(subject.title, rows)
