"""Every number the five experiment scripts write supports its claim (reduced sizes), and one script
runs end to end from the command line."""

import ast
import json
import math

import pytest
import torch
from conftest import ROOT, run_cli

from nnref.data import TaskData
from nnref.experiments import batching, collapse, optimizer_paths, ordinal_vs_onehot, saturation
from nnref.nets import MLP

INF = math.inf


# ---------------------------------------------------------------- 1. saturation
def test_saturation_mse_stalls_from_a_confidently_wrong_start_and_ce_does_not():
    r = saturation.run(epochs=20, n_points=21)
    y = 1 / (1 + math.exp(7.0))  # sigma(-7)
    assert r["grad_mse_wrong"] == pytest.approx(-(1 - y) * y * (1 - y), rel=1e-12)
    assert r["grad_ce_wrong"] == pytest.approx(y - 1, rel=1e-12)
    assert abs(r["grad_mse_wrong"]) < 1e-3 < 0.99 < abs(r["grad_ce_wrong"])
    # Same weights, optimizer, lr and epochs: MSE has not left the start, CE has learned the task.
    assert r["train_acc_mse"] <= r["start_acc"] + 0.01
    assert r["train_acc_ce"] >= 0.95 and r["train_acc_ce"] >= r["train_acc_mse"] + 0.25
    assert r["history"]["mse"]["acc"][0] == r["history"]["ce"]["acc"][0]  # the very same start
    c = r["curves"]
    for yy, g_mse, g_ce in zip(c["y"], c["abs_grad_mse"], c["abs_grad_ce"]):
        assert g_ce == pytest.approx(1 - yy, rel=1e-9)
        assert g_mse == pytest.approx((1 - yy) * yy * (1 - yy), rel=1e-9) and g_mse < g_ce


def test_saturated_start_says_net_minus_7_for_every_row():
    data = TaskData(source="breast_cancer", target_encoding="binary").load()
    net, head = saturation.saturated_model(data, "mse", hidden=(8,))
    assert head.loss_name == "mse"
    torch.testing.assert_close(net(data.x_train[:10]), torch.full((10, 1), -7.0))


# ---------------------------------------------------------------- 2. collapse
def test_identity_mlp_folds_into_one_linear_map():
    r = collapse.fold_check(hidden=(8, 5, 7), n_inputs=3, n_outputs=2)
    assert r["max_abs_diff"] < 1e-12
    with pytest.raises(ValueError, match="not Linear or Identity"):
        collapse.fold(MLP(2, (4,), 1, activation="relu"))


@pytest.mark.slow
def test_identity_hidden_layers_do_no_better_than_a_linear_model_relu_does():
    r = collapse.run(epochs=100, grid=10)
    assert r["max_abs_diff"] < 1e-12 and r["trained_identity_fold_diff"] < 1e-4
    assert abs(r["acc_identity_hidden"] - r["acc_linear"]) <= 0.05
    assert (
        r["acc_identity_hidden"] < 0.92 and r["acc_relu_hidden"] >= r["acc_identity_hidden"] + 0.07
    )
    assert len(r["regions"]["relu_hidden"]) == 10


# ---------------------------------------------------------------- 3. ordinal vs one-hot
@pytest.mark.slow
def test_ordinal_codes_lose_to_one_hot_and_err_on_neighbours():
    r = ordinal_vs_onehot.run(epochs=5)
    assert r["acc_onehot"] >= 0.95 and r["acc_onehot"] >= r["acc_ordinal"] + 0.2
    assert r["ordinal_codes"][0] == 1.0 and r["ordinal_codes"][-1] == 0.0
    # The false order shows.
    assert r["ordinal_errors_to_neighbours"] > 2 * r["neighbour_share_by_chance"]
    for key, acc in (
        ("confusion_ordinal", r["acc_ordinal"]),
        ("confusion_onehot", r["acc_onehot"]),
    ):
        cm = torch.tensor(r[key])
        assert float(cm.diagonal().sum() / cm.sum()) == pytest.approx(acc)


