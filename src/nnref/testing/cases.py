"""The notebooks' exercises as the student's code meets them: each one's name, signature and
inputs, without the answers.

Each function exercise has fixed cases, the awkward ones (large logits, a single sample, an odd
batch size, classes in a given order), shown by name in its report, and cases drawn from a seed:
the grader draws them from its --seed, the same ones in every process that asks, so that a
notebook which hard-codes the public cases' answers does not pass, and the same seed gives the
same grades. A drawn case is hidden: its report never shows its expected values.

The answers (the lecture's formulas, the likely mistakes) are in references.py. This module holds
none of them and imports torch alone: the grader's child process, where the student's code runs,
imports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from nnref.locale.messages import _

D = torch.float64
DRAWN = 2  # cases drawn from a seed, per function exercise
FUNCTION, BATCHES, OPTIMIZER = "function", "batches", "optimizer"  # what an exercise is


@dataclass
class Case:
    name: str  # what the row says, e.g. "large logits (±1000)"
    inputs: Callable[[], tuple]  # fresh inputs each call
    hidden: bool = False  # drawn from a seed: the report never shows its expected values


@dataclass
class Exercise:
    name: str
    # Parameter names, in order (for a class: its __init__'s, after self).
    signature: tuple[str, ...]
    lecture: str  # "2-4 p10-12"
    notebook: str  # the number of the notebook that asks for it, "03"
    kind: str = FUNCTION
    cases: list[Case] = field(default_factory=list)
    draw: Callable[[int], tuple] | None = None  # a seed -> one drawn case's inputs
    optimizer: str | None = None  # optimizer exercises: nnref.optim's name for the class
    hyperparameters: dict = field(default_factory=dict)

    @property
    def shown(self) -> str:
        return f"{self.name}({', '.join(self.signature)})"

    def cases_for(self, seed: int | None) -> list[Case]:
        """The fixed cases, and with a seed, the cases drawn from it."""
        if seed is None or self.draw is None:
            return list(self.cases)
        drawn = [
            Case(
                _("a case drawn from the seed ({i})", i=i + 1),
                lambda s=case_seed(seed, self.name, i): self.draw(s),
                hidden=True,
            )
            for i in range(DRAWN)
        ]
        return [*self.cases, *drawn]


def case_seed(seed: int, name: str, i: int) -> int:
    """The seed of an exercise's i-th drawn case: the same in every process, for every Python."""
    digest = hashlib.sha256(f"{seed}/{name}/{i}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # torch's seeds are below 2**63


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed=0, scale=1.0):
    return torch.randn(*shape, generator=generator(seed), dtype=D) * scale


def integer(g: torch.Generator, low: int, high: int) -> int:
    """A whole number from low to high (both included), drawn from g."""
    return int(torch.randint(low, high + 1, (1,), generator=g))


# ------------------------------------------------------------------ 01 regression: folding layers
def linear(n_in, n_out, seed):
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out, dtype=D)
    with torch.no_grad():
        layer.weight.copy_(randn(n_out, n_in, seed=seed))
        layer.bias.copy_(randn(n_out, seed=seed + 100))
    return layer


def stack(*sizes, seed=0):
    return [linear(a, b, seed + i) for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]


def drawn_stack(seed):
    g = generator(seed)
    sizes = [integer(g, 1, 6) for layer in range(integer(g, 2, 5))]
    return (stack(*sizes, seed=seed % 1_000_000),)


# ------------------------------------------------------------------ 02 binary
def binary_targets(n, seed):
    return (torch.rand(n, generator=generator(seed), dtype=D) < 0.5).to(D)


def probabilities(n, seed):
    return torch.rand(n, generator=generator(seed), dtype=D) * 0.98 + 0.01


def drawn_net_and_targets(seed):
    g = generator(seed)
    n, k = integer(g, 1, 6), integer(g, 1, 5)
    return randn(n, k, seed=seed, scale=3.0), binary_targets(n * k, seed + 1).reshape(n, k)


def drawn_probabilities(seed):
    n = integer(generator(seed), 1, 12)
    return probabilities(n, seed), binary_targets(n, seed + 1)


# ------------------------------------------------------------------ 03 multiclass
CLASSES = ["red", "yellow", "blue"]  # the lecture's order, not sorted
NAMES = ["owl", "cat", "fox", "bee", "ant", "elk", "dog"]


