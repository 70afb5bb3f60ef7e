"""Argument checks shared by the optimizers: each raises ValueError naming the argument."""

import math

import torch


def _as_float(name, value, rule):
    if torch.is_tensor(value) and value.numel() != 1:
        # float() would fail too, but with a message about conversion; the shape is the problem.
        raise ValueError(
            f"Invalid {name}: tensor of shape {tuple(value.shape)} "
            f"(Tensor {name} must be 1-element)"
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r} (must be a number {rule})") from None
    if math.isnan(number):
        raise ValueError(f"Invalid {name}: {value!r} (must be a number {rule})")
    return number


def check_non_negative(name, value):
    """lr, eps, weight_decay: a number >= 0 (NaN is rejected); a tensor must have 1 element."""
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


def check_bool(name, value):
    """maximize: True or False; a truthy string such as "False" would silently flip the sign."""
    if not isinstance(value, bool):
        raise ValueError(f"Invalid {name}: {value!r} (must be True or False)")


def as_number(lr):
    """A 1-element tensor lr (shape () or (1,)) as a Python float: alpha= and value= take numbers
    only."""
    return lr.item() if torch.is_tensor(lr) else lr
