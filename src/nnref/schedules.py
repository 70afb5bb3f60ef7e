"""The learning-rate schedules nnref's configs offer (conf/scheduler: none, step, exponential,
cosine), and the checks torch's schedulers leave out.

torch's StepLR, ExponentialLR and CosineAnnealingLR take a step_size of 2.5, a negative gamma or a
negative floor without a word, and fail (or do something odd) only once stepped. `check` refuses
such a setting by name before anything is built; `build` makes the schedule the way nnref-train
does (T_max spans the run's epochs), for the loops that do not go through Hydra.
"""

from __future__ import annotations

import math
from importlib.resources import files

from .errors import InvalidSetting
from .locale.messages import _

# scheduler=NAME, each conf/scheduler/NAME.yaml: a constant lr first, then the decays.
SCHEDULES = ("none", "step", "exponential", "cosine")


def check(target: str, **settings) -> None:
    """A schedule's settings, by name: only those its class takes (its constructor's), and each
    of step_size and T_max (epochs), gamma and eta_min within what makes sense."""
    import inspect

    from hydra.utils import get_class

    takes = list(inspect.signature(get_class(target)).parameters)[1:]  # after the optimizer
    for key, value in settings.items():
        if key not in takes:
            why = _(
                "not a setting of {target}; its settings: {valid}",
                target=target,
                valid=", ".join(takes),
            )
            raise InvalidSetting(key, value, why)
        if key in ("step_size", "T_max") and not (_is_int(value) and value >= 1):
            raise InvalidSetting(key, value, _("must be a positive integer (epochs)"))
        if key == "gamma" and not (_is_number(value) and 0 < value <= 1):
            why = _("must be a number in (0, 1] (the factor the lr is multiplied by)")
            raise InvalidSetting(key, value, why)
        if key == "eta_min" and not (_is_number(value) and value >= 0):
            raise InvalidSetting(key, value, _("must be a number ≥ 0 (the lowest lr)"))


def build(name: str, optimizer, epochs: int):
    """conf/scheduler/NAME.yaml on the optimizer (None for "none"), T_max = epochs as nnref-train
    sets it from trainer.max_epochs."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    text = files("nnref.conf").joinpath("scheduler", f"{name}.yaml").read_text("utf-8")
    cfg = OmegaConf.create(text)
    if "_target_" not in cfg:
        return None
    overrides = {"T_max": int(epochs)} if "T_max" in cfg else {}
    return instantiate(cfg, **overrides)(optimizer)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)
