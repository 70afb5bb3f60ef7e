"""The Korean edition keeps one word per idea: the glossary (src/nnref/locale/glossary.yaml) is
well formed, no Korean text nnref shows uses a variant it avoids (the site's pages, the notebooks'
Korean editions, the playground's and the kit's catalogs, the site's Korean navigation), and the
texts the playground and the kit write at run time all come out Korean.

Each Korean page is a twin of an English one: the same formulas, figures and command outputs
(the outputs by reference, never copied)."""

import re
import sys

import pytest
import yaml
from conftest import ROOT

from nnref.locale import NAMES, glossary, language, term, unwanted

sys.path.insert(0, str(ROOT / "scripts"))
import docs_outputs  # noqa: E402

import notebooks  # noqa: E402

DOCS = ROOT / "docs"
# Korean twins the site must have (docs/notebooks/NAME.ko.md are written by the notebooks' hook).
# Fmt: skip.
KOREAN_PAGES = [
    "index",
    "course/output-layers",
    "course/gradient-descent",
    "course/gradient-descent-claims",
    *(f"claims/{p.stem}" for p in sorted((DOCS / "claims").glob("*.md")) if ".ko" not in p.name),
    "playground",
    "notebooks",
    "testing",
    "glossary",
    "tasks",
    "csv",
    "optimizers",
    "sweeps",
    "reliability",
    "configuration",
    "benchmarks",
    "api",
]
# Two or more English words in a row, left after code: a text the catalog did not translate.
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{3,})+")
CODE_SPAN = re.compile(r"`[^`]*`")
EXCEPTION = re.compile(r"\w+(?:Error|Exception)\b: .*?(?:\. |$)")  # Python's own, kept as raised
DISPLAY_MATH = re.compile(r"\\\[(.*?)\\\]", re.S)
INLINE_MATH = re.compile(r"\\\((.*?)\\\)", re.S)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
OUTPUT = re.compile(r"<!-- output: (.+?) -->")


def korean_pages():
    # docs/style.ko.md is the rules for writing Korean, not a page of the site (mkdocs.yml excludes
    # it): it has no English twin, and tests/test_korean_style.py reads it.
    return sorted(
        p for p in DOCS.rglob("*.ko.md") if p.parent.name != "notebooks" and p.name != "style.ko.md"
    )


def english_twin(page):
    return page.with_name(page.name.replace(".ko.md", ".md"))


def variants_in(text: str) -> list[str]:
    return [f"line {line}: {variant} (use {t.ko}: {t.en})" for variant, t, line in unwanted(text)]


def untranslated(shown: str, allowed=()) -> list[str]:
    """English word runs left in a shown text, outside code and Python's exception messages."""
    left = ENGLISH.findall(EXCEPTION.sub("", CODE_SPAN.sub("", shown)))
    return [run for run in left if not any(re.fullmatch(a, run) for a in allowed)]


# --- the glossary itself


def test_the_glossary_has_one_korean_term_per_concept_and_says_where_each_comes_from():
    terms = glossary()
    assert len(terms) >= 40
    for field in ("en", "ko"):
        values = [getattr(t, field) for t in terms]
        assert len(values) == len(set(values)), f"{field} repeated"
    for t in terms:
        # the lecture's word, cited by lecture and page, or one line on why this word
        assert bool(t.lecture) != bool(t.why), t.en
        if t.lecture:
            assert re.match(r"(2-4|3-1) p\d", t.lecture), t
        else:
            assert t.why_ko and re.search("[가-힣]", t.why_ko) and "\n" not in t.why.strip(), t
        assert t.ko not in t.avoid, t
    # No chosen term is another concept's avoided variant: the glossary cannot fail its own test.
    for t in terms:
        assert not [v for v, other, _ in unwanted(t.ko) if other != t], t.ko
    # A synonym (the notes' or a textbook's word) is right: never avoided, never another term's
    # chosen word, listed once.
    chosen = {t.ko for t in terms}
    synonyms = [s for t in terms for s in t.synonyms]
    assert len(synonyms) == len(set(synonyms)), "a synonym listed twice"
    for t in terms:
        for synonym in t.synonyms:
            assert synonym not in chosen, (t.en, synonym)
            assert not unwanted(synonym), (t.en, synonym, unwanted(synonym))


