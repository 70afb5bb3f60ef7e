"""nnref.checkpointing: last.ckpt is always the last epoch, best.ckpt the best, both whole and loadable."""
import json

import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from conftest import make_cfg
from nnref.checkpointing import EpochCheckpoint
from nnref.train import run

# iris at lr 0.1: val/loss is lowest at epoch 21 of 30, so the best and the last epoch differ.
PLATEAU = ["task=multiclass", "data=iris", "optim.lr=0.1", "trainer.max_epochs=30", "logger=none"]


def load(path):
    return torch.load(path, weights_only=True)


def test_last_ckpt_is_the_last_epoch_even_after_val_loss_stopped_improving(tmp_path):
    run(make_cfg(PLATEAU, tmp_path))
    history = json.loads((tmp_path / "results.json").read_text())["history"]
    best_epoch = min(history, key=lambda row: row["val/loss"])["epoch"]
    assert best_epoch < 29, "the scenario needs a best epoch before the last"
    last, best = load(tmp_path / "checkpoints" / "last.ckpt"), load(tmp_path / "checkpoints" / "best.ckpt")
    assert last["epoch"] == 29 and last["global_step"] == history[-1]["step"]
    assert best["epoch"] == best_epoch
    # The best-so-far record travels in both files, pointing at the same best.ckpt.
    (state,) = last["callbacks"].values()
    assert state["best_model_path"].endswith("best.ckpt")
    assert float(state["best_model_score"]) == min(row["val/loss"] for row in history)


def test_an_improving_epoch_writes_best_and_last_as_the_same_bytes(tmp_path):
    run(make_cfg(["task=multiclass", "data=iris", "trainer.max_epochs=2", "logger=none"], tmp_path))
    folder = tmp_path / "checkpoints"
    assert (folder / "best.ckpt").read_bytes() == (folder / "last.ckpt").read_bytes()
    assert not list(folder.glob(".*.tmp")), "a temporary file was left behind"


def test_state_key_is_model_checkpoints_so_checkpoints_resume_with_either_class():
    kwargs = dict(monitor="val/loss", mode="min", save_top_k=1, save_last=True)
    assert EpochCheckpoint(**kwargs).state_key == ModelCheckpoint(**kwargs).state_key


@pytest.mark.filterwarnings("ignore:The dirpath has changed")  # the copy resumes in another folder
def test_history_is_one_json_string_in_the_checkpoint_and_resumes_from_either_form(tmp_path):
    base = ["task=multiclass", "data=iris", "logger=none"]
    run(make_cfg([*base, "trainer.max_epochs=2"], tmp_path / "a"))
    last = tmp_path / "a" / "checkpoints" / "last.ckpt"
    ckpt = load(last)
    assert isinstance(ckpt["nnref_history"], str) and len(json.loads(ckpt["nnref_history"])) == 2
    # A checkpoint from before (history as a list of dicts) resumes the same way.
    ckpt["nnref_history"] = json.loads(ckpt["nnref_history"])
    old = tmp_path / "old" / "checkpoints" / "last.ckpt"
    old.parent.mkdir(parents=True)
    torch.save(ckpt, old)
    run(make_cfg([*base, "trainer.max_epochs=3", f"ckpt_path={old}"], tmp_path / "unused"))
    history = json.loads((tmp_path / "old" / "results.json").read_text())["history"]
    assert [row["epoch"] for row in history] == [0, 1, 2]


def test_every_n_epochs_thins_the_saves_but_the_final_epoch_is_always_saved(tmp_path, monkeypatch):
    saved = []
    original = EpochCheckpoint._write
    monkeypatch.setattr(EpochCheckpoint, "_write", lambda self, trainer, paths: (
        saved.append(trainer.current_epoch), original(self, trainer, paths)))
    run(make_cfg([*PLATEAU[:-2], "trainer.max_epochs=7", "logger=none",
                  "callbacks.model_checkpoint.every_n_epochs=3"], tmp_path))
    assert saved == [2, 5, 6]  # epochs 3 and 6 (1-based), then the last one at the end of training
    assert load(tmp_path / "checkpoints" / "last.ckpt")["epoch"] == 6
    assert load(tmp_path / "checkpoints" / "best.ckpt")["epoch"] in (2, 5, 6)
