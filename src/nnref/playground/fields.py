"""Every field of the playground, declared once: its widget, label, choices, default, when the page
shows it, its key in the link, and its check.

The page's layout (layout.py), the link (url.py), the form's checks (form.py), which fields show
for which choices and the labels in each language all follow from these two tables. Choices come
from the course's own tables when the page asks (a head registered later appears too): the heads
and their losses and options (nnref.heads), the optimizers, the batchings, the schedules, the
activations, the surfaces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..data import BATCHINGS
from ..experiments.optimizer_paths import SURFACES
from ..heads import HEADS
from ..locale.messages import Message, _
from ..nets import ACTIVATIONS
from ..optim import OPTIMIZERS, USES_BETAS, USES_MOMENTUM
from ..schedules import SCHEDULES
from .settings import (
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_LR,
    MAX_PATH_STEPS,
    MAX_SEED,
    MAX_START,
    MAX_WIDTH,
    PathSettings,
    TrainingSettings,
    comparisons,
    head_options,
    surface_defaults,
)

DATASETS = {  # name -> what the page calls it
    "red_black": _("red/black points (the course's two classes)"),
    "red_yellow_blue": _("red/yellow/blue points (three classes)"),
    "tagged_points": _("tagged points (0 to 3 tags each: multi-label)"),
    "curve": _("a 1-D curve (a number per point)"),
    "csv": _("your CSV (two numeric columns and a target)"),
    "points": _("your points (click the map to add them)"),
}


class FieldError(ValueError):
    """A field's value is refused: `message` names the field and what is valid."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Range:
    """A number's bounds, each closed unless said open; `whole` asks for a whole number."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    whole: bool = False

    def rule(self) -> str:
        """The range in words, one message per shape of range (languages word each differently)."""
        low = None if self.low is None else f"{self.low:g}"
        high = None if self.high is None else f"{self.high:g}"
        if low is not None and high is not None:
            if self.low_open:
                if self.high_open:
                    return _("> {low} and < {high}", low=low, high=high)
                return _("> {low} and ≤ {high}", low=low, high=high)
            if self.high_open:
                return _("≥ {low} and < {high}", low=low, high=high)
            return _("≥ {low} and ≤ {high}", low=low, high=high)
        if low is not None:
            return _("> {low}", low=low) if self.low_open else _("≥ {low}", low=low)
        return _("< {high}", high=high) if self.high_open else _("≤ {high}", high=high)

    def holds(self, value: float) -> bool:
        low = self.low is None or (value > self.low if self.low_open else value >= self.low)
        high = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return low and high


@dataclass(frozen=True)
class Field:
    name: str  # the form's key (the page's element is #field-NAME)
    widget: str  # dropdown, radio, number, text, checkbox, checkboxes or file
    label: Message
    setting: str | None = None  # the settings' attribute it sets (default: its name)
    key: str | None = None  # its key in the link (default: its name); "" for none
    choices: Callable[[dict], list] | None = None  # the form -> [(shown, value)] now
    range: Range | None = None
    shown: Callable[[dict], bool] | None = None  # whether the page shows it for these values
    info: Message | None = None
    placeholder: Message | None = None
    redraws: bool = False  # a change redraws the untrained network (it changes the start)
    row: str | None = None  # fields with the same row sit side by side
    # the optimizer's own name for it, where the optimizer checks it (nnref.optim)
    hyperparameter: str | None = None
    extra: dict = field(default_factory=dict)  # the widget's own arguments

    @property
    def attribute(self) -> str:
        return self.setting or self.name

    @property
    def url_key(self) -> str:
        return self.name if self.key is None else self.key

    def values(self, form: dict) -> list:
        """The valid values now: those of its choices."""
        return [value for _, value in self.choices(form)]

    def read(self, form: dict):
        """Its value in the form, checked: FieldError names the field and what is valid."""
        value = form.get(self.name)
        if self.choices is not None and self.widget != "checkboxes":
            valid = self.values(form)
            if value not in valid:
                shown = ", ".join(map(str, valid))
                raise FieldError(
                    _(
                        "{field}: {value!r} is not one of {valid}",
                        field=self.label,
                        value=value,
                        valid=shown,
                    )
                )
            return value
        if self.range is not None:
            return number(self, value)
        if self.widget == "checkbox":
            return bool(value)
        return value


def number(f: Field, given):
    """A finite number within the field's range; a message that states the range otherwise."""
    value, rule = given, f.range.rule()
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    kind = _("a whole number") if f.range.whole else _("a number")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        if isinstance(given, str) and given.strip():
            raise FieldError(
                _(
                    "{field}: {value!r} is not {kind}; give {kind} {rule}",
                    field=f.label,
                    value=given,
                    kind=kind,
                    rule=rule,
                )
            )
        raise FieldError(_("{field}: give {kind} {rule}", field=f.label, kind=kind, rule=rule))
    if f.range.whole and value != int(value):
        raise FieldError(_("{field}: {value:g} is not a whole number", field=f.label, value=value))
    if not f.range.holds(value):
        shown = given.strip() if isinstance(given, str) else f"{value:g}"
        if isinstance(given, int) and not isinstance(given, bool):
            shown = str(given)  # 999999999 as typed, not 1e+09
        raise FieldError(
            _(
                "{field}: {value} is out of range; give {kind} {rule}",
                field=f.label,
                value=shown,
                kind=kind,
                rule=rule,
            )
        )
    return int(value) if f.range.whole else float(value)


