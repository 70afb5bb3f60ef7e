"""Run every command the docs show, and write its output into the page (`make docs` runs this
first).

A page marks a command and the place for its output:

    <!-- run: python train.py task=binary data=lecture_binary -->
    <!-- end -->

and each such block is replaced by the same markers around a fenced block holding `$ COMMAND` and
what the command printed (stdout, then stderr). Paths below the repository are shown relative to it,
so no page holds a path of the machine it was built on. A command that fails stops the script,
naming the page and the command, unless the page expects it to fail (`<!-- run-fails: ... -->`).

    python scripts/docs_outputs.py [--list] [PAGE ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"<!-- (run|run-fails): (.+?) -->\n(.*?)<!-- end -->", re.S)


def commands(text: str) -> list[tuple[str, bool]]:
    """(command, expected to fail) for each run block of a page."""
    return [(cmd.strip(), kind == "run-fails") for kind, cmd, _ in BLOCK.findall(text)]


def outputs(text: str) -> dict[str, str]:
    """{command: its output block, as last written} for each run block of a page."""
    return {cmd.strip(): block.strip() for _, cmd, block in BLOCK.findall(text)}


def shown(page: Path) -> str:
    try:
        return str(page.relative_to(ROOT))
    except ValueError:
        return str(page)


def run(command: str, fails: bool, page: Path) -> str:
    argv = shlex.split(command)
    if argv[0] == "python":
        # The interpreter running this script, i.e. the project's environment.
        argv[0] = sys.executable
    elif argv[0].startswith("nnref-"):
        # The console command of that environment.
        argv[0] = str(Path(sys.executable).parent / argv[0])
    # English: these are the English pages' outputs (the Korean pages show the same ones).
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "100", "LANGUAGE": "en"}
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if (proc.returncode != 0) != fails:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        sys.exit(
            f"docs_outputs: {shown(page)}: `{command}` exited {proc.returncode}"
            + ("" if fails else "\n" + "\n".join(tail))
        )
    output = (proc.stdout + proc.stderr).replace(str(ROOT) + os.sep, "").replace(str(ROOT), ".")
    lines = [line.rstrip() for line in output.strip("\n").splitlines() if "\r" not in line]
    return "\n".join([f"$ {command}", *lines])


def fill(page: Path) -> int:
    text = page.read_text()

    def replace(match):
        kind, command = match.group(1), match.group(2).strip()
        print(f"{shown(page)}: {command}", flush=True)
        output = run(command, kind == "run-fails", page)
        return f"<!-- {kind}: {command} -->\n```\n{output}\n```\n<!-- end -->"

    new, count = BLOCK.subn(replace, text)
    if new != text:
        page.write_text(new)
    return count


def pages(names) -> list[Path]:
    return [Path(n).resolve() for n in names] if names else sorted(DOCS.rglob("*.md"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="pages to fill (default: every page under docs/)")
    parser.add_argument("--list", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args()
    for page in pages(args.pages):
        if args.list:
            for command, _ in commands(page.read_text()):
                print(f"{shown(page)}: {command}")
        else:
            fill(page)


if __name__ == "__main__":
    main()
