import logging
import os
from pathlib import Path

import pytest

from nnref.quiet import FILTERS
from nnref.train import compose

ROOT = Path(__file__).resolve().parents[1]
# Every optim= choice, written out (not read from nnref.optim's table, so a choice that vanishes
# from the table fails the tests that compose them).
OPTIMS = [
    *("gd", "momentum", "nag", "adagrad", "rmsprop", "adam"),
    *("torch_sgd", "torch_momentum", "torch_nesterov", "torch_adagrad", "torch_rmsprop"),
    "torch_adam",
]

logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
logging.getLogger("lightning.fabric").setLevel(logging.WARNING)


def pytest_configure(config):
    # pytest sets its own warning filters for each test: give it nnref's known ones
    # (nnref/quiet.py).
    for message in FILTERS:
        config.addinivalue_line("filterwarnings", f"ignore:{message}")


def make_cfg(overrides=(), run_dir=None):
    """Compose conf/train.yaml as `python train.py ...overrides` would, with Hydra's runtime set."""
    return compose(overrides, run_dir)


@pytest.fixture
def cfg_factory(tmp_path):
    def factory(*overrides, run_dir=None):
        return make_cfg(overrides, run_dir or tmp_path / "run")

    return factory


def run_cli(*args, cwd=None, timeout=300, script="train.py"):
    """Run a root script the way a user does, in a subprocess."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pytest_collection_modifyitems(config, items):
    # A module's browser tests share one server and one Chromium (its `site` fixture): under
    # pytest-xdist (make test: -n auto --dist loadgroup) they run in one worker, one after another,
    # so their timings are those of one page at a time while the other tests run beside them.
    for item in items:
        if "site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
