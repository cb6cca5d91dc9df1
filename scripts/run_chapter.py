"""Execute chapters top to bottom and save them with their outputs, as the book
stores them.

    python scripts/run_chapter.py book/exact.ipynb [book/sarsa.ipynb ...]

Besides the outputs, each markdown cell's ``user_expressions`` metadata gets the value
of every ``{eval}`said.NAME``` it holds, in the form ``jupyterlab-myst`` writes, so the
prose shows its numbers in JupyterLab before anything runs. A name no cell recorded
stops the run with one line. (``scripts/run-chapter`` is the shell entry point.)
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat

from invlib.prose import MIME, recorded_values  # noqa: F401 (MIME re-exported)

EVAL = re.compile(r"\{eval\}`([^`]+)`")
ROOT = Path(__file__).resolve().parent.parent


def fill_user_expressions(notebook) -> list[str]:
    """Store every markdown cell's expressions and their values; return the
    expressions that have no recorded value."""
    values = recorded_values(notebook)
    missing = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        expressions = list(dict.fromkeys(EVAL.findall(cell.source)))
        if not expressions:
            cell.metadata.pop("user_expressions", None)
            continue
        stored = []
        for expression in expressions:
            name = expression.strip().removeprefix("said.")
            if name not in values:
                missing.append(expression)
                continue
            stored.append({"expression": expression, "result": {
                "status": "ok", "data": {"text/plain": values[name]}, "metadata": {}}})
        cell.metadata["user_expressions"] = stored
    return missing


def run(path: Path, timeout: int = 1800) -> float:
    from nbclient import NotebookClient

    notebook = nbformat.read(str(path), as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    missing = fill_user_expressions(notebook)
    if missing:
        raise SystemExit(f"{path.name}: the prose uses {', '.join(missing)}, which no "
                         f"code cell records")
    nbformat.write(notebook, str(path))
    return seconds


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: run-chapter NOTEBOOK...", file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name).resolve()
        if not path.is_file() or path.suffix != ".ipynb":
            print(f"NOTEBOOK must be an existing .ipynb file, got {name!r}",
                  file=sys.stderr)
            return 2
        try:
            seconds = run(path)
        except KeyboardInterrupt:
            print(f"interrupted: {path.name} was not saved", file=sys.stderr)
            return 130
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"ran in {seconds:.0f} s, saved with its outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
