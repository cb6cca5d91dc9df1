"""The structure of the book's chapters: exercises, gated solutions, summaries.

A solution is *gated*: a Markdown cell that opens with a ``{solution-start}``
directive, the cells of the answer (prose and code), and a Markdown cell with
``{solution-end}``. The tests check the chapters' structure with these functions, and
``scripts/student-notebooks`` runs this file to write copies without the solutions:

    python scripts/bookstructure.py student OUT_DIR

A checkable exercise also has cells the website and the PDF leave out (tagged
``remove-cell``): an *answer* cell before its solution, and after the solution's end a
*check* cell (``invlib.checking``), a *hidden test* (first line ``# hidden test LABEL:
N points``, then asserts) and, for what a program cannot judge, a *rubric* (Markdown,
``**Rubric for LABEL (manual, N points).**``). The student copies keep the answer and
check cells and drop the solutions, hidden tests and rubrics; ``scripts/grading.py``
makes the autograder's tests from the hidden tests and rubrics collected here
(``python scripts/bookstructure.py autograder OUT_DIR`` writes one zip per chapter).
"""
from __future__ import annotations

import ast
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
ANSWER_TAG, CHECK_TAG = "answer", "check"
HIDDEN_TAG, RUBRIC_TAG = "hidden-test", "rubric"
#: cells only the book and the instructor see: never in a student copy
INSTRUCTOR_TAGS = (HIDDEN_TAG, RUBRIC_TAG)

_START = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-start\}\s*(\S+)", re.M)
_END = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-end\}", re.M)
_EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{exercise(?:-start)?\}[^\n]*\n"
                       r"(?:\s*:[a-z-]+:[^\n]*\n)*?\s*:label:\s*(\S+)", re.M)
# an ungated {solution} directive: the whole answer in one Markdown cell
_INLINE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution\}", re.M)
_POINTS = r"(\d+(?:\.\d+)?) points?"
_HIDDEN = re.compile(r"^# hidden test (\S+): " + _POINTS + r"\s*$")
_RUBRIC = re.compile(r"^\*\*Rubric for (\S+) \(manual, " + _POINTS + r"\)\.\*\*")
_CHECK = re.compile(r"\bcheck\(\s*[\"']([^\"']+)[\"']")


@dataclass(frozen=True)
class Solution:
    label: str
    start: int             # index of the solution-start cell
    end: int               # index of the solution-end cell
    verbal: bool           # marked as a purely verbal answer

    def cells(self, notebook):
        return notebook.cells[self.start:self.end + 1]


@dataclass(frozen=True)
class HiddenTest:
    label: str
    points: float
    code: str              # the cell's source, header included
    cell: int
    answers: tuple[str, ...] = ()   # the names the answer cell sets


@dataclass(frozen=True)
class Rubric:
    label: str
    points: float
    text: str              # what follows the header
    cell: int

    @property
    def summary(self) -> str:
        """The rubric's first sentence, on one line."""
        paragraph = " ".join(self.text.split("\n\n", 1)[0].split())
        head, dot, _ = paragraph.partition(". ")
        return head + dot.strip()


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


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value == int(value) else value


def _after_solution(notebook, index: int, label: str, what: str) -> None:
    """A check, hidden test or rubric sits after its exercise's solution-end,
    with no other exercise or solution in between. (A student copy has no
    solutions left to sit after: nothing to check there.)"""
    ended = {s.end: s.label for s in solutions(notebook)}
    if not ended:
        return
    for i in range(index - 1, -1, -1):
        cell = notebook.cells[i]
        if cell.cell_type != "markdown":
            continue
        if _END.search(cell.source):
            break
        if _START.search(cell.source) or _EXERCISE.search(cell.source):
            raise ValueError(f"cell {index}: the {what} for {label} is not right "
                             f"after a solution's end")
    else:
        raise ValueError(f"cell {index}: the {what} for {label} comes before "
                         f"any solution")
    if ended.get(i) != label:
        raise ValueError(f"cell {index}: the {what} for {label} follows the "
                         f"solution of {ended.get(i)}")


def answers(notebook) -> dict[str, tuple[str, ...]]:
    """The answer cells: exercise label -> the names the cell sets, in order.
    An answer cell belongs to the exercise whose Markdown cell comes before it."""
    found, label = {}, None
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            labels = [m.group(2) for m in _EXERCISE.finditer(cell.source)]
            if labels:
                label = labels[-1]
            if _START.search(cell.source):
                label = None
            continue
        if ANSWER_TAG not in tags(cell):
            continue
        if label is None:
            raise ValueError(f"cell {i}: an answer cell must follow its exercise")
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as error:
            raise ValueError(f"cell {i}: the answer cell for {label} is not "
                             f"Python ({error.msg})") from None
        names = [t.id for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)]
        found[label] = tuple(found.get(label, ())) + tuple(names)
    return found


