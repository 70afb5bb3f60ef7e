"""The notebooks' exercises, each checked against nnref's own reference on several cases.

    from nnref.testing import check_exercise
    check_exercise("softmax", softmax)          # in a notebook: the report as a table

A function exercise is called on cases that include the awkward ones (large logits, a single
sample, an odd batch size, classes in a given order); its result is held to the reference of the
lecture's formula, and a wrong result is matched against the likely mistakes, so that the failing
row says which one it looks like (forgot y(1 − y); normalised over the wrong axis; ...). An
optimizer exercise runs `check_optimizer(scope="course")` against nnref's own class, then, where
the steps differ, the same matching. A report never shows the solution: only the rule that broke,
the first numbers that differ, and the hint.

A check never crashes the notebook: code that raises gives a failing row with the exception's one
line, code that runs past the time limit is stopped (in the main thread, where a notebook runs its
cells), and the stub a student starts from (`raise NotImplementedError`) gives "not done yet".
"""

from __future__ import annotations

import contextlib
import inspect
import math
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from nnref.optim import OPTIMIZERS

from .optimizers import KitError, check_optimizer
from .problems import error_line, first_difference, first_parting, quadratic, try_path
from .report import FAIL, PASS, TODO, Report, Row

TIME_LIMIT_S = 10.0
D = torch.float64


