"""Sweeps: a diverging job does not stop a multirun; joblib, submitit_local and Optuna run real
jobs; nnref.sweep folds any such folder (and a hand-made one with gaps) into
summary.csv/.md/.png."""

import csv
import json
import math
import statistics

import pytest
import yaml
from conftest import make_cfg, run_cli

from nnref import sweep

TINY = ["trainer.max_epochs=2", "logger=none"]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def results(folder):
    return json.loads((folder / "results.json").read_text())


def history(losses, steps_per_epoch=10):
    return [
        {"epoch": e, "step": (e + 1) * steps_per_epoch, "seconds": 0.1 * (e + 1), "val/loss": v}
        for e, v in enumerate(losses)
    ]


def write_job(root, name, overrides, result=None, raw=None, config=None):
    folder = root / name
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    if config is not None:
        (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config["config"]))
        (folder / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(config["hydra"]))
    if result is not None:
        (folder / "results.json").write_text(json.dumps(result))
    if raw is not None:
        (folder / "results.json").write_text(raw)


def job(optim, seed, status="ok", metrics=None, losses=(0.5, 0.4)):
    out = {
        "task": "binary",
        "optim": optim,
        "batching": "mini",
        "data": "breast_cancer",
        "seed": seed,
        "status": status,
        "epochs": len(losses),
        "fit_seconds": 0.5 + seed,
        "history": history(losses),
    }
    if metrics is not None:
        out["metrics"] = metrics
    return out


# -------------------------------------------------------------------------- nnref.sweep, in-process
def test_summary_folds_seeds_counts_diverged_and_tolerates_missing(tmp_path, capsys):
    acc = {0: 0.95, 1: 0.97}
    for seed in (0, 1):  # gd: two good seeds
        write_job(
            tmp_path,
            str(seed),
            ["task=binary", "optim=gd", f"seed={seed}"],
            job("gd", seed, metrics={"test/acc": acc[seed], "test/loss": 0.1 + seed}),
        )
    # nag: one diverged seed (no test metrics), one whose results carry no metrics at all,
    # one still running (no results.json; settings only in .hydra/), one with a torn results.json
    write_job(
        tmp_path,
        "2",
        ["task=binary", "optim=nag", "seed=0"],
        {
            **job("nag", 0, status="diverged", losses=(0.6, None)),
            "diverged_at": {"epoch": 1, "step": 15},
        },
    )
    write_job(tmp_path, "3", ["task=binary", "optim=nag", "seed=1"], job("nag", 1, metrics=None))
    running = {
        "config": {
            "task": {"name": "binary"},
            "batching": {"name": "mini"},
            "data": {"name": "breast_cancer"},
        },
        "hydra": {"hydra": {"runtime": {"choices": {"optim": "nag"}}}},
    }
    write_job(tmp_path, "10", ["task=binary", "optim=nag", "seed=2"], config=running)
    torn = {**running, "hydra": {"hydra": {"runtime": {"choices": {"optim": "gd"}}}}}
    write_job(
        tmp_path, "11", ["task=binary", "optim=gd", "seed=2"], raw='{"task": "bin', config=torn
    )

    assert sweep.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {r["optim"]: r for r in read_csv(tmp_path / "summary.csv")}
    assert set(rows) == {"gd", "nag"}  # seeds folded; no seed column
    gd, nag = rows["gd"], rows["nag"]
    assert (gd["n_seeds"], gd["n_diverged"], gd["n_missing"]) == ("2", "0", "1")
    assert (nag["n_seeds"], nag["n_diverged"], nag["n_missing"]) == ("2", "1", "1")
    assert float(gd["test/acc_mean"]) == pytest.approx(statistics.fmean(acc.values()), abs=1e-6)
    assert float(gd["test/acc_std"]) == pytest.approx(statistics.stdev(acc.values()), abs=1e-6)
    assert nag["test/acc_mean"] == "" and float(nag["epochs_mean"]) == 2
    assert float(gd["fit_seconds_mean"]) == pytest.approx(1.0)
    assert (gd["best"], nag["best"]) == ("1", "0")

    md = (tmp_path / "summary.md").read_text()
    best_line = next(line for line in md.splitlines() if line.startswith("|") and "★" in line)
    assert best_line.startswith("| gd |") and "0.96 ± 0.014" in best_line
    assert (tmp_path / "summary.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        "missing: 2 job(s)" in out
        and "10 (no results.json)" in out
        and "unreadable results.json" in out
    )
    assert str(tmp_path / "summary.md") in out


