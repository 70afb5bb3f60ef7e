"""conf/scheduler: none | step | exponential | cosine, built from torch.optim.lr_scheduler and
stepped once per epoch, with every optimizer; the lr is logged each epoch and lands in
results.json."""

import csv
import json
import math

import pytest
import torch
from conftest import OPTIMS, make_cfg
from hydra.utils import instantiate

from nnref.checks import ConfigError, check
from nnref.train import run

TINY = ["data=iris", "trainer.max_epochs=3", "logger=none"]


def build(cfg, lr=0.1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    return opt, instantiate(cfg.scheduler)(opt)


def results(folder):
    return json.loads((folder / "results.json").read_text())


def test_none_is_the_default_and_has_no_target():
    cfg = make_cfg([])
    assert "_target_" not in cfg.scheduler


@pytest.mark.parametrize(
    "overrides,cls,attrs",
    [
        (["scheduler=step"], torch.optim.lr_scheduler.StepLR, {"step_size": 10, "gamma": 0.1}),
        (
            ["scheduler=step", "scheduler.step_size=10", "scheduler.gamma=0.5"],
            torch.optim.lr_scheduler.StepLR,
            {"step_size": 10, "gamma": 0.5},
        ),
        (
            ["scheduler=exponential", "scheduler.gamma=0.8"],
            torch.optim.lr_scheduler.ExponentialLR,
            {"gamma": 0.8},
        ),
        (
            ["scheduler=cosine", "scheduler.T_max=12", "scheduler.eta_min=0.001"],
            torch.optim.lr_scheduler.CosineAnnealingLR,
            {"T_max": 12, "eta_min": 0.001},
        ),
    ],
)
def test_each_choice_builds_its_torch_scheduler_with_the_overrides(overrides, cls, attrs):
    _, sched = build(make_cfg(overrides))
    assert type(sched) is cls
    assert {k: getattr(sched, k) for k in attrs} == attrs


def test_cosine_spans_the_whole_run_whatever_sets_the_epochs():
    assert make_cfg(["scheduler=cosine"]).scheduler.T_max == 30  # task=multiclass's epochs
    # Task=regression's.
    assert make_cfg(["scheduler=cosine", "task=regression"]).scheduler.T_max == 40
    assert make_cfg(["scheduler=cosine", "trainer.max_epochs=7"]).scheduler.T_max == 7


@pytest.mark.slow
@pytest.mark.parametrize("optim", OPTIMS)
def test_step_schedule_works_with_every_optimizer(optim, tmp_path):
    cfg = make_cfg(
        [*TINY, f"optim={optim}", "scheduler=step", "scheduler.step_size=2", "scheduler.gamma=0.5"],
        tmp_path,
    )
    run(cfg)
    r = results(tmp_path)
    lr, epochs = cfg.optim.lr, 3
    assert r["status"] == "ok" and r["scheduler"] == "step"
    # lr_final is read after the last epoch's scheduler step: lr * gamma^floor(epochs / step_size).
    assert r["lr_final"] == pytest.approx(lr * 0.5 ** (epochs // 2))
    # Likewise each history row holds the lr after that epoch's step (the next epoch's lr).
    assert [h["lr"] for h in r["history"]] == pytest.approx(
        [lr * 0.5 ** ((e + 1) // 2) for e in range(epochs)]
    )


def test_without_a_schedule_the_lr_stays_constant(tmp_path):
    cfg = make_cfg([*TINY, "optim=nag"], tmp_path)
    run(cfg)
    r = results(tmp_path)
    assert r["scheduler"] == "none" and r["lr_final"] == cfg.optim.lr
    assert {h["lr"] for h in r["history"]} == {cfg.optim.lr}


def test_cosine_anneals_to_eta_min_by_the_last_epoch(tmp_path):
    cfg = make_cfg([*TINY, "optim=adam", "scheduler=cosine", "scheduler.eta_min=0.0005"], tmp_path)
    run(cfg)
    r = results(tmp_path)
    lr, t_max = cfg.optim.lr, 3
    cosine = [
        0.0005 + (lr - 0.0005) * (1 + math.cos(math.pi * (e + 1) / t_max)) / 2 for e in range(3)
    ]
    assert [h["lr"] for h in r["history"]] == pytest.approx(cosine)
    assert r["lr_final"] == pytest.approx(0.0005)


@pytest.mark.parametrize("optim,column", [("nag", "lr-NAG"), ("torch_momentum", "lr-SGD")])
def test_the_csv_log_has_the_lr_each_epoch_trains_with(optim, column, tmp_path):
    cfg = make_cfg(
        [
            "data=iris",
            "trainer.max_epochs=3",
            "logger=csv",
            f"optim={optim}",
            "scheduler=exponential",
            "scheduler.gamma=0.5",
        ],
        tmp_path,
    )
    run(cfg)
    with open(tmp_path / "csv" / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    # LearningRateMonitor names the column lr-<optimizer class> and logs at each epoch's start.
    logged = [float(row[column]) for row in rows if row.get(column)]
    assert logged == pytest.approx([cfg.optim.lr * 0.5**e for e in range(3)])


@pytest.mark.slow
def test_a_resumed_run_continues_the_schedule(tmp_path):
    schedule = ["scheduler=step", "scheduler.step_size=1", "scheduler.gamma=0.5"]
    first, straight = tmp_path / "first", tmp_path / "straight"
    run(make_cfg(["data=iris", "trainer.max_epochs=2", "logger=none", *schedule], first))
    assert results(first)["lr_final"] == pytest.approx(0.02 * 0.5**2)
    # A resumed run writes into the folder of the run it continues.
    run(
        make_cfg(
            [
                "data=iris",
                "trainer.max_epochs=4",
                "logger=none",
                *schedule,
                f"ckpt_path={first / 'checkpoints' / 'last.ckpt'}",
            ],
            tmp_path / "unused",
        )
    )
    run(make_cfg(["data=iris", "trainer.max_epochs=4", "logger=none", *schedule], straight))
    assert (
        results(first)["lr_final"] == results(straight)["lr_final"] == pytest.approx(0.02 * 0.5**4)
    )


def test_an_unknown_scheduler_setting_is_refused_at_start():
    with pytest.raises(
        ConfigError, match=r"scheduler \(torch.optim.lr_scheduler.StepLR\).*step_sizes"
    ):
        check(make_cfg(["scheduler=step", "+scheduler.step_sizes=3"]))


@pytest.mark.parametrize(
    "overrides,key",
    [
        (["scheduler=step", "scheduler.step_size=0"], "scheduler.step_size"),
        (["scheduler=step", "scheduler.step_size=2.5"], "scheduler.step_size"),
        (["scheduler=step", "scheduler.gamma=-1"], "scheduler.gamma"),
        (["scheduler=exponential", "scheduler.gamma=2"], "scheduler.gamma"),
        (["scheduler=cosine", "scheduler.T_max=0"], "scheduler.T_max"),
        (["scheduler=cosine", "scheduler.eta_min=-1"], "scheduler.eta_min"),
    ],
)
def test_bad_scheduler_settings_are_refused_at_start(overrides, key):
    from nnref.checks import ConfigError, check

    with pytest.raises(ConfigError, match=key):
        check(make_cfg(overrides))
