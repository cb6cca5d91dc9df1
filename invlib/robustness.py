"""The paper's claims across the sweep's points (:mod:`invlib.sweep`): where each
holds and where it fails.

A *claim* compares an agent with SARSA in one window ("RSarsa costs less than
SARSA early"). At each point (kappa, learning rate, epsilon) of the sweep the
agent's repetition k and SARSA's repetition k (SARSA at the same learning rate
and epsilon; it has no kappa) met the same episodes, so they are paired: the
claim is tested there by the one-sided paired Wilcoxon signed-rank test over the
repetitions (costs with exits), and the p-values of one map (one claim, one
problem, every point) are Holm-corrected together. A claim *holds* at a point
where its corrected p-value is below 5%.

Only complete repetitions are used (a sweep that is still running, or was
stopped, has its last repetition partly done); :func:`complete_repetitions`
says how many there are.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .experiments import BASELINE, LEVEL
from .stats import bootstrap_ci, holm, signed_rank_p
from .sweep import uses_kappa

#: The paper's claims about costs: (agent, window), each "lower than SARSA".
COST_CLAIMS = (("rsarsa", "early"), ("prs-beta", "early"), ("prs", "later"),
               ("prs-beta", "later"))
#: The paper's claims about computation: agents and the range of their time per
#: period relative to SARSA's.
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
    points = _points(runs)
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
    return (complete_repetitions(runs), _points(runs),
            kappas if uses_kappa(agent) else [None],
            [(a, e) for a in rates for e in epsilons])


def claim_map(runs, problem: str, agent: str, window: str) -> dict:
    """The claim "``agent`` costs less than SARSA in ``window``" on ``problem`` at
    every point: arrays over (kappa, (learning rate, epsilon)) (one row without
    kappa for an agent that does not use it) of the mean paired difference of
    the costs with exits (agent minus SARSA), its 95% bootstrap interval, the
    raw and the Holm-corrected p-values and whether the claim holds."""
    reps, points, rows, columns = _layout(runs, agent)
    shape = (len(rows), len(columns))
    mean, low, high = np.full(shape, np.nan), np.full(shape, np.nan), \
        np.full(shape, np.nan)
    p = np.full(shape, np.nan)
    key = f"{window}_cost"
    for i, kappa in enumerate(rows):
        for j, (rate, epsilon) in enumerate(columns):
            mine = points[(problem, agent, kappa, rate, epsilon)]
            base = points[(problem, BASELINE, None, rate, epsilon)]
            x = [mine[k][key] for k in range(reps)]
            y = [base[k][key] for k in range(reps)]
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
    with rumination (an imagined update costs about one SARSA period: the
    replication chapter's timings). Unlike a measured time it does not depend on
    the machine or on what else it was doing."""
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
                ratio[i, j] = np.mean([work_per_period(mine[k])
                                       for k in range(reps)])
            else:
                ratio[i, j] = (np.mean([mine[k]["seconds_per_period"]
                                        for k in range(reps)])
                               / np.mean([base[k]["seconds_per_period"]
                                          for k in range(reps)]))
    return {"problem": problem, "agent": agent, "kappas": rows,
            "columns": columns, "repetitions": reps, "ratio": ratio}


def claims_summary(runs, problems=("P1", "P2", "P3")) -> list[dict]:
    """Per cost claim and problem: at how many of its points it holds, and
    where its mean difference is lowest and highest."""
    rows = []
    for agent, window in COST_CLAIMS:
        for problem in problems:
            m = claim_map(runs, problem, agent, window)
            rows.append({"agent": agent, "window": window, "problem": problem,
                         "points": m["holds"].size,
                         "holds": int(m["holds"].sum()),
                         "best": float(np.nanmin(m["difference"])),
                         "worst": float(np.nanmax(m["difference"]))})
    return rows
