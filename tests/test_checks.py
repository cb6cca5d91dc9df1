"""The exercises that check themselves, as the book holds them: each checkable
exercise has an answer cell before its solution and a check cell after it (and
a hidden test for the autograder), all left out of the website and the PDF. The
book runs each check right after its solution, where it must say "right"; the
blank student copy runs it after the answer cell's ``...``, where it must say
"not answered yet" in one line, never with a traceback."""
import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bookstructure as bs  # noqa: E402

NOTEBOOKS = bs.NOTEBOOKS
OWN_TAGS = {bs.ANSWER_TAG, bs.CHECK_TAG, *bs.INSTRUCTOR_TAGS}


def tags(cell) -> set:
    return set(bs.tags(cell))


def notebook(name):
    return bs.read(bs.BOOK / f"{name}.ipynb")


def checks(nb) -> list[tuple[str, object, object]]:
    """(label, answer cell, check cell) of every checked exercise, in order."""
    answer_cells = [c for c in nb.cells if bs.ANSWER_TAG in tags(c)]
    check_cells = [c for c in nb.cells if bs.CHECK_TAG in tags(c)]
    by_label = dict(zip(bs.answers(nb), answer_cells, strict=True))
    return [(label, by_label.get(label), cell)
            for label, cell in zip(bs.checks(nb), check_cells, strict=True)]


def run(*cells) -> tuple[str, dict]:
    """Execute the cells' code in one fresh namespace; (stdout, namespace)."""
    namespace, out = {}, io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in cells:
            exec(compile(cell.source, "<cell>", "exec"), namespace)
    return out.getvalue(), namespace


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_check_sits_with_its_exercise_and_is_left_out_of_the_site(name):
    nb = notebook(name)
    labels = bs.exercises(nb)
    ends = {s.label: s.end for s in bs.solutions(nb)}
    index = {id(c): i for i, c in enumerate(nb.cells)}
    for label, answer, check in checks(nb):
        assert label in labels, f"a check for no exercise: {label}"
        assert answer is not None, f"{label}: no answer cell"
        # the answer cell right after the exercise, the check right after the
        # solution (the student copy drops the solution: answer, then check)
        before = nb.cells[index[id(answer)] - 1]
        assert f":label: {label}" in before.source, f"{label}: answer misplaced"
        assert index[id(check)] == ends[label] + 1, f"{label}: check misplaced"
        # every name the check reads is one the answer cell sets
        asked = set(bs.answers(nb)[label])
        read = set(re.findall(r'Expect\(\s*"(\w+)"', check.source))
        assert asked and asked == read, f"{label}: answers {asked}, checked {read}"
    for cell in nb.cells:
        if tags(cell) & OWN_TAGS:
            assert "remove-cell" in tags(cell), "shown on the website"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_check_says_right_after_the_books_solution(name):
    """The stored output of each check in the book, which nbval compares with a
    fresh run of the chapter: the book's own solution passes its check."""
    for label, _, check in checks(notebook(name)):
        text = "".join(o.get("text", "") for o in check.outputs)
        assert text == f"✓ {label}: right.\n", f"{label}: {text!r}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_blank_copy_gets_one_polite_line_per_check(name):
    """What a student sees who runs an answer cell unchanged, and its check."""
    for label, answer, check in checks(notebook(name)):
        out, _ = run(answer, check)
        assert out.count("\n") == 1, out
        assert out.startswith(f"✗ {label}: not answered yet (0 of "), out


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_malformed_and_wrong_answers_get_a_line_not_a_traceback(name):
    for label, answer, check in checks(notebook(name)):
        _, namespace = run(answer)
        names = [n for n, v in namespace.items() if v is Ellipsis]
        for junk in ("seven", [[1, 2], [3]], {"a": 1}, float("nan"), -1e300):
            filled = {n: junk for n in names}
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(check.source, "<check>", "exec"), dict(filled))
            line = out.getvalue()
            assert line.count("\n") == 1 and line.startswith(f"✗ {label}: "), line
            assert "Traceback" not in line


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_hidden_tests_follow_their_check(name):
    nb = notebook(name)
    checked = {label: check for label, _, check in checks(nb)}
    # bs.hidden_tests requires the header "# hidden test LABEL: N points"
    for test in bs.hidden_tests(nb):
        assert nb.cells[test.cell - 1] is checked.get(test.label), \
            f"{test.label}: not after its check"
        assert not nb.cells[test.cell].outputs, \
            f"{test.label}: a hidden test prints nothing"


def test_at_least_fifteen_exercises_check_themselves_and_the_rest_have_rubrics():
    checked, manual, every = set(), set(), set()
    for name in NOTEBOOKS:
        nb = notebook(name)
        every |= set(bs.exercises(nb))
        checked |= {label for label, _, _ in checks(nb)}
        manual |= {rubric.label for rubric in bs.rubrics(nb)}
    assert len(checked) >= 15, sorted(checked)
    assert checked | manual == every, sorted(every - checked - manual)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_student_copy_starts_blank(name, tmp_path):
    """No check in a copy says "right" before the student has answered, and
    the checks' code is folded (JupyterLab shows a bar to open it)."""
    [path] = bs.write_student_copies(tmp_path, [name])
    copy = bs.read(path)
    cells = [c for c in copy.cells if {"answer", "check"} & tags(c)]
    assert len(cells) == 2 * len(checks(notebook(name)))
    for cell in cells:
        assert cell.outputs == [] and cell.execution_count is None
        if "check" in tags(cell):
            assert cell.metadata["jupyter"]["source_hidden"] is True
