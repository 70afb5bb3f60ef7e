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


def fitting(kind: str, n_classes: int | None = None) -> list[str]:
    """The heads a data set fits whose target is `kind` ("number", "classes" or "labels", with
    n_classes classes), the one the shells offer first (the lowest rank) first."""
    names = [name for name, head in HEADS.items() if head.fits(kind, n_classes)]
    return sorted(names, key=lambda name: HEADS[name].rank)


__all__ = [
    "MeanLoss",
    "Head",
    "HEADS",
    "fitting",
    "RegressionHead",
    "BinaryHead",
    "MulticlassHead",
    "MultilabelHead",
    "reduce",
]
