"""What nnref's programs say, by message ID: every message marked in the source (found statically,
as Babel extracts it) has its Korean in the catalog, with the same placeholders, no particle left to
chance, and nothing matched against formatted English.

The catalog is src/nnref/locale/ko/LC_MESSAGES/nnref.po; `make messages` brings it up to date with
the source (new messages come in untranslated, and this test names them)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from nnref.locale.messages import Message, _, _n, catalog, environment_language, render
from nnref.locale.particles import PAIRS, attach, particle

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nnref"
PO = SRC / "locale" / "ko" / "LC_MESSAGES" / "nnref.po"
KEYWORDS = {"_": None, "_n": (1, 2)}  # as `make messages` extracts them
FALLBACK = re.compile(r"이\(가\)|을\(를\)|은\(는\)|와\(과\)|과\(와\)|\(으\)로|\(이\)")
# A placeholder followed by a particle written out: its form cannot agree with every value.
FIXED_PARTICLE = re.compile(
    r"\{[\w.]+(?:![rsa])?\}(?:" + "|".join(sorted(PAIRS, key=len, reverse=True)) + r")(?![가-힣])"
)


def source_messages() -> dict:
    """{msgid or (singular, plural): [where]} for every message marked in src/nnref."""
    found = {}
    for path, line, message, _comments, _context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.setdefault(message, []).append(f"{path}:{line}")
    return found


def korean_catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="ko", domain="nnref")


def placeholders(text: str) -> set:
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }


def test_every_message_in_the_source_has_its_korean():
    entries = korean_catalog()
    missing, fuzzy = [], []
    for msgid, where in source_messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = entries.get(key)
        if (
            entry is None
            or not entry.string
            or (isinstance(entry.string, tuple) and not all(entry.string))
        ):
            missing.append(f"{where[0]}: {key!r}")
        elif entry.fuzzy:
            fuzzy.append(f"{where[0]}: {key!r}")
    assert not missing, (
        f"{len(missing)} messages without Korean (make messages, then translate):\n"
        + "\n".join(missing)
    )
    assert not fuzzy, "fuzzy (unchecked) entries:\n" + "\n".join(fuzzy)


def test_the_catalog_holds_no_message_the_source_no_longer_has():
    marked = {m[0] if isinstance(m, tuple) else m for m in source_messages()}
    stale = [
        e.id
        for e in korean_catalog()
        if e.id and (e.id[0] if isinstance(e.id, tuple) else e.id) not in marked
    ]
    assert not stale, stale


def test_every_message_is_marked_with_a_plain_string_so_that_extraction_finds_it():
    wrong = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in KEYWORDS
            ):
                n = 2 if node.func.id == "_n" else 1
                args = node.args[:n]
                if len(args) < n or not all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
                ):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, (
        "a message ID must be a string literal (an f-string is not extracted):\n" + "\n".join(wrong)
    )


def test_each_korean_message_has_the_same_placeholders_and_no_particle_left_to_chance():
    problems = []
    for entry in korean_catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            if placeholders(text) != placeholders(ids[0]) and placeholders(text) != placeholders(
                ids[-1]
            ):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
            if FALLBACK.search(text):
                problems.append(f"a fallback particle: {text!r}")
            if FIXED_PARTICLE.search(text):
                problems.append(
                    f"a particle written after a placeholder ({{x:을}} chooses it): {text!r}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "word, which, expected",
    [
        ("regression", "을", "regression을"),
        ("Adam", "을", "Adam을"),
        ("softmax", "을", "softmax를"),
        ("NAG", "를", "NAG를"),
        ("10", "를", "10을"),
        ("2", "을", "2를"),
        ("multilabel", "으로", "multilabel로"),
        ("momentum", "로", "momentum으로"),
        ("학습률", "가", "학습률이"),
        ("헤드", "은", "헤드는"),
        ("mse", "와", "mse와"),
        ("onehot", "를", "onehot을"),
        ("ordinal", "는", "ordinal은"),
        ("lr", "가", "lr이"),
        ("0.5", "을", "0.5를"),
        ("1000", "이", "1000이"),
    ],
)
def test_a_particle_agrees_with_the_word_as_a_korean_reader_says_it(word, which, expected):
    assert attach(word, which) == expected


def test_every_korean_message_with_a_particle_spec_renders_it_for_any_word():
    samples = ["regression", "Adam", "softmax", "NAG", "10", "2", "학습률", "헤드"]
    checked = 0
    for entry in korean_catalog():
        if not entry.id or isinstance(entry.id, tuple):
            continue
        specs = [
            (name, spec)
            for _, name, spec, _ in string.Formatter().parse(entry.string)
            if name and spec in PAIRS
        ]
        for name, spec in specs:
            for word in samples:
                values = {p: "x" for p in placeholders(entry.id)} | {name: word}
                shown = render(_(entry.id, **values), "ko")
                assert attach(word, spec) in shown, (entry.id, word, shown)
                checked += 1
    assert checked


def test_a_message_is_english_as_a_str_and_korean_when_rendered():
    entries = korean_catalog()
    entry = next(e for e in entries if e.id and not isinstance(e.id, tuple) and placeholders(e.id))
    values = {p: "regression" for p in placeholders(entry.id)}
    message = _(entry.id, **values)
    assert isinstance(message, Message) and message == entry.id.format(**values)
    assert render(message, "ko") != str(message) and render(message, "en") == str(message)
    assert render("plain text", "ko") == "plain text"
    plural = _n("{n} run", "{n} runs", 2)
    assert plural == "2 runs" and _n("{n} run", "{n} runs", 1) == "1 run"
    assert particle("NAG", "을") == "를" and catalog("xx").gettext("a") == "a"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "en"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ko"}, "ko"),
        # LANGUAGE first, a list whose first language nnref has is the one
        ({"LANGUAGE": "fr:ko:en", "LANG": "en_US.UTF-8"}, "ko"),
        # a language nnref does not have is passed over for the next variable's
        ({"LANGUAGE": "fr", "LC_ALL": "", "LANG": "ko_KR.UTF-8"}, "ko"),
        # LC_ALL=C forces English over LANG, as it does for every gettext program
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"),
        ({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
    ],
)
def test_a_command_speaks_the_language_its_environment_names(environ, expected):
    assert environment_language(environ) == expected


def test_a_refusal_keeps_its_message_and_shows_it_in_the_environments_language(monkeypatch, capsys):
    import nnref.locale.messages as messages
    from nnref.errors import ConfigError, refuse
    from nnref.train import compose

    class Marked:
        """A catalog that marks each text it translates: «...»."""

        def gettext(self, msgid):
            return f"«{msgid}»"

        def ngettext(self, singular, plural, n):
            return f"«{singular if n == 1 else plural}»"

    # Refused by the body (nnref.nets), re-raised by nnref.parts as the command's ConfigError.
    with pytest.raises(ConfigError) as refused:
        compose(["model.activation=swish"])
    message = refused.value.args[0]
    assert isinstance(message, Message) and message == (
        "model.activation=swish: unknown; valid: relu, tanh, sigmoid, identity"
    )
    monkeypatch.setattr(messages, "catalog", lambda lang: Marked())
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    with pytest.raises(SystemExit) as exited:
        refuse(refused.value)
    assert exited.value.code == 2
    # The ID looked up in the Korean catalog, then the values filled in.
    shown = "«{key}={value}: unknown; valid: {valid}»".format(**message.params)
    assert capsys.readouterr().err == f"nnref: error: {shown}\n"
