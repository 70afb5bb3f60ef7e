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


def run_cli(*args, cwd=None, timeout=600, script="train.py"):
    """Run a root script the way a user does, in a subprocess."""
    import subprocess
    import sys

    # English, whatever the caller's locale: the tests read the commands' English words.
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "LANGUAGE": "en"}
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------- the browser tests
# One Chromium and one playground server per test worker, started when its first browser test asks
# and shared by every module after it: each test opens its own browser contexts (a new session
# each, as another student's tab), which close when it ends.
@pytest.fixture(scope="session")
def chromium():
    from support.page import chromium as launch
    from support.page import needs_browser_packages

    needs_browser_packages()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def playground_url(tmp_path_factory, chromium):
    """`nnref-playground`, as a teacher starts it (python -m nnref.playground), on a free port."""
    from support.serve import serve

    with serve(log_path=str(tmp_path_factory.mktemp("playground") / "server.log")) as url:
        yield url


@pytest.fixture
def site(playground_url, chromium):
    """The playground's page for one test: `url, chromium = site`; open_page(site, "?query")."""
    from support.page import Site

    opened = Site(playground_url, chromium)
    yield opened
    opened.close()


@pytest.hookimpl(wrapper=True)  # around pytest-xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    # The site's tests share one build (tests/test_docs.py): in one worker, so that the other never
    # waits on its lock. Everything else spreads over the workers as they come free.
    for item in items:
        if "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("site"))
    result = yield
    # A group that does not reach the scheduler is no error to pytest-xdist: its tests are then
    # spread like any others, and two workers each wait on the other's build. Fail them instead.
    if getattr(config.option, "loadgroup", False):  # set in pytest-xdist's workers
        for item in items:
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
                item.add_marker(pytest.mark.group_lost)
    return result


def pytest_runtest_setup(item):
    if item.get_closest_marker("group_lost"):
        pytest.fail(
            "--dist loadgroup did not group this test: this pytest and pytest-xdist do not work "
            "together (pytest-xdist#1386); install the dev extra, which pins a pytest that does"
        )
