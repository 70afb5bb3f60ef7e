"""An MkDocs hook (mkdocs.yml: hooks): the notebooks as site pages, made at build time.

Each notebook's student edition is executed (nbconvert's client, a fresh kernel) and rendered to a
page under notebooks/: its narrative, code, printed numbers and figures (as data URIs), and each
exercise as the student starts it, with its check's "not done yet" report; the solutions are not
published. The page offers the student edition, NAME.ipynb, for download. Nothing is written
into docs/: the pages are MkDocs' generated files, so a clone holds only notebooks/*.py.
"""

from __future__ import annotations

import base64
import copy
import sys
from pathlib import Path

import nbformat
from mkdocs.structure.files import File
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
    executed = notebooks.execute_cached(copy.deepcopy(student), notebooks.SOURCES)
    body, resources = MarkdownExporter().from_notebook_node(executed)
    for filename, data in resources.get("outputs", {}).items():  # figures: inline, no extra files
        kind = filename.rsplit(".", 1)[-1]
        mime = "svg+xml" if kind == "svg" else kind
        uri = f"data:image/{mime};base64,{base64.b64encode(data).decode()}"
        body = body.replace(f"({filename})", f"({uri})")
    title, _, rest = body.partition("\n")
    file = notebooks.filename(name, lang)
    return f"{title}\n\n{TITLE.format(file=file)}\n{rest}", download


def on_files(files, config):
    for name in notebooks.names():
        markdown, download = page(name)
        files.append(File.generated(config, f"notebooks/{name}.md", content=markdown))
        files.append(
            File.generated(config, f"notebooks/{notebooks.filename(name, 'en')}", content=download)
        )
    return files
