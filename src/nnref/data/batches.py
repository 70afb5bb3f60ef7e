"""The three batchings of the course, and the one order every loop draws its batches in.

batch GD takes the whole training split per update, mini-batch GD `batch_size` rows, stochastic GD
one row (lecture 3-1). Each epoch's order is a permutation drawn from a generator seeded by
(seed, epoch) alone, so the Lightning path (nnref.data.module), the plain loop (nnref.loop) and a
resumed run all see the same batches in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Batching:
    name: str
    description: str
    lr_scale: float  # what train.py multiplies optim.lr by: one-row gradients are far noisier

    def batch_size(self, n_rows: int, batch_size: int) -> int:
        """Rows per update for a split of n_rows rows."""
        return {"full": n_rows, "mini": batch_size, "stochastic": 1}[self.name]

    @property
    def shuffled(self) -> bool:
        """Whether each epoch visits the rows in a fresh order (the whole batch needs none)."""
        return self.name != "full"


BATCHINGS = {
    b.name: b
    for b in (
        Batching("full", "batch GD: the whole training split per update", 1.0),
        Batching("mini", "mini-batch GD: batch_size rows per update", 1.0),
        # 0.1 keeps momentum and nag from diverging on digits at their default lr; set 1.0 to keep
        # optim.lr.
        Batching("stochastic", "stochastic GD: one row per update", 0.1),
    )
}


def epoch_order(n_rows: int, seed: int, epoch: int) -> torch.Tensor:
    """The order of the rows in this epoch: the same (seed, epoch) always gives the same
    permutation."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n_rows, generator=generator)


class Batches:
    """One epoch of (x, y) batches drawn by index from in-memory tensors.

    shuffle=True takes `epoch_order(len(x), seed, epoch_fn())`; otherwise the rows in order. Under
    DDP every process takes its own shard `idx[rank::world_size]` of every batch, the full batch
    included. Each batch is (x, y), as a DataLoader over a TensorDataset gives it.
    """

    def __init__(
        self, x, y, batch_size, shuffle=False, seed=0, epoch_fn=lambda: 0, rank=0, world_size=1
    ):
        self.x, self.y = x, y
        self.batch_size = max(1, min(int(batch_size), len(x)))
        self.shuffle, self.seed, self.epoch_fn = shuffle, seed, epoch_fn
        self.rank, self.world_size = rank, world_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def order(self) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(len(self.x))
        return epoch_order(len(self.x), self.seed, self.epoch_fn())

    def __iter__(self):
        if not self.shuffle and self.world_size == 1 and self.batch_size == len(self.x):
            yield self.x, self.y  # the whole split, in order: no copy
            return
        order = self.order()
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size][self.rank :: self.world_size]
            yield self.x[idx], self.y[idx]
