"""Every setting checked at start, before data is loaded and before any file is written.

Each refusal names the key, the bad value and what would be valid, in a few lines; train.py turns it
into a non-zero exit. Hyperparameters are checked with the course's rules here, then the optimizer is
built once on a dummy parameter so its own validation runs too.
"""
from __future__ import annotations

import math
import os

from omegaconf import DictConfig, OmegaConf

from .nets import ACTIVATIONS  # the valid model.activation names live with the layers they build


class ConfigError(ValueError):
    """A bad setting: the message names the key, the value and what is valid."""


# The valid task and batching choices; nnref.data.module takes them from here.
TASKS = ("regression", "binary", "multiclass", "multilabel")
LOSSES = {"regression": ("mse",), "binary": ("ce", "mse"), "multiclass": ("ce", "mse"), "multilabel": ("ce",)}
BATCHINGS = ("full", "mini", "stochastic")


def check(cfg: DictConfig) -> None:
    check_task(cfg)
    check_data(cfg)
    check_model(cfg)
    check_optim(cfg)
    check_trainer(cfg)
    check_scheduler(cfg)


def _get(cfg, key, default=None):
    return OmegaConf.select(cfg, key, default=default)


def check_task(cfg):
    task = _get(cfg, "task.name")
    if task not in TASKS:
        raise ConfigError(f"task={task}: unknown; valid: {', '.join(TASKS)}")
    loss = _get(cfg, "task.loss")
    if loss not in LOSSES[task]:
        raise ConfigError(f"task.loss={loss}: not valid for task={task}; valid: {', '.join(LOSSES[task])}")
    if task == "multiclass":
        enc = _get(cfg, "task.encoding", "onehot")
        if enc not in ("onehot", "ordinal"):
            raise ConfigError(f"task.encoding={enc}: unknown; valid: onehot, ordinal")
        if enc == "ordinal" and loss != "mse":
            raise ConfigError("task.encoding=ordinal needs task.loss=mse (one sigmoid output trained towards the codes "
                              "1..0); valid pairs: onehot+ce, onehot+mse, ordinal+mse")
    elif _get(cfg, "task.encoding") is not None:
        raise ConfigError(f"task.encoding is only for task=multiclass, not task={task}")
    if task == "regression":
        out = _get(cfg, "task.output", "identity")
        if out not in ("identity", "sigmoid"):
            raise ConfigError(f"task.output={out}: unknown; valid: identity, sigmoid")
    elif _get(cfg, "task.output") is not None:
        raise ConfigError(f"task.output is only for task=regression, not task={task}")


def check_data(cfg):
    from .data.sources import SOURCES, TARGET_KINDS

    task, source = _get(cfg, "task.name"), _get(cfg, "data.source")
    if source not in SOURCES:
        raise ConfigError(f"data.source={source}: unknown; valid: {', '.join(SOURCES)}")
    batching = _get(cfg, "batching.name")
    if batching not in BATCHINGS:
        raise ConfigError(f"batching={batching}: unknown; valid: {', '.join(BATCHINGS)}")
    scale = _get(cfg, "batching.lr_scale", 1.0)
    if not _is_number(scale) or not 0 < scale <= 1e6:
        raise ConfigError(f"batching.lr_scale={scale}: must be a number > 0 (it multiplies optim.lr)")
    bs = _get(cfg, "data.batch_size")
    if not _is_int(bs) or bs < 1:
        raise ConfigError(f"data.batch_size={bs}: must be a positive integer (samples per update with batching=mini)")
    for key in ("data.val_fraction", "data.test_fraction"):
        v = _get(cfg, key)
        if not _is_number(v) or not 0 < v < 0.5:
            raise ConfigError(f"{key}={v}: must be a number in (0, 0.5)")
    if source == "csv":
        path = _get(cfg, "data.path")
        if not path:
            raise ConfigError("data.path is not set: give a CSV file, e.g. data.path=examples/red_black.csv")
        if not os.path.isfile(path):
            raise ConfigError(f"data.path={path}: no such file")
        if not _get(cfg, "data.target"):
            raise ConfigError("data.target is not set: name the target column of data.path")
        return
    kind, n_classes = TARGET_KINDS[source]
    fits = {
        "regression": kind == "number",
        "binary": kind == "classes" and n_classes == 2,
        "multiclass": kind == "classes",
        "multilabel": kind == "labels",
    }[task]
    if not fits:
        valid = [s for s, (k, n) in TARGET_KINDS.items() if {
            "regression": k == "number", "binary": k == "classes" and n == 2,
            "multiclass": k == "classes", "multilabel": k == "labels"}[task]]
        hint = " (it has 10 classes: use task=multiclass)" if kind == "classes" and task == "binary" else ""
        raise ConfigError(f"data={source} does not fit task={task}{hint}; data sets for task={task}: "
                          f"{', '.join(valid)}, or data=csv")


