"""The English texts the testing kit (nnref.testing) writes in its reports, gathered by running it:
what its Korean catalog (src/nnref/locale/testing.ko.yaml) must cover. Used by the tests of the
catalog and by whoever extends it:

    python tests/support/kit_texts.py      # prints each text once

The reports: every notebook exercise's teacher solution, its stub, its realistic wrong answers and
each likely mistake the kit knows; check_optimizer for every nnref optimizer against torch's twin
and without one, at both scopes, torch's built-ins against nnref's twins, and optimizers broken on
purpose, one rule each; check_head for every head and loss, and wrong heads and losses.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import sys
import threading
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:  # as pytest has it (and `python tests/support/kit_texts.py` not)
    sys.path.insert(0, str(TESTS))  # conftest, test_exercises, test_testing

from test_exercises import (  # noqa: E402
    SOLUTIONS,
    WRONG,
    AdamWithoutCorrection,
    ForgetfulMomentum,
    stub,
)
from test_testing import (  # noqa: E402
    ClosureNAG,
    FixedMomentum,
    StudentMomentum,
    naive_softmax,
)

from nnref import optim  # noqa: E402
from nnref.heads import HEADS  # noqa: E402
from nnref.optim import OPTIMIZERS  # noqa: E402
from nnref.testing import (  # noqa: E402
    EXERCISES,
    Report,
    check_exercise,
    check_head,
    check_optimizer,
)
from nnref.testing.exercises import OPTIMIZER_MISTAKES, Rule  # noqa: E402

# ------------------------------------------------------------------ optimizers broken on purpose


def plain_step(self, closure, update):
    """step(closure) as torch's optimizers write it, with update(p, group) for each gradient."""
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    with torch.no_grad():
        for group in self.param_groups:
            for p in group["params"]:
                update(p, group)
    return loss


def descend(p, group):
    """w ← w − η·g, where there is a gradient."""
    if p.grad is not None:
        p.sub_(group["lr"] * p.grad)


class Base(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05):
        super().__init__(params, dict(lr=lr))


class RaisesTypeError(Base):
    """Refuses a negative lr, but with TypeError."""

    def __init__(self, params, lr=0.05):
        if lr < 0:
            raise TypeError(f"lr must not be negative, got {lr}")
        super().__init__(params, lr)

    def step(self, closure=None):
        return plain_step(self, closure, descend)


class NeedsScale(Base):
    """A constructor argument that is not in its defaults: it cannot be rebuilt from them."""

    def __init__(self, params, lr, scale):
        super().__init__(params, lr)
        self.scale = scale  # also lost by a deepcopy

    def step(self, closure=None):
        return plain_step(
            self, closure, lambda p, g: p.grad is not None and p.sub_(self.scale * g["lr"] * p.grad)
        )


class DecaysEverything(Base):
    """Weight decay on every parameter, gradient or not."""

    def step(self, closure=None):
        def update(p, group):
            p.mul_(0.9)
            if p.grad is not None:
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


class CountsEverything(Base):
    """A step counter for every parameter, gradient or not."""

    def step(self, closure=None):
        def update(p, group):
            state = self.state[p]
            state["step"] = state.get("step", 0) + 1
            if p.grad is not None:
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


class CountsOnceStarted(Base):
    """Counts the steps of a parameter once it has state, gradient or not."""

    def step(self, closure=None):
        def update(p, group):
            state = self.state[p]
            if p.grad is not None or state:
                state["step"] = state.get("step", 0) + 1
            if p.grad is not None:
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


class DecaysTheGroup(Base):
    """Weight decay on the whole group as soon as any parameter of it has a gradient."""

    def step(self, closure=None):
        def update(p, group):
            if any(q.grad is not None for q in group["params"]):
                p.mul_(0.99)
            if p.grad is not None:
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


class StateForTheGroup(Base):
    """State for the whole group as soon as any parameter of it has a gradient."""

    def step(self, closure=None):
        def update(p, group):
            if any(q.grad is not None for q in group["params"]):
                self.state[p].setdefault("seen", torch.zeros(()))
            if p.grad is not None:
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


class IgnoresTheClosure(torch.optim.SGD):
    def step(self, closure=None):
        return super().step()


class ReturnsNothing(torch.optim.SGD):
    def step(self, closure=None):
        super().step(closure)
        return None


