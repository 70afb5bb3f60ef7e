"""nnref's Korean reads as Korean: no marks of translationese in any Korean text, and a
textbook's word (a glossary synonym) only in parentheses right after its term.

The marks are docs/style.ko.md's: the ```yaml block under its heading "## Marks", each a Python
regular expression with why it reads as a translation and what to write instead. The texts are
every Korean page of the site, the Korean editions of the notebooks (markdown cells and comments),
and the message catalogs (`catalog_texts()`). Code spans, fenced code, math and HTML comments are
left out.
"""

import functools
import re
import sys
from pathlib import Path

import yaml
from conftest import ROOT

from nnref.locale import glossary

sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402

DOCS = ROOT / "docs"
LOCALE = ROOT / "src" / "nnref" / "locale"
STYLE = DOCS / "style.ko.md"  # the rules themselves: their bad examples are the point

# No mark of translationese and no synonym outside its parentheses, anywhere: the pages, the
# notebooks and the message catalog alike.
ALLOWED = 0
SYNONYMS_ALLOWED = 0

FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.S | re.M)
HIDDEN = [
    FENCE,
    re.compile(r"<!--.*?-->", re.S),  # markers: <!-- output: CMD -->
    re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\\(.*?\\\)|\$[^$\n]+\$", re.S),  # math
    re.compile(r"`[^`\n]*`"),  # code spans
]


def prose(text: str) -> str:
    """The text with code, math and comments blanked out; its lines stay where they were."""
    for pattern in HIDDEN:
        text = pattern.sub(lambda m: " " + "\n" * m.group().count("\n"), text)
    return text


def marks() -> list[dict]:
    """docs/style.ko.md's marks: the first ```yaml block after its "## Marks" heading."""
    text = STYLE.read_text()
    section = text.split("\n## Marks\n", 1)[1]
    block = re.search(r"^```yaml\n(.*?)^```", section, re.S | re.M).group(1)
    return yaml.safe_load(block)


# --- the Korean texts, each as (place, text)


def page_texts():
    for page in sorted(DOCS.rglob("*.ko.md")):
        if page.parent.name != "notebooks" and page != STYLE:  # docs/notebooks/: generated
            yield str(page.relative_to(ROOT)), page.read_text()


def notebook_texts():
    """The Korean editions, teacher's and student's: markdown cells, and code cells' comments."""
    for name in notebooks.names():
        for kind in notebooks.EDITIONS:
            for i, cell in enumerate(notebooks.edition(name, kind, "ko").cells):
                if cell.cell_type == "markdown":
                    text = cell.source
                else:
                    text = "\n".join(line.partition("#")[2] for line in cell.source.splitlines())
                yield f"notebooks/{name}.py ({kind}, cell {i})", text


