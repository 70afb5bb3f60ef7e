"""Multi-label classification: an independent sigmoid per label, the sum of their cross-entropies.

A row may carry any set of labels (none, one, all); each label is its own binary problem, so the
outputs need not sum to 1 (lecture 2-4, p. 23-26). Label sets are multi-hot coded before training
and decoded back to label names after.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics.classification import (
    MultilabelConfusionMatrix,
    MultilabelExactMatch,
    MultilabelF1Score,
)

from ..locale.messages import _
from .base import Head, reduce


def multilabel_bce_loss(logits, y, reduction="mean"):
    """The labels' binary cross-entropies (BCEWithLogitsLoss), summed over labels per sample."""
    return reduce(
        F.binary_cross_entropy_with_logits(logits, y, reduction="none").sum(dim=1), reduction
    )


class MultilabelHead(Head):
    """An independent sigmoid per label; the loss is the sum of the labels' binary cross-entropies
    (mean over samples). The outputs need not sum to 1."""

    name = "multilabel"
    losses = {"ce": multilabel_bce_loss}
    main_metric, higher_is_better = "test/f1_macro", True
    score_name, score_metric = _("exact match"), "exact_match"
    target_kind = "labels"
    rank = 3

    @classmethod
    def target_encoding(cls, **options):
        return "multihot"

    @classmethod
    def output_size(cls, target_encoder):
        return len(target_encoder.labels)

    def activation(self, logits):
        return torch.sigmoid(logits)

    def metrics(self):
        n = self.n_outputs
        return {
            "f1_macro": MultilabelF1Score(num_labels=n, average="macro", validate_args=False),
            "exact_match": MultilabelExactMatch(num_labels=n, validate_args=False),
        }

    def confusion_metric(self):
        return MultilabelConfusionMatrix(num_labels=self.n_outputs, validate_args=False)

    def metric_inputs(self, logits, y):
        return self.predict(logits), y.long()

    def decode(self, outputs):
        target = self.encoders["target"]
        probs = outputs.double().numpy()
        return target.decode(probs >= 0.5), {
            f"p_{c}": probs[:, j] for j, c in enumerate(target.labels)
        }
