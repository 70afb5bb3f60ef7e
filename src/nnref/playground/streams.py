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
from ..locale.messages import Joined, Message, _, join
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
from .settings import PathSettings, SettingsError, TrainingSettings, check_budget, variants

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
# Of a core's time for one run: with the epochs x points cap, no run holds a core long.
MAX_WORK_S = 30.0
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
    """SettingsError if the data does not load for these settings, or the run would pass the cap,
    or a comparison of heads has one head that fits the data."""
    data = load(settings, csv_file)
    if settings.compare == "head" and len(data.fitting) < 2:
        message = _(
            "compare: only {head} fits this data; compare batching or optimizer instead",
            head=settings.head,
        )
        raise SettingsError({"compare": message})
    for _label, variant in variants(settings, data.fitting):
        check_budget(variant, load(variant, csv_file).n_points)


# A run's work is the CPU time of the thread that trains it (torch runs these small nets on that
# one thread), not the time on the wall: on a busy server, a class's other runs slow a run's wall
# clock, and the limit would cut it short after little work of its own. Each turn (an advance())
# starts and ends on one thread, so the differences are that run's own.
work_clock = time.thread_time


class TrainingStream:
    """One run, or the runs of a comparison, frame by frame: `first()` is the start; each
    `advance()` trains until the next frame is due (the pacer's) and returns it, ending with the
    final frame, then None; `stop()` ends early with a final frame. The work done is `work_s`
    (seconds of a core); past `max_work_s` the runs end as "time limit". A comparison trains its
    runs from the same start in step, an epoch each in turn. SettingsError names a bad field."""

    def __init__(
        self, settings: TrainingSettings, csv_file: str | None = None, max_work_s=MAX_WORK_S
    ):
        began = work_clock()
        self.settings = settings
        runs = variants(settings, load(settings, csv_file).fitting)
        self.labels = [label for label, _settings in runs]
        self.runs = [TrainingRun(v, load(v, csv_file)) for _label, v in runs]
        one = len(self.runs) == 1
        self.maps = [
            MapFrames(run, TRAINING_SIZE if one else COMPARED_MAP_SIZE, None if one else label)
            for run, label in zip(self.runs, self.labels)
        ]
        self.curves = CurveFrames(self.runs, self.labels)
        classifying = one and self.run.head.confusion_metric() is not None
        self.confusion = ConfusionFrames(self.runs[0]) if classifying else None
        self.epochs = [run.epochs() for run in self.runs]
        self.done = [False] * len(self.runs)
        self.max_work_s, self.work_s = max_work_s, work_clock() - began
        self.turn_began = None  # work_clock() at the start of the advance() going on, if any
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
        going = 0.0 if self.turn_began is None else work_clock() - self.turn_began
        return self.work_s + going

    def advance(self) -> TrainingFrame | None:
        if self.ended:
            return None
        self.turn_began, epochs = work_clock(), self.settings.epochs
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


def state_line(state: str, seconds: float, run: TrainingRun | None = None) -> Message:
    """The status's first words: the run's state (with where it stopped, for one run)."""
    if state == "ready":
        return _("**ready**: press Train")
    if state == "running":
        return _("**running**")
    if state == "done":
        return _("**done** in {seconds:.1f} s of the server's work", seconds=seconds or 0)
    if state == "time limit":
        if run is None:
            return _("**stopped** after {seconds:.0f} s of the server's work", seconds=seconds or 0)
        return _(
            "**stopped** after {seconds:.0f} s of the server's work, the playground's limit for "
            "one run",
            seconds=seconds or 0,
        )
    if state == "diverged":
        if run is None:
            return _("**diverged**")
        return _(
            "**diverged** at epoch {epoch}: the loss stopped being finite (try a smaller lr)",
            epoch=run.diverged,
        )
    if run is None:
        return _("**stopped**")
    return _("**stopped** at epoch {epoch}", epoch=run.history["epoch"][-1])


def compared_status(runs, labels, state, seconds) -> Joined:
    lines = [_("{state} · the same start, {n} runs", state=state_line(state, seconds), n=len(runs))]
    for label, run in zip(labels, runs):
        h, summary = run.history, run.summary()
        line = _(
            "{label}: epoch {epoch} · train loss {first:.4g} → {last:.4g} · val {score} "
            "{value:.3g}",
            label=label,
            epoch=h["epoch"][-1],
            first=h["train_loss"][0],
            last=h["train_loss"][-1],
            score=summary["score_name"],
            value=h["val_score"][-1],
        )
        lines.append(_("{line} (diverged)", line=line) if run.diverged is not None else line)
    return join(lines)


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


def status(run: TrainingRun, state: str, seconds: float | None = None) -> Joined:
    """One line of numbers for the run, then the course's notes that apply to it."""
    h, s = run.history, run.settings
    numbers = dict(
        epoch=h["epoch"][-1],
        epochs=s.epochs,
        first=h["train_loss"][0],
        last=h["train_loss"][-1],
        score=run.summary()["score_name"],
        train=h["train_score"][-1],
        grad=h["grad"][-1],
    )
    if run.has_val:
        line = _(
            "{state} · epoch {epoch} of {epochs} · train loss {first:.4g} → {last:.4g} · val loss "
            "{val_loss:.4g} · {score} {train:.3g} (val {val:.3g}) · mean |∂E/∂net| {grad:.3g}",
            state=state_line(state, seconds, run),
            val_loss=h["val_loss"][-1],
            val=h["val_score"][-1],
            **numbers,
        )
    else:
        line = _(
            "{state} · epoch {epoch} of {epochs} · train loss {first:.4g} → {last:.4g} · {score} "
            "{train:.3g} · no validation rows · mean |∂E/∂net| {grad:.3g}",
            state=state_line(state, seconds, run),
            **numbers,
        )
    return join([line, *notes(run)])


def notes(run: TrainingRun) -> list:
    """The course's notes on this run: what its settings show, in a line each."""
    h, s, out = run.history, run.settings, []
    if not run.has_val:
        out.append(
            _(
                "Every point trains: no class has enough points to lend some to validation (4 or "
                "more of a class lend one); so early stopping, which watches the validation loss, "
                "is off."
            )
            if s.patience
            else _(
                "Every point trains: no class has enough points to lend some to validation (4 or "
                "more of a class lend one)."
            )
        )
    if run.stopped_early is not None:
        out.append(
            _(
                "Early stop: the validation loss had not gone below its best for {n} epochs.",
                n=s.patience,
            )
        )
    if s.wrong_start:
        why = (
            _("the factor y(1 − y) keeps it near 0")
            if s.loss == "mse"  # the squared error through a squashing output
            else _("it is y − t, near 1")
        )
        out.append(
            _(
                "Confidently wrong start: the output units start near y = 0, wrong wherever t = 1; "
                "mean |∂E/∂net| started at {grad:.2g} (lecture 2-4: with {loss}, {why}).",
                grad=h["grad"][0],
                loss=s.loss,
                why=why,
            )
        )
    if s.activation == "identity" and s.hidden:
        out.append(
            _(
                "Identity hidden layers: the network is one linear map "
                "(nnref.experiments.collapse.fold: largest difference {difference:.1g}), so its "
                "boundary is a straight line.",
                difference=fold_difference(run),
            )
        )
    return out


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
