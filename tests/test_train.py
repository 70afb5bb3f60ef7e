"""nnref.train and conf/: every combination composes, tiny fits run per task, results.json is whole,
and the exact main command works."""

import itertools
import json

import pytest
from conftest import OPTIMS, make_cfg, run_cli
from hydra.utils import instantiate

from nnref.train import run

TASKS = ["regression", "binary", "multiclass", "multilabel"]
BATCHINGS = ["full", "mini", "stochastic"]
RESULT_KEYS = {
    "task",
    "optim",
    "batching",
    "data",
    "seed",
    "status",
    "epochs",
    "steps",
    "fit_seconds",
    "metrics",
    "checkpoint",
}
TEST_METRICS = {
    "regression": {"test/loss", "test/mse", "test/r2"},
    "binary": {"test/loss", "test/acc", "test/auroc"},
    "multiclass": {"test/loss", "test/acc", "test/f1_macro"},
    "multilabel": {"test/loss", "test/f1_macro", "test/exact_match"},
}
TINY = {
    "regression": [],
    "binary": [],
    "multiclass": ["data=iris"],
    "multilabel": ["data.n_samples=120"],
}


def combinations():
    """Every (task, optim, batching); those off a diagonal that still holds each task, optim and
    batching once are marked slow, so that `pytest -m "not slow"` composes 12 of the 144."""
    diagonal = {(TASKS[i % 4], optim, BATCHINGS[i % 3]) for i, optim in enumerate(OPTIMS)}
    return [
        pytest.param(*combo, marks=() if combo in diagonal else pytest.mark.slow)
        for combo in itertools.product(TASKS, OPTIMS, BATCHINGS)
    ]


@pytest.mark.parametrize("task, optim, batching", combinations())
def test_every_task_optim_batching_combination_composes_and_builds_its_parts(task, optim, batching):
    import torch

    from nnref.heads import HEADS
    from nnref.parts import build_data, head_class

    cfg = make_cfg([f"task={task}", f"optim={optim}", f"batching={batching}"])
    assert head_class(cfg) is HEADS[task] and cfg.batching.name == batching
    assert build_data(cfg).data.batching == batching
    opt = instantiate(cfg.optim)([torch.zeros(2, requires_grad=True)])
    assert opt.param_groups[0]["lr"] == cfg.optim.lr


def test_the_optimizers_and_batchings_are_the_course_tables():
    import torch

    from nnref.data import BATCHINGS
    from nnref.optim import OPTIMIZERS

    for name, entry in OPTIMIZERS.items():
        cfg = make_cfg([f"optim={name}"])
        assert (
            cfg.optim.lr == entry.lr and type(instantiate(cfg.optim)([torch.zeros(1)])) is entry.cls
        )
        twin = make_cfg([f"optim={entry.twin_name}"])
        assert (
            twin.optim.lr == entry.lr
            and type(instantiate(twin.optim)([torch.zeros(1)])) is entry.twin
        )
    for name, batching in BATCHINGS.items():
        assert make_cfg([f"batching={name}"]).batching.lr_scale == batching.lr_scale


def test_the_network_is_built_from_the_runs_seed():
    from nnref.nets import MLP
    from nnref.parts import build_data, build_module

    cfg = make_cfg(["data=iris", "seed=3", "model.hidden=[8]"])
    dm = build_data(cfg)
    dm.setup()
    net = build_module(cfg, dm).net
    same = MLP(dm.n_features, [8], 3, seed=3)
    assert all(torch_equal(a, b) for a, b in zip(net.parameters(), same.parameters()))


def torch_equal(a, b):
    import torch

    return torch.equal(a.detach(), b.detach())


def test_task_picks_its_default_data_and_the_command_line_wins():
    assert make_cfg(["task=regression"]).data.source == "diabetes"
    assert make_cfg(["task=binary"]).data.source == "breast_cancer"
    assert make_cfg(["task=multilabel"]).data.source == "digits_multilabel"
    assert make_cfg(["task=multiclass", "data=iris"]).data.source == "iris"


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
    cfg = make_cfg(
        ["data=iris", "batching=mini", "data.batch_size=16", "trainer.max_epochs=3", "logger=none"],
        tmp_path,
    )
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


