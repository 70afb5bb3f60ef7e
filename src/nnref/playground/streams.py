"""What each tab streams to the page, as plain generators of frames (the page only wires them).

`training_frames` builds a run, draws its start, then trains and draws the epochs the pacer picks,
ending with the last one; closing the generator (Stop, or the page going away) ends the run
between two epochs. `preview` is a run's first frame alone: the untrained network on the data.
`path_frames` runs optimizer_paths once, then replays the paths growing.

Drawing and sending a frame costs far more than an epoch on a small set, so a run draws about
MAX_FRAMES frames spread evenly over its epochs, plus its last; and when epochs are slow (many
points, one row per update) at least one every MAX_GAP_S seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..experiments.collapse import fold
from .command import reproduce
from .data import load
from .pictures import CurveFrames, MapFrames, PathFrames
from .runs import TrainingRun, run_paths, table, view
from .settings import PathSettings, TrainingSettings, check_budget

# ---------------------------------------------------------------- which epochs to draw
MAX_FRAMES = 25
MAX_GAP_S = 0.15


class FramePacer:
    def __init__(
        self,
        epochs: int,
        max_frames: int = MAX_FRAMES,
        max_gap_s: float = MAX_GAP_S,
        clock=time.perf_counter,
    ):
        self.epochs, self.max_gap_s, self.clock = int(epochs), max_gap_s, clock
        self.stride = max(1, math.ceil(self.epochs / max_frames))
        self.last = clock()

    def due(self, epoch: int) -> bool:
        """Whether to draw after this epoch (1-based; the last one is always drawn)."""
        return bool(
            epoch >= self.epochs
            or epoch % self.stride == 0
            or self.clock() - self.last >= self.max_gap_s
        )

    def drawn(self) -> None:
        """Call after each frame: the gap is counted from the end of the last drawing."""
        self.last = self.clock()


# ---------------------------------------------------------------- the training tab
PATH_FRAMES = 8  # frames of the path animation (its start is the picture already shown)
# a run still going after this long stops: with the epochs x points cap, no run holds a core long
MAX_RUN_S = 60.0


@dataclass
class TrainingFrame:
    map: np.ndarray
    curves: np.ndarray
    status: str  # Markdown
    epoch: int
    state: str  # "ready" | "running" | "done" | "diverged" | "time limit"
    summary: dict = field(default_factory=dict)
    command: tuple | None = None  # (text, language), on the first frame only
    data_csv: str | None = None  # the data as a CSV file, on the first frame only


def check_data(settings: TrainingSettings, csv_file: str | None = None) -> None:
    """SettingsError if the data does not load for these settings, or the run would pass the cap."""
    check_budget(settings, load(settings, csv_file).n_points)


def start(settings: TrainingSettings, csv_file: str | None = None):
    """(run, map frames, curve frames) for these settings; SettingsError names a bad field."""
    run = TrainingRun(settings, load(settings, csv_file))
    return run, MapFrames(run), CurveFrames(run)


def preview(settings: TrainingSettings, csv_file: str | None = None) -> TrainingFrame:
    run, maps, curves = start(settings, csv_file)
    return _frame(run, maps, curves, 0, "ready", first=True)


def training_frames(
    settings: TrainingSettings, csv_file: str | None = None, max_seconds: float = MAX_RUN_S
):
    """Frames of one run, from its start (epoch 0) to its last epoch, to divergence or to the time
    limit."""
    began = time.perf_counter()
    run, maps, curves = start(settings, csv_file)
    pacer = FramePacer(settings.epochs)
    yield _frame(run, maps, curves, 0, "running", first=True)
    pacer.drawn()
    epoch, state = 0, "done"
    for epoch in run.epochs():
        if time.perf_counter() - began > max_seconds and epoch < settings.epochs:
            state = "time limit"
            break
        if epoch < settings.epochs and pacer.due(epoch):
            yield _frame(run, maps, curves, epoch, "running")
            pacer.drawn()
    if run.diverged is not None:
        epoch, state = run.diverged, "diverged"
    yield _frame(run, maps, curves, epoch, state, seconds=time.perf_counter() - began)


def _frame(run, maps, curves, epoch, state, first=False, seconds=None) -> TrainingFrame:
    frame = TrainingFrame(
        maps.draw(epoch), curves.draw(), status(run, state, seconds), epoch, state, run.summary()
    )
    if first:
        frame.command = reproduce(run.settings, run.data)
        frame.data_csv = run.data.csv_path
    return frame


def status(run: TrainingRun, state: str, seconds: float | None = None) -> str:
    """One line of numbers for the run, then the course's notes that apply to it."""
    h, s, summary = run.history, run.settings, run.summary()
    score = summary["score_name"]
    head = {
        "ready": "**ready**: press Train",
        "running": "**running**",
        "done": f"**done** in {seconds or 0:.1f} s",
        "diverged": f"**diverged** at epoch {run.diverged}: "
        f"the loss stopped being finite (try a smaller lr)",
        "time limit": f"**stopped** after {seconds or 0:.0f} s, the playground's limit for one run",
    }[state]
    numbers = (
        f"epoch {h['epoch'][-1]} of {s.epochs}"
        f" · train loss {h['train_loss'][0]:.4g} → {h['train_loss'][-1]:.4g}"
        f" · val loss {h['val_loss'][-1]:.4g}"
        f" · {score} {h['train_score'][-1]:.3g} (val {h['val_score'][-1]:.3g})"
        f" · mean |∂E/∂net| {h['grad'][-1]:.3g}"
    )
    lines = [f"{head} · {numbers}"]
    if s.wrong_start:
        lines.append(
            f"Confidently wrong start: the output units start near y = 0, wrong wherever t = 1; "
            f"mean |∂E/∂net| started at {h['grad'][0]:.2g} (lecture 2-4: with {s.loss}, "
            + (
                "the factor y(1 − y) keeps it near 0)."
                if s.loss == "mse"
                else "it is y − t, near 1)."
            )
        )
    if s.activation == "identity" and s.hidden:
        lines.append(
            f"Identity hidden layers: the network is one linear map "
            f"(nnref.experiments.collapse.fold: largest difference "
            f"{fold_difference(run):.1g}), so its boundary is a straight line."
        )
    return "  \n".join(lines)


@torch.no_grad()
def fold_difference(run: TrainingRun) -> float:
    """How far the trained identity network is from its folded single Linear, on the map's
    points."""
    x = run.grid_inputs
    return float((run.net(x) - fold(run.net)(x)).abs().max())


# ---------------------------------------------------------------- the paths tab
@dataclass
class PathFrame:
    picture: np.ndarray
    step: int
    table: str | None  # Markdown, on the last frame
    result: dict


def path_frames(settings: PathSettings, frames: int = PATH_FRAMES):
    """The paths growing to the last step (step 0, the start, is what the page already shows)."""
    result = run_paths(settings)
    picture = PathFrames(result, view(settings))
    for i in range(1, frames + 1):
        step = round(settings.steps * i / frames)
        yield PathFrame(picture.draw(step), step, table(result) if i == frames else None, result)


def empty_paths(settings: PathSettings) -> PathFrame:
    """The surface and the start alone, before any run (zero steps)."""
    result = run_paths(PathSettings(**{**settings.as_dict(), "steps": 0}))
    return PathFrame(
        PathFrames(result, view(settings), steps=settings.steps).draw(0), 0, None, result
    )
