"""Five more of the 3-1 chapter's claims, each asserted on the numbers its experiment returns (small
sizes, fixed seeds), and one of their scripts end to end."""

import json
import re

import pytest
import torch
from conftest import ROOT, run_cli

from nnref.experiments import (
    gradient_noise,
    label_noise,
    momentum_memory,
    overshoot,
    weight_changes,
)
from nnref.nets import MLP

NAMES = ("overshoot", "gradient_noise", "label_noise", "momentum_memory", "weight_changes")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # Tiny nets and single-row steps: a second thread only adds overhead (as scripts/_plot.py does).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ---------------------------------------------------- 1. momentum can overshoot
@pytest.fixture(scope="module")
def overshoots():
    return overshoot.run(steps=300)


def test_momentum_overshoots_where_gd_does_not(overshoots):
    for name, r in overshoots.items():
        s = r["settings"]
        approach = float(torch.linalg.norm(torch.tensor(s["start"]) - torch.tensor(s["minimum"])))
        assert r["max_overshoot"]["gd"] == 0.0, name
        # A tenth of the way back, at least.
        assert r["max_overshoot"]["momentum_0.9"] > 0.1 * approach, name
        assert not any(r["diverged"].values())


def test_nag_overshoots_less_than_momentum_at_the_same_gamma(overshoots):
    for name, r in overshoots.items():
        for gamma in overshoot.GAMMAS:
            nag, heavy = (
                r["max_overshoot"][f"nag_{gamma:g}"],
                r["max_overshoot"][f"momentum_{gamma:g}"],
            )
            assert nag <= heavy, (name, gamma)
            if heavy > 1e-3:
                assert nag < 0.9 * heavy, (name, gamma)


def test_on_the_quadratic_a_path_overshoots_exactly_when_its_roots_are_complex(overshoots):
    # Error recursions on 0.5 x^2 (see overshoot.py): complex characteristic roots mean the path
    # swings around 0.
    r, lr = overshoots["quadratic"], overshoot.PROBLEMS["quadratic"]["lr"]
    for label, opt, g in overshoot.runs():
        if opt == "gd":
            complex_roots = False
        elif opt == "momentum":
            complex_roots = (1 + g - lr) ** 2 < 4 * g
        else:
            complex_roots = (1 + g) ** 2 * (1 - lr) < 4 * g
        assert (r["max_overshoot"][label] > 0) == complex_roots, label
    # GD creeps in and settles; momentum 0.9 swings and settles later; 0.99 not within 300 steps.
    assert (
        r["steps_to_tol"]["gd"] < r["steps_to_tol"]["momentum_0.9"]
        and r["steps_to_tol"]["momentum_0.99"] is None
    )
    json.dumps(overshoots, allow_nan=False)


def test_overshoot_measures_past_the_minimum_along_the_approach_only():
    assert overshoot.max_overshoot([[-1.0], [0.5], [-0.2]], [-1.0], [0.0]) == 0.5
    assert (
        overshoot.max_overshoot([[-8.0, 1.0], [-1.0, -1.0], [0.0, 0.5]], [-8.0, 0.0], [0.0, 0.0])
        == 0.0
    )
    assert overshoot.settled_at([[1.0], [0.0], [0.5], [0.0]], [0.0], 0.1) == 3
    assert overshoot.settled_at([[1.0], [0.0], [0.5]], [0.0], 0.1) is None
    with pytest.raises(ValueError, match="unknown"):
        overshoot.run_problem("bowl")
    with pytest.raises(ValueError, match="gammas"):
        overshoot.run(gammas=(0.9, 1.0))


# ---------------------------------------------------- 2. a mini-batch gradient is a sample estimate
@pytest.fixture(scope="module")
def noise():
    return gradient_noise.run(n_batches=400, hidden=(16,))


def test_mini_batch_gradient_is_unbiased(noise):
    # The rows' mean is the gradient training computes.
    assert noise["per_sample_vs_autograd"] < 1e-12
    for b in map(str, noise["batch_sizes"]):
        # One epoch's batches, weighted by size, give the full gradient exactly (float64).
        assert noise["permutation_mean_error"][b] < 1e-12
        # K random batches: their mean misses g by what an unbiased estimate's sampling error
        # predicts, E|mean - g|^2 = tr(S)/(B K). Tolerance: within a factor 2 either way (a bias
        # would push it up).
        assert 0.5 < noise["mean_error"][b] / noise["expected_mean_error"][b] < 2.0, b


def test_mini_batch_gradient_variance_falls_as_one_over_b(noise):
    n = noise["n_train"]
    assert noise["slope"] == pytest.approx(-1.0, abs=0.05)  # log-log, drawn with replacement
    for b in noise["batch_sizes"]:
        k = str(b)
        assert noise["variance"][k] == pytest.approx(noise["trace_covariance"] / b, rel=0.25)
        # Without replacement, the finite-population correction (N - B)/(N - 1) applies.
        assert noise["variance_without_replacement"][k] == pytest.approx(
            noise["trace_covariance"] / b * (n - b) / (n - 1), rel=0.25
        )
    fpc = (n - 256) / (n - 1)  # about 0.8 for B = 256: visibly less than tr(S)/B
    assert (
        noise["variance_without_replacement"]["256"]
        < (fpc + 1) / 2 * noise["predicted_variance"]["256"]
    )
    cosines = [noise["mean_cosine_to_full"][str(b)] for b in noise["batch_sizes"]]
    assert cosines == sorted(cosines) and cosines[0] < 0.3 < 0.85 < cosines[-1]


def test_gradient_noise_refuses_bad_batch_sizes():
    with pytest.raises(ValueError, match="at least two"):
        gradient_noise.run(batch_sizes=(4,))
    with pytest.raises(ValueError, match="training rows"):
        gradient_noise.run(batch_sizes=(1, 10_000))


