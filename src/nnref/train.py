"""run(cfg): the only place that wires data, task, optimizer and Trainer together.

Order (DESIGN.md): check every setting -> seed -> data module -> task module (sizes from the data,
optimizer as a partial) -> Trainer -> fit -> test -> results.json in the run folder.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import os
import time
import warnings
from pathlib import Path

import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from . import checks
from .checkpointing import AtomicCheckpointIO
from .data import TaskDataModule

MINIMISED = ("loss", "mse")

# Lightning 2.6 on torch 2.13 warns about a deprecated pytree API on every run; it is not ours to fix.
# (Here, not only in train.py, so joblib and submitit worker processes are quiet too.)
warnings.filterwarnings("ignore", message=".*treespec.*")


def choices(cfg: DictConfig) -> dict:
    """The names of the chosen config groups (Hydra's runtime choices where Hydra runs us)."""
    picked = {}
    try:
        from hydra.core.hydra_config import HydraConfig

        picked = dict(HydraConfig.get().runtime.choices)
    except Exception:  # noqa: BLE001 - not under Hydra (plain compose): fall back to the config itself
        pass
    target = str(cfg.optim.get("_target_", "?")).rsplit(".", 1)[-1].lower()
    return {
        "task": cfg.task.name,
        "optim": picked.get("optim") or target,
        "batching": cfg.batching.name,
        "data": cfg.data.name,
        "scheduler": picked.get("scheduler") or "none",
    }


def build_datamodule(cfg) -> TaskDataModule:
    args = OmegaConf.to_container(cfg.data.get("args", {}), resolve=True) or {}
    return TaskDataModule(
        source=cfg.data.source,
        task=cfg.task.name,
        batching=cfg.batching.name,
        batch_size=cfg.data.batch_size,
        val_fraction=cfg.data.val_fraction,
        test_fraction=cfg.data.test_fraction,
        seed=cfg.seed,
        encoding=cfg.task.get("encoding", "onehot"),
        target_scale="minmax" if cfg.task.get("output") == "sigmoid" else "standard",
        source_args={k: v for k, v in args.items() if v is not None},
    )


def build_task(cfg, dm: TaskDataModule):
    task_cfg = {k: v for k, v in OmegaConf.to_container(cfg.task, resolve=True).items() if k != "name"}
    scheduler = instantiate(cfg.scheduler) if cfg.get("scheduler") and "_target_" in cfg.scheduler else None
    optimizer = instantiate(cfg.optim)
    scale = float(cfg.batching.get("lr_scale", 1.0))
    if scale != 1.0:  # e.g. batching=stochastic: one-sample updates take smaller steps
        optimizer = functools.partial(optimizer, lr=cfg.optim.lr * scale)
    return instantiate(
        task_cfg,
        n_inputs=dm.n_features,
        n_outputs=dm.n_outputs,
        hidden=list(cfg.model.hidden),
        activation=cfg.model.activation,
        optimizer=optimizer,
        scheduler=scheduler,
        encoders=dm.encoders,
        _convert_="all",
    )


def build_trainer(cfg, **overrides):
    loggers = [instantiate(c) for c in (cfg.get("logger") or {}).values() if c and "_target_" in c]
    callbacks = [instantiate(c) for c in (cfg.get("callbacks") or {}).values() if c and "_target_" in c]
    if not loggers:  # LearningRateMonitor refuses to run without a logger; results.json keeps lr anyway
        callbacks = [c for c in callbacks if type(c).__name__ != "LearningRateMonitor"]
    from lightning.pytorch.callbacks import ModelCheckpoint

    keeps_checkpoints = any(isinstance(c, ModelCheckpoint) for c in callbacks)
    return instantiate(cfg.trainer, callbacks=callbacks, logger=loggers or False, default_root_dir=cfg.run_dir,
                       enable_checkpointing=keeps_checkpoints, plugins=[AtomicCheckpointIO()], **overrides)


def run(cfg: DictConfig, run_dir: str | os.PathLike | None = None) -> float:
    """Train, test, write results.json; return cfg.optimized_metric (the worst value if diverged)."""
    checks.check(cfg)
    if run_dir is not None:
        cfg.run_dir = str(run_dir)
    resume_dir = resumed_run_dir(cfg.get("ckpt_path"))
    if resume_dir is not None:
        # Continue the run where it lives: its checkpoints (and the best-so-far record inside
        # them), its logs and its results.json, exactly as if it had never stopped.
        cfg.run_dir = str(resume_dir)
        print(f"nnref: resuming {resume_dir} from {cfg.ckpt_path}")
    run_dir = Path(cfg.run_dir)

    import lightning as L

    for name in ("lightning.pytorch", "lightning.fabric"):  # keep the console to what matters
        logging.getLogger(name).setLevel(logging.WARNING)
    L.seed_everything(cfg.seed, workers=True, verbose=False)
    torch.use_deterministic_algorithms(True)
    # Weights whose gradient is exactly 0 (e.g. from always-blank pixels) see their momentum decay
    # by gamma each step into denormal floats, which made CPU steps up to 50x slower. Flush them.
    torch.set_flush_denormal(True)
    # These nets are small: one intra-op thread is as fast, and it does not collapse when another
    # process (a parallel sweep job, a DDP rank) wants the other core.
    torch.set_num_threads(int(cfg.get("threads") or 1))

    dm = build_datamodule(cfg)
    dm.setup()
    model = build_task(cfg, dm)
    trainer = build_trainer(cfg)

    start = time.perf_counter()
    trainer.fit(model, datamodule=dm, ckpt_path=cfg.get("ckpt_path"))
    fit_seconds = time.perf_counter() - start
    if model.diverged is None:
        # Test the best checkpoint by validation loss (the final weights when none is kept).
        best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
        trainer.test(model, datamodule=dm, ckpt_path=best or None, verbose=False)

    results = make_results(cfg, trainer, model, fit_seconds, run_dir)
    if trainer.is_global_zero:
        write_json(run_dir / "results.json", results)
        print_summary(results, run_dir)
    return objective(results, cfg.optimized_metric)


def resumed_run_dir(ckpt_path) -> Path | None:
    """RUN/checkpoints/last.ckpt -> RUN; None when not resuming from a run's checkpoints folder."""
    if not ckpt_path:
        return None
    path = Path(ckpt_path).resolve()
    return path.parent.parent if path.parent.name == "checkpoints" else None


def make_results(cfg, trainer, model, fit_seconds, run_dir: Path) -> dict:
    last = model.history[-1] if model.history else {}
    metrics = {k: v for k, v in last.items() if "/" in k}
    metrics.update(model.test_metrics)
    ckpt = _best_checkpoint(trainer, run_dir)
    results = {
        **choices(cfg),
        "seed": int(cfg.seed),
        "status": "diverged" if model.diverged else "ok",
        "epochs": int(trainer.current_epoch),
        "steps": int(trainer.global_step),
        "fit_seconds": round(fit_seconds, 4),
        "metrics": {k: _finite_or_none(v) for k, v in sorted(metrics.items())},
        "checkpoint": ckpt,
        "lr_final": last.get("lr"),
        "history": [{k: _finite_or_none(v) for k, v in row.items()} for row in model.history],
    }
    if model.diverged:
        results["diverged_at"] = model.diverged
    return results


def _best_checkpoint(trainer, run_dir: Path):
    cb = getattr(trainer, "checkpoint_callback", None)
    path = (cb.best_model_path or cb.last_model_path) if cb is not None else ""
    if not path:
        return None
    try:
        return str(Path(path).resolve().relative_to(run_dir.resolve()))
    except ValueError:
        return str(path)


def objective(results: dict, metric: str) -> float:
    """The value a sweeper ranks: a diverged or missing metric counts as the worst possible."""
    minimise = metric.rsplit("/", 1)[-1] in MINIMISED
    value = results["metrics"].get(metric)
    if results["status"] != "ok" or value is None:
        return float("inf") if minimise else float("-inf")
    return float(value)


def write_json(path: Path, data: dict) -> None:
    """Whole or not at all: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def print_summary(results: dict, run_dir: Path) -> None:
    rows = [(k, v) for k, v in results["metrics"].items() if k.startswith("test/")]
    print(f"\n{results['task']} | optim={results['optim']} batching={results['batching']} data={results['data']} "
          f"seed={results['seed']} | status={results['status']} epochs={results['epochs']} steps={results['steps']} "
          f"fit={results['fit_seconds']:.1f}s")
    for k, v in rows:
        print(f"  {k:<18} {v:.4f}" if v is not None else f"  {k:<18} nan")
    print(f"run folder: {run_dir}")


def _finite_or_none(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
