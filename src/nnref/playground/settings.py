"""What a user can set in the playground: the fields, their defaults and limits, the messages that
name a bad field, and the settings' form in the page's URL.

A form's values arrive as a dict {field: value} (as the browser sends them: numbers may be None or
floats, hidden sizes are text). `parse_training` and `parse_paths` turn them into settings, or raise
SettingsError with one message per bad field, so the page can show each next to its field.

The URL holds the settings as in TensorFlow Playground: a teacher configures the page and shares its
link; opening the link restores every setting. Only values that differ from the defaults are
written, so the plain page has a plain URL (`?opt=nag&lr=0.05&tab=paths`). The training tab's
fields keep their names; the paths tab's are prefixed `p_` where a name is shared (lr, gamma), and
its defaults are those of the chosen surface. An uploaded CSV file cannot travel in a link.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from urllib.parse import parse_qsl, urlencode

from ..data import BATCHINGS
from ..experiments.optimizer_paths import SURFACES
from ..heads import HEADS
from ..nets import ACTIVATIONS
from ..optim import OPTIMIZERS, USES_BETAS, USES_MOMENTUM

DATASETS = {  # name -> what the page calls it
    "red_black": "red/black points (the course's two classes)",
    "red_yellow_blue": "red/yellow/blue points (three classes)",
    "tagged_points": "tagged points (0 to 3 tags each: multi-label)",
    "curve": "a 1-D curve (regression)",
    "csv": "your CSV (two numeric columns and a target)",
    "points": "your points (click the map to add them)",
}
LOSSES = tuple(HEADS["binary"].losses)  # ce, mse: the right and the wrong pairing
SCHEDULES = (
    "none",
    "step",
    "exponential",
    "cosine",
)  # nnref/conf/scheduler: what nnref-train takes

# A comparison trains the same start with one field changed: the field -> its values, in order.
COMPARISONS = {
    "none": (),
    "loss": ("ce", "mse"),
    "encoding": ("onehot", "ordinal"),
    "output": ("identity", "sigmoid"),
    "batching": ("full", "mini", "stochastic"),
    "optimizer": ("gd", "momentum", "nag"),
    "head": ("binary", "multiclass"),  # two classes: one sigmoid, or a two-class softmax
}

# Limits, so that no run can hold the server for long: a run visits at most MAX_VISITS rows in all.
MAX_EPOCHS = 1000
MAX_VISITS = 100_000  # epochs x points
MAX_LAYERS, MAX_WIDTH = 4, 128
MAX_LR = 10.0
MAX_SEED = 2**31 - 1
MAX_PATH_STEPS = 5000
MAX_START = 50.0  # |x|, |y| of a path's start


class SettingsError(ValueError):
    """Bad settings: `errors` maps each bad field to a message that names it."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class TrainingSettings:
    data: str = "red_black"
    csv_target: str = ""  # the target column of a CSV; empty: its last column
    head: str = "binary"
    loss: str = "ce"
    encoding: str = "onehot"  # multiclass: onehot | ordinal
    output: str = "identity"  # regression: identity | sigmoid
    hidden: tuple = (16,)
    activation: str = "relu"
    optimizer: str = "momentum"
    lr: float = OPTIMIZERS["momentum"].lr
    gamma: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    batching: str = "mini"
    batch_size: int = 32
    schedule: str = "none"
    epochs: int = 100
    seed: int = 0
    # "confidently wrong": output weights 0, bias so that y ~ 0 where t = 1
    wrong_start: bool = False
    patience: int = 0  # early stop: epochs without a lower validation loss (0: off)
    compare: str = "none"  # a field of COMPARISONS: the same start, one run per value

    def head_options(self) -> dict:
        """The head's own options (HEADS[head].options), from the fields that hold them."""
        return {key: getattr(self, key) for key in HEADS[self.head].options}

    def variants(self) -> list:
        """(label, settings) of each run a comparison trains: one alone without one. Ordinal codes
        take MSE (the head's rule), so that variant does too."""
        if self.compare == "none":
            return [("", self)]
        out = []
        for value in COMPARISONS[self.compare]:
            changes = {self.compare: value, "compare": "none"}
            if self.compare == "encoding" and value == "ordinal":
                changes["loss"] = "mse"
            if self.compare == "head":
                changes["loss"] = "ce"
            out.append(
                (f"{self.compare}={value}", TrainingSettings(**{**self.as_dict(), **changes}))
            )
        return out

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PathSettings:
    surface: str = "local_minimum"
    x0: float = SURFACES["local_minimum"]["start"][0]
    y0: float = SURFACES["local_minimum"]["start"][1]
    optimizers: tuple = tuple(OPTIMIZERS)
    lr: float = SURFACES["local_minimum"]["lr"]
    gamma: float = SURFACES["local_minimum"]["momentum"]
    steps: int = SURFACES["local_minimum"]["steps"]

    def as_dict(self) -> dict:
        return asdict(self)


