"""The training tab's two pictures, redrawn as a run streams: the decision map and the curves.

The map shades the predicted class (or tag) probabilities over the plane, with the points on top
(filled: training rows, hollow: validation rows); for a 1-D regression it is the fitted curve
through the points. The curves are the train and validation loss and score per epoch, and the mean
|dE/dnet| at the output units (log scale: saturation shows as a flat line near 1e-3).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D

from . import colours
from .blit import BlitFigure
from .runs import GRID, SCORES, TrainingRun

SIZE = (4.4, 4.1)  # inches at 100 dpi: 440 x 410 pixels, small enough to draw and send many a second


class MapFrames:
    """The decision map of one run."""

    def __init__(self, run: TrainingRun):
        self.run, data = run, run.data
        self.head, self.kind = run.settings.head, data.kind
        self.canvas = BlitFigure(*SIZE)
        fig = self.canvas.figure
        self.ax = ax = fig.add_axes([0.13, 0.11, 0.83, 0.72])
        x_train, t_train = data.points("train")
        x_val, t_val = data.points("val")
        axes = run.grid_axes
        ax.set_xlim(axes[0][0], axes[0][-1])
        ax.set_xlabel(data.features[0])
        self.epoch_text = self.canvas.moves(fig.text(0.96, 0.955, "", ha="right", va="top", fontsize=10))
        if len(axes) == 1:
            self._curve(x_train, t_train, x_val, t_val)
        else:
            self._plane(x_train, t_train, x_val, t_val)
        self.canvas.on_top = list(ax.spines.values())

    # ------------------------------------------------------------ layouts
    def _plane(self, x_train, t_train, x_val, t_val):
        ax, data, axes = self.ax, self.run.data, self.run.grid_axes
        ax.set_ylim(axes[1][0], axes[1][-1])
        ax.set_ylabel(data.features[1])
        extent = (axes[0][0], axes[0][-1], axes[1][0], axes[1][-1])
        self.image = self.canvas.moves(ax.imshow(np.ones((GRID, GRID, 3)), extent=extent, origin="lower",
                                                 interpolation="bilinear", aspect="auto"))
        if self.kind == "number":  # two features, a number: the map shades the predicted value
            lo, hi = float(np.min(t_train)), float(np.max(t_train))
            self.colour_of = lambda v: colours.values(v, lo, hi)
            face_train, edge_val = self.colour_of(t_train), self.colour_of(t_val)
            handles = []
        else:
            names = data.names
            palette = colours.tag_colours(len(names)) if self.kind == "labels" else colours.class_colours(names)
            mix = colours.mix_tags if self.kind == "labels" else colours.mix_classes
            self.colour_of = lambda p: mix(p, palette)
            one_hot = (lambda t: t) if self.kind == "labels" else (lambda t: np.eye(len(names))[t])
            face_train, edge_val = self.colour_of(one_hot(t_train)), self.colour_of(one_hot(t_val))
            handles = [Line2D([], [], ls="", marker="s", ms=9, color=c, label=n) for n, c in zip(names, palette)]
        edge_train = "black" if self.kind == "labels" else "white"
        self.canvas.moves(
            ax.scatter(x_train[:, 0], x_train[:, 1], s=22, c=face_train, edgecolors=edge_train, linewidths=0.6),
            ax.scatter(x_val[:, 0], x_val[:, 1], s=26, facecolors="none", edgecolors=edge_val, linewidths=1.4))
        handles += [Line2D([], [], ls="", marker="o", color="grey", label="train"),
                    Line2D([], [], ls="", marker="o", mfc="none", color="grey", label="val")]
        title = "tags (mixed where they overlap)" if self.kind == "labels" else None
        self.canvas.figure.legend(handles=handles, loc="upper left", ncol=min(len(handles), 5), fontsize=8,
                                  frameon=False, bbox_to_anchor=(0.02, 0.995), title=title, title_fontsize=8,
                                  handletextpad=0.2, columnspacing=0.9)

    def _curve(self, x_train, t_train, x_val, t_val):
        ax = self.ax
        lo, hi = float(np.min(t_train)), float(np.max(t_train))
        pad = 0.25 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(self.run.data.csv_target or "target")
        ax.scatter(x_train[:, 0], t_train, s=14, color="#1f77b4", alpha=0.8, label="train")
        ax.scatter(x_val[:, 0], t_val, s=18, facecolors="none", edgecolors="#1f77b4", label="val")
        self.line = self.canvas.moves(*ax.plot([], [], color="#d62728", lw=2.2, label="the net's output"))
        self.canvas.figure.legend(loc="upper left", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.02, 0.995))

    # ------------------------------------------------------------ one frame
    def draw(self, epoch: int) -> np.ndarray:
        pred = self.run.predictions()
        if hasattr(self, "line"):
            self.line.set_data(self.run.grid_axes[0], pred)
        else:
            rgb = self.colour_of(pred)
            self.image.set_data(colours.lighten(np.nan_to_num(rgb, nan=1.0)).reshape(GRID, GRID, 3))
        self.epoch_text.set_text(f"epoch {epoch}/{self.run.settings.epochs}")
        return self.canvas.frame()


class CurveFrames:
    """Loss, score and mean |dE/dnet| against epoch for one run; axis limits grow as needed."""

    def __init__(self, run: TrainingRun):
        self.run = run
        self.canvas = BlitFigure(*SIZE)
        fig = self.canvas.figure
        self.axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"hspace": 0.12, "left": 0.16, "right": 0.97,
                                                                  "top": 0.9, "bottom": 0.11})
        score = SCORES[run.settings.head]
        labels = ("loss", score, "mean |∂E/∂net|")
        self.lines = {}
        for ax, label, keys in zip(self.axes, labels, (("train_loss", "val_loss"), ("train_score", "val_score"),
                                                       ("grad",))):
            ax.set_ylabel(label, fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
            for key in keys:
                style = {"ls": "--"} if key.startswith("val") else {}
                colour = "#ff7f0e" if key.startswith("val") else "#1f77b4"
                self.lines[key] = self.canvas.moves(*ax.plot([], [], color=colour, lw=1.6, **style))
        self.axes[2].set_yscale("log")
        self.axes[2].set_xlabel("epoch", fontsize=9)
        self.axes[0].set_xlim(0, max(run.settings.epochs, 1))
        fig.legend(handles=[Line2D([], [], color="#1f77b4", label="train"),
                            Line2D([], [], color="#ff7f0e", ls="--", label="val")],
                   loc="upper left", ncol=2, fontsize=8, frameon=False, bbox_to_anchor=(0.14, 0.995))
        self.limits = [None, None, None]

    def draw(self) -> np.ndarray:
        h = self.run.history
        for key, line in self.lines.items():
            line.set_data(h["epoch"], np.where(np.isfinite(h[key]), h[key], np.nan))
        if self._grow_limits():
            self.canvas.redraw_background()
        return self.canvas.frame()

    def _grow_limits(self) -> bool:
        """Widen an axis whose data left it; True if any did (the background must be redrawn)."""
        h, changed = self.run.history, False
        wanted = (_loss_span(h["train_loss"] + h["val_loss"]), _score_span(h["train_score"] + h["val_score"]),
                  _log_span(h["grad"]))
        for i, (ax, want) in enumerate(zip(self.axes, wanted)):
            have = self.limits[i]
            if want is not None and (have is None or want[0] < have[0] or want[1] > have[1]):
                self.limits[i] = want
                ax.set_ylim(*want)
                changed = True
        return changed


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
    return 10 ** math.floor(math.log10(min(finite))), 10 ** math.ceil(math.log10(max(finite)) + 1e-9)
