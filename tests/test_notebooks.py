"""The chapters as course material: every exercise has a gated solution whose answer is
computed in code (unless it is marked as purely verbal), solution code stays hidden in
JupyterLab, each chapter ends with a summary before its exercises, code fits the
page, and the student copies (solutions removed) keep no solution text and still run.
"""
import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bookstructure as bs  # noqa: E402

CHAPTERS = [pytest.param(name, id=name) for name in bs.NOTEBOOKS]


def chapter(name):
    return bs.read(bs.BOOK / f"{name}.ipynb")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_exercise_has_one_gated_solution(name):
    nb = chapter(name)
    assert bs.inline_solutions(nb) == 0, "solutions must be gated (solution-start/end)"
    labels = bs.exercises(nb)
    assert labels, "a chapter has exercises"
    assert sorted(s.label for s in bs.solutions(nb)) == sorted(labels)


@pytest.mark.parametrize("name", CHAPTERS)
def test_solutions_compute_their_answers_in_hidden_code(name):
    nb = chapter(name)
    for solution in bs.solutions(nb):
        code = [c for c in solution.cells(nb) if c.cell_type == "code"]
        # JupyterLab folds only the start cell: any other prose would show
        inner = solution.cells(nb)[1:-1]
        assert all(c.cell_type == "code" for c in inner), (
            f"{solution.label}: the answer's prose belongs in the start cell")
        if solution.verbal:
            continue
        assert code, (f"{solution.label}: no code cell computes the answer (tag the "
                      f"start cell '{bs.VERBAL_TAG}' if the answer is purely verbal)")
        for cell in code:
            hidden = cell.metadata.get("jupyter", {})
            assert hidden.get("source_hidden") and hidden.get("outputs_hidden"), (
                f"{solution.label}: solution code must be stored collapsed")
            assert cell.execution_count is not None, f"{solution.label}: not executed"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_ends_with_a_summary_before_its_exercises(name):
    headings = [line.strip() for c in chapter(name).cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    assert headings[-2:] == ["## Summary", "## Exercises"]
    summary = next(c.source for c in chapter(name).cells
                   if c.cell_type == "markdown" and "## Summary" in c.source)
    points = re.findall(r"^[-*] ", summary.split("## Summary", 1)[1], re.M)
    assert 3 <= len(points) <= 6


@pytest.mark.parametrize("name", CHAPTERS)
def test_code_lines_fit_the_page(name):
    long = [line for c in chapter(name).cells if c.cell_type == "code"
            for line in c.source.splitlines() if len(line) > 79]
    assert not long


def test_structure_checks_catch_a_missing_answer():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{exercise}\n:label: ex-a\n\nQ?\n```"),
        nbformat.v4.new_markdown_cell(
            "```{solution-start} ex-a\n:class: dropdown\n```\nIt is 4."),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ])
    [solution] = bs.solutions(nb)
    assert solution.label == "ex-a" and not solution.verbal
    assert [c for c in solution.cells(nb) if c.cell_type == "code"] == []
    nb.cells[1].metadata["tags"] = [bs.VERBAL_TAG]
    assert bs.solutions(nb)[0].verbal
    del nb.cells[2]
    with pytest.raises(ValueError, match="no solution-end"):
        bs.solutions(nb)


def student_copy(name, tmp_path):
    [path] = bs.write_student_copies(tmp_path, [name])
    return bs.read(path)


@pytest.mark.parametrize("name", CHAPTERS)
def test_student_copy_keeps_no_solution_text(name, tmp_path):
    original = chapter(name)
    copy = student_copy(name, tmp_path)
    assert bs.solutions(copy) == [] and bs.exercises(copy) == bs.exercises(original)
    text = "\n".join(c.source for c in copy.cells)
    solution_cells = [id(c) for sol in bs.solutions(original)
                      for c in sol.cells(original)]
    elsewhere = "\n".join(c.source for c in original.cells
                          if id(c) not in solution_cells)
    for solution in bs.solutions(original):
        for cell in solution.cells(original):
            for line in cell.source.splitlines():
                line = line.strip()
                # a line the chapter itself also has (an import, a format) is
                # no trace of the solution
                if len(line) > 25 and line not in elsewhere:
                    assert line not in text, f"{solution.label}: {line!r} survives"


@pytest.mark.parametrize("name", CHAPTERS)
def test_student_copy_runs_as_the_start_of_its_chapter(name, tmp_path):
    """The student copy's code is the chapter's first code cells, in order, and
    after them only the exercises' answer and check cells. nbval's run of the
    chapter (scripts/test runs ``--nbval book``) executes exactly that start
    first, in a fresh kernel, in book/, where the copies run; tests/test_checks.py
    runs every answer cell and its check as the blank copy holds them, and
    tests/test_grading.py grades a blank copy run top to bottom. So the copies
    are not all executed a second time here."""
    original = chapter(name)
    copy = student_copy(name, tmp_path)
    exercise_cells = {"answer", "check"}
    kept = [c for c in copy.cells if c.cell_type == "code"]
    start = [c for c in kept if not exercise_cells & set(c.metadata.get("tags", []))]
    assert kept[:len(start)] == start, "chapter code after the exercises' cells"
    code = [c for c in original.cells if c.cell_type == "code"]
    assert [c.source for c in start] == [c.source for c in code[:len(start)]], \
        "the copy's code is not the chapter's start"
    solution_cells = {id(c) for sol in bs.solutions(original)
                      for c in sol.cells(original)}
    after = code[len(start):]
    assert all(id(c) in solution_cells
               or {"answer", "check", "hidden-test"} & set(c.metadata.get("tags", []))
               for c in after)
