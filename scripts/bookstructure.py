"""The structure of the book's chapters: exercises, gated solutions, summaries.

A solution is *gated*: a Markdown cell that opens with a ``{solution-start}``
directive, the cells of the answer (prose and code), and a Markdown cell with
``{solution-end}``. The tests check the chapters' structure with these functions, and
``scripts/student-notebooks`` runs this file to write copies without the solutions:

    python scripts/bookstructure.py student OUT_DIR
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = ["bikeshop", "exact", "qlearning", "sarsa", "rumination", "variants",
            "replication", "robustness"]
#: Notebooks outside the numbered chapters, held to the same structure.
APPENDICES = ["own_agent"]
NOTEBOOKS = CHAPTERS + APPENDICES
VERBAL_TAG = "verbal-solution"

_START = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-start\}\s*(\S+)", re.M)
_END = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-end\}", re.M)
_EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{exercise(?:-start)?\}[^\n]*\n"
                       r"(?:\s*:[a-z-]+:[^\n]*\n)*?\s*:label:\s*(\S+)", re.M)
# an ungated {solution} directive: the whole answer in one Markdown cell
_INLINE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution\}", re.M)


@dataclass(frozen=True)
class Solution:
    label: str
    start: int             # index of the solution-start cell
    end: int               # index of the solution-end cell
    verbal: bool           # marked as a purely verbal answer

    def cells(self, notebook):
        return notebook.cells[self.start:self.end + 1]


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def exercises(notebook) -> list[str]:
    """Labels of the notebook's exercises, in order."""
    return [m.group(2) for cell in notebook.cells if cell.cell_type == "markdown"
            for m in _EXERCISE.finditer(cell.source)]


def inline_solutions(notebook) -> int:
    """Number of ungated ``{solution}`` blocks (which cannot hold code cells)."""
    return sum(len(_INLINE.findall(cell.source)) for cell in notebook.cells
               if cell.cell_type == "markdown")


def solutions(notebook) -> list[Solution]:
    """The gated solutions; a start without an end is an error."""
    found, open_at, label = [], None, None
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        start = _START.search(cell.source)
        if start:
            if open_at is not None:
                raise ValueError(f"cell {i}: solution {start.group(2)} starts "
                                 f"before solution {label} ends")
            open_at, label = i, start.group(2)
        if _END.search(cell.source):
            if open_at is None:
                raise ValueError(f"cell {i}: solution-end without a start")
            verbal = VERBAL_TAG in notebook.cells[open_at].metadata.get("tags", [])
            found.append(Solution(label, open_at, i, verbal))
            open_at = None
    if open_at is not None:
        raise ValueError(f"solution {label} (cell {open_at}) has no solution-end")
    return found


def without_solutions(notebook) -> nbformat.NotebookNode:
    """A copy of the notebook with every solution's cells removed."""
    copy = nbformat.from_dict(notebook)
    drop = {i for s in solutions(notebook) for i in range(s.start, s.end + 1)}
    copy.cells = [c for i, c in enumerate(copy.cells) if i not in drop]
    if inline_solutions(copy):
        raise ValueError("an ungated {solution} block cannot be removed cleanly")
    return copy


def write_student_copies(out: Path, names=NOTEBOOKS) -> list[Path]:
    """Every chapter without its solutions, in ``out``, ready to hand out. The
    copies keep the exercises and the stored outputs of the chapter's own cells."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        target = out / f"{name}.ipynb"
        nbformat.write(without_solutions(read(BOOK / f"{name}.ipynb")), str(target))
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "student":
        sys.exit("usage: bookstructure.py student OUT_DIR")
    for path in write_student_copies(Path(sys.argv[2])):
        print("wrote", path)
