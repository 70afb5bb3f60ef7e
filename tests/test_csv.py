"""Training on the user's CSV: the example files, column parsing, and every refusal of bad input."""

import csv
import json

import numpy as np
import pytest
from conftest import ROOT, make_cfg, run_cli

from nnref.data import encoding
from nnref.data.sources import DataError, csv_source

EXAMPLES = ROOT / "examples"
# What each head asks of its target (HEADS[task].target_kind, and two classes for the binary head).
KINDS = {
    "binary": {"kind": "classes", "n_classes": 2},
    "multiclass": {"kind": "classes"},
    "regression": {"kind": "number"},
    "multilabel": {"kind": "labels"},
}
BINARY = KINDS["binary"]


def write(path, text):
    path.write_text(text)
    return str(path)


def column(name, file):
    with open(EXAMPLES / file, newline="") as f:
        return [row[name] for row in csv.DictReader(f)]


# -------------------------------------------------------- the example files
@pytest.mark.parametrize(
    "file, target, values",
    [
        ("red_black.csv", "color", {"red", "black"}),
        ("colors.csv", "color", {"red", "yellow", "blue"}),
    ],
)
def test_class_examples_are_small_and_hold_the_named_classes(file, target, values):
    y = column(target, file)
    assert 100 <= len(y) <= 300
    assert set(y) == values


def test_red_black_has_the_course_columns_with_a_nominal_city():
    with open(EXAMPLES / "red_black.csv", newline="") as f:
        assert next(csv.reader(f)) == ["x1", "x2", "city", "color"]
    assert set(column("city", "red_black.csv")) == {"Seoul", "Daejeon", "Busan"}


def test_multilabel_and_regression_examples():
    tags = column("tags", "weather.csv")
    assert 100 <= len(tags) <= 300
    assert "" in tags and any("|" in t for t in tags)  # empty sets and multi-label sets both occur
    price = [float(p) for p in column("price", "houses.csv")]
    assert 100 <= len(price) <= 300 and len(set(price)) > 100


# -------------------------------------------------------- parsing
def test_every_other_column_is_a_feature_and_strings_are_nominal():
    src = csv_source(str(EXAMPLES / "red_black.csv"), target="color", **BINARY)
    assert list(src.table) == ["x1", "x2", "city"]
    assert src.table["x1"].dtype == np.float64 and src.table["city"].dtype == object
    assert set(src.target) == {"red", "black"}


def test_features_select_columns():
    src = csv_source(
        str(EXAMPLES / "red_black.csv"), target="color", **BINARY, features=["x2", "city"]
    )
    assert list(src.table) == ["x2", "city"]


def test_nominal_forces_numeric_codes_to_one_hot():
    path = str(EXAMPLES / "houses.csv")
    plain = csv_source(path, target="price", kind="number")
    forced = csv_source(path, target="price", kind="number", nominal=["zone"])
    assert plain.table["zone"].dtype == np.float64
    assert forced.table["zone"].dtype == object
    enc = encoding.FeatureEncoder.fit(forced.table, nominal=forced.nominal)
    zone = next(c for c in enc.columns if c["name"] == "zone")
    assert zone == {"name": "zone", "type": "nominal", "categories": ["1", "2", "3"]}
    # area, rooms (numeric) + 3 zones + 3 cities
    assert enc.encode(forced.table).shape[1] == 2 + 3 + 3


def test_multilabel_target_splits_on_label_sep_and_empty_means_no_label(tmp_path):
    path = write(tmp_path / "t.csv", "x,tags\n1,a;b\n2,\n3,b\n")
    src = csv_source(path, target="tags", kind="labels", label_sep=";")
    assert src.target == [("a", "b"), (), ("b",)]


def test_dropna_drops_rows_with_empty_cells(tmp_path):
    path = write(tmp_path / "e.csv", "x1,x2,y\n1,,a\n2,3,b\n,1,a\n4,4,b\n5,5,a\n")
    src = csv_source(path, target="y", **BINARY, dropna=True)
    assert src.n_rows == 3 and list(src.table["x1"]) == [2.0, 4.0, 5.0]