def relevant_fields(values: dict) -> list:
    """The training fields the page shows for these choices (gamma only for momentum and nag,
    ...)."""
    hide = set()
    if values.get("optimizer") not in USES_MOMENTUM:
        hide.add("gamma")
    if values.get("optimizer") not in USES_BETAS:
        hide |= {"beta1", "beta2"}
    if values.get("batching") != "mini":
        hide.add("batch_size")
    if values.get("head") != "multiclass":
        hide.add("encoding")
    if values.get("head") != "regression":
        hide.add("output")
    if values.get("data") != "csv":
        hide.add("csv_target")
    return [f for f in field_names(TrainingSettings) if f not in hide]


def surface_defaults(surface: str) -> dict:
    """A surface's own start, lr, gamma and steps (nnref.experiments.optimizer_paths.SURFACES)."""
    spec = SURFACES[surface]
    return {
        "x0": spec["start"][0],
        "y0": spec["start"][1],
        "lr": spec["lr"],
        "gamma": spec["momentum"],
        "steps": spec["steps"],
    }


def field_names(settings_class) -> list:
    return [f.name for f in fields(settings_class)]


# ---------------------------------------------------------------- one field at a time
def _choice(errors, values, key, valid, label):
    value = values.get(key)
    if value not in valid:
        errors[key] = f"{label}: {value!r} is not one of {', '.join(map(str, valid))}"
    return value


def _number(
    errors, values, key, label, low=None, high=None, low_open=False, high_open=False, integer=False
):
    """A finite number within [low, high] (an end open where asked); the message states the
    range."""
    value = given = values.get(key)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    lo = "" if low is None else f"{'>' if low_open else '≥'} {low:g}"
    hi = "" if high is None else f"{'<' if high_open else '≤'} {high:g}"
    rule = " and ".join(r for r in (lo, hi) if r)
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        shown = f"{given!r} is not {kind}; " if isinstance(given, str) and given.strip() else ""
        errors[key] = f"{label}: {shown}give {kind}{' ' + rule if rule else ''}"
        return None
    if integer and value != int(value):
        errors[key] = f"{label}: {value:g} is not a whole number"
        return None
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        shown = given.strip() if isinstance(given, str) else f"{value:g}"
        if isinstance(given, int) and not isinstance(given, bool):
            shown = str(given)  # 999999999 as typed, not 1e+09
        errors[key] = f"{label}: {shown} is out of range; give {kind} {rule}"
        return None
    return int(value) if integer else float(value)


def parse_hidden(text) -> tuple:
    """ "16, 8" -> (16, 8); "" -> () (no hidden layer). ValueError names the field."""
    parts = [p.strip() for p in str(text if text is not None else "").replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"hidden layers: {text!r} is not a list of whole numbers; write e.g. 16, 8 "
            "(empty for no hidden layer)"
        ) from None
    if len(sizes) > MAX_LAYERS or any(not 1 <= s <= MAX_WIDTH for s in sizes):
        raise ValueError(
            f"hidden layers: at most {MAX_LAYERS} layers of 1 to {MAX_WIDTH} units each"
        )
    return sizes


def format_hidden(sizes) -> str:
    return ", ".join(str(s) for s in sizes)


