"""Binary classification: one sigmoid output, trained with cross-entropy.

Two nominal values (red/black) are coded 0/1 before training and decoded after. The course's
counter-example, sigmoid + MSE (`loss="mse"`), is an option of the same head: its output-unit
gradient −(t−y)·y(1−y) vanishes when the net is confidently wrong, while cross-entropy's is y − t
(lecture 2-4, p. 5-14; `nnref.experiments.saturation`).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torchmetrics import Metric
from torchmetrics.classification import BinaryAccuracy, BinaryConfusionMatrix

from ..locale.messages import _
from .base import Head, reduce


class HistogramAUROC(Metric):
    """The area under the ROC curve from two histograms of p(class 1), one per true class.

    A fixed-size state (2 x bins counts, summed across processes), however many rows an epoch has.
    It is the Mann-Whitney form of AUROC: the share of (positive, negative) pairs ranked the right
    way round, a pair within one bin (p within 1/(bins - 1)) counting one half. torchmetrics' own
    binned AUROC would do, but under torch's deterministic mode it counts with an n x bins² mesh."""

    full_state_update = False

    def __init__(self, bins: int = 1001, **kwargs):
        super().__init__(**kwargs)
        self.bins = bins
        self.add_state("positives", torch.zeros(bins, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("negatives", torch.zeros(bins, dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, p: torch.Tensor, target: torch.Tensor) -> None:
        index = (p.detach().double() * (self.bins - 1)).round().long().clamp_(0, self.bins - 1)
        ones = torch.ones_like(index, dtype=torch.float64)
        self.positives.index_add_(0, index[target == 1], ones[target == 1])
        self.negatives.index_add_(0, index[target == 0], ones[target == 0])

    def compute(self) -> torch.Tensor:
        n_pos, n_neg = self.positives.sum(), self.negatives.sum()
        below = torch.cumsum(self.negatives, 0) - self.negatives  # negatives in lower bins
        right_way = (self.positives * (below + 0.5 * self.negatives)).sum()
        return (
            (right_way / (n_pos * n_neg)).float() if n_pos and n_neg else torch.tensor(float("nan"))
        )


def bce_loss(logits, y, reduction="mean"):
    """Sigmoid + binary cross-entropy, from the logits (torch's fused BCEWithLogitsLoss)."""
    # One column: per sample.
    loss = F.binary_cross_entropy_with_logits(logits, y, reduction=reduction)
    return loss.squeeze(1) if reduction == "none" else loss


def sigmoid_mse_loss(logits, y, reduction="mean"):
    """The course's wrong pairing: sigmoid, then the squared error (torch's MSELoss)."""
    return reduce(F.mse_loss(torch.sigmoid(logits), y, reduction="none").squeeze(1), reduction)


class BinaryHead(Head):
    """Sigmoid + cross-entropy (BCEWithLogitsLoss). `loss="mse"`: sigmoid then MSE (the course's
    stall)."""

    name = "binary"
    losses = {"ce": bce_loss, "mse": sigmoid_mse_loss}
    wrong = {"loss": ("mse",)}
    main_metric, higher_is_better = "test/acc", True
    score_name, score_metric = _("accuracy"), "acc"
    target_kind = "classes"
    rank = 0  # two classes: one sigmoid output before a two-class softmax

    @classmethod
    def target_encoding(cls, **options):
        return "binary"

    @classmethod
    def output_size(cls, target_encoder):
        return 1

    @classmethod
    def fits(cls, kind, n_classes):
        return kind == "classes" and n_classes == 2

    def activation(self, logits):
        return torch.sigmoid(logits)

    def predict(self, logits):
        """The probability of the second class, one per row."""
        return torch.sigmoid(logits).squeeze(1)

    def columns(self, logits):
        """p of each class, first then second: (n, 2)."""
        p1 = self.predict(logits)
        return torch.stack([1.0 - p1, p1], dim=1)

    @torch.no_grad()
    def score(self, logits, y):
        """Accuracy: the share of rows on the right side of p = 0.5."""
        return float(((self.predict(logits) >= 0.5).long() == y.reshape(-1).long()).double().mean())

    def metrics(self):
        return {
            "acc": BinaryAccuracy(validate_args=False),
            "auroc": HistogramAUROC(),
        }

    def confusion_metric(self):
        return BinaryConfusionMatrix(validate_args=False)

    def metric_inputs(self, logits, y):
        return self.predict(logits), y.squeeze(1).long()

    def decode(self, outputs):
        target = self.encoders["target"]
        p1 = outputs.double().numpy()
        probs = np.stack([1.0 - p1, p1], axis=1)  # p of classes[0], p of classes[1]
        return target.decode(p1), {f"p_{c}": probs[:, j] for j, c in enumerate(target.classes)}
