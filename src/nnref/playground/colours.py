"""Colours of classes and tags, and the shading of a map from predicted probabilities.

The course's points are named by colour (red, black, yellow, blue), so those classes get their own
colour; other classes take matplotlib's tab10. A class map mixes the class colours by probability;
tags mix like filters laid over each other (a point with two tags gets both tints).
"""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_rgb

NAMED = {"red": "#d62728", "black": "#252525", "yellow": "#f0b400", "blue": "#1f77b4"}
TAG_COLOURS = ("#17becf", "#e377c2", "#f0b400")  # cyan, magenta, yellow: they mix like printing inks
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
    """(n, L) probabilities -> (n, 3): each tag a filter of its colour, strength = its probability."""
    return np.prod(1.0 - probs[:, :, None] * (1.0 - colours[None, :, :]), axis=1)


def lighten(rgb: np.ndarray, amount: float = LIGHTEN) -> np.ndarray:
    return rgb + amount * (1.0 - rgb)


def values(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Numbers -> (n, 3) viridis colours over [lo, hi]."""
    return VALUE_MAP(np.clip((v - lo) / ((hi - lo) or 1.0), 0, 1))[:, :3]
