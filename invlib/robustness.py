"""The paper's claims across the sweep's points (:mod:`invlib.sweep`): where each
holds and where it fails.

A *claim* compares an agent with SARSA in one window ("RSarsa costs less than
SARSA early"; early is the problem's early window, later every period after
it). At each point (kappa, learning rate, epsilon) of the sweep the agent's
repetition r and SARSA's repetition r (SARSA at the same learning rate and
epsilon; it has no kappa) met the same episodes, so they are paired: the
claim is tested there by the one-sided paired Wilcoxon signed-rank test over the
repetitions (costs with exits), and the p-values of one map (one claim, one
problem, every point) are Holm-corrected together. A claim *holds* at a point
where its corrected p-value is below 5%.

The same claims at the book's point alone, with the replication's family
(every agent against SARSA in both windows, Holm-corrected together), are
:func:`books_point`.

A run that leaves the box is charged, for each period it did not play, the
cost of staying on the boundary it crossed (costs with exits);
``costs="played"`` tests the same claims on the costs per period played
instead. :func:`replay` recomputes a stored run and replays its orders for its
inventory levels, to see where its costs come from (:func:`outside_shares`).

Only complete repetitions are used (a sweep that is still running, or was
stopped, has its last repetition partly done); :func:`complete_repetitions`
says how many there are.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .approx import approx_settings, draw_agent, draw_environment, play
from .approx import replay as replay_orders
from .experiments import (
    BASELINE,
    DEFAULT_AGENTS,
    LEVEL,
    SEED,
    experiment_problem,
    generators,
)
from .stats import bootstrap_ci, holm, signed_rank_p
from .sweep import uses_kappa

#: The paper's claims about costs: (agent, window), each "lower than SARSA".
COST_CLAIMS = (("rsarsa", "early"), ("prs-beta", "early"), ("prs", "later"),
               ("prs-beta", "later"))
#: The paper's claims about computation: agents and the range of their time per
#: period relative to SARSA's.
#: The book's point: kappa, learning rate, epsilon.
BOOKS_POINT = (1.0, 0.1, 0.1)
#: The cost a claim is tested on: with exits (every scheduled period has a
#: cost) or per period played (the paper's), as named in the table's columns.
COSTS = {"exits": "cost", "played": "mean"}
TIME_CLAIMS = {"full": (("rsarsa", "prs", "prs-beta"), (20.0, 30.0)),
               "selective": (("rsarsa-td", "prs-td"), (5.0, 7.0))}


def _points(runs) -> dict:
    """(problem, agent, kappa, learning_rate, epsilon) -> {repetition: run}."""
    out = defaultdict(dict)
    for r in runs:
        out[(r["problem"], r["agent"], r["kappa"], r["learning_rate"],
             r["epsilon"])][r["repetition"]] = r
    return out


def complete_repetitions(runs) -> int:
    """The number of repetitions ``0..n-1`` that every point holds."""
    return _complete(_points(runs))


def _complete(points: dict) -> int:
    """:func:`complete_repetitions` of runs grouped by :func:`_points`."""
    if not points:
        return 0
    n = 0
    while all(n in reps for reps in points.values()):
        n += 1
    return n


def grid_of(runs) -> tuple[list, list, list]:
    """The kappas, learning rates and epsilons of the runs, sorted."""
    kappas = sorted({r["kappa"] for r in runs if r["kappa"] is not None})
    rates = sorted({r["learning_rate"] for r in runs})
    epsilons = sorted({r["epsilon"] for r in runs})
    return kappas, rates, epsilons


def _layout(runs, agent: str):
    """The complete repetitions, the runs by point, and a map's rows (kappas, or
    one row for an agent without kappa) and columns ((learning rate, epsilon))."""
    kappas, rates, epsilons = grid_of(runs)
    points = _points(runs)
    return (_complete(points), points,
            kappas if uses_kappa(agent) else [None],
            [(a, e) for a in rates for e in epsilons])


def _check_costs(costs: str) -> str:
    if costs not in COSTS:
        raise ValueError(f"costs must be one of {', '.join(COSTS)}, "
                         f"got {costs!r}")
    return COSTS[costs]


def claim_map(runs, problem: str, agent: str, window: str,
              costs: str = "exits") -> dict:
    """The claim "``agent`` costs less than SARSA in ``window``" on ``problem`` at
    every point: arrays over (kappa, (learning rate, epsilon)) (one row without
    kappa for an agent that does not use it) of the mean paired difference of
    the costs (agent minus SARSA; with exits, or per period played with
    ``costs="played"``), its 95% bootstrap interval, the raw and the
    Holm-corrected p-values and whether the claim holds."""
    reps, points, rows, columns = _layout(runs, agent)
    shape = (len(rows), len(columns))
    mean, low, high = np.full(shape, np.nan), np.full(shape, np.nan), \
        np.full(shape, np.nan)
    p = np.full(shape, np.nan)
    key = f"{window}_{_check_costs(costs)}"
    for i, kappa in enumerate(rows):
        for j, (rate, epsilon) in enumerate(columns):
            mine = points[(problem, agent, kappa, rate, epsilon)]
            base = points[(problem, BASELINE, None, rate, epsilon)]
            x = [mine[r][key] for r in range(reps)]
            y = [base[r][key] for r in range(reps)]
            mean[i, j], low[i, j], high[i, j] = bootstrap_ci(x, y)
            p[i, j] = signed_rank_p(x, y)
    adjusted = np.array(holm(list(p.ravel()))).reshape(shape)
    return {"problem": problem, "agent": agent, "window": window,
            "kappas": rows, "columns": columns, "repetitions": reps,
            "difference": mean, "low": low, "high": high, "p": p,
            "p_holm": adjusted, "holds": adjusted < LEVEL}


def work_per_period(run: dict, orders: int = 21) -> float:
    """A run's work per period in SARSA periods: one real update, plus the
    imagined updates of the other ``orders - 1`` orders in the share of periods
    with rumination, each counted as one SARSA period (the sweep's measured
    times put it somewhat lower: :func:`update_cost_map`). Unlike a measured
    time it does not depend on the machine or on what else it was doing; for
    full rumination, which ruminates in every period, it is ``orders`` by
    construction."""
    return 1.0 + (orders - 1) * run["rumination_rate"]


def time_ratio_map(runs, problem: str, agent: str, measure: str = "work") -> dict:
    """The agent's computation per period over SARSA's at every point (same
    layout as :func:`claim_map`), over the complete repetitions: ``"work"``
    (:func:`work_per_period`) or ``"seconds"`` (the measured time per period,
    which varies with the machine's load)."""
    reps, points, rows, columns = _layout(runs, agent)
    ratio = np.full((len(rows), len(columns)), np.nan)
    for i, kappa in enumerate(rows):
        for j, (rate, epsilon) in enumerate(columns):
            mine = points[(problem, agent, kappa, rate, epsilon)]
            base = points[(problem, BASELINE, None, rate, epsilon)]
            if measure == "work":
                ratio[i, j] = np.mean([work_per_period(mine[r])
                                       for r in range(reps)])
            else:
                ratio[i, j] = (np.mean([mine[r]["seconds_per_period"]
                                        for r in range(reps)])
                               / np.mean([base[r]["seconds_per_period"]
                                          for r in range(reps)]))
    return {"problem": problem, "agent": agent, "kappas": rows,
            "columns": columns, "repetitions": reps, "ratio": ratio}


def claims_summary(runs, problems=("P1", "P2", "P3"),
                   costs: str = "exits") -> list[dict]:
    """Per cost claim and problem: at how many of its points it holds, and
    where its mean difference is lowest and highest."""
    rows = []
    for agent, window in COST_CLAIMS:
        for problem in problems:
            m = claim_map(runs, problem, agent, window, costs)
            rows.append({"agent": agent, "window": window, "problem": problem,
                         "points": m["holds"].size,
                         "holds": int(m["holds"].sum()),
                         "best": float(np.nanmin(m["difference"])),
                         "worst": float(np.nanmax(m["difference"]))})
    return rows


def update_cost_map(runs, problem: str, agent: str) -> dict:
    """What one imagined update costs, in SARSA periods, as the measured times
    put it: at every point, (measured time ratio - 1) / (imagined updates per
    period), the imagined updates being ``work - 1`` (:func:`work_per_period`).
    Same layout as :func:`time_ratio_map`, the values under ``"ratio"``."""
    work = time_ratio_map(runs, problem, agent)
    seconds = time_ratio_map(runs, problem, agent, "seconds")
    return dict(work, ratio=(seconds["ratio"] - 1.0) / (work["ratio"] - 1.0))


def books_point(runs, problem: str, agents=DEFAULT_AGENTS,
                point=BOOKS_POINT) -> list[dict]:
    """The replication's table 1 at one point of the sweep, over all the
    complete repetitions: per agent (SARSA aside) and window, the mean paired
    difference of the costs with exits (agent minus SARSA) and its 95%
    interval, the one-sided paired signed-rank p-value of "lower than SARSA",
    Holm-corrected over the table's family (every agent, both windows, as in
    :func:`invlib.experiments.summary`), and whether the claim holds at 5%."""
    kappa, rate, epsilon = point
    points = _points(runs)
    reps = _complete(points)
    base = points[(problem, BASELINE, None, rate, epsilon)]
    rows = []
    for agent in agents:
        if agent == BASELINE:
            continue
        mine = points[(problem, agent, kappa if uses_kappa(agent) else None,
                       rate, epsilon)]
        for window in ("early", "later"):
            key = f"{window}_cost"
            x = [mine[r][key] for r in range(reps)]
            y = [base[r][key] for r in range(reps)]
            mean, low, high = bootstrap_ci(x, y)
            rows.append({"problem": problem, "agent": agent, "window": window,
                         "repetitions": reps, "difference": mean,
                         "low": low, "high": high,
                         "p": signed_rank_p(x, y)})
    for row, p in zip(rows, holm([row["p"] for row in rows]), strict=True):
        row["p_holm"] = p
        row["holds"] = p < LEVEL
    return rows


def replay(problem_name: str, agent: str, kappa, learning_rate: float,
           epsilon: float, repetition: int, seed: int = SEED):
    """Recompute one run of the sweep (the same numbers as
    :func:`invlib.sweep.sweep_run`, at the book's schedule) and the inventory
    level after each period it played (its orders placed again on its
    episodes, :func:`invlib.approx.replay`, which must give every cost back).
    Returns ``(problem, run, levels)``."""
    problem = experiment_problem(problem_name)
    changes = {"learning_rate": learning_rate, "epsilon": epsilon}
    if kappa is not None:
        changes["kappa"] = kappa
    env_rng, agent_rng = generators(problem_name, agent, repetition, seed)
    settings = approx_settings(agent, problem_name, problem, **changes)
    env = draw_environment(problem, env_rng)
    run = play(problem, settings, env, draw_agent(problem, settings, agent_rng))
    again = replay_orders(problem, env, run.orders)
    if not np.array_equal(again.costs, run.costs):
        raise AssertionError("the run's orders do not give its costs back")
    return problem, run, again.levels


def outside_shares(problem, run, levels, band=(-30.0, 60.0)) -> dict:
    """Where a run's costs with exits come from: per window (``"early"``,
    ``"later"``), the share of the scheduled periods whose level ends outside
    ``band`` (a period not played after an exit counts as outside: the level
    had left the box) and the share of the window's cost they carry."""
    periods = problem.periods
    played = np.arange(periods) < run.episode_lengths[:, None]
    outside = np.ones(played.shape, dtype=bool)
    outside[played] = (levels < band[0]) | (levels > band[1])
    outside = outside.ravel()
    costs = run.scheduled_costs(periods, problem.discount)
    w = problem.early_window
    out = {}
    for window, part in (("early", slice(0, w)), ("later", slice(w, None))):
        out[window] = {"periods": float(outside[part].mean()),
                       "cost": float(costs[part][outside[part]].sum()
                                     / costs[part].sum())}
    return out


def narrow_costs(problem, run, levels, band=(-30.0, 60.0)) -> np.ndarray:
    """The run's scheduled costs (as :meth:`invlib.approx.Run.scheduled_costs`)
    accounted as a box of ``band`` would account them: the same trajectories,
    but each episode is cut after the first period whose level leaves
    ``band``, and every later period of the episode is charged the cost of
    staying on the edge crossed. Only the accounting changes, not the play."""
    K, v, h, p = problem.model[:4]
    periods = problem.periods
    out = np.empty((len(run.episode_lengths), periods))
    start = 0
    for e, length in enumerate(run.episode_lengths):
        costs, x = run.costs[start:start + length], levels[start:start + length]
        start += length
        left = np.flatnonzero((x < band[0]) | (x > band[1]))
        if len(left):
            t = left[0]
            edge = min(max(x[t], band[0]), band[1])
            out[e, :t + 1] = costs[:t + 1]
            out[e, t + 1:] = h * max(edge, 0.0) + p * max(-edge, 0.0)
        else:                  # never left the band, so never left the box
            out[e] = costs
    return out.ravel()
