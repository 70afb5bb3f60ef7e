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

    def on_train_epoch_end(self, trainer, pl_module):
        if not self._enabled or not trainer.is_global_zero or not sys.stdout.isatty():
            return
        metrics = trainer.callback_metrics
        parts = [f"{k} {float(metrics[k]):.4f}" for k in self.show if k in metrics]
        line = f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}  " + "  ".join(parts)
        end = "\n" if trainer.current_epoch + 1 >= (trainer.max_epochs or 0) else ""
        sys.stdout.write("\r" + line.ljust(100) + end)
        sys.stdout.flush()

    def on_train_end(self, trainer, pl_module):
        if self._enabled and trainer.is_global_zero and sys.stdout.isatty():
            sys.stdout.write("\n")
