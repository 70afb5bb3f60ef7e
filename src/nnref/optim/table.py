"""The course's six optimizers in one table: name -> class, default lr, the course's form, torch's
twin.

Every other part asks this table: the configs (`optim=NAME`, registered from it in nnref.conf), the
playground, the experiments and the testing kit. A default lr here is the one
`nnref-train optim=NAME` starts from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .adagrad import AdaGrad
from .adam import Adam
from .gd import GD
from .momentum import Momentum
from .nag import NAG
from .rmsprop import RMSProp


@dataclass(frozen=True)
class CourseOptimizer:
    name: str
    cls: type[torch.optim.Optimizer]
    lr: float  # the default learning rate
    settings: dict  # its other hyperparameters, at their defaults
    form: str  # the course's update rule
    twin: type[torch.optim.Optimizer]  # torch's built-in that computes the same steps
    twin_settings: dict = field(default_factory=dict)  # what the twin needs besides the shared ones

    @property
    def twin_name(self) -> str:
        """The config name of the twin: optim=torch_NAME."""
        return TWIN_NAMES[self.name]

    def hyperparameters(self) -> dict:
        """lr and the other settings: what the class is built with by default."""
        return {"lr": self.lr, **self.settings}

    def build(self, params, **overrides) -> torch.optim.Optimizer:
        return self.cls(params, **{**self.hyperparameters(), **overrides})


OPTIMIZERS = {
    entry.name: entry
    for entry in (
        CourseOptimizer("gd", GD, 0.1, {"weight_decay": 0.0}, "w ← w − η·∇E(w)", torch.optim.SGD),
        CourseOptimizer(
            "momentum",
            Momentum,
            0.02,
            {"momentum": 0.9, "weight_decay": 0.0},
            "m ← γ·m + η·∇E(w);  w ← w − m",
            torch.optim.SGD,
        ),
        CourseOptimizer(
            "nag",
            NAG,
            0.02,
            {"momentum": 0.9, "weight_decay": 0.0},
            "m ← γ·m + η·∇E(w − γ·m);  w ← w − m",
            torch.optim.SGD,
            {"nesterov": True},
        ),
        CourseOptimizer(
            "adagrad",
            AdaGrad,
            0.05,
            {"eps": 1e-10, "weight_decay": 0.0, "initial_accumulator_value": 0.0},
            "s ← s + g²;  w ← w − η·g/(√s + ε)",
            torch.optim.Adagrad,
        ),
        CourseOptimizer(
            "rmsprop",
            RMSProp,
            0.001,
            {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0},
            "v ← α·v + (1 − α)·g²;  w ← w − η·g/(√v + ε)",
            torch.optim.RMSprop,
        ),
        CourseOptimizer(
            "adam",
            Adam,
            0.003,
            {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
            "m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  w ← w − η·m̂/(√v̂ + ε)",
            torch.optim.Adam,
        ),
    )
}

# optim=torch_NAME: torch's built-in beside each course optimizer, for side-by-side runs.
TWIN_NAMES = {
    "gd": "torch_sgd",
    "momentum": "torch_momentum",
    "nag": "torch_nesterov",
    "adagrad": "torch_adagrad",
    "rmsprop": "torch_rmsprop",
    "adam": "torch_adam",
}
USES_MOMENTUM = tuple(name for name, entry in OPTIMIZERS.items() if "momentum" in entry.settings)
USES_BETAS = tuple(name for name, entry in OPTIMIZERS.items() if "betas" in entry.settings)
