"""Checkpoints: Lightning's ModelCheckpoint keeps best.ckpt and last.ckpt; nnref writes them
atomically."""

import json

import pytest
import torch
from conftest import make_cfg

from nnref.atomic_checkpoints import AtomicCheckpointIO
from nnref.train import run

# iris at lr 0.1: val/loss is lowest before the last of 30 epochs, so the best and the last epoch
# differ.
PLATEAU = ["task=multiclass", "data=iris", "optim.lr=0.1", "trainer.max_epochs=30", "logger=none"]


def load(path):
    return torch.load(path, weights_only=True)


def test_last_ckpt_is_the_last_epoch_even_after_val_loss_stopped_improving(tmp_path):
    run(make_cfg(PLATEAU, tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    history = results["history"]
    best_epoch = min(history, key=lambda row: row["val/loss"])["epoch"]
    assert best_epoch < 29, "the scenario needs a best epoch before the last"
    last, best = (
        load(tmp_path / "checkpoints" / "last.ckpt"),
        load(tmp_path / "checkpoints" / "best.ckpt"),
    )
    assert last["epoch"] == 29 and last["global_step"] == history[-1]["step"]
    assert best["epoch"] == best_epoch and results["checkpoint"] == "checkpoints/best.ckpt"
    # The best-so-far record travels in the last checkpoint, for resume.
    states = [s for key, s in last["callbacks"].items() if "val/loss" in key]
    assert len(states) == 1 and states[0]["best_model_path"].endswith("best.ckpt")
    assert float(states[0]["best_model_score"]) == pytest.approx(
        min(row["val/loss"] for row in history)
    )
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [
        "best.ckpt",
        "last.ckpt",
    ]


def test_every_n_epochs_thins_the_saves_of_last_ckpt(tmp_path):
    run(
        make_cfg(
            [
                *PLATEAU[:-2],
                "trainer.max_epochs=7",
                "logger=none",
                "callbacks.last_checkpoint.every_n_epochs=3",
            ],
            tmp_path,
        )
    )
    assert load(tmp_path / "checkpoints" / "last.ckpt")["epoch"] == 5  # epochs 3 and 6 (1-based)


def test_a_save_is_whole_or_absent_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "last.ckpt"
    io = AtomicCheckpointIO()
    io.save_checkpoint({"epoch": 1}, path)

    def broken(obj, f):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        io.save_checkpoint({"epoch": 2}, path)
    monkeypatch.undo()
    assert load(path)["epoch"] == 1  # the previous file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]  # no temporary file left
