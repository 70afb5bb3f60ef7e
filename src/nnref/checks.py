"""Every setting checked once, before data is loaded and before any file is written.

Each part checks its own settings, and refuses a bad one by name (nnref.errors.InvalidSetting):
the optimizer (`check_hyperparameters`), the head (`check_options`), the body (`check_body`), the
data module (its constructor, which loads nothing), the schedule (nnref.schedules.check). Here those
checks are asked for up front, each refusal becoming one line that names the config key, and what
no single part can see, the rules between settings, is checked too:
- the data set must fit the head (a 10-class set cannot train the binary head);
- NAG cannot accumulate gradients over micro-batches (see nnref.optim.NAG);
- a resumed run's checkpoint must exist.

`nnref-train` checks through the Hydra callback below, before Hydra creates the run folder;
`nnref.train.compose()` checks the config it composes.
"""

from __future__ import annotations

import math
import os

from hydra.experimental.callback import Callback
from hydra.types import RunMode
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from . import schedules
from .data.sources import SOURCES, TARGET_KINDS
from .data.splits import TaskData
from .errors import ConfigError, InvalidSetting, refuse
from .locale.messages import _, _n
from .nets import check_body
from .optim import OPTIMIZERS
from .parts import built, head_class, task_options

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
            _(
                "batching.lr_scale={value}: must be a number > 0 (it multiplies optim.lr)",
                value=scale,
            )
        )
    source = _get(cfg, "data.source")
    if source not in SOURCES:
        raise ConfigError(
            _(
                "{key}={value}: unknown; valid: {valid}",
                key="data.source",
                value=source,
                valid=", ".join(SOURCES),
            )
        )
    if source in TARGET_KINDS and not head.fits(*TARGET_KINDS[source]):
        raise ConfigError(unfitting(source, head))
    # The data module's own checks, on the settings alone (its constructor loads nothing).
    settings = {
        k: v
        for k, v in OmegaConf.to_container(cfg.data, resolve=True).items()
        if not k.startswith("_")
    }
    options = task_options(cfg)
    options.pop("loss", None)
    built(lambda: TaskData(target_encoding=head.target_encoding(**options), **settings))


def unfitting(source: str, head) -> str:
    """Why a bundled data set does not fit the head, and which ones do."""
    kind, n_classes = TARGET_KINDS[source]
    fitting = ", ".join(s for s, k in TARGET_KINDS.items() if head.fits(*k))
    if kind == "classes" and n_classes:
        return _n(
            "data={source} does not fit task={task} (it has {n} class: use task=multiclass); "
            "data sets for task={task}: {fitting}, or data=csv",
            "data={source} does not fit task={task} (it has {n} classes: use task=multiclass); "
            "data sets for task={task}: {fitting}, or data=csv",
            n_classes,
            source=source,
            task=head.name,
            fitting=fitting,
        )
    return _(
        "data={source} does not fit task={task}; data sets for task={task}: {fitting}, or data=csv",
        source=source,
        task=head.name,
        fitting=fitting,
    )


def course_optimizer(target: str, settings: dict):
    """The course optimizer a config names: nnref.optim.NAME, or the one whose torch twin it is
    and whose settings it has (optim=torch_NAME takes them, held to the same rules)."""
    for entry in OPTIMIZERS.values():
        if target == f"nnref.optim.{entry.cls.__name__}":
            return entry
    for entry in OPTIMIZERS.values():
        twin = f"{entry.twin.__module__.rsplit('.', 1)[0]}.{entry.twin.__name__}"
        own = {k for k in settings if k not in entry.twin_settings}
        flags = all(settings.get(k) == v for k, v in entry.twin_settings.items())
        if target == twin and flags and own <= set(entry.hyperparameters()):
            return entry
    return None


def check_optim(cfg):
    """The optimizer's own check (nnref.optim's check_hyperparameters), naming optim.KEY."""
    optim = _get(cfg, "optim")
    if optim is None or "_target_" not in optim:
        raise ConfigError(
            _(
                "optim is not set: choose one of gd, momentum, nag, adagrad, rmsprop, adam "
                "(or torch_*)"
            )
        )
    given = {
        k: v
        for k, v in OmegaConf.to_container(optim, resolve=True).items()
        if not k.startswith("_")
    }
    entry = course_optimizer(optim._target_, given)
    if entry is None:
        return  # another optimizer: its constructor checks its own settings when the run builds it
    settings = {k: v for k, v in given.items() if k not in entry.twin_settings}
    unknown = sorted(set(settings) - set(entry.hyperparameters()))
    if unknown:
        valid = ", ".join(f"optim.{k}" for k in entry.hyperparameters())
        raise ConfigError(
            _(
                "optim.{key}: not a setting of optim={optim}; its settings: {valid}",
                key=unknown[0],
                optim=entry.name,
                valid=valid,
            )
        )
    try:
        entry.cls.check_hyperparameters(**settings)
    except InvalidSetting as error:
        # The optimizer's own text is torch's English; its why is a message. An element (betas[1])
        # is named inside its setting (optim.betas).
        key = error.key.split("[")[0]
        why = error.why
        if key != error.key:
            why = _("{key}={value}: {why}", key=error.key, value=error.value, why=why)
        raise ConfigError(
            _("optim.{key}={value}: {why}", key=key, value=settings[key], why=why)
        ) from None


def check_scheduler(cfg):
    """The schedule's own check (nnref.schedules): torch's take senseless values without a word."""
    sched = _get(cfg, "scheduler")
    if not sched or "_target_" not in sched:
        return
    settings = {k: v for k, v in sched.items() if not k.startswith("_")}
    try:
        schedules.check(sched._target_, **settings)
    except InvalidSetting as error:
        raise ConfigError(
            _(
                "scheduler ({target}): scheduler.{key}={value}: {why}",
                target=sched._target_,
                key=error.key,
                value=error.value,
                why=error.why,
            )
        ) from None


def check_trainer(cfg):
    epochs = _get(cfg, "trainer.max_epochs")
    if not _is_int(epochs) or epochs < 1:
        raise ConfigError(
            _("{key}={value}: must be a positive integer", key="trainer.max_epochs", value=epochs)
        )
    seed = _get(cfg, "seed")
    if not _is_int(seed) or seed < 0:
        raise ConfigError(_("{key}={value}: must be an integer >= 0", key="seed", value=seed))
    accumulate = _get(cfg, "trainer.accumulate_grad_batches", 1)
    if accumulate not in (None, 1) and getattr(
        _optimizer_class(cfg), "gradient_at_lookahead", False
    ):
        raise ConfigError(
            _(
                "trainer.accumulate_grad_batches={value} cannot be used with optim={optim}: NAG "
                "takes its gradient at the look-ahead point inside optimizer.step(closure), but "
                "Lightning runs every micro-batch but the last outside that closure, at w; use "
                "accumulate_grad_batches=1 or data.batch_size for larger batches",
                value=accumulate,
                optim=_get(cfg, "optim._target_"),
            )
        )
    ckpt = _get(cfg, "ckpt_path")
    if ckpt and not os.path.isfile(ckpt):
        raise ConfigError(
            _("ckpt_path={path}: no such file (resume from RUN/checkpoints/last.ckpt)", path=ckpt)
        )


def _optimizer_class(cfg):
    try:
        return get_class(_get(cfg, "optim._target_"))
    except Exception:  # noqa: BLE001
        return None


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
