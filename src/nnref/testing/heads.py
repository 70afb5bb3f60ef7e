"""check_head: a user's output layer and loss against the course's definitions and torch's losses.

The tasks and each one's losses are the course's (nnref.heads.HEADS); the references they are held
to are the kit's own, written here from torch's losses and the course's formulas.
Conventions (those of torch's losses, and of nnref.heads): a loss takes (logits, targets) and
returns the mean over the n samples.  So the course's per-sample gradients carry a factor here:
  cross-entropy (softmax, sigmoid, per label):  ∂E/∂z = (y − t) / n
  sigmoid + MSE:  ∂E/∂z = (2/n)·(−(t − y)·y(1 − y))   torch's mean MSE (1/n)·Σ(t − y)² has no ½
  softmax + MSE:  ∂E/∂z = (2/(n·K))·softmax′ᵀ(y − t)  (MSE also averages over the K outputs)
  regression:     ∂E/∂z = (2/(n·T))·(y − t)           (identity output, T targets)
Targets: binary (n, 1) float 0/1; multiclass (n,) int64 class indices; multilabel (n, L) float
multi-hot; regression (n, T) float.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from nnref.heads import HEADS
from nnref.locale.messages import _

from .optimizers import KitError, load
from .problems import error_line, first_difference
from .report import FAIL, PASS, SKIP, Report, Row
from .runs import describe

N, K = 6, 4  # samples; classes, labels or targets
OUTPUTS = {"regression": 2, "binary": 1, "multiclass": K, "multilabel": K}


def logits_and_targets(task, scale=1.0):
    g = torch.Generator().manual_seed(0)
    z = torch.randn(N, OUTPUTS[task], generator=g, dtype=torch.float64) * 2 * scale
    t = {
        "binary": torch.tensor([[1.0], [0.0], [1.0], [0.0], [0.0], [1.0]], dtype=torch.float64),
        "multiclass": torch.tensor([0, 2, 1, 3, 1, 0]),
        "multilabel": torch.tensor(
            [[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0]],
            dtype=torch.float64,
        ),
        "regression": torch.randn(N, 2, generator=g, dtype=torch.float64),
    }[task]
    return z, t


def course_outputs(task, z):
    return {"multiclass": lambda: torch.softmax(z, 1), "regression": lambda: z}.get(
        task, lambda: torch.sigmoid(z)
    )()


def torch_loss(task, loss, z, t):
    """The torch loss each head names (nnref.heads), from the logits."""
    if task == "multiclass":
        return (
            F.cross_entropy(z, t)
            if loss == "ce"
            else F.mse_loss(torch.softmax(z, 1), F.one_hot(t, K).to(z))
        )
    if task == "multilabel":  # the per-label BCEs, summed; the mean over samples
        return sum(F.binary_cross_entropy_with_logits(z[:, j], t[:, j]) for j in range(z.shape[1]))
    if task == "binary":
        return (
            F.binary_cross_entropy_with_logits(z, t)
            if loss == "ce"
            else F.mse_loss(torch.sigmoid(z), t)
        )
    return F.mse_loss(z, t)


def course_gradient(task, loss, z, t):
    """∂E/∂z by the course's formulas, with the factors of a mean over samples (module
    docstring)."""
    y = course_outputs(task, z)
    target = F.one_hot(t, K).to(z) if task == "multiclass" else t
    n = len(z)
    if loss == "ce":
        return (y - target) / n
    if task == "binary":
        return 2 / n * (-(target - y) * y * (1 - y))
    if task == "multiclass":
        d = y - target
        return 2 / (n * K) * y * (d - (y * d).sum(1, keepdim=True))
    return 2 / (n * z.shape[1]) * (y - target)


LOSS_NAMES = {
    ("multiclass", "ce"): _("loss equals torch's CrossEntropyLoss"),
    ("multiclass", "mse"): _("loss equals torch's MSELoss(softmax, one-hot)"),
    ("binary", "ce"): _("loss equals torch's BCEWithLogitsLoss"),
    ("binary", "mse"): _("loss equals torch's MSELoss(sigmoid, t)"),
    ("multilabel", "ce"): _("loss is the sum of per-label BCEs"),
    ("regression", "mse"): _("loss equals torch's MSELoss"),
}
GRADIENT_NAMES = {
    "ce": "dE/dz = (y - t)/n",
    ("binary", "mse"): "dE/dz = -(t - y)y(1 - y) x 2/n",
    ("multiclass", "mse"): "dE/dz = softmax'(y - t) x 2/(nK)",
    ("regression", "mse"): "dE/dz = (y - t) x 2/(nT)",
}
# The tasks as a report's subject names them: "... as the multiclass head (loss=ce)".
TASK_NAMES = {
    "regression": _("regression"),
    "binary": _("binary"),
    "multiclass": _("multiclass"),
    "multilabel": _("multilabel"),
}
OUTPUT_NAMES = {
    "multiclass": _("softmax, rows sum to 1"),
    "binary": _("sigmoid"),
    "multilabel": _("a sigmoid per label (rows need not sum to 1)"),
    "regression": _("identity"),
}


@dataclass
class HeadUnderTest:
    loss: Callable  # (logits, targets) -> the mean loss
    activation: Callable | None  # logits -> outputs; None when only a loss was given
    task: str
    loss_name: str
    label: str


def ratio_hint(ours: float, reference: float) -> str:
    if reference == 0 or not math.isfinite(ours):
        return ""
    ratio = ours / reference
    known = {
        N: _("a sum over samples where torch takes the mean"),
        N / 2: _("½·Σ(t − y)² over samples, the course's E; torch's MSE is the mean, without ½"),
        0.5: _("½·(t − y)², the course's E; torch's MSE has no ½"),
    }
    shown = format(ratio, ".4g")
    for value, meaning in known.items():
        if math.isclose(ratio, value, rel_tol=1e-6):
            return _(" (ratio {ratio}: {meaning})", ratio=shown, meaning=meaning)
    return _(" (ratio {ratio})", ratio=shown)


def check_output(head, z, t):
    if head.activation is None:
        return SKIP, _("no activation given (pass an object with .activation, or activation=)")
    y = head.activation(z)
    expected = course_outputs(head.task, z)
    if difference := first_difference(
        [y], [expected], names=(_("ours"), "torch"), label=_("output")
    ):
        return FAIL, difference
    if head.task == "multiclass" and not torch.isfinite(head.activation(z * 500)).all():
        return FAIL, _("not finite at logits of ±1000 (subtract the row's max before exp)")
    return PASS, ""


def check_loss_value(head, z, t):
    ours = head.loss(z, t)
    if not torch.is_tensor(ours) or ours.dim() != 0:
        return FAIL, _(
            "returned {what}, not a scalar (the mean over samples)",
            what=str(getattr(ours, "shape", type(ours).__name__)),
        )
    reference = torch_loss(head.task, head.loss_name, z, t)
    if first_difference([ours], [reference]):
        return FAIL, _(
            "{ours} vs torch {reference}{hint}",
            ours=format(ours.item(), ".10g"),
            reference=format(reference.item(), ".10g"),
            hint=ratio_hint(ours.item(), reference.item()),
        )
    return PASS, ""


def check_large_logits(head, z, t):
    return check_loss_value(head, z * 500, t)


def check_gradient(head, z, t):
    z = z.clone().requires_grad_()
    head.loss(z, t).backward()
    expected = course_gradient(head.task, head.loss_name, z.detach(), t)
    if difference := first_difference(
        [z.grad], [expected], names=("autograd", _("formula")), label="dE/dz"
    ):
        scale = (z.grad * expected).sum() / (expected * expected).sum()
        if first_difference([z.grad], [scale * expected]) is None:
            difference = _(
                "{difference}; {scale} × the formula everywhere",
                difference=difference,
                scale=format(scale.item(), ".4g"),
            )
        return FAIL, difference
    return PASS, ""


def check_two_class_softmax(head, z, t):
    """σ(z) = softmax((0, z))₁: BCE on logit z is CE on logits (0, z) with the same label."""
    ours = head.loss(z, t)
    two_class = F.cross_entropy(torch.cat([torch.zeros_like(z), z], 1), t.squeeze(1).long())
    if first_difference([ours], [two_class]):
        return FAIL, _(
            "{ours} vs two-class CE {two_class}",
            ours=format(ours.item(), ".10g"),
            two_class=format(two_class.item(), ".10g"),
        )
    return PASS, ""


def plan(task, loss) -> list[tuple[str, Callable]]:
    gradient = GRADIENT_NAMES["ce" if loss == "ce" else (task, loss)]
    checks = [
        (_("output: {activation}", activation=OUTPUT_NAMES[task]), check_output),
        (LOSS_NAMES[task, loss], check_loss_value),
    ]
    if loss == "ce":
        checks.append((_("loss at logits of ±1000"), check_large_logits))
    checks.append((_("gradient: {formula}", formula=gradient), check_gradient))
    if (task, loss) == ("binary", "ce"):
        checks.append((_("binary CE equals two-class softmax CE"), check_two_class_softmax))
    return checks


def course_head(target):
    """The course head behind a Lightning shell of nnref.tasks: a shell class names it as
    head_class, a shell instance holds it as .head.  Anything else as it is.  Duck typed, so the kit
    needs no Lightning."""
    if getattr(target, "head_class", None) is None:
        return target
    return target.head_class if isinstance(target, type) else target.head


def prepare_head(module_or_loss, task, *, loss=None, activation=None) -> HeadUnderTest:
    if task not in HEADS:
        raise KitError(
            _("task={task!r}: unknown; tasks: {tasks}", task=task, tasks=", ".join(HEADS))
        )
    losses = tuple(HEADS[task].losses)
    target = load(module_or_loss) if isinstance(module_or_loss, str) else module_or_loss
    label = describe(target)
    target = course_head(target)
    # A head class (nnref.heads): build one.
    if isinstance(target, type) and hasattr(target, "losses"):
        # nnref's heads draw nothing when built; a user's class may (layers of its own): the kit
        # leaves the global random state as it found it.
        with torch.random.fork_rng(devices=[]):
            try:
                target = target(n_outputs=OUTPUTS[task], loss=loss)
            except Exception as error:
                raise KitError(
                    _("{who}: building it raised {error}", who=label, error=error_line(error))
                ) from None
    loss = loss or getattr(target, "loss_name", None) or losses[0]
    if loss not in losses:
        raise KitError(
            _(
                "loss={loss!r}: not a loss of task={task}; its losses: {losses}",
                loss=loss,
                task=task,
                losses=", ".join(losses),
            )
        )
    if getattr(target, "loss_name", loss) != loss:
        raise KitError(
            _(
                "{who} was built with loss={built!r}, not {loss!r}",
                who=label,
                built=target.loss_name,
                loss=loss,
            )
        )
    loss_fn = getattr(target, "loss", target)
    if not callable(loss_fn):
        raise KitError(
            _("{who}: neither a loss(logits, targets) nor an object with a .loss method", who=label)
        )
    activation = activation or getattr(target, "activation", None)
    return HeadUnderTest(loss_fn, activation if callable(activation) else None, task, loss, label)


def run_head_check(head, name, check) -> Row:
    z, t = logits_and_targets(head.task)
    try:
        status, detail = check(head, z, t)
    except Exception as error:
        status, detail = FAIL, _("raised {error}", error=error_line(error))
    return Row(name, status, detail)


def check_head(module_or_loss, task, *, loss=None, activation=None) -> Report:
    """Check an output layer and loss for task ("regression", "binary", "multiclass", "multilabel").

    module_or_loss: a loss(logits, targets) -> mean loss; a course head (nnref.heads, class or
        instance) or its Lightning shell (nnref.tasks, class or instance); or any object with
        .loss(logits, targets) (and .activation(logits), checked when present).
    loss: "ce" or "mse"; by default the head's own, else the task's first (ce; mse for regression).
    activation: logits -> outputs, when module_or_loss is a bare loss.
    Raises KitError (a ValueError, one line) for an unknown task or loss, or a target that cannot be
    built.
    """
    head = prepare_head(module_or_loss, task, loss=loss, activation=activation)
    rows = [run_head_check(head, name, check) for name, check in plan(task, head.loss_name)]
    subject = _(
        "{who} as the {task} head (loss={loss})",
        who=head.label,
        task=TASK_NAMES[task],
        loss=head.loss_name,
    )
    return Report(subject, rows)
