"""Where rows come from: sklearn's bundled sets, seeded generated sets, and the user's own CSV.

Nothing is downloaded. Every source returns a `Source` in the user's own terms (column names,
nominal strings, label sets); turning those into numbers is `encoding.py`'s job.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import numpy as np

from ..locale.messages import _, _n, join


class DataError(ValueError):
    """Bad input data: the message names the file or column and what would be valid; `key` is the
    setting it is about (path, target, features, ...), for a shell that names it its own way."""

    def __init__(self, message: str, key: str = "path"):
        self.key = key
        super().__init__(message)


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
    return Source(
        name, table, np.array([names[int(t)] for t in bunch.target], dtype=object), "classes"
    )


def diabetes() -> Source:
    return _sklearn("load_diabetes", "diabetes", class_names=False)


def breast_cancer() -> Source:
    return _sklearn("load_breast_cancer", "breast_cancer")


def iris() -> Source:
    return _sklearn("load_iris", "iris")


def wine() -> Source:
    return _sklearn("load_wine", "wine")


def digits() -> Source:
    return _sklearn("load_digits", "digits")


def digits_multilabel(n_samples: int = 3000, seed: int = 0) -> Source:
    """1 to 3 digit images tiled side by side on an 8x24 canvas; the labels are which digits
    appear."""
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
    return Source(
        "digits_multilabel", {f"p{i}": x[:, i] for i in range(x.shape[1])}, target, "labels"
    )


# ---------------------------------------------------------------- the lecture's 2-D sets
def _blobs(centres, names, n_per_class, spread, seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(c, spread, size=(n_per_class, 2)) for c in centres])
    y = np.repeat(np.array(names, dtype=object), n_per_class)
    return {"x1": x[:, 0], "x2": x[:, 1]}, y


def lecture_binary(n_per_class: int = 100, seed: int = 0) -> Source:
    """The lecture's red/black points in the plane."""
    table, y = _blobs([(-1.0, -1.0), (1.0, 1.0)], ["red", "black"], n_per_class, 0.8, seed)
    return Source("lecture_binary", table, y, "classes")


def lecture_multiclass(n_per_class: int = 100, seed: int = 0) -> Source:
    """The lecture's red/yellow/blue points in the plane."""
    table, y = _blobs(
        [(-1.5, 0.0), (1.5, 0.0), (0.0, 2.0)], ["red", "yellow", "blue"], n_per_class, 0.7, seed
    )
    return Source("lecture_multiclass", table, y, "classes")


