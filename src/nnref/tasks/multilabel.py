"""Multi-label classification: an independent sigmoid per label, the sum of their cross-entropies.

A row may carry any set of labels (none, one, all); each label is its own binary problem, so the
outputs need not sum to 1 (lecture 2-4). Label sets are multi-hot coded before training and decoded
back to label names after.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics.functional.classification import multilabel_exact_match, multilabel_f1_score

from .base import TaskModule, reduce


def multilabel_bce_loss(logits, y, reduction="mean"):
    """The labels' binary cross-entropies (BCEWithLogitsLoss), summed over labels per sample."""
    return reduce(F.binary_cross_entropy_with_logits(logits, y, reduction="none").sum(dim=1), reduction)


class MultilabelModule(TaskModule):
    """An independent sigmoid per label; the loss is the sum of the labels' binary cross-entropies
    (mean over samples). The outputs need not sum to 1."""

    name = "multilabel"
    losses = {"ce": multilabel_bce_loss}
    metrics = ("f1_macro", "exact_match")
    main_metric, higher_is_better = "test/f1_macro", True
    target_kind = "labels"

    @classmethod
    def target_encoding(cls, **options):
        return "multihot"

    @classmethod
    def output_size(cls, target_encoder):
        return len(target_encoder.labels)

    def activation(self, logits):
        return torch.sigmoid(logits)

    def compute_metrics(self, logits, y):
        p, t, n = self.predict(logits), y.long(), logits.shape[1]
        return {"f1_macro": multilabel_f1_score(p, t, num_labels=n, average="macro", validate_args=False),
                "exact_match": multilabel_exact_match(p, t, num_labels=n, validate_args=False)}

    def decode(self, outputs):
        target = self.encoders["target"]
        probs = outputs.double().numpy()
        return target.decode(probs >= 0.5), {f"p_{c}": probs[:, j] for j, c in enumerate(target.labels)}
