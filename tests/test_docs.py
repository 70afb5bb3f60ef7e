"""The course site: it builds strictly, every command it shows is one the docs script runs, and in a
real browser its formulas render (KaTeX served from the site itself) and its figures load."""

import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))
import docs_outputs  # noqa: E402

import notebooks  # noqa: E402

NOTEBOOKS = notebooks.names()

# A line of a code block that starts a command (with or without a "$ " prompt).
COMMAND = re.compile(r"^\$?\s*((?:python|make)\s.*)$")
# Usage patterns name what to fill in (FILE, COLUMN, RUN, DIR, ...) or list options in brackets:
# they are synopses, not commands to run.
PLACEHOLDER = re.compile(r"\b[A-Z]{3,}\b|\[--|\bmypkg\b")


def shown_commands():
    """(page, command) for every python/make command line inside a fenced code block of the docs,
    outside the run blocks (whose fences hold a command's output, written by the docs script)."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = docs_outputs.BLOCK.sub("", page.read_text())
        for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
            for line in block.splitlines():
                match = COMMAND.match(line.strip())
                if match and not PLACEHOLDER.search(match.group(1)):
                    found.append((page.relative_to(ROOT), match.group(1).split("  #")[0].strip()))
    return found


def test_every_command_the_docs_show_is_one_the_docs_script_runs():
    run = {cmd for page in DOCS.rglob("*.md") for cmd, _ in docs_outputs.commands(page.read_text())}
    missing = [(str(page), cmd) for page, cmd in shown_commands() if cmd not in run]
    assert not missing, f"shown in a code block but not run by scripts/docs_outputs.py: {missing}"
    assert len(run) >= 20


def test_the_docs_script_writes_a_commands_output_and_paths_relative_to_the_repository(tmp_path):
    page = tmp_path / "page.md"
    # The command runs in the repository and prints an absolute path below it.
    page.write_text(
        "<!-- run: python -c \"import os; print(os.getcwd() + '/outputs/x')\" -->\n"
        "old\n<!-- end -->\n"
    )
    assert docs_outputs.fill(page) == 1
    text = page.read_text()
    assert (
        "$ python -c" in text
        and "\noutputs/x\n" in text
        and str(ROOT) not in text
        and "old" not in text
    )


def test_no_page_names_a_path_of_this_machine():
    for page in [*DOCS.rglob("*.md"), ROOT / "README.md"]:
        assert not re.search(r"/(work|root|farm|home)/|/tmp/[a-z]", page.read_text()), page


def build_site(out):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's notice about its successor
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # a guard against a hung build only: it takes about 20 s, plus notebooks
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built once for the whole run (its notebook pages reuse the executions the
    notebook tests share, scripts/notebooks.execute_cached)."""
    from support.once import made_once  # noqa: PLC0415

    return made_once(tmp_path_factory, "site", build_site)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_notebook_has_a_page_that_offers_the_student_edition_and_no_solution(built_site, lang):
    root = built_site if lang == "en" else built_site / "ko"
    for name in NOTEBOOKS:
        html = (root / "notebooks" / name / "index.html").read_text()
        not_done = {"en": "not done yet", "ko": "아직 안 함"}[lang]
        assert f'href="../{name}.ipynb"' in html and not_done in html
        assert "BEGIN SOLUTION" not in html and "NotImplementedError" in html
        download = (root / "notebooks" / f"{name}.ipynb").read_text()
        assert "exercise: write this" in download
        assert ('use_language(\\"ko\\")' in download) == (lang == "ko"), name
        teacher = notebooks.edition(name, "teacher")
        for cell in teacher.cells:
            if "exercise" in cell.metadata.get("tags", []):
                body = [
                    line.strip() for line in cell.source.splitlines()[2:] if len(line.strip()) > 30
                ]
                assert not any(line in html for line in body if '"""' not in line), name
    for page in (DOCS / "claims").glob("*.md"):
        assert "](../notebooks/" in page.read_text(), page  # each claim links to its notebook