# -------------------------------------------------------- refusals (one line, naming what is wrong)
BAD = {
    "empty file": ("", {}, "binary", r"the file is empty"),
    "header only": ("x,y\n", {}, "binary", r"header but no data rows"),
    "no target column": (
        "x,y\n1,a\n2,b\n",
        {"target": "colour"},
        "binary",
        r"data.target=colour: no such column .* columns are \['x', 'y'\]",
    ),
    "binary, one value": (
        "x,y\n1,a\n2,a\n",
        {},
        "binary",
        r"exactly 2 distinct values, found 1: \['a'\]",
    ),
    "binary, three values": (
        "x,y\n1,a\n2,b\n3,c\n",
        {},
        "binary",
        r"found 3: .*use task=multiclass",
    ),
    "multiclass, one value": ("x,y\n1,a\n2,a\n", {}, "multiclass", r"at least two distinct values"),
    "regression, words": ("x,y\n1,a\n2,2.5\n", {}, "regression", r"needs numbers, found \['a'\]"),
    "empty cells": (
        "x,z,y\n1,,a\n,2,b\n3,,a\n",
        {},
        "binary",
        r"empty cells in 'x' \(1 row\), 'z' \(2 rows\); .*data.dropna=true",
    ),
    "nan feature": ("x,y\n1,a\nnan,b\n", {}, "binary", r"column 'x' has nan/inf in 1 row"),
    "unknown feature": (
        "x,y\n1,a\n2,b\n",
        {"features": ["w"]},
        "binary",
        r"data.features: .*\['w'\] not in",
    ),
    "target as feature": (
        "x,y\n1,a\n2,b\n",
        {"features": ["x", "y"]},
        "binary",
        r"target column 'y' cannot also",
    ),
    "nominal not a feature": (
        "x,y\n1,a\n2,b\n",
        {"nominal": ["q"]},
        "binary",
        r"data.nominal: .*\['q'\]",
    ),
    "ragged line": ("x,y\n1,a\n2,b,9\n", {}, "binary", r"line 3 has 3 cells, the header has 2"),
    "repeated name": ("x,x,y\n1,2,a\n", {}, "binary", r"\['x'\] appear more than once"),
    "unnamed column": (
        ",x,y\n0,1,a\n1,2,b\n",
        {},
        "binary",
        r"column 1 has no name .*data.features",
    ),
    "no labels at all": ("x,y\n1,\n2,\n", {}, "multilabel", r"no row has a label"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_csv_is_refused_with_a_message_naming_the_problem(tmp_path, case):
    text, options, task, message = BAD[case]
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(DataError, match=message) as err:
        csv_source(path, **{"target": "y", **options}, **KINDS[task])
    assert "\n" not in str(err.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"data.path=.*nope.csv: no such file"):
        csv_source(str(tmp_path / "nope.csv"), target="y")


# -------------------------------------------------------- the same refusals end to end
def test_data_error_in_run_writes_no_results(tmp_path):
    from nnref.train import run

    cfg = make_cfg(
        [
            "task=regression",
            "data=csv",
            f"data.path={EXAMPLES / 'colors.csv'}",
            "data.target=color",
            "logger=none",
        ],
        tmp_path / "run",
    )
    with pytest.raises(DataError, match="this task needs numbers"):
        run(cfg)
    assert not (tmp_path / "run" / "results.json").exists()


@pytest.mark.slow
def test_train_cli_refuses_bad_data_in_one_line_with_exit_2(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_cli(
        "task=binary",
        "data=csv",
        f"data.path={EXAMPLES / 'colors.csv'}",
        "data.target=color",
        f"run_dir={run_dir}",
        f"hydra.run.dir={tmp_path / 'hydra'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        "nnref: error: data.target=color: this task needs exactly 2 distinct values, found 3: "
        "['blue', 'red', 'yellow']; for more than two classes use task=multiclass"
    ]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (run_dir / "results.json").exists()


def test_training_on_a_csv_saves_plain_encoders(tmp_path):
    """The encoders travel as JSON-able data: category lists, means, stds and class names."""
    import torch

    from nnref.train import run

    run_dir = tmp_path / "run"
    run(
        make_cfg(
            [
                "task=binary",
                "data=csv",
                f"data.path={EXAMPLES / 'red_black.csv'}",
                "data.target=color",
                "trainer.max_epochs=2",
                "logger=none",
            ],
            run_dir,
        )
    )
    results = json.loads((run_dir / "results.json").read_text())
    ckpt = torch.load(run_dir / results["checkpoint"], weights_only=True)
    encoders = json.loads(json.dumps(ckpt["hyper_parameters"]["encoders"]))  # plain data only
    assert encoders["target"] == {"kind": "binary", "classes": ["black", "red"]}
    city = [c for c in encoders["features"]["columns"] if c["name"] == "city"]
    assert city == [
        {"name": "city", "type": "nominal", "categories": ["Busan", "Daejeon", "Seoul"]}
    ]
    assert {c["name"]: c["type"] for c in encoders["features"]["columns"]} == {
        "x1": "numeric",
        "x2": "numeric",
        "city": "nominal",
    }