# ---------------------------------------------------------------- the two forms
def parse_training(values: dict) -> TrainingSettings:
    """The training tab's form -> TrainingSettings; SettingsError names every bad field."""
    errors: dict = {}
    defaults = TrainingSettings()
    values = {**defaults.as_dict(), "hidden": format_hidden(defaults.hidden), **values}
    for key in set(values) - set(relevant_fields(values)):
        values[key] = getattr(
            defaults, key, None
        )  # hidden on the page: its value must not block a run
    out = {
        "data": _choice(errors, values, "data", list(DATASETS), "data"),
        "csv_target": str(values.get("csv_target") or "").strip(),
        "head": _choice(errors, values, "head", list(HEADS), "task head"),
        "loss": _choice(errors, values, "loss", LOSSES, "loss"),
        "encoding": _choice(
            errors, values, "encoding", HEADS["multiclass"].options["encoding"], "encoding"
        ),
        "output": _choice(
            errors, values, "output", HEADS["regression"].options["output"], "output"
        ),
        "activation": _choice(errors, values, "activation", list(ACTIVATIONS), "hidden activation"),
        "optimizer": _choice(errors, values, "optimizer", list(OPTIMIZERS), "optimizer"),
        "batching": _choice(errors, values, "batching", list(BATCHINGS), "batching"),
        "schedule": _choice(errors, values, "schedule", SCHEDULES, "schedule"),
        "lr": _number(errors, values, "lr", "lr", 0, MAX_LR, low_open=True),
        "gamma": _number(errors, values, "gamma", "γ", 0, 1, high_open=True),
        "beta1": _number(errors, values, "beta1", "β1", 0, 1, high_open=True),
        "beta2": _number(errors, values, "beta2", "β2", 0, 1, high_open=True),
        "batch_size": _number(errors, values, "batch_size", "batch size", 1, None, integer=True),
        "epochs": _number(errors, values, "epochs", "epochs", 1, MAX_EPOCHS, integer=True),
        "seed": _number(errors, values, "seed", "seed", 0, MAX_SEED, integer=True),
        "wrong_start": bool(values.get("wrong_start")),
        "patience": _number(errors, values, "patience", "early stop", 0, MAX_EPOCHS, integer=True),
        "compare": _choice(errors, values, "compare", list(COMPARISONS), "compare"),
    }
    try:
        out["hidden"] = parse_hidden(values.get("hidden"))
    except ValueError as e:
        errors["hidden"] = str(e)
    if "head" not in errors and "loss" not in errors:
        # The head's own rules (valid losses, ordinal needs mse), in the head's own words.
        head = HEADS[out["head"]]
        if out["loss"] not in head.losses:
            errors["loss"] = (
                f"loss: {head.name} takes {' or '.join(head.losses)}, not {out['loss']}"
            )
        elif "encoding" not in errors and "output" not in errors:
            try:
                head.check_options(out["loss"], **{k: out[k] for k in head.options})
            except ValueError as e:
                field = next(iter(head.options), "loss")
                errors[field] = f"{field}: {e}"
    if "compare" not in errors and "head" not in errors and out["compare"] != "none":
        head = HEADS[out["head"]]
        fits = {
            "loss": len(head.losses) > 1,
            "encoding": "encoding" in head.options,
            "output": "output" in head.options,
            "head": out["head"] in ("binary", "multiclass"),
        }
        if not fits.get(out["compare"], True):
            errors["compare"] = (
                f"compare: {out['head']} has one {out['compare']}; "
                f"compare batching or optimizer instead"
            )
    if out["wrong_start"] and out["head"] == "regression" and out["output"] == "identity":
        errors["wrong_start"] = (
            "confidently wrong start: a linear output cannot saturate; "
            "choose output sigmoid, or a classification head"
        )
    if errors:
        raise SettingsError(errors)
    return TrainingSettings(**out)


def parse_paths(values: dict) -> PathSettings:
    """The paths tab's form -> PathSettings; SettingsError names every bad field."""
    errors: dict = {}
    surface = values.get("surface", PathSettings.surface)
    if surface not in SURFACES:
        errors["surface"] = f"surface: {surface!r} is not one of {', '.join(SURFACES)}"
        surface = PathSettings.surface
    values = {**surface_defaults(surface), **{k: v for k, v in values.items() if v is not None}}
    chosen = values.get("optimizers", tuple(OPTIMIZERS))
    chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
    unknown = [o for o in chosen if o not in OPTIMIZERS]
    if unknown or not chosen:
        errors["optimizers"] = (
            f"optimizers: {unknown[0]!r} is not one of {', '.join(OPTIMIZERS)}"
            if unknown
            else "optimizers: pick at least one"
        )
    out = {
        "surface": surface,
        "x0": _number(errors, values, "x0", "start x", -MAX_START, MAX_START),
        "y0": _number(errors, values, "y0", "start y", -MAX_START, MAX_START),
        "optimizers": tuple(o for o in OPTIMIZERS if o in chosen),  # in the course's order
        "lr": _number(errors, values, "lr", "lr", 0, MAX_LR, low_open=True),
        "gamma": _number(errors, values, "gamma", "γ", 0, 1, high_open=True),
        "steps": _number(errors, values, "steps", "steps", 1, MAX_PATH_STEPS, integer=True),
    }
    if errors:
        raise SettingsError(errors)
    return PathSettings(**out)


