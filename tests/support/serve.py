"""Starting the playground in a subprocess on a free port, for tests and scripts.

The subprocess is `nnref-playground`, exactly what a user runs; `serve` waits until the
page answers and stops the server afterwards (its process only, by its id).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

# Imports (torch, Lightning, Gradio) and the first pictures take ~10 s on 2 cores; a guard, generous
# for two test suites at once (a load of 15 or more on 2 cores).
STARTUP_S = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = STARTUP_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the playground exited with code {process.returncode} before serving {url}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the playground did not answer at {url} within {timeout:.0f} s")


@contextlib.contextmanager
def serve(port: int | None = None, log_path: str | None = None, command=None, cwd=None):
    """Yield the URL of a playground running in a subprocess; stop it on exit.

    command: the program to start (default: this interpreter's `python -m nnref.playground`),
    given --port."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "GRADIO_ANALYTICS_ENABLED": "False"}
    command = list(command or [sys.executable, "-m", "nnref.playground"])
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd
    )
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not subprocess.DEVNULL:
            log.close()
