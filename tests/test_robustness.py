"""The claims over the sweep (invlib.robustness): the book's point tested as the
replication's table 1, the costs per period played beside the costs with exits,
the price of an imagined update, and stored runs replayed with their levels."""
import numpy as np
import pytest

from invlib.experiments import experiment_problem
from invlib.inventory import step
from invlib.robustness import (
    BOOKS_POINT,
    books_point,
    claim_map,
    narrow_costs,
    outside_shares,
    replay,
    update_cost_map,
)
from invlib.stats import holm, signed_rank_p

AGENTS = ("sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td", "prs-td")


def fake_runs(repetitions=12, seed=0):
    """Runs at the book's point only: each agent cheaper than SARSA by its
    index (RSarsa by 1, ...), with exits raising SARSA's later costs."""
    rng = np.random.default_rng(seed)
    kappa, rate, epsilon = BOOKS_POINT
    noise = rng.normal(0, 1, (repetitions, 2))
    out = []
    for i, agent in enumerate(AGENTS):
        for r in range(repetitions):
            early, later = 100 + noise[r] - i + rng.normal(0, 0.5, 2)
            out.append({"problem": "P1", "agent": agent,
                        "kappa": kappa if agent in ("prs-beta", "rsarsa-td",
                                                    "prs-td") else None,
                        "learning_rate": rate, "epsilon": epsilon,
                        "repetition": r, "early_cost": early,
                        "later_cost": later + (50 if agent == "sarsa" else 0),
                        "early_mean": early, "later_mean": later,
                        "rumination_rate": 0.0 if agent == "sarsa" else 1.0,
                        "seconds_per_period": 1.0 if agent == "sarsa"
                        else 15.0, "termination_rate": 0.0})
    return out


def test_the_books_point_is_tested_as_the_replications_table_1():
    runs = fake_runs()
    rows = books_point(runs, "P1")
    assert [(r["agent"], r["window"]) for r in rows] == \
        [(a, w) for a in AGENTS[1:] for w in ("early", "later")]
    raw = []
    for agent in AGENTS[1:]:
        for window in ("early", "later"):
            x = [r[f"{window}_cost"] for r in runs if r["agent"] == agent]
            y = [r[f"{window}_cost"] for r in runs if r["agent"] == "sarsa"]
            raw.append(signed_rank_p(x, y))
    assert [r["p"] for r in rows] == raw
    assert [r["p_holm"] for r in rows] == holm(raw)       # ten tests together
    assert all(r["holds"] == (r["p_holm"] < 0.05) for r in rows)
    assert all(r["holds"] for r in rows if r["window"] == "later")


def test_costs_with_exits_and_per_period_played():
    runs = fake_runs()
    exits = claim_map(runs, "P1", "prs", "later")
    played = claim_map(runs, "P1", "prs", "later", costs="played")
    assert exits["difference"][0, 0] == pytest.approx(
        played["difference"][0, 0] - 50)
    with pytest.raises(ValueError, match="costs must be one of"):
        claim_map(runs, "P1", "prs", "later", costs="scheduled")


def test_an_imagined_update_is_priced_by_the_measured_times():
    m = update_cost_map(fake_runs(), "P1", "rsarsa")
    assert m["ratio"][0, 0] == pytest.approx((15 - 1) / 20)


@pytest.fixture(scope="module")
def replayed():
    return replay("P1", "sarsa", None, 0.1, 0.1, 0)


def test_a_replayed_run_is_the_stored_one_and_its_levels_replay(replayed):
    problem, run, levels = replayed
    assert problem == experiment_problem("P1")
    assert len(levels) == run.periods
    # the stored sweep's row of the same coordinates (book/data/sweep)
    from pathlib import Path

    from invlib.sweep import load_runs
    folder = Path(__file__).resolve().parents[1] / "book" / "data" / "sweep"
    row = next(r for r in load_runs(folder)
               if (r["problem"], r["agent"], r["learning_rate"], r["epsilon"],
                   r["repetition"]) == ("P1", "sarsa", 0.1, 0.1, 0))
    costs = run.scheduled_costs(problem.periods, problem.discount)
    w = problem.early_window
    assert costs[:w].mean() == row["early_cost"]
    assert costs[w:].mean() == row["later_cost"]
    # the first episode, played again with inventory.step: some order gives
    # each period's cost and level
    from invlib.approx import draw_environment
    from invlib.experiments import generators
    env = draw_environment(problem, generators("P1", "sarsa", 0)[0])
    state = (env.starts[0, 0], tuple(env.starts[0, 1:]))
    for t in range(run.episode_lengths[0]):
        demand = env.demands[0, t]
        moves = [step(problem, state, a, demand) for a in problem.actions]
        move = next(m for m in moves if m.cost == run.costs[t])
        assert move.state[0] == levels[t]
        state = move.state


def test_outside_shares_and_the_narrow_accounting(replayed):
    problem, run, levels = replayed
    assert run.terminations == 0
    wide = outside_shares(problem, run, levels, problem.x_range)
    assert wide == {"early": {"periods": 0.0, "cost": 0.0},
                    "later": {"periods": 0.0, "cost": 0.0}}
    assert np.array_equal(narrow_costs(problem, run, levels, problem.x_range),
                          run.scheduled_costs(problem.periods,
                                              problem.discount))
    shares = outside_shares(problem, run, levels)
    outside = (levels < -30) | (levels > 60)
    w = problem.early_window
    assert shares["early"]["periods"] == pytest.approx(outside[:w].mean())
    assert 0 < shares["early"]["cost"] < 1
    # cut at the first level outside [-30, 60]: the rest of the episode is
    # charged the edge's cost (holding 60, or backorders 30 at p = 10)
    narrow = narrow_costs(problem, run, levels).reshape(
        len(run.episode_lengths), problem.periods)
    first = np.flatnonzero(outside)[0]
    e, t = divmod(int(first), problem.periods)
    assert set(narrow[e, t + 1:]) <= {60.0, 300.0}
    assert np.array_equal(narrow[e, :t + 1],
                          run.costs[e * problem.periods:first + 1])
