"""The Lightning shells of the four course heads: one LightningModule per head, all TaskModule.

What a head is (activation, losses, encodings, metrics) lives in nnref.heads, torch only; these
modules train it the way the Lightning docs train a model. `MODULES` maps a task name to its module.
"""

from .base import TaskModule
from .binary import BinaryModule
from .multiclass import MulticlassModule
from .multilabel import MultilabelModule
from .regression import RegressionModule

MODULES: dict[str, type[TaskModule]] = {
    module.head_class.name: module
    for module in (RegressionModule, BinaryModule, MulticlassModule, MultilabelModule)
}

__all__ = [
    "TaskModule",
    "RegressionModule",
    "BinaryModule",
    "MulticlassModule",
    "MultilabelModule",
    "MODULES",
]
