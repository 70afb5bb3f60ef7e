"""The playground (nnref.playground): its run logic, URL state, input checks and its equality with
nnref.experiments, then the page itself in a headless Chromium (the tests marked slow).

The browser tests need gradio and playwright (`pip install -e ".[playground]"`) and a Chromium:
Debian's `chromium` where there is one (NNREF_CHROMIUM names another), else Playwright's own
(`python -m playwright install chromium`). Where one is missing they fail and say what to install.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
import torch
from support.page import choose, field_value, losses, open_page, wait_for_status, wait_for_value

from nnref.experiments import optimizer_paths, saturation
from nnref.optim import OPTIMIZERS
from nnref.playground import data as datasets
from nnref.playground import streams
from nnref.playground import url as urlstate
from nnref.playground.command import is_saturation_experiment, reproduce, train_overrides
from nnref.playground.form import checked, parse_paths, parse_training
from nnref.playground.runs import TrainingRun, rows, run_paths
from nnref.playground.settings import MAX_EPOCHS, PathSettings, SettingsError, TrainingSettings
from nnref.playground.streams import FramePacer


@pytest.fixture(autouse=True)
def one_torch_thread():
    """As the page runs (page.build_app): one intra-op thread; tiny nets on shared cores crawl with
    more."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def errors_of(parse, values: dict) -> dict:
    with pytest.raises(SettingsError) as caught:
        parse(values)
    return caught.value.errors


def load_errors(values: dict, csv_file=None) -> dict:
    with pytest.raises(SettingsError) as caught:
        streams.check_data(parse_training(values), csv_file)
    return caught.value.errors


def write_csv(path, text: str) -> str:
    path.write_text(text)
    return str(path)


# ----------------------------------------------------- input checks: each message names its field
def test_bad_numbers_and_hidden_sizes_are_named_with_what_is_valid():
    errors = errors_of(
        parse_training, {"lr": -0.1, "hidden": "a,b", "epochs": MAX_EPOCHS + 1, "seed": 1.5}
    )
    assert set(errors) == {"lr", "hidden", "epochs", "seed"}
    assert errors["lr"].startswith("lr:") and "> 0" in errors["lr"]
    assert errors["hidden"].startswith("hidden layers:") and "'a,b'" in errors["hidden"]
    # The stated cap.
    assert errors["epochs"].startswith("epochs:") and f"≤ {MAX_EPOCHS}" in errors["epochs"]
    assert errors_of(parse_training, {"lr": 0})["lr"].startswith("lr: 0 is out of range")
    assert errors_of(parse_training, {"lr": None})["lr"] == "lr: give a number > 0 and ≤ 10"


def test_the_heads_own_rules_are_named_on_their_fields():
    assert errors_of(parse_training, {"head": "regression", "loss": "ce"}) == {
        "loss": "loss: 'ce' is not one of mse"
    }
    ordinal = errors_of(parse_training, {"head": "multiclass", "encoding": "ordinal", "loss": "ce"})
    # the head's own words (MulticlassHead.check_options), named on the field
    assert list(ordinal) == ["encoding"] and "take the loss mse" in ordinal["encoding"]
    assert "wrong_start" in errors_of(
        parse_training, {"head": "regression", "loss": "mse", "wrong_start": True}
    )


def test_hidden_fields_do_not_block_a_run():
    # γ is for momentum and NAG only; a bad γ left over from them must not stop GD.
    assert parse_training({"optimizer": "gd", "gamma": 7}).gamma == TrainingSettings().gamma
    assert "gamma" in errors_of(parse_training, {"optimizer": "nag", "gamma": 1.0})


def test_epochs_times_points_is_capped_on_the_epochs_field():
    errors = load_errors({"epochs": 600})  # 600 x 200 red/black points > 100,000
    assert list(errors) == ["epochs"] and "at most 500 for 200 points" in errors["epochs"]
    streams.check_data(parse_training({"epochs": 500}))  # at the cap: fine


