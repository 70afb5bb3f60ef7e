"""The command line (or experiment call) that makes a playground run outside the browser.

A run is `nnref-train` with the same head, loss, body, optimizer, batching, schedule, epochs and
seed, on the same data (the generated sets and the user's CSV as data=csv). Both build the same
network from the seed and draw the same batches (nnref.loop, nnref.data.batches), so the command's
results.json has the playground's per-epoch train loss. A confidently wrong start is not a
nnref-train setting: for it the page shows the experiment that has it, nnref.experiments.saturation,
whose numbers the playground reproduces exactly (binary head, GD, full batch, ReLU, constant lr).
"""

from __future__ import annotations

import os
import shlex

from ..experiments import saturation
from ..heads import HEADS
from .data import LECTURE_SOURCES, PlaygroundData
from .settings import TrainingSettings, variants


def train_overrides(s: TrainingSettings, data: PlaygroundData) -> list:
    """nnref-train's command-line overrides for these settings."""
    out = [f"task={s.head}", f"task.loss={s.loss}"]
    out += [f"task.{key}={value}" for key, value in s.head_options().items()]
    if s.data in LECTURE_SOURCES:
        out.append(f"data={LECTURE_SOURCES[s.data]}")
    else:
        out += [
            "data=csv",
            f"data.path={os.path.basename(data.csv_path)}",
            f"data.target={data.csv_target}",
        ]
    out += [
        f"model.hidden=[{','.join(map(str, s.hidden))}]",
        f"model.activation={s.activation}",
        f"optim={s.optimizer}",
    ]
    for key, value in s.hyperparameters().items():
        shown = (
            f"[{','.join(f'{v:g}' for v in value)}]" if isinstance(value, tuple) else f"{value:g}"
        )
        out.append(f"optim.{key}={shown}")
    out.append(f"batching={s.batching}")
    if s.batching == "mini":
        out.append(f"data.batch_size={s.batch_size}")
    if s.batching == "stochastic":
        # Nnref-train would otherwise take lr x 0.1 for one-row batches.
        out.append("batching.lr_scale=1.0")
    out += [f"scheduler={s.schedule}", f"trainer.max_epochs={s.epochs}", f"seed={s.seed}"]
    if s.patience:  # Lightning's own EarlyStopping, as the playground stops (runs.no_better_for)
        out += [
            "+callbacks.early_stopping._target_=lightning.pytorch.callbacks.EarlyStopping",
            "+callbacks.early_stopping.monitor=val/loss",
            f"+callbacks.early_stopping.patience={s.patience}",
        ]
    return out


def is_saturation_experiment(s: TrainingSettings) -> bool:
    """Whether saturation.train_from_wrong_start makes exactly this run."""
    return (
        s.wrong_start
        and s.head == saturation.HEAD
        and s.optimizer == "gd"
        and s.batching == "full"
        and s.activation == "relu"
        and s.schedule == "none"
    )


def reproduce(s: TrainingSettings, data: PlaygroundData) -> tuple:
    """(text, language) of what reproduces the run: a shell command or a Python call; for a
    comparison, one for each of its runs."""
    if s.compare != "none":
        parts = [(label, *reproduce(v, data)) for label, v in variants(s, data.fitting)]
        language = "python" if all(lang == "python" for _, _, lang in parts) else "shell"
        return "\n\n".join(f"# {label}\n{text}" for label, text, _ in parts), language
    if is_saturation_experiment(s):
        encoding = HEADS[saturation.HEAD].target_encoding()
        source = LECTURE_SOURCES.get(s.data)
        where = (
            f'source="{source}"'
            if source
            else f'source="csv", path="{os.path.basename(data.csv_path)}", '
            f'target="{data.csv_target}"'
        )
        return (
            "from nnref.data import TaskData\n"
            "from nnref.experiments import saturation\n\n"
            f'data = TaskData({where}, target_encoding="{encoding}", seed={s.seed}).load()\n'
            f'saturation.train_from_wrong_start(data, loss="{s.loss}", epochs={s.epochs}, '
            f"lr={s.lr:g}, hidden={tuple(s.hidden)}, seed={s.seed})",
            "python",
        )
    command = "nnref-train " + " ".join(shlex.quote(o) for o in train_overrides(s, data))
    if s.wrong_start:
        command = (
            "# nnref-train starts from random weights; the confidently wrong start is\n"
            f"# nnref.experiments.saturation's ({saturation.HEAD} head, optimizer gd, full batch, "
            "relu, no schedule)\n" + command
        )
    if s.data not in LECTURE_SOURCES:
        command += "\n# the data: download it below the command (the file named in data.path)"

    return command, "shell"
