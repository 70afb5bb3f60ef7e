"""nnref.testing, the kit: it passes what is right (nnref's own, torch's built-ins), names what is
wrong (the student's momentum, wrong losses), and says in one line what it cannot check."""

import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nnref import optim
from nnref.heads import HEADS
from nnref.optim import OPTIMIZERS
from nnref.tasks import MODULES
from nnref.testing import (
    NAMED_TWINS,
    Form,
    KitError,
    check_head,
    check_optimizer,
    head_checks,
    optimizer_checks,
)
from nnref.testing.cli import main
from nnref.testing.report import FAIL, FORM, PASS, SKIP

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # examples/
    sys.path.insert(0, str(ROOT))  # as a namespace package, as `python -m` from the root sees it
from examples.student_momentum import StudentMomentum  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors gain nothing from intra-op threads, and stall when the cores are shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class FixedMomentum(StudentMomentum):
    """The student's momentum with both bugs fixed: m in self.state[p], η from the group."""

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
                m = state.get("momentum_buffer", torch.zeros_like(p))
                state["momentum_buffer"] = m = group["momentum"] * m + group["lr"] * p.grad
                p.sub_(m)
        return loss


def statuses(report):
    return {row.check: row.status for row in report.rows}


# ------------------------------------------------------------------ optimizers that are right


# nnref's six at the course's defaults (its table of optimizers)
NNREF = {
    name: functools.partial(entry.cls, **entry.hyperparameters())
    for name, entry in OPTIMIZERS.items()
}


@pytest.mark.parametrize("name", NNREF)
def test_nnref_optimizers_pass_without_a_twin(name):
    report = check_optimizer(NNREF[name])
    assert report.ok, report
    assert not any(row.check.startswith("twin:") for row in report.rows)


TORCH_BUILT_INS = {
    "SGD": functools.partial(torch.optim.SGD, lr=0.1),
    "SGD-momentum": functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9),
    "SGD-nesterov": functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": functools.partial(torch.optim.Adam, lr=0.01),
    "AdamW": functools.partial(torch.optim.AdamW, lr=0.01),
    "Adagrad": functools.partial(torch.optim.Adagrad, lr=0.1),
    "RMSprop": functools.partial(torch.optim.RMSprop, lr=0.01, momentum=0.5, centered=True),
    "Adamax": torch.optim.Adamax,
    "NAdam": torch.optim.NAdam,
    "RAdam": torch.optim.RAdam,
    "Adadelta": torch.optim.Adadelta,
}


@pytest.mark.parametrize("name", TORCH_BUILT_INS)
def test_torch_built_ins_pass(name):
    report = check_optimizer(TORCH_BUILT_INS[name], dtypes=(torch.float64, torch.float32))
    assert report.ok, report


@pytest.mark.parametrize(
    "ours, twin",
    [
        (functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9), "momentum"),
        (functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9, nesterov=True), "nag"),
        (functools.partial(torch.optim.Adam, lr=0.01), "adam"),
    ],
    ids=["SGD-vs-momentum", "SGD-nesterov-vs-nag", "Adam-vs-adam"],
)
def test_torch_built_ins_pass_against_nnref_twins(ours, twin):
    """The known forms read either way round: here the twin is nnref's."""
    report = check_optimizer(ours, twin=twin)
    assert report.ok, report


def test_named_twins_are_the_courses_table_of_optimizers():
    assert list(NAMED_TWINS) == list(OPTIMIZERS)
    for name, (cls, hyperparameters) in NAMED_TWINS.items():
        assert cls is OPTIMIZERS[name].cls and hyperparameters == OPTIMIZERS[name].hyperparameters()


# ---------------------------------------------------------------- differences of form


