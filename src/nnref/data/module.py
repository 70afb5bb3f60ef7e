"""The LightningDataModule: source -> encode -> split -> standardise -> tensors in memory -> batches.

Batches are sliced from in-memory tensors by index (no per-sample collate), which is most of the
speed difference between a default DataLoader and a plain PyTorch loop on data this small.
"""
from __future__ import annotations

import math

import lightning as L
import numpy as np
import torch

from ..checks import BATCHINGS, TASKS
from . import encoding, sources


class Batches:
    """One epoch of batches drawn by index from in-memory tensors.

    Each yielded batch is (x, y, n) where n is the size of the whole (global) batch. Under DDP every
    process takes its own shard `idx[rank::world_size]` of every batch (full batch included) and the
    loss is normalised by n / world_size, so averaging gradients across processes gives exactly the
    single-process update.

    The order is a fresh permutation each epoch from a generator seeded by (seed, epoch): a resumed
    run draws the same batches as an uninterrupted one, whatever happened before.
    """

    def __init__(self, x, y, batch_size, shuffle=False, seed=0, epoch_fn=lambda: 0, rank=0, world_size=1):
        self.x, self.y = x, y
        self.batch_size = max(1, min(int(batch_size), len(x)))
        self.shuffle, self.seed, self.epoch_fn = shuffle, seed, epoch_fn
        self.rank, self.world_size = rank, world_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def order(self, epoch: int) -> torch.Tensor:
        n = len(self.x)
        if not self.shuffle:
            return torch.arange(n)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(n, generator=g)

    def __iter__(self):
        order = self.order(self.epoch_fn())
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            n = len(idx)
            if self.world_size > 1:
                idx = idx[self.rank :: self.world_size]
            elif n == len(self.x) and not self.shuffle:
                yield self.x, self.y, n  # the whole split, in order: no copy
                continue
            yield self.x[idx], self.y[idx], n


class EpochItems:
    """What the Trainer iterates for training: the epoch's batches as one item (one process), or one
    item per batch (DDP, where each backward must follow its own forward through the DDP wrapper)."""

    def __init__(self, batches: Batches):
        self.batches = batches
        self.whole_epoch = batches.world_size == 1

    def __len__(self):
        return 1 if self.whole_epoch else len(self.batches)

    def __iter__(self):
        if self.whole_epoch:
            yield self.batches
        else:
            for batch in self.batches:
                yield [batch]


def stratified_split(n, labels=None, fractions=(0.15, 0.15), seed=0):
    """Row indices of (train, val, test), seeded. With labels, each class is split in the same
    proportions (stratified); without (regression, multi-label), one seeded shuffle is split."""
    rng = np.random.default_rng(seed)
    if labels is None:
        groups = [np.arange(n)]
    else:
        labels = np.asarray(labels)
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    parts = ([], [], [])
    for group in groups:
        group = rng.permutation(group)
        n_val = int(round(len(group) * fractions[0]))
        n_test = int(round(len(group) * fractions[1]))
        parts[1].append(group[:n_val])
        parts[2].append(group[n_val : n_val + n_test])
        parts[0].append(group[n_val + n_test :])
    return tuple(np.sort(np.concatenate(p)) for p in parts)