def drawn_labels(seed):
    g = generator(seed)
    k = integer(g, 2, 6)
    classes = [NAMES[i] for i in torch.randperm(len(NAMES), generator=g)[:k].tolist()]
    labels = [classes[i] for i in torch.randint(0, k, (integer(g, 1, 8),), generator=g).tolist()]
    return labels, classes


def drawn_net(seed):
    g = generator(seed)
    n, k = integer(g, 1, 6), integer(g, 2, 8)
    return (randn(n, k, seed=seed, scale=float(integer(g, 1, 30))),)


def one_hot_rows(labels, k):
    return F.one_hot(torch.tensor(labels), k).to(D)


def drawn_probabilities_and_one_hot(seed):
    g = generator(seed)
    n, k = integer(g, 1, 6), integer(g, 2, 8)
    labels = torch.randint(0, k, (n,), generator=g).tolist()
    return torch.softmax(randn(n, k, seed=seed), dim=1), one_hot_rows(labels, k)


# ------------------------------------------------------------------ 04 multilabel
def multi_hot(n, labels, seed):
    return (torch.rand(n, labels, generator=generator(seed), dtype=D) < 0.4).to(D)


def drawn_logits_and_multi_hot(seed):
    g = generator(seed)
    n, labels = integer(g, 1, 6), integer(g, 1, 5)
    return randn(n, labels, seed=seed, scale=3.0), multi_hot(n, labels, seed + 1)


# ------------------------------------------------------------------ 05 batching
def batches_case(n, size, seed=0):
    return Case(f"n={n}, batch_size={size}", lambda: (n, size, generator(seed)))


def drawn_batching(seed):
    g = generator(seed)
    n = integer(g, 1, 40)
    return n, integer(g, 1, n + 5), generator(seed + 1)


# ------------------------------------------------------------------ the registry
EXERCISES: dict[str, Exercise] = {}


def exercise(ex: Exercise) -> Exercise:
    EXERCISES[ex.name] = ex
    return ex


exercise(
    Exercise(
        "fold_linear_layers",
        ("layers",),
        "2-4 p3-4",
        "01",
        cases=[
            Case(_("two layers, 3 -> 4 -> 2"), lambda: (stack(3, 4, 2),)),
            Case(_("one layer (nothing to fold)"), lambda: (stack(5, 3, seed=3),)),
            Case(_("four layers, 2 -> 6 -> 5 -> 4 -> 1"), lambda: (stack(2, 6, 5, 4, 1, seed=7),)),
            Case(_("two square layers, 3 -> 3 -> 3"), lambda: (stack(3, 3, 3, seed=11),)),
        ],
        draw=drawn_stack,
    )
)

exercise(
    Exercise(
        "sigmoid_mse_grad",
        ("net", "t"),
        "2-4 p9-10",
        "02",
        cases=[
            Case(
                _("net in (-3, 3), t 0 or 1"),
                lambda: (randn(8, seed=1, scale=1.5), binary_targets(8, 2)),
            ),
            Case(
                _("confidently wrong: net = -7, t = 1"),
                lambda: (torch.full((3,), -7.0, dtype=D), torch.ones(3, dtype=D)),
            ),
            Case(
                _("a single sample"),
                lambda: (torch.tensor([0.3], dtype=D), torch.tensor([1.0], dtype=D)),
            ),
            Case(
                _("a (4, 3) batch"),
                lambda: (randn(4, 3, seed=3), binary_targets(12, 4).reshape(4, 3)),
            ),
        ],
        draw=drawn_net_and_targets,
    )
)

exercise(
    Exercise(
        "binary_cross_entropy",
        ("y", "t"),
        "2-4 p12-14",
        "02",
        cases=[
            Case(_("8 samples"), lambda: (probabilities(8, 1), binary_targets(8, 2))),
            Case(
                _("confident, right and wrong"),
                lambda: (
                    torch.tensor([0.999, 0.001, 0.999], dtype=D),
                    torch.tensor([1.0, 1.0, 0.0], dtype=D),
                ),
            ),
            Case(
                _("a single sample"),
                lambda: (torch.tensor([0.7], dtype=D), torch.tensor([1.0], dtype=D)),
            ),
            Case(_("an odd batch of 7"), lambda: (probabilities(7, 3), binary_targets(7, 4))),
        ],
        draw=drawn_probabilities,
    )
)