@pytest.mark.slow
def test_mkdocs_build_strict_passes_and_serves_katex_from_the_site(built_site):
    site = built_site
    assert (site / "index.html").is_file() and (site / "api" / "index.html").is_file()
    assert (site / "assets" / "katex" / "katex.min.js").is_file()
    assert list((site / "assets" / "katex" / "fonts").glob("*.woff2"))
    for html in site.rglob("*.html"):
        text = html.read_text()
        assert (
            "cdn.jsdelivr" not in text
            and "fonts.googleapis" not in text
            and "unpkg.com" not in text
        ), html


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [
        "course/output-layers",
        "claims/saturation",
        "claims/optimizer-paths",
        *(f"notebooks/{name}" for name in NOTEBOOKS),
        # the Korean edition: the same formulas and figures
        "ko/course/output-layers",
        "ko/course/gradient-descent",
        "ko/claims/saturation",
        "ko/claims/optimizer-paths",
        "ko/claims/learning-rates",
        "ko/notebooks/06-momentum-nag",
    ],
)
def test_in_a_browser_the_math_renders_and_every_image_loads(built_site, tab, page):
    tab.goto((built_site / page / "index.html").as_uri())
    tab.wait_for_load_state("load")
    tab.wait_for_function("document.querySelectorAll('.katex').length > 0")
    visible = tab.inner_text("article")
    assert "$$" not in visible and "\\(" not in visible and "\\[" not in visible
    images = tab.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => [i.src, i.complete && i.naturalWidth])"
    )
    assert all(width for _, width in images), images
    if page.removeprefix("ko/").startswith(("claims/", "notebooks/")):
        assert images, f"{page} shows no figure"


@pytest.fixture(scope="session")
def served(built_site):
    """The built site over http, as a reader gets it (search runs in a web worker, which a file://
    page cannot start; and links to a folder open its index.html)."""
    from support.serve import free_port, wait_until_up  # noqa: PLC0415

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(built_site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.fixture
def tab(chromium):
    """A page of the worker's headless Chromium (tests/conftest.py), in a context of its own."""
    from support.page import GUARD_MS  # noqa: PLC0415

    context = chromium.new_context()
    context.set_default_timeout(GUARD_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "start, other, title",
    [
        ("claims/saturation", "ko/claims/saturation", "시그모이드"),
        ("ko/claims/optimizer-paths", "claims/optimizer-paths", "optimizer"),
    ],
)
def test_the_language_switch_on_a_claims_page_leads_to_the_same_claim(
    served, tab, start, other, title
):
    lang = "ko" if other.startswith("ko/") else "en"
    tab.goto(f"{served}/{start}/")
    tab.hover(".md-select")  # Material's language menu opens on hover
    tab.click(f'.md-select a[hreflang="{lang}"]')
    tab.wait_for_load_state("load")
    assert tab.url == f"{served}/{other}/"
    assert title in tab.inner_text("article h1").lower()
    assert tab.eval_on_selector("html", "e => e.lang") == lang


@pytest.mark.slow
def test_a_korean_search_on_the_korean_site_finds_the_momentum_pages(served, tab):
    tab.goto(f"{served}/ko/")
    # The index is built in a web worker after the page loads ("검색 초기화" until it is ready).
    # Material searches on a key's keyup (and once more when the worker is ready), which fill()
    # does not send: so wait for the worker, then fill and press a key, as a reader's typing does.
    tab.wait_for_function(
        "!document.querySelector('.md-search-result__meta').textContent.includes('초기화')"
    )
    tab.click("label.md-search__icon, .md-search__input")
    tab.fill("input.md-search__input", "모멘텀")
    tab.press("input.md-search__input", "End")
    tab.wait_for_function("document.querySelectorAll('.md-search-result__item a').length > 0")
    found = tab.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
    korean = [url for url in found if "/ko/" in url]
    assert any("/ko/notebooks/06-momentum-nag/" in url for url in korean), found
    assert any(
        "/ko/claims/optimizer-paths/" in url or "/ko/course/gradient-descent" in url
        for url in korean
    ), found
    assert "모멘텀" in tab.inner_text(".md-search-result")


@pytest.mark.slow
def test_on_a_phone_a_korean_page_wraps_between_words_never_inside_one(served, chromium):
    from support.page import GUARD_MS, LINE_BREAKS_JS, words_split  # noqa: PLC0415

    phone = chromium.new_context(viewport={"width": 390, "height": 900})
    phone.set_default_timeout(GUARD_MS)
    try:
        page = phone.new_page()
        page.goto(f"{served}/ko/claims/saturation/")
        breaks = page.locator("article p, article li").evaluate_all(LINE_BREAKS_JS)
        assert len(breaks) >= 20, breaks  # the text did wrap
        assert words_split(breaks) == [], words_split(breaks)
    finally:
        phone.close()