def test_momentum_against_sgd_is_equal_at_constant_lr_and_differs_after_an_lr_change():
    report = check_optimizer(functools.partial(optim.Momentum, lr=0.05), twin=torch.optim.SGD)
    assert report.ok, report
    row = report["twin: lr drop"]
    assert row.status == FORM
    assert "equal at constant lr; differs after an lr change" in row.detail
    assert "η inside m" in row.detail and "from step 7" in row.detail
    assert {report[f"twin: {name}"].status for name in ("quadratic", "MLP", "param groups")} == {
        PASS
    }


def test_nag_against_sgd_nesterov_is_compared_as_the_lookahead_point():
    nesterov = functools.partial(torch.optim.SGD, nesterov=True)
    report = check_optimizer(functools.partial(optim.NAG, lr=0.05), twin=nesterov)
    assert report.ok, report
    assert report["twin: MLP"].detail == "compared as θ = w − γ·m"
    assert report["twin: lr drop"].status == FORM


def test_nag_against_plain_sgd_fails():
    """The form only changes how the pair is read: heavy-ball SGD is another method."""
    report = check_optimizer(functools.partial(optim.NAG, lr=0.05), twin=torch.optim.SGD)
    assert report["twin: MLP"].status == FAIL


def test_a_form_is_declared_with_a_keyword_for_a_pair_the_kit_does_not_know():
    ours = functools.partial(FixedMomentum, lr=0.05)
    assert check_optimizer(ours, twin=torch.optim.SGD)["twin: lr drop"].status == FAIL
    form = Form(
        summary="equal at constant lr; differs after an lr change",
        reason="η inside m",
        differs_after_lr_change=True,
    )
    report = check_optimizer(ours, twin=torch.optim.SGD, form=form)
    assert report.ok, report
    assert report["twin: lr drop"].status == FORM


def test_a_declared_lr_form_does_not_excuse_a_difference_at_constant_lr():
    form = Form(summary="s", reason="r", differs_after_lr_change=True)
    twin = functools.partial(torch.optim.SGD, momentum=0.5)  # not the same momentum
    report = check_optimizer(functools.partial(FixedMomentum, lr=0.05), twin=twin, form=form)
    assert report["twin: MLP"].status == FAIL
    assert report["twin: lr drop"].detail.startswith("step 2: ")


# ------------------------------------------------------------------- the student's bugs


def test_student_momentum_report_names_both_bugs():
    report = check_optimizer(functools.partial(StudentMomentum, lr=0.05), twin="momentum")
    assert not report.ok
    # Bug 1: m in a Python attribute, so state_dict() (and a copy) loses it.
    assert report["state_dict round trip"].status == FAIL
    assert "state kept outside self.state[p] is lost" in report["state_dict round trip"].detail
    assert "self.state[p]" in report["deepcopy is independent"].detail
    # Bug 2: self.lr, not group["lr"]: param groups and lr schedulers are ignored.
    assert report["param groups keep their own lr"].status == FAIL
    assert "param_groups[i]['lr']" in report["param groups keep their own lr"].detail
    assert "param_groups[i]['lr']" in report["lr scheduler changes the lr"].detail
    assert report["twin: param groups"].status == FAIL and report["twin: lr drop"].status == FAIL
    # On the happy path (one group, constant lr) it is right, and the report says so.
    assert report["twin: MLP"].status == report["twin: quadratic"].status == PASS
    assert {row.check for row in report.failures} == {
        "param groups keep their own lr",
        "state_dict round trip",
        "deepcopy is independent",
        "lr scheduler changes the lr",
        "twin: param groups",
        "twin: lr drop",
    }


def test_fixed_student_momentum_passes_against_nnref_and_torch():
    for twin in ("momentum", optim.Momentum):
        report = check_optimizer(functools.partial(FixedMomentum, lr=0.05), twin=twin)
        assert report.ok, report


@optimizer_checks(functools.partial(FixedMomentum, lr=0.05), twin="momentum")
def test_fixed_student_momentum_one_item_per_check(check):
    check()


@optimizer_checks(
    functools.partial(optim.NAG, lr=0.05), twin=functools.partial(torch.optim.SGD, nesterov=True)
)
def test_nag_one_item_per_check(check):
    check()


