"""The room: every session's training runs, shared fairly among the server's cores.

A teacher's server holds a class. Training runs go to `concurrency` worker processes (one torch
thread each; a process each, since Python threads would share one interpreter lock and
matplotlib). A worker takes turns among the runs it holds: each turn trains one run until its
next frame is due (a fraction of a second), draws it, and passes to the next run, with a new run
going first, so that a student sees a first frame within a few turns however many long runs are
going, and the runs finish together instead of first come, first served. A run's frames come at
least MIN_FRAME_GAP_S apart, so that a browser shows each one. A run's numbers are its
seed's whatever else runs: its network and its batches come from its own generators (nnref.loop).

A session has one run at a time: starting another, or Stop, ends the first. A run past its share
of the work (streams.MAX_WORK_S) ends as "time limit". A worker that has served many runs is
replaced once it is idle, so that the processes' memory stays bounded however long the class.
Frames reach the page as image files in the run's own folder, deleted when its stream ends.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field

RECYCLE_AFTER = 100  # runs a worker serves before it is replaced (when idle)
# A run's frames come at least this far apart: a browser then loads each before the next replaces
# it (three tabs at once each see their animation), and an eye can follow a short run. With many
# runs a worker's turns space them further anyway; a waiting run costs no work.
MIN_FRAME_GAP_S = 0.12
JPEG_QUALITY = 85
PARENT_CHECK_S = 1.0  # an idle worker checks this often that the server still runs
REAP_EVERY_S = 1.0  # how often the server looks for a worker that died (its runs then end)


# ------------------------------------------------------------------ the worker processes
def write_picture(rgb, folder: str, count: int, lossless: bool) -> str:
    """A frame as a file: JPEG in between (~2 ms), PNG at the end (for a screenshot or download)."""
    from PIL import Image  # imported in the worker: the server's own process needs none of it

    path = os.path.join(folder, f"frame{count:04d}.{'png' if lossless else 'jpg'}")
    image = Image.fromarray(rgb)
    image.save(path, **({"compress_level": 1} if lossless else {"quality": JPEG_QUALITY}))
    return path


def message_of(frame, folder: str, count: int) -> dict:
    """What a frame sends to the page: plain data and file paths (pictures stay in the worker).
    The final frame brings the files a student takes home."""
    message = {
        "picture": write_picture(frame.picture, folder, count, lossless=frame.final),
        "status": frame.status,
        "epoch": frame.epoch,
        "state": frame.state,
        "summary": frame.summary,
        "summaries": frame.summaries,
        "command": frame.command,
        "data_csv": frame.data_csv,
        "view": frame.view,
        "downloads": [],
    }
    if frame.downloads:
        message["downloads"] = write_downloads(frame.downloads, message["picture"], folder)
    return message


def write_downloads(downloads: dict, picture: str, folder: str) -> list[str]:
    """model.ckpt (nnref-predict reads it), history.csv, and the final picture as picture.png."""
    import torch  # imported in the worker

    paths = []
    if "checkpoint" in downloads:
        paths.append(os.path.join(folder, "model.ckpt"))
        torch.save(downloads["checkpoint"], paths[-1])
    paths.append(os.path.join(folder, "history.csv"))
    with open(paths[-1], "w") as f:
        f.write(downloads["history"])
    paths.append(os.path.join(folder, "picture.png"))
    shutil.copyfile(picture, paths[-1])
    return paths


def worker_main(inbox, outbox) -> None:
    """A worker process: take turns among its runs until told to exit."""
    import torch

    from . import streams
    from .settings import SettingsError

    torch.set_num_threads(1)
    parent = os.getppid()
    outbox.put(("ready", os.getpid(), None))
    runs: deque = deque()  # (run_id, stream, folder, frames so far), in turn order
    due: dict = {}  # run_id -> when its next turn may come (MIN_FRAME_GAP_S after its last frame)
    while True:
        now = time.monotonic()
        wait = PARENT_CHECK_S if not runs else max(0.0, min(due[r[0]] for r in runs) - now)
        try:  # wait for work when idle, or until a run's turn is due; take whatever has come
            command = inbox.get(timeout=wait) if wait != 0.0 else inbox.get_nowait()
        except queue.Empty:
            command = None
            if os.getppid() != parent:  # the server is gone (killed): so is its room
                return
        while command is not None:
            kind = command[0]
            if kind == "exit":
                return
            if kind == "start":
                _, run_id, settings, csv_file, folder = command
                try:
                    stream = streams.TrainingStream(settings, csv_file)
                    outbox.put(("frame", run_id, message_of(stream.first(), folder, 0)))
                    runs.append((run_id, stream, folder, 1))
                    due[run_id] = time.monotonic() + MIN_FRAME_GAP_S
                except SettingsError as error:
                    outbox.put(("error", run_id, str(error)))
                except Exception as error:  # noqa: BLE001 - a run's failure must not end the worker
                    outbox.put(
                        ("error", run_id, f"the run failed: {type(error).__name__}: {error}")
                    )
            elif kind == "stop":
                for entry in list(runs):
                    if entry[0] == command[1]:
                        runs.remove(entry)
                        run_id, stream, folder, count = entry
                        due.pop(run_id, None)
                        outbox.put(("frame", run_id, message_of(stream.stop(), folder, count)))
                        outbox.put(("end", run_id, None))
            try:
                command = inbox.get_nowait()
            except queue.Empty:
                command = None
        now = time.monotonic()
        ready = [entry for entry in runs if due[entry[0]] <= now]
        if not ready:
            continue
        runs.remove(ready[0])  # the next run's turn: the first in turn order that is due
        run_id, stream, folder, count = ready[0]
        try:
            frame = stream.advance()
        except Exception as error:  # noqa: BLE001
            outbox.put(("error", run_id, f"the run failed: {type(error).__name__}: {error}"))
            due.pop(run_id, None)
            continue
        if frame is None:
            outbox.put(("end", run_id, None))
            due.pop(run_id, None)
            continue
        outbox.put(("frame", run_id, message_of(frame, folder, count)))
        if frame.final:
            outbox.put(("end", run_id, None))
            due.pop(run_id, None)
        else:
            runs.append((run_id, stream, folder, count + 1))
            due[run_id] = time.monotonic() + MIN_FRAME_GAP_S


# ------------------------------------------------------------------ the server's side
@dataclass
class Run:
    run_id: int
    session: str
    worker: int
    folder: str
    messages: queue.Queue = field(default_factory=queue.Queue)
    ended: bool = False  # its end (or an error) has come
    shown: bool = False  # its first frame has come

    def __iter__(self):
        """The run's messages, (kind, payload), until its end."""
        while not self.ended:
            kind, payload = self.messages.get()
            if kind in ("end", "error"):
                self.ended = True
            if kind != "end":
                yield kind, payload

    def drain(self, timeout: float = 10.0) -> None:
        """Wait (a while at most) for the end of a run that was told to stop."""
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            try:
                kind, _ = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return
            self.ended = kind in ("end", "error")


