"""An MkDocs hook (mkdocs.yml: hooks): the notebooks as site pages, made at build time.

Each notebook's student edition is executed (nbconvert's client, a fresh kernel) and rendered to a
page under notebooks/: its narrative, code, printed numbers and figures (as data URIs), and each
exercise as the student starts it, with its check's "not done yet" report; the solutions are not
published. The page offers the student edition, NAME.ipynb, for download. The Korean edition's
page is NAME.ko.md, with NAME.ko.ipynb as the Korean site's NAME.ipynb.

The pages are written into docs/notebooks/ before MkDocs reads the docs (ignored by git: a clone
holds only notebooks/*.py), as real files, so that mkdocs-static-i18n pairs each page with its
Korean one; a file is rewritten only when its content changes, so `mkdocs serve` does not rebuild
in a loop.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402

TITLE = (
    "Download the student notebook: [{file}]({file}) (its exercises still to write; "
    "`make notebooks` opens them in JupyterLab)."
)


def page(name: str, lang: str = "en") -> tuple[str, bytes]:
    """(the page's Markdown, the student edition's .ipynb bytes)."""
    student = notebooks.edition(name, "student", lang)
    download = nbformat.writes(student).encode()
    executed = notebooks.execute_cached(student, notebooks.SOURCES)  # (after its download)
    body, resources = MarkdownExporter().from_notebook_node(executed)
    for filename, data in resources.get("outputs", {}).items():  # figures: inline, no extra files
        kind = filename.rsplit(".", 1)[-1]
        mime = "svg+xml" if kind == "svg" else kind
        uri = f"data:image/{mime};base64,{base64.b64encode(data).decode()}"
        body = body.replace(f"({filename})", f"({uri})")
    title, _, rest = body.partition("\n")
    file = f"{name}.ipynb"  # on the Korean site, the Korean edition (NAME.ko.ipynb) is that file
    lead = TITLE_KO if lang == "ko" else TITLE
    return f"{title}\n\n{lead.format(file=file)}\n{rest}", download


TITLE_KO = (
    "학생용 노트북 내려받기: [{file}]({file}). 연습 문제는 비어 있어서 직접 풀어야 한다. "
    "`make notebooks`를 실행하면 JupyterLab에서 열린다."
)


def write_if_changed(path: Path, content: bytes) -> None:
    if not path.is_file() or path.read_bytes() != content:
        path.write_bytes(content)


def on_config(config):
    out = Path(config["docs_dir"]) / "notebooks"
    out.mkdir(exist_ok=True)
    for name in notebooks.names():
        for lang, suffix in (("en", ""), ("ko", ".ko")):
            markdown, download = page(name, lang)
            write_if_changed(out / f"{name}{suffix}.md", markdown.encode())
            write_if_changed(out / f"{name}{suffix}.ipynb", download)
    return config
