"""nnref.testing.check_exercise: the notebooks' solutions pass, the stub is "not done yet", and each
exercise's realistic wrong answer fails naming the rule that broke, without ever showing the
solution; code that raises, runs too long, or has the wrong signature or shape gets its own row."""

import sys
import time

import pytest
import torch
import torch.nn.functional as F
from conftest import ROOT
from support.wrong_answers import AdamWithoutCorrection

from nnref.testing import EXERCISES, check_exercise
from nnref.testing.report import FAIL, PASS, TODO

sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402


def solutions() -> dict:
    """Every exercise as the teacher editions define it: run their setup and exercise cells."""
    found = {}
    for name in notebooks.names():
        scope = {}
        for cell in notebooks.edition(name, "teacher").cells:
            tags = cell.metadata.get("tags", [])
            if cell.cell_type == "code" and (
                "exercise" in tags or cell.source.startswith(("try:", "import"))
            ):
                exec(cell.source, scope)  # noqa: S102 - the project's own notebooks
                found.update({k: v for k, v in scope.items() if k in EXERCISES})
    return found


SOLUTIONS = solutions()


def failing(report) -> str:
    return "\n".join(f"{row.check}: {row.detail}" for row in report.rows if row.status == FAIL)


@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_notebooks_solution_passes(name):
    report = check_exercise(name, SOLUTIONS[name])
    assert report.ok and report.done, report
    assert report.rows[0].check.startswith("signature ") and len(report.rows) >= 4
    assert str(report).splitlines()[-1].endswith(" 0 failed")


def stub(name):
    """The exercise as the student edition starts it: its own signature, the body a stub."""
    args = ", ".join(EXERCISES[name].signature)
    if name[0].isupper():
        source = (
            f"class {name}(torch.optim.Optimizer):\n    def __init__(self, {args}):\n"
            "        raise NotImplementedError('exercise: write this')\n"
        )
    else:
        source = f"def {name}({args}):\n    raise NotImplementedError('exercise: write this')\n"
    scope = {"torch": torch}
    exec(source, scope)  # noqa: S102 - our own two lines
    return scope[name]


@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_unchanged_stub_is_not_done_yet(name):
    report = check_exercise(name, stub(name))
    assert [row.status for row in report.rows] == [TODO] and not report.done
    assert str(report).splitlines()[-1] == "0 passed, 1 not done yet, 0 failed"


WRONG = {
    "fold_linear_layers": (
        lambda layers: (
            SOLUTIONS["fold_linear_layers"]([layers[-1]]) if len(layers) > 1 else layers[0]
        ),
        "Linear",
    ),
    "sigmoid_mse_grad": (lambda net, t: -(t - torch.sigmoid(net)), "forgot y(1 − y)"),
    "binary_cross_entropy": (lambda y, t: -(t * torch.log(y)).mean(), "(1 − t)·log(1 − y)"),
    "one_hot": (
        lambda labels, classes: F.one_hot(
            torch.tensor([sorted(classes).index(c) for c in labels]), len(classes)
        ).float(),
        "order of `classes`",
    ),
    "softmax": (lambda net: torch.exp(net) / torch.exp(net).sum(dim=0, keepdim=True), "wrong axis"),
    "cross_entropy": (lambda y, t: -(t * torch.log(y)).sum(), "mean is asked for"),
    "multilabel_loss": (
        lambda net, t: F.binary_cross_entropy_with_logits(net, t),
        "a mean over the labels",
    ),
    "minibatches": (
        lambda n, batch_size, generator: list(
            torch.randint(0, n, (n,), generator=generator).split(batch_size)
        ),
        "exactly once",
    ),
}


def test_folded_layers_name_the_forgotten_bias_path_and_the_wrong_order():
    from nnref.testing.references import as_linear, fold_last_bias_only, fold_wrong_order

    assert "forgot the bias's path through the later weights" in failing(
        check_exercise("fold_linear_layers", as_linear(fold_last_bias_only))
    )
    report = check_exercise("fold_linear_layers", as_linear(fold_wrong_order))
    # W₁·W₂ can only be made with square layers: that case names it, the others raise
    assert "wrong order" in report["two square layers, 3 -> 3 -> 3"].detail


def test_batches_of_single_rows_fail_with_a_row_not_a_crash():
    report = check_exercise(
        "minibatches", lambda n, batch_size, generator: [torch.tensor(i) for i in range(n)]
    )
    assert not report.ok and "each batch must be 1-d" in failing(report)


@pytest.mark.parametrize("name", list(WRONG))
def test_a_realistic_wrong_function_fails_naming_the_rule(name):
    wrong, words = WRONG[name]
    report = check_exercise(name, wrong)
    assert not report.ok and words in failing(report), failing(report)


class ForgetfulMomentum(torch.optim.Optimizer):
    """m in an attribute and (1 − γ) on the gradient: two mistakes at once."""

    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.m = {}

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    m = (
                        group["momentum"] * self.m.get(p, torch.zeros_like(p))
                        + (1 - group["momentum"]) * group["lr"] * p.grad
                    )
                    self.m[p] = m
                    p.sub_(m)
        return loss


