"""A stream's frames as image files, written cheaply, for Gradio to serve.

Given an array, Gradio encodes it as PNG: ~15 ms for a 960 x 430 picture, more than drawing it.
Frames in between are written here as JPEG at quality 92 instead (~2 ms; at that quality lines and
text stay clean), the last one as PNG (lossless, for a screenshot or the download), and Gradio only
copies each file into its cache. The folder lives as long as one stream: Gradio has copied each
frame before it resumes the stream for the next one.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np
from PIL import Image

JPEG_QUALITY = 92


class FrameFiles:
    def __init__(self):
        self.folder = tempfile.TemporaryDirectory(prefix="nnref-playground-frames-")
        self.count = 0

    def write(self, rgb: np.ndarray, lossless: bool = False) -> str:
        self.count += 1
        name = os.path.join(self.folder.name, f"frame{self.count:05d}")
        if lossless:
            Image.fromarray(rgb).save(name + ".png", compress_level=1)
            return name + ".png"
        Image.fromarray(rgb).save(name + ".jpg", quality=JPEG_QUALITY)
        return name + ".jpg"

    def close(self) -> None:
        self.folder.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