def checks(notebook) -> list[str]:
    """Labels of the exercises with a check cell, in order."""
    found = []
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or CHECK_TAG not in tags(cell):
            continue
        match = _CHECK.search(cell.source)
        if not match:
            raise ValueError(f"cell {i}: a check cell must call "
                             f"check(\"LABEL\", globals(), ...)")
        _after_solution(notebook, i, match.group(1), "check")
        found.append(match.group(1))
    return found


def hidden_tests(notebook) -> list[HiddenTest]:
    """The hidden tests, in order; a malformed header is an error naming the
    cell."""
    names = answers(notebook)
    found = []
    for i, cell in enumerate(notebook.cells):
        if HIDDEN_TAG not in tags(cell):
            continue
        first = cell.source.split("\n", 1)[0].strip()
        match = _HIDDEN.match(first)
        if cell.cell_type != "code" or not match:
            raise ValueError(f"cell {i}: a hidden test is a code cell whose first "
                             f"line is '# hidden test LABEL: N points', not "
                             f"{first!r}")
        label = match.group(1)
        _after_solution(notebook, i, label, "hidden test")
        found.append(HiddenTest(label, _number(match.group(2)), cell.source, i,
                                names.get(label, ())))
    return found


def rubrics(notebook) -> list[Rubric]:
    """The rubrics of the exercises (or parts) graded by hand, in order."""
    found = []
    for i, cell in enumerate(notebook.cells):
        if RUBRIC_TAG not in tags(cell):
            continue
        source = cell.source.strip()
        match = _RUBRIC.match(source)
        if cell.cell_type != "markdown" or not match:
            first = source.split("\n", 1)[0]
            raise ValueError(f"cell {i}: a rubric is a Markdown cell starting "
                             f"'**Rubric for LABEL (manual, N points).**', not "
                             f"{first!r}")
        label = match.group(1)
        _after_solution(notebook, i, label, "rubric")
        found.append(Rubric(label, _number(match.group(2)),
                            source[match.end():].strip(), i))
    return found


def without_solutions(notebook) -> nbformat.NotebookNode:
    """A copy of the notebook with every solution's cells removed, and the
    hidden tests and rubrics (the instructor's) with them."""
    copy = nbformat.from_dict(notebook)
    drop = {i for s in solutions(notebook) for i in range(s.start, s.end + 1)}
    drop |= {i for i, c in enumerate(notebook.cells)
             if set(tags(c)) & set(INSTRUCTOR_TAGS)}
    copy.cells = [c for i, c in enumerate(copy.cells) if i not in drop]
    for cell in copy.cells:
        if {ANSWER_TAG, CHECK_TAG} & set(tags(cell)):
            # the book's run left "right" under each check: a student starts
            # from a blank answer, and the check's digests and hints are not
            # for reading, so JupyterLab shows its code folded
            cell.outputs, cell.execution_count = [], None
            if CHECK_TAG in tags(cell):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    if inline_solutions(copy):
        raise ValueError("an ungated {solution} block cannot be removed cleanly")
    return copy


def write_student_copies(out: Path, names=NOTEBOOKS) -> list[Path]:
    """Every chapter without its solutions, in ``out``, ready to hand out. The
    copies keep the exercises, their answer and check cells, and the stored
    outputs of the chapter's own cells; the metadata names the chapter (for the
    grader, whatever the student renames the file to)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        target = out / f"{name}.ipynb"
        copy = without_solutions(read(BOOK / f"{name}.ipynb"))
        copy.metadata.setdefault("invlib", {})["chapter"] = name
        nbformat.write(copy, str(target))
        written.append(target)
    return written


def chapter_of(notebook, path) -> str | None:
    """The chapter a notebook is a copy of: its metadata's, else its file name's
    (``bikeshop.ipynb``, or a name that starts or ends with the chapter's)."""
    named = notebook.get("metadata", {}).get("invlib", {}).get("chapter")
    if named in NOTEBOOKS:
        return named
    stem = Path(path).stem
    if stem in NOTEBOOKS:
        return stem
    for name in sorted(NOTEBOOKS, key=len, reverse=True):
        if stem.startswith(name) or stem.endswith(name):
            return name
    return None


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("student", "autograder"):
        sys.exit("usage: bookstructure.py student|autograder OUT_DIR")
    if sys.argv[1] == "student":
        written = write_student_copies(Path(sys.argv[2]))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import grading
        written = grading.write_autograders(Path(sys.argv[2]))
    for path in written:
        print("wrote", path)
