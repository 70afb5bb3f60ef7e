"""Train on each example CSV, then predict from the checkpoint: label names out, bad input
refused."""

import csv
import json
import shutil

import numpy as np
import pytest
import torch
from conftest import ROOT, make_cfg, run_cli

from nnref.data.encoding import UnseenCategoryWarning
from nnref.data.sources import DataError
from nnref.predict import Predictor, predict_file

EXAMPLES = ROOT / "examples"
RUNS = {  # task: (file, target, extra overrides)
    "binary": ("red_black.csv", "color", []),
    "multiclass": ("colors.csv", "color", []),
    "multilabel": ("weather.csv", "tags", []),
    "regression": ("houses.csv", "price", ["data.nominal=[zone]"]),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One short training per task on its example CSV; task -> run folder."""
    from nnref.train import run

    out = {}
    for task, (file, target, extra) in RUNS.items():
        run_dir = tmp_path_factory.mktemp(task)
        run(
            make_cfg(
                [
                    f"task={task}",
                    "data=csv",
                    f"data.path={EXAMPLES / file}",
                    f"data.target={target}",
                    "trainer.max_epochs=20",
                    "logger=none",
                    *extra,
                ],
                run_dir,
            )
        )
        out[task] = run_dir
    return out


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def without(column, file, tmp_path):
    """The example file minus one column (the target, typically)."""
    header, rows = read(EXAMPLES / file)
    j = header.index(column)
    return write(
        tmp_path / f"no_{column}.csv",
        header[:j] + header[j + 1 :],
        [r[:j] + r[j + 1 :] for r in rows],
    )


def best(run_dir):
    return run_dir / json.loads((run_dir / "results.json").read_text())["checkpoint"]


# -------------------------------------------------------------- what is saved
@pytest.mark.parametrize("task", list(RUNS))
def test_real_checkpoints_load_with_weights_only(runs, task):
    for path in (best(runs[task]), runs[task] / "checkpoints" / "last.ckpt"):
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        encoders = ckpt["hyper_parameters"]["encoders"]
        assert json.loads(json.dumps(encoders)) == encoders  # plain lists, floats and strings only
    assert best(runs[task]).name == "best.ckpt"


# -------------------------------------------------------------- round trips: label names out
@pytest.mark.slow
def test_cli_binary_round_trip_without_target_and_with_an_unseen_city(runs, tmp_path):
    header, rows = read(without("color", "red_black.csv", tmp_path))
    rows[0][header.index("city")] = "Incheon"  # never seen in training
    src = write(tmp_path / "new.csv", header, rows)
    out = tmp_path / "pred.csv"
    proc = run_cli(
        f"checkpoint={runs['binary']}",
        f"input={src}",
        f"output={out}",
        script="predict.py",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    warning = [line for line in proc.stderr.splitlines() if line.startswith("nnref: warning:")]
    assert (
        len(warning) == 1
        and "'city'" in warning[0]
        and "['Incheon']" in warning[0]
        and "(1 row)" in warning[0]
    )
    assert "Traceback" not in proc.stderr
    # Nothing else written.
    assert {p.name for p in tmp_path.iterdir()} == {
        "no_color.csv",
        "new.csv",
        "pred.csv",
    }
    out_header, out_rows = read(out)
    assert out_header == header + ["prediction", "p_black", "p_red"]
    assert [r[: len(header)] for r in out_rows] == rows  # the input rows, unchanged, all of them
    truth = [row[-1] for row in read(EXAMPLES / "red_black.csv")[1]]
    pred = [r[-3] for r in out_rows]
    assert set(pred) == {"red", "black"}
    assert np.mean([p == t for p, t in zip(pred, truth)]) > 0.85
    p = np.array([[float(r[-2]), float(r[-1])] for r in out_rows])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert pred == [("black", "red")[int(row[1] >= 0.5)] for row in p]


def test_multiclass_round_trip(runs, tmp_path):
    out = tmp_path / "pred.csv"
    summary = predict_file(runs["multiclass"], EXAMPLES / "colors.csv", out)
    header, rows = read(out)
    assert header[-4:] == ["prediction", "p_blue", "p_red", "p_yellow"]
    assert summary["rows"] == len(rows) == 240
    p = np.array([[float(v) for v in r[-3:]] for r in rows])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    pred = [r[-4] for r in rows]
    assert pred == [["blue", "red", "yellow"][i] for i in p.argmax(axis=1)]
    assert np.mean([r[header.index("color")] == q for r, q in zip(rows, pred)]) > 0.85


def test_multilabel_round_trip_joins_label_names(runs, tmp_path):
    out = tmp_path / "pred.csv"
    predict_file(runs["multilabel"], without("tags", "weather.csv", tmp_path), out)
    header, rows = read(out)
    assert header == ["temp", "wind", "season", "prediction", "p_cold", "p_sunny", "p_windy"]
    labels = np.array(["cold", "sunny", "windy"])
    for r in rows:
        on = np.array([float(v) for v in r[-3:]]) >= 0.5
        assert r[3] == "|".join(labels[on])  # the names of the labels at p >= 0.5, "" for none
    truth = [
        set(filter(None, t.split("|"))) for t in (r[-1] for r in read(EXAMPLES / "weather.csv")[1])
    ]
    pred = [set(filter(None, r[3].split("|"))) for r in rows]
    assert any(len(s) > 1 for s in pred) and any(not s for s in pred)
    assert np.mean([p == t for p, t in zip(pred, truth)]) > 0.7


def test_regression_round_trip_in_original_units_with_a_nominal_code(runs, tmp_path):
    out = tmp_path / "pred.csv"
    with_target = EXAMPLES / "houses.csv"
    import warnings

    with warnings.catch_warnings():
        # zone holds 1/2/3: it must stay nominal ("1" is a known category), not become the
        # number 1.0
        warnings.simplefilter("error", UnseenCategoryWarning)
        predict_file(runs["regression"], with_target, out)
    header, rows = read(out)
    assert header == ["area", "rooms", "zone", "city", "price", "prediction"]
    price = np.array([float(r[4]) for r in rows])
    pred = np.array([float(r[5]) for r in rows])
    r2 = 1 - ((price - pred) ** 2).sum() / ((price - price.mean()) ** 2).sum()
    assert r2 > 0.8  # in the target's own units (thousands), not standardised ones
    assert abs(pred.mean() - price.mean()) < 0.1 * price.std()


def test_predicting_on_a_previous_output_replaces_its_columns(runs, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    predict_file(runs["binary"], EXAMPLES / "red_black.csv", first)
    predict_file(runs["binary"], first, second)
    assert read(first) == read(second)


# -------------------------------------------------------------- unseen nominal values
def test_unseen_value_warns_naming_column_and_values_and_encodes_zeros(runs):
    predictor = Predictor.load(best(runs["binary"]))
    header = ["x1", "x2", "city"]
    rows = [["0.5", "0.5", "Incheon"], ["0.5", "0.5", "Seoul"], ["1", "1", "1"]]
    with pytest.warns(
        UnseenCategoryWarning, match=r"column 'city': value\(s\) \['1', 'Incheon'\] .*\(2 rows\)"
    ):
        x = predictor.encode(header, rows)
    city = slice(2, 5)  # after x1 and x2: Busan, Daejeon, Seoul
    assert x[0, city].tolist() == [0, 0, 0] and x[2, city].tolist() == [0, 0, 0]
    assert x[1, city].tolist() == [0, 0, 1]
    with pytest.warns(UnseenCategoryWarning):
        assert predictor.predict(header, rows)["prediction"][0] in {"red", "black"}


# -------------------------------------------------------------- bad input: refused, nothing written
@pytest.mark.slow
def test_cli_refuses_a_missing_feature_column_in_one_line(runs, tmp_path):
    src = without("x2", "red_black.csv", tmp_path)
    out = tmp_path / "pred.csv"
    proc = run_cli(
        f"checkpoint={best(runs['binary'])}",
        f"input={src}",
        f"output={out}",
        script="predict.py",
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"nnref: error: input={src}: feature column(s) ['x2'] missing; the model was trained on "
        f"['x1', 'x2', 'city']; the file has ['x1', 'city', 'color']"
    ]
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def _bad_inputs(tmp_path, runs):
    def text(name, content):
        (tmp_path / name).write_text(content)
        return tmp_path / name

    not_ckpt = text("notes.ckpt", "not a checkpoint")
    foreign = tmp_path / "foreign.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": {"lr": 0.1}}, foreign)
    folder = tmp_path / "out_folder"
    folder.mkdir()
    good_ckpt, good_input = best(runs["binary"]), EXAMPLES / "red_black.csv"
    return {  # name: (checkpoint, input, output, message)
        "no input file": (
            good_ckpt,
            tmp_path / "nope.csv",
            None,
            r"input=.*nope.csv: no such file",
        ),
        "empty input": (good_ckpt, text("empty.csv", ""), None, r"the file is empty"),
        "words in a numeric column": (
            good_ckpt,
            text("w.csv", "x1,x2,city\n1,one,Seoul\n"),
            None,
            r"column 'x2' was numeric in training but holds \['one'\]",
        ),
        "empty cells": (
            good_ckpt,
            text("e.csv", "x1,x2,city\n1,2,\n,2,Seoul\n,3,Busan\n"),
            None,
            r"empty cells in 'x1' \(2 rows\), 'city' \(1 row\)",
        ),
        "no checkpoint file": (
            tmp_path / "nope.ckpt",
            good_input,
            None,
            r"checkpoint=.*nope.ckpt: no such file",
        ),
        "not a checkpoint": (not_ckpt, good_input, None, r"notes.ckpt: not a PyTorch checkpoint"),
        "not an nnref checkpoint": (
            foreign,
            good_input,
            None,
            r"foreign.ckpt: not an nnref checkpoint",
        ),
        "no checkpoint given": (None, good_input, None, r"checkpoint is not set"),
        "output is a folder": (good_ckpt, good_input, folder, r"out_folder: is a folder"),
    }


def test_bad_inputs_are_refused_and_write_nothing(runs, tmp_path):
    cases = _bad_inputs(tmp_path, runs)
    for name, (ckpt, src, out, message) in cases.items():
        before = sorted(tmp_path.rglob("*"))
        with pytest.raises(DataError, match=message) as err:
            predict_file(ckpt, src, out or tmp_path / "pred.csv")
        assert "\n" not in str(err.value), name
        assert sorted(tmp_path.rglob("*")) == before, name  # no output, no temporary file


def test_output_is_whole_or_absent_when_writing_fails(runs, tmp_path, monkeypatch):
    import nnref.files as files

    out = tmp_path / "pred.csv"
    out.write_text("the previous file\n")

    class Failing:
        def __init__(self, f):
            self.f = f

        def writerow(self, row):
            self.f.write(",".join(row) + "\n")

        def writerows(self, rows):
            raise OSError("disk full")

    monkeypatch.setattr(files.csv, "writer", Failing)  # predict writes through nnref.files
    with pytest.raises(OSError, match="disk full"):
        predict_file(runs["binary"], EXAMPLES / "red_black.csv", out)
    assert out.read_text() == "the previous file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pred.csv"]  # the temporary file is gone


def test_run_folder_or_checkpoint_file_give_the_same_predictions(runs, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    predict_file(runs["binary"], EXAMPLES / "red_black.csv", a)
    shutil.copy(best(runs["binary"]), tmp_path / "copy.ckpt")
    predict_file(tmp_path / "copy.ckpt", EXAMPLES / "red_black.csv", b)
    assert read(a) == read(b)
