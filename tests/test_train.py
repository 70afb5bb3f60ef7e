"""nnref.train and conf/: every combination composes, tiny fits run per task, results.json is whole,
and the exact main command works."""
import json

import pytest
from hydra.utils import instantiate

from conftest import make_cfg, run_cli
from nnref.train import run

TASKS = ["regression", "binary", "multiclass", "multilabel"]
OPTIMS = ["gd", "momentum", "nag", "adagrad", "rmsprop", "adam",
          "torch_sgd", "torch_momentum", "torch_nesterov", "torch_adagrad", "torch_rmsprop", "torch_adam"]
BATCHINGS = ["full", "mini", "stochastic"]
RESULT_KEYS = {"task", "optim", "batching", "data", "seed", "status", "epochs", "steps", "fit_seconds",
               "metrics", "checkpoint"}
TEST_METRICS = {"regression": {"test/loss", "test/mse", "test/r2"}, "binary": {"test/loss", "test/acc", "test/auroc"},
                "multiclass": {"test/loss", "test/acc", "test/f1_macro"},
                "multilabel": {"test/loss", "test/f1_macro", "test/exact_match"}}
TINY = {"regression": [], "binary": [], "multiclass": ["data=iris"], "multilabel": ["data.args.n_samples=120"]}


def test_every_task_optim_batching_combination_composes_and_builds_its_optimizer():
    import torch

    for task in TASKS:
        for optim in OPTIMS:
            for batching in BATCHINGS:
                cfg = make_cfg([f"task={task}", f"optim={optim}", f"batching={batching}"])
                assert cfg.task.name == task and cfg.batching.name == batching
                opt = instantiate(cfg.optim)([torch.zeros(2, requires_grad=True)])
                assert opt.param_groups[0]["lr"] == cfg.optim.lr


def test_task_picks_its_default_data_and_the_command_line_wins():
    assert make_cfg(["task=regression"]).data.name == "diabetes"
    assert make_cfg(["task=binary"]).data.name == "breast_cancer"
    assert make_cfg(["task=multilabel"]).data.name == "digits_multilabel"
    assert make_cfg(["task=multiclass", "data=iris"]).data.name == "iris"


def test_every_hyperparameter_can_be_overridden():
    cfg = make_cfg(["optim=adam", "optim.lr=0.05", "optim.betas=[0.9,0.99]"])
    opt = instantiate(cfg.optim)([__import__("torch").zeros(1, requires_grad=True)])
    assert opt.param_groups[0]["lr"] == 0.05 and tuple(opt.param_groups[0]["betas"]) == (0.9, 0.99)


@pytest.mark.parametrize("task", TASKS)
def test_tiny_fit_per_task_writes_complete_results(task, tmp_path):
    cfg = make_cfg([f"task={task}", "trainer.max_epochs=2", "optim=adam", *TINY[task]], tmp_path)
    value = run(cfg)
    results = json.loads((tmp_path / "results.json").read_text())
    assert RESULT_KEYS <= set(results)
    assert results["status"] == "ok" and results["epochs"] == 2 and results["task"] == task
    assert results["optim"] == "adam"
    assert TEST_METRICS[task] <= set(results["metrics"])
    assert value == results["metrics"]["val/loss"]
    assert (tmp_path / results["checkpoint"]).is_file()
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()


def test_steps_count_optimizer_updates(tmp_path):
    cfg = make_cfg(["data=iris", "batching=mini", "data.batch_size=16", "trainer.max_epochs=3", "logger=none"], tmp_path)
    run(cfg)
    results = json.loads((tmp_path / "results.json").read_text())
    n_train = 3 * (50 - 2 * round(50 * 0.15))  # stratified: 3 classes x (50 - 8 val - 8 test)
    assert results["steps"] == 3 * -(-n_train // 16)


@pytest.mark.slow
def test_the_exact_main_command(tmp_path):
    proc = run_cli("task=multiclass", "optim=nag", f"hydra.run.dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["optim"] == "nag" and results["status"] == "ok"
    assert results["metrics"]["test/acc"] >= 0.96
    assert "test/acc" in proc.stdout and str(tmp_path) in proc.stdout


@pytest.mark.parametrize("overrides,needle", [
    (["task=regression", "task.loss=ce"], "task.loss=ce"),
    (["task=multilabel", "data=digits"], "data=digits does not fit task=multilabel"),
    (["task=binary", "data=digits"], "use task=multiclass"),
])
def test_senseless_combinations_are_refused_before_anything_runs(overrides, needle, tmp_path):
    proc = run_cli(*overrides, f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "run" / "results.json").exists()


def test_validation_runs_inside_each_epoch_and_its_numbers_are_the_heads_own(tmp_path):
    import torch

    from nnref.train import build_datamodule, build_task

    cfg = make_cfg(["task=multiclass", "data=iris", "trainer.max_epochs=3", "logger=none"], tmp_path)
    run(cfg)
    results = json.loads((tmp_path / "results.json").read_text())
    assert [row["epoch"] for row in results["history"] if "val/loss" in row] == [0, 1, 2]
    # The last row's validation numbers, recomputed from last.ckpt's weights on the val split.
    dm = build_datamodule(cfg)
    dm.setup()
    model = build_task(cfg, dm)
    model.load_state_dict(torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"])
    with torch.no_grad():
        logits = model(dm.x_val)
    last = results["history"][-1]
    assert last["val/loss"] == pytest.approx(float(model.loss(logits, dm.y_val)), rel=1e-6)
    assert last["val/acc"] == pytest.approx(float((logits.argmax(1) == dm.y_val).float().mean()))


def test_check_val_every_n_epoch_and_limit_val_batches_are_honoured(tmp_path):
    base = ["task=multiclass", "data=iris", "trainer.max_epochs=4", "logger=none"]
    run(make_cfg([*base, "trainer.check_val_every_n_epoch=2"], tmp_path / "every2"))
    results = json.loads((tmp_path / "every2" / "results.json").read_text())
    assert [row["epoch"] for row in results["history"] if "val/loss" in row] == [1, 3]
    assert (tmp_path / "every2" / "checkpoints" / "best.ckpt").is_file()

    run(make_cfg([*base, "+trainer.limit_val_batches=0"], tmp_path / "none"))
    results = json.loads((tmp_path / "none" / "results.json").read_text())
    assert not any(k.startswith("val/") for row in results["history"] for k in row)
    assert results["checkpoint"] == "checkpoints/last.ckpt" and "test/acc" in results["metrics"]
