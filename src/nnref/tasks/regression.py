"""The regression head as a LightningModule: linear output + MSE (nnref.heads.regression)."""

from ..heads import RegressionHead
from .base import TaskModule


class RegressionModule(TaskModule):
    """Linear output + MSE; `output="sigmoid"` is the course's variant (target rescaled to 0..1)."""

    head_class = RegressionHead