# ------------------------------------------------------------------------- closure


class ClosureNAG(optim.NAG):
    """NAG without the attribute that tells the kit it needs a closure."""

    gradient_at_lookahead = False


def test_closure_true_steps_with_a_closure_throughout():
    without = check_optimizer(functools.partial(ClosureNAG, lr=0.05))
    assert "needs a closure" in without["param groups keep their own lr"].detail
    report = check_optimizer(functools.partial(ClosureNAG, lr=0.05), twin="nag", closure=True)
    assert report.ok, report


# ------------------------------------------------------------------------ the report


def test_report_table_and_repr():
    report = check_optimizer(functools.partial(StudentMomentum, lr=0.05), twin="momentum")
    text = str(report)
    assert text.startswith(
        "examples.student_momentum.StudentMomentum(lr=0.05, momentum=0.9) vs nnref.optim.Momentum("
    )
    assert "check" in text.splitlines()[2] and "result" in text.splitlines()[2]
    assert text.endswith("13 passed, 6 failed")
    assert "state_dict round trip: step 1 after loading" in repr(report)
    with pytest.raises(KeyError, match="no check named"):
        report["nope"]


def test_first_difference_names_step_parameter_element_and_values():
    detail = check_optimizer(functools.partial(StudentMomentum, lr=0.05), twin="momentum")[
        "twin: param groups"
    ].detail
    assert detail.startswith("step 1: param 0[0, 0]: ours ") and " vs twin " in detail


def test_skip_rows_say_why():
    report = check_optimizer(functools.partial(optim.Adam, lr=0.01), twin=torch.optim.Adam)
    assert report["sparse gradients"].status == SKIP
    assert "twin refuses sparse gradients" in report["sparse gradients"].detail
    assert report.ok


# ------------------------------------------------------------------------- bad input


def one_line(error):
    return "\n" not in str(error.value)


def test_a_class_that_is_not_an_optimizer_is_refused_in_one_line():
    with pytest.raises(
        KitError, match="modules.linear.Linear is not a torch.optim.Optimizer subclass"
    ) as error:
        check_optimizer(nn.Linear)
    assert one_line(error)


def test_a_factory_that_raises_is_named_with_its_error():
    def broken(params):
        raise RuntimeError("no GPU here\nsecond line")

    with pytest.raises(
        KitError, match="broken: building it raised RuntimeError: no GPU here$"
    ) as error:
        check_optimizer(broken)
    assert one_line(error)


def test_a_class_that_needs_an_lr_says_so():
    with pytest.raises(KitError, match="missing 1 required positional argument: 'lr'"):
        check_optimizer(optim.GD)


def test_a_factory_that_returns_something_else():
    with pytest.raises(KitError, match="returned list, not a torch.optim.Optimizer"):
        check_optimizer(lambda params: list(params))


def test_a_factory_that_ignores_its_params():
    other = [nn.Parameter(torch.zeros(2))]
    with pytest.raises(KitError, match="does not optimize the parameters it was given"):
        check_optimizer(lambda params: optim.GD(other, lr=0.1))


def test_a_twin_with_another_number_of_param_groups():
    def merged(params):  # flattens the groups into one
        flat = (
            [p for group in params for p in group["params"]]
            if isinstance(params[0], dict)
            else params
        )
        return torch.optim.SGD(flat, lr=0.1)

    with pytest.raises(
        KitError, match=r"twin .*merged: has 1 parameter group\(s\) where nnref.optim.GD has 2"
    ) as e:
        check_optimizer(functools.partial(optim.GD, lr=0.1), twin=merged)
    assert one_line(e)


def test_a_twin_that_is_not_an_optimizer():
    with pytest.raises(
        KitError,
        match="twin torch.nn.modules.linear.Linear is not a torch.optim.Optimizer subclass",
    ):
        check_optimizer(functools.partial(optim.GD, lr=0.1), twin=nn.Linear)
    with pytest.raises(KitError, match="cannot import nowhere"):
        check_optimizer(functools.partial(optim.GD, lr=0.1), twin="nowhere:SGD")


