"""Data: where rows come from (sources), how nominal values become numbers (encoding), batches (module).

`module` imports Lightning (seconds), so it loads only when asked for: `nnref.data.sources` and
`nnref.data.encoding` stay quick to import (predict.py refuses a bad file before paying for Lightning).
"""
from .sources import DataError

__all__ = ["BATCHINGS", "Batches", "DataError", "TaskDataModule"]


def __getattr__(name):
    if name in ("BATCHINGS", "Batches", "TaskDataModule"):
        from . import module

        return getattr(module, name)
    raise AttributeError(f"module 'nnref.data' has no attribute {name!r}")
