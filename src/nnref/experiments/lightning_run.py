"""A claim run the way `nnref-train` runs one, through Lightning, only small and quiet.

Used by the claims whose point is the project's own path (`batching`, `learning_rates`): the
TaskDataModule draws the batches, the task's LightningModule trains with an optimizer from
`nnref.optim` (or torch), and a stock Trainer runs the loop. No logger, checkpoints, progress bar
or sanity check: the claim reads the module's history and its own callbacks.
"""

from __future__ import annotations

import logging

import lightning as L

from ..data.module import TaskDataModule
from ..tasks import MODULES


def setup(task, source, batching, batch_size, seed, hidden, optimizer, scheduler=None):
    """(data module, task module): the same initial weights for every run with this seed."""
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    L.seed_everything(seed, verbose=False)
    shell = MODULES[task]
    dm = TaskDataModule(
        source=source,
        target_encoding=shell.head_class.target_encoding(),
        batching=batching,
        batch_size=batch_size,
        seed=seed,
    )
    dm.setup()
    module = shell(
        dm.n_features,
        shell.head_class.output_size(dm.target_encoder),
        hidden=list(hidden),
        optimizer=optimizer,
        scheduler=scheduler,
        encoders=dm.encoders,
    )
    return dm, module


def fit(dm, module, epochs: int, callbacks) -> L.Trainer:
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        deterministic=True,
        callbacks=callbacks,
    )
    trainer.fit(module, datamodule=dm)
    return trainer
