"""nnref.experiments.learning_rates on reduced sizes, and scripts/learning_rates.py end to end."""

import json

import pytest
import torch
from conftest import run_cli

from nnref import optim
from nnref.experiments import learning_rates


@pytest.fixture(scope="module")
def quick():
    return learning_rates.run(quick=True)


def test_decaying_the_lr_ends_lower_and_stops_the_bounce(quick):
    final, s = quick["final_val_loss"], quick["schedule"]
    assert set(final) == {"constant", "decay"}
    assert final["decay"] < final["constant"]
    spread = s["val_loss_spread_last_epochs"]
    assert spread["decay"] < spread["constant"] / 10


def test_each_epoch_trains_with_the_scheduled_lr(quick):
    s, runs = quick["schedule"]["settings"], quick["schedule"]["runs"]
    epochs = range(s["epochs"])
    assert runs["constant"]["lr"] == [s["lr"]] * s["epochs"]
    assert runs["decay"]["lr"] == pytest.approx(
        [s["lr"] * s["gamma"] ** (e // s["step_size"]) for e in epochs]
    )
    # Same seed, same weights, same batches: identical until the first drop.
    first = s["step_size"]
    assert runs["decay"]["val_loss"][:first] == runs["constant"]["val_loss"][:first]


def test_adaptive_optimizers_spread_step_sizes_over_orders_of_magnitude(quick):
    eff, per_weight = quick["effective_lr"], quick["per_weight"]
    assert set(eff) == {"adagrad", "rmsprop", "adam", "gd"}
    assert eff["gd"]["min"] == eff["gd"]["median"] == eff["gd"]["max"] == per_weight["lr"]["gd"]
    for name in ("adagrad", "rmsprop", "adam"):
        st = eff[name]
        assert 0 < st["min"] <= st["median"] <= st["max"]
        assert st["max"] / st["min"] > 100, name
        # The histogram covers every weight that has had a gradient, at every snapshot.
        for epoch, counts in per_weight["histogram"][name].items():
            assert sum(counts) == per_weight["n_weights"] - per_weight["never_updated"][name][epoch]


@pytest.mark.parametrize(
    "name,cls,kwargs",
    [
        ("adagrad", optim.AdaGrad, {"lr": 0.05}),
        ("rmsprop", optim.RMSProp, {"lr": 0.01}),
        ("adam", optim.Adam, {"lr": 0.01}),
    ],
)
def test_the_per_weight_rate_is_the_step_each_weight_took(name, cls, kwargs):
    """-Δw = rate · g (AdaGrad, RMSProp) or rate · m̂ (Adam), weight by weight, after each step;
    a weight whose gradient has always been 0 is left out and counted."""
    torch.manual_seed(0)
    w = torch.randn(6, dtype=torch.float64, requires_grad=True)
    opt = cls([w], **kwargs)
    m_hat = torch.zeros(6, dtype=torch.float64)
    for t in range(1, 4):
        g = torch.randn(6, dtype=torch.float64) * torch.tensor(
            [1, 10, 0.1, 1, 100, 0], dtype=torch.float64
        )
        w.grad = g
        before = w.detach().clone()
        opt.step()
        rate, left_out = learning_rates.per_weight_lr(name, opt)
        assert left_out == 1  # the last weight never had a gradient
        moved = (before - w.detach())[:5]
        if name == "adam":
            m_hat = 0.9 * m_hat + 0.1 * g
            direction = (m_hat / (1 - 0.9**t))[:5]
        else:
            direction = g[:5]
        torch.testing.assert_close(moved, rate * direction, rtol=1e-12, atol=0)


def test_course_and_torch_momentum_agree_until_the_drop_then_part(quick):
    m = quick["momentum"]
    d = m["drop_step"]
    assert quick["max_param_gap_before_drop"] < 1e-12
    assert quick["max_param_gap_after_drop"] > 1e-3
    assert m["lr"][d] == pytest.approx(m["lr"][d - 1] * m["settings"]["gamma"])
    # At the drop torch scales its whole buffer by the new lr at once; the course's m still holds
    # the old lr in its past steps, so its first step after the drop is much longer.
    course, ref = m["step_length"]["course"], m["step_length"]["torch"]
    assert course[d - 1] == pytest.approx(ref[d - 1], rel=1e-9)
    assert course[d] > 3 * ref[d]


@pytest.mark.slow
def test_the_script_writes_png_and_json(tmp_path):
    proc = run_cli(
        "--out", str(tmp_path), "--quick", script="scripts/learning_rates.py", timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "learning_rates.png").stat().st_size > 10_000
    data = json.loads((tmp_path / "learning_rates.json").read_text())
    assert set(data["final_val_loss"]) == {"constant", "decay"}
    assert set(data["effective_lr"]) == {"adagrad", "rmsprop", "adam", "gd"}
    assert data["max_param_gap_after_drop"] > 0 and data["max_param_gap_before_drop"] < 1e-12
    assert "final_val_loss constant=" in proc.stdout