class TimeLimit(BaseException):
    """The student's code ran past the check's time limit. A BaseException, as KeyboardInterrupt
    is: the kit's own `except Exception` around each check must not take it for the code's error,
    so it ends the whole exercise with one row saying so."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Stop the block after `seconds`: a SIGALRM timer (Unix, main thread only; elsewhere, none)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise TimeLimit(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class NotDone(Exception):
    """The exercise still raises NotImplementedError."""


def call(fn, *args, seconds: float):
    """fn(*args) within the time limit; NotImplementedError becomes NotDone."""
    try:
        with time_limit(seconds):
            return fn(*args)
    except NotImplementedError as error:
        raise NotDone from error


# ------------------------------------------------------------------ what an exercise is
@dataclass
class Case:
    name: str  # what the row says, e.g. "large logits (±1000)"
    inputs: Callable[[], tuple]  # fresh inputs each call


@dataclass
class Exercise:
    name: str
    signature: tuple[
        str, ...
    ]  # parameter names, in order (for a class: its __init__'s, after self)
    lecture: str  # "2-4 p10-12"
    reference: Callable | None = None  # function exercises: the lecture's formula
    cases: list[Case] = field(default_factory=list)
    mistakes: list = field(default_factory=list)  # (hint, a function making that mistake)
    compare: Callable | None = None  # (got, expected, inputs) -> None or what differs
    optimizer: str | None = None  # optimizer exercises: nnref.optim's name
    check: Callable | None = None  # its own check, (fn, seconds) -> rows, for what cases can't hold
    hyperparameters: dict = field(default_factory=dict)

    @property
    def shown(self) -> str:
        return f"{self.name}({', '.join(self.signature)})"


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed=0, scale=1.0):
    return torch.randn(*shape, generator=generator(seed), dtype=D) * scale


# ------------------------------------------------------------------ 01 regression: folding layers
def linear(n_in, n_out, seed):
    layer = nn.Linear(n_in, n_out, dtype=D)
    with torch.no_grad():
        layer.weight.copy_(randn(n_out, n_in, seed=seed))
        layer.bias.copy_(randn(n_out, seed=seed + 100))
    return layer


def fold_reference(layers):
    weight, bias = layers[0].weight.detach(), layers[0].bias.detach()
    for layer in layers[1:]:
        weight, bias = layer.weight.detach() @ weight, layer.weight.detach() @ bias + layer.bias
    return weight, bias


def stack(*sizes, seed=0):
    return [linear(a, b, seed + i) for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]


def compare_folded(got, expected, inputs):
    (layers,) = inputs
    if not isinstance(got, nn.Linear):
        return f"returned {type(got).__name__}, expected one torch.nn.Linear"
    n_in, n_out = layers[0].in_features, layers[-1].out_features
    if (got.in_features, got.out_features) != (n_in, n_out):
        return (
            f"a Linear({got.in_features}, {got.out_features}); expected Linear({n_in}, {n_out}): "
            "inputs of the first layer, outputs of the last"
        )
    x = randn(7, n_in, seed=42)
    with torch.no_grad():
        # expected: the reference's one Linear, whose outputs are the stack's (or a mistake's)
        return first_difference(
            [got(x).to(D)], [expected(x)], names=("folded", "the stack"), label="output"
        )


# The likely mistakes. A mistake that cannot be made on a case (W₁·W₂ needs square layers) raises
# there and is simply not matched.
def fold_wrong_order(layers):
    weight, bias = layers[0].weight.detach(), layers[0].bias.detach()
    for layer in layers[1:]:
        weight, bias = weight @ layer.weight.detach(), layer.weight.detach() @ bias + layer.bias
    return weight, bias


def fold_last_bias_only(layers):
    weight, _ = fold_reference(layers)
    return weight, layers[-1].bias.detach()


def as_linear(fold):
    def folded(layers):
        weight, bias = fold(layers)
        out = nn.Linear(weight.shape[1], weight.shape[0], dtype=D)
        with torch.no_grad():
            out.weight.copy_(weight)
            out.bias.copy_(bias)
        return out

    return folded


# ------------------------------------------------------------------ 02 binary
def sigmoid_mse_grad_reference(net, t):
    y = torch.sigmoid(net)
    return -(t - y) * y * (1 - y)


def bce_reference(y, t):
    return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).mean()


def binary_targets(n, seed):
    return (torch.rand(n, generator=generator(seed), dtype=D) < 0.5).to(D)


def probabilities(n, seed):
    return torch.rand(n, generator=generator(seed), dtype=D) * 0.98 + 0.01


# ------------------------------------------------------------------ 03 multiclass
CLASSES = ["red", "yellow", "blue"]  # the lecture's order, not sorted


def one_hot_reference(labels, classes):
    index = {c: i for i, c in enumerate(classes)}
    return F.one_hot(torch.tensor([index[label] for label in labels]), len(classes)).to(
        torch.float32
    )


def compare_one_hot(got, expected, inputs):
    if not torch.is_tensor(got):
        return f"returned {type(got).__name__}, expected a tensor of shape {tuple(expected.shape)}"
    if not got.is_floating_point():
        return f"a {got.dtype} tensor; expected a float tensor (targets are compared with outputs)"
    if tuple(got.shape) != tuple(expected.shape):
        return f"shape {tuple(got.shape)}; expected {tuple(expected.shape)}: (n, len(classes))"
    return first_difference(
        [got.to(D)], [expected.to(D)], names=("yours", "expected"), label="one-hot"
    )


def one_hot_sorted(labels, classes):
    return one_hot_reference(labels, sorted(classes))


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


def one_hot_rows(labels, k):
    return F.one_hot(torch.tensor(labels), k).to(D)


# ------------------------------------------------------------------ 04 multilabel
def multilabel_reference(net, t):
    return F.binary_cross_entropy_with_logits(net, t, reduction="none").sum(dim=1).mean()


def multilabel_mean_over_labels(net, t):
    return F.binary_cross_entropy_with_logits(net, t)


def multilabel_softmax(net, t):
    return -(t * torch.log_softmax(net, dim=1)).sum(dim=1).mean()


def multilabel_sum_over_samples(net, t):
    return F.binary_cross_entropy_with_logits(net, t, reduction="sum")


def multi_hot(n, labels, seed):
    return (torch.rand(n, labels, generator=generator(seed), dtype=D) < 0.4).to(D)


# ------------------------------------------------------------------ the registry
def close(got, expected, what="value"):
    if not torch.is_tensor(got):
        return f"returned {type(got).__name__}, expected a tensor of shape {tuple(expected.shape)}"
    if tuple(got.shape) != tuple(expected.shape):
        return f"shape {tuple(got.shape)}; expected {tuple(expected.shape)}"
    if not torch.isfinite(got).all() and torch.isfinite(expected).all():
        return f"not finite ({got.flatten()[~torch.isfinite(got.flatten())][0].item()})"
    return first_difference([got.to(D)], [expected.to(D)], names=("yours", "expected"), label=what)


EXERCISES: dict[str, Exercise] = {}


def exercise(ex: Exercise) -> Exercise:
    EXERCISES[ex.name] = ex
    return ex


exercise(
    Exercise(
        "fold_linear_layers",
        ("layers",),
        "2-4 p3-4",
        reference=as_linear(fold_reference),
        cases=[
            Case("two layers, 3 -> 4 -> 2", lambda: (stack(3, 4, 2),)),
            Case("one layer (nothing to fold)", lambda: (stack(5, 3, seed=3),)),
            Case("four layers, 2 -> 6 -> 5 -> 4 -> 1", lambda: (stack(2, 6, 5, 4, 1, seed=7),)),
            Case("two square layers, 3 -> 3 -> 3", lambda: (stack(3, 3, 3, seed=11),)),
        ],
        mistakes=[
            (
                "the weights multiplied in the wrong order: a later layer applies W₂·W₁, not W₁·W₂",
                as_linear(fold_wrong_order),
            ),
            (
                "forgot the bias's path through the later weights, W₂·b₁ + b₂",
                as_linear(fold_last_bias_only),
            ),
        ],
        compare=compare_folded,
    )
)

exercise(
    Exercise(
        "sigmoid_mse_grad",
        ("net", "t"),
        "2-4 p9-10",
        reference=sigmoid_mse_grad_reference,
        cases=[
            Case(
                "net in (-3, 3), t 0 or 1",
                lambda: (randn(8, seed=1, scale=1.5), binary_targets(8, 2)),
            ),
            Case(
                "confidently wrong: net = -7, t = 1",
                lambda: (torch.full((3,), -7.0, dtype=D), torch.ones(3, dtype=D)),
            ),
            Case(
                "a single sample",
                lambda: (torch.tensor([0.3], dtype=D), torch.tensor([1.0], dtype=D)),
            ),
            Case(
                "a (4, 3) batch", lambda: (randn(4, 3, seed=3), binary_targets(12, 4).reshape(4, 3))
            ),
        ],
        mistakes=[
            (
                "forgot y(1 − y), the sigmoid's derivative: −(t − y) is MSE's "
                "gradient at y, not at net",
                lambda net, t: -(t - torch.sigmoid(net)),
            ),
            (
                "the sign: ∂E/∂net = −(t − y)·y(1 − y), it points away from the target",
                lambda net, t: -sigmoid_mse_grad_reference(net, t),
            ),
            (
                "a factor 2: E = ½(t − y)², and the ½ cancels the 2 of the square",
                lambda net, t: 2 * sigmoid_mse_grad_reference(net, t),
            ),
            (
                "that is cross-entropy's gradient, y − t; with MSE the factor y(1 − y) stays",
                lambda net, t: torch.sigmoid(net) - t,
            ),
        ],
    )
)

exercise(
    Exercise(
        "binary_cross_entropy",
        ("y", "t"),
        "2-4 p12-14",
        reference=bce_reference,
        cases=[
            Case("8 samples", lambda: (probabilities(8, 1), binary_targets(8, 2))),
            Case(
                "confident, right and wrong",
                lambda: (
                    torch.tensor([0.999, 0.001, 0.999], dtype=D),
                    torch.tensor([1.0, 1.0, 0.0], dtype=D),
                ),
            ),
            Case(
                "a single sample",
                lambda: (torch.tensor([0.7], dtype=D), torch.tensor([1.0], dtype=D)),
            ),
            Case("an odd batch of 7", lambda: (probabilities(7, 3), binary_targets(7, 4))),
        ],
        mistakes=[
            (
                "a sum over samples where the mean is asked for",
                lambda y, t: bce_reference(y, t) * len(y),
            ),
            (
                "forgot the (1 − t)·log(1 − y) term: a sample with t = 0 adds nothing",
                lambda y, t: -(t * torch.log(y)).mean(),
            ),
            (
                "the sign: −[t·log y + (1 − t)·log(1 − y)] is positive",
                lambda y, t: -bce_reference(y, t),
            ),
            (
                "log base 2 or 10: the course's log is the natural one",
                lambda y, t: bce_reference(y, t) / math.log(2),
            ),
        ],
    )
)

exercise(
    Exercise(
        "one_hot",
        ("labels", "classes"),
        "2-4 p18",
        reference=one_hot_reference,
        cases=[
            Case(
                "classes in the lecture's order (red, yellow, blue)",
                lambda: (["blue", "red", "yellow", "red"], CLASSES),
            ),
            Case("a single sample", lambda: (["yellow"], CLASSES)),
            Case(
                "five classes, numbers as names",
                lambda: (["3", "10", "2"], ["10", "2", "3", "7", "5"]),
            ),
        ],
        mistakes=[
            (
                "columns sorted by name: they must follow the order of `classes`",
                one_hot_sorted,
            ),
        ],
        compare=compare_one_hot,
    )
)

exercise(
    Exercise(
        "softmax",
        ("net",),
        "2-4 p20-21",
        reference=softmax_reference,
        cases=[
            Case("a (4, 3) batch", lambda: (randn(4, 3, seed=1, scale=2.0),)),
            Case(
                "large net inputs (±1000)",
                lambda: (
                    torch.tensor([[1000.0, 999.0, -1000.0], [-1000.0, -999.0, -1000.0]], dtype=D),
                ),
            ),
            Case("a single sample", lambda: (randn(1, 5, seed=2),)),
            Case("an odd batch of 7, 10 classes", lambda: (randn(7, 10, seed=3, scale=3.0),)),
        ],
        mistakes=[
            (
                "normalised over the wrong axis: each row (sample) must sum to 1, not each column",
                softmax_columns,
            ),
            (
                "exp overflows for large net inputs: subtract each row's largest "
                "net first (it cancels)",
                softmax_naive,
            ),
            (
                "no exp: softmax is exp, then normalise",
                softmax_no_exp,
            ),
        ],
    )
)

exercise(
    Exercise(
        "cross_entropy",
        ("y", "t"),
        "2-4 p19, p22",
        reference=ce_reference,
        cases=[
            Case(
                "4 samples, 3 classes",
                lambda: (softmax_reference(randn(4, 3, seed=1)), one_hot_rows([0, 2, 1, 1], 3)),
            ),
            Case(
                "a single sample",
                lambda: (torch.tensor([[0.2, 0.7, 0.1]], dtype=D), one_hot_rows([1], 3)),
            ),
            Case(
                "an odd batch of 7, 10 classes",
                lambda: (
                    softmax_reference(randn(7, 10, seed=2)),
                    one_hot_rows([0, 3, 9, 2, 2, 5, 7], 10),
                ),
            ),
        ],
        mistakes=[
            (
                "a sum over samples where the mean is asked for",
                lambda y, t: ce_reference(y, t) * len(y),
            ),
            (
                "a mean over every entry: sum over the classes, then the mean over samples",
                lambda y, t: -(t * torch.log(y)).mean(),
            ),
            (
                "the sign: −Σ t·log y is positive",
                lambda y, t: -ce_reference(y, t),
            ),
            (
                "the wrong classes: Σₖ tₖ·log yₖ takes the log of the right class's probability",
                lambda y, t: -((1 - t) * torch.log(y)).sum(dim=1).mean(),
            ),
        ],
    )
)

exercise(
    Exercise(
        "multilabel_loss",
        ("net", "t"),
        "2-4 p24-25",
        reference=multilabel_reference,
        cases=[
            Case("5 samples, 4 labels", lambda: (randn(5, 4, seed=1), multi_hot(5, 4, 2))),
            Case(
                "large net inputs (±100)",
                lambda: (
                    torch.tensor([[100.0, -100.0], [-100.0, 100.0]], dtype=D),
                    torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=D),
                ),
            ),
            Case(
                "a single sample",
                lambda: (randn(1, 3, seed=3), torch.tensor([[1.0, 0.0, 1.0]], dtype=D)),
            ),
            Case("an odd batch of 7", lambda: (randn(7, 5, seed=4, scale=2.0), multi_hot(7, 5, 5))),
        ],
        mistakes=[
            (
                "a mean over the labels: each label is its own binary problem, "
                "and their losses add up",
                multilabel_mean_over_labels,
            ),
            (
                "a softmax over the labels: each label has its own sigmoid, the "
                "outputs need not sum to 1",
                multilabel_softmax,
            ),
            (
                "a sum over samples where the mean is asked for",
                multilabel_sum_over_samples,
            ),
        ],
    )
)


# ------------------------------------------------------------------ 05 batching
def check_minibatches(fn, seconds) -> list[Row]:
    rows = []

    def batches(n, size, seed):
        return call(fn, n, size, torch.Generator().manual_seed(seed), seconds=seconds)

    cases = [(10, 3), (12, 4), (7, 7), (5, 1), (9, 20)]
    for n, size in cases:
        name = f"n={n}, batch_size={size}"
        try:
            got = batches(n, size, 0)
        except NotDone:
            raise
        except Exception as error:  # noqa: BLE001 - the student's code raised: that is the row
            rows.append(Row(name, FAIL, f"raised {error_line(error)}"))
            continue
        rows.append(Row(name, *minibatch_problem(got, n, size)))
    try:
        a, b, c = batches(50, 8, 1), batches(50, 8, 1), batches(50, 8, 2)
        torch.manual_seed(123)  # the global generator must not matter
        d = batches(50, 8, 1)
        flat = [torch.cat(list(x)).tolist() if x else [] for x in (a, b, c, d)]
        if flat[0] != flat[1] or flat[0] != flat[3]:
            rows.append(
                Row(
                    "the order comes from `generator`",
                    FAIL,
                    "the same generator seed gave another order: draw it from `generator` "
                    "(torch.randperm(n, generator=generator)), not from the global one",
                )
            )
        elif flat[0] == flat[2]:
            rows.append(
                Row(
                    "the order comes from `generator`",
                    FAIL,
                    "two generator seeds gave the same order: the order is not drawn from it",
                )
            )
        elif flat[0] == list(range(50)):
            rows.append(
                Row(
                    "the order comes from `generator`",
                    FAIL,
                    "the rows in their own order: an epoch visits them in a random order",
                )
            )
        else:
            rows.append(Row("the order comes from `generator`", PASS))
    except NotDone:
        raise
    except Exception as error:  # noqa: BLE001
        rows.append(Row("the order comes from `generator`", FAIL, f"raised {error_line(error)}"))
    return rows


def minibatch_problem(got, n, size) -> tuple[str, str]:
    if not isinstance(got, (list, tuple)):
        return FAIL, f"returned {type(got).__name__}; expected a list of LongTensor index batches"
    if any(not torch.is_tensor(b) or b.dtype != torch.long for b in got):
        return FAIL, "each batch must be a LongTensor of row indices (torch.long)"
    if any(b.dim() != 1 for b in got):
        # a 0-d index (one row, not a batch of one) or a 2-d one cannot be joined into the epoch
        shapes = sorted({tuple(b.shape) for b in got if b.dim() != 1})
        return FAIL, f"a batch of shape {shapes[0]}; each batch must be 1-d: (rows in the batch,)"
    seen = torch.cat(list(got)).tolist() if got else []
    if sorted(seen) != list(range(n)):
        repeated = len(seen) - len(set(seen))
        missing = n - len(set(seen) & set(range(n)))
        return FAIL, (
            f"{repeated} rows visited twice and {missing} never: each epoch visits every "
            "sample exactly once (a permutation, not draws with replacement)"
        )
    sizes = [len(b) for b in got]
    want = [size] * (n // size) + ([n % size] if n % size else [])
    want = want if size <= n else [n]
    if sizes != want:
        return (
            FAIL,
            f"batch sizes {sizes}; expected {want}: batch_size rows each, the last may be short",
        )
    return PASS, ""


exercise(
    Exercise("minibatches", ("n", "batch_size", "generator"), "3-1 p11-12", check=check_minibatches)
)


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


OPTIMIZER_MISTAKES = {
    "Momentum": [
        (
            "m ← γ·m + η·g: the course adds the whole η·g, not (1 − γ)·η·g",
            lambda params, **hp: Rule(params, momentum_ema, **hp),
        ),
        (
            "no momentum: the step is η·g alone, m is not carried from step to step",
            lambda params, **hp: Rule(params, plain_gd, **hp),
        ),
    ],
    "NAG": [
        (
            "gradient taken before the look-ahead: at w, not at w − γ·m (that is Momentum)",
            nnref_momentum,
        ),
        (
            "no momentum: the step is η·g alone, m is not carried from step to step",
            lambda params, **hp: Rule(params, plain_gd, **hp),
        ),
    ],
    "AdaGrad": [
        (
            "no square root: w ← w − η·g/(√s + ε)",
            lambda params, **hp: Rule(params, adagrad_no_sqrt, **hp),
        ),
        (
            "a running mean of g² (that is RMSProp): AdaGrad adds every g², s ← s + g²",
            lambda params, **hp: Rule(params, adagrad_running_mean, **hp),
        ),
    ],
    "RMSProp": [
        (
            "forgot (1 − α): v ← α·v + (1 − α)·g²",
            lambda params, **hp: Rule(params, rmsprop_no_one_minus_alpha, **hp),
        ),
        (
            "no square root: w ← w − η·g/(√v + ε)",
            lambda params, **hp: Rule(params, rmsprop_no_sqrt, **hp),
        ),
    ],
    "Adam": [
        (
            "no bias correction: m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ), with t counted from 1",
            lambda params, **hp: Rule(params, adam_no_bias_correction, **hp),
        ),
        (
            "v not bias-corrected: v̂ = v/(1 − β₂ᵗ) as well as m̂",
            lambda params, **hp: Rule(params, adam_corrects_m_only, **hp),
        ),
    ],
}

for _name, _table_name, _signature, _lecture, _hp in (
    (
        "Momentum",
        "momentum",
        ("params", "lr", "momentum"),
        "3-1 p16-20",
        dict(lr=0.05, momentum=0.9),
    ),
    ("NAG", "nag", ("params", "lr", "momentum"), "3-1 p22-23", dict(lr=0.05, momentum=0.9)),
    ("AdaGrad", "adagrad", ("params", "lr", "eps"), "3-1 p15", dict(lr=0.1, eps=1e-10)),
    (
        "RMSProp",
        "rmsprop",
        ("params", "lr", "alpha", "eps"),
        "3-1 p15",
        dict(lr=0.01, alpha=0.99, eps=1e-8),
    ),
    (
        "Adam",
        "adam",
        ("params", "lr", "betas", "eps"),
        "3-1 p15",
        dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    ),
):
    exercise(Exercise(_name, _signature, _lecture, optimizer=_table_name, hyperparameters=_hp))


# ------------------------------------------------------------------ checking
def signature_row(ex: Exercise, obj) -> Row:
    name = "signature " + ex.shown
    target = obj.__init__ if isinstance(obj, type) else obj
    try:
        parameters = list(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        return Row(name, FAIL, f"{obj!r} is not a function or class")
    if isinstance(obj, type) and parameters and parameters[0] == "self":
        parameters = parameters[1:]
    if ex.optimizer and not (isinstance(obj, type) and issubclass(obj, torch.optim.Optimizer)):
        return Row(name, FAIL, f"expected a torch.optim.Optimizer subclass {ex.shown}")
    if tuple(parameters[: len(ex.signature)]) != ex.signature:
        return Row(name, FAIL, f"expected {ex.shown}, got {ex.name}({', '.join(parameters)})")
    return Row(name, PASS)


def not_done(ex: Exercise) -> Report:
    row = Row(ex.shown, TODO, "not done yet: it still raises NotImplementedError")
    return Report(f"{ex.shown}, lecture {ex.lecture}", [row])


def check_function(ex: Exercise, fn, seconds: float) -> list[Row]:
    if ex.check is not None:  # minibatches: an epoch's order, not one value per case
        return ex.check(fn, seconds)
    rows = []
    for case in ex.cases:
        inputs = case.inputs()
        expected = ex.reference(*inputs)
        try:
            got = call(fn, *case.inputs(), seconds=seconds)
        except NotDone:
            raise
        except TimeLimit as error:
            rows.append(Row(case.name, FAIL, f"ran too long and was stopped ({error})"))
            continue
        except Exception as error:  # noqa: BLE001 - the student's code raised: that is the row
            rows.append(Row(case.name, FAIL, f"raised {error_line(error)}"))
            continue
        compare = ex.compare or (lambda got, expected, inputs: close(got, expected))
        problem = compare(got, expected, inputs)
        if problem is None:
            rows.append(Row(case.name, PASS))
            continue
        hint = next((h for h, wrong in ex.mistakes if matches(compare, got, wrong, inputs)), None)
        rows.append(Row(case.name, FAIL, problem + (f" — likely mistake: {hint}" if hint else "")))
    return rows


def matches(compare, got, wrong, inputs) -> bool:
    """Whether `got` is what the mistake `wrong` gives on these inputs (NaN where it gives NaN)."""
    try:
        with torch.no_grad():
            made = wrong(*inputs)
        if torch.is_tensor(got) and torch.is_tensor(made) and got.shape == made.shape:
            return torch.allclose(got.to(D), made.to(D), rtol=1e-6, atol=1e-9, equal_nan=True)
        return compare(got, made, inputs) is None
    except Exception:  # noqa: BLE001 - a mistake that cannot even be made here is not this one
        return False


def probe_optimizer(ex: Exercise, cls, seconds: float) -> None:
    """Raise NotDone if building the class, or one step, still raises NotImplementedError."""
    params = [nn.Parameter(torch.ones(2, dtype=D))]
    try:
        with time_limit(seconds):
            optimizer = cls(params, **ex.hyperparameters)
            params[0].grad = torch.ones(2, dtype=D)
            optimizer.step(lambda: (params[0] ** 2).sum())
    except NotImplementedError as error:
        raise NotDone from error
    except Exception:  # noqa: BLE001 - anything else: the full check names it
        pass


def check_optimizer_exercise(ex: Exercise, cls, seconds: float) -> list[Row]:
    hp = ex.hyperparameters
    # NAG takes its gradient inside step(closure), at the look-ahead point: nnref's class says so
    closure = getattr(OPTIMIZERS[ex.optimizer].cls, "gradient_at_lookahead", False)
    try:
        with time_limit(seconds * 6):
            report = check_optimizer(
                lambda p: cls(p, **hp), twin=ex.optimizer, closure=closure, scope="course"
            )
    except KitError as error:
        return [Row("build it", FAIL, str(error))]
    except TimeLimit as error:
        return [Row("the checks", FAIL, f"ran too long: {error}")]
    rows = list(report.rows)
    if any(row.check.startswith("twin:") and row.status == FAIL for row in rows):
        hint = optimizer_hint(ex, cls, closure)
        if hint:
            rows = [
                Row(r.check, r.status, f"{r.detail} — likely mistake: {hint}")
                if r.check.startswith("twin:") and r.status == FAIL
                else r
                for r in rows
            ]
    return rows


def optimizer_hint(ex: Exercise, cls, closure: bool) -> str | None:
    problem = quadratic(D)
    build = lambda p: cls(p, **ex.hyperparameters)  # noqa: E731
    ours, error = try_path(build, problem, closure=closure, steps=8)
    if error:
        return None
    for hint, make in OPTIMIZER_MISTAKES.get(ex.name, []):
        theirs, error = try_path(
            lambda p, make=make: make(p, **ex.hyperparameters), problem, closure=True, steps=8
        )
        if not error and first_parting(ours, theirs) is None:
            return hint
    return None


def check_exercise(name: str, obj, *, time_limit_s: float = TIME_LIMIT_S) -> Report:
    """The exercise `name` (a notebook's function or class) held to the lecture and, for an
    optimizer, to what every well-made torch.optim.Optimizer does. Never raises for the student's
    code: what it did becomes the report's rows."""
    if name not in EXERCISES:
        raise KitError(f"exercise {name!r}: unknown; exercises: {', '.join(EXERCISES)}")
    ex = EXERCISES[name]
    rows = [signature_row(ex, obj)]
    try:
        if ex.optimizer:
            if isinstance(obj, type):
                probe_optimizer(ex, obj, time_limit_s)
            rows += check_optimizer_exercise(ex, obj, time_limit_s) if rows[0].ok else []
        else:
            rows += check_function(ex, obj, time_limit_s)
    except NotDone:
        return not_done(ex)
    except TimeLimit as error:
        rows.append(Row("the checks", FAIL, f"ran too long and was stopped ({error})"))
    return Report(f"{ex.shown}, lecture {ex.lecture}", rows)