# One refusal end to end; tests/test_reliability.py checks each refusal's message in-process.
@pytest.mark.slow
@pytest.mark.parametrize(
    "overrides,needle",
    [
        (["task=binary", "data=digits"], "use task=multiclass"),
    ],
)
def test_senseless_combinations_are_refused_before_anything_runs(overrides, needle, tmp_path):
    proc = run_cli(*overrides, f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "run" / "results.json").exists()


def test_validation_runs_each_epoch_and_its_numbers_are_the_heads_own(tmp_path):
    import torch

    from nnref.parts import build_data, build_module

    cfg = make_cfg(
        ["task=multiclass", "data=iris", "trainer.max_epochs=3", "logger=none"], tmp_path
    )
    run(cfg)
    results = json.loads((tmp_path / "results.json").read_text())
    assert [row["epoch"] for row in results["history"] if "val/loss" in row] == [0, 1, 2]
    # The last row's validation numbers, recomputed from last.ckpt's weights on the val split.
    dm = build_data(cfg)
    dm.setup()
    model = build_module(cfg, dm)
    model.load_state_dict(
        torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    )
    with torch.no_grad():
        logits = model(dm.data.x_val)
    last = results["history"][-1]
    assert last["val/loss"] == pytest.approx(
        float(model.head.loss(logits, dm.data.y_val)), rel=1e-6
    )
    assert last["val/acc"] == pytest.approx(
        float((logits.argmax(1) == dm.data.y_val).float().mean())
    )


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


# ----------------------------------------------------------------- Lightning's own Trainer switches
# iris: 105 training rows, 16 per batch -> 7 batches an epoch.
IRIS = ["task=multiclass", "data=iris", "data.batch_size=16", "logger=none"]


def results_of(overrides, run_dir):
    run(make_cfg(overrides, run_dir))
    return json.loads((run_dir / "results.json").read_text())


def csv_rows(run_dir):
    import csv

    with open(run_dir / "csv" / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_max_steps_stops_at_that_exact_step(tmp_path):
    r = results_of([*IRIS, "trainer.max_epochs=30", "+trainer.max_steps=10"], tmp_path)
    assert r["steps"] == 10  # one whole epoch (7 batches) and 3 steps of the second
    assert [row["step"] for row in r["history"]] == [7, 10]
    assert r["status"] == "ok" and "test/acc" in r["metrics"]


@pytest.mark.parametrize("optim", ["momentum", "nag"])
def test_gradient_clip_val_clips_the_gradient_norm(optim, tmp_path, monkeypatch):
    import torch

    from nnref.tasks import TaskModule

    norms = []
    clip = TaskModule.configure_gradient_clipping

    def clip_and_record(self, optimizer, *args, **kwargs):  # the hook Lightning clips through
        clip(self, optimizer, *args, **kwargs)
        norms.append(
            float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in self.parameters()])))
        )

    monkeypatch.setattr(TaskModule, "configure_gradient_clipping", clip_and_record)
    run(
        make_cfg(
            [
                *IRIS,
                f"optim={optim}",
                "trainer.max_epochs=1",
                "optim.lr=0.5",
                "+trainer.gradient_clip_val=0.01",
            ],
            tmp_path / "clipped",
        )
    )
    assert len(norms) == 7 and max(norms) <= 0.01 + 1e-6
    norms.clear()
    run(
        make_cfg(
            [*IRIS, f"optim={optim}", "trainer.max_epochs=1", "optim.lr=0.5"], tmp_path / "free"
        )
    )
    assert max(norms) > 0.01


def test_accumulate_grad_batches_steps_once_per_two_batches(tmp_path):
    r = results_of([*IRIS, "trainer.max_epochs=2", "+trainer.accumulate_grad_batches=2"], tmp_path)
    assert r["steps"] == 2 * 4  # 7 batches: steps after batches 2, 4, 6 and the epoch's last


