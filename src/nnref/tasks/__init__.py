"""The four task heads, one file each; `HEADS` is where the rest of nnref asks about a task.

| head        | output layer    | activation         | loss (torch)                                   |
|-------------|-----------------|--------------------|------------------------------------------------|
| regression  | Linear(h, T)    | identity           | MSELoss                                        |
| binary      | Linear(h, 1)    | sigmoid            | BCEWithLogitsLoss                              |
| multiclass  | Linear(h, K)    | softmax            | CrossEntropyLoss (on class indices = one-hot)  |
| multilabel  | Linear(h, L)    | sigmoid per label  | BCEWithLogitsLoss summed over labels           |

A fifth task is one more head file (a TaskModule subclass) added to HEADS, and one conf/task/*.yaml.
"""
from .base import TaskModule
from .binary import BinaryModule
from .multiclass import MulticlassModule
from .multilabel import MultilabelModule
from .regression import RegressionModule

HEADS: dict[str, type[TaskModule]] = {
    head.name: head for head in (RegressionModule, BinaryModule, MulticlassModule, MultilabelModule)
}


__all__ = ["TaskModule", "RegressionModule", "BinaryModule", "MulticlassModule", "MultilabelModule", "HEADS"]
