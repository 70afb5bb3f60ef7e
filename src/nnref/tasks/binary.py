"""Binary classification: one sigmoid output, trained with cross-entropy.

Two nominal values (red/black) are coded 0/1 before training and decoded after. The course's
counter-example, sigmoid + MSE (`loss="mse"`), is an option of the same head: its output-unit
gradient −(t−y)·y(1−y) vanishes when the net is confidently wrong, while cross-entropy's is y − t
(lecture 2-4; `nnref.experiments.saturation`).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torchmetrics.functional.classification import binary_accuracy, binary_auroc

from .base import TaskModule, reduce


def bce_loss(logits, y, reduction="mean"):
    """Sigmoid + binary cross-entropy, from the logits (torch's fused BCEWithLogitsLoss)."""
    loss = F.binary_cross_entropy_with_logits(logits, y, reduction=reduction)  # one column: per sample
    return loss.squeeze(1) if reduction == "none" else loss


def sigmoid_mse_loss(logits, y, reduction="mean"):
    """The course's wrong pairing: sigmoid, then the squared error (torch's MSELoss)."""
    return reduce(F.mse_loss(torch.sigmoid(logits), y, reduction="none").squeeze(1), reduction)


class BinaryModule(TaskModule):
    """Sigmoid + cross-entropy (BCEWithLogitsLoss). `loss="mse"`: sigmoid then MSE (the course's stall)."""

    name = "binary"
    losses = {"ce": bce_loss, "mse": sigmoid_mse_loss}
    metrics = ("acc", "auroc")
    main_metric, higher_is_better = "test/acc", True
    target_kind = "classes"

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

    def compute_metrics(self, logits, y):
        p, t = self.predict(logits), y.squeeze(1).long()
        return {"acc": binary_accuracy(p, t, validate_args=False), "auroc": binary_auroc(p, t, validate_args=False)}

    def decode(self, outputs):
        target = self.encoders["target"]
        p1 = outputs.double().numpy()
        probs = np.stack([1.0 - p1, p1], axis=1)  # p of classes[0], p of classes[1]
        return target.decode(p1), {f"p_{c}": probs[:, j] for j, c in enumerate(target.classes)}