def catalog_texts(root: Path = LOCALE):
    """The Korean of nnref's message catalogs (each .po file's msgstr, read with Babel); place: the
    file and the message ID."""
    from babel.messages.pofile import read_po  # noqa: PLC0415

    for path in sorted(root.rglob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgstr in filter(None, strings if msgid else ()):
                yield f"{path.relative_to(root)}: {msgid!r}", msgstr


@functools.cache
def korean_texts() -> tuple[tuple[str, str], ...]:
    """Every Korean text, read once for the tests below."""
    return (*page_texts(), *notebook_texts(), *catalog_texts())


# --- what is counted


def found_marks(texts) -> list[str]:
    compiled = [(re.compile(m["mark"]), m["instead"]) for m in marks()]
    found = []
    for place, text in texts:
        for number, line in enumerate(prose(text).splitlines(), start=1):
            for pattern, instead in compiled:
                for match in pattern.finditer(line):
                    found.append(f"{place}:{number}: {match.group()!r} (instead: {instead})")
    return found


def in_parentheses_after(text: str, at: int, term: str) -> bool:
    opened = text.rfind("(", 0, at)
    return opened >= 0 and ")" not in text[opened:at] and text[:opened].endswith(term)


def found_synonyms(texts) -> list[str]:
    terms = glossary()
    chosen = [t.ko for t in terms]
    checks = [
        (re.compile(r"(?<![가-힣])" + re.escape(synonym)), synonym, t.ko)
        for t in terms
        for synonym in t.synonyms
    ]
    found = []
    for place, text in texts:
        text = prose(text)
        for pattern, synonym, term in checks:
            for match in pattern.finditer(text):
                inside_a_term = any(
                    text[match.start() - c.find(synonym) :].startswith(c)
                    for c in chosen
                    if synonym in c and match.start() >= c.find(synonym)
                )
                if inside_a_term or in_parentheses_after(text, match.start(), term):
                    continue
                number = text.count("\n", 0, match.start()) + 1
                found.append(f"{place}:{number}: {synonym} (write {term}, or {term}({synonym}))")
    return found


# --- the tests


def test_the_style_guide_holds_the_marks_each_a_korean_regex_with_why_and_instead():
    listed = marks()
    assert len(listed) >= 10
    for mark in listed:
        assert set(mark) == {"mark", "why", "instead"}, mark
        pattern = re.compile(mark["mark"])
        assert re.search("[가-힣]", mark["mark"]), mark  # Korean text only
        # code and formulas are not Korean prose; what to write instead is not the mark again
        assert not pattern.search("x = f(a); y = g[b]; m ← γ·m + η·g; w ← w − m"), mark
        assert not pattern.search(mark["instead"]), mark
    patterns = [re.compile(m["mark"]) for m in listed]
    bad = [
        "PyTorch 자신의 구현",
        "가중치마다의 학습률",
        "{what}을(를) 돌려주었다",
        "고른다; 그리고",
        "옵티마이저가 스텝한다",
        "0/1로 코딩한다",
        "가져가기: 모델",
        "127.0.0.1에서 듣는다",
        "deepcopy는 원본과 따로 논다",
        "정직하게 읽기",
    ]
    assert not [b for b in bad if not any(p.search(b) for p in patterns)]
    assert not any(p.search("원-핫 인코딩한다") for p in patterns)  # 인코딩 is not 코딩


def test_the_korean_texts_have_no_more_marks_of_translationese_than_allowed():
    found = found_marks(korean_texts())
    assert len(found) <= ALLOWED, f"{len(found)} marks (allowed {ALLOWED}):\n" + "\n".join(found)


def test_a_synonym_is_written_only_in_parentheses_right_after_its_term():
    texts = [
        ("page", "히든 레이어(은닉층)는 … 은닉층은"),
        ("cell", "에러함수(손실 함수, 비용 함수)"),
    ]
    found = found_synonyms(texts)
    assert [f.split(": ", 1)[1] for f in found] == [
        "은닉층 (write 히든 레이어, or 히든 레이어(은닉층))"
    ]
    found = found_synonyms(korean_texts())
    assert len(found) <= SYNONYMS_ALLOWED, "\n".join(found)


def test_catalog_texts_reads_the_gettext_files(tmp_path):
    (tmp_path / "ko" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ko" / "LC_MESSAGES" / "demo.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: page.py:1\nmsgid "Stop"\nmsgstr "멈춤"\n\n'
        'msgid "a long "\n"text"\nmsgstr ""\n"긴 "\n"글 \\"인용\\""\n\n'
        'msgid "untranslated"\nmsgstr ""\n'
    )
    texts = dict(catalog_texts(tmp_path))
    assert texts == {
        "ko/LC_MESSAGES/demo.po: 'Stop'": "멈춤",
        "ko/LC_MESSAGES/demo.po: 'a long text'": '긴 글 "인용"',
    }
    assert found_marks([("demo", "`자신의` 코드는 세지 않고, 자신의 글은 센다")]) == [
        "demo:1: '자신의' (instead: " + marks()[0]["instead"] + ")"
    ]