def test_summary_refuses_a_folder_without_jobs_in_one_line(tmp_path, capsys):
    assert sweep.main([str(tmp_path / "nope")]) == 2
    assert sweep.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no such folder" in err[0] and "no job folders" in err[1]


def test_optuna_search_space_follows_the_chosen_optimizer():
    import optuna
    from omegaconf import OmegaConf

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    for optim, expected in [
        ({"lr": 0.1, "momentum": 0.9}, {"optim.momentum"}),
        ({"lr": 0.1, "betas": [0.9, 0.999]}, {"optim.betas.0", "optim.betas.1"}),
        ({"lr": 0.1}, set()),
    ]:
        trial = study.ask()
        sweep.optimizer_knobs(OmegaConf.create({"optim": optim}), trial)
        assert set(trial.params) == expected


def test_lecture_preset_is_the_108_job_grid_and_every_job_resolves():
    from nnref import checks

    params = make_cfg(["+sweep=lecture"]).hydra.sweeper.params
    grid = {k: str(v).split(",") for k, v in params.items()}
    assert math.prod(len(v) for v in grid.values()) == 108
    assert set(grid["task"]) == {"regression", "binary", "multiclass", "multilabel"}
    for optim in grid["optim"]:
        for batching in grid["batching"]:
            cfg = make_cfg(
                ["+sweep=lecture", f"optim={optim}", f"batching={batching}", "task=multilabel"]
            )
            checks.check(cfg)  # epochs resolve from the preset's table and are valid
            assert not cfg.logger and cfg.optim.lr > 0
            assert cfg.trainer.max_epochs == {"full": 60, "mini": 30, "stochastic": 3}[batching]


# -------------------------------------------------------------------------- real multiruns
@pytest.mark.slow
def test_a_diverging_job_is_recorded_and_the_sweep_goes_on(tmp_path):
    proc = run_cli(
        "-m",
        "task=regression",
        "optim=gd",
        "optim.lr=0.1,1e30",
        *TINY,
        f"hydra.sweep.dir={tmp_path}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    good, bad = results(tmp_path / "0"), results(tmp_path / "1")
    assert good["status"] == "ok" and math.isfinite(good["metrics"]["test/r2"])
    assert bad["status"] == "diverged" and set(bad["diverged_at"]) == {"epoch", "step"}

    sweep.summarise(tmp_path)
    rows = read_csv(tmp_path / "summary.csv")
    assert [(r["optim.lr"], r["n_diverged"], r["best"]) for r in rows] == [
        ("0.1", "0", "1"),
        ("1e+30", "1", "0"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_launcher_runs_each_job_in_its_own_folder(tmp_path, launcher):
    proc = run_cli(
        "-m",
        f"hydra/launcher={launcher}",
        "task=binary",
        "optim=gd,nag",
        "data.batch_size=64",
        *TINY,
        f"hydra.sweep.dir={tmp_path}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {results(tmp_path / n)["optim"] for n in "01"} == {"gd", "nag"}
    assert all(results(tmp_path / n)["status"] == "ok" for n in "01")
    jobs = sweep.find_jobs(tmp_path)  # submitit's .submitit/ logs are not jobs
    assert [j.folder for j in jobs] == ["0", "1"]


@pytest.mark.slow
def test_optuna_ranks_a_diverged_trial_last_instead_of_failing(tmp_path):
    # With the sampler's seed 0 the two trials draw lr=1e30 (diverges, returns inf) and lr=0.01.
    proc = run_cli(
        "hparams_search=optuna",
        "task=regression",
        "optim.lr=choice(0.01,1e30)",
        "hydra.sweeper.n_trials=2",
        *TINY,
        f"hydra.sweep.dir={tmp_path}",
    )
    # max_failure_rate is 0: a failed trial would have stopped the study with an error
    assert proc.returncode == 0 and "Failed experiment" not in proc.stdout + proc.stderr, (
        proc.stderr[-2000:]
    )
    runs = [results(tmp_path / n) for n in "01"]
    assert sorted(r["status"] for r in runs) == ["diverged", "ok"]
    best = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    assert best["best_params"]["optim.lr"] == 0.01 and math.isfinite(best["best_value"])
    # The optimizer's own knob, searched too.
    assert 0.5 <= best["best_params"]["optim.momentum"] <= 0.99

    sweep.summarise(tmp_path)
    rows = read_csv(tmp_path / "summary.csv")
    assert sorted(r["n_diverged"] for r in rows) == ["0", "1"] and {
        "optim.lr",
        "optim.momentum",
    } <= set(rows[0])