class Worker:
    def __init__(self, context, outbox):
        self.inbox = context.Queue()
        self.process = context.Process(target=worker_main, args=(self.inbox, outbox), daemon=True)
        self.process.start()
        self.active: set[int] = set()
        self.served = 0
        self.ready = threading.Event()


class Room:
    def __init__(self, concurrency: int | None = None):
        self.concurrency = max(1, int(concurrency or os.cpu_count() or 1))
        self.context = multiprocessing.get_context("spawn")  # not fork: the server has threads
        self.outbox = self.context.Queue()
        self.workers = [Worker(self.context, self.outbox) for _ in range(self.concurrency)]
        self.runs: dict[int, Run] = {}
        self.by_session: dict[str, int] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.folder = tempfile.mkdtemp(prefix="nnref-playground-room-")
        self.closed = False
        threading.Thread(target=self.dispatch, name="nnref-room", daemon=True).start()

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every worker has imported what it needs (a few seconds: torch, matplotlib)."""
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if not worker.ready.wait(max(0.0, deadline - time.monotonic())):
                raise RuntimeError("the playground's worker processes did not start")

    # -------------------------------------------------------------- runs
    def start(self, session: str, settings, csv_file: str | None = None) -> Run:
        """A new run for the session (its earlier run, if any, is stopped first)."""
        self.stop(session)
        with self.lock:
            index = min(
                (i for i, w in enumerate(self.workers) if w.served < RECYCLE_AFTER or not w.active),
                key=lambda i: len(self.workers[i].active),
                default=min(range(len(self.workers)), key=lambda i: len(self.workers[i].active)),
            )
            worker = self.recycled(index)
            run = Run(next(self.ids), session, index, tempfile.mkdtemp(dir=self.folder))
            self.runs[run.run_id] = run
            self.by_session[session] = run.run_id
            worker.active.add(run.run_id)
            worker.served += 1
            worker.inbox.put(("start", run.run_id, settings, csv_file, run.folder))
        return run

    def stop(self, session: str) -> bool:
        """Stop the session's run, if it has one going; its last frame says where it stopped."""
        with self.lock:
            run_id = self.by_session.get(session)
            run = self.runs.get(run_id)
            if run is None:
                return False
            self.workers[run.worker].inbox.put(("stop", run_id))
        return True

    def stop_run(self, run: Run) -> None:
        """Stop this run (not whatever the session has started since)."""
        with self.lock:
            if run.run_id in self.runs:
                self.workers[run.worker].inbox.put(("stop", run.run_id))

    def running(self, session: str) -> bool:
        """Whether the session has a run whose end has not come yet."""
        with self.lock:
            run = self.runs.get(self.by_session.get(session))
            return run is not None and not run.ended

    def finished(self, run: Run) -> None:
        """Forget a run whose stream has ended, and delete its frames (Gradio has copied them)."""
        with self.lock:
            self.runs.pop(run.run_id, None)
            if self.by_session.get(run.session) == run.run_id:
                del self.by_session[run.session]
            self.workers[run.worker].active.discard(run.run_id)
        shutil.rmtree(run.folder, ignore_errors=True)

    def place(self, run: Run) -> int:
        """How many runs start before this one (its worker draws their first frames first): 0
        once its own first frame has come."""
        with self.lock:
            if run.shown:
                return 0
            return sum(
                1
                for other in self.runs.values()
                if other.worker == run.worker and not other.shown and other.run_id < run.run_id
            )

    @property
    def load(self) -> int:
        """Runs going now, across the workers."""
        with self.lock:
            return len(self.runs)

    # -------------------------------------------------------------- workers
    def recycled(self, index: int) -> Worker:
        """The worker, replaced by a fresh process first if it died or has served its share and
        is idle. (The caller holds the lock.)"""
        worker = self.workers[index]
        if not worker.process.is_alive():
            return self.replace(index)
        if worker.served >= RECYCLE_AFTER and not worker.active:
            worker.inbox.put(("exit",))
            self.workers[index] = worker = Worker(self.context, self.outbox)
        return worker

    def replace(self, index: int) -> Worker:
        """A fresh process for a worker that died; each run it had ends with an error that says
        so (the caller holds the lock)."""
        for run_id in self.workers[index].active:
            run = self.runs.get(run_id)
            if run is not None:
                run.messages.put(
                    ("error", "the server's worker for this run stopped; press Train again")
                )
        self.workers[index] = Worker(self.context, self.outbox)
        return self.workers[index]

    def dispatch(self) -> None:
        """Route the workers' messages to their runs; a worker that died ends its runs."""
        reaped = time.monotonic()
        while not self.closed:
            if time.monotonic() - reaped >= REAP_EVERY_S:  # however busy the outbox is
                self.reap()
                reaped = time.monotonic()
            try:
                kind, run_id, payload = self.outbox.get(timeout=REAP_EVERY_S)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            if kind == "ready":  # run_id is the worker's pid here
                for worker in self.workers:
                    if worker.process.pid == run_id:
                        worker.ready.set()
                continue
            run = self.runs.get(run_id)
            if run is not None:
                run.shown = run.shown or kind == "frame"
                run.messages.put((kind, payload))

    def reap(self) -> None:
        """Replace every worker that died."""
        with self.lock:
            for index, worker in enumerate(self.workers):
                if not worker.process.is_alive():
                    self.replace(index)

    def close(self) -> None:
        self.closed = True
        for worker in self.workers:
            worker.inbox.put(("exit",))
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
