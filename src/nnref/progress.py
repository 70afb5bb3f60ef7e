"""A progress display that draws once per epoch: one line, redrawn in place on a terminal.

The numbers a reader follows (the head's loss and main metric) change once per epoch, since nnref
logs epoch aggregates only; a per-step bar would redraw the same numbers hundreds of times.
"""

from __future__ import annotations

import sys

from lightning.pytorch.callbacks.progress import ProgressBar


class EpochProgress(ProgressBar):
    def __init__(self):
        super().__init__()
        self.enabled = True

    @property
    def is_enabled(self) -> bool:
        return self.enabled

    def disable(self):
        self.enabled = False

    def enable(self):
        self.enabled = True

    def print(self, *args, **kwargs):
        print(*args, **kwargs)

    # The head logs its train metrics in its own on_train_epoch_end, which runs after the callbacks'
    # hook: so an epoch's line is drawn when the next epoch starts, and the last one at the end.
    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.current_epoch > 0:
            self.show(trainer, pl_module, trainer.current_epoch, end="")

    def on_train_end(self, trainer, pl_module):
        self.show(trainer, pl_module, trainer.current_epoch, end="\n")

    def shown(self, pl_module) -> list[str]:
        """The loss and the head's main metric, on the training and validation splits."""
        main = pl_module.head.main_metric.split("/", 1)[1]
        return ["train/loss", "val/loss", *(() if main == "loss" else (f"val/{main}",))]

    def show(self, trainer, pl_module, epochs_done, end):
        if not self.enabled or not trainer.is_global_zero or not sys.stdout.isatty():
            return
        metrics = trainer.callback_metrics
        parts = [f"{k} {float(metrics[k]):.4f}" for k in self.shown(pl_module) if k in metrics]
        line = f"epoch {epochs_done}/{trainer.max_epochs}  " + "  ".join(parts)
        sys.stdout.write("\r" + line.ljust(100) + end)
        sys.stdout.flush()
