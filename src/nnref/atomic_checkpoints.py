"""Checkpoints written whole or not at all (nnref.files): resuming from last.ckpt always finds a
whole file, even after a kill mid-write.

Lightning's ModelCheckpoint chooses what to save and when (conf/callbacks/default.yaml); this
CheckpointIO plugin only changes how the bytes reach the disk.
"""

from __future__ import annotations

import io

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from .files import write_atomic


class AtomicCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint, path, storage_options=None):
        # Serialised in memory first: one write call instead of many small ones.
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        write_atomic(path, lambda f: f.write(buffer.getbuffer()), binary=True)
