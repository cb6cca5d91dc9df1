"""The paper's protocol: repeated runs of every agent on a problem, stored as they
finish, and the tables and curves made from them.

Each (problem, agent, repetition) is one training run of :mod:`invlib.approx`
over the problem's schedule. Its random numbers come from
``numpy.random.SeedSequence(seed, spawn_key=...)`` keyed by the names, so every
number can be reproduced bit for bit, alone, in any order and in any process:

* the environment (start states and demand) is keyed by (problem, repetition)
  only, so within one repetition every agent meets the same episodes (common
  random numbers: differences between agents are not luck of the draw);
* the agent (tile offsets, exploration, rumination) by (problem, repetition, agent).

A finished run is written at once to ``out/<problem>/<agent>/<rep>.npz`` (through
a temporary file and a rename, so a file that exists is complete); a run that
finds its file skips the work, so an interrupted experiment resumes where it
stopped. ``out/<problem>/settings.json`` records the schedule and the seed, and a
folder made with other settings is refused rather than mixed.

A run is stored as the orders it placed (one byte a period), its episodes'
lengths and exits, its rumination counts and its time: given the episodes,
drawn again from the run's environment generator, the orders give every cost
(:func:`invlib.approx.replay`, through the training loop's own period
function, so the same bits). That is a twentieth of the costs' size, small
enough for the book to ship its runs (``book/data/replication``); loading
replays them, and refuses a run whose replay does not give its stored
episodes back.

Costs. An episode that leaves the box ends early and plays fewer periods; an
agent that leaves often could look cheap. So the verdicts use the *cost with
exits* (:meth:`invlib.approx.Run.scheduled_costs`): every period of the
schedule has a cost, and a period not played after an exit is charged the cost
of staying on the boundary crossed (the per-period part of the terminal cost).
The early window is the problem's (periods 1-2000 of the schedule on P1 and P2,
1-4000 on P3), the later periods the rest. The paper's cost per period *played*
is kept beside it (``early_mean``, ``later_mean``).

Tests (:mod:`invlib.stats`). Repetitions are paired by common random numbers, so
the main test is the one-sided paired Wilcoxon signed-rank test over the
repetitions' costs with exits, Holm-corrected across each table's family at the
5% level, and each difference is given as a mean with a 95% bootstrap interval.
Table 1 tests every agent against SARSA ("lower", early and later: one family
per problem); table 2 sets the two proposed agents, PRS.Beta and RSarsa.TD,
against RSarsa and PRS in *both* directions, since the paper's claims go both
ways (one family per problem). The paper's unpaired rank-sum test on the costs
per period played is kept beside it (``*_rank_sum`` fields and
:func:`tests_table`).

Runs go through :func:`invlib.parallel.run_all`, the library's one parallel
path: in this process, or on a Dask cluster; files are written by the caller.
"""
from __future__ import annotations

import json
import os
import tempfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .approx import (
    PROBLEMS,
    Environment,
    Run,
    approx_settings,
    draw_environment,
    make_problem,
    replay,
    train,
)
from .checks import InvalidParameter, check_choice, check_int
from .inventory import BOXES, InventoryProblem
from .parallel import check_cluster, run_all
from .rumination import AGENTS
from .stats import bootstrap_ci, holm, rank_sum_p, signed_rank_p

#: The agents of the paper's tables, in its order.
DEFAULT_AGENTS = ("sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td", "prs-td")
LABELS = {"qlearning": "Q-learning", "sarsa": "SARSA", "rsarsa": "RSarsa", "prs": "PRS",
          "prs-beta": "PRS.Beta", "rsarsa-td": "RSarsa.TD", "prs-td": "PRS.TD"}
BASELINE = "sarsa"
#: Table 2: the proposed agents against the earlier ones.
PROPOSED = ("prs-beta", "rsarsa-td")
EARLIER = ("rsarsa", "prs")
SEED = 2014
LEVEL = 0.05
#: Stored runs of this format hold the orders placed, not the costs (older
#: folders are refused rather than mixed).
FORMAT = 4
WINDOW = 1000      # periods in a moving average of the figures


