"""What a playground run is made of: its settings, their defaults and the limits that keep every run
short, and the runs a comparison trains.

The settings' values come from the course's own tables, never from a copy: the heads and their
choices (nnref.heads), the optimizers (nnref.optim), the batchings (nnref.data), the schedules
(nnref.schedules), the hidden activations (nnref.nets). The fields a person sets, with their
labels, widgets, links and checks, are nnref.playground.fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..data import BATCHINGS
from ..experiments.optimizer_paths import SURFACES
from ..heads import HEADS, fitting
from ..locale.messages import _, join
from ..optim import OPTIMIZERS, USES_BETAS, USES_MOMENTUM

# Limits, so that no run can hold the server for long: a run visits at most MAX_VISITS rows in all.
MAX_EPOCHS = 1000
MAX_VISITS = 100_000  # epochs x points
MAX_LAYERS, MAX_WIDTH = 4, 128
MAX_LR = 10.0
MAX_SEED = 2**31 - 1
MAX_PATH_STEPS = 5000
MAX_START = 50.0  # |x|, |y| of a path's start
# The optimizers a comparison of optimizers trains: the lectures' momentum claims.
COMPARED_OPTIMIZERS = ("gd", "momentum", "nag")


class SettingsError(ValueError):
    """Bad settings: `errors` maps each bad field to a message that names it."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__(join(list(self.errors.values()), "; "))


def head_options() -> list[str]:
    """Every head's own options (encoding, output, ...), in the heads' order, each once."""
    return list(dict.fromkeys(key for head in HEADS.values() for key in head.options))


# The page opens on the course's red/black points (two classes), with the head they ask for.
FIRST_HEAD = fitting("classes", 2)[0]


@dataclass(frozen=True)
class TrainingSettings:
    data: str = "red_black"
    csv_target: str = ""  # the target column of a CSV; empty: its last column
    head: str = FIRST_HEAD
    loss: str = next(iter(HEADS[FIRST_HEAD].losses))
    # each head's own options: the option's name -> its value (only the head's own are used)
    options: tuple = ()
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
    compare: str = "none"  # what the runs of a comparison differ in (compared() gives the values)

    def head_options(self) -> dict:
        """The head's own options with their values (defaults where not set)."""
        given = dict(self.options)
        return {k: given.get(k, values[0]) for k, values in HEADS[self.head].options.items()}

    def option(self, name: str):
        """An option's value, set or its default (for any head that has it)."""
        given = dict(self.options)
        if name in given:
            return given[name]
        return next(h.options[name][0] for h in HEADS.values() if name in h.options)

    def as_dict(self) -> dict:
        """The settings as the form holds them: each head option as its own field."""
        values = asdict(self)
        del values["options"]
        return {**values, **{k: self.option(k) for k in head_options()}}

    @classmethod
    def from_dict(cls, values: dict) -> TrainingSettings:
        options = tuple((k, values[k]) for k in head_options() if k in values)
        fields = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "options": options})

    def hyperparameters(self) -> dict:
        """The optimizer's settings: lr, and γ or β1, β2 where the optimizer takes them."""
        out = {"lr": float(self.lr)}
        if self.optimizer in USES_MOMENTUM:
            out["momentum"] = float(self.gamma)
        if self.optimizer in USES_BETAS:
            out["betas"] = (float(self.beta1), float(self.beta2))
        return out

    def with_head(self, head: str) -> TrainingSettings:
        """The same run on another head, at that head's default loss and options."""
        return replace(self, head=head, loss=next(iter(HEADS[head].losses)), options=())


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


# ---------------------------------------------------------------- comparisons
def comparisons() -> list[str]:
    """What a comparison's runs may differ in: the loss and each head option, then the rest."""
    return ["none", "loss", *head_options(), "batching", "optimizer", "head"]


def compared(settings: TrainingSettings, fitting: list[str]) -> tuple:
    """The values a comparison trains, in order; `fitting` is the heads the data fits."""
    head = HEADS[settings.head]
    if settings.compare == "head":
        return tuple(fitting)
    if settings.compare in head.choices():
        return head.choices()[settings.compare]
    return {"batching": tuple(BATCHINGS), "optimizer": COMPARED_OPTIMIZERS}.get(
        settings.compare, ()
    )


def variants(settings: TrainingSettings, fitting: list[str]) -> list[tuple]:
    """(label, settings) of each run a comparison trains (one alone without a comparison). A
    value that takes another loss by its head's rule (ordinal codes take MSE) gets the first
    loss the rule allows; a compared head takes its own defaults."""
    if settings.compare == "none":
        return [("", settings)]
    out = []
    for value in compared(settings, fitting):
        label = f"{settings.compare}={value}"
        if settings.compare == "head":
            out.append((label, replace(settings.with_head(value), compare="none")))
            continue
        changed = TrainingSettings.from_dict({**settings.as_dict(), settings.compare: value})
        out.append((label, replace(allowed_loss(changed), compare="none")))
    return out


def allowed_loss(settings: TrainingSettings) -> TrainingSettings:
    """The settings with a loss the head's rules allow for its options: its own if it does."""
    head = HEADS[settings.head]
    for loss in dict.fromkeys([settings.loss, *head.losses]):
        try:
            head.check_options(loss, **settings.head_options())
        except ValueError:
            continue
        return replace(settings, loss=loss)
    return settings


# ---------------------------------------------------------------- the work a run may do
def max_epochs(n_points: int) -> int:
    """The most epochs a data set of n_points allows (epochs × points ≤ MAX_VISITS)."""
    return max(1, min(MAX_EPOCHS, MAX_VISITS // max(n_points, 1)))


def check_budget(settings: TrainingSettings, n_points: int) -> None:
    """epochs × points within MAX_VISITS: the cap that keeps every run short (named on the epochs
    field)."""
    if settings.epochs * n_points > MAX_VISITS:
        message = _(
            "epochs: at most {most} for {n} points (epochs × points ≤ {cap:,})",
            most=max_epochs(n_points),
            n=n_points,
            cap=MAX_VISITS,
        )
        raise SettingsError({"epochs": message})
