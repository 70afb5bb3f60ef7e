"""A matplotlib figure that is drawn whole once, then per frame only its moving artists.

A full draw of a small figure costs 30-40 ms, mostly in ticks and text; restoring the saved
background and drawing a few artists on it (matplotlib's blitting) costs a few ms, which is what
lets a run stream many frames a second. No pyplot: each figure belongs to one run, so sessions
never share one.
"""
from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


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
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def frame(self) -> np.ndarray:
        """The figure as an RGB array (height, width, 3), a copy the caller may keep."""
        if self.background is None:
            self.redraw_background()
        self.canvas.restore_region(self.background)
        for artist in (*self.moving, *self.on_top):
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()
