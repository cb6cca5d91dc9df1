"""The autograder: grade students' copies of the chapters with otter-grader, on
this machine, with no Docker and no network.

    python scripts/grading.py [--json] [--time-limit SECONDS] [--jobs N] NOTEBOOK...

(``scripts/grade`` is the shell entry point.) The hidden tests live in the
book's notebooks, next to their exercises (``scripts/bookstructure.py`` collects
them); each becomes one of otter's exception-based test files, with its points.
Each submission runs top to bottom in its own process, with a time limit, in a
temporary folder that mirrors book/ (a copy of its data, ../benchmarks), so
that the chapters' relative paths work. Whatever the submission does (raise,
loop, crash the kernel, hold cells run out of order), the grader prints its
scores and a one-line note, never a traceback.

``write_autograders`` writes otter's autograder zip per chapter (the layout
``otter generate`` makes, which Gradescope also takes) for
``scripts/student-notebooks``.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bookstructure as bs  # noqa: E402

ROOT = bs.BOOK.parent
TIME_LIMIT = 300
#: the longest time limit accepted, in seconds (a day)
MAX_TIME_LIMIT = 86400
#: the files (relative to book/) each chapter reads, for the autograder zip
CHAPTER_FILES = {"robustness": ["data/sweep"],
                 "replication": ["data/sweep", "data/replication",
                                 "data/replication-narrow"],
                 "qlearning": ["../benchmarks"]}

TEST_FILE = '''\
"""Hidden test for {label} ({chapter}): made by scripts/grading.py from the
hidden-test cell in book/{chapter}.ipynb. Do not edit: edit the chapter."""
from otter.test_files import test_case

OK_FORMAT = False

name = {label!r}
points = {points!r}

ANSWERS = {answers!r}
CODE = {code!r}


@test_case(points={points!r}, hidden=True)
def hidden_test(env):
    missing = [n for n in ANSWERS if env.get(n, Ellipsis) is Ellipsis]
    if missing:
        raise AssertionError("not answered: " + ", ".join(missing))
    try:
        exec(compile(CODE, "hidden test " + name, "exec"), dict(env))
    except AssertionError as error:
        message = " ".join(str(error).split()) or "wrong"
        raise AssertionError(message) from None
    except Exception as error:
        raise AssertionError("the answer is not of the kind asked for ("
                             + type(error).__name__ + ")") from None
'''


def test_file_source(chapter: str, test: bs.HiddenTest) -> str:
    """An otter exception-based test file for one hidden test. Its failure
    message is the assert's message, or "wrong": never the expected value."""
    return TEST_FILE.format(label=test.label, chapter=chapter, points=test.points,
                            answers=test.answers, code=test.code)


def test_file_name(label: str) -> str:
    return label.replace("-", "_") + ".py"


