"""Data in torch alone: where rows come from (sources), nominal values <-> numbers (encoding), the
splits in memory (splits) and the batchings every loop shares (batches).

`nnref.data.module` holds the LightningDataModule over them; it is imported only when asked for, so
that importing nnref.data costs no Lightning.
"""

from .batches import BATCHINGS, Batches, Batching, epoch_order
from .sources import DataError
from .splits import TaskData, stratified_split

__all__ = [
    "BATCHINGS",
    "Batches",
    "Batching",
    "DataError",
    "TaskData",
    "epoch_order",
    "stratified_split",
]
