"""The course's optimizers, written from their formulas as torch.optim.Optimizer subclasses.

`OPTIMIZERS` (table.py) names them, with each one's default lr, its course form and torch's twin.
"""

from .adagrad import AdaGrad
from .adam import Adam
from .gd import GD
from .momentum import Momentum
from .nag import NAG
from .rmsprop import RMSProp
from .table import OPTIMIZERS, USES_BETAS, USES_MOMENTUM, CourseOptimizer

__all__ = [
    "GD",
    "Momentum",
    "NAG",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "OPTIMIZERS",
    "USES_MOMENTUM",
    "USES_BETAS",
    "CourseOptimizer",
]
