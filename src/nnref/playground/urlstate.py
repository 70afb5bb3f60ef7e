"""The page's settings <-> its URL query string, as in TensorFlow Playground.

A teacher configures the page and shares its link; opening the link restores every setting. Only
values that differ from the defaults are written, so the plain page has a plain URL, and a link
stays short and readable (`?opt=nag&lr=0.05&tab=paths`). The training tab's fields keep their names;
the paths tab's are prefixed `p_` where a name is shared (lr, gamma), and its defaults are those of
the chosen surface. The uploaded CSV file itself cannot travel in a link (its target column can).
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from .settings import (PathSettings, TrainingSettings, field_names, format_hidden, surface_defaults)

TRAINING_KEYS = {name: name for name in field_names(TrainingSettings)}  # field -> query key
TRAINING_KEYS.update({"optimizer": "opt", "activation": "act", "batching": "batch", "batch_size": "bs",
                      "schedule": "sched", "wrong_start": "wrong", "csv_target": "target"})
PATH_KEYS = {"surface": "surface", "x0": "x0", "y0": "y0", "optimizers": "p_opts", "lr": "p_lr",
             "gamma": "p_gamma", "steps": "p_steps"}
TABS = ("training", "paths")
INTEGERS = {"batch_size", "epochs", "seed", "steps"}
FLOATS = {"lr", "gamma", "beta1", "beta2", "x0", "y0"}


def _text(value) -> str:
    """A value as it reads in a URL: 0.02 not 0.020000000000000004, lists comma-joined, bools 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value)


def _same(a, b) -> bool:
    return _text(a) == _text(b)


def encode(training: dict, paths: dict, tab: str = "training") -> str:
    """Form values of both tabs (field -> value, as the page holds them) -> a query string."""
    pairs = []
    defaults = {**TrainingSettings().as_dict(), "hidden": format_hidden(TrainingSettings().hidden)}
    for field, key in TRAINING_KEYS.items():
        value = training.get(field)
        if value is not None and not _same(value, defaults[field]):  # "hidden=" (no hidden layer) is kept
            pairs.append((key, _text(value)))
    surface = paths.get("surface") or PathSettings.surface
    path_defaults = {**PathSettings().as_dict(), **surface_defaults(surface), "surface": PathSettings.surface}
    for field, key in PATH_KEYS.items():
        value = paths.get(field)
        if value is not None and not _same(value, path_defaults[field]):
            pairs.append((key, _text(value)))
    if tab != "training":
        pairs.append(("tab", tab))
    return urlencode(pairs, safe=",|")


def decode(query) -> tuple:
    """A query string (or a dict of its parameters) -> (training values, path values, tab).

    Only what the link names is returned; a value that cannot be read is left out (the field keeps
    its default), so a mistyped link still opens the page."""
    params = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)) if isinstance(query, str) else dict(query)
    training = {f: _read(f, params[k]) for f, k in TRAINING_KEYS.items() if k in params}
    paths = {f: _read(f, params[k]) for f, k in PATH_KEYS.items() if k in params}
    tab = params.get("tab") if params.get("tab") in TABS else "training"
    return ({k: v for k, v in training.items() if v is not None}, {k: v for k, v in paths.items() if v is not None},
            tab)


def _read(field: str, text: str):
    try:
        if field in INTEGERS:
            return int(float(text))
        if field in FLOATS:
            return float(text)
    except ValueError:
        return None
    if field == "wrong_start":
        return text in ("1", "true", "True", "yes")
    if field == "optimizers":
        return [o for o in text.split(",") if o]
    return text
