"""A fifth head needs a head file, a Lightning shell and a config, and nothing else: registered
here, in this test only, it shows in the playground's choices and trains there, nnref-train takes
it, and nnref-sweep summarises its runs, with no edit to playground/, train.py or sweep.py.

The toy head is the binary head with a hinge loss and an option of its own (its margin)."""

from __future__ import annotations

import sys

import pytest
import torch
from hydra.core.config_store import ConfigStore

from nnref import heads, sweep, tasks
from nnref.heads import BinaryHead
from nnref.locale.messages import _
from nnref.tasks import TaskModule


def hinge_loss(logits, y, margin: float, reduction="mean"):
    """max(0, margin − s·net) with s = ±1 for the two classes."""
    sign = 2.0 * y - 1.0
    return heads.reduce(torch.relu(margin - sign * logits).squeeze(1), reduction)


MARGINS = {"wide": 1.0, "narrow": 0.5}


class ToyHead(BinaryHead):
    """Two classes, one output unit, trained with a hinge loss."""

    name = "toy"
    losses = {"hinge": hinge_loss}
    options = {"margin": ("wide", "narrow")}
    labels = {"margin": _("margin")}
    wrong = {}
    main_metric, higher_is_better = "test/acc", True
    rank = 5  # after the course's heads: red/black still opens on the binary head

    def loss(self, logits, y, reduction="mean"):
        return hinge_loss(logits, y, MARGINS[self.settings["margin"]], reduction)


class ToyModule(TaskModule):
    head_class = ToyHead


@pytest.fixture
def toy(monkeypatch):
    """The toy head in nnref.heads, its shell in nnref.tasks, and conf/task/toy in Hydra's store."""
    monkeypatch.setitem(heads.HEADS, "toy", ToyHead)
    monkeypatch.setitem(tasks.MODULES, "toy", ToyModule)
    ConfigStore.instance().store(
        group="task",
        name="toy",
        package="_global_",
        node={
            "defaults": [{"override /data": "breast_cancer"}],
            "task": {"_target_": f"{__name__}.ToyModule", "loss": "hinge", "margin": "wide"},
            "trainer": {"max_epochs": 3},
        },
    )
    yield ToyHead


def test_the_playground_offers_the_toy_head_and_its_option_and_trains_it(toy):
    from nnref.playground import streams
    from nnref.playground.command import reproduce
    from nnref.playground.data import load
    from nnref.playground.fields import training_defaults, training_fields
    from nnref.playground.form import parse_training

    fields = {f.name: f for f in training_fields()}
    form = {**training_defaults(), "head": "toy"}
    assert ("toy", "toy") in fields["head"].choices(form)
    assert fields["loss"].values(form) == ["hinge"]
    assert fields["margin"].values(form) == ["wide", "narrow"] and fields["margin"].shown(form)
    assert not fields["margin"].shown(training_defaults())  # the binary head has no margin
    settings = parse_training({"head": "toy", "loss": "hinge", "margin": "narrow", "epochs": 5})
    last = list(streams.training_frames(settings))[-1]
    assert last.state == "done" and last.summary["final_loss"] < last.summary["first_loss"]
    command, language = reproduce(settings, load(settings))
    assert language == "shell"
    assert "task=toy" in command and "task.loss=hinge" in command
    assert "task.margin=narrow" in command


def test_nnref_train_takes_it_and_nnref_sweep_summarises_its_runs(toy, tmp_path, monkeypatch):
    from nnref.train import main

    root = tmp_path / "multirun"
    argv = ["nnref-train", "-m", "task=toy", "task.margin=wide,narrow", "logger=none"]
    argv += [f"hydra.sweep.dir={root}", "trainer.max_epochs=2"]
    monkeypatch.setattr(sys, "argv", argv)
    try:
        main()  # Hydra's command line, in this process (where the toy head is registered)
    except SystemExit as ended:
        assert ended.code in (None, 0)
    rows, varied = sweep.fold(sweep.find_jobs(root))
    assert varied == ["task.margin"] and len(rows) == 2
    assert all(row.settings["task"] == "toy" and row.ok for row in rows)
    assert sweep.judged_by("toy") == ("test/acc", True)
    assert sweep.best_row(rows, "toy") is not None