class TaskDataModule(L.LightningDataModule):
    """Plain arguments only (no config object), so it is usable from Python without Hydra."""

    def __init__(
        self,
        source: str = "digits",
        task: str = "multiclass",
        batching: str = "mini",
        batch_size: int = 32,
        val_fraction: float = 0.15,
        test_fraction: float = 0.15,
        seed: int = 0,
        encoding: str = "onehot",
        target_scale: str = "standard",
        source_args: dict | None = None,
    ):
        super().__init__()
        if task not in TASKS:
            raise ValueError(f"task={task}: unknown; valid: {', '.join(TASKS)}")
        if batching not in BATCHINGS:
            raise ValueError(f"batching={batching}: unknown; valid: {', '.join(BATCHINGS)}")
        self.source, self.task, self.batching = source, task, batching
        self.batch_size, self.seed = int(batch_size), int(seed)
        self.fractions = (float(val_fraction), float(test_fraction))
        self.encoding, self.target_scale = encoding, target_scale
        self.source_args = dict(source_args or {})
        self.encoders: dict = {}
        self._ready = False

    # ------------------------------------------------------------------ building the tensors
    def setup(self, stage=None):
        if self._ready:
            return
        args = dict(self.source_args)
        args.setdefault("seed", self.seed)
        src = sources.load(self.source, task=self.task, **args)
        self.source_info = src
        if src.n_rows < 3:
            raise sources.DataError(f"data: {src.name} has {src.n_rows} rows; need at least 3 to split")

        y_raw = src.target
        stratify = np.asarray(y_raw) if src.target_kind == "classes" else None
        train, val, test = stratified_split(src.n_rows, stratify, self.fractions, self.seed)
        self.split_index = {"train": train, "val": val, "test": test}

        # Features: statistics (means, stds, categories) from the training rows only.
        feats = encoding.FeatureEncoder.fit({k: v[train] for k, v in src.table.items()}, nominal=src.nominal)
        x = torch.from_numpy(feats.encode(src.table))
        y = torch.from_numpy(self._fit_target(y_raw, train))
        self.encoders = {"features": feats.to_dict(), "target": self.target_encoder.to_dict()}
        for part, idx in self.split_index.items():
            setattr(self, f"x_{part}", x[idx])
            setattr(self, f"y_{part}", y[idx])
        self._ready = True

    def _fit_target(self, y_raw, train) -> np.ndarray:
        if self.task == "regression":
            mode = "minmax" if self.target_scale == "minmax" else "standard"
            self.target_encoder = encoding.TargetScaler.fit(np.asarray(y_raw)[train], mode)
            return self.target_encoder.encode(y_raw)
        if self.task == "multilabel":
            self.target_encoder = encoding.MultiHotEncoder.fit(y_raw, self.source_args.get("label_sep", "|"))
            return self.target_encoder.encode(y_raw)
        if self.task == "binary":
            self.target_encoder = encoding.BinaryEncoder.fit(y_raw)
            return self.target_encoder.encode(y_raw)[:, None]
        cls = encoding.OrdinalEncoder if self.encoding == "ordinal" else encoding.OneHotEncoder
        self.target_encoder = cls.fit(y_raw)
        return self.target_encoder.encode(y_raw)  # class indices; ordinal codes are taken in the head

    # ------------------------------------------------------------------ sizes for the task head
    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        if self.task == "regression":
            return self.y_train.shape[1]
        if self.task == "binary":
            return 1
        if self.task == "multilabel":
            return self.y_train.shape[1]
        return 1 if self.encoding == "ordinal" else len(self.target_encoder.classes)

    @property
    def train_batch_size(self) -> int:
        return {"full": len(self.x_train), "mini": self.batch_size, "stochastic": 1}[self.batching]

    # ------------------------------------------------------------------ batches
    def _rank(self):
        trainer = self.trainer
        return (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)

    def _epoch(self):
        return self.trainer.current_epoch if self.trainer is not None else 0

    def train_dataloader(self):
        rank, world = self._rank()
        return EpochItems(Batches(self.x_train, self.y_train, self.train_batch_size, shuffle=self.batching != "full",
                                  seed=self.seed, epoch_fn=self._epoch, rank=rank, world_size=world))

    # No val_dataloader: the task module validates on x_val / y_val itself at the end of each
    # training epoch (TaskModule.validate), which costs far less than Lightning's validation loop.
    def _eval(self, x, y):
        # Every process evaluates the whole split, so metrics need no cross-process reduction.
        return Batches(x, y, batch_size=max(len(x), 1))

    def test_dataloader(self):
        return self._eval(self.x_test, self.y_test)
