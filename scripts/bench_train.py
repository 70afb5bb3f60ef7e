"""Steps per second of nnref as configured, against Lightning's floor, a textbook module and a plain
loop.

The same work for all four: digits, 64 -> 64 -> 10 ReLU, batches of 32 sliced from in-memory
tensors, momentum (lr 0.02, 0.9), a validation pass (loss and accuracy) after each epoch.

- plain: a PyTorch loop written by hand, no framework.
- floor: Lightning's least: a LightningModule with only training_step, no validation, checkpoint,
  logger or progress bar. No per-batch Trainer path can be faster.
- textbook: a LightningModule as the Lightning docs and lightning-hydra-template write one —
  torchmetrics objects updated and `self.log` called every step, Lightning's validation loop,
  ModelCheckpoint, the CSV logger and the default progress bar.
- nnref: `nnref.train.run` with the default config (task=multiclass optim=momentum batching=mini).

Each runner goes in turn, several rounds; the table shows median steps/s (optimizer steps over the
wall time of the fit) and the medians of per-round ratios.

    python scripts/bench_train.py [--rounds 5] [--epochs 30]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import lightning as L
import torch
import torch.nn.functional as F
import torchmetrics

from nnref import quiet
from nnref.data import Batches, TaskData
from nnref.nets import MLP
from nnref.optim import Momentum
from nnref.train import compose, run

logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
LR, GAMMA, BATCH = 0.02, 0.9, 32


def data():
    return TaskData(
        source="digits", target_encoding="onehot", batching="mini", batch_size=BATCH, seed=0
    ).load()


def plain(epochs: int, tmp: Path) -> float:
    dm = data()
    torch.manual_seed(0)
    net = MLP(64, [64], 10)
    opt = Momentum(net.parameters(), lr=LR, momentum=GAMMA)
    batches = Batches(dm.x_train, dm.y_train, BATCH, shuffle=True, seed=0)
    steps, start = 0, time.perf_counter()
    for epoch in range(epochs):
        batches.epoch_fn = lambda e=epoch: e
        for x, y in batches:
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
            steps += 1
        with torch.no_grad():
            logits = net(dm.x_val)
            (
                F.cross_entropy(logits, dm.y_val).item(),
                (logits.argmax(1) == dm.y_val).float().mean().item(),
            )
    return steps / (time.perf_counter() - start)


class Floor(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = MLP(64, [64], 10)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self.net(x), y)

    def configure_optimizers(self):
        return Momentum(self.parameters(), lr=LR, momentum=GAMMA)


class Textbook(Floor):
    """lightning-hydra-template's MNISTLitModule, on digits."""

    def __init__(self):
        super().__init__()
        self.train_acc = torchmetrics.Accuracy(task="multiclass", num_classes=10)
        self.val_acc = torchmetrics.Accuracy(task="multiclass", num_classes=10)
        self.train_loss, self.val_loss = torchmetrics.MeanMetric(), torchmetrics.MeanMetric()

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        loss = F.cross_entropy(logits, y)
        self.train_loss(loss)
        self.train_acc(logits.argmax(1), y)
        self.log("train/loss", self.train_loss, on_step=False, on_epoch=True, prog_bar=True)
        self.log("train/acc", self.train_acc, on_step=False, on_epoch=True, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.val_loss(F.cross_entropy(logits, y))
        self.val_acc(logits.argmax(1), y)
        self.log("val/loss", self.val_loss, on_step=False, on_epoch=True, prog_bar=True)
        self.log("val/acc", self.val_acc, on_step=False, on_epoch=True, prog_bar=True)


class Loaders(L.LightningDataModule):
    def __init__(self):
        super().__init__()
        self.dm = data()

    def train_dataloader(self):
        epoch = (lambda: self.trainer.current_epoch) if self.trainer is not None else (lambda: 0)
        return Batches(
            self.dm.x_train, self.dm.y_train, BATCH, shuffle=True, seed=0, epoch_fn=epoch
        )

    def val_dataloader(self):
        return Batches(self.dm.x_val, self.dm.y_val, len(self.dm.x_val))


def lightning(module_cls, epochs: int, tmp: Path, full: bool) -> float:
    torch.manual_seed(0)
    loaders = Loaders()
    if full:
        from lightning.pytorch.callbacks import ModelCheckpoint
        from lightning.pytorch.loggers import CSVLogger

        extra = dict(
            logger=CSVLogger(tmp), callbacks=[ModelCheckpoint(tmp / "ckpt", monitor="val/loss")]
        )
    else:
        extra = dict(
            logger=False, enable_checkpointing=False, enable_progress_bar=False, limit_val_batches=0
        )
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        default_root_dir=tmp,
        **extra,
    )
    start = time.perf_counter()
    # The progress bar.
    with (
        contextlib.redirect_stderr(io.StringIO()),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        trainer.fit(module_cls(), datamodule=loaders)
    return trainer.global_step / (time.perf_counter() - start)


def floor(epochs: int, tmp: Path) -> float:
    return lightning(Floor, epochs, tmp, full=False)


def textbook(epochs: int, tmp: Path) -> float:
    return lightning(Textbook, epochs, tmp, full=True)


def nnref_run(epochs: int, tmp: Path) -> float:
    cfg = compose(
        ["task=multiclass", "optim=momentum", "batching=mini", f"trainer.max_epochs={epochs}"], tmp
    )
    with contextlib.redirect_stdout(io.StringIO()):
        run(cfg)
    results = json.loads((tmp / "results.json").read_text())
    return results["steps"] / results["fit_seconds"]


def machine() -> str:
    """The machine and date, for the printed table."""
    import datetime
    import os
    import platform

    return (
        f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.system()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30, help="30: the default config's")
    args = parser.parse_args()
    quiet.install()
    torch.set_num_threads(1)  # as train.py runs (conf threads: 1)
    torch.set_flush_denormal(True)
    runners = {"plain": plain, "floor": floor, "textbook": textbook, "nnref": nnref_run}
    rates = {k: [] for k in runners}
    for _ in range(args.rounds):
        for name, fn in runners.items():
            with tempfile.TemporaryDirectory() as tmp:
                rates[name].append(fn(args.epochs, Path(tmp)))
    med = {k: statistics.median(v) for k, v in rates.items()}

    def ratio(a, b):
        return statistics.median(x / y for x, y in zip(rates[a], rates[b]))

    print(f"{machine()}, torch {torch.__version__}, lightning {L.__version__}")
    print(
        f"digits 64-64-10 ReLU, batch {BATCH}, momentum, {args.epochs} epochs, "
        f"validation each epoch; medians of {args.rounds} interleaved rounds\n"
    )
    print("| loop | steps/s |\n|---|---:|")
    for name in runners:
        print(f"| {name} | {med[name]:.0f} |")
    print(f"\nnnref / floor    = {ratio('nnref', 'floor'):.2f}  (goal >= 0.7)")
    print(f"nnref / textbook = {ratio('nnref', 'textbook'):.2f}  (goal >= 2.5)")
    print(f"floor / plain    = {ratio('floor', 'plain'):.2f}")


if __name__ == "__main__":
    main()
