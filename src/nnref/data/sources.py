"""Where rows come from: sklearn's bundled sets, seeded generated sets, and the user's own CSV.

Nothing is downloaded. Every source returns a `Source` in the user's own terms (column names,
nominal strings, label sets); turning those into numbers is `encoding.py`'s job.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import numpy as np


class DataError(ValueError):
    """Bad input data: the message names the file or column and what would be valid."""


@dataclass
class Source:
    name: str
    table: dict  # feature column name -> 1-D array (float, or object for nominal strings)
    target: object  # float array (number), str array (classes), or list of label tuples (labels)
    target_kind: str  # "number" | "classes" | "labels"
    nominal: tuple = field(default_factory=tuple)  # feature columns to one-hot

    @property
    def n_rows(self) -> int:
        return len(self.target)


# ---------------------------------------------------------------- sklearn's bundled sets
def _sklearn(loader_name: str, name: str, class_names=True) -> Source:
    import sklearn.datasets  # imported here: it costs start-up time and only some runs need it

    bunch = getattr(sklearn.datasets, loader_name)()
    x = np.asarray(bunch.data, dtype=np.float64)
    names = getattr(bunch, "feature_names", None)
    columns = [str(c) for c in names] if names is not None else [f"x{i}" for i in range(x.shape[1])]
    table = {c: x[:, i] for i, c in enumerate(columns)}
    if not class_names:
        return Source(name, table, np.asarray(bunch.target, dtype=np.float64), "number")
    names = [str(n) for n in bunch.target_names]
    return Source(name, table, np.array([names[int(t)] for t in bunch.target], dtype=object), "classes")


def diabetes(**_) -> Source:
    return _sklearn("load_diabetes", "diabetes", class_names=False)


def breast_cancer(**_) -> Source:
    return _sklearn("load_breast_cancer", "breast_cancer")


def iris(**_) -> Source:
    return _sklearn("load_iris", "iris")


def wine(**_) -> Source:
    return _sklearn("load_wine", "wine")


def digits(**_) -> Source:
    return _sklearn("load_digits", "digits")


def digits_multilabel(n_samples: int = 3000, seed: int = 0, **_) -> Source:
    """1 to 3 digit images tiled side by side on an 8x24 canvas; the labels are which digits appear."""
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    images, labels = bunch.images, bunch.target
    rng = np.random.default_rng(seed)
    canvas = np.zeros((n_samples, 8, 24))
    target = []
    for row in range(n_samples):
        k = int(rng.integers(1, 4))
        slots = rng.choice(3, size=k, replace=False)
        picks = rng.integers(0, len(images), size=k)
        for slot, pick in zip(slots, picks):
            canvas[row, :, 8 * slot : 8 * slot + 8] = images[pick]
        target.append(tuple(sorted({str(labels[p]) for p in picks})))
    x = canvas.reshape(n_samples, -1)
    return Source("digits_multilabel", {f"p{i}": x[:, i] for i in range(x.shape[1])}, target, "labels")


# ---------------------------------------------------------------- the lecture's 2-D sets
def _blobs(centres, names, n_per_class, spread, seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(c, spread, size=(n_per_class, 2)) for c in centres])
    y = np.repeat(np.array(names, dtype=object), n_per_class)
    return {"x1": x[:, 0], "x2": x[:, 1]}, y


def lecture_binary(n_per_class: int = 100, seed: int = 0, **_) -> Source:
    """The lecture's red/black points in the plane."""
    table, y = _blobs([(-1.0, -1.0), (1.0, 1.0)], ["red", "black"], n_per_class, 0.8, seed)
    return Source("lecture_binary", table, y, "classes")


def lecture_multiclass(n_per_class: int = 100, seed: int = 0, **_) -> Source:
    """The lecture's red/yellow/blue points in the plane."""
    table, y = _blobs([(-1.5, 0.0), (1.5, 0.0), (0.0, 2.0)], ["red", "yellow", "blue"], n_per_class, 0.7, seed)
    return Source("lecture_multiclass", table, y, "classes")