def write_tests(chapter: str, notebook, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for test in bs.hidden_tests(notebook):
        path = folder / test_file_name(test.label)
        path.write_text(test_file_source(chapter, test))
        written.append(path)
    return written


def _invlib_requirements() -> list[str]:
    """What the zip's grading environment installs: invlib's own
    dependencies, as pyproject.toml names them (read from the installed
    package, so there is no second list to keep)."""
    import importlib.metadata

    from packaging.requirements import Requirement
    return [requirement.name for requirement in map(
                Requirement, importlib.metadata.requires("invlib") or [])
            if requirement.marker is None]      # no extras


def _pins() -> dict[str, str]:
    pins = {}
    for line in [*(ROOT / "requirements.txt").read_text().splitlines(),
                 *(ROOT / "constraints.txt").read_text().splitlines()]:
        name, sep, version = line.strip().partition("==")
        if sep:
            pins[name.lower().replace("_", "-")] = version
    return pins


def write_autograder(chapter: str, out: Path) -> Path | None:
    """otter's autograder zip for a chapter with hidden tests (None without):
    otter_config.json, tests/ (one file per hidden test), requirements.txt and
    files/ (invlib and the data the chapter reads), made by ``otter generate``'s
    own code."""
    from otter.generate import main as generate

    notebook = bs.read(bs.BOOK / f"{chapter}.ipynb")
    if not bs.hidden_tests(notebook):
        return None
    out.mkdir(parents=True, exist_ok=True)
    target = (out / f"{chapter}.zip").resolve()
    pins = _pins()
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        write_tests(chapter, notebook, stage / "tests")
        (stage / "otter_config.json").write_text(json.dumps(
            {"lang": "python", "show_stdout": False, "show_hidden": False},
            indent=2) + "\n")
        (stage / "requirements.txt").write_text("".join(
            f"{name}=={pins[name]}\n" if name in pins else f"{name}\n"
            for name in _invlib_requirements()))
        files = ["invlib"]
        shutil.copytree(ROOT / "invlib", stage / "invlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.nbi",
                                                      "*.nbc"))
        for relative in CHAPTER_FILES.get(chapter, []):
            source = (bs.BOOK / relative).resolve()
            # otter copies the zip's files into the submission's folder, so a
            # folder inside book/ keeps the path the chapter reads (data/sweep);
            # one beside book/ (../benchmarks) cannot, and goes in by its name
            name = source.name if relative.startswith("..") else relative
            shutil.copytree(source, stage / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
            files.append(name)
        here = os.getcwd()
        os.chdir(stage)
        try:
            generate(tests_dir="tests", output_path=str(target),
                     config="otter_config.json", requirements="requirements.txt",
                     no_environment=True, files=files)
            # otter 7 folds the requirements into environment.yml; the file
            # itself goes in too, for an instructor to read or reuse
            with zipfile.ZipFile(target, "a") as zf:
                zf.write("requirements.txt", "requirements.txt")
        finally:
            os.chdir(here)
    return target


def write_autograders(out: Path, names=bs.NOTEBOOKS) -> list[Path]:
    return [path for name in names
            if (path := write_autograder(name, out)) is not None]


# ---------------------------------------------------------------- grading --

class BookError(Exception):
    """The book's own hidden tests or rubrics are malformed (the instructor's
    to fix, not the student's)."""


@dataclass
class Score:
    label: str
    points: float | None          # None: graded by hand
    max_points: float
    feedback: str

    @property
    def manual(self) -> bool:
        return self.points is None


@dataclass
class Report:
    submission: str
    chapter: str | None
    scores: list[Score] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(s.points for s in self.scores if not s.manual)

    @property
    def possible(self) -> float:
        return sum(s.max_points for s in self.scores if not s.manual)

    @property
    def manual_points(self) -> float:
        return sum(s.max_points for s in self.scores if s.manual)

    def to_json(self) -> str:
        return json.dumps({
            "submission": self.submission, "chapter": self.chapter,
            "score": self.total, "max_score": self.possible,
            "manual_points": self.manual_points,
            "exercises": [dict(asdict(s), manual=s.manual) for s in self.scores],
            "note": self.note, "seconds": round(self.seconds, 1)},
            ensure_ascii=False)

    def table(self) -> str:
        rows = [("exercise", "points", "max", "feedback")]
        for s in self.scores:
            points = "manual" if s.manual else _fmt(s.points)
            rows.append((s.label, points, _fmt(s.max_points), s.feedback))
        total = f"{_fmt(self.total)} of {_fmt(self.possible)} graded by program"
        if self.manual_points:
            total += f", {_fmt(self.manual_points)} more by hand"
        rows.append(("total", _fmt(self.total), _fmt(self.possible), total))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{self.submission} (chapter {self.chapter or '?'})"]
        for row in rows:
            cells = [row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i])
                     for i in range(3)]
            lines.append("  ".join(cells + [row[3]]).rstrip())
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def ran_out_of_order(notebook) -> bool:
    """Whether the stored execution counts of the code cells, top to bottom,
    ever go down (the student ran cells out of order)."""
    counts = [c.get("execution_count") for c in notebook.cells
              if c.cell_type == "code" and c.get("execution_count")]
    return any(b < a for a, b in zip(counts, counts[1:], strict=False))


def _mirror_book(folder: Path) -> Path:
    """A folder that looks like the repository around book/: book/'s files
    but the notebooks (symlinks; data/ a copy, which the submission may
    change, as a chapter stores any run missing there) and ../benchmarks."""
    book = folder / "book"
    book.mkdir()
    for entry in bs.BOOK.iterdir():
        if entry.name == "data":
            shutil.copytree(entry, book / entry.name)
        elif entry.suffix != ".ipynb" and not entry.name.startswith("."):
            (book / entry.name).symlink_to(entry)
    (folder / "benchmarks").symlink_to(ROOT / "benchmarks")
    return book