def experiment_problem(problem_name: str, episodes=None, periods=None,
                       box: str = "wide") -> InventoryProblem:
    """A problem with one of the :data:`invlib.inventory.BOXES` and its schedule
    changed; the early window keeps its share of the schedule (a fifth on every
    problem), at least one period."""
    x_range = BOXES[check_choice("box", box, tuple(BOXES))]
    problem = make_problem(problem_name, x_range=x_range)
    if episodes is None and periods is None:
        return problem
    episodes = problem.episodes if episodes is None else \
        check_int("episodes", episodes, 1)
    periods = problem.periods if periods is None else check_int("periods", periods, 1)
    share = problem.early_window / (problem.episodes * problem.periods)
    return make_problem(problem_name, episodes=episodes, periods=periods,
                        early_window=max(1, round(share * episodes * periods)),
                        x_range=x_range)


def generators(problem_name: str, agent: str, repetition: int, seed: int = SEED):
    """The (environment, agent) generators of one run (see the module docstring)."""
    def key(name):
        return zlib.crc32(name.encode())
    env = np.random.SeedSequence(seed, spawn_key=(key(problem_name), repetition, 0))
    own = np.random.SeedSequence(seed, spawn_key=(key(problem_name), repetition, 1,
                                                  key(agent)))
    return np.random.default_rng(env), np.random.default_rng(own)


def run_path(out, problem_name: str, agent: str, repetition: int) -> Path:
    return Path(out) / problem_name / agent / f"{repetition:02d}.npz"