# ---------------------------------------------------------------- 4. optimizer paths
@pytest.fixture(scope="module")
def paths():
    return optimizer_paths.run(steps_scale=0.5)


@pytest.mark.slow
def test_gd_stops_in_the_shallow_basin_momentum_and_nag_roll_through(paths):
    r = paths["local_minimum"]
    s, wells = r["settings"], r["settings"]["wells"]
    assert wells["deep_loss"] < wells["shallow_loss"] < wells["barrier_loss"]
    assert s["start"][0] > wells["shallow_x"]  # the shallow basin is on the way down
    assert (
        r["gd"]["escaped"] is False and abs(r["gd"]["final_point"][0] - wells["shallow_x"]) < 0.05
    )
    for opt in ("momentum", "nag"):  # same lr as GD, same gamma
        assert r[opt]["escaped"] is True and r[opt]["final_loss"] == pytest.approx(
            wells["deep_loss"], abs=s["tol"]
        )
        assert r[opt]["steps_to_tol"] is not None


def test_momentum_and_nag_beat_gd_on_the_ravine_and_rosenbrock(paths):
    def steps(row):
        return INF if row["steps_to_tol"] is None else row["steps_to_tol"]

    for name in ("ravine", "rosenbrock"):
        r = paths[name]
        for opt in ("momentum", "nag"):
            assert steps(r[opt]) < steps(r["gd"]) and r[opt]["final_loss"] < r["gd"]["final_loss"]


@pytest.mark.slow
def test_every_surface_records_its_settings_and_every_optimizer(paths):
    assert set(paths) == {"ravine", "local_minimum", "rosenbrock"}
    for _name, r in paths.items():
        assert {"lr", "momentum", "steps", "tol", "start"} <= set(r["settings"])
        for opt in optimizer_paths.OPTIMIZERS:
            row = r[opt]
            assert {"final_loss", "steps_to_tol"} <= set(row) and not row["diverged"]
            assert row["final_loss"] == pytest.approx(row["loss"][-1])
            if row["steps_to_tol"] is not None:
                assert 0 <= row["steps_to_tol"] <= r["settings"]["steps"]
    json.dumps(paths, allow_nan=False)


# ---------------------------------------------------------------- 5. batching
@pytest.mark.slow
def test_batching_counts_updates_and_smaller_batches_get_further_per_epoch():
    r = batching.run(epochs=2, hidden=(16,))
    n = r["n_train"]
    assert r["updates_per_epoch"] == {"full": 1, "mini": math.ceil(n / 32), "stochastic": n}
    loss = r["final_train_loss"]
    assert loss["stochastic"] < loss["mini"] < loss["full"]
    for b in batching.BATCHINGS:
        h = r["history"][b]
        # Lightning took exactly the counted updates.
        assert h["step"][-1] == 2 * r["updates_per_epoch"][b]
        assert len(h["train_loss"]) == len(h["seconds"]) == 3


# ---------------------------------------------------------------- the scripts
def test_experiment_functions_import_no_matplotlib():
    for path in (ROOT / "src" / "nnref" / "experiments").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "matplotlib" for n in names), (
                f"{path.name} imports matplotlib"
            )


@pytest.mark.slow
def test_saturation_script_writes_png_and_json_with_the_required_keys(tmp_path):
    out = tmp_path / "figs"
    proc = run_cli("--out", str(out), "--quick", script="scripts/saturation.py", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    png, js = out / "saturation.png", out / "saturation.json"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(js.read_text())
    assert {"grad_mse_wrong", "grad_ce_wrong", "train_acc_mse", "train_acc_ce"} <= set(data)
    assert data["train_acc_ce"] > data["train_acc_mse"]
    assert "train_acc_ce=" in proc.stdout


def test_scripts_refuse_unknown_arguments():
    proc = run_cli("--bogus", script="scripts/collapse.py", timeout=600)
    assert proc.returncode == 2 and "--bogus" in proc.stderr
