"""The LightningDataModule: a thin shell over nnref.data.TaskData, serving its batches to the
Trainer.

Batches are sliced from in-memory tensors by index (no per-sample collate): on data this small,
that is most of the difference between a default DataLoader and a plain PyTorch loop. The order of
each epoch's batches is the one every nnref loop draws (nnref.data.batches).
"""

from __future__ import annotations

import lightning as L

from .splits import TaskData


class TaskDataModule(L.LightningDataModule):
    """The same arguments as TaskData (which checks them); conf/data builds it with
    `instantiate`."""

    def __init__(self, **settings):
        super().__init__()
        self.data = TaskData(**settings)

    def setup(self, stage=None):
        self.data.load()

    # What train.py sizes the head from.
    @property
    def n_features(self) -> int:
        return self.data.n_features

    @property
    def target_encoder(self):
        return self.data.target_encoder

    @property
    def encoders(self) -> dict:
        return self.data.encoders

    def train_dataloader(self):
        trainer = self.trainer
        # overfit_batches trains on the same first batches every epoch, so they are not reshuffled.
        shuffle = None if not trainer.overfit_batches else False
        return self.data.train_batches(
            lambda: trainer.current_epoch, trainer.global_rank, trainer.world_size, shuffle
        )

    # Each process evaluates its shard; the heads' torchmetrics objects add the shards up.
    def val_dataloader(self):
        return self.data.eval_batches("val", self.trainer.global_rank, self.trainer.world_size)

    def test_dataloader(self):
        return self.data.eval_batches("test", self.trainer.global_rank, self.trainer.world_size)
