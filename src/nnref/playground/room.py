"""The room: every session's training runs, shared fairly among the server's cores.

A teacher's server holds a class. Training runs go to `concurrency` worker processes (one torch
thread each; a process each, since Python threads would share one interpreter lock and
matplotlib). The workers are forked from a server process that has imported torch and the
playground's drawing once (multiprocessing's "forkserver"), so a worker, or its replacement, starts
at once. A worker takes turns among the runs it holds: each turn trains one run until its next frame
is due (a fraction of a second), draws it, and passes to the next run, a new run going first, so
that a student sees a first frame within a few turns however many long runs are going, and the runs
finish together instead of first come, first served. A run's frames come at least MIN_FRAME_GAP_S
apart, so that a browser shows each one. A run's numbers are its seed's whatever else runs: its
network and its batches come from its own generators (nnref.loop).

A session has one run at a time: starting another, or Stop, ends the first. A run past its share
of the work (streams.MAX_WORK_S) ends as "time limit". A worker that has served many runs is
replaced once it is idle, so that the processes' memory stays bounded however long the class.
Frames reach the page as image files in the run's own folder, deleted when its stream ends.

The server and its workers speak in a few typed messages: Start, Stop and Exit to a worker; Ready,
Frame, Failed and Ended back.
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
from multiprocessing import connection

from ..locale.messages import _, join

RECYCLE_AFTER = 100  # runs a worker serves before it is replaced (when idle)
# A run's frames come at least this far apart: a browser then loads each before the next replaces
# it (three tabs at once each see their animation), and an eye can follow a short run. With many
# runs a worker's turns space them further anyway; a waiting run costs no work.
MIN_FRAME_GAP_S = 0.12
JPEG_QUALITY = 85
PARENT_CHECK_S = 1.0  # an idle worker checks this often that the server still runs
REAP_EVERY_S = 1.0  # how often the server looks for a worker that died (its runs then end)
PRELOAD = ["nnref.playground.streams"]  # what the fork server imports once, for every worker


# ------------------------------------------------------------------ the messages
@dataclass(frozen=True)
class Start:
    run_id: int
    settings: object  # TrainingSettings
    csv_file: str | None
    folder: str


@dataclass(frozen=True)
class Stop:
    run_id: int


@dataclass(frozen=True)
class Exit:
    pass


@dataclass(frozen=True)
class Ready:
    pid: int


@dataclass(frozen=True)
class Frame:
    run_id: int
    message: dict  # what the page shows: picture file, status, state, command, downloads, ...


@dataclass(frozen=True)
class Failed:
    run_id: int
    why: str  # a message


@dataclass(frozen=True)
class Ended:
    run_id: int


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


class Turns:
    """A worker's runs, in turn order, each with when its next turn may come."""

    def __init__(self, outbox):
        self.outbox = outbox
        self.runs: deque = deque()  # [run_id, stream, folder, frames so far]
        self.due: dict = {}  # run_id -> when its next turn may come

    def wait_s(self) -> float:
        """How long the worker may wait for a message before a run's turn is due."""
        if not self.runs:
            return PARENT_CHECK_S
        return max(0.0, min(self.due[r[0]] for r in self.runs) - time.monotonic())

    def send(self, run, frame) -> None:
        """A run's frame to the page; a final one ends the run, else the run waits its turn."""
        run_id, _stream, folder, count = run
        self.outbox.send(Frame(run_id, message_of(frame, folder, count)))
        if frame.final:
            self.end(run_id)
        else:
            self.runs.append([run_id, _stream, folder, count + 1])
            self.due[run_id] = time.monotonic() + MIN_FRAME_GAP_S

    def end(self, run_id: int, why=None) -> None:
        self.due.pop(run_id, None)
        self.outbox.send(Failed(run_id, why) if why else Ended(run_id))

    def start(self, command: Start) -> None:
        from . import streams
        from .settings import SettingsError

        try:
            stream = streams.TrainingStream(command.settings, command.csv_file)
            self.send([command.run_id, stream, command.folder, 0], stream.first())
        except SettingsError as error:
            self.end(command.run_id, join(list(error.errors.values()), "; "))
        except Exception as error:  # noqa: BLE001 - a run's failure must not end the worker
            self.end(command.run_id, failure(error))

    def stop(self, command: Stop) -> None:
        for run in [r for r in self.runs if r[0] == command.run_id]:
            self.runs.remove(run)
            self.send(run, run[1].stop())

    def take_turn(self) -> None:
        """The first run in turn order whose turn is due trains until its next frame."""
        now = time.monotonic()
        ready = next((r for r in self.runs if self.due[r[0]] <= now), None)
        if ready is None:
            return
        self.runs.remove(ready)
        try:
            frame = ready[1].advance()
        except Exception as error:  # noqa: BLE001
            self.end(ready[0], failure(error))
            return
        if frame is None:
            self.end(ready[0])
        else:
            self.send(ready, frame)


def failure(error: Exception):
    return _("the run failed: {kind}: {error}", kind=type(error).__name__, error=str(error))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_main(inbox, outbox, server: int) -> None:
    """A worker process: take turns among its runs until told to exit, or until the server is
    gone (its parent is the fork server, which a killed server leaves behind a while). It sends on
    `outbox`, its own pipe to the server."""
    import torch

    torch.set_num_threads(1)
    turns = Turns(outbox)
    outbox.send(Ready(os.getpid()))
    while True:
        try:  # wait for work when idle, or until a run's turn is due; take whatever has come
            command = inbox.get(timeout=turns.wait_s())
        except queue.Empty:
            command = None
            if not alive(server):  # the server is gone (killed): so is its room
                return
        while command is not None:
            if isinstance(command, Exit):
                return
            turns.start(command) if isinstance(command, Start) else turns.stop(command)
            try:
                command = inbox.get_nowait()
            except queue.Empty:
                command = None
        turns.take_turn()