def test_an_optimizer_that_raises_in_step_is_a_failed_row_not_a_traceback():
    class Exploding(torch.optim.SGD):
        def step(self, closure=None):
            raise RuntimeError("boom")

    report = check_optimizer(functools.partial(Exploding, lr=0.1))
    assert report["state_dict round trip"].detail == "raised RuntimeError: boom"


def test_the_kit_leaves_the_users_objects_and_global_state_alone():
    factory = functools.partial(optim.Momentum, lr=0.05, momentum=0.8)
    keywords = dict(factory.keywords)
    rng, dtype = torch.get_rng_state(), torch.get_default_dtype()
    check_optimizer(factory, twin=torch.optim.SGD)
    check_head(MODULES["multiclass"], "multiclass")  # a shell: the kit builds its course head
    assert factory.keywords == keywords
    assert torch.equal(torch.get_rng_state(), rng) and torch.get_default_dtype() == dtype


# ----------------------------------------------------------------------------- heads


HEAD_CASES = [(task, loss) for task, head in HEADS.items() for loss in head.losses]


@pytest.mark.parametrize(
    "task, loss", HEAD_CASES, ids=[f"{task}-{loss}" for task, loss in HEAD_CASES]
)
def test_nnref_heads_pass(task, loss):
    """The course heads (class and instance) and their Lightning shells (class and instance)."""
    outputs = 4 if task in ("multiclass", "multilabel") else 1
    cls, shell = HEADS[task], MODULES[task]
    heads = (
        cls,
        cls(outputs, loss=loss),
        shell,
        shell(n_inputs=3, n_outputs=outputs, hidden=(), loss=loss),
    )
    for head in heads:
        report = check_head(head, task, loss=loss)
        assert report.ok, report
        assert all(row.status == PASS for row in report.rows)  # the activation is checked too


@pytest.mark.parametrize(
    "task, loss", HEAD_CASES, ids=[f"{task}-{loss}" for task, loss in HEAD_CASES]
)
def test_torch_losses_as_plain_callables_pass(task, loss):
    losses = {
        ("regression", "mse"): nn.MSELoss(),
        ("binary", "ce"): nn.BCEWithLogitsLoss(),
        ("binary", "mse"): lambda z, t: nn.functional.mse_loss(torch.sigmoid(z), t),
        ("multiclass", "ce"): nn.CrossEntropyLoss(),
        ("multiclass", "mse"): lambda z, t: F.mse_loss(
            torch.softmax(z, 1), F.one_hot(t, z.shape[1]).to(z)
        ),
        ("multilabel", "ce"): lambda z, t: (
            F.binary_cross_entropy_with_logits(z, t, reduction="none").sum(1).mean()
        ),
    }
    report = check_head(losses[task, loss], task, loss=loss)
    assert report.ok, report
    assert report.rows[0].status == SKIP  # no activation given


def naive_softmax(z):
    e = z.exp()  # no max subtracted: exp(1000) = inf
    return e / e.sum(1, keepdim=True)


def test_a_naive_softmax_and_a_summed_cross_entropy_are_named():
    def summed_ce(z, t):
        return -torch.log(naive_softmax(z))[torch.arange(len(t)), t].sum()

    report = check_head(summed_ce, "multiclass", activation=naive_softmax)
    assert "subtract the row's max" in report["output: softmax, rows sum to 1"].detail
    assert (
        "a sum over samples where torch takes the mean"
        in report["loss equals torch's CrossEntropyLoss"].detail
    )
    assert "6 × the formula everywhere" in report["gradient: dE/dz = (y - t)/n"].detail
    assert report["loss at logits of ±1000"].status == FAIL


