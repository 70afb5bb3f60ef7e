"""The course's optimizers, written from their formulas as torch.optim.Optimizer subclasses."""
from .adagrad import AdaGrad
from .adam import Adam
from .gd import GD
from .momentum import Momentum
from .nag import NAG
from .rmsprop import RMSProp

__all__ = ["GD", "Momentum", "NAG", "AdaGrad", "RMSProp", "Adam"]
