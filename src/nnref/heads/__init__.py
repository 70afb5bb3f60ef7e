"""The course core's four task heads, torch only; `HEADS` is where the rest of nnref asks about a
task.

| head       | output layer | activation        | loss (torch)                                  |
|------------|--------------|-------------------|-----------------------------------------------|
| regression | Linear(h, T) | identity          | MSELoss                                       |
| binary     | Linear(h, 1) | sigmoid           | BCEWithLogitsLoss                             |
| multiclass | Linear(h, K) | softmax           | CrossEntropyLoss (on class indices = one-hot) |
| multilabel | Linear(h, L) | sigmoid per label | BCEWithLogitsLoss summed over labels          |

A fifth task is one more head file here, its LightningModule shell in nnref/tasks/, and one
conf/task/*.yaml.
"""

from .base import Head, MeanLoss, reduce
from .binary import BinaryHead
from .multiclass import MulticlassHead
from .multilabel import MultilabelHead
from .regression import RegressionHead

HEADS: dict[str, type[Head]] = {
    head.name: head for head in (RegressionHead, BinaryHead, MulticlassHead, MultilabelHead)
}

__all__ = [
    "MeanLoss",
    "Head",
    "HEADS",
    "RegressionHead",
    "BinaryHead",
    "MulticlassHead",
    "MultilabelHead",
    "reduce",
]
