"""The playground's pictures, drawn with matplotlib's object API (no pyplot: each figure is a run's
own).

- BlitFigure: a figure drawn whole once, then per frame only its moving artists. A full draw of a
  small figure costs 30-40 ms, mostly in ticks and text; restoring the saved background and drawing
  a few artists on it (matplotlib's blitting) costs a few ms.
- Colours: the course names its points by colour (red, black, yellow, blue), so those classes get
  their own colour; other classes take matplotlib's tab10. A class map mixes the class colours by
  probability; tags mix like filters laid over each other.
- MapFrames, CurveFrames: the training tab's decision map (predicted probabilities shaded over the
  plane, training rows filled, validation rows hollow; for a 1-D regression the fitted curve) and
  its curves (train and validation loss and score per epoch, and the mean |dE/dnet| at the output
  units on a log scale: saturation shows as a flat line near 1e-3).
- PathFrames: the paths tab's contours of log10(loss - minimum loss), each optimizer's path and
  NAG's look-ahead points, beside loss against step. The layout is fixed, so that a click on the
  picture maps back to a point of the surface (`point_at`).
(The room's workers write the frames as files: room.write_picture.)
"""

from __future__ import annotations

import math
import threading

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullLocator

from ..experiments.optimizer_paths import SURFACES, double_well_points, min_loss
from .runs import GRID, TrainingRun

# ------------------------------------------------ drawing cheaply, frame by frame
# matplotlib's figures are not thread-safe where they meet (its font cache, FreeType's rasteriser):
# two threads drawing at once can crash in text rendering. Every draw in a process holds this lock;
# a draw takes a few ms. (Training runs draw in the room's worker processes, one lock each.)
DRAWING = threading.RLock()


class BlitFigure:
    def __init__(self, width: float, height: float, dpi: int = 100):
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.moving: list = []  # drawn every frame, in this order
        self.on_top: list = []  # static artists the moving ones would cover (e.g. an axes' frame)
        self.background = None

    def moves(self, *artists):
        """Mark artists as moving: left out of the background, drawn on it every frame."""
        for artist in artists:
            artist.set_animated(True)
            self.moving.append(artist)
        return artists[0] if len(artists) == 1 else artists

    def redraw_background(self) -> None:
        """Draw everything that does not move (again, after axis limits change) and keep it."""
        with DRAWING:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def frame(self) -> np.ndarray:
        """The figure as an RGB array (height, width, 3), a copy the caller may keep."""
        with DRAWING:
            if self.background is None:
                self.redraw_background()
            self.canvas.restore_region(self.background)
            for artist in (*self.moving, *self.on_top):
                self.figure.draw_artist(artist)
            return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()


# ------------------------------------------------ colours
NAMED = {"red": "#d62728", "black": "#252525", "yellow": "#f0b400", "blue": "#1f77b4"}
# Cyan, magenta, yellow: they mix like printing inks.
TAG_COLOURS = (
    "#17becf",
    "#e377c2",
    "#f0b400",
)
PALETTE = colormaps["tab10"].colors
VALUE_MAP = colormaps["viridis"]
LIGHTEN = 0.5  # how far the map's shading goes towards white, so the points stay readable


def class_colours(names) -> np.ndarray:
    """(K, 3) RGB: the course's colour names as themselves, the rest from tab10."""
    spare = iter(c for c in PALETTE if c not in [to_rgb(v) for v in NAMED.values()])
    return np.array([to_rgb(NAMED[n]) if n in NAMED else next(spare) for n in names])


def tag_colours(n: int) -> np.ndarray:
    return np.array([to_rgb(c) for c in (TAG_COLOURS + tuple(PALETTE))[:n]])


