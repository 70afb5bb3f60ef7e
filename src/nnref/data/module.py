"""The LightningDataModule: source -> encode -> split -> standardise -> tensors in memory -> batches.

Batches are sliced from in-memory tensors by index (no per-sample collate): on data this small,
that is most of the difference between a default DataLoader and a plain PyTorch loop. Each batch is
(x, y), as a DataLoader over a TensorDataset gives it, so a head trains the same on either.
"""
from __future__ import annotations

import math

import lightning as L
import numpy as np
import torch

from . import encoding, sources

BATCHINGS = ("full", "mini", "stochastic")  # the whole training split, batch_size rows, one row per update


class Batches:
    """One epoch of (x, y) batches drawn by index from in-memory tensors.

    The order is a fresh permutation each epoch from a generator seeded by (seed, epoch): a resumed
    run draws the same batches as an uninterrupted one, whatever happened before. Under DDP every
    process takes its own shard `idx[rank::world_size]` of every batch, the full batch included.
    """

    def __init__(self, x, y, batch_size, shuffle=False, seed=0, epoch_fn=lambda: 0, rank=0, world_size=1):
        self.x, self.y = x, y
        self.batch_size = max(1, min(int(batch_size), len(x)))
        self.shuffle, self.seed, self.epoch_fn = shuffle, seed, epoch_fn
        self.rank, self.world_size = rank, world_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def order(self, epoch: int) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(len(self.x))
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(len(self.x), generator=g)

    def __iter__(self):
        if not self.shuffle and self.world_size == 1 and self.batch_size == len(self.x):
            yield self.x, self.y  # the whole split, in order: no copy
            return
        order = self.order(self.epoch_fn())
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size][self.rank :: self.world_size]
            yield self.x[idx], self.y[idx]


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
    """Plain arguments only (no config object), so it is usable from Python without Hydra.

    `target_encoding` is the head's choice (`HEADS[task].target_encoding(...)`, passed in by
    train.py): the data module knows how to encode targets, not which task wants which.
    Any further keyword is a setting of the source (data.path=... for data=csv, data.n_samples=...).
    """

    def __init__(self, source: str = "digits", target_encoding: str = "onehot", batching: str = "mini",
                 batch_size: int = 32, val_fraction: float = 0.15, test_fraction: float = 0.15, seed: int = 0,
                 **source_args):
        super().__init__()
        if source not in sources.SOURCES:
            raise ValueError(f"data.source={source}: unknown; valid: {', '.join(sources.SOURCES)}")
        if target_encoding not in encoding.TARGET_ENCODINGS:
            raise ValueError(f"target_encoding={target_encoding}: unknown; valid: {', '.join(encoding.TARGET_ENCODINGS)}")
        if batching not in BATCHINGS:
            raise ValueError(f"batching={batching}: unknown; valid: {', '.join(BATCHINGS)}")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"data.batch_size={batch_size}: must be a positive integer (samples per update with "
                             "batching=mini)")
        for key, value in (("data.val_fraction", val_fraction), ("data.test_fraction", test_fraction)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 0.5:
                raise ValueError(f"{key}={value}: must be a number in (0, 0.5)")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed={seed}: must be an integer >= 0")
        self.source, self.target_encoding, self.batching = source, target_encoding, batching
        self.batch_size, self.seed = batch_size, seed
        self.fractions = (float(val_fraction), float(test_fraction))
        self.source_args = {k: v for k, v in source_args.items() if v is not None}
        sources.check_settings(source, **self.source_args)
        self.encoders: dict = {}
        self.target_encoder = None

    # ------------------------------------------------------------------ building the tensors
    def setup(self, stage=None):
        if self.target_encoder is not None:
            return
        kind, n_classes = encoding.TARGET_ENCODINGS[self.target_encoding]
        src = sources.load(self.source, seed=self.seed, kind=kind, n_classes=n_classes, **self.source_args)
        self.source_info = src  # the rows as the source gave them, before encoding
        if src.target_kind != kind:
            raise sources.DataError(f"data={self.source}: its target is {src.target_kind}, but the "
                                    f"{self.target_encoding} encoding needs {kind}")
        if src.n_rows < 3:
            raise sources.DataError(f"data: {src.name} has {src.n_rows} rows; need at least 3 to split")

        stratify = np.asarray(src.target) if kind == "classes" else None
        train, val, test = stratified_split(src.n_rows, stratify, self.fractions, self.seed)
        self.split_index = {"train": train, "val": val, "test": test}

        # Feature statistics (means, stds, categories) and the target scaler from the training rows
        # only; class and label names from every row, so a class missing from training still has its output.
        feats = encoding.FeatureEncoder.fit({k: v[train] for k, v in src.table.items()}, nominal=src.nominal)
        fit_on = np.asarray(src.target)[train] if kind == "number" else src.target
        self.target_encoder = encoding.fit_target_encoder(self.target_encoding, fit_on,
                                                          self.source_args.get("label_sep", "|"))
        x = torch.from_numpy(feats.encode(src.table))
        y = torch.from_numpy(self.target_encoder.encode(src.target))
        if y.dtype.is_floating_point and y.ndim == 1:
            y = y[:, None]  # one float target per row: a column, like the output it is compared with
        self.encoders = {"features": feats.to_dict(), "target": self.target_encoder.to_dict()}
        for part, idx in self.split_index.items():
            setattr(self, f"x_{part}", x[idx])
            setattr(self, f"y_{part}", y[idx])

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def train_batch_size(self) -> int:
        return {"full": len(self.x_train), "mini": self.batch_size, "stochastic": 1}[self.batching]

    # ------------------------------------------------------------------ batches
    def train_dataloader(self):
        trainer = self.trainer
        rank, world = (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)
        # overfit_batches trains on the same first batches every epoch, so they are not reshuffled.
        shuffle = self.batching != "full" and not (trainer is not None and trainer.overfit_batches)
        return Batches(self.x_train, self.y_train, self.train_batch_size, shuffle=shuffle, seed=self.seed,
                       epoch_fn=lambda: self.trainer.current_epoch if self.trainer is not None else 0,
                       rank=rank, world_size=world)

    # Every process evaluates the whole split in one batch, so metrics need no cross-process reduction.
    def val_dataloader(self):
        return Batches(self.x_val, self.y_val, batch_size=max(len(self.x_val), 1))

    def test_dataloader(self):
        return Batches(self.x_test, self.y_test, batch_size=max(len(self.x_test), 1))
