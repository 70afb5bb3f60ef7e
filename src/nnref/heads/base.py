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
from ..errors import InvalidSetting
from ..locale.messages import _


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
    # Every shell (the Lightning modules, nnref-train, nnref-sweep, nnref-predict, the playground)
    # reads these: a fifth head needs no edit to any of them.
    name = "base"  # the task's name: task=NAME on the command line, HEADS[NAME] in Python
    # loss name -> function(logits, y, reduction="mean"); the first is the default
    losses: dict = {}
    options: dict = {}  # the head's own options -> their valid values; the first is the default
    labels: dict = {}  # each option's name for people (a message): what a form's field says
    # The course's deliberately wrong pairings among the choices above (loss or option -> values):
    # the counter-examples the lectures show beside the right pairing.
    wrong: dict = {}
    main_metric = "test/loss"  # what a sweep ranks configurations by
    higher_is_better = False  # for main_metric
    minimised = ("loss",)  # the metrics (by their last name) that are better lower
    score_name = "loss"  # the one number a person reads of a run: "accuracy", "R²", ...
    score_metric = "loss"  # which of metrics() that number is
    target_kind = "classes"  # the target a data set needs: "number", "classes" or "labels"
    # When a data set fits several heads, the shells offer the one with the lowest rank.
    rank = 9

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
        """The head's settings with defaults filled in; an InvalidSetting (a ValueError) names the
        bad key and what is valid (its text as nnref-train shows it: task.KEY=VALUE)."""
        if loss not in cls.losses:
            valid = ", ".join(cls.losses)
            raise InvalidSetting(
                "loss",
                loss,
                _("the {head} head takes {valid}", head=cls.name, valid=valid),
                _(
                    "task.loss={loss}: not valid for task={task}; valid: {valid}",
                    loss=loss,
                    task=cls.name,
                    valid=valid,
                ),
            )
        unknown = sorted(set(options) - set(cls.options))
        if unknown:
            valid = ", ".join(f"task.{k}" for k in cls.options) or _("none")
            raise InvalidSetting(
                unknown[0],
                options[unknown[0]],
                _("not an option of the {head} head", head=cls.name),
                _(
                    "task.{key} is not an option of task={task}; its options: {valid}",
                    key=unknown[0],
                    task=cls.name,
                    valid=valid,
                ),
            )
        chosen = {key: options.get(key, values[0]) for key, values in cls.options.items()}
        for key, value in chosen.items():
            if value not in cls.options[key]:
                valid, setting = ", ".join(cls.options[key]), "task." + key
                raise InvalidSetting(
                    key,
                    value,
                    _("not one of {valid}", valid=valid),
                    _(
                        "{key}={value}: unknown; valid: {valid}",
                        key=setting,
                        value=value,
                        valid=valid,
                    ),
                )
        return chosen

    @classmethod
    def choices(cls) -> dict[str, tuple]:
        """Every setting of the head -> its valid values, the default first: loss, then options."""
        return {"loss": tuple(cls.losses), **{k: tuple(v) for k, v in cls.options.items()}}

    @classmethod
    def maximises(cls, metric: str) -> bool:
        """Whether a metric (e.g. "test/acc") is better higher."""
        return metric.rsplit("/", 1)[-1] not in cls.minimised

    @classmethod
    def can_start_wrong(cls, **options) -> bool:
        """Whether its output can start confidently wrong (saturated): a squashing activation."""
        return True

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

    def columns(self, logits: torch.Tensor) -> torch.Tensor:
        """predict() as one column per class, label or target: (n, K), (n, L) or (n, T)."""
        out = self.predict(logits)
        return out.reshape(len(out), -1)

    def start_wrong(self, net) -> None:
        """Make the net's output confidently wrong for every input (lecture 2-4's saturated start):
        output weights 0, each output unit's bias so that y ≈ 0 (nnref.nets.saturate)."""
        from ..nets import saturate

        saturate(net)

    @torch.no_grad()
    def score(self, logits: torch.Tensor, y: torch.Tensor) -> float:
        """The one number a person reads (score_name) on these rows."""
        return self.compute_metrics(logits, y)[self.score_metric]

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
