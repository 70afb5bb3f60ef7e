"""A form's values -> settings: each field by its own check (fields.py), then the course's own rules
by the parts that own them, each refusal named on its field.

The parts' rules are theirs, asked, never copied: a head's losses and options and their pairings
(`check_options`: ordinal codes take MSE), the optimizer's hyperparameters
(`check_hyperparameters`), the body's sizes (`check_body`). The playground adds only what keeps a
classroom's server safe (its fields' ranges: lr ≤ 10, at most 1000 epochs) and two rules between
fields: a confidently wrong start needs an output that saturates, and a comparison needs two values
to compare.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import InvalidSetting
from ..heads import HEADS
from ..locale.messages import _
from ..nets import check_body
from ..optim import OPTIMIZERS
from .fields import (
    FieldError,
    parse_hidden,
    path_defaults,
    path_fields,
    training_defaults,
    training_fields,
)
from .settings import PathSettings, SettingsError, TrainingSettings, compared


def shown_values(fields, values: dict, defaults: dict) -> dict:
    """The form with a default in every field the page hides for these choices: a value left in a
    hidden field (a γ from momentum, now on GD) must not block a run."""
    form = {**defaults, **{k: v for k, v in values.items() if k in defaults}}
    for f in fields:
        if f.shown is not None and not f.shown(form):
            form[f.name] = defaults[f.name]
    return form


def read_fields(fields, form: dict, errors: dict) -> dict:
    """{attribute: value} of each field that holds; each that does not adds its message."""
    out = {}
    for f in fields:
        if f.widget == "file":
            continue
        try:
            out[f.attribute] = parse_hidden(form[f.name]) if f.name == "hidden" else f.read(form)
        except FieldError as error:
            errors[f.name] = error.message
    return out


def parse_training(values: dict) -> TrainingSettings:
    """The training tab's form -> TrainingSettings; SettingsError names every bad field."""
    fields = training_fields()
    form = shown_values(fields, values, training_defaults())
    errors: dict = {}
    out = read_fields(fields, form, errors)
    out["csv_target"] = str(out.get("csv_target") or "").strip()
    if not errors:
        settings = TrainingSettings.from_dict(out)
        check_parts(settings, fields, errors)
        check_between(settings, fields, errors)
    if errors:
        raise SettingsError(errors)
    return settings


def named(fields, key: str, why) -> tuple:
    """(field, message) for a part's refusal of its setting `key`, on the field that holds it."""
    f = next(f for f in fields if key in (f.name, f.hyperparameter))
    return f.name, _("{field}: {why}", field=f.label, why=why)


def check_parts(settings: TrainingSettings, fields, errors: dict) -> None:
    """The head's, the body's and the optimizer's own rules, each named on its field."""
    head = HEADS[settings.head]
    checks = (
        lambda: head.check_options(settings.loss, **settings.head_options()),
        lambda: check_body(settings.hidden, settings.activation),
        lambda: OPTIMIZERS[settings.optimizer].cls.check_hyperparameters(
            **settings.hyperparameters()
        ),
    )
    for check in checks:
        try:
            check()
        except InvalidSetting as error:
            field, message = named(fields, error.key, error.why)
            errors[field] = message


def check_between(settings: TrainingSettings, fields, errors: dict) -> None:
    head = HEADS[settings.head]
    if settings.wrong_start and not head.can_start_wrong(**settings.head_options()):
        errors["wrong_start"] = _(
            "confidently wrong start: this output cannot saturate (a linear one has no flat "
            "region); choose an output that squashes, or a classification head"
        )
    if settings.compare not in ("none", "head") and len(compared(settings, [])) < 2:
        errors["compare"] = _(
            "compare: the {head} head has one {what}; compare batching or optimizer instead",
            head=settings.head,
            what=settings.compare,
        )


def parse_paths(values: dict) -> PathSettings:
    """The paths tab's form -> PathSettings; SettingsError names every bad field. Fields it does
    not name take the chosen surface's own values."""
    fields = path_fields()
    errors: dict = {}
    surface = values.get("surface", PathSettings.surface)
    surface_field = fields[0]
    try:
        surface = surface_field.read({"surface": surface})
    except FieldError as error:
        errors["surface"] = error.message
        surface = PathSettings.surface
    given = {k: v for k, v in values.items() if v is not None}
    form = {**path_defaults(surface), **given, "surface": surface}
    chosen = form.get("optimizers")
    form["optimizers"] = [chosen] if isinstance(chosen, str) else list(chosen or [])
    out = read_fields(fields[1:], form, errors)
    unknown = [o for o in form["optimizers"] if o not in OPTIMIZERS]
    if unknown or not form["optimizers"]:
        errors["optimizers"] = (
            _(
                "optimizers: {value!r} is not one of {valid}",
                value=unknown[0],
                valid=", ".join(OPTIMIZERS),
            )
            if unknown
            else _("optimizers: pick at least one")
        )
    if errors:
        raise SettingsError(errors)
    ordered = tuple(o for o in OPTIMIZERS if o in form["optimizers"])  # the course's order
    return replace(PathSettings(), surface=surface, **{**out, "optimizers": ordered})


def checked(training: dict, paths: dict) -> tuple[dict, dict, dict]:
    """A link's values, each held to the field's own rules: (training values that hold, path
    values that hold, {field: message} for each that does not). A bad value is left out, so its
    field keeps its default and the rest of the link still applies."""
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
                    name = f if prefix and f.startswith(prefix) else prefix + f
                    errors[name] = _(
                        "link: {message} (its default is used)", message=error.errors[f]
                    )
                    del values[f]
    return training, paths, errors
