"""The course site: it builds strictly, every command it shows is one the docs script runs, and in a
real browser its formulas render (KaTeX served from the site itself) and its figures load."""

import os
import re
import shutil
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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's notice about its successor
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.slow
def test_each_notebook_has_a_page_that_offers_the_student_edition_and_no_solution(site):
    for name in NOTEBOOKS:
        html = (site / "notebooks" / name / "index.html").read_text()
        assert f'href="../{name}.ipynb"' in html and "not done yet" in html
        assert "BEGIN SOLUTION" not in html and "NotImplementedError" in html
        download = (site / "notebooks" / f"{name}.ipynb").read_text()
        assert "exercise: write this" in download
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
def test_mkdocs_build_strict_passes_and_serves_katex_from_the_site(site):
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


def browser_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [
        "course/output-layers",
        "claims/saturation",
        "claims/optimizer-paths",
        *(f"notebooks/{name}" for name in NOTEBOOKS),
    ],
)
def test_in_a_browser_the_math_renders_and_every_image_loads(site, page):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (make test does)"
    )
    path = browser_path()
    if path is None:
        pytest.fail(
            "no chromium on PATH: `apt-get install chromium` "
            "(make test does), or `playwright install chromium`"
        )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.goto((site / page / "index.html").as_uri())
            tab.wait_for_load_state("load")
            tab.wait_for_function("document.querySelectorAll('.katex').length > 0", timeout=10_000)
            visible = tab.inner_text("article")
            assert "$$" not in visible and "\\(" not in visible and "\\[" not in visible
            images = tab.eval_on_selector_all(
                "article img", "imgs => imgs.map(i => [i.src, i.complete && i.naturalWidth])"
            )
            assert all(width for _, width in images), images
            if page.startswith(("claims/", "notebooks/")):
                assert images, f"{page} shows no figure"
        finally:
            browser.close()
