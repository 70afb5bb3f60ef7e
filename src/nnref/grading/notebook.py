"""A student's notebook as the grader reads it: its code cells, the exercises they define, and the
code that runs one exercise as the notebook would.

Which exercises a notebook holds is found from its code, never from its file name or its cells'
tags: a cell holds an exercise when it defines the name (`def softmax`, `class NAG`, or
`softmax = ...` at the top level). A name defined in several cells is the last one's, in cell
order, as it is after running the notebook from the top.

An exercise then runs (child.py) as:
- the notebook's import statements, from the cells before its own, in cell order;
- the functions and classes of earlier cells that its cell uses (NAG written on the student's
  Momentum; a helper), and what those use in turn; nothing else of those cells runs;
- its own cell, whole.

    cells = code_cells(data)                       # NotANotebook if the bytes are not one
    where = last_definitions(cells)                # {"softmax": cell, ...}
    job = program(cells, where["softmax"], "softmax")
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

MAX_BYTES = 20 * 2**20  # a larger notebook is not read (stated in docs/teaching.md)
# IPython's own syntax: a line magic (%time), a cell magic (%%time), a shell line (!pip ...).
MAGIC = re.compile(r"^([ \t]*)([%!])", re.M)
DEFINITION = re.compile(r"^(?:def|class)[ \t]+(\w+)", re.M)
DEFINES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotANotebook(ValueError):
    """The bytes are not a notebook (not JSON, or JSON without cells)."""


@dataclass
class Cell:
    index: int  # its place among the notebook's cells, markdown included
    source: str  # magics and shell lines commented out
    tree: ast.Module | None  # None: the cell does not parse


def text_of(source) -> str:
    """A cell's source as nbformat stores it: a string, or a list of lines."""
    if isinstance(source, list):
        return "".join(str(line) for line in source)
    return str(source)


def code_cells(data: bytes) -> list[Cell]:
    """The code cells of a notebook file's bytes (nbformat 4)."""
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise NotANotebook(str(error)[:200]) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotANotebook("no cells")
    found = []
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = MAGIC.sub(r"\1# \2", text_of(cell.get("source", "")))
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError):
                tree = None
            found.append(Cell(index, source, tree))
    return found


def assigned(node) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def defined(cell: Cell) -> list[str]:
    """The names a cell defines at its top level (for a cell that does not parse: `def NAME` and
    `class NAME` at the start of a line)."""
    if cell.tree is None:
        return DEFINITION.findall(cell.source)
    names = []
    for node in cell.tree.body:
        if isinstance(node, DEFINES):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            names += assigned(node)
    return names


def last_definitions(cells: list[Cell]) -> dict[str, Cell]:
    """Each name defined at a cell's top level -> the last cell that defines it."""
    return {name: cell for cell in cells for name in defined(cell)}


def piece(cell: Cell, node) -> dict:
    """A statement's lines (decorators included), with where they start in the cell."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    lines = cell.source.splitlines()[first - 1 : node.end_lineno]
    return {"source": "\n".join(lines), "cell": cell.index, "line": first}


def used_names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def program(cells: list[Cell], own: Cell, exercise: str) -> dict:
    """What the child runs for an exercise defined in the cell `own` (child.define)."""
    earlier = [cell for cell in cells if cell.index < own.index and cell.tree is not None]
    imports = [
        piece(cell, node)
        for cell in earlier
        for node in cell.tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    # The last definition of each name before the exercise's cell.
    definitions = {
        node.name: (cell, node)
        for cell in earlier
        for node in cell.tree.body
        if isinstance(node, DEFINES) and node.name != exercise
    }
    wanted, needed = set(), used_names(own.tree) if own.tree is not None else set()
    while needed:
        name = needed.pop()
        if name in definitions and name not in wanted:
            wanted.add(name)
            needed |= used_names(definitions[name][1])
    chosen = sorted(
        (definitions[name] for name in wanted), key=lambda found: (found[0].index, found[1].lineno)
    )
    return {
        "exercise": exercise,
        "imports": imports,
        "definitions": [piece(cell, node) for cell, node in chosen],
        "cell": {"source": own.source, "cell": own.index},
    }