def check_budget(settings: TrainingSettings, n_points: int) -> None:
    """epochs x points within MAX_VISITS: the cap that keeps every run short (named on the epochs
    field)."""
    if settings.epochs * n_points > MAX_VISITS:
        most = max_epochs(n_points)
        raise SettingsError(
            {
                "epochs": f"epochs: at most {most} for {n_points} points "
                f"(epochs × points ≤ {MAX_VISITS:,})"
            }
        )


# ---------------------------------------------------------------- the URL
TRAINING_KEYS = {name: name for name in field_names(TrainingSettings)}  # field -> query key
TRAINING_KEYS.update(
    {
        "optimizer": "opt",
        "activation": "act",
        "batching": "batch",
        "batch_size": "bs",
        "schedule": "sched",
        "wrong_start": "wrong",
        "csv_target": "target",
        "patience": "stop",
        "compare": "cmp",
    }
)
PATH_KEYS = {
    "surface": "surface",
    "x0": "x0",
    "y0": "y0",
    "optimizers": "p_opts",
    "lr": "p_lr",
    "gamma": "p_gamma",
    "steps": "p_steps",
}
TABS = ("training", "paths")
INTEGERS = {"batch_size", "epochs", "seed", "steps", "patience"}
FLOATS = {"lr", "gamma", "beta1", "beta2", "x0", "y0"}


def _text(value) -> str:
    """A value as it reads in a URL: 0.02 not 0.020000000000000004, lists comma-joined, bools
    1/0."""
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
        if value is not None and not _same(
            value, defaults[field]
        ):  # "hidden=" (no hidden layer) is kept
            pairs.append((key, _text(value)))
    surface = paths.get("surface") or PathSettings.surface
    path_defaults = {
        **PathSettings().as_dict(),
        **surface_defaults(surface),
        "surface": PathSettings.surface,
    }
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
    params = (
        dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
        if isinstance(query, str)
        else dict(query)
    )
    training = {f: _read(f, params[k]) for f, k in TRAINING_KEYS.items() if k in params}
    paths = {f: _read(f, params[k]) for f, k in PATH_KEYS.items() if k in params}
    tab = params.get("tab") if params.get("tab") in TABS else "training"
    return (
        {k: v for k, v in training.items() if v is not None},
        {k: v for k, v in paths.items() if v is not None},
        tab,
    )


def checked(training: dict, paths: dict) -> tuple[dict, dict, dict]:
    """A link's values, each held to the field's own rules: (training values that hold, path
    values that hold, {field: message} for each that does not, naming it and what is valid). A bad
    value is left out, so its field keeps its default and the rest of the link still applies."""
    errors, training, paths = {}, dict(training), dict(paths)
    for values, parse, prefix in ((training, parse_training, ""), (paths, parse_paths, "p_")):
        while values:
            try:
                parse(dict(values))
                break
            except SettingsError as error:
                bad = [f for f in error.errors if f in values]
                if not bad:
                    break
                for f in bad:
                    errors[prefix + f] = f"link: {error.errors[f]} (its default is used)"
                    del values[f]
    return training, paths, errors


def max_epochs(n_points: int) -> int:
    """The most epochs a data set of n_points allows (epochs × points ≤ MAX_VISITS)."""
    return max(1, min(MAX_EPOCHS, MAX_VISITS // max(n_points, 1)))


def _read(field: str, text: str):
    try:
        if field in INTEGERS:
            number = float(text)
            return (
                int(number) if number == int(number) else number
            )  # 2.5 stays 2.5: refused by name
        if field in FLOATS:
            return float(text)
    except (ValueError, OverflowError):
        return text  # not a number: the field's own rule refuses it by name (checked)
    if field == "wrong_start":
        return text in ("1", "true", "True", "yes")
    if field == "optimizers":
        return [o for o in text.split(",") if o]
    return text