class FirstGroupsLR(Base):
    """Every group stepped with the first group's lr."""

    def step(self, closure=None):
        lr = self.param_groups[0]["lr"]
        return plain_step(self, closure, lambda p, g: p.grad is not None and p.sub_(lr * p.grad))


class LateDefaults(Base):
    """add_param_group after __init__ leaves out the defaults."""

    def __init__(self, params, lr=0.05, momentum=0.5):
        torch.optim.Optimizer.__init__(self, params, dict(lr=lr, momentum=momentum))
        self.built = True

    def add_param_group(self, param_group):
        if getattr(self, "built", False):
            self.param_groups.append({**param_group, "params": list(param_group["params"])})
        else:
            super().add_param_group(param_group)

    def step(self, closure=None):
        return plain_step(
            self, closure, lambda p, g: p.grad is not None and p.sub_(g.get("lr", 0.05) * p.grad)
        )


class PerGroupSize(Base):
    """The lr divided by the number of parameters in the group, frozen ones included."""

    def step(self, closure=None):
        def update(p, group):
            if p.grad is not None:
                p.sub_(group["lr"] / len(group["params"]) * p.grad)

        return plain_step(self, closure, update)


class KeepsItsLR(Base):
    """load_state_dict restores the state, not the lr."""

    def load_state_dict(self, state_dict):
        lrs = [group["lr"] for group in self.param_groups]
        super().load_state_dict(state_dict)
        for group, lr in zip(self.param_groups, lrs):
            group["lr"] = lr

    def step(self, closure=None):
        return plain_step(self, closure, descend)


class Note:
    """A Python object in the state: torch.load(weights_only=True) refuses it."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Note) and other.value == self.value


class KeepsANote(Base):
    def step(self, closure=None):
        def update(p, group):
            if p.grad is not None:
                self.state[p]["note"] = Note(1)
                p.sub_(group["lr"] * p.grad)

        return plain_step(self, closure, update)


COUNTER = itertools.count()


class GlobalClock(Base):
    """The lr wobbles with a clock shared by every instance: no two runs agree."""

    def step(self, closure=None):
        wobble = 1 + 0.1 * (next(COUNTER) % 3)
        return plain_step(
            self, closure, lambda p, g: p.grad is not None and p.sub_(wobble * g["lr"] * p.grad)
        )


class CallsTorchsStep(torch.optim.SGD):
    """Its step calls SGD's, which calls the hooks again."""

    def step(self, closure=None):
        return torch.optim.SGD.step(self, closure)


class ZeroesInsteadOfNone(torch.optim.SGD):
    def zero_grad(self, set_to_none=False):
        super().zero_grad(set_to_none=False)


class ZeroGradOnlyToNone(torch.optim.SGD):
    def zero_grad(self, set_to_none=True):
        if set_to_none:
            super().zero_grad(set_to_none=True)


class ResetsItsLR(Base):
    """Puts each group's lr back to the one it was built with, every step."""

    def step(self, closure=None):
        for group in self.param_groups:
            group["lr"] = self.defaults["lr"]
        return plain_step(self, closure, descend)


class RealOnly(torch.optim.SGD):
    def step(self, closure=None):
        if any(torch.is_complex(p) for g in self.param_groups for p in g["params"]):
            raise TypeError("complex parameters are not supported")
        return super().step(closure)


class ComplexOnly(torch.optim.SGD):
    """Takes a complex parameter, but not the real pair of one."""

    def step(self, closure=None):
        if any(p.dim() == 3 for g in self.param_groups for p in g["params"]):
            raise RuntimeError("a parameter of three dimensions")
        return super().step(closure)


class SquaresTheComplex(Base):
    """AdaGrad with g·g, the complex square, where torch squares each real coordinate."""

    def __init__(self, params, lr=0.05, eps=1e-10):
        torch.optim.Optimizer.__init__(self, params, dict(lr=lr, eps=eps))

    def step(self, closure=None):
        def update(p, group):
            if p.grad is not None:
                s = self.state[p].setdefault("sum", torch.zeros_like(p))
                s.add_(p.grad * p.grad)
                p.sub_(group["lr"] * p.grad / (s.sqrt() + group["eps"]))

        return plain_step(self, closure, update)


class SparseOnly(torch.optim.SGD):
    def step(self, closure=None):
        if closure is not None:
            with torch.enable_grad():
                closure()
        if any(p.grad is not None and not p.grad.is_sparse for p in self.param_groups[0]["params"]):
            raise RuntimeError("expected a sparse gradient")
        return super().step()


