"""How long each chapter takes top to bottom, as a student's first run sees it.

    .venv/bin/python benchmarks/chapters.py [--cells N] [--out benchmarks/chapters.md]
                                            [NAME ...]

Copies the book (with the runs it ships in ``book/data``, which chapters 7 and
8 read) and ``benchmarks/`` (which chapter 3 calls) into a temporary folder, so
the stored notebooks stay untouched and nothing a previous run left behind is
there: the first run, as on a fresh clone. Each chapter (``book/*.ipynb``, or
the ``NAME``\\ s given, e.g. ``qlearning``) is executed by a fresh kernel with
nbclient, as ``scripts/run-chapter`` does. The compiled loops count as cached:
if a chapter compiled a kernel (numba wrote to its cache during the run), it is
run once more in a fresh copy and the second time is the one reported.

Writes a markdown table of the seconds per chapter (the teaching page includes
it) and prints it; ``--cells N`` also prints each chapter's N slowest cells.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
#: The chapters as the teaching page names them, in the book's order.
TITLES = {"bikeshop": "1 The bike shop", "exact": "2 Solving it exactly",
          "qlearning": "3 Q-learning against the optimum", "sarsa": "4 SARSA",
          "rumination": "5 Rumination",
          "variants": "6 PRS.Beta, RSarsa.TD and PRS.TD",
          "replication": "7 Replicating the paper's experiments",
          "robustness": "8 How robust are the paper's claims?",
          "own_agent": "Appendix: Bring your own agent"}
#: The target of issue 17: every chapter within this on a 2-core machine.
TARGET_SECONDS = 30


def numba_cache_files() -> set:
    """Every file of invlib's numba cache (a kernel compiled during a run adds
    files here)."""
    import numba

    from invlib import _cache
    _cache.use_source_keyed_cache()
    return {p for p in Path(numba.config.CACHE_DIR).rglob("*") if p.is_file()} \
        if Path(numba.config.CACHE_DIR).exists() else set()


def fresh_copy(into: Path) -> Path:
    """The book and the benchmarks in ``into``, without the built site and the
    JupyterLab tests' scratch copies; returns the copied book folder."""
    ignore = shutil.ignore_patterns("_build", "_lab_test_*", ".ipynb_checkpoints")
    shutil.copytree(BOOK, into / "book", ignore=ignore)
    shutil.copytree(ROOT / "benchmarks", into / "benchmarks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return into / "book"


def cell_seconds(notebook) -> list[tuple[float, int]]:
    """(seconds, cell index) of every executed code cell, from nbclient's
    timestamps."""
    out = []
    for i, cell in enumerate(notebook.cells):
        times = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and "shell.execute_reply" in times:
            start = datetime.fromisoformat(times["iopub.execute_input"].rstrip("Z"))
            end = datetime.fromisoformat(times["shell.execute_reply"].rstrip("Z"))
            out.append(((end - start).total_seconds(), i))
    return out


def run_once(name: str) -> tuple[float, list, bool]:
    """Execute one chapter in a fresh copy: (seconds, cell times, compiled
    something)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    with tempfile.TemporaryDirectory(prefix="chapters-") as folder:
        book = fresh_copy(Path(folder))
        path = book / f"{name}.ipynb"
        notebook = nbformat.read(str(path), as_version=4)
        before = numba_cache_files()
        tic = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=1800, kernel_name="python3",
                           resources={"metadata": {"path": str(book)}}).execute()
        except CellExecutionError as error:
            print(f"{name}: failed after {time.perf_counter() - tic:.0f} s: "
                  f"{str(error).strip().splitlines()[-1]}", file=sys.stderr)
            return float("nan"), cell_seconds(notebook), False
        seconds = time.perf_counter() - tic
        compiled = bool(numba_cache_files() - before)
    return seconds, cell_seconds(notebook), compiled


def busy_seconds() -> float:
    """CPU seconds the machine's processes have used since boot (/proc/stat;
    NaN where there is none): user, nice, system and interrupt time, not
    idle, waiting for the disk, or time a hypervisor gave to other guests."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    except OSError:
        return math.nan
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def other_work(seconds: float = 1.0) -> float:
    """How many cores other work keeps busy, measured over ``seconds`` while
    this script waits (before a chapter starts, so none of it is the
    chapter's). The load average would also count the chapters themselves,
    and work that ended minutes before."""
    before, tic = busy_seconds(), time.perf_counter()
    time.sleep(seconds)
    return (busy_seconds() - before) / (time.perf_counter() - tic)


def table(times: dict, load: float) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    lines = ["| chapter | seconds |", "|---|---:|"]
    lines += [f"| {TITLES.get(name, name)} | "
              f"{'failed' if seconds != seconds else f'{seconds:.0f}'} |"
              for name, seconds in times.items()]
    lines += ["", f"Each chapter run top to bottom by a fresh kernel "
                  f"(`benchmarks/chapters.py`, {datetime.now():%Y-%m-%d}) on "
                  f"{cores} cores ({platform.machine()}), as on a fresh clone: "
                  "the compiled loops cached, and chapters 7 and 8 reading the "
                  "runs the book ships in `book/data`. "
                  + ("Other work on the machine could not be measured (no "
                     "/proc/stat)." if math.isnan(load) else
                     "Other work on the machine, measured for a second before "
                     f"each chapter: {load:.1f} cores busy on average"
                     + (" (it competed for the cores, which slows the chapters)."
                        if load > 0.25 else "."))]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="chapters (default: all)")
    parser.add_argument("--cells", type=int, default=0,
                        help="print each chapter's N slowest cells")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "chapters.md",
                        help="markdown table to write (with every chapter only)")
    args = parser.parse_args(argv)
    names = [p.stem for p in sorted(BOOK.glob("*.ipynb"))]
    order = list(TITLES)
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    unknown = [n for n in args.names if n not in names]
    if unknown:
        print(f"NAME must be one of {', '.join(names)}, got {unknown[0]!r}",
              file=sys.stderr)
        return 2
    chosen = args.names or names
    times, loads = {}, []
    for name in chosen:
        load = other_work()
        seconds, cells, compiled = run_once(name)
        if compiled:                         # count the cached loops, not compiling
            print(f"{name}: {seconds:.0f} s while compiling; once more", flush=True)
            load = other_work()
            seconds, cells, _ = run_once(name)
        loads.append(load)
        times[name] = seconds
        slow = sorted(cells, reverse=True)[:args.cells]
        print(f"{name}: {seconds:.1f} s" + ("  slowest cells: " if slow else "")
              + ", ".join(f"{i} ({s:.1f} s)" for s, i in slow), flush=True)
    text = table(times, sum(loads) / len(loads))
    print()
    print(text)
    if not args.names:
        args.out.write_text(text)
    over = [n for n, s in times.items() if not s <= TARGET_SECONDS]
    if over:
        print(f"over {TARGET_SECONDS} s or failed: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
