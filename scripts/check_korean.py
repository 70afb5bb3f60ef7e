"""Korean texts against nnref's glossary: every use of a variant the glossary avoids.

    python scripts/check_korean.py docs/claims/saturation.ko.md notebooks/02-binary.py ...

Prints FILE:LINE: VARIANT (use TERM) for each, and exits 1 if there is any. For a notebook source
only its Korean parts count (markdown cells tagged ko, `# ko:` comment lines).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nnref.locale import unwanted  # noqa: E402


def korean_text(path: Path) -> str:
    if path.suffix != ".py":
        return path.read_text()
    import notebooks  # noqa: PLC0415 - scripts/notebooks.py, only for notebook sources

    nb = notebooks.edition(path.stem, "teacher", "ko")
    return "\n".join(cell.source for cell in nb.cells)


def main(argv=None) -> int:
    found = 0
    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        for variant, term, line in unwanted(korean_text(path)):
            print(f"{path}:{line}: {variant} (use {term.ko}: {term.en})")
            found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