def test_the_textbooks_words_are_synonyms_never_avoided():
    by_en = {t.en: t for t in glossary()}
    for en, synonym in {
        "neural network": "신경망",
        "hidden layer": "은닉층",
        "output layer": "출력층",
        "loss function (the lecture's error function)": "손실 함수",
        "gradient descent": "경사하강법",
        "activation function": "활성화 함수",
        "target (value)": "타깃",
        "cross-entropy": "교차엔트로피",  # the notes' own spelling, 5 times
    }.items():
        assert synonym in by_en[en].synonyms, (en, synonym)
    assert not unwanted("신경망의 은닉층과 출력층, 손실 함수, 경사 하강법, 활성화 함수, 타깃")
    # one word each for what nnref's text once said several ways
    for en, ko in {
        "step (one call of optimizer.step, one update)": "스텝",
        "step length (the distance a step moves the weights)": "스텝 길이",
        "effective learning rate (η/(√s+ε) and the like)": "유효 학습률",
        "train loss": "트레이닝 손실",
        "closure (the function step(closure) calls)": "클로저",
        "Korean edition (of the site and the notebooks)": "한국어판",
        "claim (of the course, run and tested)": "명제",
    }.items():
        assert term(en) == ko
    # Fmt: skip.
    assert {v for v, _, _ in unwanted("보폭, 걸음, 학습 손실, 주장, 에디션")} == {
        "보폭",
        "걸음",
        "학습 손실",
        "주장",
        "에디션",
    }


def test_the_lectures_own_words_are_the_glossarys():
    for en, ko in {
        "activation function": "활성화함수",
        "cross-entropy": "교차 엔트로피",
        "one-hot encoding": "원-핫 인코딩",
        "mini-batch": "미니배치",
        "momentum": "모멘텀",
        "learning rate": "학습률",
        "weight": "가중치",
    }.items():
        assert term(en) == ko
    with pytest.raises(KeyError, match="glossary"):
        term("flux capacitor")


def test_a_variant_is_found_where_it_starts_a_word_and_the_chosen_term_is_not():
    found = [(v, t.ko) for v, t, _ in unwanted("그라디언트를 구하고 평균제곱오차를 줄인다")]
    assert sorted(found) == [("그라디언트", "그래디언트"), ("평균제곱오차", "평균 제곱 오차(MSE)")]
    # 로스 (for loss) is avoided, but not inside 크로스; the chosen terms themselves pass.
    assert [v for v, _, _ in unwanted("로스가 준다")] == ["로스"]
    assert not unwanted(f"{term('gradient')}를 구하고 {term('cross-entropy')}를 줄인다")
    assert unwanted("첫 줄\n둘째 줄의 활성함수")[0][2] == 2  # the line it is on


def test_language_comes_from_a_link_or_a_browsers_accept_language():
    assert language("ko") == "ko" and language("ko-KR,ko;q=0.9,en;q=0.8") == "ko"
    assert language("fr-FR,en;q=0.5") == "en" and language("xx") == "en" and language(None) == "en"
    assert NAMES["ko"] == "한국어"


# --- every Korean text nnref has uses the glossary's terms