class Running:
    """The grading processes under way (several with ``--jobs``), so that
    Ctrl-C stops them all, and none starts after it."""

    def __init__(self):
        self._processes: set = set()
        self._lock = threading.Lock()
        self._closed = False

    def add(self, process: subprocess.Popen) -> None:
        with self._lock:
            if not self._closed:
                self._processes.add(process)
                return
        _kill_tree(process)                 # started as Ctrl-C came: stop it

    def discard(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.discard(process)

    def stop_all(self) -> None:
        with self._lock:
            self._closed = True
            processes = list(self._processes)
        for process in processes:
            _kill_tree(process)


def _kill_tree(process: subprocess.Popen) -> None:
    """End the grading process and everything it started (the kernel runs in
    a session of its own, so the process group alone would miss it)."""
    import psutil

    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for member in [*family, process]:
        try:
            member.kill()
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass
    process.wait()
    psutil.wait_procs(family, timeout=5)


def grade(path: Path, time_limit: float, running: Running | None = None
          ) -> Report:
    """Grade one submission; never raises for anything the submission does.
    ``running`` (optional) holds its process while it runs."""
    started = time.perf_counter()
    report = Report(str(path), None)
    try:
        submission = bs.read(path)
    except Exception as error:
        report.note = f"not a readable notebook ({_one_line(error, 100)})"
        return report
    chapter = bs.chapter_of(submission, path)
    report.chapter = chapter
    if chapter is None:
        report.note = ("cannot tell which chapter this is a copy of (name the "
                       "file after it, e.g. bikeshop.ipynb)")
        return report
    book = bs.read(bs.BOOK / f"{chapter}.ipynb")
    try:
        tests = bs.hidden_tests(book)
        rubrics = bs.rubrics(book)
    except ValueError as error:
        raise BookError(f"book/{chapter}.ipynb: {error}") from None
    notes = []
    if ran_out_of_order(submission):
        notes.append("cells had been run out of order; graded as run top to "
                     "bottom")
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        folder = Path(tmp)
        workdir = _mirror_book(folder)
        test_paths = write_tests(chapter, book, folder / "tests")
        copy = workdir / "submission.ipynb"
        shutil.copyfile(path, copy)
        out = folder / "results.json"
        command = [sys.executable, str(Path(__file__).resolve()), "_execute",
                   str(copy), str(folder / "tests"), str(out),
                   *map(str, test_paths)]
        env = dict(os.environ, PYTHONWARNINGS="ignore", MPLBACKEND="agg")
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        if running is not None:
            running.add(process)
        try:
            _, stderr = process.communicate(timeout=time_limit)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            stderr = b""
            notes.append(f"stopped after the time limit of "
                         f"{_fmt(time_limit)} s (a loop, or too slow); the "
                         f"tests were not run")
        except BaseException:          # Ctrl-C: nothing may outlive the grader
            _kill_tree(process)
            raise
        finally:
            if running is not None:
                running.discard(process)
        if out.exists():
            results = json.loads(out.read_text())
        elif process.returncode not in (None, -signal.SIGKILL) and \
                not any("time limit" in n for n in notes):
            last = [ln for ln in stderr.decode(errors="replace").splitlines()
                    if ln.strip()]
            notes.append("the grader could not run this notebook"
                         + (f" ({_one_line(last[-1], 100)})" if last else ""))
    if results.get("note"):
        notes.append(results["note"])
    passed = results.get("tests", {})
    order = {label: i for i, label in enumerate(bs.exercises(book))}
    for test in tests:
        outcome = passed.get(test.label)
        if outcome is None:
            score = Score(test.label, 0, test.points, "not graded")
        elif outcome["passed"]:
            score = Score(test.label, test.points, test.points, "right")
        else:
            score = Score(test.label, 0, test.points, outcome["feedback"])
        report.scores.append(score)
    for rubric in rubrics:
        report.scores.append(Score(rubric.label, None, rubric.points,
                                   _one_line(rubric.summary, 80)))
    # each exercise's rows together, in the chapter's order (sorted is stable)
    report.scores.sort(key=lambda s: order.get(s.label, len(order)))
    report.note = "; ".join(notes)
    report.seconds = time.perf_counter() - started
    return report


def _feedback(message: str) -> str:
    """The one line a student sees for a failed test: the assert's message
    (the test files raise nothing else), never the test's source."""
    for line in reversed(message.splitlines()):
        if line.startswith("AssertionError:"):
            return _one_line(line.removeprefix("AssertionError:").strip()
                             or "wrong", 120)
    return "wrong"


def _execute(submission: str, test_dir: str, out: str, tests: list[str]) -> None:
    """Run in the grading process: execute the submission with otter (nbconvert,
    errors allowed), run the hidden tests, write what passed to ``out``."""
    import logging

    logging.disable(logging.CRITICAL)
    from otter.execute import grade_notebook

    note = ""
    try:
        results = grade_notebook(submission, tests_glob=tests, cwd=None,
                                 test_dir=test_dir, ignore_errors=True)
    except Exception as error:
        name = type(error).__name__
        if name == "DeadKernelError":
            note = "the kernel died (a crash, or out of memory); no test ran"
        else:
            note = f"the notebook could not be run ({name}); no test ran"
        Path(out).write_text(json.dumps({"tests": {}, "note": note}))
        return
    tests_out = {}
    for name, test_file in results.results.items():
        failed = [r for r in test_file.test_case_results if not r.passed]
        tests_out[name] = {
            "passed": not failed and bool(test_file.test_case_results),
            "feedback": _feedback(failed[0].message) if failed else "right"}
    # the first cell that raised, counted in the submission's own cells
    # (otter puts one cell of its own first)
    for index, cell in enumerate(results.notebook.cells[1:-1], start=1):
        errors = [o for o in cell.get("outputs", [])
                  if o.get("output_type") == "error"]
        if errors:
            error = errors[0]
            note = _one_line(f"cell {index} raised {error.get('ename')}: "
                             f"{error.get('evalue')}", 110)
            note += "; the cells after it still ran"
            break
    Path(out).write_text(json.dumps({"tests": tests_out, "note": note}))


# ---------------------------------------------------------------- the CLI --

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"grade: {message}", file=sys.stderr)
        raise SystemExit(2)