def test_accumulate_grad_batches_with_nag_is_refused_saying_why():
    from nnref.errors import ConfigError

    with pytest.raises(ConfigError, match="look-ahead point"):
        make_cfg([*IRIS, "optim=nag", "+trainer.accumulate_grad_batches=2"])


@pytest.mark.parametrize("limit,batches", [("3", 3), ("0.5", 3)])
def test_limit_train_batches_as_a_count_and_as_a_fraction(limit, batches, tmp_path):
    r = results_of(
        [*IRIS, "trainer.max_epochs=2", f"+trainer.limit_train_batches={limit}"], tmp_path
    )
    assert r["steps"] == 2 * batches


def test_val_check_interval_validates_within_the_epoch(tmp_path):
    run(make_cfg([*IRIS[:-1], "trainer.max_epochs=2", "+trainer.val_check_interval=0.5"], tmp_path))
    val_steps = [int(row["step"]) for row in csv_rows(tmp_path) if row.get("val/loss")]
    assert len(val_steps) == 4  # twice an epoch
    assert val_steps[0] < 7 - 1  # the first one mid-epoch


def test_overfit_batches_trains_on_the_same_batches_each_epoch(tmp_path):
    r = results_of(
        [
            *IRIS,
            "trainer.max_epochs=20",
            "+trainer.overfit_batches=2",
            "optim=adam",
            "optim.lr=0.05",
        ],
        tmp_path,
    )
    assert r["steps"] == 20 * 2
    assert r["history"][-1]["train/loss"] < 0.1 * r["history"][0]["train/loss"]


def test_fast_dev_run_runs_one_batch_and_writes_results(tmp_path):
    r = results_of([*IRIS, "+trainer.fast_dev_run=true"], tmp_path)
    assert r["status"] == "ok" and r["steps"] == 1 and "test/acc" in r["metrics"]


def test_bf16_mixed_precision_on_cpu_gives_finite_numbers(tmp_path):
    import math

    r = results_of([*IRIS, "trainer.max_epochs=3", "+trainer.precision=bf16-mixed"], tmp_path)
    assert r["status"] == "ok"
    assert math.isfinite(r["metrics"]["test/loss"]) and r["metrics"]["test/acc"] > 0.6


def test_simple_profiler_reports(tmp_path, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="lightning.pytorch.profilers"):
        run(make_cfg([*IRIS, "trainer.max_epochs=1", "+trainer.profiler=simple"], tmp_path))
    assert "Profiler Report" in caplog.text and "run_training_epoch" in caplog.text


def test_lr_monitor_logs_every_step_when_asked(tmp_path):
    run(
        make_cfg(
            [
                *IRIS[:-1],
                "trainer.max_epochs=2",
                "scheduler=step",
                "scheduler.step_size=1",
                "callbacks.lr_monitor.logging_interval=step",
                "+trainer.log_every_n_steps=1",
            ],
            tmp_path,
        )
    )
    lrs = [
        (int(row["step"]), float(row["lr-Momentum"]))
        for row in csv_rows(tmp_path)
        if row.get("lr-Momentum")
    ]
    assert len(lrs) == 14
    assert all(lr == 0.02 for step, lr in lrs if step < 7)
    assert all(lr == pytest.approx(0.002) for step, lr in lrs if step >= 7)


def test_early_stopping_from_the_command_line_stops_the_run(tmp_path):
    r = results_of(
        [
            *IRIS,
            "trainer.max_epochs=30",
            "+callbacks.early_stopping._target_=lightning.pytorch.callbacks.EarlyStopping",
            "+callbacks.early_stopping.monitor=val/loss",
            "+callbacks.early_stopping.min_delta=0.5",
            "+callbacks.early_stopping.patience=1",
        ],
        tmp_path,
    )
    assert r["status"] == "ok" and r["epochs"] < 5


def test_accelerator_auto_runs(tmp_path):
    r = results_of([*IRIS, "trainer.max_epochs=1", "trainer.accelerator=auto"], tmp_path)
    assert r["status"] == "ok" and r["steps"] == 7
