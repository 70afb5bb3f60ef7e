"""Work a test run does once, whichever pytest-xdist worker asks first: the others wait on its lock
and use what it made (the site, built once for every test that reads it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock  # torch's own dependency


def run_folder(tmp_path_factory) -> Path:
    """A folder every worker of this run shares (each worker's basetemp is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """run_folder/NAME, made by make(folder) the first time any worker asks. A make that fails
    leaves no mark: the next to ask tries again (and fails the same way, naming why)."""
    folder = run_folder(tmp_path_factory) / name
    done = folder.with_name(f"{name}.done")
    with FileLock(folder.with_name(f"{name}.lock")):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder
