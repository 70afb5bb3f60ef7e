"""The multi-class head as a LightningModule: softmax + cross-entropy (nnref.heads.multiclass)."""

from ..heads import MulticlassHead
from .base import TaskModule


class MulticlassModule(TaskModule):
    """Softmax + cross-entropy on one-hot targets; `loss="mse"` and `encoding="ordinal"` are the
    course's counter-examples."""

    head_class = MulticlassHead