def test_a_csv_with_text_in_a_feature_column_names_the_column(tmp_path):
    path = write_csv(
        tmp_path / "points.csv", "a,colour,label\n1,red,x\n2,blue,y\n3,red,x\n4,blue,y\n5,red,x\n"
    )
    errors = load_errors({"data": "csv"}, path)
    assert (
        list(errors) == ["csv_file"]
        and "row 1, column 'colour' holds text ('red')" in errors["csv_file"]
    )
    assert "upload a CSV" in load_errors({"data": "csv"}, None)["csv_file"]


def test_a_target_that_does_not_fit_the_task_is_named(tmp_path):
    assert load_errors({"data": "red_yellow_blue", "head": "binary"}) == {
        "head": "task head: binary does not fit this data (3 classes); choose multiclass"
    }
    three = write_csv(
        tmp_path / "three.csv",
        "x1,x2,y\n" + "".join(f"{i},{i % 5},{'abc'[i % 3]}\n" for i in range(30)),
    )
    errors = load_errors({"data": "csv", "head": "binary"}, three)
    assert list(errors) == ["csv_target"] and "exactly 2 distinct values" in errors["csv_target"]
    errors = load_errors({"data": "csv", "head": "regression", "loss": "mse"}, three)
    assert "needs numbers" in errors["csv_target"]


def test_paths_settings_are_checked_and_take_the_surfaces_defaults():
    errors = errors_of(parse_paths, {"p_lr": -1, "optimizers": [], "steps": 10**6})
    assert set(errors) == {"p_lr", "optimizers", "steps"}
    ravine = parse_paths({"surface": "ravine"})
    spec = optimizer_paths.SURFACES["ravine"]
    assert (ravine.x0, ravine.y0, ravine.lr, ravine.steps) == (
        *spec["start"],
        spec["lr"],
        spec["steps"],
    )


# ----------------------------------------------------- URL state
def test_url_state_round_trips_and_the_plain_page_has_a_plain_url():
    assert urlstate.encode({}, {}) == ""
    training = {
        "data": "red_yellow_blue",
        "head": "multiclass",
        "encoding": "ordinal",
        "loss": "mse",
        "hidden": "",
        "optimizer": "nag",
        "lr": 0.05,
        "gamma": 0.8,
        "epochs": 300,
        "wrong_start": True,
        "csv_target": "label",
    }
    paths = {
        "surface": "ravine",
        "x0": -5.5,
        "y0": 0.25,
        "optimizers": ["gd", "nag"],
        "p_lr": 0.01,
        "steps": 200,
    }
    query = urlstate.encode(training, paths, "paths")
    assert (
        "opt=nag" in query
        and "hidden=&" in query
        and "p_opts=gd,nag" in query
        and query.endswith("tab=paths")
    )
    assert urlstate.decode(query) == (training, paths, "paths")
    assert urlstate.decode("?" + query) == (training, paths, "paths")


def test_url_values_that_cannot_be_read_are_named_and_left_to_their_defaults():
    training, paths, tab = urlstate.decode("lr=abc&epochs=50&p_steps=x&tab=nowhere&unknown=1")
    assert (training, paths, tab) == ({"lr": "abc", "epochs": 50}, {"steps": "x"}, "training")
    training, paths, errors = checked(training, paths)
    assert (training, paths) == ({"epochs": 50}, {})
    assert errors["lr"].startswith("link: lr: 'abc' is not a number; give a number > 0")
    assert errors["p_steps"].startswith("link: steps: 'x' is not a whole number")


def test_a_bad_link_names_every_bad_value_with_what_is_valid():
    training, paths, errors = checked(
        *urlstate.decode("lr=abc&opt=nope&epochs=999999999&hidden=8,8")[:2]
    )
    assert training == {"hidden": "8,8"} and sorted(errors) == ["epochs", "lr", "optimizer"]
    assert "'nope' is not one of gd, momentum, nag, adagrad, rmsprop, adam" in errors["optimizer"]
    assert (
        "epochs: 999999999 is out of range; give a whole number ≥ 1 and ≤ 1000" in errors["epochs"]
    )
    assert all(m.endswith("(its default is used)") for m in errors.values())


