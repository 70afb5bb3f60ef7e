"""The playground's five data sets, each loaded as nnref.data.TaskData, as nnref-train loads them.

The course's red/black and red/yellow/blue points are nnref's `lecture_binary` and
`lecture_multiclass` sources. The tagged points (multi-label) and the 1-D curve (regression) are
generated here, seeded, and written as a CSV that goes through the `csv` source like the user's own
file: one loading path, nnref's split, encoders and CSV checks, and a file that
`nnref-train data=csv data.path=...` can take. Features are standardised as everywhere in nnref;
plots use the original units (`Source.table`).
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..data import TaskData
from ..data.encoding import encoder_from_dict
from ..data.sources import DataError
from ..files import write_csv
from ..heads import HEADS, fitting
from ..locale.messages import Message, _, _n
from .settings import SettingsError, TrainingSettings

N_PER_CLASS = 100  # as conf/data/lecture_*.yaml: 200 red/black points, 300 red/yellow/blue
N_GENERATED = 200
MAX_ROWS = 2000
MAX_CSV_BYTES = 1_000_000

# Which target each set has, so a head that does not fit is refused before loading
# (HEADS[...].fits).
TARGETS = {
    "red_black": ("classes", 2),
    "red_yellow_blue": ("classes", 3),
    "tagged_points": ("labels", None),
    "curve": ("number", None),
}
LECTURE_SOURCES = {"red_black": "lecture_binary", "red_yellow_blue": "lecture_multiclass"}
TAGS = ("left", "top", "centre")


@dataclass
class PlaygroundData:
    """A data set, set up: the data module (tensors, encoders, split) and what the plots need."""

    name: str
    splits: TaskData  # loaded: tensors, encoders, split
    features: list  # feature column names (2, or 1 for a curve)
    kind: str  # "classes" | "labels" | "number"
    csv_path: str | None  # the CSV behind it (None for the lecture sources)
    csv_target: str | None

    @property
    def n_points(self) -> int:
        return self.splits.source.n_rows

    @property
    def names(self) -> list:
        """Class names, label names, or [target] for a number."""
        target = self.splits.target_encoder
        return list(
            getattr(target, "classes", None) or getattr(target, "labels", None) or [self.csv_target]
        )

    @property
    def fitting(self) -> list[str]:
        """The heads this data fits (nnref.heads.fitting), the one to offer first first."""
        return fitting(self.kind, len(self.names) if self.kind == "classes" else None)

    def points(self, part: str) -> tuple:
        """(x in original units, target) of a split: class indices, a multi-hot matrix or values."""
        idx = self.splits.split_index[part]
        x = np.stack(
            [np.asarray(self.splits.source.table[f], dtype=float)[idx] for f in self.features],
            axis=1,
        )
        target = (
            np.asarray(self.splits.source.target, dtype=object)[idx]
            if self.kind != "labels"
            else None
        )
        if self.kind == "classes":
            return x, np.array([self.names.index(str(v)) for v in target])
        if self.kind == "labels":
            sets = [self.splits.source.target[i] for i in idx]
            return x, np.array([[name in s for name in self.names] for s in sets], dtype=float)
        return x, target.astype(float)

    def encode(self, columns: np.ndarray) -> torch.Tensor:
        """Points in original units (one column per feature) -> the network's standardised
        inputs."""
        encoder = encoder_from_dict(self.splits.encoders["features"])
        return torch.from_numpy(
            encoder.encode({f: columns[:, i] for i, f in enumerate(self.features)})
        )


# ---------------------------------------------------------------- the generated sets
def tagged_points(seed: int) -> tuple:
    """2-D points with 0 to 3 tags: left of x1 = -0.3, above x2 = 0.5, within 1.5 of the centre."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(N_GENERATED, 2))
    rules = (x[:, 0] < -0.3, x[:, 1] > 0.5, np.hypot(x[:, 0], x[:, 1]) < 1.5)
    tags = ["|".join(t for t, on in zip(TAGS, flags) if on) for flags in zip(*rules)]
    return ["x1", "x2", "tags"], [[f"{a:.4f}", f"{b:.4f}", t] for (a, b), t in zip(x, tags)]