def _write_atomically(path: Path, write) -> None:
    """``write(file)`` into a temporary file beside ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def save_run(path: Path, run: Run) -> None:
    """Store a run as its orders (see the module docstring), compressed."""
    _write_atomically(path, lambda file: np.savez_compressed(
        file, orders=run.orders, episode_lengths=run.episode_lengths,
        terminated=run.terminated,
        counts=np.array([run.ruminating_periods, run.imagined_updates]),
        seconds=np.array(run.seconds)))


def load_run(path: Path, problem: InventoryProblem, env: Environment) -> Run:
    """A stored run, its costs replayed on the episodes ``env`` of ``problem``
    (those it was trained on). A run they do not fit is refused: orders that
    are not the problem's, too few or too many, or that do not end the
    episodes where the run says they ended. (Any orders that fit give costs:
    a changed order that keeps every episode's length is not detected; the
    test suite's retraining of a sample is what vouches for the values.)"""
    with np.load(path) as data:
        orders, lengths = data["orders"], data["episode_lengths"]
        terminated, counts = data["terminated"], data["counts"]
        seconds = float(data["seconds"])
    try:
        again = replay(problem, env, orders)
    except InvalidParameter:
        again = None
    if again is None or not (np.array_equal(again.episode_lengths, lengths)
                             and np.array_equal(again.terminated, terminated)):
        raise InvalidParameter(f"stored run {str(path)!r} does not fit the "
                               "episodes of its settings; run the experiment "
                               "into another folder")
    return Run(again.costs, lengths, terminated, int(counts[0]), int(counts[1]),
               seconds, again.terminal_costs, orders=orders)


def one_run(problem_name, episodes, periods, box, seed, agent, repetition) -> Run:
    """Train one (problem, agent, repetition) (in any process; the weights are
    left out, so that little travels back)."""
    problem = experiment_problem(problem_name, episodes, periods, box)
    env_rng, agent_rng = generators(problem_name, agent, repetition, seed)
    run = train(problem, approx_settings(agent, problem_name, problem), env_rng,
                agent_rng)
    return replace(run, weights=None)


def _manifest(problem: InventoryProblem, problem_name: str, box: str,
              seed: int) -> dict:
    return {"problem": problem_name, "episodes": problem.episodes,
            "periods": problem.periods, "early_window": problem.early_window,
            "box": box, "seed": seed, "format": FORMAT}


class Interrupted(Exception):
    """Ctrl-C during :func:`run_experiment`: ``stored`` of ``total`` runs are in
    ``folder`` (finished runs are never lost, and a rerun resumes)."""

    def __init__(self, stored: int, total: int, folder: str):
        super().__init__(f"{stored} of {total} runs stored in {folder}")
        self.stored, self.total, self.folder = stored, total, folder


def _check_out(out, problem_name: str) -> Path:
    """The folder of a problem's runs, made if missing; a file, or a place that
    cannot be written, is refused in one line that names ``out``."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameter(f"out must be a folder (made if missing), but "
                               f"{str(folder)!r} is a file")
    try:
        (folder / problem_name).mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryFile(dir=folder / problem_name)
        probe.close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise InvalidParameter(f"out must be a folder that can be written, but "
                               f"{str(folder)!r} cannot ({reason})") from None
    return folder


def _check_agents(agents) -> tuple:
    agents = tuple(agents)
    if not agents:
        raise InvalidParameter("agents must name at least one of "
                               + ", ".join(repr(a) for a in AGENTS))
    for agent in agents:
        check_choice("agents", agent, tuple(AGENTS))
    return tuple(dict.fromkeys(agents))          # without repeats, in order


@dataclass(frozen=True)
class Results:
    problem_name: str
    episodes: int
    periods: int                     # per episode
    early_window: int
    seed: int
    runs: dict                       # agent -> tuple of Run, by repetition
    box: str = "wide"

    @property
    def agents(self) -> tuple:
        return tuple(self.runs)

    @property
    def discount(self) -> float:
        return make_problem(self.problem_name).discount

    def scheduled_costs(self, agent: str) -> np.ndarray:
        """Repetitions x scheduled periods: each period's cost, exits counted
        (:meth:`invlib.approx.Run.scheduled_costs`)."""
        return np.array([r.scheduled_costs(self.periods, self.discount)
                         for r in self.runs[agent]])

    def window_means(self, agent: str, exits: bool = True) -> tuple[np.ndarray,
                                                                    np.ndarray]:
        """Each repetition's mean cost per period, early and later: with exits
        counted over the schedule's periods, or (``exits=False``, the paper's
        way) over the periods played (NaN if a run played none in the window)."""
        w = self.early_window
        if exits:
            costs = self.scheduled_costs(agent)
            return costs[:, :w].mean(axis=1), costs[:, w:].mean(axis=1)
        early = [r.costs[:w].mean() if r.periods else np.nan for r in self.runs[agent]]
        later = [r.costs[w:].mean() if r.periods > w else np.nan
                 for r in self.runs[agent]]
        return np.array(early), np.array(later)


def run_experiment(problem_name: str, agents=DEFAULT_AGENTS, repetitions: int = 10,
                   out="results", jobs: int = 1, progress: bool = True,
                   episodes=None, periods=None, seed: int = SEED,
                   cluster: str | None = None, box: str = "wide") -> Results:
    """Run (or finish) the experiment on one problem and return its results.

    Runs already stored under ``out`` are not run again; the rest run on
    ``cluster`` (:mod:`invlib.parallel`; by default ``serial`` for ``jobs=1``
    and a local cluster of ``jobs`` workers otherwise); ``episodes`` and
    ``periods`` shorten the schedule (for trials); ``box`` is one of
    :data:`invlib.inventory.BOXES`."""
    check_choice("problem", problem_name, tuple(PROBLEMS))
    agents = _check_agents(agents)
    repetitions = check_int("repetitions", repetitions, 1)
    jobs = check_int("jobs", jobs, 1)
    seed = check_int("seed", seed, 0)
    if cluster is None:
        cluster = "serial" if jobs == 1 else f"local:{jobs}"
    cluster = check_cluster(cluster)
    problem = experiment_problem(problem_name, episodes, periods, box)
    manifest = _manifest(problem, problem_name, box, seed)
    _check_out(out, problem_name)
    where = Path(out) / problem_name / "settings.json"
    if where.exists():
        stored = json.loads(where.read_text())
        if stored != manifest:
            theirs = ", ".join(f"{k} {v}" for k, v in stored.items() if k != "problem")
            raise InvalidParameter(f"out folder {str(Path(out))!r} holds {problem_name} "
                                   f"results of other settings ({theirs}); choose "
                                   "another folder or those settings")
    else:
        _write_atomically(where, lambda f: f.write(json.dumps(manifest).encode()))
    todo = [(agent, rep) for rep in range(repetitions) for agent in agents
            if not run_path(out, problem_name, agent, rep).exists()]
    common = (problem_name, problem.episodes, problem.periods, box, seed)

    def store(task, run):
        save_run(run_path(out, problem_name, task[-2], task[-1]), run)

    try:
        with tqdm(total=len(todo), desc=f"{problem_name} runs", disable=not progress,
                  unit="run") as bar:
            run_all(one_run, [(*common, agent, rep) for agent, rep in todo], store,
                    cluster, bar)
    except KeyboardInterrupt:
        stored = sum(run_path(out, problem_name, agent, rep).exists()
                     for rep in range(repetitions) for agent in agents)
        raise Interrupted(stored, repetitions * len(agents), str(Path(out))) from None
    return load_results(out, problem_name, agents, repetitions)


def load_results(out, problem_name: str, agents=DEFAULT_AGENTS,
                 repetitions: int | None = None) -> Results:
    """The stored runs of the agents on a problem (the first ``repetitions`` of
    each, or all that are stored)."""
    check_choice("problem", problem_name, tuple(PROBLEMS))
    agents = _check_agents(agents)
    folder = Path(out) / problem_name
    if not (folder / "settings.json").exists():
        raise InvalidParameter(f"out folder {str(Path(out))!r} holds no {problem_name} "
                               "results")
    manifest = json.loads((folder / "settings.json").read_text())
    if manifest.get("format") != FORMAT:
        raise InvalidParameter(f"out folder {str(Path(out))!r} holds {problem_name} "
                               "results of an older format; run the experiment "
                               "into another folder")
    if repetitions is None:
        # every agent's repetitions 0, 1, ...: repetition r of every agent met
        # the same episodes, and the tests pair the runs by position, so a
        # missing one would pair the wrong runs
        stored = {agent: {int(p.stem) for p in (folder / agent).glob("*.npz")
                          if p.stem.isdigit()} for agent in agents}
        repetitions = max((max(reps) + 1 for reps in stored.values() if reps),
                          default=0)
        for agent, reps in stored.items():
            missing = sorted(set(range(repetitions)) - reps)
            if missing:
                raise InvalidParameter(
                    f"out folder {str(Path(out))!r} holds {problem_name} runs of "
                    f"{agent} without repetition {missing[0]} (file "
                    f"{run_path(out, problem_name, agent, missing[0]).name}); "
                    "run the experiment again to fill it in")
    problem = experiment_problem(problem_name, manifest["episodes"],
                                 manifest["periods"], manifest["box"])
    # repetition r's episodes, which every agent met (drawn once for all)
    episodes = [draw_environment(problem, generators(problem_name, agents[0], r,
                                                     manifest["seed"])[0])
                for r in range(repetitions)]
    runs = {agent: tuple(load_run(run_path(out, problem_name, agent, r), problem,
                                  episodes[r]) for r in range(repetitions))
            for agent in agents}
    return Results(problem_name, manifest["episodes"], manifest["periods"],
                   manifest["early_window"], manifest["seed"], runs, manifest["box"])


def lower_p_value(x, y) -> float | None:
    """The paper's test, unpaired: one-sided rank-sum p-value of "``x`` tends to
    be lower than ``y``" (:func:`invlib.stats.rank_sum_p`)."""
    return rank_sum_p(x, y)