class SquaresUncoalesced(Base):
    """AdaGrad that squares a sparse gradient's entries before the repeated rows are summed."""

    def __init__(self, params, lr=0.05, eps=1e-10):
        torch.optim.Optimizer.__init__(self, params, dict(lr=lr, eps=eps))

    def step(self, closure=None):
        def update(p, group):
            g = p.grad
            if g is None:
                return
            s = self.state[p].setdefault("sum", torch.zeros_like(p))
            if g.is_sparse:
                squared = torch.sparse_coo_tensor(g._indices(), g._values() ** 2, g.shape)
                s.add_(squared.to_dense())
                g = g.to_dense()
            else:
                s.add_(g * g)
            p.sub_(group["lr"] * g / (s.sqrt() + group["eps"]))

        return plain_step(self, closure, update)


class Exploding(torch.optim.SGD):
    def step(self, closure=None):
        raise RuntimeError("boom")


def flat_params(params):
    """The student flattens the param groups into one."""
    return [p for item in params for p in (item["params"] if isinstance(item, dict) else [item])]


# ------------------------------------------------------------------ exercises answered wrongly


def rule_exercise(name: str, rule):
    """An Optimizer class with the exercise's signature whose step is one wrong rule (the kit's
    own, exercises.Rule): the student who made that mistake."""
    signature = EXERCISES[name].signature
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD

    def __init__(self, params, *args, **kwargs):
        Rule.__init__(self, params, rule, **dict(zip(signature[1:], args)), **kwargs)

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter(n, kind) for n in ("self", *signature)]
    )
    return type(f"Wrong{name}", (Rule,), {"__init__": __init__})


def optimizer_mistakes():
    """(exercise, class) for each likely mistake of the optimizer exercises."""
    found = []
    for name, mistakes in OPTIMIZER_MISTAKES.items():
        for _, make in mistakes:
            params = [nn.Parameter(torch.ones(1))]
            made = make(params, **EXERCISES[name].hyperparameters)
            if isinstance(made, Rule):
                found.append((name, rule_exercise(name, made.rule)))
    found += [("NAG", SOLUTIONS["Momentum"]), ("Adam", AdamWithoutCorrection)]
    return found


class SlowMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def step(self, closure=None):
        time.sleep(0.02)
        return plain_step(self, closure, descend)


class RateNotLR(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(rate=lr, momentum=momentum))

    def step(self, closure=None):
        return plain_step(
            self, closure, lambda p, g: p.grad is not None and p.sub_(g["rate"] * p.grad)
        )