def curve(seed: int) -> tuple:
    """y = sin(1.5 x) + 0.3 x + noise, x in [-3, 3]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, N_GENERATED))
    y = np.sin(1.5 * x) + 0.3 * x + rng.normal(0, 0.15, N_GENERATED)
    return ["x", "y"], [[f"{a:.4f}", f"{b:.4f}"] for a, b in zip(x, y)]


GENERATED = {"tagged_points": (tagged_points, "tags"), "curve": (curve, "y")}


@lru_cache(maxsize=1)
def generated_dir() -> tempfile.TemporaryDirectory:
    """The folder of the generated data sets' CSV files: one per process, removed with them when
    the process exits (the cache keeps the folder's object alive until then)."""
    return tempfile.TemporaryDirectory(prefix="nnref-playground-")


def generated_csv(name: str, seed: int) -> str:
    """The generated set as a CSV file (written once per name and seed; the content is
    deterministic)."""
    path = os.path.join(generated_dir().name, f"{name}_seed{seed}.csv")
    if not os.path.exists(path):
        header, rows = GENERATED[name][0](seed)
        partial = f"{path}.{os.getpid()}.part"
        with open(partial, "w", newline="") as f:
            csv.writer(f).writerows([header, *rows])
        os.replace(partial, path)  # two sessions writing the same file at once both leave it whole
    return path


# ---------------------------------------------------------------- loading
def load(settings: TrainingSettings, csv_file: str | None = None) -> PlaygroundData:
    """The chosen data set, set up for the chosen head; SettingsError names the field at fault."""
    head = HEADS[settings.head]
    if settings.data in TARGETS and not head.fits(*TARGETS[settings.data]):
        kind, n = TARGETS[settings.data]
        what = {
            "classes": _n("{n} class", "{n} classes", n),
            "labels": _("tag sets"),
            "number": _("a number per point"),
        }[kind]
        message = _(
            "task head: {head} does not fit this data ({what}); choose {fitting}",
            head=settings.head,
            what=what,
            fitting=" or ".join(fitting(kind, n)),
        )
        raise SettingsError({"head": message})
    options = settings.head_options()
    module_args = {
        "target_encoding": head.target_encoding(**options),
        "seed": settings.seed,
        "batching": settings.batching,
        "batch_size": settings.batch_size,
    }
    if settings.data in LECTURE_SOURCES:
        splits = TaskData(
            source=LECTURE_SOURCES[settings.data], n_per_class=N_PER_CLASS, **module_args
        )
        path, target = None, None
    else:
        if settings.data == "points":
            path, target = check_points_file(csv_file), "label"
        elif settings.data == "csv":
            path = check_csv_file(csv_file)
            target = settings.csv_target or last_column(path)
        else:
            path, target = generated_csv(settings.data, settings.seed), GENERATED[settings.data][1]
        splits = TaskData(source="csv", path=path, target=target, **module_args)
    try:
        splits.load()
    except DataError as e:
        field = FIELD_OF_DATA.get(settings.data, "head")
        if settings.data == "csv" and e.key == "target":
            field = "csv_target"
        # The server's copy of an upload is no name to show: the file's own name is.
        why = renamed(e.args[0], path) if path else e.args[0]
        raise SettingsError({field: _("{field}: {why}", field=LABELS[field], why=why)}) from None
    except ValueError as e:  # an encoder refusing the target (e.g. two classes where 3 are needed)
        why = e.args[0]
        raise SettingsError({"head": _("{field}: {why}", field=LABELS["head"], why=why)}) from None
    features = list(splits.source.table)
    if settings.data in ("csv", "points"):
        check_csv_columns(splits, features, head.target_kind)
    return PlaygroundData(settings.data, splits, features, splits.source.target_kind, path, target)


def renamed(message, path: str):
    """A data message with the file at `path` (data.path=PATH too) named by its own name."""
    if not isinstance(message, Message):
        return str(message).replace(f"data.path={path}", os.path.basename(path))
    names = {path: os.path.basename(path), f"data.path={path}": os.path.basename(path)}
    params = {k: names.get(v, v) if isinstance(v, str) else v for k, v in message.params.items()}
    return Message(message.msgid, message.plural, message.count, **params)


# The field a data set's problem is named on, and the fields' names.
FIELD_OF_DATA = {"csv": "csv_file", "points": "points"}
LABELS = {
    "csv_target": _("target column"),
    "csv_file": _("CSV file"),
    "head": _("task head"),
    "points": _("your points"),
}


# ---------------------------------------------------------------- the students' own points
MAX_POINTS = 300
POINT_CLASSES = ("red", "black", "yellow", "blue")  # the course's colours, in the order offered
MIN_POINTS = 3  # with fewer a net has nothing to learn; 4 of a class lend one to validation


def none_yet():
    return _(
        "your points: none yet; click the map to add {n} or more, of two classes or more",
        n=MIN_POINTS,
    )


def points_csv(points, folder: str) -> str:
    """The points clicked onto the map ([x1, x2, class] each) as a CSV file the csv source reads
    (and that `nnref-train data=csv` takes); SettingsError names the row at fault."""
    if not points:
        raise SettingsError({"points": none_yet()})
    if len(points) > MAX_POINTS:
        too_many = _("your points: {n}; at most {most}", n=len(points), most=MAX_POINTS)
        raise SettingsError({"points": too_many})
    rows = [point_row(row, point) for row, point in enumerate(points, start=1)]
    classes = {row[2] for row in rows}
    if len(rows) < MIN_POINTS or len(classes) < 2:
        message = _(
            "your points: {n} so far, of {classes}; click at least {least}, of two classes or more",
            n=len(rows),
            classes=_n("{n} class", "{n} classes", len(classes)),
            least=MIN_POINTS,
        )
        raise SettingsError({"points": message})
    path = os.path.join(folder, "points.csv")
    write_csv(path, ["x1", "x2", "label"], rows)
    return path


def point_row(row: int, point) -> list:
    """One clicked point as a CSV row; SettingsError names the row if it is not a point."""
    if not isinstance(point, (list, tuple)) or len(point) != 3:
        raise SettingsError({"points": _("your points: row {row} is not [x1, x2, class]", row=row)})
    x1, x2, name = point
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (x1, x2)):
        message = _(
            "your points: row {row} has coordinates {x1!r}, {x2!r}; give two finite numbers",
            row=row,
            x1=x1,
            x2=x2,
        )
        raise SettingsError({"points": message})
    if name not in POINT_CLASSES:
        message = _(
            "your points: row {row} has class {name!r}; a point's class is one of {valid}",
            row=row,
            name=name,
            valid=", ".join(POINT_CLASSES),
        )
        raise SettingsError({"points": message})
    return [f"{float(x1):.6g}", f"{float(x2):.6g}", name]


