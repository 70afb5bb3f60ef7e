"""nnref-check: the kit's reports as tables on the command line (`python -m nnref.testing` is the
same).

    nnref-check optimizer mypkg.mymod:MyMomentum --twin momentum [--closure] [--hp lr=0.1]
    nnref-check head mypkg.mod:my_loss --task multiclass [--loss ce]
    nnref-check head ... --lang ko      # the report in Korean (--lang: en, the default, or ko)

Exit status: 0 every check passed, 1 some failed, 2 the target could not be imported or built.
"""

from __future__ import annotations

import argparse
import ast
import functools
import sys

import torch

from nnref.heads import HEADS
from nnref.locale import LANGUAGES
from nnref.locale.messages import _, render

from .heads import check_head
from .optimizers import NAMED_TWINS, KitError, check_optimizer, load
from .runs import accepted, optimizer_class

PROG = "nnref-check"
DTYPES = {"float64": torch.float64, "float32": torch.float32}
LOSSES = sorted({loss for head in HEADS.values() for loss in head.losses})


def hyperparameter(text: str):
    """NAME=VALUE, e.g. lr=0.1 or betas=(0.9, 0.99) -> ("lr", 0.1)."""
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(_("{text!r}: expected NAME=VALUE, e.g. lr=0.1", text=text))
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(
            _("{text!r}: {value!r} is not a Python literal", text=text, value=value)
        ) from None


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="the report's language (ko: Korean)"
    )

    optimizer = commands.add_parser(
        "optimizer", parents=[common], help="check a torch.optim.Optimizer (class or factory)"
    )
    optimizer.add_argument(
        "target", help="module:attr (or path/to/file.py:attr): an Optimizer class or a factory"
    )
    optimizer.add_argument(
        "--twin", help=f"{', '.join(NAMED_TWINS)}, torch.optim.NAME or module:attr"
    )
    optimizer.add_argument(
        "--closure", action="store_true", help="step(closure) throughout (NAG needs it)"
    )
    optimizer.add_argument(
        "--hp",
        action="append",
        type=hyperparameter,
        default=[],
        metavar="NAME=VALUE",
        help="a hyperparameter (repeatable), given to the target class and a twin class "
        "wherever its constructor takes the name; a named twin adds defaults",
    )
    optimizer.add_argument(
        "--dtype", action="append", choices=list(DTYPES), help="float64 (default), float32"
    )

    head = commands.add_parser(
        "head", parents=[common], help="check an output layer and loss against the course"
    )
    head.add_argument(
        "target",
        help="module:attr: loss(logits, targets), or a head "
        "of nnref.heads or nnref.tasks (class or instance)",
    )
    head.add_argument("--task", required=True, choices=list(HEADS))
    head.add_argument(
        "--loss", choices=LOSSES, help="default: the head's own, else the task's first"
    )
    return main


def with_hyperparameters(thing, hp: dict):
    """An Optimizer class as a partial with the hyperparameters it takes; anything else as it is."""
    cls = optimizer_class(thing)
    return functools.partial(thing, **accepted(cls, hp)) if cls is not None and hp else thing


def named(twin):
    return isinstance(twin, str) and twin.lower() in NAMED_TWINS


def run_optimizer(target, args):
    hp = dict(args.hp)
    twin = args.twin
    if twin is not None and not named(twin):
        # E.g. --twin torch.optim.SGD --hp nesterov=True.
        twin = with_hyperparameters(load(twin), hp)
    if named(twin):  # its defaults, so that `--twin momentum` alone builds a class target
        hp = {**NAMED_TWINS[twin.lower()][1], **hp}
    dtypes = tuple(DTYPES[name] for name in args.dtype or ["float64"])
    return check_optimizer(
        with_hyperparameters(target, hp), twin=twin, closure=args.closure, dtypes=dtypes
    )


def run(args) -> int:
    target = load(args.target)
    if args.command == "head":
        report = check_head(target, args.task, loss=args.loss)
    else:
        report = run_optimizer(target, args)
    report.lang = args.lang
    print(report)
    return 0 if report.ok else 1


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except KitError as error:
        message = error.args[0]
        if "required" in str(error) and args.command == "optimizer":
            message = _("{error} (give it with --hp NAME=VALUE)", error=message)
        print(
            render(_("{prog}: error: {error}", prog=PROG, error=message), args.lang),
            file=sys.stderr,
        )
        return 2
