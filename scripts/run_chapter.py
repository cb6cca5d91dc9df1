"""Execute chapters top to bottom and save them with their outputs, as the book
stores them.

    python scripts/run_chapter.py book/exact.ipynb [book/sarsa.ipynb ...]

Besides the outputs, each markdown cell's ``user_expressions`` metadata gets the value
of every ``{eval}`said.NAME``` it holds, in the form ``jupyterlab-myst`` writes, so the
prose shows its numbers in JupyterLab before anything runs. A name no cell recorded
stops the run with one line. (``scripts/run-chapter`` is the shell entry point.)
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections import deque
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


#: seconds a cell may take: ten times the slowest cell's, so that a kernel that
#: stops answering (seen twice in a long session) ends the run with a message
CELL_TIMEOUT = 600


def run(path: Path, timeout: int = CELL_TIMEOUT) -> float:
    from nbclient import NotebookClient

    notebook = nbformat.read(str(path), as_version=4)
    started = time.perf_counter()
    # no execution times in the stored chapter: they change on every run
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    missing = fill_user_expressions(notebook)
    if missing:
        raise SystemExit(f"{path.name}: the prose uses {', '.join(missing)}, which no "
                         f"code cell records")
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    path.write_text(stable_widget_ids(nbformat.writes(notebook), path.stem) + "\n")
    return seconds


def stable_widget_ids(text: str, name: str) -> str:
    """The notebook's text with its widget state in a fixed order and each widget
    model's random id replaced by one made from the chapter's name and the model's
    place in an order that does not depend on the run, so that re-running an
    unchanged chapter leaves its file unchanged. That order: the models the
    outputs show, cell by cell, then the models each of them refers to, breadth
    first (keys sorted); the rest by content."""
    notebook = json.loads(text)
    widgets = notebook.get("metadata", {}).get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {})
    state = widgets.get("state", {})
    if not state:
        return text
    order = []

    def reach(queue):
        while queue:
            model = queue.popleft()
            if model in state and model not in order:
                order.append(model)
                queue.extend(re.findall(r"IPY_MODEL_([0-9a-f]{32})",
                                        json.dumps(state[model], sort_keys=True)))

    def content(model):
        # with the models already placed named by their place, the others alike
        return re.sub(r"[0-9a-f]{32}", lambda m: str(order.index(m.group(0)))
                      if m.group(0) in order else "?",
                      json.dumps(state[model], sort_keys=True))

    reach(deque(re.findall(r'"model_id": "([0-9a-f]{32})"',
                           json.dumps(notebook["cells"]))))
    while len(order) < len(state):         # models no output shows (links)
        reach(deque([min((m for m in state if m not in order), key=content)]))
    ids = {old: hashlib.sha256(f"{name}:{k}".encode()).hexdigest()[:32]
           for k, old in enumerate(order)}
    text = re.sub("|".join(map(re.escape, ids)), lambda m: ids[m.group(0)], text)
    # as nbformat writes it: keys sorted, so the state's order follows the new ids
    return json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False)


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
        except TimeoutError:               # nbclient's CellTimeoutError is one
            print(f"{path.name}: a cell ran longer than {CELL_TIMEOUT} s, or the "
                  "kernel stopped answering; not saved (run it again)",
                  file=sys.stderr)
            return 1
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"ran in {seconds:.0f} s, saved with its outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