# ---------------------------------------------------------------- the user's CSV
def read_table(path, what: str = "data.path") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file, refusing a missing, empty or ragged file by name.

    `what` is the setting the path came from (data.path, input), so the message names it."""
    if not path:
        raise DataError(
            _(
                "{what} is not set: give the path of a CSV file, e.g. "
                "{what}=examples/red_black.csv",
                what=what,
            )
        )
    if not os.path.isfile(path):
        raise DataError(_("{what}={path}: no such file", what=what, path=path))
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            # Blank lines are skipped; line numbers are kept for messages.
            reader = csv.reader(f)
            numbered = [(reader.line_num, r) for r in reader if any(cell.strip() for cell in r)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise DataError(
            _(
                "{what}={path}: not a readable UTF-8 CSV file ({why})",
                what=what,
                path=path,
                why=str(e),
            )
        ) from None
    if not numbered:
        raise DataError(
            _(
                "{what}={path}: the file is empty (expected a header line and data rows)",
                what=what,
                path=path,
            )
        )
    header, rows = [h.strip() for h in numbered[0][1]], [r for _, r in numbered[1:]]
    if not rows:
        raise DataError(
            _("{what}={path}: the file has a header but no data rows", what=what, path=path)
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise DataError(
            _(
                "{what}={path}: column name(s) {names} appear more than once in the header",
                what=what,
                path=path,
                names=repeated,
            )
        )
    for line, r in numbered[1:]:
        if len(r) != len(header):
            raise DataError(
                _(
                    "{what}={path}: line {line} has {n} cells, the header has {header}",
                    what=what,
                    path=path,
                    line=line,
                    n=len(r),
                    header=len(header),
                )
            )
    return header, rows


def parse_columns(header, rows, names, nominal=(), numeric=(), what: str = "data.path") -> dict:
    """Chosen columns as arrays: float where every cell parses as a number, else an object array of
    strings (a nominal column). `nominal` columns stay strings even if they look numeric; `numeric`
    columns must parse (at prediction time both lists come from the encoder saved in training)."""
    table = {}
    for name in names:
        j = header.index(name)
        cells = [r[j].strip() for r in rows]
        values = None if name in nominal else _numeric_or_none(cells)
        if values is None and name in numeric:
            bad = sorted({c for c in cells if not _is_number(c)})
            raise DataError(
                _(
                    "{what}: column {name!r} was numeric in training but holds {values}; "
                    "give numbers in every row",
                    what=what,
                    name=name,
                    values=_show(bad),
                )
            )
        if values is not None and not np.isfinite(values).all():
            raise DataError(not_finite(what, name, int((~np.isfinite(values)).sum())))
        table[name] = values if values is not None else np.asarray(cells, dtype=object)
    return table


def not_finite(what: str, name: str, n: int) -> str:
    """Why a column with n cells of nan or inf is refused; training data may drop those rows."""
    if what.startswith("data.path"):
        return _(
            "{what}: column {name!r} has nan/inf in {rows}; give finite numbers (or leave those "
            "cells empty and set data.dropna=true)",
            what=what,
            name=name,
            rows=rows_text(n),
        )
    return _(
        "{what}: column {name!r} has nan/inf in {rows}; give finite numbers",
        what=what,
        name=name,
        rows=rows_text(n),
    )


def empty_cells(header, rows, names) -> dict:
    """{column: number of rows with an empty cell} for the named columns that have any."""
    counts = {name: sum(1 for r in rows if not r[header.index(name)].strip()) for name in names}
    return {name: n for name, n in counts.items() if n}


def _numeric_or_none(cells):
    try:
        return np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        return None


def _names(value) -> list | None:
    """A column list from the config: None, one name, or a list of names."""
    if value is None:
        return None
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]


def rows_text(n: int) -> str:
    """ "1 row", "3 rows": a message."""
    return _n("{n} row", "{n} rows", n)


def empty_text(empty: dict) -> str:
    """{column: rows with an empty cell} as "'x1' (2 rows), 'city' (1 row)": messages."""
    return join([_("{name!r} ({rows})", name=c, rows=rows_text(n)) for c, n in empty.items()], ", ")


def _show(values, k: int = 5) -> str:
    """The first k values as a list, and how many more there are."""
    if len(values) > k:
        return _("{values} and {n} more", values=list(values)[:k], n=len(values) - k)
    return str(list(values))


def csv_source(
    path=None,
    target=None,
    kind="classes",
    n_classes=None,
    features=None,
    nominal=(),
    label_sep="|",
    dropna=False,
) -> Source:
    """The user's CSV. `kind` is the target the head needs ("number", "classes" or "labels") and
    `n_classes` how many classes it must have, if a fixed number (2 for a binary head)."""
    header, rows = read_table(path)
    features, nominal = check_columns(path, header, target, _names(features), _names(nominal))
    if kind == "labels" and not label_sep:
        raise DataError(
            _("data.label_sep is empty: give the character that joins labels in one cell, e.g. '|'")
        )

    # Empty cells: refuse, naming the columns, unless the user asked to drop those rows.
    # (A multi-label target may be empty: that row has no label.)
    used = features + ([] if kind == "labels" else [target])
    empty = empty_cells(header, rows, used)
    if empty and not dropna:
        raise DataError(
            _(
                "{path}: empty cells in {detail}; fill them in, or set data.dropna=true to drop "
                "those rows",
                path=path,
                detail=empty_text(empty),
            )
        )
    if empty:
        cols = [header.index(c) for c in used]
        rows = [r for r in rows if all(r[j].strip() for j in cols)]
        if not rows:
            raise DataError(_("{path}: no rows left after data.dropna=true", path=path))

    table = parse_columns(header, rows, features, nominal, what=f"data.path={path}")
    cells = [r[header.index(target)].strip() for r in rows]
    name = os.path.basename(path)
    if kind == "number":
        return Source(name, table, number_target(target, cells), "number", tuple(nominal))
    if kind == "labels":
        y = [tuple(sorted({v.strip() for v in c.split(label_sep) if v.strip()})) for c in cells]
        if not any(y):
            raise DataError(
                _(
                    "data.target={target}: no row has a label; this task needs label sets joined "
                    "by data.label_sep={sep!r}, e.g. 'sunny{sep}windy'",
                    target=target,
                    sep=label_sep,
                ),
                key="target",
            )
        return Source(name, table, y, "labels", tuple(nominal))
    check_classes(target, sorted(set(cells)), n_classes)
    return Source(name, table, np.array(cells, dtype=object), "classes", tuple(nominal))


def check_columns(path, header, target, features, nominal) -> tuple[list, list]:
    """The feature columns (every column but the target, unless named) and the nominal ones,
    refusing a target, feature or nominal column the file does not have."""
    if not target:
        raise DataError(
            _("data.target is not set: name the target column, one of {columns}", columns=header),
            key="target",
        )
    if target not in header:
        raise DataError(
            _(
                "data.target={target}: no such column in {path}; columns are {columns}",
                target=target,
                path=path,
                columns=header,
            ),
            key="target",
        )
    nominal = nominal or []
    if features is None:
        features = [h for h in header if h != target]
        if "" in features:
            raise DataError(
                _(
                    "{path}: column {number} has no name in the header (a saved row index?); name "
                    "it, or choose the feature columns with data.features=[...]",
                    path=path,
                    number=header.index("") + 1,
                )
            )
    if not features:
        raise DataError(
            _(
                "data.features: no feature columns; {path} has only {columns}",
                path=path,
                columns=header,
            )
        )
    if target in features:
        raise DataError(
            _("data.features: the target column {target!r} cannot also be a feature", target=target)
        )
    unknown = [f for f in features if f not in header]
    if unknown:
        raise DataError(
            _(
                "data.features: column(s) {names} not in {path}; columns are {columns}",
                names=unknown,
                path=path,
                columns=header,
            )
        )
    unknown = [f for f in nominal if f not in features]
    if unknown:
        raise DataError(
            _(
                "data.nominal: column(s) {names} are not features; features are {features}",
                names=unknown,
                features=features,
            )
        )
    return features, nominal


def number_target(target, cells) -> np.ndarray:
    """A regression target's cells as finite numbers, or a refusal naming what is not one."""
    bad = sorted({c for c in cells if not _is_number(c)})
    if bad:
        raise DataError(
            _(
                "data.target={target}: this task needs numbers, found {values}; for a nominal "
                "target use task=binary or task=multiclass",
                target=target,
                values=_show(bad),
            ),
            key="target",
        )
    y = np.array([float(c) for c in cells], dtype=np.float64)
    if not np.isfinite(y).all():
        raise DataError(
            _(
                "data.target={target}: nan/inf in {rows}; this task needs finite numbers",
                target=target,
                rows=rows_text(int((~np.isfinite(y)).sum())),
            ),
            key="target",
        )
    return y


