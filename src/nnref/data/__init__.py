"""Data: where rows come from (sources), how nominal values become numbers (encoding), batches (module)."""
from .module import Batches, TaskDataModule
from .sources import DataError

__all__ = ["Batches", "DataError", "TaskDataModule"]