# ---------------------------------------------------------------- the user's CSV
def read_table(path, what: str = "data.path") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file, refusing a missing or empty file by name."""
    if not path:
        raise DataError(f"{what} is not set: give the path of a CSV file, e.g. {what}=examples/red_black.csv")
    if not os.path.isfile(path):
        raise DataError(f"{what}={path}: no such file")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    if not rows:
        raise DataError(f"{what}={path}: the file is empty (expected a header line and data rows)")
    header, rows = [h.strip() for h in rows[0]], rows[1:]
    if not rows:
        raise DataError(f"{what}={path}: the file has a header but no data rows")
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise DataError(f"{what}={path}: line {i + 2} has {len(r)} cells, the header has {len(header)}")
    return header, rows


def parse_columns(header, rows, names, nominal=()) -> dict:
    """Chosen columns as arrays: float where every cell parses as a number (unless forced nominal),
    else an object array of strings (a nominal column)."""
    table = {}
    for name in names:
        j = header.index(name)
        cells = [r[j].strip() for r in rows]
        numeric = None if name in nominal else _numeric_or_none(cells)
        table[name] = numeric if numeric is not None else np.asarray(cells, dtype=object)
    return table


def _numeric_or_none(cells):
    try:
        return np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        return None


def csv_source(path=None, target=None, task="binary", features=None, nominal=(), label_sep="|",
               dropna=False, **_) -> Source:
    header, rows = read_table(path)
    if not target:
        raise DataError(f"data.target is not set: name the target column, one of {header}")
    if target not in header:
        raise DataError(f"data.target={target}: no such column in {path}; columns are {header}")
    features = list(features) if features else [h for h in header if h != target]
    unknown = [f for f in features if f not in header]
    if unknown:
        raise DataError(f"data.features: column(s) {unknown} not in {path}; columns are {header}")
    unknown = [f for f in nominal if f not in features]
    if unknown:
        raise DataError(f"data.nominal: column(s) {unknown} are not features; features are {features}")

    # Empty cells: refuse, naming the columns, unless the user asked to drop those rows.
    used = [header.index(c) for c in features] + ([] if task == "multilabel" else [header.index(target)])
    empty = {header[j]: sum(1 for r in rows if not r[j].strip()) for j in used}
    empty = {c: n for c, n in empty.items() if n}
    if empty and not dropna:
        detail = ", ".join(f"{c!r} ({n} rows)" for c, n in empty.items())
        raise DataError(f"{path}: empty cells in {detail}; fill them in, or set data.dropna=true to drop those rows")
    if empty:
        rows = [r for r in rows if all(r[j].strip() for j in used)]
        if not rows:
            raise DataError(f"{path}: no rows left after data.dropna=true")

    table = parse_columns(header, rows, features, nominal)
    cells = [r[header.index(target)].strip() for r in rows]
    if task == "regression":
        try:
            y = np.array([float(c) for c in cells], dtype=np.float64)
        except ValueError:
            bad = sorted({c for c in cells if not _is_number(c)})[:5]
            raise DataError(f"data.target={target}: task=regression needs numbers, found {bad}; "
                            f"for nominal targets use task=binary or task=multiclass") from None
        return Source(os.path.basename(path), table, y, "number", tuple(nominal))
    if task == "multilabel":
        y = [tuple(sorted({v.strip() for v in c.split(label_sep) if v.strip()})) for c in cells]
        return Source(os.path.basename(path), table, y, "labels", tuple(nominal))
    values = sorted(set(cells))
    if task == "binary" and len(values) != 2:
        hint = "; use task=multiclass" if len(values) > 2 else ""
        raise DataError(f"data.target={target}: task=binary needs exactly two distinct values, "
                        f"found {len(values)}: {values[:10]}{hint}")
    if task == "multiclass" and len(values) < 2:
        raise DataError(f"data.target={target}: task=multiclass needs at least two distinct values, found {values}")
    return Source(os.path.basename(path), table, np.array(cells, dtype=object), "classes", tuple(nominal))


def _is_number(c):
    try:
        float(c)
        return True
    except ValueError:
        return False


SOURCES = {
    "diabetes": diabetes,
    "breast_cancer": breast_cancer,
    "iris": iris,
    "wine": wine,
    "digits": digits,
    "digits_multilabel": digits_multilabel,
    "lecture_binary": lecture_binary,
    "lecture_multiclass": lecture_multiclass,
    "csv": csv_source,
}

# What each bundled source fits, so a mismatch is refused before anything loads.
TARGET_KINDS = {
    "diabetes": ("number", None),
    "breast_cancer": ("classes", 2),
    "iris": ("classes", 3),
    "wine": ("classes", 3),
    "digits": ("classes", 10),
    "digits_multilabel": ("labels", None),
    "lecture_binary": ("classes", 2),
    "lecture_multiclass": ("classes", 3),
}


def load(name: str, **kwargs) -> Source:
    if name not in SOURCES:
        raise DataError(f"data.source={name}: unknown; valid: {', '.join(SOURCES)}")
    return SOURCES[name](**kwargs)
