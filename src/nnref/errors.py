"""What a bad setting or a bad file becomes at a command: one line that names it, and exit status 2.

InvalidSetting is a part's own refusal of one of its settings (an optimizer's lr, a head's loss, the
body's hidden sizes), with the setting's name, its value and why: each shell names the setting its
own way (`optim.lr=-1` on the command line, the lr field in the playground). ConfigError is a bad
setting as a command reports it (nnref.checks, nnref.parts); nnref.data.DataError a bad data or
checkpoint file. None is a crash, so none shows a traceback.
"""

from __future__ import annotations

import sys

from .locale.messages import Joined, Message, _, environment_language, render


class InvalidSetting(ValueError):
    """A part refuses one of its settings: `key` (as the part names it), `value`, and `why` (what
    is valid, a message). Its text is `text` when given (a message as nnref-train shows it, or
    torch's English for an optimizer), else `key=value: why`."""

    def __init__(self, key: str, value, why: str, text: str | None = None):
        self.key, self.value, self.why = key, value, why
        super().__init__(text or _("{key}={value}: {why}", key=key, value=value, why=why))


class ConfigError(ValueError):
    """A bad setting: the message names the key, the value and what is valid."""


def first_line(error: BaseException) -> str:
    """An error's message as one line: a message (kept whole, for other languages), or the first
    line of its text."""
    message = error.args[0] if error.args else None
    if isinstance(message, (Message, Joined)) and "\n" not in message.strip():
        return message
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def shown(error: BaseException, lang: str | None = None) -> str:
    """An error's message in the language (the environment's, as gettext programs choose it, when
    not given); an error whose message is plain text shows as it is."""
    message = error.args[0] if error.args else None
    if not isinstance(message, (Message, Joined)):
        return str(error)
    return render(message, environment_language() if lang is None else lang)


def refuse(error: Exception) -> None:
    """Print a refusal the way every nnref command does, in the environment's language, and exit
    with status 2."""
    print(f"nnref: error: {shown(error)}", file=sys.stderr)
    sys.exit(2)
