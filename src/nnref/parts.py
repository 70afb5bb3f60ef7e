"""The parts of one run, each built from its config group with Hydra's `instantiate`.

Every constructor checks its own arguments and raises a ValueError that names the key; here that
refusal becomes one ConfigError line (Hydra wraps a constructor's error in its own). Nothing below
this module reads the config: the parts take plain arguments, so each works from Python without
Hydra. Used by the early check (nnref.checks) and by the run itself (nnref.train).
"""

from __future__ import annotations

import functools

from hydra.utils import get_class, instantiate
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from omegaconf import DictConfig, OmegaConf

from .errors import ConfigError, first_line
from .heads import HEADS, Head
from .locale.messages import _


def built(make, where: str = ""):
    """make(), with a constructor's refusal (which Hydra wraps) as one ConfigError line."""
    try:
        return make()
    except ConfigError:
        raise
    except Exception as error:  # noqa: BLE001 - every refusal of a part becomes a line naming its key
        message = first_line(error.__cause__ or error)
        raise ConfigError(
            _("{where}: {message}", where=where, message=message) if where else message
        ) from None


def head_class(cfg: DictConfig) -> type[Head]:
    """The course head that conf/task's LightningModule shells."""
    target = OmegaConf.select(cfg, "task._target_")
    try:
        head = get_class(target).head_class
    except Exception:  # noqa: BLE001 - any import failure is "no such head"
        head = None
    if not (isinstance(head, type) and issubclass(head, Head)):
        raise ConfigError(
            _(
                "task._target_={target}: not a task head; valid: {valid}",
                target=target,
                valid=", ".join(f"task={name}" for name in HEADS),
            )
        )
    return head


def task_options(cfg: DictConfig) -> dict:
    """The head's settings from conf/task: loss and its own options (encoding, output, ...)."""
    return {
        k: v
        for k, v in OmegaConf.to_container(cfg.task, resolve=True).items()
        if not k.startswith("_")
    }


def target_encoding(cfg: DictConfig) -> str:
    options = task_options(cfg)
    options.pop("loss", None)
    return head_class(cfg).target_encoding(**options)


def build_data(cfg: DictConfig):
    """conf/data's data module, encoding targets the way the head asks (nothing is loaded yet)."""
    return built(
        lambda: instantiate(cfg.data, target_encoding=target_encoding(cfg), _convert_="all")
    )


def build_optimizer(cfg: DictConfig):
    """conf/optim's optimizer as a partial (the head calls it with its parameters)."""
    optimizer = built(lambda: instantiate(cfg.optim), "optim")
    scale = float(cfg.batching.get("lr_scale", 1.0))
    if scale != 1.0:  # e.g. batching=stochastic: one-sample updates take smaller steps
        optimizer = functools.partial(optimizer, lr=cfg.optim.lr * scale)
    return optimizer


def build_scheduler(cfg: DictConfig):
    """conf/scheduler's lr schedule as a partial, or None for a constant lr."""
    if not cfg.get("scheduler") or "_target_" not in cfg.scheduler:
        return None
    return built(lambda: instantiate(cfg.scheduler), f"scheduler ({cfg.scheduler._target_})")


def build_module(cfg: DictConfig, dm):
    """The head of conf/task on the body of conf/model, sized from the data (set up)."""
    n_outputs = head_class(cfg).output_size(dm.target_encoder)
    net = built(
        lambda: instantiate(cfg.model, n_inputs=dm.n_features, n_outputs=n_outputs, _convert_="all")
    )
    return built(
        lambda: instantiate(
            cfg.task,
            net=net,
            optimizer=build_optimizer(cfg),
            scheduler=build_scheduler(cfg),
            encoders=dm.encoders,
            _convert_="all",
        )
    )


def build_trainer(cfg: DictConfig, plugins=(), **overrides):
    """The Trainer of conf/trainer with conf/logger's loggers and conf/callbacks' callbacks."""
    loggers = [instantiate(c) for c in (cfg.get("logger") or {}).values() if c and "_target_" in c]
    callbacks = [
        instantiate(c) for c in (cfg.get("callbacks") or {}).values() if c and "_target_" in c
    ]
    # LearningRateMonitor refuses to run without a logger; results.json keeps lr anyway.
    if not loggers:
        callbacks = [c for c in callbacks if not isinstance(c, LearningRateMonitor)]
    keeps_checkpoints = any(isinstance(c, ModelCheckpoint) for c in callbacks)
    return built(
        lambda: instantiate(
            cfg.trainer,
            callbacks=callbacks,
            logger=loggers or False,
            default_root_dir=cfg.run_dir,
            enable_checkpointing=keeps_checkpoints,
            plugins=list(plugins),
            **overrides,
        ),
        "trainer",
    )