# ----------------------------------------------------- run logic
def test_a_run_streams_paced_frames_and_learns():
    frames = list(streams.training_frames(parse_training({"optimizer": "nag", "lr": 0.02})))
    first, last = frames[0], frames[-1]
    assert first.state == "running" and first.epoch == 0 and first.command is not None
    # Paced: see the pacer's test.
    assert last.state == "done" and last.epoch == 100 and 10 <= len(frames) <= 101
    assert [f.epoch for f in frames] == sorted(f.epoch for f in frames)
    assert (
        last.summary["final_loss"] < 0.5 * last.summary["first_loss"]
        and last.summary["final_val_score"] > 0.85
    )
    # The map changed.
    assert first.picture.shape == last.picture.shape and not np.array_equal(
        first.picture, last.picture
    )


def test_closing_the_stream_stops_the_run_between_two_epochs():
    settings = parse_training({"epochs": 500})
    frames = streams.training_frames(settings)
    seen = [next(frames) for _ in range(3)]
    frames.close()  # what Stop (Gradio's cancel) does to the generator
    assert seen[-1].state == "running" and seen[-1].epoch < settings.epochs
    with pytest.raises(StopIteration):
        next(frames)


def test_a_run_past_the_time_limit_stops_and_says_so():
    last = list(streams.training_frames(parse_training({"epochs": 500}), max_work_s=0.0))[-1]
    assert last.state == "time limit" and last.epoch < 500 and "limit for one run" in last.status


def test_a_run_waiting_for_a_busy_machine_is_not_cut_short_by_the_limit(monkeypatch):
    settings = parse_training({"epochs": 5})
    alone = streams.TrainingStream(settings)
    while alone.advance() is not None:
        pass
    work = alone.work_s
    # The same run on a busy server: before each epoch it waits for a core (a sleep does no work),
    # so that on the wall it takes longer than the limit, which is twice its own work.
    step_epoch = streams.TrainingStream.step_epoch

    def waiting(stream):
        time.sleep((3 * work + 1.5) / settings.epochs)
        return step_epoch(stream)

    monkeypatch.setattr(streams.TrainingStream, "step_epoch", waiting)
    busy = list(streams.training_frames(settings, max_work_s=2 * work + 0.5))
    assert busy[-1].state == "done" and busy[-1].epoch == settings.epochs, busy[-1].status


def test_the_pacer_spreads_frames_and_keeps_slow_runs_moving():
    clock = iter(np.arange(0, 100, 0.01)).__next__  # 10 ms per call
    pacer = FramePacer(100, max_frames=25, max_gap_s=10.0, clock=clock)
    assert sum(pacer.due(e) for e in range(1, 101)) == 25
    slow = FramePacer(
        10_000, max_frames=4, max_gap_s=0.015, clock=iter(np.arange(0, 100, 0.01)).__next__
    )
    # The gap, not the stride, asked for a frame.
    assert slow.due(1) is False and slow.due(2) is True


@pytest.mark.parametrize(
    "values",
    [
        {"data": "red_yellow_blue", "head": "multiclass"},
        {"data": "red_yellow_blue", "head": "multiclass", "encoding": "ordinal", "loss": "mse"},
        {"data": "tagged_points", "head": "multilabel", "wrong_start": True},
        {
            "data": "curve",
            "head": "regression",
            "loss": "mse",
            "output": "sigmoid",
            "schedule": "cosine",
        },
        {
            "batching": "stochastic",
            "optimizer": "adam",
            "schedule": "step",
            "activation": "tanh",
            "hidden": "8, 8",
        },
    ],
)
def test_every_data_set_head_and_option_runs(values):
    frames = list(streams.training_frames(parse_training({**values, "epochs": 3})))
    assert frames[-1].state == "done" and frames[-1].epoch == 3 and frames[-1].picture.ndim == 3