def check_classes(target, values: list, n_classes) -> None:
    """A class target's distinct values: exactly n_classes of them (when fixed), at least two."""
    if n_classes is not None and len(values) != n_classes:
        if n_classes == 2 and len(values) > 2:
            why = _(
                "data.target={target}: this task needs exactly {n_classes} distinct values, found "
                "{found}: {values}; for more than two classes use task=multiclass",
                target=target,
                n_classes=n_classes,
                found=len(values),
                values=_show(values, 10),
            )
        else:
            why = _(
                "data.target={target}: this task needs exactly {n_classes} distinct values, found "
                "{found}: {values}; the data needs rows of every class",
                target=target,
                n_classes=n_classes,
                found=len(values),
                values=_show(values, 10),
            )
        raise DataError(why, key="target")
    if len(values) < 2:
        raise DataError(
            _(
                "data.target={target}: this task needs at least two distinct values, found "
                "{values}",
                target=target,
                values=values,
            ),
            key="target",
        )


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


def settings(name: str) -> list[str]:
    """The settings a source takes (data.NAME=... on the command line)."""
    import inspect

    if name not in SOURCES:
        raise DataError(
            _(
                "{key}={value}: unknown; valid: {valid}",
                key="data.source",
                value=name,
                valid=", ".join(SOURCES),
            )
        )
    return list(inspect.signature(SOURCES[name]).parameters)


# Passed by the data module itself, to the sources that take them; never a user's data.KEY.
FROM_MODULE = ("seed", "kind", "n_classes")


def check_settings(name: str, **given) -> None:
    """Refuse, by name, a setting the source does not take, and a CSV that is not set or not
    there."""
    takes = [k for k in settings(name) if k not in FROM_MODULE]
    unknown = sorted(set(given) - set(takes))
    if unknown:
        raise DataError(
            _(
                "data.{key}: not a setting of data={source}; its settings: {valid}",
                key=unknown[0],
                source=name,
                valid=", ".join(f"data.{k}" for k in takes) or _("none"),
            )
        )
    if name == "csv":
        path = given.get("path")
        if not path:
            raise DataError(
                _("data.path is not set: give a CSV file, e.g. data.path=examples/red_black.csv")
            )
        if not os.path.isfile(path):
            raise DataError(_("{what}={path}: no such file", what="data.path", path=path))
        if not given.get("target"):
            raise DataError(
                _("data.target is not set: name the target column of data.path"), key="target"
            )


def load(name: str, **kwargs) -> Source:
    """Rows from the named source; `seed`, `kind` and `n_classes` go only to the sources that take
    them."""
    given = {k: v for k, v in kwargs.items() if k not in FROM_MODULE}
    check_settings(name, **given)
    takes = settings(name)
    return SOURCES[name](**{k: v for k, v in kwargs.items() if k in takes})
