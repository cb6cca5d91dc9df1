"""The autograder (scripts/grade, scripts/grading.py) and the cells it is made
from: the student copies keep the answer and check cells and lose the hidden
tests and rubrics; the autograder zip holds one otter test per hidden test; the
grader gives the chapter's solutions full marks and the blank copy zero, takes
exactly an exercise's points for a wrong answer, and grades a submission that
raises, loops or was run out of order without a traceback. Executing bike
shop costs seconds, so the grader runs five times in all here."""
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bookstructure as bs  # noqa: E402
import grading  # noqa: E402
from otter.test_files import ExceptionTestFile  # noqa: E402, I001

GRADE = ROOT / "scripts" / "grade"
CHAPTER = "bikeshop"


def book():
    return bs.read(bs.BOOK / f"{CHAPTER}.ipynb")


def run_grade(*args, timeout=600):
    return subprocess.run([str(GRADE), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


def one_line(text):
    lines = text.strip().splitlines()
    return len(lines) == 1 and "Traceback" not in text


# ------------------------------------------------------- no execution --

def test_student_copy_keeps_answers_and_checks_and_drops_the_instructors():
    original = book()
    assert bs.hidden_tests(original) and bs.rubrics(original), (
        "bikeshop has hidden tests and rubrics")
    assert bs.checks(original) and bs.answers(original)
    copy = bs.without_solutions(original)
    kept = [bs.tags(c) for c in copy.cells]
    assert not any(set(t) & {bs.HIDDEN_TAG, bs.RUBRIC_TAG} for t in kept)
    assert bs.checks(copy) == bs.checks(original)
    assert bs.answers(copy) == bs.answers(original)
    assert "hidden test" not in "\n".join(c.source for c in copy.cells)


def test_student_copy_names_its_chapter(tmp_path):
    [path] = bs.write_student_copies(tmp_path, [CHAPTER])
    copy = bs.read(path)
    assert copy.metadata["invlib"]["chapter"] == CHAPTER
    assert bs.chapter_of(copy, tmp_path / "alice.ipynb") == CHAPTER
    copy.metadata.pop("invlib")
    assert bs.chapter_of(copy, tmp_path / f"{CHAPTER}-alice.ipynb") == CHAPTER
    assert bs.chapter_of(copy, tmp_path / "alice.ipynb") is None


def test_a_malformed_header_is_an_error_naming_the_cell():
    nb = book()
    test = bs.hidden_tests(nb)[0]
    nb.cells[test.cell].source = nb.cells[test.cell].source.replace(
        " points", " pts", 1)
    with pytest.raises(ValueError, match=f"cell {test.cell}: .*hidden test"):
        bs.hidden_tests(nb)
    nb = book()
    rubric = bs.rubrics(nb)[0]
    nb.cells[rubric.cell].source = "Rubric: " + nb.cells[rubric.cell].source
    with pytest.raises(ValueError, match=f"cell {rubric.cell}: .*rubric"):
        bs.rubrics(nb)


def test_a_hidden_test_must_follow_its_own_solution():
    nb = book()
    first, second = bs.hidden_tests(nb)[:2]
    nb.cells[second.cell].source = second.code.replace(
        second.label, first.label, 1)
    with pytest.raises(ValueError, match=f"cell {second.cell}: .*follows"):
        bs.hidden_tests(nb)


def test_the_autograder_zip_has_one_test_per_hidden_test(tmp_path):
    [path] = grading.write_autograders(tmp_path, [CHAPTER])
    assert path == (tmp_path / f"{CHAPTER}.zip").resolve()
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"otter_config.json", "requirements.txt", "run_autograder",
                "setup.sh", "files/invlib/__init__.py"} <= names
        tests = sorted(n for n in names if n.startswith("tests/"))
        hidden = bs.hidden_tests(book())
        assert tests == sorted(f"tests/{grading.test_file_name(t.label)}"
                               for t in hidden)
        for test in hidden:
            source = zf.read(f"tests/{grading.test_file_name(test.label)}")
            parsed = ExceptionTestFile.from_string(source.decode())
            assert parsed.name == test.label
            assert [c.points for c in parsed.test_cases] == [test.points]
            assert all(c.hidden for c in parsed.test_cases)
        requirements = zf.read("requirements.txt").decode()
        assert "numpy==" in requirements and "numba==" in requirements


def test_the_autograder_zip_keeps_the_paths_the_chapter_reads(tmp_path):
    """Otter copies the zip's files/ into the submission's folder, where the
    chapter reads data/sweep and data/replication (relative to book/)."""
    [path] = grading.write_autograders(tmp_path, ["replication"])
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    for folder in grading.CHAPTER_FILES["replication"]:
        assert any(n.startswith(f"files/{folder}/") for n in names), folder
    assert "files/data/replication/P1/settings.json" in names
    assert "files/data/sweep/runs.csv" in names


def test_a_failed_test_says_what_is_wrong_but_not_the_value():
    test = bs.hidden_tests(book())[0]          # ex-bike-one-day: (0, 4), 20
    parsed = ExceptionTestFile.from_string(
        grading.test_file_source(CHAPTER, test))
    right = {"one_day_state": (0, 4), "one_day_cost": 20.0}
    cases = [(right, True, "right"),
             ({**right, "one_day_cost": 21}, False, "the cost of the day"),
             ({**right, "one_day_cost": ...}, False, "not answered: one_day_cost"),
             ({**right, "one_day_state": "zero"}, False, "not of the kind")]
    for env, passed, said in cases:
        parsed.run(env)
        [result] = parsed.test_case_results
        assert result.passed == passed
        if not passed:
            feedback = grading._feedback(result.message)
            assert said in feedback and "20" not in feedback, feedback


def test_bad_arguments_give_one_line_and_status_2(tmp_path, capsys):
    for args, said in [([], "NOTEBOOK"),
                       (["--time-limit", "soon", bs.BOOK / "bikeshop.ipynb"],
                        "--time-limit"),
                       (["--time-limit", "-5", tmp_path], "1 to"),
                       ([tmp_path / "missing.ipynb"], "NOTEBOOK"),
                       ([tmp_path], "NOTEBOOK"),
                       (["--colour"], "--colour"),
                       (["--jobs", "0", tmp_path], "--jobs"),
                       (["--jobs", "2.5", tmp_path], "whole number")]:
        with pytest.raises(SystemExit) as stop:
            grading.main(list(map(str, args)))
        out, err = capsys.readouterr()
        assert stop.value.code == 2, args
        assert one_line(err) and said in err and out == "", err
    # and through the script, as a shell sees it
    result = run_grade("--time-limit", "0", bs.BOOK / "bikeshop.ipynb",
                       timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert one_line(result.stderr) and "--time-limit" in result.stderr


# -------------------------------------------------------- executions --

@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    [path] = bs.write_student_copies(folder, [CHAPTER])
    return path


@pytest.fixture(scope="module")
def graded_json(blank):
    """The book's chapter and the blank student copy, graded with --json,
    side by side (--jobs 2); the reports come in the order given."""
    result = run_grade("--json", "--jobs", "2", bs.BOOK / f"{CHAPTER}.ipynb",
                       blank)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    return [json.loads(line) for line in lines]


def test_the_solutions_score_full_marks(graded_json):
    solved = graded_json[0]
    assert solved["chapter"] == CHAPTER
    tests = bs.hidden_tests(book())
    assert solved["max_score"] == sum(t.points for t in tests) > 0
    assert solved["score"] == solved["max_score"], solved
    assert solved["note"] == ""
    manual = [e for e in solved["exercises"] if e["manual"]]
    assert [e["label"] for e in manual] == [r.label for r in bs.rubrics(book())]
    assert all(e["points"] is None for e in manual)
    assert solved["manual_points"] == sum(r.points for r in bs.rubrics(book()))


def test_the_blank_copy_scores_zero(graded_json):
    blank = graded_json[1]
    assert blank["score"] == 0 and blank["max_score"] > 0
    auto = [e for e in blank["exercises"] if not e["manual"]]
    assert auto and all(e["feedback"].startswith("not answered") for e in auto)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A folder: one answer wrong, and a copy that raises in its first cell
    and holds cells run out of order; graded as a table."""
    folder = tmp_path_factory.mktemp("broken")
    wrong = book()
    wrong.cells.append(nbformat.v4.new_code_cell("one_day_cost = 19"))
    nbformat.write(wrong, str(folder / f"{CHAPTER}-wrong.ipynb"))
    raises = book()
    raises.cells.insert(0, nbformat.v4.new_code_cell(
        'raise RuntimeError("a slip in the first cell")'))
    code = [c for c in raises.cells if c.cell_type == "code"]
    code[1].execution_count, code[2].execution_count = 9, 3
    nbformat.write(raises, str(folder / f"{CHAPTER}-raises.ipynb"))
    result = run_grade("--jobs", "2", folder)
    assert result.returncode == 0, result.stderr
    return result


def table(output, name):
    block = next(b for b in output.split("\n\n") if name in b.splitlines()[0])
    rows = {}
    for line in block.splitlines()[2:]:
        fields = line.split()
        if fields[0].startswith("ex-") and fields[1] != "manual":
            rows[fields[0]] = (float(fields[1]), float(fields[2]),
                               " ".join(fields[3:]))
        if fields[0] == "total":
            rows["total"] = (float(fields[1]), float(fields[2]), "")
    return block, rows


def test_one_wrong_answer_loses_exactly_its_points(broken):
    assert "Traceback" not in broken.stdout + broken.stderr
    block, rows = table(broken.stdout, "wrong")
    tests = bs.hidden_tests(book())
    assert rows["ex-bike-one-day"] == (0, tests[0].points, "the cost of the day")
    assert rows["total"][:2] == (rows["total"][1] - tests[0].points,
                                 sum(t.points for t in tests))
    assert all(rows[t.label][0] == t.points for t in tests[1:])
    assert "manual" in block and "note:" not in block


def test_a_first_cell_that_raises_is_still_graded(broken):
    block, rows = table(broken.stdout, "raises")
    assert rows["total"][0] == rows["total"][1] > 0
    [note] = [line for line in block.splitlines() if line.startswith("note:")]
    assert "cell 1 raised RuntimeError" in note and "out of order" in note


def loop_notebook(folder):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        # an endless loop that sleeps: it keeps the kernel as busy as a
        # spinning one would, without taking a core from the other tests
        nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.05)")])
    nb.metadata["invlib"] = {"chapter": CHAPTER}
    path = folder / "loops.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_loop_is_stopped_by_the_time_limit(tmp_path):
    started = time.perf_counter()
    result = run_grade("--json", "--time-limit", "8", loop_notebook(tmp_path))
    assert time.perf_counter() - started < 60
    assert result.returncode == 0 and "Traceback" not in result.stderr
    [line] = result.stdout.splitlines()
    report = json.loads(line)
    assert report["score"] == 0 and "time limit of 8 s" in report["note"]


def command_line(process):
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def test_ctrl_c_prints_one_line_and_leaves_no_kernel(tmp_path):
    """Two looping submissions graded side by side (--jobs 2), a third
    queued: Ctrl-C stops both kernels, and no report is printed."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("a", "b", "c"):
        loop_notebook(tmp_path).rename(folder / f"{CHAPTER}-{name}.ipynb")
    # SIGINT as in a terminal, even if the tests were started with it ignored
    # (a background job of a shell script), which the grader would inherit
    process = subprocess.Popen(
        [str(GRADE), "--jobs", "2", str(folder)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    grader = psutil.Process(process.pid)
    kernels = []
    deadline = time.monotonic() + 120
    while len(kernels) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        kernels = [p for p in grader.children(recursive=True)
                   if "ipykernel" in command_line(p)]
    assert len(kernels) == 2, "two kernels did not start"
    os.kill(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        # what the grader was doing: its threads' stacks (the grader dumps
        # them on SIGUSR1) and the processes still under it
        tree = [command_line(p) for p in grader.children(recursive=True)]
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(2)
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"the grader did not stop; processes under it: {tree}; "
                    f"its stacks:\n{stderr}")
    assert process.returncode == 130
    assert stderr.strip() == "grade: interrupted" and stdout == ""
    for kernel in kernels:
        kernel.wait(timeout=10)
        assert not kernel.is_running()