def test_a_users_csv_trains(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    text = "a,b,label\n" + "".join(
        f"{p:.3f},{q:.3f},{'yes' if p + q > 0 else 'no'}\n" for p, q in x
    )
    settings = parse_training({"data": "csv", "epochs": 20})
    last = list(streams.training_frames(settings, write_csv(tmp_path / "d.csv", text)))[-1]
    assert last.state == "done" and last.summary["final_loss"] < last.summary["first_loss"]


def test_a_diverging_run_stops_and_says_so():
    values = {
        "data": "curve",
        "head": "regression",
        "loss": "mse",
        "optimizer": "gd",
        "lr": 10.0,
        "batching": "full",
        "epochs": 50,
    }
    last = list(streams.training_frames(parse_training(values)))[-1]
    assert last.state == "diverged" and last.epoch < 50 and "smaller lr" in last.status


def test_identity_hidden_layers_fold_into_one_linear_map():
    settings = parse_training({"activation": "identity", "hidden": "8, 8", "epochs": 5})
    frames = list(streams.training_frames(settings))
    assert "one linear map" in frames[-1].status
    run = TrainingRun(settings, datasets.load(settings))
    assert streams.fold_difference(run) < 1e-5


# ----------------------------------------------------- one implementation: the experiments' numbers
def test_the_playground_reproduces_the_saturation_experiment_exactly():
    settings = parse_training(
        {
            "wrong_start": True,
            "loss": "mse",
            "optimizer": "gd",
            "lr": 0.5,
            "batching": "full",
            "epochs": 30,
        }
    )
    assert is_saturation_experiment(settings)
    data = datasets.load(settings)
    run = TrainingRun(settings, data)
    for _ in run.epochs():
        pass
    expected = saturation.train_from_wrong_start(
        data.splits, "mse", epochs=30, lr=0.5, hidden=(16,), seed=0
    )
    # Equal, not close: the same code ran. With the whole batch per update, an epoch's train loss
    # (the loss its one batch had before the update) is the loss after the epoch before.
    assert run.history["train_loss"] == [expected["loss"][0], *expected["loss"][:-1]]
    assert run.history["train_score"] == expected["acc"]
    assert "saturation.train_from_wrong_start" in reproduce(settings, data)[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "values",
    [
        {},  # the page as it opens: binary, momentum, mini-batches
        {
            "data": "red_yellow_blue",
            "head": "multiclass",
            "optimizer": "nag",
            "batching": "stochastic",
            "schedule": "step",
            "epochs": 12,
            "seed": 4,
        },
        {
            "data": "curve",
            "head": "regression",
            "loss": "mse",
            "optimizer": "adam",
            "lr": 0.01,
            "batching": "full",
            "epochs": 40,
            "hidden": "8, 8",
            "activation": "tanh",
        },
    ],
)
def test_the_reproduce_command_gives_the_playgrounds_numbers(values, tmp_path, monkeypatch):
    import json
    import shlex
    import shutil

    from conftest import make_cfg

    from nnref.train import run as train

    settings = parse_training({"epochs": 30, **values})
    data = datasets.load(settings)
    run = TrainingRun(settings, data)
    for _ in run.epochs():
        pass
    command, language = reproduce(settings, data)
    assert language == "shell" and command.startswith("nnref-train ")
    # The page offers the data as a CSV file; the command reads it from the current folder.
    if data.csv_path:
        shutil.copy(data.csv_path, tmp_path)
    monkeypatch.chdir(tmp_path)
    # The command's settings, composed and run as nnref-train would, in this process: that the
    # command itself starts and runs is tests/test_train.py's test_the_exact_main_command.
    overrides = shlex.split(command.splitlines()[0])[1:]
    train(make_cfg([*overrides, "logger=none"], tmp_path / "run"))
    history = json.loads((tmp_path / "run" / "results.json").read_text())["history"]
    theirs = [row["train/loss"] for row in history]
    ours = run.history["train_loss"][1:]  # [0] is the start, before any update
    assert len(theirs) == len(ours) == settings.epochs
    for a, b in zip(ours, theirs):
        assert abs(a - b) <= 1e-5 * abs(b), (a, b)
    for a, b in zip(run.history["val_loss"][1:], [row["val/loss"] for row in history]):
        assert abs(a - b) <= 1e-5 * abs(b), (a, b)


@pytest.mark.slow
def test_the_playgrounds_folders_are_made_when_needed_and_go_when_its_process_ends(tmp_path):
    import json
    import os
    import subprocess
    import sys

    # What the server's process does: import the page's parts, then give a session its folder
    # and write a generated data set; its temporary folder (TMPDIR) is read as it goes.
    code = (
        "import json, os, sys\n"
        "from nnref.playground import data, sessions\n"
        "before = os.listdir(sys.argv[1])\n"
        "sessions.SESSIONS.folder('a-session')\n"
        "data.generated_csv('curve', 0)\n"
        "print(json.dumps([before, sorted(os.listdir(sys.argv[1]))]))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    before, during = json.loads(proc.stdout)
    assert before == [] and len(during) == 2, (before, during)
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_concurrent_runs_get_exactly_the_weights_and_numbers_their_seed_gives():
    from concurrent.futures import ThreadPoolExecutor

    settings = parse_training({"epochs": 5, "batching": "stochastic"})
    data = datasets.load(settings)

    def train(_):
        torch.manual_seed(12345)  # what another thread may do to the global generator meanwhile
        run = TrainingRun(settings, data)
        start = [p.detach().clone() for p in run.net.parameters()]
        for _ in run.epochs():
            torch.rand(3)  # and draws from it between epochs
        return start, run.history

    alone_start, alone_history = train(None)
    with ThreadPoolExecutor(4) as pool:
        for start, history in pool.map(train, range(12)):
            assert all(torch.equal(a, b) for a, b in zip(alone_start, start))
            assert history == alone_history


def test_the_paths_tab_reports_optimizer_paths_numbers():
    settings = PathSettings()  # the local minimum with the experiment's own start, lr and gamma
    mine = {r["optimizer"]: r for r in rows(run_paths(settings))}
    theirs = optimizer_paths.run_surface("local_minimum", steps=settings.steps)
    for name in OPTIMIZERS:
        assert mine[name]["final_loss"] == theirs[name]["final_loss"]
        assert mine[name]["steps_to_tol"] == theirs[name]["steps_to_tol"]
        assert mine[name]["escaped"] == theirs[name]["escaped"]
    assert mine["momentum"]["escaped"] and mine["nag"]["escaped"] and not mine["gd"]["escaped"]


def test_nags_look_ahead_points_are_where_its_gradient_was_taken():
    r = optimizer_paths.run_surface(
        "ravine", steps=20, optimizers=("gd", "nag"), keep=100, lookahead=True
    )
    assert "lookahead" not in r["gd"] and len(r["nag"]["lookahead"]) == 20
    path, ahead, gamma = (
        np.array(r["nag"]["path"]),
        np.array(r["nag"]["lookahead"]),
        r["settings"]["momentum"],
    )
    # w - gamma*m with m = w_t - w_{t+1} of the previous step: the look-ahead lies past w along the
    # last move
    assert np.allclose(ahead[1:], path[1:-1] - gamma * (path[:-2] - path[1:-1]), atol=1e-5)
    # The default output is unchanged.
    assert "lookahead" not in optimizer_paths.run_surface("ravine", steps=5)["nag"]


def test_the_command_is_one_nnref_train_accepts_with_the_same_settings():
    from nnref.checks import check
    from nnref.train import compose

    settings = parse_training(
        {
            "optimizer": "adam",
            "lr": 0.01,
            "beta1": 0.8,
            "batching": "stochastic",
            "schedule": "cosine",
            "hidden": "8, 4",
            "activation": "tanh",
            "epochs": 7,
            "seed": 2,
        }
    )
    data = datasets.load(settings)
    cfg = compose(train_overrides(settings, data))
    check(cfg)
    assert cfg.task._target_.endswith("BinaryModule") and cfg.data.source == "lecture_binary"
    assert (
        cfg.optim._target_ == "nnref.optim.Adam"
        and cfg.optim.lr == 0.01
        and list(cfg.optim.betas) == [0.8, 0.999]
    )
    assert (
        list(cfg.model.hidden) == [8, 4]
        and cfg.model.activation == "tanh"
        and cfg.batching.lr_scale == 1.0
    )
    assert cfg.trainer.max_epochs == 7 and cfg.seed == 2 and cfg.scheduler.T_max == 7


def test_a_click_on_the_paths_picture_maps_back_to_the_surface():
    from nnref.playground.pictures import DPI, PATHS_SIZE, PathFrames, point_at
    from nnref.playground.runs import view

    settings = PathSettings()
    frames = PathFrames(run_paths(PathSettings(steps=1)), view(settings))
    frames.draw(0)
    height = PATHS_SIZE[1] * DPI
    for x, y in ((-1.5, 0.5), (2.0, -1.0), (0.1, 0.9)):
        px, py = frames.map.transData.transform((x, y))  # display pixels, origin bottom left
        got = point_at(px, height - py, view(settings))
        assert got == pytest.approx((x, y), abs=1e-6)
    assert point_at(5, 5, view(settings)) is None  # the corner is outside the contour plot


# ----------------------------------------------------- the page in a real browser
@pytest.mark.slow
def test_two_browsers_train_at_once_nag_learns_and_each_sees_its_own_run(site):
    mine, theirs = (
        open_page(site),
        open_page(site, "?data=red_yellow_blue&head=multiclass&opt=adam&lr=0.01"),
    )
    choose(mine, "optimizer", "nag")
    # NAG's conf lr.
    mine.wait_for_function("() => document.querySelector('#field-lr input').value === '0.02'")
    before = mine.locator("#train-picture").screenshot()
    mine.locator("#train-button").click()
    theirs.locator("#train-button").click()
    status, other = wait_for_status(mine, "done"), wait_for_status(theirs, "done")
    first, last = losses(status)
    assert last < 0.5 * first and "accuracy" in status
    assert mine.locator("#train-picture").screenshot() != before  # the map changed
    # Three classes start near ln 3, two near ln 2: each its own run.
    assert losses(other)[0] > 1.0 > first
    assert "optim=nag" in mine.locator("#train-command").inner_text()
    assert "opt=nag" in mine.url


@pytest.mark.slow
def test_stop_ends_a_run_mid_way(site):
    # One sample per update: 500 epochs take far longer than the test waits, so only Stop ends the
    # run.
    page = open_page(site, "?epochs=500&batch=stochastic")
    page.locator("#train-button").click()
    wait_for_status(page, "running")
    page.locator("#stop-button").click()
    status = wait_for_status(page, "stopped")
    epoch = int(re.search(r"stopped\*{0,2} at epoch (\d+)", status).group(1))
    time.sleep(1.0)
    assert epoch < 500 and "done" not in page.locator("#train-status").inner_text()


@pytest.mark.slow
def test_a_bad_lr_shows_its_message_beside_the_field_and_nothing_runs(site):
    page = open_page(site)
    page.locator("#field-lr input").first.fill("-1")
    page.locator("#train-button").click()
    page.wait_for_function(
        "() => document.querySelector('#field-lr').innerText.includes('out of range')"
    )
    assert "lr: -1 is out of range" in page.locator("#field-lr").inner_text()
    assert "ready" in page.locator("#train-status").inner_text()  # no run started


@pytest.mark.slow
def test_momentum_escapes_the_local_minimum_and_gd_does_not(site):
    page = open_page(site, "?tab=paths")
    page.locator("#paths-button").click()
    page.wait_for_selector("#paths-table table")
    escaped = {
        cells[0]: cells[-1]
        for cells in (
            row.split("\t") for row in page.locator("#paths-table table tr").all_inner_texts()[1:]
        )
    }
    assert escaped["momentum"] == "yes" and escaped["nag"] == "yes" and escaped["gd"] == "no"


@pytest.mark.slow
def test_a_shared_link_restores_its_settings(site):
    page = open_page(
        site, "?opt=adam&lr=0.004&epochs=50&hidden=8,8&tab=paths&surface=ravine&p_opts=gd,momentum"
    )
    page.wait_for_function(
        "() => (document.querySelector('#field-surface input')?.value || '').startsWith('ravine')"
    )
    assert page.locator("#field-optimizers input:checked").count() == 2
    # The ravine's own start, which the link did not need to name.
    assert field_value(page, "x0") == "-8"
    page.get_by_role("tab", name="Output layers and losses").click()
    for field, value in (
        ("optimizer", "adam"),
        ("lr", "0.004"),
        ("epochs", "50"),
        ("hidden", "8,8"),
    ):
        wait_for_value(page, field, value)
    choose(page, "optimizer", "rmsprop")  # a change goes back into the address bar
    page.wait_for_function("() => window.location.search.includes('opt=rmsprop')")
    assert "surface=ravine" in page.url and "x0=" not in page.url
