"""The grader's child process: one exercise of one notebook, run as the notebook would run it,
its probe's data sent back as JSON.

worker.py forks it from a process that imported this module once (torch is imported, and warmed
up, before any child exists), so a child starts in milliseconds. The child then, before any of the
student's code runs:

- takes a session of its own (the worker stops it, and whatever it started, as one group);
- works in its scratch folder, with an environment of a few plain variables;
- writes what it prints to a file in that folder, its first megabyte kept;
- limits its address space to what it has now plus the memory limit, its CPU time, and the
  size of a file it writes;
- puts nnref out of sight (guard.py).

Then the notebook's import statements, the definitions the exercise's cell uses from earlier
cells, and that cell; then the probe (nnref.testing.probes), which reads what the student's code
returned as plain data. It writes JSON lines to its pipe: {"stage": "defined"} (or "undefined"
with the cell's error), then {"stage": "done", "data": ...}. Nothing else crosses: no pickle, no
object.

This module imports torch and the kit's probes, never nnref's reference implementations.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import resource
import signal
import sys

import matplotlib

matplotlib.use("Agg")  # a notebook's plt.show() draws nowhere
import matplotlib.pyplot  # noqa: E402, F401 - imported once here, not in every child
import torch  # noqa: E402

from nnref.testing.probes import probe_exercise  # noqa: E402
from nnref.testing.problems import error_line  # noqa: E402

from . import guard  # noqa: E402

# Taken once, here: the student's code runs later in the same process and may replace them.
DUMPS = json.dumps
WRITE = os.write
EXIT = os._exit


def warm_up() -> None:
    """torch's lazy imports (an optimizer's first step imports torch._dynamo, 1-2 s), done once
    in the forkserver rather than in every child."""
    torch.set_num_threads(1)
    p = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    optimizer.zero_grad()
    (p**2).sum().backward()
    optimizer.step()
    scheduler.step()
    optimizer.load_state_dict(optimizer.state_dict())


warm_up()


class Capped(io.TextIOBase):
    """A text stream that keeps its first `limit` characters and drops the rest, quietly: a flood
    of prints costs the student nothing but time."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.written = stream, limit, 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.written
        self.written += len(text)
        if room > 0:
            try:
                self.stream.write(text[:room])
            except OSError:  # past RLIMIT_FSIZE: dropped as well
                pass
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            pass


def address_space() -> int:
    """The process's address space now, in bytes (Linux; 0 where unknown)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def limit(kind: int, value: int) -> None:
    """A resource limit, where the system has it (macOS, for one, refuses RLIMIT_AS)."""
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def confine(scratch: str, limits: dict) -> Capped:
    """Everything the child does before the student's code (the module's docstring); the stream
    that keeps what it prints."""
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(
        {"HOME": scratch, "TMPDIR": scratch, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    )
    output = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    silent = os.open(os.devnull, os.O_RDONLY)
    os.dup2(silent, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    stream = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), errors="replace")
    printed = sys.stdout = sys.stderr = Capped(stream, limits["output_bytes"])
    sys.stdin = io.StringIO()
    # Past the file size limit a write fails (EFBIG) rather than ending the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit(resource.RLIMIT_FSIZE, limits["output_bytes"])
    limit(resource.RLIMIT_CORE, 0)
    # A backstop should the worker be gone: the worker stops the child at the wall-time limit.
    cpu = int(limits["seconds"]) * 2 + 5
    limit(resource.RLIMIT_CPU, cpu)
    signal.alarm(cpu)
    if address_space():
        limit(resource.RLIMIT_AS, address_space() + limits["memory_mb"] * 2**20)
    return printed


def run(source: str, cell: int, namespace: dict, first_line: int = 1) -> None:
    """A piece of a cell, compiled so that a traceback names the cell and its line."""
    code = compile("\n" * (first_line - 1) + source, f"<cell {cell}>", "exec")
    exec(code, namespace)  # noqa: S102 - the student's code: what this process is for


def define(job: dict) -> tuple[dict, str | None]:
    """The notebook's imports, the definitions the exercise uses, then its cell: (the namespace,
    None) or (the namespace, the error that left the exercise undefined)."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    for piece in job["imports"]:
        try:
            run(piece["source"], piece["cell"], namespace, piece["line"])
        except BaseException:  # noqa: BLE001 - an import that fails leaves its name undefined
            pass
    guard.strict()
    for piece in job["definitions"]:
        try:
            run(piece["source"], piece["cell"], namespace, piece["line"])
        except BaseException:  # noqa: BLE001 - as a cell that raised: its name stays undefined
            pass
    try:
        run(job["cell"]["source"], job["cell"]["cell"], namespace)
    except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        return namespace, error_line(error)
    if job["exercise"] not in namespace:
        return namespace, f"NameError: the cell does not define {job['exercise']}"
    return namespace, None


def main(job: dict, pipe: int, scratch: str, limits: dict) -> None:
    """The child's whole life: confine, define, probe, report, exit. Never returns."""

    def send(message: dict) -> None:
        data = memoryview(DUMPS(message).encode() + b"\n")
        while data:
            data = data[WRITE(pipe, data) :]

    try:
        printed = confine(scratch, limits)
        guard.install()
        namespace, error = define(job)
        if error is not None:
            printed.flush()
            send({"stage": "undefined", "error": error, "uses": guard.used()})
            EXIT(0)
        send({"stage": "defined"})
        data = probe_exercise(
            job["exercise"],
            namespace[job["exercise"]],
            seconds=None,
            seed=job["seed"],
            closure=job["closure"],
        )
        printed.flush()
        send({"stage": "done", "data": data, "uses": guard.used()})
    except BaseException as error:  # noqa: BLE001 - the worker reads a crash from what is missing
        try:
            send({"stage": "crashed", "error": error_line(error)})
        except BaseException:  # noqa: BLE001
            pass
    EXIT(0)