def _number(value) -> float | None:
    """A float for JSON (None instead of NaN)."""
    return None if value is None or not np.isfinite(value) else float(value)


def _difference(x, y) -> list:
    """``[mean, low, high]``: the mean paired difference and its 95% interval."""
    return [_number(v) for v in bootstrap_ci(x, y)]


def summary(results: Results) -> dict:
    """Everything the tables need, as plain data (JSON-ready); see the module
    docstring for the costs and the tests."""
    played = {a: results.window_means(a, exits=False) for a in results.agents}
    scheduled = {a: results.window_means(a) for a in results.agents}
    seconds = {a: sum(r.seconds for r in runs) / sum(r.periods for r in runs)
               for a, runs in results.runs.items()}
    agents = {}
    for agent, runs in results.runs.items():
        early, later = played[agent]
        early_x, later_x = scheduled[agent]
        row = {"early_mean": _number(np.mean(early)),
               "later_mean": _number(np.mean(later)),
               "early_means": [_number(v) for v in early],
               "later_means": [_number(v) for v in later],
               "early_cost": _number(np.mean(early_x)),
               "later_cost": _number(np.mean(later_x)),
               "early_costs": [_number(v) for v in early_x],
               "later_costs": [_number(v) for v in later_x]}
        for window, k in (("early", 0), ("later", 1)):
            compared = BASELINE in scheduled and agent != BASELINE
            base_played = played[BASELINE][k] if compared else None
            base = scheduled[BASELINE][k] if compared else None
            row[f"{window}_p_value"] = lower_p_value(played[agent][k], base_played) \
                if compared else None
            row[f"{window}_p_rank_sum"] = rank_sum_p(scheduled[agent][k], base) \
                if compared else None
            row[f"{window}_p_paired"] = signed_rank_p(scheduled[agent][k], base) \
                if compared else None
            row[f"{window}_difference"] = _difference(scheduled[agent][k], base) \
                if compared else None
        row["seconds_per_period"] = seconds[agent]
        row["relative_time"] = seconds[agent] / seconds[BASELINE] \
            if BASELINE in seconds else None
        row["periods"] = float(np.mean([r.periods for r in runs]))
        row["terminations"] = float(np.mean([r.terminations for r in runs]))
        row["termination_rate"] = row["terminations"] / results.episodes
        row["rumination_rate"] = float(np.mean([r.rumination_rate for r in runs]))
        agents[agent] = row
    # Holm over table 1's family: every agent against SARSA, both windows
    family = [(a, w) for a in agents for w in ("early", "later")
              if agents[a][f"{w}_p_paired"] is not None]
    adjusted = holm([agents[a][f"{w}_p_paired"] for a, w in family])
    for (agent, window), p in zip(family, adjusted, strict=True):
        agents[agent][f"{window}_p_holm"] = p
    for row in agents.values():
        for window in ("early", "later"):
            row.setdefault(f"{window}_p_holm", None)
            p = row[f"{window}_p_holm"]
            row[f"{window}_lower"] = p is not None and p < LEVEL
    return {"problem": results.problem_name, "episodes": results.episodes,
            "periods": results.periods, "early_window": results.early_window,
            "seed": results.seed,
            "repetitions": min(len(runs) for runs in results.runs.values()),
            "baseline": BASELINE, "level": LEVEL, "agents": agents,
            "table2": table2(agents)}


