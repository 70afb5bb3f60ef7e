"""Argument checks shared by the optimizers: each raises ValueError naming the argument."""
import math


def _as_float(name, value, rule):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r} (must be a number {rule})") from None
    if math.isnan(number):
        raise ValueError(f"Invalid {name}: {value!r} (must be a number {rule})")
    return number


def check_non_negative(name, value):
    """lr, eps, weight_decay: a number >= 0 (NaN is rejected)."""
    if _as_float(name, value, ">= 0") < 0:
        raise ValueError(f"Invalid {name}: {value!r} (must be a number >= 0)")


def check_unit_interval(name, value):
    """momentum, alpha, beta1, beta2: a decay rate in [0, 1); 1 would never forget."""
    if not 0.0 <= _as_float(name, value, "in [0, 1)") < 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (must be a number in [0, 1))")


def check_betas(betas):
    """Adam's (beta1, beta2): a pair of decay rates."""
    try:
        count = len(betas)
    except TypeError:
        count = None
    if count != 2:
        raise ValueError(f"Invalid betas: {betas!r} (must be a pair (beta1, beta2))")
    check_unit_interval("betas[0]", betas[0])
    check_unit_interval("betas[1]", betas[1])
