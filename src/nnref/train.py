"""nnref-train (or `python train.py`): one run, wired in one place.

The path of a run: Hydra composes conf/train.yaml with the chosen groups -> every setting is
checked once (nnref.checks, before any file is written) -> `run(cfg)` builds the parts with
`instantiate` (nnref.parts) -> Trainer -> fit -> test -> results.json in the run folder.

    nnref-train task=multiclass optim=nag batching=mini    (see nnref/conf for every choice)
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

import hydra
import lightning as L
import torch
from hydra import compose as hydra_compose
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from . import checks, quiet
from .atomic_checkpoints import AtomicCheckpointIO
from .conf import register
from .data.sources import DataError
from .errors import ConfigError, refuse
from .files import write_atomic
from .parts import build_data, build_module, build_trainer, head_class

register()  # optim=NAME and batching=NAME come from the course's tables (nnref.conf)


# conf/ at the repository's top level, carried by the wheel as the package nnref.conf (setup.py)
@hydra.main(version_base="1.3", config_path="pkg://nnref.conf", config_name="train")
def main(cfg: DictConfig) -> float:
    """The console command: Hydra's command line -> run(cfg); a bad setting or file ends in one
    line."""
    quiet.install()
    try:
        return run(cfg)
    except (ConfigError, DataError) as error:
        refuse(error)


def compose(overrides=(), run_dir=None) -> DictConfig:
    """conf/train.yaml composed and checked as `nnref-train OVERRIDES...` would, for run(cfg) from
    Python.

    A bad setting raises nnref.errors.ConfigError, as the command line refuses it."""
    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="nnref.conf", version_base="1.3"):
        cfg = hydra_compose(
            "train",
            overrides=[*overrides, f"run_dir={run_dir or 'unused'}"],
            return_hydra_config=True,
        )
        HydraConfig.instance().set_config(cfg)  # choices() reads the chosen group names from it
    checks.check(cfg)
    return cfg


def choices(cfg: DictConfig) -> dict:
    """The names of the chosen config groups (Hydra's runtime choices where Hydra runs us)."""
    picked = dict(HydraConfig.get().runtime.choices) if HydraConfig.initialized() else {}
    target = str(cfg.optim.get("_target_", "?")).rsplit(".", 1)[-1].lower()
    return {
        "task": head_class(cfg).name,
        "optim": picked.get("optim") or target,
        "batching": cfg.batching.name,
        "data": cfg.data.source,
        "scheduler": picked.get("scheduler") or "none",
    }


def run(cfg: DictConfig, run_dir: str | os.PathLike | None = None) -> float:
    """Train, test, write results.json; return cfg.optimized_metric (the worst value if diverged).

    cfg is a checked config (compose(), or Hydra's through the CheckSettings callback)."""
    if run_dir is not None:
        cfg.run_dir = str(run_dir)
    resume_dir = resumed_run_dir(cfg.get("ckpt_path"))
    if resume_dir is not None:
        # Continue the run where it lives: its checkpoints (and the best-so-far record inside
        # them), its logs and its results.json, exactly as if it had never stopped.
        cfg.run_dir = str(resume_dir)
        print(f"nnref: resuming {resume_dir} from {cfg.ckpt_path}")
    run_dir = Path(cfg.run_dir)

    for name in ("lightning.pytorch", "lightning.fabric"):  # keep the console to what matters
        logging.getLogger(name).setLevel(logging.WARNING)
    # Trainer.profiler=simple's report.
    logging.getLogger("lightning.pytorch.profilers").setLevel(logging.INFO)
    L.seed_everything(cfg.seed, workers=True, verbose=False)
    torch.use_deterministic_algorithms(True)
    # Deterministic mode also fills each new tensor with NaN, to expose reads of uninitialised
    # memory. That guards against a bug class, not against nondeterminism, and costs on every
    # allocation.
    torch.utils.deterministic.fill_uninitialized_memory = False
    # Weights whose gradient is exactly 0 (e.g. from always-blank pixels) see their momentum decay
    # by gamma each step into denormal floats, which CPUs compute many times slower. Flush them.
    torch.set_flush_denormal(True)
    # These nets are small: one intra-op thread is as fast, and it does not stall when another
    # process (a parallel sweep job, a DDP rank) wants the other core.
    torch.set_num_threads(int(cfg.get("threads") or 1))

    dm = build_data(cfg)
    dm.setup()
    model = build_module(cfg, dm)
    trainer = build_trainer(cfg, plugins=[AtomicCheckpointIO()])

    start = time.perf_counter()
    trainer.fit(model, datamodule=dm, ckpt_path=cfg.get("ckpt_path"))
    fit_seconds = time.perf_counter() - start
    if model.diverged is None:
        # Test the best checkpoint by validation loss (the final weights when none is kept).
        trainer.test(
            model, datamodule=dm, ckpt_path=best_checkpoint_path(trainer) or None, verbose=False
        )

    results = make_results(cfg, trainer, model, fit_seconds, run_dir)
    minimise = not model.head.maximises(cfg.optimized_metric)
    if trainer.is_global_zero:
        write_json(run_dir / "results.json", results)
        print_summary(results, run_dir)
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        # Join the process group's threads now: left to the interpreter's exit, gloo's can abort the
        # process ("terminate called without an active exception") after the run has finished.
        torch.distributed.destroy_process_group()
    return objective(results, cfg.optimized_metric, minimise)


def resumed_run_dir(ckpt_path) -> Path | None:
    """RUN/checkpoints/last.ckpt -> RUN; None when not resuming from a run's checkpoints folder."""
    if not ckpt_path:
        return None
    path = Path(ckpt_path).resolve()
    return path.parent.parent if path.parent.name == "checkpoints" else None


def make_results(cfg, trainer, model, fit_seconds, run_dir: Path) -> dict:
    last = model.history[-1] if model.history else {}
    metrics = {k: v for k, v in last.items() if "/" in k}
    metrics.update(model.test_values)
    results = {
        **choices(cfg),
        "seed": int(cfg.seed),
        "status": "diverged" if model.diverged else "ok",
        "epochs": int(trainer.current_epoch),
        "steps": int(trainer.global_step),
        "fit_seconds": round(fit_seconds, 4),
        "metrics": {k: finite_or_none(v) for k, v in sorted(metrics.items())},
        "checkpoint": relative_checkpoint(trainer, run_dir),
        "lr_final": last.get("lr"),
        "history": [{k: finite_or_none(v) for k, v in row.items()} for row in model.history],
    }
    if model.diverged:
        results["diverged_at"] = model.diverged
    return results


def best_checkpoint_path(trainer) -> str:
    """The best checkpoint by the monitored metric; without one (no validation ran), the newest
    saved."""
    monitored = [
        c.best_model_path for c in trainer.checkpoint_callbacks if c.monitor and c.best_model_path
    ]
    newest = [
        c.best_model_path
        for c in trainer.checkpoint_callbacks
        if not c.monitor and c.best_model_path
    ]
    return (monitored or newest or [""])[0]


def relative_checkpoint(trainer, run_dir: Path):
    path = best_checkpoint_path(trainer)
    if not path:
        return None
    try:
        return str(Path(path).resolve().relative_to(run_dir.resolve()))
    except ValueError:
        return str(path)


def objective(results: dict, metric: str, minimise: bool) -> float:
    """The value a sweeper ranks: a diverged or missing metric counts as the worst possible."""
    value = results["metrics"].get(metric)
    if results["status"] != "ok" or value is None:
        return float("inf") if minimise else float("-inf")
    return float(value)


def write_json(path: Path, data: dict) -> None:
    """Whole or not at all (nnref.files)."""
    write_atomic(path, lambda f: f.write(json.dumps(data, indent=2) + "\n"))


def print_summary(results: dict, run_dir: Path) -> None:
    rows = [(k, v) for k, v in results["metrics"].items() if k.startswith("test/")]
    print(
        f"\n{results['task']} | optim={results['optim']} batching={results['batching']} "
        f"data={results['data']} seed={results['seed']} | status={results['status']} "
        f"epochs={results['epochs']} steps={results['steps']} fit={results['fit_seconds']:.1f}s"
    )
    for k, v in rows:
        print(f"  {k:<18} {v:.4f}" if v is not None else f"  {k:<18} nan")
    print(f"run folder: {shown_path(run_dir)}")


def shown_path(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def finite_or_none(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


if __name__ == "__main__":
    main()
