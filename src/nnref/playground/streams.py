"""What each tab streams to the page, as plain generators of frames (the page only wires them).

`training_frames` builds a run, draws its start, then trains and draws the epochs the pacer picks,
ending with the last one; closing the generator (Stop, or the page going away) ends the run
between two epochs. `preview` is a run's first frame alone: the untrained network on the data.
`path_frames` runs optimizer_paths once, then replays the paths growing.

Drawing and sending a frame costs far more than an epoch on a small set, so a run draws about
MAX_FRAMES frames spread evenly over its epochs, plus its last; and when epochs are slow (many
points, one row per update) at least one every MAX_GAP_S seconds of the run's own work. Its own
work, not the wall clock: a worker that takes turns among many runs would otherwise find every
run's gap overdue at every turn, and draw a frame per epoch for all of them.
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
from .pictures import (
    COMPARED_MAP_SIZE,
    TRAINING_SIZE,
    ConfusionFrames,
    CurveFrames,
    MapFrames,
    PathFrames,
)
from .runs import TrainingRun, run_paths, table, view
from .settings import PathSettings, TrainingSettings, check_budget

# ---------------------------------------------------------------- which epochs to draw
MAX_FRAMES = 16
MAX_GAP_S = 0.25


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
        """Call after each frame: the gap is counted from the end of the last drawing (on the
        clock it was given: a run's own seconds of work, for TrainingStream)."""
        self.last = self.clock()


# ---------------------------------------------------------------- the training tab
PATH_FRAMES = 8  # frames of the path animation (its start is the picture already shown)
MAX_WORK_S = (
    30.0  # of a core's time for one run: with the epochs x points cap, no run holds a core long
)
STATES = ("ready", "running", "done", "diverged", "time limit", "stopped")


@dataclass
class TrainingFrame:
    picture: np.ndarray  # the decision map(s) beside the curves (and the confusion matrix)
    status: str  # Markdown
    epoch: int
    state: str  # one of STATES
    summary: dict = field(default_factory=dict)
    command: tuple | None = None  # (text, language), on the first frame only
    data_csv: str | None = None  # the data as a CSV file, on the first frame only
    view: tuple | None = None  # the map's data limits (map_point_at), one run only
    downloads: dict | None = None  # on the final frame: {"checkpoint", "history", ...}: contents
    summaries: list = field(default_factory=list)  # every run's summary, with its "label"

    @property
    def final(self) -> bool:
        return self.state not in ("ready", "running")


def check_data(settings: TrainingSettings, csv_file: str | None = None) -> None:
    """SettingsError if the data does not load for these settings, or the run would pass the cap."""
    for _, variant in settings.variants():
        check_budget(variant, load(variant, csv_file).n_points)


class TrainingStream:
    """One run, or the runs of a comparison, frame by frame: `first()` is the start; each
    `advance()` trains until the next frame is due (the pacer's) and returns it, ending with the
    final frame, then None; `stop()` ends early with a final frame. The work done is `work_s`
    (seconds of a core); past `max_work_s` the runs end as "time limit". A comparison trains its
    runs from the same start in step, an epoch each in turn. SettingsError names a bad field."""

    def __init__(
        self, settings: TrainingSettings, csv_file: str | None = None, max_work_s=MAX_WORK_S
    ):
        began = time.perf_counter()
        self.settings = settings
        variants = settings.variants()
        self.labels = [label for label, _ in variants]
        self.runs = [TrainingRun(v, load(v, csv_file)) for _, v in variants]
        one = len(self.runs) == 1
        self.maps = [
            MapFrames(run, TRAINING_SIZE if one else COMPARED_MAP_SIZE, None if one else label)
            for run, label in zip(self.runs, self.labels)
        ]
        self.curves = CurveFrames(self.runs, self.labels)
        classifying = one and settings.head != "regression"
        self.confusion = ConfusionFrames(self.runs[0]) if classifying else None
        self.epochs = [run.epochs() for run in self.runs]
        self.done = [False] * len(self.runs)
        self.max_work_s, self.work_s = max_work_s, time.perf_counter() - began
        self.turn_began = None  # perf_counter at the start of the advance() going on, if any
        self.pacer = FramePacer(settings.epochs, clock=self.worked)
        self.epoch, self.ended = 0, False

    @property
    def run(self) -> TrainingRun:
        return self.runs[0]

    def first(self, state: str = "running") -> TrainingFrame:
        return self.frame(state, first=True)

    def step_epoch(self) -> bool:
        """One more epoch of every run still going; False once all have ended."""
        for i, epochs in enumerate(self.epochs):
            if not self.done[i] and next(epochs, None) is None:
                self.done[i] = True
        self.epoch = max(run.history["epoch"][-1] for run in self.runs)
        return not all(self.done)

    def worked(self) -> float:
        """Seconds of a core this stream has worked so far, the advance() going on included."""
        going = 0.0 if self.turn_began is None else time.perf_counter() - self.turn_began
        return self.work_s + going

    def advance(self) -> TrainingFrame | None:
        if self.ended:
            return None
        self.turn_began, epochs = time.perf_counter(), self.settings.epochs
        try:
            while self.step_epoch():
                if self.epoch >= epochs:
                    continue  # the last epoch's frame is the final one
                if self.worked() > self.max_work_s:
                    return self.stop("time limit")
                if self.pacer.due(self.epoch):
                    frame = self.frame("running")
                    self.pacer.drawn()
                    return frame
            diverged = any(run.diverged is not None for run in self.runs) and len(self.runs) == 1
            return self.stop("diverged" if diverged else "done")
        finally:
            self.work_s, self.turn_began = self.worked(), None

    def stop(self, state: str = "stopped") -> TrainingFrame:
        self.ended = True
        for epochs in self.epochs:
            epochs.close()
        frame = self.frame(state)
        frame.downloads = self.downloads()
        return frame

    def picture(self) -> np.ndarray:
        panels = [m.draw(self.epoch) for m in self.maps] + [self.curves.draw()]
        if self.confusion is not None:
            panels.append(self.confusion.draw())
        return np.concatenate(panels, axis=1)

    def frame(self, state, first=False) -> TrainingFrame:
        run = self.run
        if len(self.runs) == 1:
            text = status(run, state, self.worked())
        else:
            text = compared_status(self.runs, self.labels, state, self.worked())
        summaries = [{**r.summary(), "label": label} for r, label in zip(self.runs, self.labels)]
        frame = TrainingFrame(
            self.picture(), text, self.epoch, state, run.summary(), summaries=summaries
        )
        frame.view = self.maps[0].view if len(self.runs) == 1 and len(run.grid_axes) == 2 else None
        if first:
            frame.command = reproduce(self.settings, run.data)
            frame.data_csv = run.data.csv_path
        return frame

    def downloads(self) -> dict:
        """What a student takes home from a single run: its checkpoint (nnref-predict reads it) and
        its per-epoch numbers as CSV; the picture is the final frame's, as PNG."""
        if len(self.runs) > 1:
            return {
                "history": "\n".join(
                    f"# {label}\n{run.history_csv()}" for label, run in zip(self.labels, self.runs)
                )
            }
        return {"checkpoint": self.run.checkpoint(), "history": self.run.history_csv()}


def compared_status(runs, labels, state, seconds) -> str:
    head = {
        "running": "**running**",
        "done": f"**done** in {seconds or 0:.1f} s of the server's work",
        "time limit": f"**stopped** after {seconds or 0:.0f} s of the server's work",
        "stopped": "**stopped**",
        "ready": "**ready**: press Train",
        "diverged": "**diverged**",
    }[state]
    lines = [f"{head} · the same start, {len(runs)} runs"]
    for label, run in zip(labels, runs):
        h, summary = run.history, run.summary()
        ended = " (diverged)" if run.diverged is not None else ""
        lines.append(
            f"{label}: epoch {h['epoch'][-1]} · train loss {h['train_loss'][0]:.4g} → "
            f"{h['train_loss'][-1]:.4g} · val {summary['score_name']} "
            f"{h['val_score'][-1]:.3g}{ended}"
        )
    return "  \n".join(lines)


def preview(settings: TrainingSettings, csv_file: str | None = None) -> TrainingFrame:
    return TrainingStream(settings, csv_file).first("ready")


def training_frames(
    settings: TrainingSettings, csv_file: str | None = None, max_work_s: float = MAX_WORK_S
):
    """Frames of one run, from its start (epoch 0) to its last epoch, to divergence or to the
    work limit: the stream run in one go."""
    stream = TrainingStream(settings, csv_file, max_work_s)
    yield stream.first()
    while (frame := stream.advance()) is not None:
        yield frame


def status(run: TrainingRun, state: str, seconds: float | None = None) -> str:
    """One line of numbers for the run, then the course's notes that apply to it."""
    h, s, summary = run.history, run.settings, run.summary()
    score = summary["score_name"]
    head = {
        "ready": "**ready**: press Train",
        "running": "**running**",
        "done": f"**done** in {seconds or 0:.1f} s of the server's work",
        "diverged": f"**diverged** at epoch {run.diverged}: "
        f"the loss stopped being finite (try a smaller lr)",
        "time limit": f"**stopped** after {seconds or 0:.0f} s of the server's work, "
        f"the playground's limit for one run",
        "stopped": f"**stopped** at epoch {h['epoch'][-1]}",
    }[state]
    val = (
        f" · val loss {h['val_loss'][-1]:.4g}"
        f" · {score} {h['train_score'][-1]:.3g} (val {h['val_score'][-1]:.3g})"
        if run.has_val
        else f" · {score} {h['train_score'][-1]:.3g} · no validation rows"
    )
    numbers = (
        f"epoch {h['epoch'][-1]} of {s.epochs}"
        f" · train loss {h['train_loss'][0]:.4g} → {h['train_loss'][-1]:.4g}"
        f"{val} · mean |∂E/∂net| {h['grad'][-1]:.3g}"
    )
    lines = [f"{head} · {numbers}"]
    if not run.has_val:
        lines.append(
            "Every point trains: no class has enough points to lend some to validation "
            "(4 or more of a class lend one)"
            + (
                "; so early stopping, which watches the validation loss, is off."
                if s.patience
                else "."
            )
        )
    if run.stopped_early is not None:
        lines.append(
            f"Early stop: the validation loss had not gone below its best for {s.patience} epochs."
        )
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
