"""Regression: a linear (identity) output, trained with the mean squared error.

The target is standardised for training and mapped back to its original units for metrics and
predictions. The course's variant `output="sigmoid"` squeezes the output into 0..1, so the target is
rescaled to 0..1 (min-max) instead (lecture 2-4, p. 3-4).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics import MeanSquaredError, R2Score

from ..locale.messages import _
from .base import Head, reduce


def mse_loss(outputs, y, reduction="mean"):
    """The squared error (torch's MSELoss), averaged over the targets of each sample."""
    return reduce(F.mse_loss(outputs, y, reduction="none").mean(dim=1), reduction)


class RegressionHead(Head):
    """Linear output + MSE. `output="sigmoid"` is the course's variant: the target is rescaled to
    0..1 for training (min-max) and metrics are reported in original units."""

    name = "regression"
    losses = {"mse": mse_loss}
    options = {"output": ("identity", "sigmoid")}
    labels = {"output": _("output")}
    wrong = {"output": ("sigmoid",)}
    main_metric, higher_is_better = "test/r2", True
    minimised = ("loss", "mse")
    score_name, score_metric = _("R²"), "r2"
    target_kind = "number"
    rank = 2

    @classmethod
    def can_start_wrong(cls, output="identity", **options):
        """Only a sigmoid output saturates: a linear one has no flat region to start in."""
        return output == "sigmoid"

    @classmethod
    def target_encoding(cls, output="identity", **options):
        return "minmax" if output == "sigmoid" else "standard"

    @classmethod
    def output_size(cls, target_encoder):
        return len(target_encoder.loc)

    def activation(self, logits):
        return torch.sigmoid(logits) if self.settings["output"] == "sigmoid" else logits

    def loss(self, logits, y, reduction="mean"):
        return super().loss(self.activation(logits), y, reduction)

    def to_original_units(self, z):
        scaler = self.encoders.get("target")
        return scaler.decode(z) if scaler is not None else z

    def predict(self, logits):
        return self.to_original_units(self.activation(logits))

    def metrics(self):
        return {"mse": MeanSquaredError(), "r2": R2Score()}

    def metric_inputs(self, logits, y):
        pred, true = self.predict(logits), self.to_original_units(y)
        # One target: R² of the column; several: the mean of their R²s.
        return (pred.squeeze(-1), true.squeeze(-1)) if pred.shape[-1] == 1 else (pred, true)

    def decode(self, outputs):
        out = outputs.double().numpy().reshape(len(outputs), -1)
        names = (
            ["prediction"]
            if out.shape[1] == 1
            else [f"prediction_{i + 1}" for i in range(out.shape[1])]
        )
        return None, {name: out[:, i] for i, name in enumerate(names)}
