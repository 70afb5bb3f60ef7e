"""A task's data in memory: source -> encode -> split -> standardise -> tensors, in torch alone.

`TaskData` is what every loop trains on: the Lightning data module (nnref.data.module) wraps one,
and the plain loop, the experiments and the playground use one directly. Its constructor checks its
arguments (naming the key) and loads nothing; `load()` reads the source once.
"""

from __future__ import annotations

import numpy as np
import torch

from ..locale.messages import _, _n
from . import encoding, sources
from .batches import BATCHINGS, Batches

PARTS = ("train", "val", "test")


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


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class TaskData:
    """Plain arguments only (no config object), so it is usable from Python without Hydra.

    `target_encoding` is the head's choice (`HEADS[task].target_encoding(...)`): the data knows how
    to encode targets, not which task wants which. Any further keyword is a setting of the source
    (path=... for source="csv", n_samples=...).
    """

    def __init__(
        self,
        source: str = "digits",
        target_encoding: str = "onehot",
        batching: str = "mini",
        batch_size: int = 32,
        val_fraction: float = 0.15,
        test_fraction: float = 0.15,
        seed: int = 0,
        **source_args,
    ):
        for key, value, valid in (
            ("data.source", source, sources.SOURCES),
            ("target_encoding", target_encoding, encoding.TARGET_ENCODINGS),
            ("batching", batching, BATCHINGS),
        ):
            if value not in valid:
                raise ValueError(
                    _(
                        "{key}={value}: unknown; valid: {valid}",
                        key=key,
                        value=value,
                        valid=", ".join(valid),
                    )
                )
        if not _positive_int(batch_size):
            raise ValueError(
                _(
                    "data.batch_size={value}: must be a positive integer (samples per update with "
                    "batching=mini)",
                    value=batch_size,
                )
            )
        for key, value in (
            ("data.val_fraction", val_fraction),
            ("data.test_fraction", test_fraction),
        ):
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not 0 < value < 0.5
            ):
                raise ValueError(
                    _("{key}={value}: must be a number in (0, 0.5)", key=key, value=value)
                )
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(_("{key}={value}: must be an integer >= 0", key="seed", value=seed))
        self.source_name, self.target_encoding, self.batching = source, target_encoding, batching
        self.batch_size, self.seed = batch_size, seed
        self.fractions = (float(val_fraction), float(test_fraction))
        self.source_args = {k: v for k, v in source_args.items() if v is not None}
        sources.check_settings(source, **self.source_args)
        self.source = None  # the rows as the source gave them, before encoding (after load)
        self.encoders: dict = {}
        self.target_encoder = None
        self.split_index: dict = {}
        self.tensors: dict = {}  # part -> (x, y)

    def load(self) -> TaskData:
        """Read, encode and split the source (once); returns self."""
        if self.target_encoder is not None:
            return self
        kind, n_classes = encoding.TARGET_ENCODINGS[self.target_encoding]
        src = sources.load(
            self.source_name, seed=self.seed, kind=kind, n_classes=n_classes, **self.source_args
        )
        if src.target_kind != kind:
            raise sources.DataError(
                _(
                    "data={source}: its target is {kind}, but the {encoding} encoding needs "
                    "{needs}",
                    source=self.source_name,
                    kind=src.target_kind,
                    encoding=self.target_encoding,
                    needs=kind,
                )
            )
        if src.n_rows < 3:
            raise sources.DataError(
                _n(
                    "data: {name} has {n} row; need at least 3 to split",
                    "data: {name} has {n} rows; need at least 3 to split",
                    src.n_rows,
                    name=src.name,
                )
            )

        stratify = np.asarray(src.target) if kind == "classes" else None
        split = stratified_split(src.n_rows, stratify, self.fractions, self.seed)
        self.split_index = dict(zip(PARTS, split))
        train = self.split_index["train"]

        # Feature statistics (means, stds, categories) and the target scaler from the training rows
        # only; class and label names from every row, so a class missing from training still has its
        # output.
        feats = encoding.FeatureEncoder.fit(
            {k: v[train] for k, v in src.table.items()}, nominal=src.nominal
        )
        fit_on = np.asarray(src.target)[train] if kind == "number" else src.target
        label_sep = self.source_args.get("label_sep", "|")
        target = encoding.fit_target_encoder(self.target_encoding, fit_on, label_sep)
        x = torch.from_numpy(feats.encode(src.table))
        y = torch.from_numpy(target.encode(src.target))
        if y.dtype.is_floating_point and y.ndim == 1:
            # One float target per row: a column, like the output it is compared with.
            y = y[:, None]
        self.source, self.target_encoder = src, target
        self.encoders = {"features": feats.to_dict(), "target": target.to_dict()}
        self.tensors = {part: (x[idx], y[idx]) for part, idx in self.split_index.items()}
        return self

    # ------------------------------------------------------------------ the splits
    @property
    def x_train(self) -> torch.Tensor:
        return self.tensors["train"][0]

    @property
    def y_train(self) -> torch.Tensor:
        return self.tensors["train"][1]

    @property
    def x_val(self) -> torch.Tensor:
        return self.tensors["val"][0]

    @property
    def y_val(self) -> torch.Tensor:
        return self.tensors["val"][1]

    @property
    def x_test(self) -> torch.Tensor:
        return self.tensors["test"][0]

    @property
    def y_test(self) -> torch.Tensor:
        return self.tensors["test"][1]

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def train_batch_size(self) -> int:
        return BATCHINGS[self.batching].batch_size(len(self.x_train), self.batch_size)

    # ------------------------------------------------------------------ batches
    def train_batches(self, epoch_fn=lambda: 0, rank=0, world_size=1, shuffle=None) -> Batches:
        """The training split's batches for the epoch epoch_fn() names (see nnref.data.batches)."""
        shuffle = BATCHINGS[self.batching].shuffled if shuffle is None else shuffle
        x, y = self.tensors["train"]
        return Batches(x, y, self.train_batch_size, shuffle, self.seed, epoch_fn, rank, world_size)

    def eval_batches(self, part: str, rank=0, world_size=1) -> Batches:
        """A whole split in one batch (each DDP process its shard of it)."""
        x, y = self.tensors[part]
        return Batches(x, y, batch_size=max(len(x), 1), rank=rank, world_size=world_size)
