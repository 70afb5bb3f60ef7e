"""The answers to the notebooks' exercises: each one's reference (the lecture's formula), how a
result is compared with it, and the likely mistakes a wrong result is matched against.

A mistake is a hint (what the student got wrong, said as the rule) and a function that makes that
mistake. A mistake that cannot be made on a case (W₁·W₂ needs square layers) raises there and is
simply not matched. Only the judge's side imports this module: the grader's child process, where
a student's code runs, never holds the answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from nnref.locale.messages import _
from nnref.optim import OPTIMIZERS

from .cases import D, randn
from .plain import type_name
from .problems import first_difference

YOURS, EXPECTED = _("yours"), _("expected")


@dataclass
class Reference:
    formula: Callable | None = None  # function exercises: the lecture's formula
    mistakes: list = field(default_factory=list)  # (hint, a function making that mistake)
    compare: Callable | None = None  # (got, expected, inputs) -> None or what differs


def close(got, expected, what=_("value")):
    if not torch.is_tensor(got):
        return _(
            "returned {type}, expected a tensor of shape {shape}",
            type=type_name(got),
            shape=str(tuple(expected.shape)),
        )
    if tuple(got.shape) != tuple(expected.shape):
        return _(
            "shape {shape}; expected {expected}",
            shape=str(tuple(got.shape)),
            expected=str(tuple(expected.shape)),
        )
    if not torch.isfinite(got).all() and torch.isfinite(expected).all():
        bad = got.flatten()[~torch.isfinite(got.flatten())][0].item()
        return _("not finite ({value})", value=str(bad))
    return first_difference([got.to(D)], [expected.to(D)], names=(YOURS, EXPECTED), label=what)


# ------------------------------------------------------------------ 01 regression: folding layers
def fold_reference(layers):
    weight, bias = layers[0].weight.detach(), layers[0].bias.detach()
    for layer in layers[1:]:
        weight, bias = layer.weight.detach() @ weight, layer.weight.detach() @ bias + layer.bias
    return weight, bias


def fold_wrong_order(layers):
    weight, bias = layers[0].weight.detach(), layers[0].bias.detach()
    for layer in layers[1:]:
        weight, bias = weight @ layer.weight.detach(), layer.weight.detach() @ bias + layer.bias
    return weight, bias


def fold_last_bias_only(layers):
    weight, _bias = fold_reference(layers)
    return weight, layers[-1].bias.detach()


def as_linear(fold):
    def folded(layers):
        weight, bias = fold(layers)
        out = nn.utils.skip_init(nn.Linear, weight.shape[1], weight.shape[0], dtype=D)
        with torch.no_grad():
            out.weight.copy_(weight)
            out.bias.copy_(bias)
        return out

    return folded


def compare_folded(got, expected, inputs):
    (layers,) = inputs
    if not isinstance(got, nn.Linear):
        return _("returned {type}, expected one torch.nn.Linear", type=type_name(got))
    n_in, n_out = layers[0].in_features, layers[-1].out_features
    if (got.in_features, got.out_features) != (n_in, n_out):
        return _(
            "a Linear({got_in}, {got_out}); expected Linear({n_in}, {n_out}): "
            "inputs of the first layer, outputs of the last",
            got_in=got.in_features,
            got_out=got.out_features,
            n_in=n_in,
            n_out=n_out,
        )
    x = randn(7, n_in, seed=42)
    with torch.no_grad():
        # expected: the reference's one Linear, whose outputs are the stack's (or a mistake's)
        return first_difference(
            [got(x.to(got.weight.dtype)).to(D)],
            [expected(x)],
            names=(_("folded"), _("the stack")),
            label=_("output"),
        )


# ------------------------------------------------------------------ 02 binary
def sigmoid_mse_grad_reference(net, t):
    y = torch.sigmoid(net)
    return -(t - y) * y * (1 - y)


def bce_reference(y, t):
    return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).mean()


# ------------------------------------------------------------------ 03 multiclass
def one_hot_reference(labels, classes):
    index = {c: i for i, c in enumerate(classes)}
    return F.one_hot(torch.tensor([index[label] for label in labels]), len(classes)).to(
        torch.float32
    )


def one_hot_sorted(labels, classes):
    return one_hot_reference(labels, sorted(classes))


def compare_one_hot(got, expected, inputs):
    if not torch.is_tensor(got):
        return _(
            "returned {type}, expected a tensor of shape {shape}",
            type=type_name(got),
            shape=str(tuple(expected.shape)),
        )
    if not got.is_floating_point():
        return _(
            "a {dtype} tensor; expected a float tensor (targets are compared with outputs)",
            dtype=str(got.dtype),
        )
    if tuple(got.shape) != tuple(expected.shape):
        return _(
            "shape {shape}; expected {expected}: (n, len(classes))",
            shape=str(tuple(got.shape)),
            expected=str(tuple(expected.shape)),
        )
    return first_difference(
        [got.to(D)], [expected.to(D)], names=(YOURS, EXPECTED), label=_("one-hot")
    )


def softmax_reference(net):
    return torch.softmax(net, dim=1)


def softmax_columns(net):
    e = torch.exp(net - net.max())
    return e / e.sum(dim=0, keepdim=True)


def softmax_naive(net):
    e = torch.exp(net)
    return e / e.sum(dim=1, keepdim=True)


def softmax_no_exp(net):
    return net / net.sum(dim=1, keepdim=True)


def ce_reference(y, t):
    return -(t * torch.log(y)).sum(dim=1).mean()


# ------------------------------------------------------------------ 04 multilabel
def multilabel_reference(net, t):
    return F.binary_cross_entropy_with_logits(net, t, reduction="none").sum(dim=1).mean()


def multilabel_mean_over_labels(net, t):
    return F.binary_cross_entropy_with_logits(net, t)


def multilabel_softmax(net, t):
    return -(t * torch.log_softmax(net, dim=1)).sum(dim=1).mean()


def multilabel_sum_over_samples(net, t):
    return F.binary_cross_entropy_with_logits(net, t, reduction="sum")


# ------------------------------------------------------------------ the function exercises
SUM_NOT_MEAN = _("a sum over samples where the mean is asked for")

REFERENCES = {
    "fold_linear_layers": Reference(
        as_linear(fold_reference),
        [
            (
                _(
                    "the weights multiplied in the wrong order: a later layer applies W₂·W₁, "
                    "not W₁·W₂"
                ),
                as_linear(fold_wrong_order),
            ),
            (
                _("forgot the bias's path through the later weights, W₂·b₁ + b₂"),
                as_linear(fold_last_bias_only),
            ),
        ],
        compare_folded,
    ),
    "sigmoid_mse_grad": Reference(
        sigmoid_mse_grad_reference,
        [
            (
                _(
                    "forgot y(1 − y), the sigmoid's derivative: −(t − y) is MSE's "
                    "gradient at y, not at net"
                ),
                lambda net, t: -(t - torch.sigmoid(net)),
            ),
            (
                _("the sign: ∂E/∂net = −(t − y)·y(1 − y), it points away from the target"),
                lambda net, t: -sigmoid_mse_grad_reference(net, t),
            ),
            (
                _("a factor 2: E = ½(t − y)², and the ½ cancels the 2 of the square"),
                lambda net, t: 2 * sigmoid_mse_grad_reference(net, t),
            ),
            (
                _("that is cross-entropy's gradient, y − t; with MSE the factor y(1 − y) stays"),
                lambda net, t: torch.sigmoid(net) - t,
            ),
        ],
    ),
    "binary_cross_entropy": Reference(
        bce_reference,
        [
            (SUM_NOT_MEAN, lambda y, t: bce_reference(y, t) * len(y)),
            (
                _("forgot the (1 − t)·log(1 − y) term: a sample with t = 0 adds nothing"),
                lambda y, t: -(t * torch.log(y)).mean(),
            ),
            (
                _("the sign: −[t·log y + (1 − t)·log(1 − y)] is positive"),
                lambda y, t: -bce_reference(y, t),
            ),
            (
                _("log base 2 or 10: the course's log is the natural one"),
                lambda y, t: bce_reference(y, t) / math.log(2),
            ),
        ],
    ),
    "one_hot": Reference(
        one_hot_reference,
        [(_("columns sorted by name: they must follow the order of `classes`"), one_hot_sorted)],
        compare_one_hot,
    ),
    "softmax": Reference(
        softmax_reference,
        [
            (
                _(
                    "normalised over the wrong axis: each row (sample) must sum to 1, "
                    "not each column"
                ),
                softmax_columns,
            ),
            (
                _(
                    "exp overflows for large net inputs: subtract each row's largest "
                    "net first (it cancels)"
                ),
                softmax_naive,
            ),
            (_("no exp: softmax is exp, then normalise"), softmax_no_exp),
        ],
    ),
    "cross_entropy": Reference(
        ce_reference,
        [
            (SUM_NOT_MEAN, lambda y, t: ce_reference(y, t) * len(y)),
            (
                _("a mean over every entry: sum over the classes, then the mean over samples"),
                lambda y, t: -(t * torch.log(y)).mean(),
            ),
            (_("the sign: −Σ t·log y is positive"), lambda y, t: -ce_reference(y, t)),
            (
                _("the wrong classes: Σₖ tₖ·log yₖ takes the log of the right class's probability"),
                lambda y, t: -((1 - t) * torch.log(y)).sum(dim=1).mean(),
            ),
        ],
    ),
    "multilabel_loss": Reference(
        multilabel_reference,
        [
            (
                _(
                    "a mean over the labels: each label is its own binary problem, "
                    "and their losses add up"
                ),
                multilabel_mean_over_labels,
            ),
            (
                _(
                    "a softmax over the labels: each label has its own sigmoid, the "
                    "outputs need not sum to 1"
                ),
                multilabel_softmax,
            ),
            (SUM_NOT_MEAN, multilabel_sum_over_samples),
        ],
    ),
}


# ------------------------------------------------------------------ 06, 07 optimizers
class Rule(torch.optim.Optimizer):
    """A one-line update rule as an optimizer: the mistakes an exercise is matched against."""

    def __init__(self, params, rule, **hp):
        super().__init__(params, dict(hp))
        self.rule = rule

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state[p]
                    state["t"] = state.get("t", 0) + 1
                    self.rule(p, p.grad, state, group)
        return loss


def momentum_ema(p, g, s, h):
    s["m"] = h["momentum"] * s.get("m", torch.zeros_like(p)) + (1 - h["momentum"]) * h["lr"] * g
    p.sub_(s["m"])


def plain_gd(p, g, s, h):
    p.sub_(h["lr"] * g)


def adagrad_no_sqrt(p, g, s, h):
    s["s"] = s.get("s", torch.zeros_like(p)) + g * g
    p.sub_(h["lr"] * g / (s["s"] + h["eps"]))


def adagrad_running_mean(p, g, s, h):
    s["s"] = 0.99 * s.get("s", torch.zeros_like(p)) + 0.01 * g * g
    p.sub_(h["lr"] * g / (s["s"].sqrt() + h["eps"]))


def rmsprop_no_one_minus_alpha(p, g, s, h):
    s["v"] = h["alpha"] * s.get("v", torch.zeros_like(p)) + g * g
    p.sub_(h["lr"] * g / (s["v"].sqrt() + h["eps"]))


def rmsprop_no_sqrt(p, g, s, h):
    s["v"] = h["alpha"] * s.get("v", torch.zeros_like(p)) + (1 - h["alpha"]) * g * g
    p.sub_(h["lr"] * g / (s["v"] + h["eps"]))


def adam_no_bias_correction(p, g, s, h):
    b1, b2 = h["betas"]
    s["m"] = b1 * s.get("m", torch.zeros_like(p)) + (1 - b1) * g
    s["v"] = b2 * s.get("v", torch.zeros_like(p)) + (1 - b2) * g * g
    p.sub_(h["lr"] * s["m"] / (s["v"].sqrt() + h["eps"]))


def adam_corrects_m_only(p, g, s, h):
    b1, b2 = h["betas"]
    s["m"] = b1 * s.get("m", torch.zeros_like(p)) + (1 - b1) * g
    s["v"] = b2 * s.get("v", torch.zeros_like(p)) + (1 - b2) * g * g
    p.sub_(h["lr"] * (s["m"] / (1 - b1 ** s["t"])) / (s["v"].sqrt() + h["eps"]))


def nnref_momentum(params, **hp):
    return OPTIMIZERS["momentum"].cls(params, lr=hp["lr"], momentum=hp["momentum"])


def rule(update):
    return lambda params, **hp: Rule(params, update, **hp)


NO_MOMENTUM = _("no momentum: the step is η·g alone, m is not carried from step to step")

OPTIMIZER_MISTAKES = {
    "Momentum": [
        (
            _("m ← γ·m + η·g: the course adds the whole η·g, not (1 − γ)·η·g"),
            rule(momentum_ema),
        ),
        (NO_MOMENTUM, rule(plain_gd)),
    ],
    "NAG": [
        (
            _("gradient taken before the look-ahead: at w, not at w − γ·m (that is Momentum)"),
            nnref_momentum,
        ),
        (NO_MOMENTUM, rule(plain_gd)),
    ],
    "AdaGrad": [
        (_("no square root: w ← w − η·g/(√s + ε)"), rule(adagrad_no_sqrt)),
        (
            _("a running mean of g² (that is RMSProp): AdaGrad adds every g², s ← s + g²"),
            rule(adagrad_running_mean),
        ),
    ],
    "RMSProp": [
        (_("forgot (1 − α): v ← α·v + (1 − α)·g²"), rule(rmsprop_no_one_minus_alpha)),
        (_("no square root: w ← w − η·g/(√v + ε)"), rule(rmsprop_no_sqrt)),
    ],
    "Adam": [
        (
            _("no bias correction: m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ), with t counted from 1"),
            rule(adam_no_bias_correction),
        ),
        (_("v not bias-corrected: v̂ = v/(1 − β₂ᵗ) as well as m̂"), rule(adam_corrects_m_only)),
    ],
}