# ---------------------------------------------------- 3. SGD on noisy data
@pytest.mark.slow
def test_flipped_labels_hurt_stochastic_gd_more_than_mini_batches():
    # Means over two seeds: SGD's end is jumpy.
    r = label_noise.run(noise=(0.0, 0.3), epochs=5, seeds=(0, 1))
    acc, drop = r["final_test_acc"], r["drop"]
    # Clean labels: mini-batch and stochastic GD have both learned the task.
    assert acc["stochastic"]["0.0"] >= 0.88 and acc["mini"]["0.0"] >= 0.88
    # 30 % flipped: stochastic GD loses several times what mini-batches lose, and ends below them.
    assert drop["stochastic"] > drop["mini"] + 0.03 and drop["stochastic"] > 2 * drop["mini"]
    assert acc["stochastic"]["0.3"] < acc["mini"]["0.3"]
    # Full batch at equal epochs has taken 5 updates: untrained, whatever the labels.
    assert r["updates_per_epoch"] == {"full": 1, "mini": 40, "stochastic": r["n_train"]}
    assert acc["full"]["0.0"] < 0.3
    # Why: the flipped labels make the rows' gradients disagree more.
    assert r["gradient_variance"]["0.3"] > 1.5 * r["gradient_variance"]["0.0"]
    json.dumps(r, allow_nan=False)


def test_flip_labels_moves_the_stated_share_to_other_classes():
    y = torch.arange(1000) % 10
    noisy = label_noise.flip_labels(y, 0.3, 10, seed=0)
    assert int((noisy != y).sum()) == 300 and noisy.min() >= 0 and noisy.max() <= 9
    assert torch.equal(label_noise.flip_labels(y, 0.0, 10, seed=0), y)
    with pytest.raises(ValueError, match="noise fraction"):
        label_noise.flip_labels(y, 1.5, 10, seed=0)
    with pytest.raises(ValueError, match="batching 'online': unknown"):
        label_noise.run(batchings=("online",))


# ---------------------------------------------------- 4. m is an exponential average of the past
def test_momentum_buffer_is_the_exponentially_weighted_sum_of_past_gradients():
    r = momentum_memory.ravine_check(steps=40)
    assert r["max_rel_diff"] < 1e-12
    # The same on a network's several weight tensors (float64, an MSE on random rows).
    torch.manual_seed(0)
    net = MLP(3, (5,), 2, activation="tanh").double()
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    r = momentum_memory.buffer_against_sum(
        net.parameters(), lambda: ((net(x) - y) ** 2).mean(), lr=0.05, gamma=0.8, steps=30
    )
    assert r["max_rel_diff"] < 1e-12
    with pytest.raises(ValueError, match="float64"):
        momentum_memory.buffer_against_sum([torch.zeros(2, requires_grad=True)], lambda: None)


def test_momentum_steps_are_more_even_than_gd_steps_on_the_ravine():
    gd, heavy = momentum_memory.step_lengths("gd"), momentum_memory.step_lengths("momentum")
    assert heavy["step_length_cv"] < 0.5 * gd["step_length_cv"]
    assert heavy["window"] < gd["window"]  # and it gets there in fewer steps
    with pytest.raises(ValueError, match="compares gd and momentum"):
        momentum_memory.step_lengths("adam")


# ---------------------------------------------------- 5. weights do not all change alike
def test_weights_change_unevenly_under_gd_and_adam_evens_out_the_steps():
    r = weight_changes.run(epochs=5)
    gd, adam, adagrad = (r["runs"][name]["layers"] for name in ("gd", "adam", "adagrad"))
    # GD: more than an order of magnitude between the 10th and 90th percentile of |w_end - w_start|.
    assert gd["layer1"]["total_change_spread"] > 10 and gd["all"]["total_change_spread"] > 10
    for layer in gd:  # a step size per weight narrows the per-step changes, in every layer
        assert adam[layer]["step_change_spread"] < 0.7 * gd[layer]["step_change_spread"], layer
        assert adagrad[layer]["step_change_spread"] < 0.7 * gd[layer]["step_change_spread"], layer
    # The always-blank pixels' 64 input weights each: gradient 0 at every update, counted apart,
    # unmoved.
    for run in r["runs"].values():
        assert run["layers"]["layer1"]["always_zero_grad"] == 64 * r["blank_pixels"] > 0
        assert run["layers"]["all"]["always_zero_grad_moved"] == 0.0
        assert run["test_acc"] > 0.9
    assert set(r["quantiles"]["gd"]["layer1"]["total_change"]) >= {"0", "0.5", "0.9", "1"}
    with pytest.raises(ValueError, match="optimizer 'lbfgs': unknown"):
        weight_changes.run(optimizers=("gd", "lbfgs"))


# ---------------------------------------------------- the scripts
def test_every_new_script_exists_and_make_figures_runs_it():
    loop = re.search(r"for s in ([^;]+);", (ROOT / "Makefile").read_text()).group(1).split()
    for name in NAMES:
        assert (ROOT / "scripts" / f"{name}.py").is_file() and name in loop


@pytest.mark.slow
def test_momentum_memory_script_writes_png_and_json_with_the_required_keys(tmp_path):
    proc = run_cli(
        "--out", str(tmp_path), "--quick", script="scripts/momentum_memory.py", timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "momentum_memory.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / "momentum_memory.json").read_text())
    assert {"step_length_cv", "buffer_check", "past_weights"} <= set(data)
    assert data["step_length_cv"]["momentum"] < data["step_length_cv"]["gd"]
    assert "step_length_cv=" in proc.stdout
