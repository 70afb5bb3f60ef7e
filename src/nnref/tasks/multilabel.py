"""The multi-label head as a LightningModule: a sigmoid per label, summed BCEs
(nnref.heads.multilabel)."""

from ..heads import MultilabelHead
from .base import TaskModule


class MultilabelModule(TaskModule):
    """An independent sigmoid per label; the loss is the sum of the labels' binary
    cross-entropies."""

    head_class = MultilabelHead
