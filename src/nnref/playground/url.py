"""The settings in the page's link, as in TensorFlow Playground: a teacher sets the page up and
shares its address; opening it restores every field.

Each field's key is its own (fields.py: `key`, else its name). Only values that differ from the
defaults are written, so the plain page has a plain address (`?opt=nag&lr=0.05&tab=paths`); the
paths tab's defaults are those of the chosen surface. An uploaded CSV file cannot travel in a link.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlencode

from .fields import path_defaults, path_fields, training_defaults, training_fields

TABS = ("training", "paths")


def text(value) -> str:
    """A value as it reads in a link: 0.02 not 0.020000000000000004, lists comma-joined, bools
    1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        return ",".join(text(v) for v in value)
    return str(value)


def keys() -> list[str]:
    """Every key the playground writes into a link."""
    names = [f.url_key for f in (*training_fields(), *path_fields()) if f.url_key]
    return sorted({*names, "tab", "preset"})


def encode(training: dict, paths: dict, tab: str = "training") -> str:
    """Form values of both tabs (field -> value, as the page holds them) -> a query string."""
    pairs = []
    defaults = training_defaults()
    for f in training_fields():
        value = training.get(f.name)
        # "hidden=" (no hidden layer) is written: an empty text is a value there
        if f.url_key and value is not None and text(value) != text(defaults[f.name]):
            pairs.append((f.url_key, text(value)))
    surface = paths.get("surface") or path_defaults()["surface"]
    defaults = {**path_defaults(surface), "surface": path_defaults()["surface"]}
    for f in path_fields():
        value = paths.get(f.name)
        if value is not None and text(value) != text(defaults[f.name]):
            pairs.append((f.url_key, text(value)))
    if tab != "training":
        pairs.append(("tab", tab))
    return urlencode(pairs, safe=",|")


def decode(query) -> tuple:
    """A query string (or a dict of its parameters) -> (training values, path values, tab).

    Only what the link names is returned; a value that cannot be read as its field's kind is left
    as the text it is, for the field's own check to name (form.checked)."""
    params = (
        dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
        if isinstance(query, str)
        else dict(query)
    )
    training = {
        f.name: read(f, params[f.url_key]) for f in training_fields() if f.url_key in params
    }
    paths = {f.name: read(f, params[f.url_key]) for f in path_fields() if f.url_key in params}
    tab = params.get("tab") if params.get("tab") in TABS else "training"
    return training, paths, tab


def read(f, value: str):
    """A link's text as the field's kind: a number, a bool, a list; else the text itself."""
    if f.range is not None:
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return value  # not a number: the field's own check names it
        if f.range.whole and math.isfinite(number) and number == int(number):
            return int(number)  # 2.5 stays 2.5: refused by name
        return number
    if f.widget == "checkbox":
        return value in ("1", "true", "True", "yes")
    if f.widget == "checkboxes":
        return [v for v in value.split(",") if v]
    return value
