"""The binary head as a LightningModule: sigmoid + cross-entropy (nnref.heads.binary)."""

from ..heads import BinaryHead
from .base import TaskModule


class BinaryModule(TaskModule):
    """Sigmoid + cross-entropy; `loss="mse"` is the course's stall (sigmoid + MSE)."""

    head_class = BinaryHead
