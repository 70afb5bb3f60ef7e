"""Checkpoints: written atomically, once per epoch, and `last.ckpt` always the latest epoch.

AtomicCheckpointIO: a temporary file in the same folder, then a rename. A run killed mid-write (even
with SIGKILL) leaves either the previous complete file or the new complete one, never a truncated
`last.ckpt`, so resuming from it always works. There is no fsync: the kernel keeps a killed
process's written pages, and an fsync per save cost ~5 ms, more than an epoch of training on the
small sets here (it would only add safety against power loss).

EpochCheckpoint: see its docstring.
"""
from __future__ import annotations

import io
import os
import shutil
from weakref import proxy

import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.plugins.io import TorchCheckpointIO


def _tmp_path(path: str) -> str:
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")


class AtomicCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint, path, storage_options=None):
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        buffer = io.BytesIO()  # serialised in memory, then written in one call (~0.2 ms less a save)
        torch.save(checkpoint, buffer)
        tmp = _tmp_path(path)
        with open(tmp, "wb") as f:
            f.write(buffer.getbuffer())
        os.replace(tmp, path)


def link_atomic(src: str, dst: str) -> None:
    """dst holds the same bytes as src, whole or not at all: a hard link where the file system has
    them (each save writes a new file and renames it, so a later save of src never changes dst),
    else a copy."""
    tmp = _tmp_path(dst)
    if os.path.lexists(tmp):
        os.remove(tmp)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


class EpochCheckpoint(ModelCheckpoint):
    """ModelCheckpoint that saves at the end of the training epoch, serialising the state once.

    - `last.ckpt` is written every `every_n_epochs` epochs (1: every epoch) and at the end of
      training. (Lightning 2.6's ModelCheckpoint, with a monitor, top-k and save_last, rewrote it
      only in epochs where the monitored metric improved: a 40-epoch run whose val/loss last
      improved at epoch 27 left a last.ckpt of epoch 27.)
    - The best file (`best.ckpt`) is written in the epochs that improve the monitored metric, as a
      hard link to (or copy of) the same bytes, not a second serialisation (~1 ms each).

    The choice of what to keep is ModelCheckpoint's own (monitor, mode, save_top_k, save_last);
    only when and how the files are written differs. It saves after TaskModule.on_train_epoch_end
    has run that epoch's validation.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending: list[str] | None = None  # paths chosen this epoch, written together

    @property
    def state_key(self) -> str:
        # ModelCheckpoint's key, so checkpoints written by either class resume with the other.
        return super().state_key.replace(type(self).__qualname__, ModelCheckpoint.__qualname__, 1)

    def on_train_epoch_end(self, trainer, pl_module):
        epoch = trainer.current_epoch + 1
        final = trainer.should_stop or (trainer.max_epochs is not None and epoch >= trainer.max_epochs)
        if final or (self._every_n_epochs >= 1 and epoch % self._every_n_epochs == 0):
            self._save_epoch(trainer)

    def on_train_end(self, trainer, pl_module):
        self._save_epoch(trainer)  # stopped some other way (max_steps, max_time): a no-op if saved

    def _save_epoch(self, trainer):
        if self._should_skip_saving_checkpoint(trainer):  # also: this step is saved already
            return
        candidates = self._monitor_candidates(trainer)
        self._pending = []
        try:
            # No monitored value yet (no validation so far): only last.ckpt, and no warning about it.
            if self.monitor is None or self.monitor in candidates:
                self._save_topk_checkpoint(trainer, candidates)
            self._save_last_checkpoint(trainer, candidates)
            paths = self._pending
        finally:
            self._pending = None
        self._write(trainer, paths)

    def on_validation_end(self, trainer, pl_module):
        """Nothing: validation runs inside the training epoch, and the epoch's save follows it."""

    def _save_checkpoint(self, trainer, filepath):
        if self._pending is None:  # outside the epoch end (e.g. on an exception): save as Lightning does
            return super()._save_checkpoint(trainer, filepath)
        # The bookkeeping ModelCheckpoint does when it saves; the bytes are written in _write.
        self._pending.append(filepath)
        self._last_global_step_saved = trainer.global_step
        self._last_checkpoint_saved = filepath

    def _write(self, trainer, paths: list[str]) -> None:
        # Written after every choice of the epoch is made, so each file holds the final state
        # (best and last paths included) and all of them are the same bytes.
        if not paths:
            return
        trainer.save_checkpoint(paths[0], self.save_weights_only)
        if trainer.is_global_zero:
            for path in dict.fromkeys(paths[1:]):
                if os.path.abspath(path) != os.path.abspath(paths[0]):
                    link_atomic(paths[0], path)
            for logger in trainer.loggers:
                logger.after_save_checkpoint(proxy(self))
