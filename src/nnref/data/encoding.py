"""Nominal values <-> numbers, and back again.

A network reads numbers only, so `red`/`black` or `Seoul`/`Daejeon` must be encoded before training
and decoded after. Every encoder here is fitted once (on the training rows), then saved as plain
data (`to_dict`: lists, floats and strings only) so a checkpoint loads with
`torch.load(weights_only=True)` and `encoder_from_dict` rebuilds the exact same encoder at
prediction time.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..locale.messages import _, _n


class BinaryEncoder:
    """Two nominal values -> 0/1. The first class (sorted) is 0, the second is 1."""

    kind = "binary"

    def __init__(self, classes):
        classes = [str(c) for c in classes]
        if len(classes) != 2:
            raise ValueError(
                _(
                    "a binary target needs exactly two values, got {n}: {values}",
                    n=len(classes),
                    values=classes[:10],
                )
            )
        self.classes = classes

    @classmethod
    def fit(cls, values):
        return cls(sorted({str(v) for v in values}))

    def encode(self, values) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes)}
        return np.array([index[str(v)] for v in values], dtype=np.float32)

    def decode(self, p1) -> list[str]:
        """p1: probability of the second class."""
        return [self.classes[int(p >= 0.5)] for p in np.asarray(p1).reshape(-1)]

    def to_dict(self):
        return {"kind": self.kind, "classes": list(self.classes)}


class OneHotEncoder:
    """K nominal values -> class index k (the position of the 1 in the one-hot vector).

    Indices are what torch's CrossEntropyLoss takes; cross-entropy on them and on the one-hot
    vectors is the same number (tested)."""

    kind = "onehot"

    def __init__(self, classes):
        self.classes = [str(c) for c in classes]
        if len(self.classes) < 2:
            raise ValueError(
                _("a class target needs at least two values, got {values}", values=self.classes)
            )

    @classmethod
    def fit(cls, values):
        return cls(_sorted_labels({str(v) for v in values}))

    def encode(self, values) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes)}
        return np.array([index[str(v)] for v in values], dtype=np.int64)

    def decode(self, indices) -> list[str]:
        return [self.classes[int(i)] for i in np.asarray(indices).reshape(-1)]

    def to_dict(self):
        return {"kind": self.kind, "classes": list(self.classes)}


class OrdinalEncoder(OneHotEncoder):
    """K classes -> one number each, evenly from 1 down to 0 (1, 0.5, 0 for three).

    The course's counter-example: it tells the network that class 0 is 'closer' to class 1 than
    to class 2, an order that nominal values do not have."""

    kind = "ordinal"

    @property
    def codes(self) -> np.ndarray:
        k = len(self.classes)
        return (1.0 - np.arange(k) / (k - 1)).astype(np.float32)


class MultiHotEncoder:
    """Label sets -> multi-hot vectors: one independent 0/1 per label."""

    kind = "multihot"

    def __init__(self, labels, sep: str = "|"):
        self.labels = [str(c) for c in labels]
        self.sep = sep
        if not self.labels:
            raise ValueError(_("a multi-label target needs at least one label"))

    @classmethod
    def fit(cls, label_sets, sep: str = "|"):
        return cls(_sorted_labels({str(v) for s in label_sets for v in s}), sep)

    def encode(self, label_sets) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.labels)}
        out = np.zeros((len(label_sets), len(self.labels)), dtype=np.float32)
        for row, labels in enumerate(label_sets):
            for label in labels:
                out[row, index[str(label)]] = 1.0
        return out

    def decode(self, multi_hot) -> list[str]:
        multi_hot = np.asarray(multi_hot)
        return [
            self.sep.join(label for label, on in zip(self.labels, row) if on) for row in multi_hot
        ]

    def to_dict(self):
        return {"kind": self.kind, "labels": list(self.labels), "sep": self.sep}


class TargetScaler:
    """A regression target mapped for training and back to its original units.

    mode "standard": (y - mean) / std, for the linear (identity) output.
    mode "minmax":   (y - min) / (max - min) into 0..1, for the course's sigmoid output.
    """

    kind = "scaler"

    def __init__(self, loc, scale, mode: str = "standard"):
        self.loc = [float(v) for v in np.atleast_1d(loc)]
        self.scale = [float(v) if v != 0 else 1.0 for v in np.atleast_1d(scale)]
        self.mode = mode

    @classmethod
    def fit(cls, y, mode: str = "standard"):
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if mode == "standard":
            return cls(y.mean(0), y.std(0), mode)
        if mode == "minmax":
            return cls(y.min(0), y.max(0) - y.min(0), mode)
        raise ValueError(_("unknown scaler mode {mode!r}; valid: standard, minmax", mode=mode))

    def encode(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        return ((y - np.array(self.loc)) / np.array(self.scale)).astype(np.float32)

    def decode(self, z):
        """Works on numpy arrays and torch tensors alike (exact affine map)."""
        return z * _like(z, self.scale) + _like(z, self.loc)

    def to_dict(self):
        return {"kind": self.kind, "loc": self.loc, "scale": self.scale, "mode": self.mode}


class FeatureEncoder:
    """Table columns -> one float matrix: numeric columns standardised, nominal columns one-hot.

    Fitted on the training rows only, so no statistic leaks from validation or test rows.
    A nominal value never seen in training is encoded as all zeros, with a warning that names it."""

    kind = "features"

    def __init__(self, columns: list[dict]):
        # [{"name", "type": "numeric", "mean", "std"} | {"name", "type": "nominal", "categories"}]
        self.columns = columns

    @classmethod
    def fit(cls, table: dict, nominal=()):
        columns = []
        for name, values in table.items():
            if name in nominal or values.dtype == object:
                columns.append(
                    {
                        "name": name,
                        "type": "nominal",
                        "categories": _sorted_labels({str(v) for v in values}),
                    }
                )
            else:
                v = np.asarray(values, dtype=np.float64)
                std = float(v.std())
                columns.append(
                    {
                        "name": name,
                        "type": "numeric",
                        "mean": float(v.mean()),
                        "std": std if std > 0 else 1.0,
                    }
                )
        return cls(columns)

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    def encode(self, table: dict) -> np.ndarray:
        missing = [c["name"] for c in self.columns if c["name"] not in table]
        if missing:
            raise KeyError(
                _(
                    "missing feature column(s) {missing}; the model was trained on {names}",
                    missing=missing,
                    names=self.names,
                )
            )
        parts = []
        for c in self.columns:
            values = table[c["name"]]
            if c["type"] == "numeric":
                v = np.asarray(values, dtype=np.float64)
                parts.append(((v - c["mean"]) / c["std"])[:, None])
            else:
                index = {cat: i for i, cat in enumerate(c["categories"])}
                block = np.zeros((len(values), len(index)))
                unseen, n_rows = set(), 0
                for row, v in enumerate(values):
                    i = index.get(str(v))
                    if i is None:
                        unseen.add(str(v))
                        n_rows += 1
                    else:
                        block[row, i] = 1.0
                if unseen:
                    warnings.warn(
                        _(
                            "column {name!r}: value(s) {values} never seen in training ({rows}); "
                            "encoded as all zeros (known: {known})",
                            name=c["name"],
                            values=sorted(unseen),
                            rows=_n("{n} row", "{n} rows", n_rows),
                            known=c["categories"],
                        ),
                        UnseenCategoryWarning,
                        stacklevel=2,
                    )
                parts.append(block)
        return np.concatenate(parts, axis=1).astype(np.float32)

    def to_dict(self):
        return {"kind": self.kind, "columns": self.columns}


class UnseenCategoryWarning(UserWarning):
    """A nominal value at prediction time that the encoder never saw in training."""


_KINDS = {
    "binary": lambda d: BinaryEncoder(d["classes"]),
    "onehot": lambda d: OneHotEncoder(d["classes"]),
    "ordinal": lambda d: OrdinalEncoder(d["classes"]),
    "multihot": lambda d: MultiHotEncoder(d["labels"], d.get("sep", "|")),
    "scaler": lambda d: TargetScaler(d["loc"], d["scale"], d["mode"]),
    "features": lambda d: FeatureEncoder(d["columns"]),
}


# The target encodings a head can ask the data module for: name -> (the target it takes, classes
# needed).
TARGET_ENCODINGS = {
    "binary": ("classes", 2),  # two nominal values -> 0/1
    "onehot": ("classes", None),  # K nominal values -> one-hot (class indices)
    # K nominal values -> codes 1, ..., 0 (the course's counter-example).
    "ordinal": (
        "classes",
        None,
    ),
    "multihot": ("labels", None),  # label sets -> multi-hot vectors
    "standard": ("number", None),  # numbers -> (y - mean) / std
    "minmax": ("number", None),  # numbers -> 0..1
}


def fit_target_encoder(encoding: str, values, label_sep: str = "|"):
    """The named target encoding, fitted on `values` (the training rows' targets)."""
    if encoding == "binary":
        return BinaryEncoder.fit(values)
    if encoding == "onehot":
        return OneHotEncoder.fit(values)
    if encoding == "ordinal":
        return OrdinalEncoder.fit(values)
    if encoding == "multihot":
        return MultiHotEncoder.fit(values, label_sep)
    if encoding in ("standard", "minmax"):
        return TargetScaler.fit(np.asarray(values), encoding)
    raise ValueError(
        _(
            "{key}={value!r}: unknown; valid: {valid}",
            key="target_encoding",
            value=encoding,
            valid=", ".join(TARGET_ENCODINGS),
        )
    )


def encoder_from_dict(d: dict):
    """Rebuild any encoder from its `to_dict()`."""
    return _KINDS[d["kind"]](d)


def _sorted_labels(labels):
    """Numbers in numeric order ('2' before '10'), everything else alphabetically."""
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


def _like(z, values):
    if isinstance(z, np.ndarray):
        return np.asarray(values, dtype=z.dtype)
    import torch

    return torch.as_tensor(values, dtype=z.dtype, device=z.device)
