"""nnref in two languages: the glossary every Korean text follows, and the languages there are.

What programs say is in the message catalogs (nnref.locale.messages: gettext, by message ID).

The glossary (glossary.yaml beside this file) holds one Korean term per concept with its English
one, where the lecture notes write it (or why this term, where they do not), and the variants a
Korean text must not use. `unwanted(text)` finds those variants in a text; the tests run it over
every Korean page, notebook and message nnref has.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib.resources import files

import yaml

LANGUAGES = ("en", "ko")  # English first: the default everywhere
NAMES = {"en": "English", "ko": "한국어"}


@dataclass(frozen=True)
class Term:
    en: str
    ko: str
    lecture: str | None  # where the notes write the Korean term
    why: str | None  # why this term, where the notes have none
    why_ko: str | None  # the same, in Korean
    avoid: tuple[str, ...]
    synonyms: tuple[str, ...] = ()  # the notes' and textbooks' other words: right, in parentheses

    def why_in(self, lang: str) -> str | None:
        return self.why_ko if lang == "ko" else self.why


@functools.cache
def glossary() -> tuple[Term, ...]:
    """The glossary's terms, in its order."""
    entries = yaml.safe_load(files(__package__).joinpath("glossary.yaml").read_text("utf-8"))
    return tuple(
        Term(
            e["en"],
            e["ko"],
            e.get("lecture"),
            e.get("why"),
            e.get("why_ko"),
            tuple(e.get("avoid", ())),
            tuple(e.get("synonyms", ())),
        )
        for e in entries
    )


def term(en: str) -> str:
    """The Korean term for an English one (its `en` as the glossary writes it)."""
    for t in glossary():
        if t.en == en:
            return t.ko
    raise KeyError(f"{en!r} is not in nnref's glossary (src/nnref/locale/glossary.yaml)")


@functools.cache
def _variants() -> list[tuple[re.Pattern, str, Term]]:
    found = []
    for t in glossary():
        for variant in t.avoid:
            # A variant starts a word (Korean particles follow a word, so its end is free): 로스
            # is not in 크로스. And where it begins the chosen term, it is not that term.
            rest = t.ko[len(variant) :] if t.ko.startswith(variant) else ""
            pattern = re.compile(
                r"(?<![가-힣])" + re.escape(variant) + (f"(?!{re.escape(rest)})" if rest else "")
            )
            found.append((pattern, variant, t))
    return found


def unwanted(text: str) -> list[tuple[str, Term, int]]:
    """(variant, the term it stands for, line number) for each glossary variant in a text."""
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, variant, t in _variants():
            if pattern.search(line):
                hits.append((variant, t, number))
    return hits


def language(value, default: str = "en") -> str:
    """A language code from a URL value or a browser's Accept-Language ("ko-KR,ko;q=0.9")."""
    for part in str(value or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default
