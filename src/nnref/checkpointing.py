"""Checkpoints written atomically: a temporary file in the same folder, then a rename.

A run killed mid-write (even with SIGKILL) leaves either the previous complete file or the new
complete one, never a truncated `last.ckpt`, so resuming from it always works. There is no fsync:
the kernel keeps a killed process's written pages, and an fsync per save cost ~5 ms, more than an
epoch of training on the small sets here (it would only add safety against power loss).
"""
from __future__ import annotations

import os

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO


class AtomicCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint, path, storage_options=None):
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
        with open(tmp, "wb") as f:
            torch.save(checkpoint, f)
        os.replace(tmp, path)