def test_the_courses_half_squared_error_is_told_apart_from_torchs_mse():
    def half_sum(z, t):
        return 0.5 * ((t - torch.sigmoid(z)) ** 2).sum()

    report = check_head(half_sum, "binary", loss="mse")
    detail = report["loss equals torch's MSELoss(sigmoid, t)"].detail
    assert "the course's E; torch's MSE is the mean, without ½" in detail
    assert "3 × the formula everywhere" in report["gradient: dE/dz = -(t - y)y(1 - y) x 2/n"].detail


def test_a_softmax_for_multilabel_is_not_a_sigmoid_per_label():
    class SoftmaxLabels:
        def activation(self, z):
            return torch.softmax(z, 1)

        def loss(self, z, t):
            return -(t * torch.log_softmax(z, 1)).sum(1).mean()

    report = check_head(SoftmaxLabels(), "multilabel")
    assert report["output: a sigmoid per label (rows need not sum to 1)"].status == FAIL
    assert report["loss is the sum of per-label BCEs"].status == FAIL


def test_binary_ce_that_is_not_two_class_softmax_ce():
    report = check_head(
        lambda z, t: nn.functional.mse_loss(torch.sigmoid(z), t), "binary", loss="ce"
    )
    assert report["binary CE equals two-class softmax CE"].status == FAIL


def test_head_bad_input_in_one_line():
    with pytest.raises(
        KitError, match="task='ranking': unknown; tasks: regression, binary, multiclass, multilabel"
    ):
        check_head(nn.CrossEntropyLoss(), "ranking")
    with pytest.raises(KitError, match="loss='ce': not a loss of task=regression; its losses: mse"):
        check_head(nn.MSELoss(), "regression", loss="ce")
    with pytest.raises(KitError, match="was built with loss='mse', not 'ce'"):
        check_head(HEADS["binary"](1, loss="mse"), "binary", loss="ce")
    with pytest.raises(KitError, match="BinaryModule was built with loss='mse', not 'ce'"):
        check_head(
            MODULES["binary"](n_inputs=2, n_outputs=1, hidden=(), loss="mse"), "binary", loss="ce"
        )
    with pytest.raises(KitError, match="neither a loss"):
        check_head(42, "binary")


@head_checks(HEADS["multiclass"], "multiclass")
def test_multiclass_head_one_item_per_check(check):
    check()


def test_head_checks_name_the_checks_from_a_shells_loss():
    ids = head_checks(
        MODULES["binary"](n_inputs=2, n_outputs=1, hidden=(), loss="mse"), "binary"
    ).mark.kwargs["ids"]
    assert "loss_equals_torch_s_MSELoss(sigmoid_t)" in ids


def test_parametrize_helpers_fail_and_skip_items_with_the_reports_line():
    """What pytest shows for a user's project: failing checks fail their item, others pass or
    skip."""
    mark = optimizer_checks(functools.partial(StudentMomentum, lr=0.05), twin="momentum").mark
    checks = dict(zip(mark.kwargs["ids"], mark.args[1], strict=True))
    assert "state_dict_round_trip" in checks and "twin_lr_drop" in checks
    with pytest.raises(pytest.fail.Exception, match="state_dict round trip: step 1 after loading"):
        checks["state_dict_round_trip"]()
    assert checks["twin_MLP"]().status == PASS
    adam = optimizer_checks(torch.optim.Adam, twin="adam").mark
    with pytest.raises(pytest.skip.Exception, match="twin refuses sparse gradients"):
        dict(zip(adam.kwargs["ids"], adam.args[1], strict=True))["sparse_gradients"]()
    broken = optimizer_checks(nn.Linear).mark
    with pytest.raises(pytest.fail.Exception, match="not a torch.optim.Optimizer subclass"):
        broken.args[1][0]()


# ---------------------------------------------------------------------- command line


