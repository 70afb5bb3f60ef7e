"""Reliability: bad settings refused up front, diverged runs stop cleanly, exact resume,
determinism, DDP."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from conftest import ROOT, make_cfg, run_cli

from nnref.errors import ConfigError
from nnref.train import run

# ------------------------------------------------------------------ bad settings
BAD = [
    (["optim.lr=-1"], "optim.lr=-1"),
    (["optim.lr=nan"], "optim.lr=nan"),
    (["optim=nag", "optim.momentum=1.0"], "optim.momentum=1.0"),
    (["optim=rmsprop", "optim.alpha=-0.1"], "optim.alpha=-0.1"),
    (["optim=adam", "optim.betas=[0.9,1.0]"], "optim.betas"),
    (["optim=adam", "optim.betas=[0.9]"], "optim.betas"),
    (["optim=adam", "optim.eps=-1e-8"], "optim.eps"),
    (["optim.weight_decay=-0.1"], "optim.weight_decay"),
    (["data.batch_size=0"], "data.batch_size=0"),
    (["data.batch_size=abc"], "data.batch_size=abc"),
    (["model.hidden=[64,0]"], "model.hidden"),
    (["model.activation=swish"], "model.activation=swish"),
    (["task=regression", "task.loss=ce"], "task.loss=ce"),
    (["task=multiclass", "task.encoding=binary"], "task.encoding=binary"),
    (["task=multiclass", "task.encoding=ordinal"], "task.encoding=ordinal needs task.loss=mse"),
    (["task=regression", "task.output=softmax"], "task.output=softmax"),
    (["task=multilabel", "data=digits"], "data=digits does not fit task=multilabel"),
    (["task=regression", "data=iris"], "data=iris does not fit task=regression"),
    (
        ["task=binary", "data=csv", "data.path=no/such.csv", "data.target=y"],
        "data.path=no/such.csv: no such file",
    ),
    (["trainer.max_epochs=0"], "trainer.max_epochs=0"),
    (["ckpt_path=no/such/last.ckpt"], "ckpt_path=no/such/last.ckpt"),
]


@pytest.mark.parametrize("overrides,needle", BAD, ids=[" ".join(o) for o, _ in BAD])
def test_each_bad_setting_is_refused_naming_the_key_and_what_is_valid(overrides, needle):
    with pytest.raises(ConfigError) as err:
        make_cfg(overrides)  # compose() checks, as the command line does
    msg = str(err.value)
    assert needle in msg
    assert any(w in msg for w in ("valid", "must", "needs", "no such file", "data sets for")), msg
    assert len(msg.splitlines()) <= 3


@pytest.mark.slow
def test_refused_before_any_file_is_written_also_under_multirun(tmp_path):
    single = run_cli("optim.lr=-1", f"hydra.run.dir={tmp_path / 'single'}")
    assert single.returncode == 2 and "nnref: error: optim.lr=-1" in single.stderr
    assert "Traceback" not in single.stderr
    assert not (tmp_path / "single").exists()
    multi = run_cli(
        "-m", "model.activation=swish", "seed=0,1", f"hydra.sweep.dir={tmp_path / 'multi'}"
    )
    assert multi.returncode == 2 and "model.activation=swish" in multi.stderr
    assert not (tmp_path / "multi").exists()


# ------------------------------------------------------------------ divergence
def test_a_diverged_run_stops_itself_and_records_where(tmp_path, capsys):
    value = run(make_cfg(["task=regression", "optim=gd", "optim.lr=1000", "logger=none"], tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["status"] == "diverged"
    assert results["diverged_at"]["epoch"] == 0 and results["diverged_at"]["step"] >= 0
    # Stopped at once, not at epoch end.
    assert results["steps"] <= results["diverged_at"]["step"] + 1
    assert value == float("inf")  # the worst value for a minimised metric
    out = capsys.readouterr().out
    assert "loss became non-finite at epoch 0" in out


# ------------------------------------------------------------------ exact resume
def final_weights(run_dir):
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    return ckpt["state_dict"]


# Three fits each: NAG (with its closure) in the edit loop, the other five with make test.
@pytest.mark.parametrize(
    "optim",
    [
        pytest.param(name, marks=() if name == "nag" else pytest.mark.slow)
        for name in ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam")
    ],
)
def test_resume_from_last_ckpt_equals_an_uninterrupted_run(optim, tmp_path):
    base = ["data=iris", f"optim={optim}", "batching=mini", "data.batch_size=16", "logger=none"]
    whole, part = tmp_path / "whole", tmp_path / "part"
    run(make_cfg([*base, "trainer.max_epochs=4"], whole))
    run(make_cfg([*base, "trainer.max_epochs=2"], part))
    # Resume from the stopped run's last checkpoint; the run continues in its own folder.
    run(
        make_cfg(
            [*base, "trainer.max_epochs=4", f"ckpt_path={part / 'checkpoints' / 'last.ckpt'}"],
            tmp_path / "new",
        )
    )
    a, b = final_weights(whole), final_weights(part)
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)
    ra = json.loads((whole / "results.json").read_text())
    rb = json.loads((part / "results.json").read_text())
    assert ra["epochs"] == rb["epochs"] == 4 and ra["steps"] == rb["steps"]
    assert {k: v for k, v in ra["metrics"].items() if k.startswith("test/")} == {
        k: v for k, v in rb["metrics"].items() if k.startswith("test/")
    }
    assert len(rb["history"]) == 4


def test_last_ckpt_loads_with_weights_only_and_holds_optimizer_state(tmp_path):
    run(make_cfg(["data=iris", "optim=adam", "trainer.max_epochs=1", "logger=none"], tmp_path))
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["epoch"] == 0 and ckpt["global_step"] > 0
    assert ckpt["optimizer_states"][0]["state"]
    assert ckpt["hyper_parameters"]["encoders"]["target"]["classes"]


@pytest.mark.slow
def test_sigkill_leaves_a_loadable_checkpoint_and_resume_finishes(tmp_path):
    run_dir = tmp_path / "run"
    args = [
        "task=multiclass",
        "batching=stochastic",
        "trainer.max_epochs=30",
        "logger=none",
        f"hydra.run.dir={run_dir}",
    ]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "train.py"), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    last = run_dir / "checkpoints" / "last.ckpt"
    deadline = time.time() + 300  # a guard: the first checkpoint comes after ~10 s of imports
    while time.time() < deadline and not last.exists():
        time.sleep(0.05)
    time.sleep(0.3)  # land the kill somewhere in a later epoch, possibly mid-write
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert last.exists(), "no checkpoint was written before the kill"
    assert not (run_dir / "results.json").exists(), "the run finished before it could be killed"
    torch.load(last, weights_only=True)  # complete, not truncated
    # Started again from it, in this process: the killed one is what this test is about.
    run(make_cfg([*args[:-1], "trainer.max_epochs=3", f"ckpt_path={last}"], tmp_path / "resume"))
    results = json.loads((run_dir / "results.json").read_text())
    assert results["status"] == "ok" and results["epochs"] == 3


# ------------------------------------------------------------------ determinism
def test_same_settings_and_seed_give_identical_metrics(tmp_path):
    overrides = ["task=binary", "optim=nag", "trainer.max_epochs=3", "logger=none"]
    run(make_cfg(overrides, tmp_path / "a"))
    run(make_cfg(overrides, tmp_path / "b"))
    a = json.loads((tmp_path / "a" / "results.json").read_text())
    b = json.loads((tmp_path / "b" / "results.json").read_text())
    assert a["metrics"] == b["metrics"] and a["steps"] == b["steps"]
    other = make_cfg([*overrides, "seed=1"], tmp_path / "c")
    run(other)
    c = json.loads((tmp_path / "c" / "results.json").read_text())
    assert c["metrics"] != a["metrics"]


# ------------------------------------------------------------------ DDP on CPU
@pytest.mark.slow
def test_ddp_full_batch_gd_matches_a_single_process(tmp_path):
    overrides = [
        "task=multiclass",
        "optim=gd",
        "batching=full",
        "trainer.max_epochs=5",
        "logger=none",
    ]
    run(make_cfg(overrides, tmp_path / "single"))
    ddp = run_cli(*overrides, "trainer=ddp", f"hydra.run.dir={tmp_path / 'ddp'}")
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    single = json.loads((tmp_path / "single" / "results.json").read_text())["metrics"]
    multi = json.loads((tmp_path / "ddp" / "results.json").read_text())["metrics"]
    for key in ("test/loss", "test/acc", "val/loss", "train/loss"):
        assert abs(single[key] - multi[key]) < 1e-4, (key, single[key], multi[key])
    # One output folder; only rank 0 wrote results.json.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ddp", "single"]


@pytest.mark.slow
def test_ddp_runs_nag_with_its_closure(tmp_path):
    ddp = run_cli(
        "task=binary",
        "optim=nag",
        "batching=mini",
        "trainer.max_epochs=2",
        "logger=none",
        "trainer=ddp",
        f"hydra.run.dir={tmp_path}",
    )
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["status"] == "ok" and results["metrics"]["test/acc"] > 0.9


@pytest.mark.slow
def test_ddp_a_run_diverging_on_every_rank_ends_as_diverged_not_a_crash(tmp_path):
    ddp = run_cli(
        "task=regression",
        "optim=gd",
        "optim.lr=1000",
        "trainer=ddp",
        "logger=none",
        f"hydra.run.dir={tmp_path}",
        timeout=600,
    )
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    assert "Traceback" not in ddp.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["status"] == "diverged" and results["diverged_at"]["epoch"] == 0


@pytest.mark.slow
def test_ddp_one_ranks_non_finite_loss_stops_every_rank_at_the_same_step(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # A hang fails here.
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "ddp_divergence.py"), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["diverged"] == ranks[1]["diverged"] == {"epoch": 0, "step": 2}
    # The bad step left the weights as they were.
    assert ranks[0]["global_step"] == ranks[1]["global_step"] == 3
    assert ranks[0]["checksum"] == ranks[1]["checksum"]