class OwnParameters(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__([nn.Parameter(torch.zeros(1))], dict(lr=lr, momentum=momentum))

    def step(self, closure=None):
        return plain_step(self, closure, descend)


class FlatMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(flat_params(params), dict(lr=lr, momentum=momentum))

    def step(self, closure=None):
        return plain_step(self, closure, descend)


class PickyMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        raise ValueError(f"momentum={momentum} is too large")


def fold_without_biases(layers):
    """The weights folded right, the biases left out."""
    folded = SOLUTIONS["fold_linear_layers"](layers)
    with torch.no_grad():
        folded.bias.zero_()
    return folded


def forever(*args):
    while True:
        time.sleep(0.01)


def exercise_reports() -> list[Report]:
    reports = []
    for name in EXERCISES:
        reports += [check_exercise(name, SOLUTIONS[name]), check_exercise(name, stub(name))]
        for _, mistake in EXERCISES[name].mistakes:
            reports.append(check_exercise(name, mistake))
    reports += [check_exercise(name, wrong) for name, (wrong, _) in WRONG.items()]
    reports += [check_exercise(name, cls) for name, cls in optimizer_mistakes()]
    reports.append(check_exercise("Momentum", ForgetfulMomentum))
    for cls in (RateNotLR, OwnParameters, FlatMomentum, PickyMomentum):
        reports.append(check_exercise("Momentum", cls))
    if threading.current_thread() is threading.main_thread():  # the kit's time limit works here
        reports.append(check_exercise("Momentum", SlowMomentum, time_limit_s=0.05))
        reports.append(check_exercise("softmax", forever, time_limit_s=0.05))
    reports.append(check_exercise("Momentum", lambda params, lr, momentum: None))
    reports.append(check_exercise("softmax", 42))
    reports.append(check_exercise("softmax", lambda net: net.softmax(dimension=1)))
    reports.append(check_exercise("sigmoid_mse_grad", lambda x: torch.zeros_like(x)))
    reports.append(check_exercise("cross_entropy", lambda y, t: -(t * torch.log(y)).sum(dim=1)))
    reports.append(check_exercise("binary_cross_entropy", lambda y, t: 0.5))
    reports.append(check_exercise("fold_linear_layers", lambda layers: layers))
    reports.append(check_exercise("fold_linear_layers", lambda layers: nn.Linear(1, 1)))
    reports.append(check_exercise("fold_linear_layers", fold_without_biases))
    wrong_one_hots = [
        lambda labels, classes: [[1.0, 0.0]],
        lambda labels, classes: F.one_hot(torch.tensor([classes.index(c) for c in labels])),
        lambda labels, classes: SOLUTIONS["one_hot"](labels, classes).T,
    ]
    reports += [check_exercise("one_hot", wrong) for wrong in wrong_one_hots]
    wrong_batches = [
        lambda n, batch_size, generator: torch.randperm(n, generator=generator),
        lambda n, batch_size, generator: [b.float() for b in torch.randperm(n).split(batch_size)],
        lambda n, batch_size, generator: list(
            torch.randperm(n, generator=generator).split(batch_size + 1)
        ),
        lambda n, batch_size, generator: list(torch.randperm(n).split(batch_size)),
        lambda n, batch_size, generator: list(torch.arange(n).split(batch_size)),
        lambda n, batch_size, generator: [torch.arange(n)[n + batch_size]],
        lambda n, batch_size, generator: [torch.tensor(i) for i in range(n)],  # rows, not batches
    ]
    reports += [check_exercise("minibatches", wrong) for wrong in wrong_batches]
    return reports


# ------------------------------------------------------------------ optimizers


def optimizer_reports() -> list[Report]:
    reports = []
    for entry in OPTIMIZERS.values():
        ours = functools.partial(entry.cls, **entry.hyperparameters())
        twin = functools.partial(entry.twin, **entry.twin_settings)
        for scope in ("full", "course"):
            reports.append(check_optimizer(ours, twin=twin, scope=scope))
            reports.append(check_optimizer(ours, twin=entry.name, scope=scope))
        reports.append(check_optimizer(ours))
    sgd = torch.optim.SGD
    student = functools.partial(StudentMomentum, lr=0.05)
    reports += [
        check_optimizer(functools.partial(sgd, lr=0.05, momentum=0.9), twin="momentum"),
        check_optimizer(functools.partial(sgd, lr=0.05, momentum=0.9, nesterov=True), twin="nag"),
        check_optimizer(functools.partial(torch.optim.Adam, lr=0.01), twin="adam"),
        check_optimizer(functools.partial(torch.optim.Adam, lr=0.01)),
        check_optimizer(
            functools.partial(optim.GD, lr=0.1), twin=sgd, dtypes=(torch.float64, torch.float32)
        ),
        check_optimizer(functools.partial(optim.GD, lr=0.1), dtypes=(torch.float64, torch.float16)),
        check_optimizer(functools.partial(optim.NAG, lr=0.05), twin=sgd),
        check_optimizer(student, twin="momentum"),
        check_optimizer(student, twin="momentum", scope="course"),
        check_optimizer(functools.partial(FixedMomentum, lr=0.05), twin=sgd),
        check_optimizer(functools.partial(FixedMomentum, lr=0.05), twin="momentum"),
        check_optimizer(functools.partial(ClosureNAG, lr=0.05)),
        check_optimizer(functools.partial(ClosureNAG, lr=0.05), twin="nag", closure=True),
        check_optimizer(functools.partial(ForgetfulMomentum, lr=0.05), twin="momentum"),
        check_optimizer(functools.partial(AdamWithoutCorrection, lr=0.01), twin="adam"),
        check_optimizer(functools.partial(sgd, lr=0.0), twin=sgd),
        check_optimizer(functools.partial(optim.GD, lr=0.1), twin=Exploding),
        check_optimizer(functools.partial(Exploding, lr=0.1), twin=sgd),
        check_optimizer(functools.partial(NeedsScale, lr=0.05, scale=1.0)),
        check_optimizer(functools.partial(optim.GD, lr=0.1), twin=RealOnly),
        check_optimizer(functools.partial(RealOnly, lr=0.1), twin=sgd),
        check_optimizer(functools.partial(ComplexOnly, lr=0.1)),
        check_optimizer(functools.partial(SquaresTheComplex, lr=0.05)),
        check_optimizer(functools.partial(SquaresTheComplex, lr=0.05), twin=torch.optim.Adagrad),
        check_optimizer(functools.partial(SparseOnly, lr=0.1)),
        check_optimizer(functools.partial(SquaresUncoalesced, lr=0.05)),
        check_optimizer(functools.partial(optim.Adam, lr=0.01), twin=sgd),
    ]
    for cls in (
        RaisesTypeError,
        DecaysEverything,
        CountsEverything,
        CountsOnceStarted,
        DecaysTheGroup,
        StateForTheGroup,
        IgnoresTheClosure,
        ReturnsNothing,
        FirstGroupsLR,
        LateDefaults,
        PerGroupSize,
        KeepsItsLR,
        KeepsANote,
        GlobalClock,
        CallsTorchsStep,
        ZeroesInsteadOfNone,
        ZeroGradOnlyToNone,
        ResetsItsLR,
    ):
        reports.append(check_optimizer(functools.partial(cls, lr=0.05)))
    return reports


# ------------------------------------------------------------------ heads


def summed_ce(z, t):
    return -torch.log(naive_softmax(z))[torch.arange(len(t)), t].sum()


def half_sum(z, t):
    return 0.5 * ((t - torch.sigmoid(z)) ** 2).sum()


def summed_mse(z, t):
    return ((z - t) ** 2).sum()


def mse_per_sample(z, t):
    return ((z - t) ** 2).mean(1)


def mse_summed_over_targets(z, t):
    return ((z - t) ** 2).sum(1).mean()


def half_mse(z, t):
    return 0.5 * F.mse_loss(z, t)


def mse_as_float(z, t):
    return F.mse_loss(z, t).item()


def bce_mean_over_labels(z, t):
    return F.binary_cross_entropy_with_logits(z, t)


def shapeless(z, t):
    return ((z - t[:, :1]) ** 2).mean()


class SoftmaxLabels:
    def activation(self, z):
        return torch.softmax(z, 1)

    def loss(self, z, t):
        return -(t * torch.log_softmax(z, 1)).sum(1).mean()


class SinglePrecision:
    """The right loss, an activation in float32."""

    def activation(self, z):
        return torch.sigmoid(z).float()

    def loss(self, z, t):
        return F.binary_cross_entropy_with_logits(z, t)


class OneColumn:
    def activation(self, z):
        return torch.softmax(z, 1)[:, :1]

    def loss(self, z, t):
        return F.cross_entropy(z, t)


def head_reports() -> list[Report]:
    reports = []
    for task, cls in HEADS.items():
        for loss in cls.losses:
            reports.append(check_head(cls, task, loss=loss))
    reports += [
        check_head(nn.CrossEntropyLoss(), "multiclass"),
        check_head(summed_ce, "multiclass", activation=naive_softmax),
        check_head(half_sum, "binary", loss="mse"),
        check_head(SoftmaxLabels(), "multilabel"),
        check_head(lambda z, t: F.mse_loss(torch.sigmoid(z), t), "binary", loss="ce"),
        check_head(summed_mse, "regression"),
        check_head(mse_per_sample, "regression"),
        check_head(mse_summed_over_targets, "regression"),
        check_head(half_mse, "regression", activation=lambda z: 2 * z),
        check_head(mse_as_float, "regression"),
        check_head(shapeless, "regression"),
        check_head(bce_mean_over_labels, "multilabel", activation=torch.sigmoid),
        check_head(SinglePrecision(), "binary"),
        check_head(OneColumn(), "multiclass"),
    ]
    return reports


@contextlib.contextmanager
def one_thread():
    """Tiny tensors gain nothing from intra-op threads (as tests/test_testing.py runs them)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def reports() -> list[Report]:
    with one_thread():
        return exercise_reports() + optimizer_reports() + head_reports()


def texts(found: list[Report]) -> list[str]:
    """Each English text of the reports once: subjects, check names and details."""
    out = []
    for report in found:
        out.append(report.subject)
        for row in report.rows:
            out += [row.check, row.detail]
    return [t for t in dict.fromkeys(out) if t]


if __name__ == "__main__":
    for text in texts(reports()):
        print(repr(text))