def test_cli_student_momentum_exits_1_with_the_table(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert (
        main(["optimizer", "examples/student_momentum.py:StudentMomentum", "--twin", "momentum"])
        == 1
    )
    out = capsys.readouterr().out
    # --twin momentum builds the class with the course's defaults (nnref.optim.OPTIMIZERS)
    assert (
        "StudentMomentum(lr=0.02, momentum=0.9) vs nnref.optim.Momentum(lr=0.02, momentum=0.9)"
        in out
    )
    assert "state_dict round trip                    FAIL" in out


def test_cli_passing_optimizer_exits_0(capsys):
    assert (
        main(
            [
                "optimizer",
                "nnref.optim:NAG",
                "--twin",
                "torch.optim.SGD",
                "--hp",
                "lr=0.05",
                "--hp",
                "momentum=0.9",
                "--hp",
                "nesterov=True",
                "--dtype",
                "float64",
                "--dtype",
                "float32",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "vs torch.optim.SGD(lr=0.05, momentum=0.9, nesterov=True)" in out
        and "twin: MLP [float32]" in out
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["optimizer", "nowhere.mod:X"],
            "cannot import nowhere.mod: ModuleNotFoundError: No module named 'nowhere'",
        ),
        (["optimizer", "nnref.optim:Nope"], "nnref.optim has no attribute 'Nope'"),
        (["optimizer", "torch.nn:Linear"], "is not a torch.optim.Optimizer subclass"),
        (["optimizer", "nnref.optim:GD"], "argument: 'lr' (give it with --hp NAME=VALUE)"),
        (["optimizer", "nnref.optim:GD", "--twin", "nowhere:X"], "cannot import nowhere"),
        (["head", "nowhere:loss", "--task", "binary"], "cannot import nowhere"),
    ],
)
def test_cli_exits_2_with_one_line_when_the_target_cannot_be_built(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("nnref-check: error: ") and message in captured.err
    assert captured.err.count("\n") == 1


def test_cli_head(capsys):
    assert main(["head", "nnref.tasks:BinaryModule", "--task", "binary", "--loss", "mse"]) == 0
    assert "BinaryModule as the binary head (loss=mse)" in capsys.readouterr().out
    assert main(["head", "nnref.heads:MulticlassHead", "--task", "multiclass"]) == 0
    assert "MulticlassHead as the multiclass head (loss=ce)" in capsys.readouterr().out
    assert main(["head", "torch.nn.functional:mse_loss", "--task", "binary", "--loss", "ce"]) == 1


def test_cli_reports_in_korean_with_lang_ko(capsys):
    assert main(["head", "nnref.heads:MulticlassHead", "--task", "multiclass", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "멀티 클래스 분류 헤드" in out and re.search(r"통과 \d+, 실패 0$", out.strip())
    with pytest.raises(SystemExit):
        main(["head", "nnref.heads:MulticlassHead", "--task", "multiclass", "--lang", "fr"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_on_the_student_example():
    """As a user runs it, from the repository root (docs/testing.md shows this output)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnref.testing",
            "optimizer",
            "examples.student_momentum:StudentMomentum",
            "--twin",
            "momentum",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert result.stdout.rstrip().endswith("13 passed, 6 failed")


def test_the_docs_show_the_report_the_command_gives():
    """docs/testing.md's student table has the rows and results the kit gives (numbers aside)."""
    docs = (ROOT / "docs" / "testing.md").read_text()
    lr = OPTIMIZERS["momentum"].lr  # what the docs' `--twin momentum` builds the class with
    report = check_optimizer(
        functools.partial(StudentMomentum, lr=lr, momentum=0.9), twin="momentum"
    )
    for row in report.rows:
        assert f"{row.check:<39}  {row.status}" in docs, row.check
    assert "/work/" not in docs and "/home/" not in docs


@pytest.mark.slow
def test_importing_the_kit_needs_no_lightning_hydra_or_gradio():
    """A student's project installs torch and nnref's core; the kit must not pull in the shells."""
    shells = ("lightning.", "pytorch_lightning", "hydra", "gradio")
    code = (
        "import sys, nnref.optim, nnref.testing; "
        f"assert not any(m == 'lightning' or m.startswith({shells!r}) for m in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
