"""What nnref's programs say to a person, looked up by message ID in a gettext catalog.

Code writes a message as its English text with named placeholders, marked for extraction:

    _("{field}: {value} is out of range; give a number {rule}", field=..., value=..., rule=...)

`_` returns a Message: a str holding the English text (so it prints, joins and raises as before),
which also keeps its message ID and its values, so that a shell can show it in another language
with `render(message, lang)`. The ID is looked up in the language's catalog first, and the values
are filled in after, so the words can come in another order. A value that is itself a Message is
rendered in the same language. `_n(singular, plural, n, ...)` chooses by n, as gettext's ngettext.

The catalogs are gettext .po files beside this module, `LANG/LC_MESSAGES/nnref.po`, which a
translator's tools read and Babel extracts (`pybabel extract -k _ -k _n:1,2 src/nnref`). In a
Korean text a particle after a placeholder is its format spec, `{head:을}`: it is chosen when the
value is filled in (nnref.locale.particles). A message missing from a catalog shows in English;
tests/test_messages.py keeps every catalog complete.
"""

from __future__ import annotations

import functools
import io
import os
import string
from importlib.resources import files

from . import language
from .particles import PAIRS, particle

DOMAIN = "nnref"
# Where a command finds its language, in the order gettext programs read them.
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class Message(str):
    """A message in English (the str itself), with its ID and values for other languages."""

    msgid: str
    plural: str | None  # the English plural, for a message that changes with a count
    count: int | None
    params: dict

    def __new__(cls, msgid: str, plural: str | None = None, count: int | None = None, /, **params):
        english = fill(plural if plural is not None and count != 1 else msgid, params, "en")
        self = super().__new__(cls, english)
        self.msgid, self.plural, self.count, self.params = msgid, plural, count, params
        return self

    def __reduce__(self):
        # Pickled (a room's worker sends it to the server) with its ID and values.
        return _rebuild, (self.msgid, self.plural, self.count, self.params)

    def render(self, lang: str = "en") -> str:
        return render(self, lang)


def _rebuild(msgid, plural, count, params):
    return Message(msgid, plural, count, **params)


class Joined(str):
    """Messages (and plain strs) joined by `sep`: a str in English, rendered part by part."""

    parts: list
    sep: str

    def __new__(cls, parts, sep: str):
        self = super().__new__(cls, sep.join(map(str, parts)))
        self.parts, self.sep = list(parts), sep
        return self

    def __reduce__(self):
        return Joined, (self.parts, self.sep)


def join(parts, sep: str = "  \n") -> Joined:
    """Lines (or any parts) of messages, one text: each shown in the language it is rendered in."""
    return Joined(parts, sep)


def _(msgid: str, /, **params) -> Message:
    """A message: its English text (the ID) and the values of its placeholders."""
    return Message(msgid, **params)


def _n(singular: str, plural: str, n: int, /, **params) -> Message:
    """A message whose English changes with n (run / runs); `n` is a placeholder too."""
    return Message(singular, plural, n, n=n, **params)


class Formatter(string.Formatter):
    """str.format, where a value that is a Message is rendered in the language, and a format spec
    that is a Korean particle (`{head:을}`) follows the value with the particle's right form."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, format_spec: str) -> str:
        shown = render(value, self.lang) if isinstance(value, (Message, Joined)) else value
        if format_spec in PAIRS:
            text = format(shown, "")
            return text + particle(text, format_spec)
        return format(shown, format_spec)


def fill(text: str, params: dict, lang: str) -> str:
    """The text with its placeholders filled in, in the language."""
    return Formatter(lang).format(text, **params) if params else text


def render(text, lang: str = "en") -> str:
    """A message (or a plain str, which comes back as it is) in the language."""
    if isinstance(text, Joined):
        return text.sep.join(render(part, lang) for part in text.parts)
    if not isinstance(text, Message):
        return str(text)
    if lang == "en":
        return str(text)
    translations = catalog(lang)
    if text.plural is not None:
        shown = translations.ngettext(text.msgid, text.plural, text.count)
    else:
        shown = translations.gettext(text.msgid)
    return fill(shown, text.params, lang)


def environment_language(environ=None) -> str:
    """The language a command speaks, chosen as gettext programs choose it: the first of LANGUAGE
    (a colon-separated list), LC_ALL, LC_MESSAGES and LANG that names a language nnref has
    ("ko_KR.UTF-8" and "ko" are Korean). C or POSIX, or nothing set, is English."""
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT:
        for value in (environ.get(variable) or "").split(":"):
            if value.split(".")[0] in ("C", "POSIX"):
                return "en"
            code = language(value, default=None) if value else None
            if code is not None:
                return code
    return "en"


@functools.cache
def catalog(lang: str):
    """The language's catalog as gettext's translations object (read once from its .po file)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    path = files(__package__).joinpath(lang, "LC_MESSAGES", f"{DOMAIN}.po")
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        entries = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, entries)  # gettext reads the compiled form; the .po is the source
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
