"""The paper's claims across its unknown settings: a sweep over the surprise
scale kappa, the learning rate and epsilon, on a Dask cluster.

A *run* is one training of one agent on one problem at one point
``(kappa, learning_rate, epsilon)``, repetition ``r``. Its random numbers are
those of :func:`invlib.experiments.generators` for (problem, agent, r): they
come from the run's coordinates alone, so a run gives the same numbers, bit for
bit, wherever and in whatever order it runs; and within a repetition every agent
and every point meets the same episodes (common random numbers), which pairs
the runs for the paired tests of :mod:`invlib.stats`. The run at the book's
point (kappa 1, learning rate 0.1, epsilon 0.1) *is* the experiment's run.

Agents that do not use kappa (SARSA, RSarsa, PRS) are run once per
(learning rate, epsilon) and stored with an empty kappa.

Storage: ``out/runs.csv``, a tidy table with one row per run (:data:`COLUMNS`),
a row appended and handed to the operating system as soon as its run is back in
the calling process, so killing the sweep loses no stored run; the table is
forced to the disk (fsync) at most every :data:`SYNC_SECONDS` and at the end, so
a crash of the machine loses at most the last few seconds' rows (a sync per row
cost more than many a run). ``out/sweep.json`` records the seed and the
schedule, and a folder of other settings is refused. A rerun reads the table and
runs only what is missing, so an interrupted sweep resumes. Numbers are written
with ``repr``, so they read back exactly. The runs are handed to the cluster
longest first (:func:`expected_work`), so that the short ones fill the end.

``periods_scale`` multiplies the number of episodes of every run (the early
window keeps its share of the schedule, a fifth), for a longer horizon than the
paper's.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .approx import PROBLEMS, approx_settings, train
from .checks import InvalidParameter, check_choice, check_int, check_real
from .experiments import (
    DEFAULT_AGENTS,
    SEED,
    Interrupted,
    _check_agents,
    _check_out,
    experiment_problem,
    generators,
)
from .parallel import check_cluster, default_cluster, run_all
from .rumination import AGENTS

KAPPAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
LEARNING_RATES = (0.03, 0.1, 0.3)
EPSILONS = (0.05, 0.1, 0.2)
REPETITIONS = 30
MAX_PERIODS_SCALE = 100.0
FORMAT = 1
#: The stored table is forced to the disk at most this often (seconds).
SYNC_SECONDS = 2.0

#: The coordinates of a run, then what it measured.
KEYS = ("problem", "agent", "kappa", "learning_rate", "epsilon", "repetition")
MEASURES = ("early_mean", "later_mean", "early_cost", "later_cost",
            "termination_rate", "rumination_rate", "seconds_per_period")
COLUMNS = KEYS + MEASURES


def uses_kappa(agent: str) -> bool:
    """Whether an agent's behaviour depends on kappa: PRS.Beta's weights and
    the selective agents' rumination probability do."""
    _, rumination, selective = AGENTS[agent]
    return rumination == "beta" or selective


@dataclass(frozen=True)
class Grid:
    """The points of a sweep (checked, without repeats, in order)."""
    problems: tuple = tuple(PROBLEMS)
    agents: tuple = DEFAULT_AGENTS
    kappas: tuple = KAPPAS
    learning_rates: tuple = LEARNING_RATES
    epsilons: tuple = EPSILONS
    repetitions: int = REPETITIONS
    periods_scale: float = 1.0
    seed: int = SEED

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        def values(name, items, check):
            items = tuple(items)
            if not items:
                raise InvalidParameter(f"{name} must hold at least one value")
            return tuple(dict.fromkeys(check(name, v) for v in items))

        put("problems", values("problems", self.problems,
                               lambda n, v: check_choice(n, v, tuple(PROBLEMS))))
        put("agents", _check_agents(self.agents))
        put("kappas", values("kappa", self.kappas,
                             lambda n, v: check_real(n, v, 0, low_open=True)))
        put("learning_rates", values("learning_rate", self.learning_rates,
                                     lambda n, v: check_real(n, v, 0, 1,
                                                             low_open=True)))
        put("epsilons", values("epsilon", self.epsilons,
                               lambda n, v: check_real(n, v, 0, 1)))
        put("repetitions", check_int("repetitions", self.repetitions, 1))
        put("periods_scale", check_real("periods_scale", self.periods_scale, 0,
                                        MAX_PERIODS_SCALE, low_open=True))
        put("seed", check_int("seed", self.seed, 0))

    def runs(self) -> list[tuple]:
        """Every run's coordinates (:data:`KEYS`), repetition by repetition."""
        out = []
        for rep in range(self.repetitions):
            for problem in self.problems:
                for agent in self.agents:
                    kappas = self.kappas if uses_kappa(agent) else (None,)
                    for kappa in kappas:
                        for rate in self.learning_rates:
                            for epsilon in self.epsilons:
                                out.append((problem, agent, kappa, rate, epsilon,
                                            rep))
        return out

    def episodes(self, problem: str) -> int:
        return max(1, round(self.periods_scale * PROBLEMS[problem]().episodes))


@functools.cache
def expected_work(problem_name: str, agent: str, episodes: int) -> int:
    """A run's work in units of one period's update, to order the runs: an agent
    that replays every order in every period (not selectively) does an update per
    order; a selective one ruminates in a small share of its periods."""
    problem = PROBLEMS[problem_name]()
    _, rumination, selective = AGENTS[agent]
    per_period = len(problem.actions) if rumination != "none" and not selective else 1
    return episodes * problem.periods * per_period


