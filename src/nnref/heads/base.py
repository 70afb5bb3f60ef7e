"""Head: what a task's output layer is, in torch alone.

A head holds the course's facts about one task (lecture 2-4): its output activation, its losses (the
right pairing first, then the course's deliberately wrong ones), how its targets are encoded and how
many output units that takes, its metrics and its main one, how it decodes outputs back into the
user's terms, and which data fits it. The Lightning modules (nnref.tasks), the plain loop
(nnref.loop), the experiments, the playground and the testing kit all ask a head; none keeps a copy.

Losses take the logits (the output units' net inputs), so that torch's fused, numerically stable
forms can be used; `activation` turns logits into outputs.
"""

from __future__ import annotations

import torch
from torchmetrics import Metric, MetricCollection

from ..data.encoding import encoder_from_dict


def reduce(per_sample: torch.Tensor, reduction: str) -> torch.Tensor:
    """A loss's reduction over samples: "none" (one value per sample), "mean" or "sum"."""
    if reduction == "none":
        return per_sample
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    raise ValueError(f"reduction={reduction!r}: unknown; valid: none, mean, sum")


class MeanLoss(Metric):
    """The mean over an epoch's rows of a loss, from each batch's mean loss and its number of rows.

    torchmetrics' MeanMetric does the same, with checks for NaN on every update that cost about
    twice what this whole update costs; a loss that is not finite is nnref's own check (the run
    diverged), and a NaN here stays NaN. Sums are kept in float64, as a plain loop adds floats."""

    full_state_update = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_state("total", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("rows", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, loss: torch.Tensor, rows: int) -> None:
        self.total.add_(loss.detach(), alpha=rows)
        self.rows.add_(rows)

    def compute(self) -> torch.Tensor:
        return self.total / self.rows


class Head:
    # ---------------------------------------------------------- what each head declares
    name = "base"  # the task's name: task=NAME on the command line, HEADS[NAME] in Python
    # loss name -> function(logits, y, reduction="mean"); the first is the default
    losses: dict = {}
    options: dict = {}  # the head's own options -> their valid values; the first is the default
    main_metric = "test/loss"  # what a sweep ranks configurations by
    higher_is_better = False
    target_kind = "classes"  # the target a data set needs: "number", "classes" or "labels"

    def __init__(
        self, n_outputs: int, loss: str | None = None, encoders: dict | None = None, **options
    ):
        self.loss_name = loss or next(iter(self.losses))
        self.settings = self.check_options(self.loss_name, **options)
        self.n_outputs = n_outputs
        self.encoders = {k: encoder_from_dict(v) for k, v in (encoders or {}).items()}

    # ---------------------------------------------------------- rules, asked before any head exists
    @classmethod
    def check_options(cls, loss: str, **options) -> dict:
        """The head's settings with defaults filled in; a ValueError names a bad key and what is
        valid."""
        if loss not in cls.losses:
            raise ValueError(
                f"task.loss={loss}: not valid for task={cls.name}; valid: {', '.join(cls.losses)}"
            )
        unknown = sorted(set(options) - set(cls.options))
        if unknown:
            valid = ", ".join(f"task.{k}" for k in cls.options) or "none"
            raise ValueError(
                f"task.{unknown[0]} is not an option of task={cls.name}; its options: {valid}"
            )
        chosen = {key: options.get(key, values[0]) for key, values in cls.options.items()}
        for key, value in chosen.items():
            if value not in cls.options[key]:
                raise ValueError(
                    f"task.{key}={value}: unknown; valid: {', '.join(cls.options[key])}"
                )
        return chosen

    @classmethod
    def target_encoding(cls, **options) -> str:
        """The target encoding the data applies for this head (a name in nnref.data.encoding)."""
        raise NotImplementedError

    @classmethod
    def output_size(cls, target_encoder) -> int:
        """The number of output units, from the fitted target encoder."""
        raise NotImplementedError

    @classmethod
    def fits(cls, kind: str, n_classes: int | None) -> bool:
        """Whether a data set whose target is `kind` (with n_classes classes) fits this head."""
        return kind == cls.target_kind

    # ---------------------------------------------------------- the output layer
    def activation(self, logits: torch.Tensor) -> torch.Tensor:
        """The output activation: logits -> outputs."""
        raise NotImplementedError

    def loss(self, logits: torch.Tensor, y: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        """The head's loss: "none" gives one value per sample, "mean" and "sum" reduce over
        samples."""
        return self.losses[self.loss_name](logits, y, reduction=reduction)

    def predict(self, logits: torch.Tensor) -> torch.Tensor:
        """Outputs in the user's units: probabilities, or values in the target's original units."""
        return self.activation(logits)

    def decode(self, outputs: torch.Tensor) -> tuple[list[str] | None, dict]:
        """predict()'s outputs -> (the prediction per row in the user's terms, {column: values})."""
        raise NotImplementedError

    # ---------------------------------------------------------- metrics
    def metrics(self) -> dict[str, Metric]:
        """Fresh torchmetrics objects, one per metric name; each keeps a fixed-size state (no
        rows)."""
        raise NotImplementedError

    def metric_inputs(self, logits: torch.Tensor, y: torch.Tensor) -> tuple:
        """(preds, target) as every metric of the head takes them."""
        raise NotImplementedError

    def metric_collection(self, prefix: str = "") -> MetricCollection:
        """The head's metrics as one collection; metrics that can share state compute it once."""
        return MetricCollection(self.metrics(), prefix=prefix, compute_groups=True)

    def confusion_metric(self) -> Metric | None:
        """A fresh torchmetrics confusion matrix over metric_inputs (heads that classify); None
        for a head whose outputs are numbers."""
        return None

    @torch.no_grad()
    def confusion_matrix(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
        """Rows counted by (true, predicted): K x K (row = true class) for one class per row;
        for labels, per label its [[TN, FP], [FN, TP]] (L x 2 x 2). None for a number."""
        metric = self.confusion_metric()
        if metric is None:
            return None
        metric.update(*self.metric_inputs(logits, y))
        return metric.compute()

    @torch.no_grad()
    def compute_metrics(self, logits: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        """The metrics of one batch of rows, at once."""
        collection = self.metric_collection().to(logits.device)
        collection.update(*self.metric_inputs(logits, y))
        return {k: float(v) for k, v in collection.compute().items()}
