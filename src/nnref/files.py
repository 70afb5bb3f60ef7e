"""Files written whole or not at all: a temporary file in the same folder, then a rename.

A run killed mid-write (even with SIGKILL) leaves either the previous complete file or the new
complete one, never a truncated results.json, predictions file or checkpoint.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path


def write_atomic(path, write, binary: bool = False) -> None:
    """Call `write(f)` on a temporary file beside `path`, then rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(
            tmp, "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})
        ) as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(path, header, rows) -> None:
    """A CSV file (a header row, then the rows), written whole or not at all."""

    def write(f):
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)

    write_atomic(path, write)