# ------------------------------------------------------------------ the server's side
@dataclass
class Run:
    run_id: int
    session: str
    worker: int
    folder: str
    messages: queue.Queue = field(default_factory=queue.Queue)
    ended: bool = False  # its end (or its failure) has come
    shown: bool = False  # its first frame has come

    def __iter__(self):
        """The run's frames and its failure, if it fails, until its end."""
        while not self.ended:
            message = self.messages.get()
            self.ended = isinstance(message, (Ended, Failed))
            if not isinstance(message, Ended):
                yield message

    def drain(self, timeout: float = 10.0) -> None:
        """Wait (a while at most) for the end of a run that was told to stop."""
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return
            self.ended = isinstance(message, (Ended, Failed))


class Worker:
    def __init__(self, context):
        self.inbox = context.Queue()
        # Each worker has a channel back of its own. A worker killed while it sends (or while it
        # holds a queue's lock, were the queue shared) would leave the others' messages stuck
        # behind its half-written one; alone on its pipe, it leaves only its own end closed.
        self.outbox, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=worker_main, args=(self.inbox, sender, os.getpid()), daemon=True
        )
        self.process.start()
        sender.close()  # the worker holds the only sending end: its death reads as EOF here
        self.active: set[int] = set()
        self.served = 0
        self.ready = threading.Event()


def context():
    """Workers forked from a process that imported torch and the drawing once (not forked from
    the server itself, which has threads)."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver


class Room:
    def __init__(self, concurrency: int | None = None):
        self.concurrency = max(1, int(concurrency or os.cpu_count() or 1))
        self.context = context()
        self.workers = [Worker(self.context) for _ in range(self.concurrency)]
        # Replaced workers, read until their pipes close (what they still send, then EOF).
        self.retired: list[Worker] = []
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
        """A new run for the session (its earlier run, if any, is stopped first), on the worker
        with the fewest runs (one past its share of runs only if none other can take it)."""
        self.stop(session)
        with self.lock:
            fresh = [
                i for i, w in enumerate(self.workers) if w.served < RECYCLE_AFTER or not w.active
            ]
            index = min(
                fresh or range(len(self.workers)), key=lambda i: len(self.workers[i].active)
            )
            worker = self.recycled(index)
            run = Run(next(self.ids), session, index, tempfile.mkdtemp(dir=self.folder))
            self.runs[run.run_id] = run
            self.by_session[session] = run.run_id
            worker.active.add(run.run_id)
            worker.served += 1
            worker.inbox.put(Start(run.run_id, settings, csv_file, run.folder))
        return run

    def stop(self, session: str) -> bool:
        """Stop the session's run, if it has one going; its last frame says where it stopped."""
        with self.lock:
            run = self.runs.get(self.by_session.get(session))
            if run is None:
                return False
            self.workers[run.worker].inbox.put(Stop(run.run_id))
        return True

    def stop_run(self, run: Run) -> None:
        """Stop this run (not whatever the session has started since)."""
        with self.lock:
            if run.run_id in self.runs:
                self.workers[run.worker].inbox.put(Stop(run.run_id))

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
            worker.inbox.put(Exit())
            self.retired.append(worker)
            self.workers[index] = worker = Worker(self.context)
        return worker

    def replace(self, index: int) -> Worker:
        """A fresh process for a worker that died; each run it had ends with a failure that says
        so (the caller holds the lock)."""
        for run_id in self.workers[index].active:
            run = self.runs.get(run_id)
            if run is not None:
                why = _("the server's worker for this run stopped; press Train again")
                run.messages.put(Failed(run_id, why))
        if not self.workers[index].outbox.closed:  # else dispatch() has read its end already
            self.retired.append(self.workers[index])
        self.workers[index] = Worker(self.context)
        return self.workers[index]

    def dispatch(self) -> None:
        """Route the workers' messages to their runs; a worker that died ends its runs."""
        reaped = time.monotonic()
        while not self.closed:
            if time.monotonic() - reaped >= REAP_EVERY_S:  # however busy the workers are
                self.reap()
                reaped = time.monotonic()
            with self.lock:
                everyone = [*self.workers, *self.retired]
                outboxes = {w.outbox: w for w in everyone if not w.outbox.closed}
            for outbox in connection.wait(list(outboxes), timeout=REAP_EVERY_S):
                try:
                    message = outbox.recv()
                except (EOFError, OSError):  # the worker ended: reap() replaces it if it died
                    self.closed_outbox(outboxes[outbox])
                    continue
                self.route(outboxes[outbox], message)

    def closed_outbox(self, worker: Worker) -> None:
        """Close a pipe whose worker has ended (only this thread reads or closes the pipes)."""
        worker.outbox.close()
        with self.lock:
            if worker in self.retired:
                self.retired.remove(worker)

    def route(self, worker: Worker, message) -> None:
        if isinstance(message, Ready):
            worker.ready.set()
            return
        run = self.runs.get(message.run_id)
        if run is not None:
            run.shown = run.shown or isinstance(message, Frame)
            run.messages.put(message)

    def reap(self) -> None:
        """Replace every worker that died."""
        with self.lock:
            for index, worker in enumerate(self.workers):
                if not worker.process.is_alive():
                    self.replace(index)

    def close(self) -> None:
        self.closed = True
        for worker in self.workers:
            worker.inbox.put(Exit())
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
