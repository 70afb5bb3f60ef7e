"""A clean, single-threaded process that forks the grader's children, one per exercise.

Importing torch takes seconds; forking a process that has already imported it takes milliseconds.
The grader starts one worker per job (`python -I -m nnref.grading.worker`, with an environment of
a few plain variables, so no secret of the teacher's is in it to inherit). A worker imports
child.py once (torch, warmed up) and nothing of nnref's reference, then for each job it reads on
its standard input (a JSON line):

- forks a child, which takes a session of its own and runs the job (child.py);
- reads the child's JSON lines from a pipe until its last message, its end, or the time limit;
- stops the child's whole process group, and reaps it (its peak memory, how it ended);
- writes the outcome as one JSON line on its standard output.

The worker never runs a student's code itself, so one child's crash, loop or os._exit costs only
that exercise.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time

from . import child

MAX_BYTES = 64 * 2**20  # a child that writes more than this to its pipe is stopped
FINAL = ("undefined", "done", "crashed")  # a child's last message


def collect(pipe: int, deadline: float) -> tuple[list, str]:
    """The child's messages, and how reading ended: "exited" (its pipe closed, or its last
    message came) or "time" (the deadline passed first)."""
    messages, buffer = [], bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pipe], [], [], left)[0]:
            return messages, "time"
        chunk = os.read(pipe, 1 << 16)
        if not chunk or len(buffer) + len(chunk) > MAX_BYTES:
            return messages, "exited"
        buffer += chunk
        while b"\n" in buffer:
            line, _newline, rest = bytes(buffer).partition(b"\n")
            buffer = bytearray(rest)
            try:
                message = json.loads(line)
            except (ValueError, RecursionError):
                return messages, "exited"
            if not isinstance(message, dict):
                return messages, "exited"
            messages.append(message)
            if message.get("stage") in FINAL:
                return messages, "exited"


def ending(status: int) -> str:
    """How a reaped process ended, in a word: "exit 0", "SIGSEGV"."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return signal.Signals(number).name
        return f"signal {number}"
    return f"exit {os.WEXITSTATUS(status)}"


def supervise(job: dict, limits: dict) -> dict:
    """Run one job in a forked child; its outcome as plain data."""
    scratch = tempfile.mkdtemp(prefix="nnref-grade-")
    reading, writing = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setsid()
            os.close(reading)
            child.main(job, writing, scratch, limits)
        finally:
            os._exit(1)
    os.close(writing)
    try:
        messages, ended = collect(reading, started + limits["seconds"])
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # the child and whatever it started
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _pid, status, usage = os.wait4(pid, 0)
        os.close(reading)
    output = os.path.join(scratch, "output.txt")
    printed = os.path.getsize(output) if os.path.exists(output) else 0
    shutil.rmtree(scratch, ignore_errors=True)
    return {
        "messages": messages,
        "ended": ended,
        "how": ending(status),
        "seconds": round(time.monotonic() - started, 3),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KB
        "output_bytes": printed,
    }


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        outcome = supervise(request["job"], request["limits"])
        sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
