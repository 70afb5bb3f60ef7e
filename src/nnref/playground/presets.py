"""A preset for every claim of the course that the playground can show.

A preset sets the fields of one tab (and, for a comparison, which field its runs differ in), says
the claim in one sentence with its lecture page, and knows how to tell from a run's numbers
whether the claim showed. When a student moves a field and the outcome no longer matches (NAG no
longer escapes from the start they chose), the page says so in one line. The site's claim pages
link to their presets: `?preset=NAME` opens the playground with the preset's settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..locale.messages import Message, _, join


@dataclass(frozen=True)
class Preset:
    name: str
    title: Message  # what the menu shows
    claim: Message  # one sentence, in nnref's own words
    lecture: str  # "2-4 p. 10-12"
    tab: str  # "training" or "paths"
    values: dict  # the fields it sets (the rest keep their defaults)
    # result -> (held, one line): training results are the runs' summaries, paths results the
    # optimizer_paths result
    check: Callable | None = field(default=None, compare=False)

    @property
    def sentence(self) -> Message:
        return _(
            "**{title}.** {claim} (lecture {lecture})",
            title=self.title,
            claim=self.claim,
            lecture=self.lecture,
        )


def by_label(summaries) -> dict:
    """{variant label's value: summary} of a comparison's runs (the label is "field=value")."""
    return {s["label"].split("=", 1)[-1]: s for s in summaries}


def saturation(summaries):
    runs = by_label(summaries)
    mse, ce = runs["mse"], runs["ce"]
    held = mse["final_score"] < mse["first_score"] + 0.05 and ce["final_score"] > 0.9
    return held, _(
        "sigmoid + MSE stayed at train accuracy {mse:.2f}, cross-entropy reached {ce:.2f}",
        mse=mse["final_score"],
        ce=ce["final_score"],
    )


def ordinal(summaries):
    runs = by_label(summaries)
    onehot, codes = runs["onehot"]["final_val_score"], runs["ordinal"]["final_val_score"]
    return onehot > codes, _(
        "validation accuracy: one-hot {onehot:.2f}, ordinal codes {codes:.2f}",
        onehot=onehot,
        codes=codes,
    )


def two_class_softmax(summaries):
    runs = by_label(summaries)
    sigmoid, softmax = runs["binary"]["final_val_score"], runs["multiclass"]["final_val_score"]
    return abs(sigmoid - softmax) <= 0.05, _(
        "validation accuracy: one sigmoid {sigmoid:.2f}, a two-class softmax {softmax:.2f}",
        sigmoid=sigmoid,
        softmax=softmax,
    )


def batching(summaries):
    runs = by_label(summaries)
    loss = {name: runs[name]["final_loss"] for name in ("full", "mini", "stochastic")}
    held = loss["stochastic"] < loss["mini"] < loss["full"]
    return held, _(
        "train loss after the same epochs: full {full:.3g}, mini {mini:.3g}, stochastic "
        "{stochastic:.3g}",
        **loss,
    )


def escapes(result):
    names = result["settings"]["lr_shared_by"]
    escaped = {n: result[n].get("escaped") for n in names}
    held = (
        escaped.get("momentum", True) and escaped.get("nag", True) and not escaped.get("gd", False)
    )
    each = [
        _("{name} escaped", name=n) if e else _("{name} stayed", name=n) for n, e in escaped.items()
    ]
    return held, join(each, ", ")


def nag_ravine(result):
    steps = {n: result[n]["steps_to_tol"] for n in result["settings"]["lr_shared_by"]}
    nag, momentum = steps.get("nag"), steps.get("momentum")
    held = nag is not None and (momentum is None or nag <= momentum)
    each = ", ".join(f"{n} {s if s is not None else '—'}" for n, s in steps.items())
    return held, _("steps to the minimum: {each}", each=each)


def overshoot(result):
    path = result["momentum"]["path"]
    past = max(p[0] for p in path)  # the minimum is at x = 0, approached from x = -8
    return past > 0.5, _("momentum reached x = {past:.2f}, past the minimum at x = 0", past=past)


def adagrad_decay(result):
    def last_step(name):
        path = result[name]["path"]
        return abs(path[-1][0] - path[-2][0]) + abs(path[-1][1] - path[-2][1])

    held = result["adagrad"]["final_loss"] > result["rmsprop"]["final_loss"]
    return held, _(
        "final loss: adagrad {adagrad:.3g} (its last step {step:.2g}), rmsprop {rmsprop:.3g}",
        adagrad=result["adagrad"]["final_loss"],
        step=last_step("adagrad"),
        rmsprop=result["rmsprop"]["final_loss"],
    )


PRESETS = {
    p.name: p
    for p in (
        Preset(
            "saturation",
            _("Sigmoid + MSE stalls from a confidently wrong start"),
            _(
                "Started confidently wrong, sigmoid + MSE barely moves, because its gradient "
                "carries the factor y(1 − y) ≈ 0; cross-entropy's gradient y − t stays near −1 "
                "and it learns"
            ),
            "2-4 p. 7-12",
            "training",
            {
                "data": "red_black",
                "head": "binary",
                "wrong_start": True,
                "optimizer": "gd",
                "lr": 0.5,
                "batching": "full",
                "epochs": 60,
                "compare": "loss",
            },
            saturation,
        ),
        Preset(
            "ordinal",
            _("Ordinal codes against one-hot"),
            _(
                "Coding red, yellow and blue as 1, 0.5 and 0 on one sigmoid output imposes an "
                "order the classes do not have; one output per class with one-hot targets learns "
                "them all"
            ),
            "2-4 p. 16-18",
            "training",
            {
                "data": "red_yellow_blue",
                "head": "multiclass",
                "optimizer": "adam",
                "lr": 0.01,
                "epochs": 100,
                "compare": "encoding",
            },
            ordinal,
        ),
        Preset(
            "binary-softmax",
            _("Binary as a two-class softmax"),
            _(
                "One sigmoid output and a two-class softmax with its cross-entropy are the same "
                "model of two classes: they learn the same boundary"
            ),
            "2-4 p. 19",
            "training",
            {"data": "red_black", "head": "binary", "epochs": 60, "compare": "head"},
            two_class_softmax,
        ),
        Preset(
            "batching",
            _("Batch, mini-batch and stochastic GD"),
            _(
                "With the same lr and epochs, updating after every row gets furthest and the "
                "whole batch least far; mini-batches sit between"
            ),
            "3-1 p. 4-14",
            "training",
            {
                "data": "red_black",
                "head": "binary",
                "optimizer": "gd",
                "lr": 0.1,
                "epochs": 30,
                "compare": "batching",
            },
            batching,
        ),
        Preset(
            "collapse",
            _("Identity hidden layers collapse into one linear map"),
            _(
                "Hidden layers with the identity activation fold into one linear layer, so the "
                "boundaries stay straight lines however many layers there are"
            ),
            "2-4 p. 4",
            "training",
            {
                "data": "red_yellow_blue",
                "head": "multiclass",
                "activation": "identity",
                "hidden": "8, 8",
                "optimizer": "adam",
                "lr": 0.01,
                "epochs": 100,
            },
        ),
        Preset(
            "multilabel",
            _("Multi-label: a sigmoid per tag"),
            _(
                "Each tag is its own binary problem with its own sigmoid; a point may carry none, "
                "one or all of them, so the outputs need not sum to 1"
            ),
            "2-4 p. 23-25",
            "training",
            {
                "data": "tagged_points",
                "head": "multilabel",
                "optimizer": "adam",
                "lr": 0.01,
                "epochs": 150,
            },
        ),
        Preset(
            "momentum-escape",
            _("Momentum escapes the local minimum"),
            _(
                "Gradient descent stops in the shallow well; momentum and NAG carry their speed "
                "over the barrier into the deeper one"
            ),
            "3-1 p. 16-19",
            "paths",
            {"surface": "local_minimum", "optimizers": ["gd", "momentum", "nag"]},
            escapes,
        ),
        Preset(
            "nag-ravine",
            _("NAG in the ravine"),
            _(
                "In a steep, narrow valley NAG, which takes its gradient at the look-ahead point, "
                "settles in fewer steps than momentum, and both far sooner than gradient descent"
            ),
            "3-1 p. 20-23",
            "paths",
            {"surface": "ravine", "optimizers": ["gd", "momentum", "nag"]},
            nag_ravine,
        ),
        Preset(
            "overshoot",
            _("Momentum overshoots"),
            _("At a large γ momentum's speed carries it past the minimum it is heading for"),
            "3-1 p. 21",
            "paths",
            {"surface": "ravine", "optimizers": ["gd", "momentum"], "gamma": 0.99, "steps": 400},
            overshoot,
        ),
        Preset(
            "adagrad-decay",
            _("AdaGrad's steps only shrink"),
            _(
                "AdaGrad divides by the root of every squared gradient so far, so its steps only "
                "shrink and it crawls; RMSProp's running mean lets them grow again"
            ),
            "3-1 p. 15",
            "paths",
            {
                "surface": "rosenbrock",
                "optimizers": ["adagrad", "rmsprop"],
                "lr": 0.01,
                "steps": 3000,
            },
            adagrad_decay,
        ),
    )
}


def outcome(preset: Preset, result) -> str:
    """The one line the page adds after a run of a preset: whether the claim showed, and why."""
    if preset is None or preset.check is None:
        return ""
    try:
        held, line = preset.check(result)
    except (KeyError, IndexError, TypeError, ValueError):
        return _(
            "This run no longer shows the preset's claim ({title}): its settings changed.",
            title=preset.title,
        )
    if held:
        return _("As the claim says: {line}.", line=line)
    return _("Not this time: {line}, so this run does not show the preset's claim.", line=line)
