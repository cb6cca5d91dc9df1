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

The summary follows the paper's table 1: for each agent the mean cost per period
in the early window (the problem's, periods 1-2000 on P1 and P2, 1-4000 on P3)
and in the later periods, a one-sided Wilcoxon rank-sum (Mann-Whitney) test of
"lower than SARSA" over the repetitions' means at the 5% level, and the time per
period relative to SARSA. Table 2 sets the two proposed agents, PRS.Beta and
RSarsa.TD, against RSarsa and PRS with the same test in *both* directions
("lower" and "higher", each one-sided at 5%), since the paper's claims go both
ways (PRS.Beta as good as RSarsa early, better than it later). Periods are
counted as played: an episode that terminates early simply has fewer.
"""
from __future__ import annotations

import json
import os
import signal
import tempfile
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import mannwhitneyu
from tqdm.auto import tqdm

from .approx import PROBLEMS, Run, approx_settings, make_problem, train
from .checks import InvalidParameter, check_choice, check_int
from .inventory import InventoryProblem
from .rumination import AGENTS

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
WINDOW = 1000      # periods in a moving average of the figures


def experiment_problem(problem_name: str, episodes=None,
                       periods=None) -> InventoryProblem:
    """A problem with its schedule changed; the early window keeps its share of
    the schedule (a fifth on every problem), at least one period."""
    problem = make_problem(problem_name)
    if episodes is None and periods is None:
        return problem
    episodes = problem.episodes if episodes is None else \
        check_int("episodes", episodes, 1)
    periods = problem.periods if periods is None else check_int("periods", periods, 1)
    share = problem.early_window / (problem.episodes * problem.periods)
    return make_problem(problem_name, episodes=episodes, periods=periods,
                        early_window=max(1, round(share * episodes * periods)))


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
    _write_atomically(path, lambda file: np.savez(
        file, costs=run.costs, episode_lengths=run.episode_lengths,
        terminated=run.terminated,
        counts=np.array([run.ruminating_periods, run.imagined_updates]),
        seconds=np.array(run.seconds)))


def load_run(path: Path) -> Run:
    with np.load(path) as data:
        counts = data["counts"]
        return Run(data["costs"], data["episode_lengths"], data["terminated"],
                   int(counts[0]), int(counts[1]), float(data["seconds"]))


def _one_run(problem_name, episodes, periods, seed, agent, repetition, out) -> None:
    """Train one (problem, agent, repetition) and store it (in a worker process)."""
    problem = experiment_problem(problem_name, episodes, periods)
    env_rng, agent_rng = generators(problem_name, agent, repetition, seed)
    run = train(problem, approx_settings(agent, problem_name), env_rng, agent_rng)
    save_run(run_path(out, problem_name, agent, repetition), run)


def _manifest(problem: InventoryProblem, problem_name: str, seed: int) -> dict:
    return {"problem": problem_name, "episodes": problem.episodes,
            "periods": problem.periods, "early_window": problem.early_window,
            "seed": seed}


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


def _ignore_ctrl_c() -> None:
    """In worker processes: Ctrl-C is the parent's to handle (it stops them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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

    @property
    def agents(self) -> tuple:
        return tuple(self.runs)

    def window_means(self, agent: str) -> tuple[np.ndarray, np.ndarray]:
        """Each repetition's mean cost per period, early and later (NaN if a run
        played no period in the window)."""
        w = self.early_window
        early = [r.costs[:w].mean() if r.periods else np.nan for r in self.runs[agent]]
        later = [r.costs[w:].mean() if r.periods > w else np.nan
                 for r in self.runs[agent]]
        return np.array(early), np.array(later)


def run_experiment(problem_name: str, agents=DEFAULT_AGENTS, repetitions: int = 10,
                   out="results", jobs: int = 1, progress: bool = True,
                   episodes=None, periods=None, seed: int = SEED) -> Results:
    """Run (or finish) the experiment on one problem and return its results.

    Runs already stored under ``out`` are not run again; ``jobs`` processes share
    the rest; ``episodes`` and ``periods`` shorten the schedule (for trials)."""
    check_choice("problem", problem_name, tuple(PROBLEMS))
    agents = _check_agents(agents)
    repetitions = check_int("repetitions", repetitions, 1)
    jobs = check_int("jobs", jobs, 1)
    seed = check_int("seed", seed, 0)
    problem = experiment_problem(problem_name, episodes, periods)
    manifest = _manifest(problem, problem_name, seed)
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
    common = (problem_name, problem.episodes, problem.periods, seed)
    try:
        with tqdm(total=len(todo), desc=f"{problem_name} runs", disable=not progress,
                  unit="run") as bar:
            if jobs == 1:
                for agent, rep in todo:
                    _one_run(*common, agent, rep, out)
                    bar.update()
            else:
                _run_in_pool(jobs, [(*common, agent, rep, out) for agent, rep in todo],
                             bar)
    except KeyboardInterrupt:
        stored = sum(run_path(out, problem_name, agent, rep).exists()
                     for rep in range(repetitions) for agent in agents)
        raise Interrupted(stored, repetitions * len(agents), str(Path(out))) from None
    return load_results(out, problem_name, agents, repetitions)


def _run_in_pool(jobs: int, tasks: list, bar) -> None:
    """:func:`_one_run` for each task in ``jobs`` processes. On Ctrl-C the
    queued runs are dropped and the workers stopped at once (a run cut short
    leaves no file, since files are written whole or not at all)."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_ctrl_c)
    try:
        futures = [pool.submit(_one_run, *task) for task in tasks]
        for future in as_completed(futures):
            future.result()
            bar.update()
    except BaseException:
        for process in list((pool._processes or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


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
    runs = {}
    for agent in agents:
        paths = sorted((folder / agent).glob("*.npz"))
        if repetitions is not None:
            paths = [run_path(out, problem_name, agent, r) for r in range(repetitions)]
        runs[agent] = tuple(load_run(p) for p in paths)
    return Results(problem_name, manifest["episodes"], manifest["periods"],
                   manifest["early_window"], manifest["seed"], runs)


def lower_p_value(x, y) -> float | None:
    """One-sided rank-sum p-value of "``x`` tends to be lower than ``y``": exact
    without ties, the normal approximation with ties; None if either side has no
    finite value."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if not len(x) or not len(y):
        return None
    ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    return float(mannwhitneyu(x, y, alternative="less",
                              method="asymptotic" if ties else "exact").pvalue)


def _number(value) -> float | None:
    """A float for JSON (None instead of NaN)."""
    return None if value is None or not np.isfinite(value) else float(value)


def summary(results: Results) -> dict:
    """Everything the tables need, as plain data (JSON-ready)."""
    means = {a: results.window_means(a) for a in results.agents}
    seconds = {a: sum(r.seconds for r in runs) / sum(r.periods for r in runs)
               for a, runs in results.runs.items()}
    agents = {}
    for agent, runs in results.runs.items():
        early, later = means[agent]
        row = {"early_mean": _number(np.mean(early)),
               "later_mean": _number(np.mean(later)),
               "early_means": [_number(v) for v in early],
               "later_means": [_number(v) for v in later]}
        for window, k in (("early", 0), ("later", 1)):
            p = None
            if BASELINE in means and agent != BASELINE:
                p = lower_p_value(means[agent][k], means[BASELINE][k])
            row[f"{window}_p_value"] = p
            row[f"{window}_lower"] = p is not None and p < LEVEL
        row["seconds_per_period"] = seconds[agent]
        row["relative_time"] = seconds[agent] / seconds[BASELINE] \
            if BASELINE in seconds else None
        row["periods"] = float(np.mean([r.periods for r in runs]))
        row["terminations"] = float(np.mean([r.terminations for r in runs]))
        row["termination_rate"] = row["terminations"] / results.episodes
        row["rumination_rate"] = float(np.mean([r.rumination_rate for r in runs]))
        agents[agent] = row
    return {"problem": results.problem_name, "episodes": results.episodes,
            "periods": results.periods, "early_window": results.early_window,
            "seed": results.seed,
            "repetitions": min(len(runs) for runs in results.runs.values()),
            "baseline": BASELINE, "level": LEVEL, "agents": agents,
            "table2": table2(agents)}


def table1(summary_: dict) -> list[dict]:
    """The paper's table 1, a row per agent: relative time per period, early and
    later mean costs with the p-values of "lower than SARSA"."""
    return [{"agent": LABELS[a], "relative_time": row["relative_time"],
             "early_mean": row["early_mean"], "early_p_value": row["early_p_value"],
             "later_mean": row["later_mean"], "later_p_value": row["later_p_value"],
             "terminations": row["terminations"],
             "rumination_rate": row["rumination_rate"]}
            for a, row in summary_["agents"].items()]


def table2(agents: dict) -> list[dict]:
    """The paper's table 2: each proposed agent against each earlier one (those
    present in ``agents``, a summary's ``"agents"`` or a whole summary), per
    window, with the p-values of "lower" and of "higher" and the verdict."""
    agents = agents.get("agents", agents)
    rows = []
    for new in PROPOSED:
        for old in EARLIER:
            if new not in agents or old not in agents:
                continue
            for window in ("early", "later"):
                x, y = agents[new][f"{window}_means"], agents[old][f"{window}_means"]
                x = [np.nan if v is None else v for v in x]
                y = [np.nan if v is None else v for v in y]
                lower, higher = lower_p_value(x, y), lower_p_value(y, x)
                verdict = "lower" if lower is not None and lower < LEVEL else \
                    "higher" if higher is not None and higher < LEVEL else "no difference"
                rows.append({"agent": LABELS[new], "against": LABELS[old],
                             "window": window, "p_lower": lower, "p_higher": higher,
                             "verdict": verdict})
    return rows


def _p_cell(value) -> str:
    return "–" if value is None else _p(value)


def table1_table(summary_: dict):
    """Table 1 of a summary as a rendered :class:`invlib.tables.Table`: early
    and later mean costs with the p-values of "lower than SARSA", terminations
    per run and the share of periods with rumination (the measured times, which
    vary from run to run, are left to :func:`time_table`)."""
    from .tables import Table
    s = summary_
    return Table(
        ["agent", "early ($/period)", "p", "later ($/period)", "p",
         "exits per run", "periods ruminated (%)"],
        [(row["agent"], row["early_mean"], row["early_p_value"],
          row["later_mean"], row["later_p_value"], row["terminations"],
          100 * row["rumination_rate"]) for row in table1(s)],
        caption=f"Table 1, {s['problem']}: {s['repetitions']} repetitions of "
                f"{s['episodes']} episodes × {s['periods']} periods; early = "
                f"periods 1–{s['early_window']}; p: one-sided rank-sum test of "
                "'lower than SARSA'.",
        formats=[None, "{:.2f}", _p_cell, "{:.2f}", _p_cell, "{:.1f}",
                 "{:.1f}"])


def table2_table(summary_: dict):
    """Table 2 of a summary as a rendered :class:`invlib.tables.Table`."""
    from .tables import Table
    return Table(
        ["agent", "against", "window", "p lower", "p higher", "verdict (5%)"],
        [(r["agent"], r["against"], r["window"], r["p_lower"], r["p_higher"],
          r["verdict"]) for r in summary_["table2"]],
        caption=f"Table 2, {summary_['problem']}: the proposed agents against "
                "the earlier ones, one-sided rank-sum tests both ways.",
        formats=[None, None, None, _p_cell, _p_cell, None])


def time_table(summaries: dict):
    """Computation per period relative to SARSA, an agent per row and a problem
    per column (``summaries``: problem name -> summary), as a Table."""
    from .tables import Table
    names = list(summaries)
    agents = list(summaries[names[0]]["agents"])
    return Table(["agent"] + [f"{n} (× SARSA)" for n in names],
                 [[LABELS[a]] + [summaries[n]["agents"][a]["relative_time"]
                                 for n in names] for a in agents],
                 caption="Computation per period relative to SARSA, this run.",
                 formats=[None] + ["{:.1f}"] * len(names))


def moving_average(results: Results, window: int = WINDOW) -> dict:
    """Per agent, the trailing moving average of the cost per period, averaged over
    the repetitions up to the shortest run (the paper's figures 4-6)."""
    from .plots import moving_average as trailing      # matplotlib only when needed
    window = check_int("window", window, 1)
    curves = {}
    for agent, runs in results.runs.items():
        length = min(r.periods for r in runs)
        curves[agent] = trailing(np.array([r.costs[:length] for r in runs]),
                                 window).mean(axis=0)
    return curves


def box_data(results: Results) -> dict:
    """Per agent, each repetition's mean cost in the early and in the later
    periods (the paper's figures 7-8)."""
    return {agent: dict(zip(("early", "later"), results.window_means(agent)))
            for agent in results.agents}


def _fmt(value, spec) -> str:
    return "-" if value is None else format(value, spec)


def _p(value) -> str:
    return "<0.001" if value is not None and value < 0.001 else _fmt(value, ".3f")


def format_tables(summary_: dict, timing: bool = True) -> str:
    """Tables 1 and 2 as text (``timing=False`` leaves out the measured times,
    the one column that differs from run to run)."""
    s = summary_
    time_head = f"{'time':>7}" if timing else ""
    lines = [f"{s['problem']}: {s['repetitions']} repetitions of {s['episodes']} "
             f"episodes x {s['periods']} periods; early = periods 1-{s['early_window']}",
             "",
             f"{'agent':<11}{time_head}{'early':>9}{'p':>8}{'later':>9}{'p':>8}"
             f"{'exits':>7}{'rumin.':>8}"]
    for row in table1(s):
        time = f"{_fmt(row['relative_time'], '.1f'):>7}" if timing else ""
        lines.append(f"{row['agent']:<11}{time}"
                     f"{_fmt(row['early_mean'], '.2f'):>9}"
                     f"{_p(row['early_p_value']):>8}"
                     f"{_fmt(row['later_mean'], '.2f'):>9}"
                     f"{_p(row['later_p_value']):>8}"
                     f"{row['terminations']:>7.1f}{row['rumination_rate']:>8.3f}")
    lines += [("(time: per period, relative to SARSA; " if timing else "(") +
              "p: one-sided rank-sum test of",
              " 'lower than SARSA'; exits: terminations per run; rumin.: share of",
              " periods with rumination)"]
    if s["table2"]:
        lines += ["", f"{'agent':<11}{'against':<9}{'window':<8}{'p lower':>9}"
                      f"{'p higher':>10}  verdict"]
        for row in s["table2"]:
            lines.append(f"{row['agent']:<11}{row['against']:<9}{row['window']:<8}"
                         f"{_p(row['p_lower']):>9}{_p(row['p_higher']):>10}  "
                         f"{row['verdict']}")
    return "\n".join(lines)
