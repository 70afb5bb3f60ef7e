"""One training run of the playground, epoch by epoch, on nnref's own pieces.

The head is HEADS[...] (its loss, activation and predict), the body nnref.nets.MLP, the optimizer
and schedule come from conf/ (conf.py), and the loop is the experiments' own
(`nnref.experiments._fit.train_epochs`), so a run here is the run an experiment makes with the
same settings (tests/test_playground.py checks saturation's numbers). After every epoch the run
measures the loss and the score on both splits and the mean |dE/dnet| at the output units.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..experiments import _fit
from ..experiments.saturation import NET_WRONG
from ..tasks import HEADS
from .conf import make_optimizer, make_schedule
from .datasets import PlaygroundData
from .settings import TrainingSettings, check_budget

SCORES = {"binary": "accuracy", "multiclass": "accuracy", "multilabel": "exact match", "regression": "R²"}
GRID = 60  # the decision map's resolution per axis (drawn smoothed)
MARGIN = 0.15  # of the data's range, around the points


def build_module(settings: TrainingSettings, data: PlaygroundData):
    """The head on an MLP body, seeded; from a confidently wrong start if asked."""
    head = HEADS[settings.head]
    torch.manual_seed(settings.seed)  # as saturation.saturated_module: same seed, same weights
    module = head(data.dm.n_features, head.output_size(data.dm.target_encoder), hidden=settings.hidden,
                  activation=settings.activation, loss=settings.loss, encoders=data.dm.encoders,
                  **settings.head_options())
    if settings.wrong_start:
        confidently_wrong(module)
    return module


@torch.no_grad()
def confidently_wrong(module) -> None:
    """The course's saturated start (nnref.experiments.saturation): output weights 0 and output
    bias NET_WRONG, so every sigmoid output starts at y ~ 0.001, wrong wherever t = 1. A softmax
    keeps the first class's bias at 0, so every other class starts at y ~ 0 (its rows are wrong)."""
    out = module.net[-1]
    out.weight.zero_()
    out.bias.fill_(NET_WRONG)
    if getattr(module, "encoding", None) == "onehot":
        out.bias[0] = 0.0


def output_gradient(module, x, y) -> float:
    """Mean over rows and output units of |dE_n/dnet|: the head's own loss per row, by autograd."""
    with torch.no_grad():
        logits = module(x)
    logits.requires_grad_(True)
    (grad,) = torch.autograd.grad(module.loss(logits, y, reduction="sum"), logits)
    return float(grad.abs().mean())


@torch.no_grad()
def score(module, name: str, logits, x, y) -> float:
    """Accuracy (binary, multiclass), exact match (multilabel) or R² (regression)."""
    if name in ("binary", "multiclass"):
        return _fit.accuracy(module, x, y)
    key = "exact_match" if name == "multilabel" else "r2"
    return float(module.compute_metrics(logits, y)[key])


class TrainingRun:
    """Build with settings and data; iterate `epochs()` to train. `history` has one entry per
    measurement (epoch 0 is the start), `diverged` the epoch whose loss stopped being finite."""

    def __init__(self, settings: TrainingSettings, data: PlaygroundData):
        check_budget(settings, data.n_points)
        self.settings, self.data = settings, data
        self.module = build_module(settings, data)
        self.optimizer = make_optimizer(settings.optimizer, self.module.parameters(), settings.lr,
                                        settings.gamma, (settings.beta1, settings.beta2))
        self.schedule = make_schedule(settings.schedule, self.optimizer, settings.epochs)
        self.batch_size = {"full": None, "mini": settings.batch_size, "stochastic": 1}[settings.batching]
        self.history = {k: [] for k in ("epoch", "train_loss", "val_loss", "train_score", "val_score", "grad", "lr")}
        self.diverged = None
        self.grid_axes = self._grid_axes()
        self.grid_inputs = data.encode(self.grid_points())
        self.measure(0)

    # ------------------------------------------------------------ training
    def epochs(self):
        """Train; yield each epoch number (1, 2, ...) after its updates, schedule step and measurement."""
        s = self.settings
        for epoch in _fit.train_epochs(self.module, self.data.dm.x_train, self.data.dm.y_train, self.optimizer,
                                       s.epochs, self.batch_size, s.seed):
            if self.schedule is not None:
                self.schedule.step()  # once per epoch, after it (as Lightning's interval="epoch")
            self.measure(epoch + 1)
            if self.diverged is not None:
                return
            yield epoch + 1

    def measure(self, epoch: int) -> None:
        dm, name, h = self.data.dm, self.settings.head, self.history
        h["epoch"].append(epoch)
        for part, x, y in (("train", dm.x_train, dm.y_train), ("val", dm.x_val, dm.y_val)):
            with torch.no_grad():
                logits = self.module(x)
                loss = float(self.module.loss(logits, y))  # = _fit.mean_loss, without a second forward
            h[f"{part}_loss"].append(loss)
            h[f"{part}_score"].append(score(self.module, name, logits, x, y) if math.isfinite(loss) else math.nan)
        h["grad"].append(output_gradient(self.module, dm.x_train, dm.y_train))
        h["lr"].append(float(self.optimizer.param_groups[0]["lr"]))
        if not math.isfinite(h["train_loss"][-1]) and self.diverged is None:
            self.diverged = epoch

    # ------------------------------------------------------------ the map
    def _grid_axes(self) -> list:
        x, _ = self.data.points("train")
        axes = []
        for lo, hi in zip(x.min(axis=0), x.max(axis=0)):
            pad = MARGIN * (hi - lo or 1.0)
            axes.append(np.linspace(lo - pad, hi + pad, GRID if x.shape[1] == 2 else 200))
        return axes

    def grid_points(self) -> np.ndarray:
        """The map's points in original units: a GRID x GRID lattice (rows: x2), or a line for one feature."""
        if len(self.grid_axes) == 1:
            return self.grid_axes[0][:, None]
        g1, g2 = np.meshgrid(*self.grid_axes)
        return np.stack([g1.ravel(), g2.ravel()], axis=1)

    @torch.no_grad()
    def predictions(self) -> np.ndarray:
        """predict() on the map's points: class probabilities (n, K), label probabilities (n, L) or
        values in the target's units (n,). A binary head's p(second class) becomes (n, 2)."""
        out = self.module.predict(self.module(self.grid_inputs)).double().numpy()
        if self.settings.head == "binary":
            return np.stack([1.0 - out, out], axis=1)
        return out.reshape(len(out), -1)[:, 0] if self.settings.head == "regression" else out

    def summary(self) -> dict:
        h = self.history
        return {"epochs_done": h["epoch"][-1], "first_loss": h["train_loss"][0], "final_loss": h["train_loss"][-1],
                "final_val_loss": h["val_loss"][-1], "final_score": h["train_score"][-1],
                "final_val_score": h["val_score"][-1], "score_name": SCORES[self.settings.head],
                "diverged": self.diverged}
