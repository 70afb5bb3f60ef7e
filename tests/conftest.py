import logging
import os
import warnings
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig

ROOT = Path(__file__).resolve().parents[1]
CONF = str(ROOT / "conf")

warnings.filterwarnings("ignore", message=".*treespec.*")
logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
logging.getLogger("lightning.fabric").setLevel(logging.WARNING)


def make_cfg(overrides=(), run_dir=None):
    """Compose conf/train.yaml as `python train.py ...overrides` would, with Hydra's runtime set."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF, version_base="1.3"):
        extra = [f"run_dir={run_dir}"] if run_dir is not None else ["run_dir=unused"]
        cfg = compose("train", overrides=[*overrides, *extra], return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)
    return cfg


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
    return subprocess.run([sys.executable, str(ROOT / script), *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
