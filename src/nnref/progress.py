"""A progress display that costs nothing per step: one line per epoch, redrawn in place on a terminal.

Lightning's tqdm bar redraws (and gathers metrics) on every step, which on these small nets costs
more than the step itself; the numbers a reader cares about change once per epoch anyway.
"""
from __future__ import annotations

import sys

from lightning.pytorch.callbacks.progress import ProgressBar


class EpochProgress(ProgressBar):
    def __init__(self, show: tuple = ("train/loss", "val/loss", "val/acc", "val/r2", "val/f1_macro")):
        super().__init__()
        self.show = show
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def print(self, *args, **kwargs):
        print(*args, **kwargs)

    def disable(self):
        self._enabled = False

    def enable(self):
        self._enabled = True

    # The module appends each epoch's row in its own on_train_epoch_end, which runs after the
    # callbacks' hook: so a row is shown when the next epoch starts, and the last one at the end.
    def on_train_epoch_start(self, trainer, pl_module):
        self._show(trainer, pl_module, end="")

    def on_train_end(self, trainer, pl_module):
        self._show(trainer, pl_module, end="\n")

    def _show(self, trainer, pl_module, end):
        if not self._enabled or not trainer.is_global_zero or not sys.stdout.isatty():
            return
        history = getattr(pl_module, "history", None)
        if not history:
            return
        row = history[-1]
        parts = [f"{k} {row[k]:.4f}" for k in self.show if row.get(k) is not None]
        line = f"epoch {row['epoch'] + 1}/{trainer.max_epochs}  " + "  ".join(parts)
        sys.stdout.write("\r" + line.ljust(100) + end)
        sys.stdout.flush()