def parse_hidden(text) -> tuple:
    """ "16, 8" -> (16, 8); "" -> () (no hidden layer). FieldError names the field."""
    parts = [p.strip() for p in str(text if text is not None else "").replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise FieldError(
            _(
                "{field}: {value!r} is not a list of whole numbers; write e.g. 16, 8 "
                "(empty for no hidden layer)",
                field=HIDDEN_LABEL,
                value=text,
            )
        ) from None
    if len(sizes) > MAX_LAYERS or any(not 1 <= s <= MAX_WIDTH for s in sizes):
        raise FieldError(
            _(
                "{field}: at most {layers} layers of 1 to {width} units each",
                field=HIDDEN_LABEL,
                layers=MAX_LAYERS,
                width=MAX_WIDTH,
            )
        )
    return sizes


def format_hidden(sizes) -> str:
    return ", ".join(str(s) for s in sizes)


HIDDEN_LABEL = _("hidden layers")


# ---------------------------------------------------------------- the choices, from the core
def plain(names) -> Callable[[dict], list]:
    return lambda form: [(name, name) for name in names]


def head_losses(form: dict) -> list:
    head = HEADS.get(form.get("head"), next(iter(HEADS.values())))
    return [(name, name) for name in head.losses]


def option_values(option: str) -> Callable[[dict], list]:
    """An option's values: the chosen head's, else those of the first head that has it."""

    def choices(form: dict) -> list:
        head = HEADS.get(form.get("head"))
        if head is None or option not in head.options:
            head = next(h for h in HEADS.values() if option in h.options)
        return [(value, value) for value in head.options[option]]

    return choices


def option_label(option: str):
    """An option's name for people, as the first head that has it says it."""
    return next(h.labels.get(option, option) for h in HEADS.values() if option in h.options)


def has_option(option: str) -> Callable[[dict], bool]:
    return lambda form: option in getattr(HEADS.get(form.get("head")), "options", {})


def surface_choices(form: dict) -> list:
    return [(f"{n.replace('_', ' ')}: {s['formula']}", n) for n, s in SURFACES.items()]


# ---------------------------------------------------------------- the training tab
# The data, the head and its loss, then each head's options (from nnref.heads, when the page asks),
# then the body, the optimizer, the batching and the run.
DATA_AND_HEAD = [
    Field(
        "data",
        "dropdown",
        _("data"),
        choices=lambda form: list((label, name) for name, label in DATASETS.items()),
    ),
    Field("csv_file", "file", _("CSV file"), key="", shown=lambda form: form.get("data") == "csv"),
    Field(
        "csv_target",
        "text",
        _("target column"),
        key="target",
        placeholder=_("the last column"),
        shown=lambda form: form.get("data") == "csv",
        redraws=True,
    ),
    Field("head", "dropdown", _("task head"), choices=plain(HEADS), row="head"),
    Field("loss", "dropdown", _("loss"), choices=head_losses, row="head", redraws=True),
]
RUN = [
    Field(
        "hidden",
        "text",
        _("hidden layer sizes"),
        info=_("e.g. 16, 8 · empty: none"),
        row="body",
        redraws=True,
    ),
    Field(
        "activation",
        "dropdown",
        _("hidden activation"),
        key="act",
        choices=plain(ACTIVATIONS),
        row="body",
        redraws=True,
    ),
    Field(
        "optimizer",
        "dropdown",
        _("optimizer"),
        key="opt",
        choices=plain(OPTIMIZERS),
        row="optimizer",
    ),
    Field(
        "lr",
        "number",
        _("lr"),
        range=Range(0, MAX_LR, low_open=True),
        row="optimizer",
        hyperparameter="lr",
    ),
    Field(
        "gamma",
        "number",
        _("γ (momentum)"),
        range=Range(0, 1, high_open=True),
        shown=lambda form: form.get("optimizer") in USES_MOMENTUM,
        row="rates",
        hyperparameter="momentum",
    ),
    Field(
        "beta1",
        "number",
        _("β1"),
        range=Range(0, 1, high_open=True),
        shown=lambda form: form.get("optimizer") in USES_BETAS,
        row="rates",
        hyperparameter="betas[0]",
    ),
    Field(
        "beta2",
        "number",
        _("β2"),
        range=Range(0, 1, high_open=True),
        shown=lambda form: form.get("optimizer") in USES_BETAS,
        row="rates",
        hyperparameter="betas[1]",
    ),
    Field(
        "batching",
        "radio",
        _("batching"),
        key="batch",
        choices=plain(BATCHINGS),
        row="batching",
    ),
    Field(
        "batch_size",
        "number",
        _("batch size"),
        key="bs",
        range=Range(1, None, whole=True),
        shown=lambda form: form.get("batching") == "mini",
        row="batching",
    ),
    Field(
        "schedule",
        "dropdown",
        _("lr schedule"),
        key="sched",
        choices=plain(SCHEDULES),
        row="time",
    ),
    Field("epochs", "number", _("epochs"), range=Range(1, MAX_EPOCHS, whole=True), row="time"),
    Field(
        "seed",
        "number",
        _("seed"),
        range=Range(0, MAX_SEED, whole=True),
        row="time",
        redraws=True,
    ),
    Field(
        "wrong_start",
        "checkbox",
        _("confidently wrong start (output bias: y ≈ 0 where t = 1)"),
        key="wrong",
        redraws=True,
    ),
    Field(
        "compare",
        "dropdown",
        _("compare runs that differ in"),
        key="cmp",
        choices=lambda form: plain(comparisons())(form),
        row="compare",
        redraws=True,
    ),
    Field(
        "patience",
        "number",
        _("early stop after"),
        key="stop",
        range=Range(0, MAX_EPOCHS, whole=True),
        info=_("epochs without a lower val loss; 0: off"),
        row="compare",
    ),
]


def head_option_fields() -> list[Field]:
    """A field for each option a head has (encoding, output, ...), shown for the heads that have
    it, its choices theirs."""
    return [
        Field(
            name,
            "radio",
            option_label(name),
            choices=option_values(name),
            shown=has_option(name),
            redraws=True,
        )
        for name in head_options()
    ]


def training_fields() -> list[Field]:
    """The training tab's fields, in the page's order (the heads' options as they are now)."""
    return [*DATA_AND_HEAD, *head_option_fields(), *RUN]


# ---------------------------------------------------------------- the paths tab
def path_fields() -> list[Field]:
    return [
        Field("surface", "dropdown", _("surface"), choices=surface_choices),
        Field("x0", "number", _("start x"), range=Range(-MAX_START, MAX_START), row="start"),
        Field("y0", "number", _("start y"), range=Range(-MAX_START, MAX_START), row="start"),
        Field("optimizers", "checkboxes", _("optimizers"), key="p_opts", choices=plain(OPTIMIZERS)),
        Field(
            "p_lr",
            "number",
            _("lr (all)"),
            setting="lr",
            range=Range(0, MAX_LR, low_open=True),
            row="rates",
        ),
        Field(
            "p_gamma",
            "number",
            _("γ (momentum, nag)"),
            setting="gamma",
            range=Range(0, 1, high_open=True),
            row="rates",
        ),
        Field(
            "steps", "number", _("steps"), key="p_steps", range=Range(1, MAX_PATH_STEPS, whole=True)
        ),
    ]


# ---------------------------------------------------------------- defaults, as the form holds them
def training_defaults() -> dict:
    """The training tab's values as the page opens: TrainingSettings' defaults."""
    values = TrainingSettings().as_dict()
    return {**values, "hidden": format_hidden(values["hidden"]), "csv_file": None}


def path_defaults(surface: str = PathSettings.surface) -> dict:
    """The paths tab's values for a surface: its own start, lr, gamma and steps."""
    values = {**PathSettings().as_dict(), "surface": surface, **surface_defaults(surface)}
    return {f.name: values[f.attribute] for f in path_fields()}