def check_model(cfg):
    hidden = _get(cfg, "model.hidden")
    hidden_list = OmegaConf.to_container(hidden) if OmegaConf.is_config(hidden) else hidden
    if not isinstance(hidden_list, (list, tuple)) or not all(_is_int(h) and h > 0 for h in hidden_list):
        raise ConfigError(f"model.hidden={hidden_list}: must be a list of positive integers, e.g. model.hidden=[64,32] "
                          "(or [] for no hidden layer)")
    act = _get(cfg, "model.activation")
    if act not in ACTIVATIONS:
        raise ConfigError(f"model.activation={act}: unknown; valid: {', '.join(ACTIVATIONS)}")


_UNIT_INTERVAL = ("momentum", "alpha", "dampening")


def check_optim(cfg):
    optim = _get(cfg, "optim")
    if optim is None or "_target_" not in optim:
        raise ConfigError("optim is not set: choose one of gd, momentum, nag, adagrad, rmsprop, adam (or torch_*)")
    for key, value in optim.items():
        if key.startswith("_"):
            continue
        if key == "lr" and not (_is_number(value) and value >= 0 and math.isfinite(value)):
            raise ConfigError(f"optim.lr={value}: must be a finite number >= 0")
        if key in _UNIT_INTERVAL and not (_is_number(value) and 0 <= value < 1):
            raise ConfigError(f"optim.{key}={value}: must be a number in [0, 1)")
        if key in ("eps", "weight_decay", "initial_accumulator_value") and not (_is_number(value) and value >= 0):
            raise ConfigError(f"optim.{key}={value}: must be a number >= 0")
        if key == "betas":
            betas = list(value) if OmegaConf.is_list(value) or isinstance(value, (list, tuple)) else None
            if betas is None or len(betas) != 2 or not all(_is_number(b) and 0 <= b < 1 for b in betas):
                raise ConfigError(f"optim.betas={value}: must be two numbers in [0, 1), e.g. optim.betas=[0.9,0.999]")
    # The optimizer's own checks, on a dummy parameter.
    import torch
    from hydra.utils import instantiate

    try:
        factory = instantiate(optim)
        factory([torch.zeros(1, requires_grad=True)])
    except Exception as e:  # noqa: BLE001 - any refusal becomes a config error naming the group
        msg = str(e).split("\n")[0]
        raise ConfigError(f"optim ({optim._target_}): {msg}; settings: "
                          f"{ {k: v for k, v in OmegaConf.to_container(optim).items() if not k.startswith('_')} }") from None


def check_scheduler(cfg):
    sched = _get(cfg, "scheduler")
    if not sched or "_target_" not in sched:
        return
    for key, value in sched.items():
        if key in ("step_size", "T_max") and not (_is_int(value) and value >= 1):
            raise ConfigError(f"scheduler.{key}={value}: must be a positive integer (epochs)")
        if key == "gamma" and not (_is_number(value) and 0 < value <= 1):
            raise ConfigError(f"scheduler.gamma={value}: must be a number in (0, 1] (the factor the lr is multiplied by)")
        if key == "eta_min" and not (_is_number(value) and value >= 0):
            raise ConfigError(f"scheduler.eta_min={value}: must be a number >= 0 (the lowest lr)")
    import torch
    from hydra.utils import instantiate

    try:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = instantiate(sched)(opt)
        for _ in range(2):  # some settings only fail when stepped (torch's StepLR takes step_size=0 until then)
            opt.step()
            scheduler.step()
    except Exception as e:  # noqa: BLE001
        raise ConfigError(f"scheduler ({sched._target_}): {str(e).splitlines()[0]}") from None


def check_trainer(cfg):
    epochs = _get(cfg, "trainer.max_epochs")
    if not _is_int(epochs) or epochs < 1:
        raise ConfigError(f"trainer.max_epochs={epochs}: must be a positive integer")
    seed = _get(cfg, "seed")
    if not _is_int(seed) or seed < 0:
        raise ConfigError(f"seed={seed}: must be an integer >= 0")
    ckpt = _get(cfg, "ckpt_path")
    if ckpt and not os.path.isfile(ckpt):
        raise ConfigError(f"ckpt_path={ckpt}: no such file (resume from RUN/checkpoints/last.ckpt)")


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


def refuse(error: Exception) -> None:
    """Print a refusal the way every nnref entry point does, and exit non-zero."""
    import sys

    print(f"nnref: error: {error}", file=sys.stderr)
    sys.exit(2)


try:
    from hydra.experimental.callback import Callback as _HydraCallback
except ImportError:  # pragma: no cover - hydra is a dependency
    _HydraCallback = object


class CheckSettings(_HydraCallback):
    """Hydra callback: check the settings before Hydra creates the run folder or writes anything.

    Under -m the shared settings are checked before the first job; each job's own values are checked
    again at the start of `run()`, so a bad value in the grid stops the sweep with the same message."""

    def on_run_start(self, config, **kwargs):
        self._check(config)

    def on_multirun_start(self, config, **kwargs):
        self._check(config)

    @staticmethod
    def _check(config):
        try:
            check(config)
        except ConfigError as e:
            refuse(e)
