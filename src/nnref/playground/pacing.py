"""Which epochs of a run to draw.

Drawing and sending a frame costs far more than an epoch on a small set, so a run draws about
MAX_FRAMES frames spread evenly over its epochs (the animation, whatever its length), plus its
last epoch; and when epochs are slow (many points, one row per update) at least one every
MAX_GAP_S seconds, so that a long run still streams several frames a second.
"""
from __future__ import annotations

import math
import time

MAX_FRAMES = 25
MAX_GAP_S = 0.15


class FramePacer:
    def __init__(self, epochs: int, max_frames: int = MAX_FRAMES, max_gap_s: float = MAX_GAP_S,
                 clock=time.perf_counter):
        self.epochs, self.max_gap_s, self.clock = int(epochs), max_gap_s, clock
        self.stride = max(1, math.ceil(self.epochs / max_frames))
        self.last = clock()

    def due(self, epoch: int) -> bool:
        """Whether to draw after this epoch (1-based; the last one is always drawn)."""
        return bool(epoch >= self.epochs or epoch % self.stride == 0 or self.clock() - self.last >= self.max_gap_s)

    def drawn(self) -> None:
        """Call after each frame: the gap is counted from the end of the last drawing."""
        self.last = self.clock()
