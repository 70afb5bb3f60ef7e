"""Argument checks shared by the optimizers: each raises InvalidSetting (a ValueError) naming the
argument, in torch's words ("Invalid lr: -1 (must be a number >= 0)"), with why as a message for
the shells that name it their own way."""

import math

import torch

from ..errors import InvalidSetting
from ..locale.messages import _


def refuse(name, value, why, rule):
    raise InvalidSetting(name, value, why, f"Invalid {name}: {value!r} (must be {rule})")


def _as_float(name, value, why, rule):
    if torch.is_tensor(value) and value.numel() != 1:
        # float() would fail too, but with a message about conversion; the shape is the problem.
        raise InvalidSetting(
            name,
            value,
            _("a tensor must have 1 element, not the shape {shape}", shape=tuple(value.shape)),
            f"Invalid {name}: tensor of shape {tuple(value.shape)} "
            f"(Tensor {name} must be 1-element)",
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        refuse(name, value, why, f"a number {rule}")
    if math.isnan(number):
        refuse(name, value, why, f"a number {rule}")
    return number


def check_non_negative(name, value):
    """lr, eps, weight_decay: a number >= 0 (NaN is rejected); a tensor must have 1 element."""
    why = _("must be a number ≥ 0")
    if _as_float(name, value, why, ">= 0") < 0:
        refuse(name, value, why, "a number >= 0")


def check_unit_interval(name, value):
    """momentum, alpha, beta1, beta2: a decay rate in [0, 1); 1 would never forget."""
    why = _("must be a number ≥ 0 and < 1 (a decay rate: 1 would never forget)")
    if not 0.0 <= _as_float(name, value, why, "in [0, 1)") < 1.0:
        refuse(name, value, why, "a number in [0, 1)")


def check_betas(betas):
    """Adam's (beta1, beta2): a pair of decay rates."""
    try:
        count = len(betas)
    except TypeError:
        count = None
    if count != 2:
        refuse("betas", betas, _("must be a pair [β1, β2]"), "a pair (beta1, beta2)")
    check_unit_interval("betas[0]", betas[0])
    check_unit_interval("betas[1]", betas[1])


def check_bool(name, value):
    """maximize: True or False; a truthy string such as "False" would silently flip the sign."""
    if not isinstance(value, bool):
        refuse(name, value, _("must be true or false"), "True or False")


def as_number(lr):
    """A 1-element tensor lr (shape () or (1,)) as a Python float: alpha= and value= take numbers
    only."""
    return lr.item() if torch.is_tensor(lr) else lr
