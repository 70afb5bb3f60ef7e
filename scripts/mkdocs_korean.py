"""An MkDocs hook (mkdocs.yml: hooks): what the Korean pages share with the English ones.

- A Korean page (PAGE.ko.md, mkdocs-static-i18n's suffix structure) shows a command's output with
  `<!-- output: COMMAND -->`: the block `<!-- run: COMMAND -->` of its English page, as
  scripts/docs_outputs.py last wrote it, goes there. Outputs are made once, by running the
  commands for the English pages, and never copied by hand; a marker whose command the English
  page does not run fails the build, naming both.
- A reference page that stays English has a Korean title and summary, then
  `<!-- include-english -->`: the English page's body (all but its title) goes there.
- `<!-- glossary -->` becomes the glossary's table (src/nnref/locale/glossary.yaml), in the page's
  language: each term, where it comes from, its synonyms (right, written in parentheses) and the
  words not used.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

from nnref.locale import glossary

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_outputs  # noqa: E402 - scripts/docs_outputs.py: it writes the run blocks read here

OUTPUT = re.compile(r"<!-- output: (.+?) -->")

HEADERS = {
    "en": (
        "English",
        "한국어",
        "where the lecture writes it, or why this term",
        "also right: the notes' and textbooks' words",
        "not used",
    ),
    "ko": (
        "English",
        "한국어",
        "강의 노트가 쓰는 곳, 또는 이 용어를 고른 까닭",
        "노트와 교과서의 다른 말(괄호 안에 쓴다)",
        "쓰지 않는 말",
    ),
}


def english_twin(page_path: Path) -> Path:
    return page_path.with_name(page_path.name.replace(".ko.md", ".md"))


def glossary_table(lang: str) -> str:
    rows = [
        "| " + " | ".join(HEADERS[lang]) + " |",
        "|---|---|---|---|---|",
    ]
    for t in glossary():
        if t.lecture:
            source = f"lecture {t.lecture}" if lang == "en" else f"강의 {t.lecture}"
        else:
            source = t.why_in(lang)
        synonyms, avoid = ", ".join(t.synonyms), ", ".join(t.avoid)
        rows.append(f"| {t.en} | **{t.ko}** | {source} | {synonyms} | {avoid} |".replace("\n", " "))
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    src = Path(config["docs_dir"]) / page.file.src_path
    korean = src.name.endswith(".ko.md")
    markdown = markdown.replace("<!-- glossary -->", glossary_table("ko" if korean else "en"))
    if not korean:
        return markdown
    twin = english_twin(src)
    english = twin.read_text()
    if "<!-- include-english -->" in markdown:
        markdown = markdown.replace("<!-- include-english -->", english.split("\n", 1)[1])
    if "<!-- output:" not in markdown:
        return markdown
    shown = docs_outputs.outputs(english)

    def output(match):
        command = match.group(1).strip()
        if command not in shown:
            raise PluginError(
                f"{page.file.src_path}: <!-- output: {command} --> has no <!-- run: {command} --> "
                f"in {twin.name} (the Korean page shows the English page's outputs)"
            )
        return shown[command]

    return OUTPUT.sub(output, markdown)