def _usage_error(message: str):
    print(f"grade: {message}", file=sys.stderr)
    raise SystemExit(2)


def _time_limit(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1 <= value <= MAX_TIME_LIMIT:
        raise argparse.ArgumentTypeError(
            f"--time-limit must be a number of seconds from 1 to "
            f"{MAX_TIME_LIMIT}, not {text!r}")
    return value


def _jobs(text: str) -> int:
    cores = os.cpu_count() or 1
    if not text.isdigit() or not 1 <= int(text) <= cores:
        raise argparse.ArgumentTypeError(
            f"--jobs must be a whole number from 1 to {cores} (this machine's "
            f"cores), not {text!r}")
    return int(text)


def submissions(arguments: list[str]) -> list[Path]:
    """The notebooks named, folders expanded to the .ipynb files in them."""
    found = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb")
                            if not p.name.startswith("."))
            if not inside:
                _usage_error(f"NOTEBOOK: the folder {argument} holds no .ipynb "
                             f"file")
            found.extend(inside)
        elif path.is_file() and path.suffix == ".ipynb":
            found.append(path)
        else:
            _usage_error(f"NOTEBOOK must be an .ipynb file or a folder of them, "
                         f"not {argument!r}")
    return found


def main(argv=None) -> int:
    parser = _Parser(prog="grade", description=(
        "Grade students' copies of the chapters: run each top to bottom and "
        "score the hidden tests, offline."))
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="a submission (.ipynb), or a folder of them")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per submission, a line each")
    parser.add_argument("--time-limit", type=_time_limit, default=TIME_LIMIT,
                        metavar="SECONDS",
                        help=f"seconds a submission may run (1 to "
                             f"{MAX_TIME_LIMIT}; default {TIME_LIMIT})")
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                        help="submissions graded at once, each on a core of "
                             "its own (1 to this machine's cores; default 1); "
                             "the reports still come in the order given")
    args = parser.parse_args(argv)
    if not args.notebooks:
        _usage_error("NOTEBOOK: give at least one notebook or folder of them")
    paths = submissions(args.notebooks)
    try:
        import otter  # noqa: F401
    except ImportError:
        print("grade: otter-grader is not installed (scripts/setup installs it, "
              "or pip install -e '.[teach]')", file=sys.stderr)
        return 1
    running = Running()
    pool = ThreadPoolExecutor(max_workers=args.jobs)
    try:
        # threads suffice: each waits on a grading process of its own
        futures = [pool.submit(grade, path, args.time_limit, running)
                   for path in paths]
        for i, future in enumerate(futures):
            report = future.result()
            if args.json:
                print(report.to_json(), flush=True)
            else:
                print(("\n" if i else "") + report.table(), flush=True)
    except BaseException as error:          # Ctrl-C, or a broken book
        pool.shutdown(wait=False, cancel_futures=True)
        running.stop_all()
        if not isinstance(error, BookError):
            raise
        print(f"grade: {error}", file=sys.stderr)
        return 1
    pool.shutdown()
    return 0


def _interrupted(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    if sys.argv[1:2] == ["_execute"]:
        _execute(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, _interrupted)
    # SIGUSR1 prints every thread's stack (tests/test_grading.py asks for it
    # when Ctrl-C does not stop the grader in time)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        status = main()
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        status = 130
    raise SystemExit(status)
