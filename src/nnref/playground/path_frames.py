"""The paths tab's picture: the paths growing over the surface's contours, and loss against step.

Left: contour lines of log10(loss - minimum loss), the start (a star), each optimizer's path and
its current point; NAG's look-ahead points w - gamma*m (where its gradient is taken) are small
hollow orange circles. Right: loss - minimum loss against step (log scale) with the tolerance.
The layout is fixed so that a click on the picture maps back to a point of the surface (`point_at`).
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.ticker import LogLocator, NullLocator

from ..experiments.optimizer_paths import SURFACES
from .blit import BlitFigure

SIZE, DPI = (9.6, 4.3), 100  # 960 x 430 pixels
MAP_BOX = (0.07, 0.11, 0.45, 0.74)  # left, bottom, width, height in figure fractions
LOSS_BOX = (0.62, 0.11, 0.36, 0.74)
STYLE = {"gd": "black", "momentum": "tab:red", "nag": "tab:orange", "adagrad": "tab:green", "rmsprop": "tab:blue",
         "adam": "tab:purple"}  # as scripts/optimizer_paths.py
FLOOR = 1e-12  # the loss plot's floor: loss - minimum can reach 0


def point_at(pixel_x: float, pixel_y: float, view) -> tuple | None:
    """The surface point under a pixel of the picture (origin top left), or None outside the contour plot."""
    (x_lo, x_hi), (y_lo, y_hi) = view
    width, height = SIZE[0] * DPI, SIZE[1] * DPI
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
        self.canvas = BlitFigure(*SIZE, dpi=DPI)
        fig = self.canvas.figure
        self.map, self.loss = fig.add_axes(MAP_BOX), fig.add_axes(LOSS_BOX)
        self._contours(s, view)
        self._loss_axes(s)
        self.artists = {}
        for name in self.names:
            colour = STYLE[name]
            path = self.canvas.moves(*self.map.plot([], [], "-", color=colour, lw=1.3, marker=".", ms=2.5))
            head = self.canvas.moves(*self.map.plot([], [], "o", color=colour, ms=6, mec="white", mew=0.8))
            curve = self.canvas.moves(*self.loss.semilogy([], [], color=colour, lw=1.3, label=name))
            self.artists[name] = (path, head, curve)
        if "nag" in self.names:
            self.lookahead = self.canvas.moves(*self.map.plot([], [], "o", ms=3.5, mfc="none", mec="tab:orange",
                                                              mew=0.9, alpha=0.9))
        # Above both plots: inside either, it would hide a path or a curve somewhere.
        fig.legend(handles=[a[2] for a in self.artists.values()], loc="upper center", bbox_to_anchor=(0.55, 1.0),
                   ncol=len(self.artists), fontsize=8, frameon=False)
        self.step_text = self.canvas.moves(fig.text(0.005, 0.985, "", ha="left", va="top", fontsize=10))
        self.canvas.on_top = list(self.map.spines.values())

    def _contours(self, s, view):
        (x_lo, x_hi), (y_lo, y_hi) = view
        f = SURFACES[self._surface(s)]["f"]
        gx, gy = torch.meshgrid(torch.linspace(x_lo, x_hi, 160, dtype=torch.float64),
                                torch.linspace(y_lo, y_hi, 160, dtype=torch.float64), indexing="xy")
        z = (f(torch.stack([gx, gy])) - s["min_loss"]).numpy()
        self.map.contour(gx.numpy(), gy.numpy(), np.log10(np.maximum(z, 0) + 1e-3), levels=25, cmap="Greys",
                         linewidths=0.6)
        self.map.plot(*s["start"], "k*", ms=13, zorder=5)
        if "wells" in s:  # the local minimum: mark the shallow and the deep well
            for key, label in (("shallow_x", "shallow"), ("deep_x", "deep")):
                self.map.plot(s["wells"][key], 0.0, "x", color="grey", ms=7)
                self.map.annotate(label, (s["wells"][key], 0.0), xytext=(0, -13), textcoords="offset points",
                                  ha="center", fontsize=7, color="dimgrey")
        self.map.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="x", ylabel="y")
        self.map.set_title(f"{self._surface(s).replace('_', ' ')}: {s['formula']}", fontsize=9)

    def _surface(self, s) -> str:
        return next(name for name, spec in SURFACES.items() if spec["formula"] == s["formula"])

    def _loss_axes(self, s):
        gaps = [np.maximum(np.array(self.result[n]["loss"]) - s["min_loss"], FLOOR) for n in s["lr_shared_by"]]
        finite = np.concatenate([g[np.isfinite(g)] for g in gaps]) if gaps else np.array([1.0])
        top = float(finite.max()) if finite.size else 1.0
        bottom = max(float(finite.min()) if finite.size else FLOOR, FLOOR)
        self.loss.set(xlim=(0, max(self.steps, 1)), ylim=(bottom / 3, top * 3), xlabel="step",
                      ylabel="loss − minimum loss")
        self.loss.axhline(s["tol"], color="grey", ls=":", lw=1)
        self.loss.annotate(f"tolerance {s['tol']:g}", (max(self.steps, 1), s["tol"]), xytext=(-3, 3),
                           textcoords="offset points", ha="right", fontsize=7, color="grey")
        self.loss.grid(alpha=0.3)
        # A few decades only: every tick label is laid out as mathtext, the costliest part of a draw.
        self.loss.yaxis.set_major_locator(LogLocator(numticks=5))
        self.loss.yaxis.set_minor_locator(NullLocator())
        self.loss.set_title(f"lr = {s['lr']:g} for all, γ = {s['momentum']:g} (momentum, nag)", fontsize=9)

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