@pytest.mark.parametrize("page", korean_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_a_korean_page_uses_no_variant_the_glossary_avoids(page):
    text = page.read_text()
    if page.name == "glossary.ko.md":  # its table lists the variants; the prose around it counts
        text = text.replace("<!-- glossary -->", "")
    assert not variants_in(text), variants_in(text)


@pytest.mark.parametrize("name", notebooks.names())
def test_a_notebooks_korean_edition_uses_no_variant_the_glossary_avoids(name):
    for kind in notebooks.EDITIONS:
        text = "\n".join(c.source for c in notebooks.edition(name, kind, "ko").cells)
        assert not variants_in(text), (kind, variants_in(text))


def korean_messages() -> list[str]:
    """Every msgstr of the Korean message catalog (what the programs say, in Korean)."""
    from babel.messages.pofile import read_po  # noqa: PLC0415

    path = ROOT / "src" / "nnref" / "locale" / "ko" / "LC_MESSAGES" / "nnref.po"
    with path.open("rb") as f:
        entries = read_po(f, locale="ko", domain="nnref")
    found = []
    for entry in entries:
        if entry.id:
            found += list(entry.string) if isinstance(entry.string, tuple) else [entry.string]
    return [text for text in found if text]


def test_the_message_catalogs_korean_uses_no_variant_the_glossary_avoids():
    korean = korean_messages()
    assert korean
    found = [(k, variants_in(k)) for k in korean if variants_in(k)]
    assert not found, found


def test_the_sites_korean_navigation_uses_the_glossary_and_covers_the_english_one():
    text = (ROOT / "mkdocs.yml").read_text()
    config = yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader: the !!python tags stay text
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    ko = next(lang for lang in i18n["languages"] if lang["locale"] == "ko")
    titles = ko["nav_translations"]

    def english_titles(nav):
        for entry in nav:
            for title, value in entry.items():
                yield title
                if isinstance(value, list):
                    yield from english_titles(value)

    missing = [t for t in english_titles(config["nav"]) if t not in titles]
    assert not missing, f"mkdocs.yml: no Korean title for {missing}"
    assert not [k for k in titles.values() if variants_in(k)]


# --- the Korean pages are twins of the English ones


def test_every_page_the_issue_names_has_a_korean_twin():
    missing = [p for p in KOREAN_PAGES if not (DOCS / f"{p}.ko.md").is_file()]
    assert not missing, missing
    assert len([p for p in KOREAN_PAGES if p.startswith("claims/")]) >= 9


@pytest.mark.parametrize("page", korean_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_a_korean_page_has_its_english_twins_formulas_figures_and_outputs(page):
    ko, en = page.read_text(), english_twin(page).read_text()
    title, _, body = ko.partition("\n")
    assert title.startswith("# ") and re.search("[가-힣]", title + body[:200]), "Korean at the top"
    assert "<!-- run" not in ko, "outputs come from the English page: <!-- output: CMD -->"
    if "<!-- include-english -->" in ko:  # a reference page: Korean summary, then the English
        summary = ko.split("<!-- include-english -->")[0]
        assert len(re.findall("[가-힣]", summary)) > 40
        return
    assert DISPLAY_MATH.findall(ko) == DISPLAY_MATH.findall(en)
    assert set(INLINE_MATH.findall(ko)) == set(INLINE_MATH.findall(en))
    assert IMAGE.findall(ko) == IMAGE.findall(en)
    assert OUTPUT.findall(ko) == [command for command, _ in docs_outputs.commands(en)]


# --- what the programs write at run time, in Korean


def test_every_text_of_the_playground_page_is_korean_on_the_korean_page():
    import gradio as gr  # noqa: PLC0415 - gradio: only for this test

    from nnref.locale.messages import render  # noqa: PLC0415
    from nnref.playground import streams  # noqa: PLC0415
    from nnref.playground.layout import layout  # noqa: PLC0415
    from nnref.playground.settings import PathSettings, TrainingSettings  # noqa: PLC0415

    start = streams.preview(TrainingSettings())
    with gr.Blocks():
        page = layout(start, streams.empty_paths(PathSettings()).picture, 30.0)
    shown = []
    for texts in page.texts.values():
        for key, value in texts.items():
            if key == "choices":
                shown += [render(label, "ko") for label, _ in value]
            else:
                shown.append(render(value, "ko"))
    assert len(shown) > 60
    # Typed things stay: the course's names of heads, losses, optimizers, data and surfaces.
    allowed = [r"(?:nnref|task|data|optim|local minimum|rosenbrock)[\w. =]*"]
    bad = [s for s in shown if untranslated(s, allowed) or variants_in(s)]
    assert not bad, bad
