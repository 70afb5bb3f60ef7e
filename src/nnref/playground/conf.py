"""Optimizers and lr schedules built from the repository's conf/ files, the way train.py builds them.

train.py instantiates conf/optim/NAME.yaml and conf/scheduler/NAME.yaml with Hydra; so does the
playground, with the user's lr, gamma and betas as overrides. The default lr of each optimizer is
therefore the one `python train.py optim=NAME` uses, and a schedule steps once per epoch, as in
TaskModule.configure_optimizers.
"""
from __future__ import annotations

from functools import lru_cache

from omegaconf import OmegaConf

from ..train import CONF

OPTIMIZERS = ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam")  # conf/optim names, nnref.optim's six
USES_GAMMA = ("momentum", "nag")
USES_BETAS = ("adam",)
SCHEDULES = ("none", "step", "exponential", "cosine")  # conf/scheduler names


@lru_cache(maxsize=None)
def optimizer_conf(name: str):
    return OmegaConf.load(CONF / "optim" / f"{name}.yaml")


@lru_cache(maxsize=None)
def schedule_conf(name: str):
    return OmegaConf.load(CONF / "scheduler" / f"{name}.yaml")


def default_lr(name: str) -> float:
    return float(optimizer_conf(name).lr)


def make_optimizer(name: str, params, lr: float, gamma: float = 0.9, betas=(0.9, 0.999)):
    """nnref.optim's NAME on params, from conf/optim/NAME.yaml with the user's lr (and gamma, betas)."""
    from hydra.utils import instantiate  # Hydra's import costs time; only a run needs it

    overrides = {"lr": float(lr)}
    if name in USES_GAMMA:
        overrides["momentum"] = float(gamma)
    if name in USES_BETAS:
        overrides["betas"] = [float(b) for b in betas]
    return instantiate(optimizer_conf(name), **overrides)(params)


def make_schedule(name: str, optimizer, epochs: int):
    """conf/scheduler/NAME.yaml on the optimizer (None for "none"); cosine spans the run's epochs."""
    cfg = schedule_conf(name)
    if "_target_" not in cfg:
        return None
    from hydra.utils import instantiate

    overrides = {"T_max": int(epochs)} if "T_max" in cfg else {}  # train.py: T_max = trainer.max_epochs
    return instantiate(cfg, **overrides)(optimizer)
