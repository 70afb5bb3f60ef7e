"""The probe half of an exercise's check: the student's function or class run on the exercise's
inputs (cases.py), and what it did read as plain data (plain.py).

A probe says nothing of right or wrong; the judge (exercises.py) does, from this data. In a
notebook both run in the notebook's process, one after the other; the grader runs the probe in a
process of its own, where the student's code runs, and judges in its own.

    probe_exercise("softmax", softmax)   # {"signature": {...}, "cases": [{"result": ...}, ...]}

What a case's call did is one of: {"result": the value read}, {"raised": the error's one line},
{"stopped": the time limit, in seconds}. The stub a student starts from (NotImplementedError)
makes the whole probe {"todo": true}.

Torch only and no reference: the grader's child process imports it.
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import threading

import torch

from . import plain, runs
from .cases import BATCHES, EXERCISES, OPTIMIZER, D, generator
from .problems import error_line, quadratic

TIME_LIMIT_S = 10.0
OPTIMIZER_TIME_FACTOR = 6  # an optimizer's checks run many steps: six times a call's limit


class TimeLimit(BaseException):
    """The student's code ran past the check's time limit. A BaseException, as KeyboardInterrupt
    is: the kit's own `except Exception` around each check must not take it for the code's error,
    so it ends the call (or the optimizer's checks) with one row saying so."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Stop the block after `seconds`: a SIGALRM timer (Unix, main thread only; elsewhere, and
    with seconds=None, none: the grader's child process is stopped by its parent instead)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds is None or not usable:
        yield
        return

    def stop(signum, frame):
        raise TimeLimit(seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class NotDone(Exception):
    """The exercise still raises NotImplementedError."""


def outcome(fn, inputs, seconds) -> dict:
    """What fn(*inputs) did, as data; NotDone when it still raises NotImplementedError."""
    try:
        with time_limit(seconds):
            got = fn(*inputs)
    except NotImplementedError as error:
        raise NotDone from error
    except TimeLimit:
        return {"stopped": f"{seconds:g}"}
    except Exception as error:  # noqa: BLE001 - the student's code raised: that is the finding
        return {"raised": error_line(error)}
    return {"result": plain.read(got)}


def signature(obj) -> dict:
    """The parameters a function (or a class's __init__, after self) takes, as data."""
    is_class = isinstance(obj, type)
    try:
        target = obj.__init__ if is_class else obj
        parameters = [str(name) for name in inspect.signature(target).parameters]
    except (TypeError, ValueError):
        return {"unreadable": plain.shown(obj)[:200]}
    if is_class and parameters and parameters[0] == "self":
        parameters = parameters[1:]
    optimizer = is_class and issubclass(obj, torch.optim.Optimizer)
    return {"parameters": parameters, "optimizer": optimizer}


def fits(ex, data: dict) -> bool:
    """Whether a signature (as `signature` read it) is the exercise's."""
    if "unreadable" in data or (ex.kind == OPTIMIZER and not data["optimizer"]):
        return False
    return tuple(data["parameters"][: len(ex.signature)]) == ex.signature


# ------------------------------------------------------------------ the three kinds of exercise


def function_cases(ex, fn, seconds, seed) -> dict:
    return {"cases": [outcome(fn, case.inputs(), seconds) for case in ex.cases_for(seed)]}


# The epoch-order check: (50 rows, batches of 8, the generator's seed); before the last call the
# global generator is seeded otherwise, which must not change the order.
ORDER_CALLS = ((50, 8, 1), (50, 8, 1), (50, 8, 2), (50, 8, 1))


def batches(ex, fn, seconds, seed) -> dict:
    cases = [outcome(fn, case.inputs(), seconds) for case in ex.cases_for(seed)]
    order = []
    with torch.random.fork_rng(devices=[]):  # the global generator is the caller's
        for i, (n, size, generator_seed) in enumerate(ORDER_CALLS):
            if i == len(ORDER_CALLS) - 1:
                torch.manual_seed(123)  # the global generator must not matter
            order.append(outcome(fn, (n, size, generator(generator_seed)), seconds))
            if "result" not in order[-1]:
                break
    found = [*cases, *order]
    # A call stopped by the time limit ends the exercise: an epoch is one check.
    stopped = next((o["stopped"] for o in found if "stopped" in o), None)
    return {"stopped": stopped} if stopped else {"cases": cases, "order": order}


def optimizer_class_checks(ex, cls, seconds, seed, closure) -> dict:
    """check_optimizer(scope="course")'s probes on the student's class with the exercise's
    hyperparameters, and its path on the quadratic (for the likely mistakes' hint)."""
    factory = lambda params: cls(params, **ex.hyperparameters)  # noqa: E731
    limit = seconds * OPTIMIZER_TIME_FACTOR if seconds is not None else None
    try:
        with time_limit(limit):
            data = {"optimizer": runs.probe(factory, closure=closure, scope="course", seed=seed)}
            hint = runs.path_data(factory, quadratic(D), closure=closure, steps=8)
    except TimeLimit:
        return {"stopped": f"{limit:g}"}
    return data | {"hint_path": hint}


def still_a_stub(ex, cls, seconds) -> bool:
    """Whether building the class, or one step, still raises NotImplementedError."""
    params = [torch.nn.Parameter(torch.ones(2, dtype=D))]
    try:
        with time_limit(seconds):
            optimizer = cls(params, **ex.hyperparameters)
            params[0].grad = torch.ones(2, dtype=D)
            optimizer.step(lambda: (params[0] ** 2).sum())
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - anything else: the full check names it
        pass
    return False


def optimizer_exercise(ex, cls, seconds, seed, closure, fitting) -> dict:
    if isinstance(cls, type):
        try:
            if still_a_stub(ex, cls, seconds):
                raise NotDone
        except TimeLimit:
            return {"stopped": f"{seconds:g}"}
    if not fitting:
        return {}
    return optimizer_class_checks(ex, cls, seconds, seed, closure)


def probe_exercise(
    name: str, obj, *, seconds: float | None = TIME_LIMIT_S, seed=None, closure=False
) -> dict:
    """Everything an exercise's judge needs, read from the student's function or class.

    seconds: a call's time limit (None: none here; the grader's parent stops the process).
    seed: with a seed, the cases drawn from it too (hidden cases).
    closure: an optimizer exercise is stepped with step(closure) (NAG; the judge says which).
    """
    ex = EXERCISES[name]
    data = {"signature": signature(obj)}
    try:
        if ex.kind == OPTIMIZER:
            fitting = fits(ex, data["signature"])
            return data | optimizer_exercise(ex, obj, seconds, seed, closure, fitting)
        if ex.kind == BATCHES:
            return data | batches(ex, obj, seconds, seed)
        return data | function_cases(ex, obj, seconds, seed)
    except NotDone:
        return {"todo": True}
