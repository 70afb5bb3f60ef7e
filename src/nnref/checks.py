"""Every setting checked once, before data is loaded and before any file is written.

Each part checks its own arguments (nnref.parts builds them, and turns a refusal into one line that
names the key). Here each part is built once on nothing (no data loaded, a dummy parameter for the
optimizer), and what no single part can see, the rules between settings, is checked too:
- the data set must fit the head (a 10-class set cannot train the binary head);
- NAG cannot accumulate gradients over micro-batches (see nnref.optim.NAG);
- a resumed run's checkpoint must exist.

`nnref-train` checks through the Hydra callback below, before Hydra creates the run folder;
`nnref.train.compose()` checks the config it composes.
"""

from __future__ import annotations

import math
import os

import torch
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from .data.sources import SOURCES, TARGET_KINDS
from .data.splits import TaskData
from .errors import ConfigError, refuse
from .nets import check_body
from .parts import build_optimizer, build_scheduler, built, head_class, task_options

__all__ = ["ConfigError", "check", "CheckSettings"]


def check(cfg: DictConfig) -> None:
    head = check_task(cfg)
    check_data(cfg, head)
    built(
        lambda: check_body(
            OmegaConf.select(cfg, "model.hidden"), OmegaConf.select(cfg, "model.activation")
        )
    )
    check_optim(cfg)
    check_scheduler(cfg)
    check_trainer(cfg)


def _get(cfg, key, default=None):
    return OmegaConf.select(cfg, key, default=default)


def check_task(cfg):
    head = head_class(cfg)
    options = task_options(cfg)
    loss = options.pop("loss", None) or next(iter(head.losses))
    built(lambda: head.check_options(loss, **options))
    return head


def check_data(cfg, head):
    scale = _get(cfg, "batching.lr_scale", 1.0)
    if not _is_number(scale) or not 0 < scale <= 1e6:
        raise ConfigError(
            f"batching.lr_scale={scale}: must be a number > 0 (it multiplies optim.lr)"
        )
    source = _get(cfg, "data.source")
    if source not in SOURCES:
        raise ConfigError(f"data.source={source}: unknown; valid: {', '.join(SOURCES)}")
    if source in TARGET_KINDS and not head.fits(*TARGET_KINDS[source]):
        kind, n_classes = TARGET_KINDS[source]
        fitting = [s for s, k in TARGET_KINDS.items() if head.fits(*k)]
        hint = (
            f" (it has {n_classes} classes: use task=multiclass)"
            if kind == "classes" and n_classes
            else ""
        )
        raise ConfigError(
            f"data={source} does not fit task={head.name}{hint}; data sets for task={head.name}: "
            f"{', '.join(fitting)}, or data=csv"
        )
    # The data's own checks, on the settings alone: the data module itself is built by the run.
    settings = {
        k: v
        for k, v in OmegaConf.to_container(cfg.data, resolve=True).items()
        if not k.startswith("_")
    }
    options = task_options(cfg)
    options.pop("loss", None)
    built(lambda: TaskData(target_encoding=head.target_encoding(**options), **settings))


def check_optim(cfg):
    """The optimizer's own checks, on a dummy parameter; its refusal names the optim.KEY it is
    about."""
    optim = _get(cfg, "optim")
    if optim is None or "_target_" not in optim:
        raise ConfigError(
            "optim is not set: choose one of gd, momentum, nag, adagrad, rmsprop, adam (or torch_*)"
        )
    try:
        build_optimizer(cfg)([torch.zeros(1, requires_grad=True)])
    except Exception as error:  # noqa: BLE001 - any refusal becomes a config error naming the key
        message = str(error).removeprefix("optim: ").strip().splitlines()[0]
        settings = {k: v for k, v in OmegaConf.to_container(optim).items() if not k.startswith("_")}
        words = message.replace("learning rate", "lr").replace("beta parameter", "betas")
        key = next((k for k in sorted(settings, key=len, reverse=True) if k in words), None)
        where = f"optim.{key}={_show(settings[key])}" if key else f"optim ({optim._target_})"
        raise ConfigError(f"{where}: {message}") from None


def check_scheduler(cfg):
    """torch's schedulers take some settings that make no sense (gamma < 0, step_size 2.5) without a
    word."""
    sched = _get(cfg, "scheduler")
    if not sched or "_target_" not in sched:
        return
    for key, value in sched.items():
        if key in ("step_size", "T_max") and not (_is_int(value) and value >= 1):
            raise ConfigError(f"scheduler.{key}={value}: must be a positive integer (epochs)")
        if key == "gamma" and not (_is_number(value) and 0 < value <= 1):
            raise ConfigError(
                f"scheduler.gamma={value}: must be a number in "
                f"(0, 1] (the factor the lr is multiplied by)"
            )
        if key == "eta_min" and not (_is_number(value) and value >= 0):
            raise ConfigError(f"scheduler.eta_min={value}: must be a number >= 0 (the lowest lr)")

    def stepped():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = build_scheduler(cfg)(opt)
        for _ in range(
            2
        ):  # some settings only fail when stepped (torch's StepLR takes step_size=0 until then)
            opt.step()
            scheduler.step()

    built(stepped, f"scheduler ({sched._target_})")


def check_trainer(cfg):
    epochs = _get(cfg, "trainer.max_epochs")
    if not _is_int(epochs) or epochs < 1:
        raise ConfigError(f"trainer.max_epochs={epochs}: must be a positive integer")
    seed = _get(cfg, "seed")
    if not _is_int(seed) or seed < 0:
        raise ConfigError(f"seed={seed}: must be an integer >= 0")
    accumulate = _get(cfg, "trainer.accumulate_grad_batches", 1)
    if accumulate not in (None, 1) and getattr(
        _optimizer_class(cfg), "gradient_at_lookahead", False
    ):
        raise ConfigError(
            f"trainer.accumulate_grad_batches={accumulate} cannot be used with "
            f"optim={_get(cfg, 'optim._target_')}: NAG takes its gradient at the "
            "look-ahead point inside optimizer.step(closure), but Lightning "
            "runs every micro-batch but the last outside that closure, at w; "
            "use accumulate_grad_batches=1 or data.batch_size for larger batches"
        )
    ckpt = _get(cfg, "ckpt_path")
    if ckpt and not os.path.isfile(ckpt):
        raise ConfigError(f"ckpt_path={ckpt}: no such file (resume from RUN/checkpoints/last.ckpt)")


def _optimizer_class(cfg):
    try:
        return get_class(_get(cfg, "optim._target_"))
    except Exception:  # noqa: BLE001
        return None


def _show(value):
    return OmegaConf.to_container(value) if OmegaConf.is_config(value) else value


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and not (isinstance(v, float) and math.isnan(v))
    )


class CheckSettings(Callback):
    """Hydra callback: check the settings before Hydra creates a run folder or writes anything.

    A single run is checked before its folder exists. Under -m the settings every job shares are
    checked before the sweep's folder exists, and each job's own values (the swept ones) when it
    starts, so a bad value in the grid stops the sweep with the same message."""

    def on_run_start(self, config, **kwargs):
        self.check(config)

    def on_multirun_start(self, config, **kwargs):
        self.check(config)

    def on_job_start(self, config, **kwargs):
        if config.hydra.mode == RunMode.MULTIRUN:
            self.check(config)

    @staticmethod
    def check(config):
        try:
            check(config)
        except ConfigError as error:
            refuse(error)