def table1(summary_: dict) -> list[dict]:
    """The paper's table 1, a row per agent: relative time per period, early and
    later costs with exits, their differences from SARSA's with 95% intervals
    and the Holm-corrected paired p-values of "lower than SARSA", the
    termination rate and the share of periods with rumination."""
    keys = ("relative_time", "early_cost", "early_difference", "early_p_holm",
            "later_cost", "later_difference", "later_p_holm", "early_mean",
            "later_mean", "terminations", "termination_rate", "rumination_rate")
    return [{"agent": LABELS[a], **{k: row[k] for k in keys}}
            for a, row in summary_["agents"].items()]


def table2(agents: dict) -> list[dict]:
    """The paper's table 2: each proposed agent against each earlier one (those
    present in ``agents``, a summary's ``"agents"`` or a whole summary), per
    window: the mean paired difference (costs with exits) with its 95% interval,
    the paired p-values of "lower" and of "higher", Holm-corrected over the
    table's family (every one-sided test in it), the verdict at 5%, and the
    paper's rank-sum p-values on the costs per period played."""
    agents = agents.get("agents", agents)
    rows = []
    for new in PROPOSED:
        for old in EARLIER:
            if new not in agents or old not in agents:
                continue
            for window in ("early", "later"):
                def values(agent, key, window=window):
                    return [np.nan if v is None else v
                            for v in agents[agent][f"{window}_{key}"]]
                x, y = values(new, "costs"), values(old, "costs")
                xp, yp = values(new, "means"), values(old, "means")
                rows.append({"agent": LABELS[new], "against": LABELS[old],
                             "window": window, "difference": _difference(x, y),
                             "p_lower_paired": signed_rank_p(x, y, "less"),
                             "p_higher_paired": signed_rank_p(x, y, "greater"),
                             "p_lower_rank_sum": rank_sum_p(xp, yp),
                             "p_higher_rank_sum": rank_sum_p(yp, xp)})
    family = [p for row in rows for p in (row["p_lower_paired"],
                                          row["p_higher_paired"])]
    adjusted = holm(family)
    for i, row in enumerate(rows):
        row["p_lower"], row["p_higher"] = adjusted[2 * i], adjusted[2 * i + 1]
        lower, higher = row["p_lower"], row["p_higher"]
        row["verdict"] = "lower" if lower is not None and lower < LEVEL else \
            "higher" if higher is not None and higher < LEVEL else "no difference"
    return rows


