"""The course's notebooks: build the editions from notebooks/*.py, and execute them.

    python scripts/notebooks.py build [--out build/notebooks]      (make notebooks-build)
    python scripts/notebooks.py run EDITION [NAME ...]             execute, report each one's time

One source, two editions, in each language (notebooks/NAME.py is jupytext's percent format):

    build/notebooks/teacher/NAME.ipynb   solutions in
    build/notebooks/student/NAME.ipynb   each solution replaced by `raise NotImplementedError`

A solution region is the lines between `# BEGIN SOLUTION` and `# END SOLUTION` in a cell tagged
`exercise`; the student edition keeps the signature and docstring around it. A markdown cell
tagged `en` or `ko` belongs to that language's edition only, and so does a code comment line
that starts with `# en:` or `# ko:` (untagged cells and lines are in both). A line
`# [ko] CODE` is the code CODE in the Korean edition only: the one the notebooks have is
`nnref.testing.use_language("ko")`, so that the kit's reports are in Korean there. Korean
editions are `NAME.ko.ipynb`.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks"
BUILD = ROOT / "build" / "notebooks"
LANGUAGES = ("en", "ko")
EDITIONS = ("teacher", "student")
REGION = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", re.S | re.M
)
MARKER = re.compile(r"^[ \t]*# (BEGIN|END) SOLUTION\n?", re.M)
COMMENT = re.compile(r"^(?P<indent>[ \t]*)# (?P<lang>en|ko): ", re.M)
CODE = re.compile(r"^(?P<indent>[ \t]*)# \[(?P<lang>en|ko)\] ", re.M)
STUB = 'raise NotImplementedError("exercise: write this")'


def names() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("[0-9][0-9]-*.py"))


def localised(source: str, lang: str) -> str:
    """Keep the comment lines of this language (`# ko: ...` -> `# ...`) and its code lines
    (`# [ko] CODE` -> `CODE`), drop the other's."""
    lines = []
    for line in source.splitlines(keepends=True):
        comment, code = COMMENT.match(line), CODE.match(line)
        if comment is None and code is None:
            lines.append(line)
        elif comment is not None and comment["lang"] == lang:
            lines.append(comment["indent"] + "# " + line[comment.end() :])
        elif code is not None and code["lang"] == lang:
            lines.append(code["indent"] + line[code.end() :])
    return "".join(lines)


def edition(name: str, kind: str, lang: str = "en") -> nbformat.NotebookNode:
    """One edition of notebooks/NAME.py as a notebook (not executed)."""
    if kind not in EDITIONS or lang not in LANGUAGES:
        raise ValueError(
            f"edition {kind}/{lang}: valid: {', '.join(EDITIONS)} in {', '.join(LANGUAGES)}"
        )
    nb = jupytext.read(SOURCES / f"{name}.py")
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & set(LANGUAGES) and lang not in tags:
            continue
        source = cell.source if cell.cell_type == "markdown" else localised(cell.source, lang)
        if "exercise" in tags:
            source = (
                MARKER.sub("", source)
                if kind == "teacher"
                else REGION.sub(lambda m: f"{m['indent']}{STUB}\n", source)
            )
        cell.source = source.rstrip("\n")
        # A cell's id is its place, not a random one: an edition is then the same bytes each
        # time it is made, so its executed copy is found again (execute_cached) and a
        # download does not change from one build to the next.
        cell.id = f"cell-{len(cells)}"
        cell.metadata["tags"] = sorted(tags - set(LANGUAGES))
        if not cell.metadata["tags"]:
            del cell.metadata["tags"]
        cells.append(cell)
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("jupytext", None)
    return nb


def filename(name: str, lang: str) -> str:
    return f"{name}.ipynb" if lang == "en" else f"{name}.{lang}.ipynb"


def build(out: Path = BUILD, langs=LANGUAGES) -> list[Path]:
    written = []
    for kind in EDITIONS:
        for lang in langs:
            for name in names():
                path = out / kind / filename(name, lang)
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(edition(name, kind, lang), path)
                written.append(path)
    return written


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (this interpreter's own); raises on a cell's error."""
    from nbclient import NotebookClient  # imported here: only executing needs Jupyter's client
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="nnref-kernel-") as sockets:
        # Where the system has them, the kernel and this client talk over Unix sockets in a folder
        # of their own, not over TCP: a TCP port is picked free and let go for the kernel to take,
        # and another process starting at that moment (a second kernel, a server) can take it
        # first. The kernel then dies before it answers, as it did with two test suites at once.
        ipc = {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            # The run is over once its last cell has: a graceful shutdown only waits ~2 s longer.
            shutdown_kernel="immediate",
            config=Config({"KernelManager": ipc if os.name == "posix" else {}}),
        )
        # The kernel's own stderr holds only its start-up notices; a cell's errors and prints come
        # back through the notebook's outputs.
        client.execute(stderr=subprocess.DEVNULL)
    return nb


CACHE = ROOT / "build" / "notebooks" / "executed"


@functools.cache
def code_digest() -> bytes:
    """nnref's code, digested once per process (a build reads it for every notebook)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "nnref").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def fingerprint(nb: nbformat.NotebookNode) -> str:
    """What an executed notebook depends on: itself and nnref's code."""
    digest = hashlib.sha256(nbformat.writes(nb).encode())
    digest.update(code_digest())
    return digest.hexdigest()[:20]


def execute_cached(
    nb: nbformat.NotebookNode, cwd: Path, cache: Path = CACHE
) -> nbformat.NotebookNode:
    """execute(), once per notebook and version of nnref: the tests and the site share the run.

    Processes that ask for the same notebook at once (the test workers, the site's build) take
    turns on a lock: the first executes it, the others read what it wrote."""
    from filelock import FileLock  # torch's own dependency

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{fingerprint(nb)}.ipynb"
    with FileLock(path.with_suffix(".lock")):
        if path.is_file():
            return nbformat.read(path, as_version=4)
        executed = execute(nb, cwd)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        nbformat.write(executed, partial)
        os.replace(partial, path)  # whole or absent, even if this process is killed
    return executed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the teacher and student editions")
    build_cmd.add_argument("--out", type=Path, default=BUILD)
    run_cmd = commands.add_parser("run", help="execute an edition's notebooks and time each")
    run_cmd.add_argument("edition", choices=EDITIONS)
    run_cmd.add_argument("names", nargs="*", help="default: every notebook")
    run_cmd.add_argument("--lang", choices=LANGUAGES, default="en")
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build(args.out):
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return 0
    for name in args.names or names():
        start = time.perf_counter()
        execute(edition(name, args.edition, args.lang), SOURCES)
        print(f"{name}: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