def sweep_run(problem_name, agent, kappa, learning_rate, epsilon, repetition,
              episodes, seed) -> dict:
    """One run of the sweep (in any process): its measures (:data:`MEASURES`)."""
    problem = experiment_problem(problem_name, episodes)
    changes = {"learning_rate": learning_rate, "epsilon": epsilon}
    if kappa is not None:
        changes["kappa"] = kappa
    env_rng, agent_rng = generators(problem_name, agent, repetition, seed)
    run = train(problem, approx_settings(agent, problem_name, problem, **changes),
                env_rng, agent_rng)
    w = problem.early_window
    scheduled = run.scheduled_costs(problem.periods, problem.discount)
    return {"early_mean": float(run.costs[:w].mean()) if run.periods else math.nan,
            "later_mean": float(run.costs[w:].mean()) if run.periods > w
            else math.nan,
            "early_cost": float(scheduled[:w].mean()),
            "later_cost": float(scheduled[w:].mean()),
            "termination_rate": run.termination_rate,
            "rumination_rate": run.rumination_rate,
            "seconds_per_period": run.seconds_per_period}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse(row: dict) -> dict:
    out = {"problem": row["problem"], "agent": row["agent"],
           "kappa": float(row["kappa"]) if row["kappa"] else None,
           "learning_rate": float(row["learning_rate"]),
           "epsilon": float(row["epsilon"]), "repetition": int(row["repetition"])}
    out.update({k: float(row[k]) for k in MEASURES})
    return out


def _key(row: dict) -> tuple:
    return tuple(row[k] for k in KEYS)


def load_runs(out) -> list[dict]:
    """The stored runs of a sweep folder, as dicts of :data:`COLUMNS` (a last
    line cut short by a kill is left out)."""
    path = Path(out) / "runs.csv"
    if not path.exists():
        return []
    text = path.read_text()
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            rows.append(_parse(row))
        except (TypeError, ValueError, KeyError):
            break                          # a line cut short can only be the last
    return rows


def _manifest(grid: Grid) -> dict:
    return {"seed": grid.seed, "periods_scale": grid.periods_scale,
            "format": FORMAT}


def _open_table(folder: Path, grid: Grid) -> list[dict]:
    """Check the folder's settings and return its stored runs; the table is
    rewritten without a last line cut short, so appends start on a new line."""
    where = folder / "sweep.json"
    if where.exists():
        stored = json.loads(where.read_text())
        if stored != _manifest(grid):
            theirs = ", ".join(f"{k} {v}" for k, v in stored.items())
            raise InvalidParameter(f"out folder {str(folder)!r} holds a sweep of "
                                   f"other settings ({theirs}); choose another "
                                   "folder or those settings")
    else:
        where.write_text(json.dumps(_manifest(grid)))
    rows = load_runs(folder)
    path = folder / "runs.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_text(row[k]) for k in COLUMNS])
    if not path.exists() or path.read_text() != buffer.getvalue():
        path.write_text(buffer.getvalue())
    return rows


def run_sweep(grid: Grid, out, cluster: str | None = None,
              progress: bool = True) -> list[dict]:
    """Run (or finish) a sweep and return its runs, one dict per run of the grid
    (in the grid's order). Runs already stored under ``out`` are not run again."""
    if not isinstance(grid, Grid):
        raise InvalidParameter(f"grid must be an invlib.sweep.Grid, got {grid!r}")
    cluster = check_cluster(default_cluster() if cluster is None else cluster)
    folder = Path(out)
    _check_out(folder, "")
    stored = {_key(r): r for r in _open_table(folder, grid)}
    wanted = grid.runs()
    todo = [k for k in wanted if k not in stored]
    tasks = sorted(((*k, grid.episodes(k[0]), grid.seed) for k in todo),
                   key=lambda t: -expected_work(t[0], t[1], t[6]))
    with open(folder / "runs.csv", "a", newline="") as table:
        writer = csv.writer(table, lineterminator="\n")
        synced = time.monotonic()

        def store(task, measures):
            nonlocal synced
            row = dict(zip(KEYS, task[:len(KEYS)], strict=True), **measures)
            writer.writerow([_text(row[k]) for k in COLUMNS])
            table.flush()
            if time.monotonic() - synced >= SYNC_SECONDS:
                os.fsync(table.fileno())
                synced = time.monotonic()
            stored[_key(row)] = row

        try:
            with tqdm(total=len(wanted), initial=len(wanted) - len(todo),
                      desc="sweep", unit="run", disable=not progress) as bar:
                run_all(sweep_run, tasks, store, cluster, bar)
        except KeyboardInterrupt:
            # counted on disk: Ctrl-C may land between a row's write and its
            # bookkeeping
            on_disk = {_key(r) for r in load_runs(folder)}
            done = sum(k in on_disk for k in wanted)
            raise Interrupted(done, len(wanted), str(folder)) from None
        finally:
            table.flush()
            os.fsync(table.fileno())
    return [stored[k] for k in wanted]


def runs_array(runs: list[dict], measure: str) -> np.ndarray:
    """A measure of the runs as an array, in their order."""
    return np.array([r[measure] for r in runs], dtype=float)