def _p_cell(value) -> str:
    return "–" if value is None else _p(value)


def _ci_cell(difference) -> str:
    """``+1.23 [+0.45, +2.01]``, or a dash."""
    if difference is None or difference[0] is None:
        return "–"
    mean, low, high = difference
    return f"{mean:+.1f} [{low:+.1f}, {high:+.1f}]"


def table1_table(summary_: dict):
    """Table 1 of a summary as a rendered :class:`invlib.tables.Table`: early
    and later costs with exits, each agent's difference from SARSA with its 95%
    bootstrap interval and the Holm-corrected paired p-value of "lower than
    SARSA", the share of episodes that ended early and the share of periods with
    rumination (the measured times, which vary from run to run, are left to
    :func:`time_table`)."""
    from .tables import Table
    s = summary_
    return Table(
        ["agent", "early", "Δ [95% CI]", "p-value", "later", "Δ [95% CI]",
         "p-value",
         "exits %", "rumin. %"],
        [(row["agent"], row["early_cost"], _ci_cell(row["early_difference"]),
          row["early_p_holm"], row["later_cost"], _ci_cell(row["later_difference"]),
          row["later_p_holm"], 100 * row["termination_rate"],
          100 * row["rumination_rate"]) for row in table1(s)],
        caption=f"Table 1, {s['problem']}: {s['repetitions']} repetitions of "
                f"{s['episodes']} episodes × {s['periods']} periods; costs "
                f"($/period) with exits; early = periods 1–{s['early_window']}; "
                "Δ: the agent's cost minus SARSA's; p-value: one-sided paired "
                "signed-rank test of 'lower than SARSA', Holm-corrected over the "
                "table; exits: episodes ended early; rumin.: periods with "
                "rumination.",
        formats=[None, "{:.2f}", None, _p_cell, "{:.2f}", None, _p_cell,
                 "{:.1f}", "{:.1f}"])


def table2_table(summary_: dict):
    """Table 2 of a summary as a rendered :class:`invlib.tables.Table`."""
    from .tables import Table
    return Table(
        ["agent", "against", "window", "difference [95% CI]",
         "p-value, lower", "p-value, higher", "verdict (5%)"],
        [(r["agent"], r["against"], r["window"], _ci_cell(r["difference"]),
          r["p_lower"], r["p_higher"], r["verdict"]) for r in summary_["table2"]],
        caption=f"Table 2, {summary_['problem']}: the proposed agents against "
                "the earlier ones, costs with exits; one-sided paired "
                "signed-rank tests both ways, Holm-corrected over the table.",
        formats=[None, None, None, None, _p_cell, _p_cell, None])


def tests_table(summary_: dict):
    """The same comparisons with SARSA under three tests, side by side: the
    paper's unpaired rank-sum test on costs per period played, the rank-sum test
    on costs with exits, and the paired signed-rank test on costs with exits,
    raw and Holm-corrected; what pairing and counting exits change."""
    from .tables import Table
    rows = [(LABELS[a], w, row[f"{w}_p_value"], row[f"{w}_p_rank_sum"],
             row[f"{w}_p_paired"], row[f"{w}_p_holm"])
            for a, row in summary_["agents"].items() if a != BASELINE
            for w in ("early", "later")]
    return Table(["agent", "window", "rank-sum, played", "rank-sum, exits",
                  "paired, exits", "paired, Holm"], rows,
                 caption=f"{summary_['problem']}: p-values of 'lower than SARSA' "
                         "under the paper's test and the book's.",
                 formats=[None, None, _p_cell, _p_cell, _p_cell, _p_cell])


