"""Multi-class classification: K outputs, softmax (exp, then normalise), cross-entropy on one-hot.

K nominal values are one-hot coded before training (held as class indices, which torch's
CrossEntropyLoss takes; cross-entropy on either is the same number) and decoded after. Two of the
course's counter-examples are options of the same head (lecture 2-4, p. 15-22):
- `loss="mse"`: softmax outputs against the one-hot vectors with the squared error;
- `encoding="ordinal"` (with `loss="mse"`): one sigmoid output trained towards evenly spaced codes
  1, ..., 0, an order that nominal classes do not have (`nnref.experiments.ordinal_vs_onehot`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassConfusionMatrix,
    MulticlassF1Score,
)

from ..errors import InvalidSetting
from ..locale.messages import _
from .base import Head, reduce


def cross_entropy_loss(logits, y, reduction="mean"):
    """Softmax + cross-entropy against the one-hot target (torch's CrossEntropyLoss, on class
    indices)."""
    return F.cross_entropy(logits, y, reduction=reduction)


def softmax_mse_loss(logits, y, reduction="mean"):
    """The course's wrong pairing: softmax outputs against one-hot vectors, squared error
    (MSELoss)."""
    one_hot = F.one_hot(y, logits.shape[1]).to(logits.dtype)
    return reduce(
        F.mse_loss(torch.softmax(logits, dim=1), one_hot, reduction="none").mean(dim=1), reduction
    )


def ordinal_codes(n_classes: int) -> torch.Tensor:
    """Class k of K -> 1 - k/(K-1): 1, 0.5, 0 for three classes."""
    return torch.linspace(1.0, 0.0, n_classes)


def ordinal_mse_loss(logits, y, n_classes, reduction="mean"):
    """The course's ordinal code: one sigmoid output, squared error to the class's code."""
    codes = ordinal_codes(n_classes).to(logits)[y]
    return reduce(F.mse_loss(torch.sigmoid(logits).squeeze(1), codes, reduction="none"), reduction)


class MulticlassHead(Head):
    """Softmax + cross-entropy (CrossEntropyLoss). Variants: `loss="mse"` on the softmax outputs
    against one-hot targets, and `encoding="ordinal"` (with `loss="mse"`): one sigmoid output
    trained towards the codes 1, ..., 0, the false order the course warns about."""

    name = "multiclass"
    losses = {"ce": cross_entropy_loss, "mse": softmax_mse_loss}
    options = {"encoding": ("onehot", "ordinal")}
    labels = {"encoding": _("encoding")}
    wrong = {"loss": ("mse",), "encoding": ("ordinal",)}
    main_metric, higher_is_better = "test/acc", True
    score_name, score_metric = _("accuracy"), "acc"
    target_kind = "classes"
    rank = 1

    def __init__(self, n_outputs, loss=None, encoders=None, **options):
        super().__init__(n_outputs, loss, encoders, **options)
        self.ordinal = self.settings["encoding"] == "ordinal"
        if self.ordinal:
            target = self.encoders.get("target")
            self.n_classes = len(target.classes) if target is not None else 2
        else:
            self.n_classes = n_outputs

    @classmethod
    def check_options(cls, loss, **options):
        chosen = super().check_options(loss, **options)
        if chosen["encoding"] == "ordinal" and loss != "mse":
            raise InvalidSetting(
                "encoding",
                "ordinal",
                _("ordinal codes take the loss mse (one sigmoid output trained towards 1..0)"),
                _(
                    "task.encoding=ordinal needs task.loss=mse (one sigmoid output trained towards "
                    "the codes 1..0); valid pairs: onehot+ce, onehot+mse, ordinal+mse"
                ),
            )
        return chosen

    @classmethod
    def target_encoding(cls, encoding="onehot", **options):
        return encoding  # "onehot" or "ordinal"

    @classmethod
    def output_size(cls, target_encoder):
        return 1 if target_encoder.kind == "ordinal" else len(target_encoder.classes)

    def loss(self, logits, y, reduction="mean"):
        if self.ordinal:
            return ordinal_mse_loss(logits, y, self.n_classes, reduction=reduction)
        return super().loss(logits, y, reduction)

    def activation(self, logits):
        return torch.sigmoid(logits) if self.ordinal else torch.softmax(logits, dim=1)

    def predict(self, logits):
        """Class probabilities; for the ordinal code, a one-hot of the nearest code."""
        if self.ordinal:
            codes = ordinal_codes(self.n_classes).to(logits)
            nearest = (torch.sigmoid(logits) - codes[None, :]).abs().argmin(dim=1)
            return F.one_hot(nearest, self.n_classes).to(logits.dtype)
        return torch.softmax(logits, dim=1)

    def start_wrong(self, net):
        """Saturated: a softmax keeps the first class's bias at 0, so every other class starts at
        y ≈ 0; the ordinal code's one sigmoid starts at y ≈ 0 like a binary head's."""
        from ..nets import saturate

        saturate(net, keep_first=not self.ordinal)

    @torch.no_grad()
    def score(self, logits, y):
        """Accuracy: the share of rows whose most probable class is the target."""
        return float((self.predict(logits).argmax(dim=1) == y.reshape(-1).long()).double().mean())

    def metrics(self):
        k = self.n_classes
        return {
            "acc": MulticlassAccuracy(num_classes=k, average="micro", validate_args=False),
            "f1_macro": MulticlassF1Score(num_classes=k, average="macro", validate_args=False),
        }

    def confusion_metric(self):
        return MulticlassConfusionMatrix(num_classes=self.n_classes, validate_args=False)

    def metric_inputs(self, logits, y):
        # The softmax keeps the order of the logits, so the most probable class is the largest
        # logit.
        return (self.predict(logits).argmax(dim=1) if self.ordinal else logits), y

    def decode(self, outputs):
        classes = self.encoders["target"].classes
        probs = outputs.double().numpy()
        return [classes[i] for i in probs.argmax(axis=1)], {
            f"p_{c}": probs[:, j] for j, c in enumerate(classes)
        }