def check_points_file(path) -> str:
    if not path:
        raise SettingsError({"points": none_yet()})
    return path


def points_head(points) -> str:
    """The head a set of points asks for: the first that fits their classes (nnref.heads)."""
    classes = len({p[2] for p in points or []})
    return fitting("classes", max(classes, 2))[0]


def check_csv_file(path) -> str:
    if not path:
        message = _(
            "CSV file: upload a CSV (two numeric columns and a target), or choose another data set"
        )
        raise SettingsError({"csv_file": message})
    if os.path.getsize(path) > MAX_CSV_BYTES:
        message = _(
            "CSV file: larger than {kb} kB; the playground takes up to {rows} rows",
            kb=MAX_CSV_BYTES // 1000,
            rows=MAX_ROWS,
        )
        raise SettingsError({"csv_file": message})
    return path


def last_column(path: str) -> str:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), [])
    except (UnicodeDecodeError, csv.Error) as e:
        message = _("CSV file: not a readable UTF-8 CSV file ({why})", why=str(e))
        raise SettingsError({"csv_file": message}) from None
    if not header:
        message = _("CSV file: the file is empty (expected a header line and data rows)")
        raise SettingsError({"csv_file": message})
    return header[-1].strip()


def check_csv_columns(splits: TaskData, features: list, target_kind: str) -> None:
    """Two numeric feature columns (one is allowed for a number target: a curve), at most MAX_ROWS
    rows."""
    text = [f for f in features if np.asarray(splits.source.table[f]).dtype == object]
    if text:
        column = splits.source.table[text[0]]
        row, example = next((i, v) for i, v in enumerate(column, start=1) if not _is_number(v))
        message = _(
            "CSV file: row {row}, column {column!r} holds text ({example!r}); the playground's "
            "feature columns must be numbers",
            row=row,
            column=text[0],
            example=example,
        )
        raise SettingsError({"csv_file": message})
    curve = target_kind == "number"
    if len(features) not in ((1, 2) if curve else (2,)):
        message = _(
            "CSV file: {n} feature columns ({names}); the playground draws {want} plus the target",
            n=len(features),
            names=", ".join(features),
            want=_("one or two feature columns") if curve else _("two feature columns"),
        )
        raise SettingsError({"csv_file": message})
    if splits.source.n_rows > MAX_ROWS:
        message = _("CSV file: {n} rows; at most {most}", n=splits.source.n_rows, most=MAX_ROWS)
        raise SettingsError({"csv_file": message})


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False