def time_table(summaries: dict):
    """Computation per period relative to SARSA, an agent per row and a problem
    per column (``summaries``: problem name -> summary), as a Table."""
    from .tables import Table
    names = list(summaries)
    agents = list(summaries[names[0]]["agents"])
    return Table(["agent"] + [f"{n} (× SARSA)" for n in names],
                 [[LABELS[a]] + [summaries[n]["agents"][a]["relative_time"]
                                 for n in names] for a in agents],
                 caption="Computation per period relative to SARSA (the "
                         "compiled loop's CPU time, as measured when the runs "
                         "were trained).",
                 formats=[None] + ["{:.1f}"] * len(names))


def moving_average(results: Results, window: int = WINDOW) -> dict:
    """Per agent, the trailing moving average of the cost per period of the
    schedule, exits counted (so every curve runs over all the schedule's
    periods), averaged over the repetitions (the paper's figures 4-6)."""
    from .plots import moving_average as trailing  # matplotlib only when needed
    window = check_int("window", window, 1)
    return {agent: trailing(results.scheduled_costs(agent), window).mean(axis=0)
            for agent in results.agents}


def box_data(results: Results) -> dict:
    """Per agent, each repetition's mean cost per period (exits counted) in the
    early and in the later periods (the paper's figures 7-8)."""
    return {agent: dict(zip(("early", "later"), results.window_means(agent),
                            strict=True))
            for agent in results.agents}


def _fmt(value, spec) -> str:
    return "-" if value is None else format(value, spec)


def _p(value) -> str:
    return "<0.001" if value is not None and value < 0.001 else _fmt(value, ".3f")


def format_tables(summary_: dict, timing: bool = True) -> str:
    """Tables 1 and 2 as text (``timing=False`` leaves out the measured times,
    the one column that differs from run to run)."""
    s = summary_
    time_head = f"{'time':>6}" if timing else ""
    lines = [f"{s['problem']}: {s['repetitions']} repetitions of {s['episodes']} "
             f"episodes x {s['periods']} periods; early = periods 1-{s['early_window']}",
             "",
             f"{'agent':<10}{time_head}{'early':>8}{'- SARSA':>9}{'p':>7}"
             f"{'later':>8}{'- SARSA':>9}{'p':>7}{'exits%':>7}{'rumin%':>7}"]
    for row in table1(s):
        time = f"{_fmt(row['relative_time'], '.1f'):>6}" if timing else ""
        diffs = [row[f"{w}_difference"] or [None] for w in ("early", "later")]
        lines.append(f"{row['agent']:<10}{time}"
                     f"{_fmt(row['early_cost'], '.2f'):>8}"
                     f"{_fmt(diffs[0][0], '+.2f'):>9}{_p(row['early_p_holm']):>7}"
                     f"{_fmt(row['later_cost'], '.2f'):>8}"
                     f"{_fmt(diffs[1][0], '+.2f'):>9}{_p(row['later_p_holm']):>7}"
                     f"{100 * row['termination_rate']:>7.1f}"
                     f"{100 * row['rumination_rate']:>7.1f}")
    lines += [("(time: per period, relative to SARSA; " if timing else "(") +
              "costs per period with exits counted;",
              " p: one-sided paired signed-rank test of 'lower than SARSA', "
              "Holm-corrected;",
              " exits: episodes ended early; rumin.: periods with rumination)"]
    if s["table2"]:
        lines += ["", f"{'agent':<10}{'against':<9}{'window':<8}{'diff':>8}"
                      f"{'p lower':>9}{'p higher':>10}  verdict"]
        for row in s["table2"]:
            lines.append(f"{row['agent']:<10}{row['against']:<9}{row['window']:<8}"
                         f"{_fmt(row['difference'][0], '+.2f'):>8}"
                         f"{_p(row['p_lower']):>9}{_p(row['p_higher']):>10}  "
                         f"{row['verdict']}")
    return "\n".join(lines)