def mix_classes(probs: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """(n, K) probabilities -> (n, 3): the class colours weighted by probability."""
    return probs @ colours


def mix_tags(probs: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """(n, L) probabilities -> (n, 3): each tag a filter of its colour, strength = its
    probability."""
    return np.prod(1.0 - probs[:, :, None] * (1.0 - colours[None, :, :]), axis=1)


def lighten(rgb: np.ndarray, amount: float = LIGHTEN) -> np.ndarray:
    return rgb + amount * (1.0 - rgb)


def value_colours(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Numbers -> (n, 3) viridis colours over [lo, hi]."""
    return VALUE_MAP(np.clip((v - lo) / ((hi - lo) or 1.0), 0, 1))[:, :3]


# ------------------------------------------------ the training tab: the decision map and the curves
# Inches at 100 dpi: 440 x 410 pixels, small enough to draw and send several a second.
TRAINING_SIZE = (4.4, 4.1)
COMPARED_MAP_SIZE = (3.3, 4.1)  # a map beside others, in a comparison
CONFUSION_SIZE = (2.8, 4.1)
MAP_AXES = (0.13, 0.11, 0.83, 0.72)  # left, bottom, width, height in figure fractions
TRAINING_DPI = 100


def map_point_at(pixel_x: float, pixel_y: float, view) -> tuple | None:
    """The data point under a pixel of the training picture (origin top left; the map is its left
    panel), or None outside the map's axes."""
    (x_lo, x_hi), (y_lo, y_hi) = view
    width, height = TRAINING_SIZE[0] * TRAINING_DPI, TRAINING_SIZE[1] * TRAINING_DPI
    left, bottom, w, h = MAP_AXES
    u, v = (pixel_x / width - left) / w, (1.0 - pixel_y / height - bottom) / h
    if not (0 <= u <= 1 and 0 <= v <= 1):
        return None
    return x_lo + u * (x_hi - x_lo), y_lo + v * (y_hi - y_lo)


class MapFrames:
    """The decision map of one run."""

    def __init__(self, run: TrainingRun, size=TRAINING_SIZE, title: str | None = None):
        self.run, data = run, run.data
        self.kind = data.kind
        self.canvas = BlitFigure(*size, dpi=TRAINING_DPI)
        fig = self.canvas.figure
        self.ax = ax = fig.add_axes(MAP_AXES)
        if title:
            ax.set_title(title, fontsize=9, loc="right")
        x_train, t_train = data.points("train")
        x_val, t_val = data.points("val")
        axes = run.grid_axes
        ax.set_xlim(axes[0][0], axes[0][-1])
        ax.set_xlabel(data.features[0])
        self.epoch_text = self.canvas.moves(
            fig.text(0.96, 0.955, "", ha="right", va="top", fontsize=10)
        )
        if len(axes) == 1:
            self._curve(x_train, t_train, x_val, t_val)
        else:
            self._plane(x_train, t_train, x_val, t_val)
        self.canvas.on_top = list(ax.spines.values())

    @property
    def view(self) -> tuple:
        """The map's data limits ((x lo, x hi), (y lo, y hi)): what map_point_at needs."""
        return tuple(self.ax.get_xlim()), tuple(self.ax.get_ylim())

    # ------------------------------------------------------------ layouts
    def _plane(self, x_train, t_train, x_val, t_val):
        ax, data, axes = self.ax, self.run.data, self.run.grid_axes
        ax.set_ylim(axes[1][0], axes[1][-1])
        ax.set_ylabel(data.features[1])
        extent = (axes[0][0], axes[0][-1], axes[1][0], axes[1][-1])
        self.image = self.canvas.moves(
            ax.imshow(
                np.ones((GRID, GRID, 3)),
                extent=extent,
                origin="lower",
                interpolation="bilinear",
                aspect="auto",
            )
        )
        if self.kind == "number":  # two features, a number: the map shades the predicted value
            lo, hi = float(np.min(t_train)), float(np.max(t_train))
            self.colour_of = lambda v: value_colours(v, lo, hi)
            face_train, edge_val = self.colour_of(t_train), self.colour_of(t_val)
            handles = []
        else:
            names = data.names
            palette = tag_colours(len(names)) if self.kind == "labels" else class_colours(names)
            mix = mix_tags if self.kind == "labels" else mix_classes
            self.colour_of = lambda p: mix(p, palette)
            one_hot = (
                (lambda t: t)
                if self.kind == "labels"
                else (lambda t: np.eye(len(names))[np.asarray(t, dtype=int)])
            )
            face_train, edge_val = self.colour_of(one_hot(t_train)), self.colour_of(one_hot(t_val))
            handles = [
                Line2D([], [], ls="", marker="s", ms=9, color=c, label=n)
                for n, c in zip(names, palette)
            ]
        edge_train = "black" if self.kind == "labels" else "white"
        self.canvas.moves(
            ax.scatter(
                x_train[:, 0],
                x_train[:, 1],
                s=22,
                c=face_train,
                edgecolors=edge_train,
                linewidths=0.6,
            ),
            ax.scatter(
                x_val[:, 0],
                x_val[:, 1],
                s=26,
                facecolors="none",
                edgecolors=edge_val,
                linewidths=1.4,
            ),
        )
        handles += [
            Line2D([], [], ls="", marker="o", color="grey", label="train"),
            Line2D([], [], ls="", marker="o", mfc="none", color="grey", label="val"),
        ]
        title = "tags (mixed where they overlap)" if self.kind == "labels" else None
        self.canvas.figure.legend(
            handles=handles,
            loc="upper left",
            ncol=min(len(handles), 5),
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.02, 0.995),
            title=title,
            title_fontsize=8,
            handletextpad=0.2,
            columnspacing=0.9,
        )

    def _curve(self, x_train, t_train, x_val, t_val):
        ax = self.ax
        lo, hi = float(np.min(t_train)), float(np.max(t_train))
        pad = 0.25 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(self.run.data.csv_target or "target")
        ax.scatter(x_train[:, 0], t_train, s=14, color="#1f77b4", alpha=0.8, label="train")
        ax.scatter(x_val[:, 0], t_val, s=18, facecolors="none", edgecolors="#1f77b4", label="val")
        self.line = self.canvas.moves(
            *ax.plot([], [], color="#d62728", lw=2.2, label="the net's output")
        )
        self.canvas.figure.legend(
            loc="upper left", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.02, 0.995)
        )

    # ------------------------------------------------------------ one frame
    def draw(self, epoch: int) -> np.ndarray:
        pred = self.run.predictions()
        if hasattr(self, "line"):
            self.line.set_data(self.run.grid_axes[0], pred)
        else:
            rgb = self.colour_of(pred)
            self.image.set_data(lighten(np.nan_to_num(rgb, nan=1.0)).reshape(GRID, GRID, 3))
        self.epoch_text.set_text(f"epoch {epoch}/{self.run.settings.epochs}")
        return self.canvas.frame()


class CurveFrames:
    """Loss, score and mean |dE/dnet| against epoch for one run, or for the runs of a comparison on
    the same axes (one colour each); axis limits grow as needed."""

    def __init__(self, runs, labels=None):
        runs = runs if isinstance(runs, (list, tuple)) else [runs]
        self.runs, self.labels = runs, labels or [""] * len(runs)
        self.canvas = BlitFigure(*TRAINING_SIZE, dpi=TRAINING_DPI)
        fig = self.canvas.figure
        self.axes = fig.subplots(
            3,
            1,
            sharex=True,
            gridspec_kw={"hspace": 0.12, "left": 0.16, "right": 0.97, "top": 0.9, "bottom": 0.11},
        )
        score = str(runs[0].head.score_name)  # the pictures keep English (no Hangul font)
        labels_ = ("loss", score, "mean |∂E/∂net|")
        keys_of = (("train_loss", "val_loss"), ("train_score", "val_score"), ("grad",))
        one = len(runs) == 1
        self.lines = []  # (run, key, line)
        for ax, label, keys in zip(self.axes, labels_, keys_of):
            ax.set_ylabel(label, fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
            for i, run in enumerate(runs):
                for key in keys:
                    style = {"ls": "--"} if key.startswith("val") else {}
                    colour = (
                        ("#ff7f0e" if key.startswith("val") else "#1f77b4") if one else PALETTE[i]
                    )
                    line = self.canvas.moves(*ax.plot([], [], color=colour, lw=1.6, **style))
                    self.lines.append((run, key, line))
        self.axes[2].set_yscale("log")
        self.axes[2].set_xlabel("epoch", fontsize=9)
        self.axes[0].set_xlim(0, max(runs[0].settings.epochs, 1))
        handles = [
            Line2D([], [], color="grey" if not one else "#1f77b4", label="train"),
            Line2D([], [], color="grey" if not one else "#ff7f0e", ls="--", label="val"),
        ]
        if not one:
            handles += [
                Line2D([], [], color=PALETTE[i], lw=3, label=name)
                for i, name in enumerate(self.labels)
            ]
        fig.legend(
            handles=handles,
            loc="upper left",
            ncol=len(handles) if len(handles) <= 4 else 3,
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.14, 0.995),
        )
        self.limits = [None, None, None]

    def draw(self) -> np.ndarray:
        for run, key, line in self.lines:
            h = run.history
            line.set_data(h["epoch"], np.where(np.isfinite(h[key]), h[key], np.nan))
        if self._grow_limits():
            self.canvas.redraw_background()
        return self.canvas.frame()

    def _grow_limits(self) -> bool:
        """Widen an axis whose data left it; True if any did (the background must be redrawn)."""
        changed = False
        hs = [run.history for run in self.runs]
        wanted = (
            _loss_span([v for h in hs for v in h["train_loss"] + h["val_loss"]]),
            _score_span([v for h in hs for v in h["train_score"] + h["val_score"]]),
            _log_span([v for h in hs for v in h["grad"]]),
        )
        for i, (ax, want) in enumerate(zip(self.axes, wanted)):
            have = self.limits[i]
            if want is not None and (have is None or want[0] < have[0] or want[1] > have[1]):
                self.limits[i] = want
                ax.set_ylim(*want)
                changed = True
        return changed


def blank_points_map(points, classes, view=((-3.0, 3.0), (-3.0, 3.0))) -> tuple:
    """(picture, view) before a network can train on the student's points: the plane, the points
    so far in their classes' colours, and a note to click; laid out as the training picture."""
    with DRAWING:
        figure = Figure(figsize=TRAINING_SIZE, dpi=TRAINING_DPI)
        canvas = FigureCanvasAgg(figure)
        ax = figure.add_axes(MAP_AXES)
        xs = [p[0] for p in points] + [view[0][0], view[0][1]]
        ys = [p[1] for p in points] + [view[1][0], view[1][1]]
        view = ((min(xs), max(xs)), (min(ys), max(ys)))
        ax.set(xlim=view[0], ylim=view[1], xlabel="x1", ylabel="x2")
        colours = dict(zip(classes, class_colours(classes)))
        for name in classes:
            mine = [p for p in points if p[2] == name]
            if mine:
                ax.scatter(
                    [p[0] for p in mine],
                    [p[1] for p in mine],
                    s=30,
                    color=colours[name],
                    edgecolors="white",
                    label=name,
                )
        if points:
            figure.legend(
                loc="upper left", ncol=4, fontsize=8, frameon=False, bbox_to_anchor=(0.02, 0.995)
            )
        ax.text(
            0.5,
            0.5,
            "click to add points",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="grey",
            alpha=0.6,
        )
        canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    blank = np.full_like(rgb, 255)
    return np.concatenate([rgb, blank], axis=1), view


class ConfusionFrames:
    """The validation rows of one classification run by (true, predicted) class, beside its curves:
    a K x K matrix, or per label of a multi-label head the four counts (TN, FP, FN, TP). The axes
    are drawn once; a frame redraws the cells (and only when the counts have changed)."""

    MAX_NUMBERED = 64  # cells up to which each shows its count

    def __init__(self, run: TrainingRun):
        self.run = run
        self.canvas = BlitFigure(*CONFUSION_SIZE, dpi=TRAINING_DPI)
        ax = self.canvas.figure.add_axes((0.3, 0.2, 0.62, 0.6))
        names = run.data.names
        multilabel = run.data.kind == "labels"
        columns = ["TN", "FP", "FN", "TP"] if multilabel else names
        self.image = self.canvas.moves(
            ax.imshow(np.zeros((len(names), len(columns))), cmap="Blues", aspect="auto")
        )
        ax.set_xticks(
            range(len(columns)), columns, fontsize=7, rotation=45 if not multilabel else 0
        )
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_xlabel("per label" if multilabel else "predicted", fontsize=8)
        ax.set_ylabel("label" if multilabel else "true", fontsize=8)
        ax.set_title("validation rows", fontsize=9)
        self.numbers = {}
        if len(names) * len(columns) <= self.MAX_NUMBERED:
            for i in range(len(names)):
                for j in range(len(columns)):
                    self.numbers[i, j] = self.canvas.moves(
                        ax.text(j, i, "", ha="center", va="center", fontsize=7)
                    )
        self.counts, self.picture = None, None

    def draw(self) -> np.ndarray:
        counts = self.run.confusion()
        if self.picture is not None and np.array_equal(counts, self.counts):
            return self.picture
        top = counts.max() or 1
        self.image.set_data(counts)
        self.image.set_clim(0, top)
        for (i, j), text in self.numbers.items():
            text.set_text(str(int(counts[i, j])))
            text.set_color("white" if counts[i, j] > 0.6 * top else "black")
        self.counts, self.picture = counts, self.canvas.frame()
        return self.picture


def _finite(values) -> list:
    return [v for v in values if v is not None and math.isfinite(v)]


def _loss_span(values):
    finite = _finite(values)
    return (0.0, 1.1 * max(finite) or 1.0) if finite else None


def _score_span(values):
    """Scores are at most 1; R² may start far below 0."""
    finite = _finite(values)
    if not finite:
        return None
    low = min(0.0, min(finite))
    return (low - 0.05 * (1.0 - low) if low < 0 else 0.0), 1.02


def _log_span(values):
    finite = [v for v in _finite(values) if v > 0]
    if not finite:
        return None
    return 10 ** math.floor(math.log10(min(finite))), 10 ** math.ceil(
        math.log10(max(finite)) + 1e-9
    )


# ------------------------------------------------ the paths tab
PATHS_SIZE, DPI = (9.6, 4.3), 100  # 960 x 430 pixels
MAP_BOX = (0.07, 0.11, 0.45, 0.74)  # left, bottom, width, height in figure fractions
LOSS_BOX = (0.62, 0.11, 0.36, 0.74)
# As scripts/optimizer_paths.py.
STYLE = {
    "gd": "black",
    "momentum": "tab:red",
    "nag": "tab:orange",
    "adagrad": "tab:green",
    "rmsprop": "tab:blue",
    "adam": "tab:purple",
}
FLOOR = 1e-12  # the loss plot's floor: loss - minimum can reach 0


def point_at(pixel_x: float, pixel_y: float, view) -> tuple | None:
    """The surface point under a pixel of the picture (origin top left), or None outside the contour
    plot."""
    (x_lo, x_hi), (y_lo, y_hi) = view
    width, height = PATHS_SIZE[0] * DPI, PATHS_SIZE[1] * DPI
    fx, fy = pixel_x / width, 1.0 - pixel_y / height
    left, bottom, w, h = MAP_BOX
    u, v = (fx - left) / w, (fy - bottom) / h
    if not (0 <= u <= 1 and 0 <= v <= 1):
        return None
    return x_lo + u * (x_hi - x_lo), y_lo + v * (y_hi - y_lo)


class PathFrames:
    def __init__(self, result: dict, view, steps: int | None = None):
        self.result, s = result, result["settings"]
        self.steps = s["steps"] if steps is None else steps  # the x axis: a preview shows the run's
        self.names = s["lr_shared_by"]
        self.canvas = BlitFigure(*PATHS_SIZE, dpi=DPI)
        fig = self.canvas.figure
        self.map, self.loss = fig.add_axes(MAP_BOX), fig.add_axes(LOSS_BOX)
        self._contours(s, view)
        self._loss_axes(s)
        self.artists = {}
        for name in self.names:
            colour = STYLE[name]
            path = self.canvas.moves(
                *self.map.plot([], [], "-", color=colour, lw=1.3, marker=".", ms=2.5)
            )
            head = self.canvas.moves(
                *self.map.plot([], [], "o", color=colour, ms=6, mec="white", mew=0.8)
            )
            curve = self.canvas.moves(*self.loss.semilogy([], [], color=colour, lw=1.3, label=name))
            self.artists[name] = (path, head, curve)
        if "nag" in self.names:
            self.lookahead = self.canvas.moves(
                *self.map.plot(
                    [], [], "o", ms=3.5, mfc="none", mec="tab:orange", mew=0.9, alpha=0.9
                )
            )
        # Above both plots: inside either, it would hide a path or a curve somewhere.
        fig.legend(
            handles=[a[2] for a in self.artists.values()],
            loc="upper center",
            bbox_to_anchor=(0.55, 1.0),
            ncol=len(self.artists),
            fontsize=8,
            frameon=False,
        )
        self.step_text = self.canvas.moves(
            fig.text(0.005, 0.985, "", ha="left", va="top", fontsize=10)
        )
        self.canvas.on_top = list(self.map.spines.values())

    def _contours(self, s, view):
        draw_surface(self.map, self._surface(s), view, s["start"])

    def _surface(self, s) -> str:
        return next(name for name, spec in SURFACES.items() if spec["formula"] == s["formula"])

    def _loss_axes(self, s):
        gaps = [
            np.maximum(np.array(self.result[n]["loss"]) - s["min_loss"], FLOOR)
            for n in s["lr_shared_by"]
        ]
        finite = np.concatenate([g[np.isfinite(g)] for g in gaps]) if gaps else np.array([1.0])
        top = float(finite.max()) if finite.size else 1.0
        bottom = max(float(finite.min()) if finite.size else FLOOR, FLOOR)
        self.loss.set(
            xlim=(0, max(self.steps, 1)),
            ylim=(bottom / 3, top * 3),
            xlabel="step",
            ylabel="loss − minimum loss",
        )
        self.loss.axhline(s["tol"], color="grey", ls=":", lw=1)
        self.loss.annotate(
            f"tolerance {s['tol']:g}",
            (max(self.steps, 1), s["tol"]),
            xytext=(-3, 3),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color="grey",
        )
        self.loss.grid(alpha=0.3)
        # A few decades only: every tick label is laid out as mathtext, the costliest part of a
        # draw.
        self.loss.yaxis.set_major_locator(LogLocator(numticks=5))
        self.loss.yaxis.set_minor_locator(NullLocator())
        self.loss.set_title(
            f"lr = {s['lr']:g} for all, γ = {s['momentum']:g} (momentum, nag)", fontsize=9
        )

    def draw(self, step: int) -> np.ndarray:
        """The picture with every path up to `step`."""
        s = self.result["settings"]
        for name, (path, head, curve) in self.artists.items():
            row = self.result[name]
            k = int(np.searchsorted(row["loss_steps"], step, side="right"))
            points = np.array(row["path"][:k]).reshape(-1, 2)
            path.set_data(points[:, 0], points[:, 1])
            head.set_data(points[-1:, 0], points[-1:, 1])
            gaps = np.maximum(np.array(row["loss"][:k]) - s["min_loss"], FLOOR)
            curve.set_data(row["loss_steps"][:k], gaps)
        if "nag" in self.artists:
            row = self.result["nag"]
            k = int(np.searchsorted(row["lookahead_steps"], step, side="right"))
            ahead = np.array(row["lookahead"][:k]).reshape(-1, 2)
            self.lookahead.set_data(ahead[:, 0], ahead[:, 1])
        self.step_text.set_text(f"step {step} of {self.steps}")
        return self.canvas.frame()


def draw_surface(ax, surface: str, view: tuple, start) -> None:
    """The paths tab's map (PathFrames', and the stepper's): contours of log10(loss − minimum
    loss), the start, the wells of the local minimum."""
    (x_lo, x_hi), (y_lo, y_hi) = view
    spec = SURFACES[surface]
    gx, gy = torch.meshgrid(
        torch.linspace(x_lo, x_hi, 160, dtype=torch.float64),
        torch.linspace(y_lo, y_hi, 160, dtype=torch.float64),
        indexing="xy",
    )
    z = (spec["f"](torch.stack([gx, gy])) - min_loss(surface)).numpy()
    ax.contour(
        gx.numpy(),
        gy.numpy(),
        np.log10(np.maximum(z, 0) + 1e-3),
        levels=25,
        cmap="Greys",
        linewidths=0.6,
    )
    ax.plot(*start, "k*", ms=13, zorder=5)
    if surface == "local_minimum":
        wells = double_well_points()
        for key, label in (("shallow_x", "shallow"), ("deep_x", "deep")):
            ax.plot(wells[key], 0.0, "x", color="grey", ms=7)
            ax.annotate(
                label,
                (wells[key], 0.0),
                xytext=(0, -13),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="dimgrey",
            )
    ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="x", ylabel="y")
    ax.set_title(f"{surface.replace('_', ' ')}: {spec['formula']}", fontsize=9)
