"""Batch GD against mini-batch against stochastic GD (one sample per update) on one task.

The same task head, the same optimizer and lr, the same epochs; only the batch changes. Per
epoch, smaller batches take more updates (1, ceil(n/B), n) and get further; per update, the
whole batch takes the surest step; per second, mini-batches balance the two. Each run goes
through the project's own path: TaskDataModule (batching="full" | "mini" | "stochastic"), the
task module, `nnref.optim`, and a Lightning Trainer.
"""

from __future__ import annotations

import math
from functools import partial

import lightning as L
import torch

from ..data import BATCHINGS
from ..optim import GD
from .lightning_run import fit, setup


class TrainSetLoss(L.Callback):
    """The loss of the current weights on the whole training split, after each epoch.

    The module's own `train/loss` averages the losses met during the epoch, while the weights were
    still moving; measuring all three batchings on the same rows with the epoch's final weights
    compares them fairly."""

    def __init__(self, x, y):
        self.x, self.y, self.values = x, y, []

    @torch.no_grad()
    def on_train_epoch_end(self, trainer, module):
        self.values.append(float(module.head.loss(module(self.x), self.y)))


def train(
    batching: str,
    epochs: int,
    lr: float,
    batch_size: int,
    source: str,
    task: str,
    hidden,
    seed: int,
) -> dict:
    dm, module = setup(task, source, batching, batch_size, seed, hidden, partial(GD, lr=lr))
    data = dm.data
    with torch.no_grad():
        start_loss = float(module.head.loss(module(data.x_train), data.y_train))
    measure = TrainSetLoss(data.x_train, data.y_train)
    fit(dm, module, epochs, [measure])
    history = module.history
    return {
        "updates_per_epoch": len(data.train_batches()),
        "batch_size": data.train_batch_size,
        "epoch": [0] + [row["epoch"] + 1 for row in history],
        "step": [0] + [row["step"] for row in history],
        "seconds": [0.0] + [row["seconds"] for row in history],
        "train_loss": [start_loss] + measure.values,  # whole training split, after each epoch
        # The module's in-epoch mean.
        "train_loss_running": [row.get("train/loss") for row in history],
        "val_loss": [row.get("val/loss") for row in history],
        "n_train": len(data.x_train),
    }


def run(
    epochs: int = 10,
    lr: float = 0.05,
    batch_size: int = 32,
    source: str = "breast_cancer",
    task: str = "binary",
    hidden=(64,),
    seed: int = 0,
) -> dict:
    runs = {b: train(b, epochs, lr, batch_size, source, task, hidden, seed) for b in BATCHINGS}
    n = runs["full"]["n_train"]
    return {
        "n_train": n,
        "updates_per_epoch": {b: runs[b]["updates_per_epoch"] for b in BATCHINGS},
        "expected_updates_per_epoch": {
            "full": 1,
            "mini": math.ceil(n / batch_size),
            "stochastic": n,
        },
        "final_train_loss": {b: runs[b]["train_loss"][-1] for b in BATCHINGS},
        "final_val_loss": {b: runs[b]["val_loss"][-1] for b in BATCHINGS},
        "fit_seconds": {b: runs[b]["seconds"][-1] for b in BATCHINGS},
        "history": {
            b: {k: v for k, v in runs[b].items() if k not in ("n_train", "updates_per_epoch")}
            for b in BATCHINGS
        },
        "settings": {
            "source": source,
            "task": task,
            "optimizer": "GD",
            "lr": lr,
            "epochs": epochs,
            "batch_size_mini": batch_size,
            "hidden": list(hidden),
            "seed": seed,
            "train_loss": "loss of the epoch's final weights on the whole training split",
        },
    }
