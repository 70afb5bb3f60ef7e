"""The room (nnref.playground.room): runs from many sessions share the server's worker processes,
each gets exactly its seed's numbers, a session sees and stops only its own run, and nothing of a
run is kept after it ends."""

from __future__ import annotations

import os
import re
import threading

import pytest

from nnref.playground import room as rooms
from nnref.playground import streams
from nnref.playground.form import parse_training

# Every test here starts the room's worker processes.
pytestmark = pytest.mark.slow

FINAL = re.compile(r"train loss [-\d.e+]+ → ([-\d.e+]+)")


@pytest.fixture(scope="module")
def room():
    r = rooms.Room(concurrency=2)
    r.wait_ready()
    yield r
    r.close()


def run_through(room, session, settings, csv_file=None):
    """Start a run and read all its messages: [(kind, payload)], "frame" or "error"."""
    run = room.start(session, settings, csv_file)
    try:
        return [pair(message) for message in run]
    finally:
        room.finished(run)


def pair(message) -> tuple:
    """A room's message as (kind, what it carries): a frame's page message, or why it failed."""
    if isinstance(message, rooms.Failed):
        return "error", message.why
    return "frame", message.message


def pairs(run) -> list:
    return [pair(message) for message in run]


def alone(settings):
    """The status of the last frame of these settings trained in this process, alone."""
    return list(streams.training_frames(settings))[-1].status


def final_loss(status: str) -> str:
    return FINAL.search(status).group(1)


def test_runs_at_once_each_get_exactly_what_their_settings_give_alone(room):
    students = [parse_training({"seed": i, "lr": 0.01 + 0.004 * i, "epochs": 30}) for i in range(6)]
    expected = [final_loss(alone(s)) for s in students]
    got = {}

    def student(i):
        messages = run_through(room, f"student-{i}", students[i])
        got[i] = messages

    threads = [threading.Thread(target=student, args=(i,)) for i in range(len(students))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for i, messages in got.items():
        frames = [payload for kind, payload in messages if kind == "frame"]
        assert [kind for kind, _ in messages] == ["frame"] * len(frames)
        assert frames[0]["epoch"] == 0 and frames[-1]["state"] == "done"
        assert final_loss(frames[-1]["status"]) == expected[i], i
    assert len(got) == len(students)


def test_stop_ends_only_the_sessions_own_run(room):
    long = parse_training({"epochs": 500, "batching": "stochastic"})
    mine, theirs = room.start("mine", long), room.start("theirs", long)
    try:
        next(iter(mine)), next(iter(theirs))  # both going
        assert room.stop("mine")
        last = [payload for kind, payload in pairs(mine) if kind == "frame"][-1]
        assert last["state"] == "stopped" and last["epoch"] < 500
        kind, frame = pair(next(iter(theirs)))  # the other run goes on
        assert kind == "frame" and frame["state"] == "running" and room.running("theirs")
        assert not room.running("mine")
    finally:
        room.stop_run(theirs)
        theirs.drain()
        room.finished(mine)
        room.finished(theirs)


def test_a_session_has_one_run_at_a_time(room):
    long = parse_training({"epochs": 500, "batching": "stochastic"})
    first = room.start("one", long)
    next(iter(first))
    second = room.start("one", parse_training({"epochs": 5}))
    assert [p for k, p in pairs(first) if k == "frame"][-1]["state"] == "stopped"
    assert [p for k, p in pairs(second) if k == "frame"][-1]["state"] == "done"
    room.finished(first)
    room.finished(second)


def test_a_run_leaves_nothing_behind_and_brings_its_downloads(room):
    run = room.start("tidy", parse_training({"epochs": 3}))
    messages = [payload for kind, payload in pairs(run)]
    last = messages[-1]
    assert {os.path.basename(p) for p in last["downloads"]} == {
        "model.ckpt",
        "history.csv",
        "picture.png",
    }
    assert all(os.path.exists(m["picture"]) for m in messages)
    room.finished(run)
    assert not os.path.exists(run.folder) and room.load == 0 and not room.running("tidy")


def test_bad_data_is_an_error_message_and_the_worker_lives_on(room, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2\n")
    messages = run_through(room, "bad", parse_training({"data": "csv"}), str(bad))
    assert messages[-1][0] == "error" and "CSV file" in messages[-1][1]
    good = run_through(room, "bad", parse_training({"epochs": 2}))
    assert good[-1][1]["state"] == "done"


def test_a_worker_is_replaced_after_its_share_of_runs(monkeypatch):
    monkeypatch.setattr(rooms, "RECYCLE_AFTER", 2)
    r = rooms.Room(concurrency=1)
    try:
        r.wait_ready()
        pids = []
        for i in range(3):
            pids.append(r.workers[0].process.pid)
            run_through(r, "s", parse_training({"epochs": 2, "seed": i}))
        pids.append(r.workers[0].process.pid)
        r.start("s", parse_training({"epochs": 2})).drain(60)
        assert pids[0] == pids[1] == pids[2] and r.workers[0].process.pid != pids[0]
    finally:
        r.close()


def test_a_worker_that_dies_mid_run_ends_its_run_with_an_error_and_is_replaced():
    r = rooms.Room(concurrency=1)
    try:
        r.wait_ready()
        pid = r.workers[0].process.pid
        run = r.start("s", parse_training({"epochs": 500}))
        messages = iter(run)
        assert pair(next(messages))[0] == "frame"
        r.workers[0].process.kill()
        # the run ends (it does not wait for good) with a message that says what happened
        rest = []
        reader = threading.Thread(target=lambda: rest.extend(map(pair, messages)), daemon=True)
        reader.start()
        reader.join(timeout=300)
        assert not reader.is_alive(), "the run still waits for its dead worker"
        assert rest[-1] == ("error", "the server's worker for this run stopped; press Train again")
        r.finished(run)
        assert run_through(r, "s", parse_training({"epochs": 2}))[-1][1]["state"] == "done"
        assert r.workers[0].process.pid != pid
    finally:
        r.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is pid (the room's workers, for a server)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", ["terminate", "kill"])
def test_the_workers_end_with_their_server_however_it_ends(how):
    import signal
    import subprocess
    import sys
    import time

    from support.serve import free_port, wait_until_up

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nnref.playground", "--port", str(port), "--concurrency", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server)
        # the workers are forked from the server's fork server (room.context)
        forkservers = [p for p in children(server.pid) if "forkserver" in cmdline(p)]
        workers = [worker for f in forkservers for worker in children(f)]
        assert len(forkservers) == 1 and len(workers) == 2
        server.send_signal(signal.SIGTERM if how == "terminate" else signal.SIGKILL)
        server.wait(timeout=300)
        deadline = time.monotonic() + 300  # a guard: each worker sees within a second or so
        room = [*forkservers, *workers]
        while any(alive(p) for p in room) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(p) for p in room), [(p, cmdline(p)[:70]) for p in room if alive(p)]
    finally:
        if server.poll() is None:
            server.kill()