def test_a_wrong_momentum_names_state_outside_self_state_and_the_formula():
    text = failing(check_exercise("Momentum", ForgetfulMomentum))
    assert "self.state" in text and "not (1 − γ)·η·g" in text


def test_nag_written_as_momentum_is_told_its_gradient_comes_before_the_look_ahead():
    report = check_exercise("NAG", SOLUTIONS["Momentum"])
    assert "gradient taken before the look-ahead" in failing(report)


def test_adam_without_bias_correction_is_named():
    assert "no bias correction" in failing(check_exercise("Adam", AdamWithoutCorrection))


def test_a_textbook_adagrad_with_s_plus_g_squared_passes_the_exercise():
    class TextbookAdaGrad(torch.optim.Optimizer):
        def __init__(self, params, lr=0.01, eps=1e-10):
            super().__init__(params, dict(lr=lr, eps=eps))

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "s" not in state:
                        state["s"] = torch.zeros_like(p)
                    state["s"] += p.grad * p.grad
                    p -= group["lr"] * p.grad / (state["s"].sqrt() + group["eps"])
            return loss

    report = check_exercise("AdaGrad", TextbookAdaGrad)
    assert report.ok, report
    assert not any(word in str(report) for word in ("complex", "sparse"))  # beyond the lectures


def test_code_that_raises_gets_a_row_with_the_exceptions_one_line():
    def softmax(net):
        return net.softmax(dimension=1)

    report = check_exercise("softmax", softmax)
    assert (
        all(row.status == FAIL for row in report.rows[1:])
        and "raised TypeError" in report.rows[1].detail
    )


def test_code_that_runs_too_long_is_stopped_with_a_row_saying_so():
    def softmax(net):
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    report = check_exercise("softmax", softmax, time_limit_s=0.2)
    # A guard, not a budget: the loop never ends by itself, so any return at all is the limit's.
    assert time.perf_counter() - start < 60
    assert "ran too long" in report.rows[1].detail


def test_an_optimizer_whose_step_runs_too_long_is_stopped_once_for_the_whole_exercise():
    class SlowMomentum(torch.optim.Optimizer):
        def __init__(self, params, lr, momentum):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        def step(self, closure=None):
            time.sleep(0.5)

    start = time.perf_counter()
    report = check_exercise("Momentum", SlowMomentum, time_limit_s=0.3)
    assert time.perf_counter() - start < 60  # a guard against a hang; the rows say it stopped once
    assert [row.check for row in report.failures] == ["the checks"]
    assert "ran too long" in report["the checks"].detail


def test_a_wrong_signature_or_shape_names_what_is_expected():
    report = check_exercise("sigmoid_mse_grad", lambda x: torch.zeros_like(x))
    assert (
        report.rows[0].status == FAIL
        and "expected sigmoid_mse_grad(net, t)" in report.rows[0].detail
    )
    report = check_exercise("cross_entropy", lambda y, t: -(t * torch.log(y)).sum(dim=1))
    assert "expected ()" in failing(report)  # a loss per sample where the mean was asked for
    report = check_exercise("fold_linear_layers", lambda layers: layers)
    assert "expected one torch.nn.Linear" in failing(report)


def test_a_report_never_shows_the_solution():
    source = "\n".join(
        c.source
        for name in notebooks.names()
        for c in notebooks.edition(name, "teacher").cells
        if "exercise" in c.metadata.get("tags", [])
    )
    solution_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
    for name, (wrong, _) in WRONG.items():
        text = str(check_exercise(name, wrong)) + check_exercise(name, wrong)._repr_html_()
        assert not any(line in text for line in solution_lines), name


def test_a_passing_row_and_the_summary_are_in_the_html_table_too():
    html = check_exercise("softmax", SOLUTIONS["softmax"])._repr_html_()
    assert "<table>" in html and html.count("<tr>") == 6 and "5 passed, 0 failed" in html
    assert PASS in html


def test_cases_drawn_from_a_seed_are_added_and_never_show_their_expected_values():
    report = check_exercise("softmax", SOLUTIONS["softmax"], seed=3)
    assert report.ok and len(report.rows) == 7
    wrong = check_exercise("softmax", WRONG["softmax"][0], seed=3)
    drawn = [row for row in wrong.rows if row.check.startswith("a case drawn from the seed")]
    assert len(drawn) == 2 and all(row.status == FAIL for row in drawn)
    assert all(
        row.detail.startswith("wrong on this case, whose values are not shown") for row in drawn
    )
    assert all("likely mistake: normalised over the wrong axis" in row.detail for row in drawn)
    again = check_exercise("softmax", WRONG["softmax"][0], seed=3)
    assert [(r.check, r.detail) for r in again.rows] == [(r.check, r.detail) for r in wrong.rows]


def test_a_tensor_subclass_whose_comparisons_lie_is_judged_by_its_values():
    class Liar(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if func in (torch.allclose, torch.equal, torch.Tensor.tolist, torch.Tensor.__eq__):
                return True
            return super().__torch_function__(func, types, args, kwargs or {})

    report = check_exercise("softmax", lambda net: torch.zeros_like(net).as_subclass(Liar))
    assert [row.status for row in report.rows[1:]] == [FAIL] * 4
