"""Each task's default data, epochs and model reach scikit-learn's MLP level with momentum, nag and
adam."""

import json

import pytest
from conftest import make_cfg

from nnref.train import run

BARS = {
    "regression": ("test/r2", 0.40),
    "binary": ("test/acc", 0.95),
    "multiclass": ("test/acc", 0.96),
    "multilabel": ("test/f1_macro", 0.88),
}


@pytest.mark.slow
@pytest.mark.parametrize("optim", ["momentum", "nag", "adam"])
@pytest.mark.parametrize("task", list(BARS))
def test_default_run_reaches_the_bar(task, optim, tmp_path):
    run(make_cfg([f"task={task}", f"optim={optim}", "logger=none"], tmp_path))
    metric, bar = BARS[task]
    value = json.loads((tmp_path / "results.json").read_text())["metrics"][metric]
    assert value >= bar, f"{task}/{optim}: {metric}={value:.3f} < {bar}"


@pytest.mark.slow
@pytest.mark.parametrize("optim", ["gd", "adagrad", "rmsprop"])
def test_the_other_optimizers_clearly_learn(optim, tmp_path):
    run(make_cfg(["task=multiclass", f"optim={optim}", "logger=none"], tmp_path))
    acc = json.loads((tmp_path / "results.json").read_text())["metrics"]["test/acc"]
    assert acc > 0.9  # a constant predictor gets about 0.1 on digits
