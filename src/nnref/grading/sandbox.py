"""The grader's side of its children: a worker process per job, and one exercise run at a time
in each (worker.py forks the child, child.py runs it).

    with Sandbox(Limits(seconds=10, memory_mb=2048), jobs=2) as sandbox:
        outcome = sandbox.run(job)   # from any of `jobs` threads at once

An outcome is plain data, parsed from JSON: the child's messages, how it ended ("exited" or
"time", and "exit 0", "SIGSEGV", ...), its seconds, peak memory and printed bytes. Nothing the
student's code made is unpickled here.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass

# A worker's environment, and so every child's: nothing of the teacher's (no tokens, no keys),
# what torch and matplotlib need to stay quiet and single-threaded.
ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONWARNINGS": "ignore",
}


@dataclass(frozen=True)
class Limits:
    seconds: float = 10.0  # wall time per exercise, from the fork to its last message
    memory_mb: int = 2048  # address space above the interpreter's own (torch's mappings included)
    output_bytes: int = 1_000_000  # printed output kept


class Worker:
    """One worker process (worker.py), started now; it imports torch while the grader goes on."""

    def __init__(self, log):
        # -I: isolated, so that no folder of the teacher's (nor a student's torch.py) is on its path
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "nnref.grading.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=ENVIRONMENT,
            cwd=tempfile.gettempdir(),
            text=True,
            bufsize=1,
        )

    def run(self, job: dict, limits: Limits) -> dict | None:
        """The job's outcome, or None when the worker itself is gone."""
        try:
            self.process.stdin.write(json.dumps({"job": job, "limits": asdict(limits)}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        return json.loads(line) if line else None

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Sandbox:
    def __init__(self, limits: Limits = Limits(), jobs: int = 1, log=subprocess.DEVNULL):
        self.limits, self.log = limits, log
        self.workers = [Worker(log) for _worker in range(jobs)]
        self.idle: queue.Queue[Worker] = queue.Queue()
        for worker in self.workers:
            self.idle.put(worker)
        self.stopping = False

    def run(self, job: dict) -> dict:
        """Run one exercise's job in a child of an idle worker (waiting for one)."""
        worker = self.idle.get()
        try:
            outcome = worker.run(job, self.limits)
            if outcome is None and not self.stopping:
                # The worker died (killed from outside): a fresh one takes its place.
                worker.close()
                worker = Worker(self.log)
                self.workers.append(worker)
            return outcome or {"messages": [], "ended": "exited", "how": "worker stopped"}
        finally:
            self.idle.put(worker)

    def stop(self) -> None:
        """Stop every worker now (the batch was interrupted); a worker stops its child."""
        self.stopping = True
        for worker in self.workers:
            # SIGINT, not SIGKILL: the worker's KeyboardInterrupt stops its child on the way out.
            worker.process.send_signal(signal.SIGINT)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