exercise(
    Exercise(
        "one_hot",
        ("labels", "classes"),
        "2-4 p18",
        "03",
        cases=[
            Case(
                _("classes in the lecture's order (red, yellow, blue)"),
                lambda: (["blue", "red", "yellow", "red"], CLASSES),
            ),
            Case(_("a single sample"), lambda: (["yellow"], CLASSES)),
            Case(
                _("five classes, numbers as names"),
                lambda: (["3", "10", "2"], ["10", "2", "3", "7", "5"]),
            ),
        ],
        draw=drawn_labels,
    )
)

exercise(
    Exercise(
        "softmax",
        ("net",),
        "2-4 p20-21",
        "03",
        cases=[
            Case(_("a (4, 3) batch"), lambda: (randn(4, 3, seed=1, scale=2.0),)),
            Case(
                _("large net inputs (±1000)"),
                lambda: (
                    torch.tensor([[1000.0, 999.0, -1000.0], [-1000.0, -999.0, -1000.0]], dtype=D),
                ),
            ),
            Case(_("a single sample"), lambda: (randn(1, 5, seed=2),)),
            Case(_("an odd batch of 7, 10 classes"), lambda: (randn(7, 10, seed=3, scale=3.0),)),
        ],
        draw=drawn_net,
    )
)

exercise(
    Exercise(
        "cross_entropy",
        ("y", "t"),
        "2-4 p19, p22",
        "03",
        cases=[
            Case(
                _("4 samples, 3 classes"),
                lambda: (torch.softmax(randn(4, 3, seed=1), dim=1), one_hot_rows([0, 2, 1, 1], 3)),
            ),
            Case(
                _("a single sample"),
                lambda: (torch.tensor([[0.2, 0.7, 0.1]], dtype=D), one_hot_rows([1], 3)),
            ),
            Case(
                _("an odd batch of 7, 10 classes"),
                lambda: (
                    torch.softmax(randn(7, 10, seed=2), dim=1),
                    one_hot_rows([0, 3, 9, 2, 2, 5, 7], 10),
                ),
            ),
        ],
        draw=drawn_probabilities_and_one_hot,
    )
)

exercise(
    Exercise(
        "multilabel_loss",
        ("net", "t"),
        "2-4 p24-25",
        "04",
        cases=[
            Case(_("5 samples, 4 labels"), lambda: (randn(5, 4, seed=1), multi_hot(5, 4, 2))),
            Case(
                _("large net inputs (±100)"),
                lambda: (
                    torch.tensor([[100.0, -100.0], [-100.0, 100.0]], dtype=D),
                    torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=D),
                ),
            ),
            Case(
                _("a single sample"),
                lambda: (randn(1, 3, seed=3), torch.tensor([[1.0, 0.0, 1.0]], dtype=D)),
            ),
            Case(
                _("an odd batch of 7"),
                lambda: (randn(7, 5, seed=4, scale=2.0), multi_hot(7, 5, 5)),
            ),
        ],
        draw=drawn_logits_and_multi_hot,
    )
)

exercise(
    Exercise(
        "minibatches",
        ("n", "batch_size", "generator"),
        "3-1 p11-12",
        "05",
        kind=BATCHES,
        cases=[batches_case(n, size) for n, size in [(10, 3), (12, 4), (7, 7), (5, 1), (9, 20)]],
        draw=drawn_batching,
    )
)

for _name, _signature, _notebook, _lecture, _hp in (
    ("Momentum", ("params", "lr", "momentum"), "06", "3-1 p16-20", dict(lr=0.05, momentum=0.9)),
    ("NAG", ("params", "lr", "momentum"), "06", "3-1 p22-23", dict(lr=0.05, momentum=0.9)),
    ("AdaGrad", ("params", "lr", "eps"), "07", "3-1 p15", dict(lr=0.1, eps=1e-10)),
    (
        "RMSProp",
        ("params", "lr", "alpha", "eps"),
        "07",
        "3-1 p15",
        dict(lr=0.01, alpha=0.99, eps=1e-8),
    ),
    (
        "Adam",
        ("params", "lr", "betas", "eps"),
        "07",
        "3-1 p15",
        dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    ),
):
    exercise(
        Exercise(
            _name,
            _signature,
            _lecture,
            _notebook,
            kind=OPTIMIZER,
            optimizer=_name.lower(),
            hyperparameters=_hp,
        )
    )
