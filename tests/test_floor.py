"""The floor for P1: the discretised demand and transitions, the exact evaluation
against a long simulation, the optimum against the best (s, S) policy, the
exploring optimum on a chain it does not leave, and the continuous-demand and
episodic simulations against the same periods played by hand."""
import numpy as np
import pytest
from scipy.stats import norm
from test_demand import batch_se

from invlib import InvalidParameter
from invlib.demand import NormalDemand
from invlib.floor import (
    EXPLORING_RANGE,
    FLOOR_RANGE,
    best_s_S,
    demand_pmf,
    episodic_cost,
    floor,
    play_s_S,
    position_mdp,
    s_S_costs,
    s_S_order,
    s_S_policy,
    simulate_long_run,
    simulate_s_S,
)
from invlib.inventory import problem_p1, problem_p3, step
from invlib.longrun import average_cost


@pytest.fixture(scope="module")
def mdp():
    return position_mdp(problem_p1())


@pytest.fixture(scope="module")
def p1_floor():
    return floor()


def test_demand_probabilities_sum_to_one_and_are_the_rounded_normal():
    pmf = demand_pmf(10, 3, top=40)
    assert len(pmf) == 41 and (pmf >= 0).all()
    assert abs(pmf.sum() - 1.0) < 1e-15
    assert pmf[0] == pytest.approx(norm.cdf(-9.5 / 3))            # D < 1/2, cut included
    assert pmf[10] == pytest.approx(norm.cdf(0.5 / 3) - norm.cdf(-0.5 / 3))
    assert (pmf * np.arange(41)).sum() == pytest.approx(10.0, abs=1e-3)


def test_every_transition_row_sums_to_one_and_lands_where_it_should(mdp):
    assert mdp.transition.shape == (131, 21, 131)
    assert np.abs(mdp.transition.sum(axis=2) - 1).max() < 1e-14
    assert mdp.states[0] == -30 and mdp.states[-1] == 100
    # from y = 15 ordering 8: y' = 15 - D + 8, so P(y' = 13) = P(D = 10)
    pmf = demand_pmf()
    assert mdp.transition[45, 4, 13 + 30] == pmf[10]
    # y = -25, no order: levels below -30 are put back on -30
    assert mdp.transition[5, 0, 0] == pytest.approx(pmf[5:].sum())


def test_expected_cost_worked_by_hand(mdp):
    pmf, d = demand_pmf(), np.arange(41)
    y = 12                                             # K + c a + E[h x'^+ + p x'^-]
    held = np.maximum(y - d, 0) @ pmf
    short = np.maximum(d - y, 0) @ pmf
    assert mdp.cost[42, 3] == pytest.approx(10 + 2 * 6 + held + 10 * short)
    assert mdp.cost[42, 0] == pytest.approx(held + 10 * short)


def test_batched_s_S_costs_equal_the_general_evaluation(mdp):
    costs = s_S_costs(mdp, 15, [2, 10, 25])
    for width, cost in zip([2, 10, 25], costs, strict=True):
        assert cost == pytest.approx(average_cost(mdp, s_S_policy(mdp, 15, 15 + width)),
                                     rel=1e-10)


def test_the_exact_cost_matches_a_long_simulation(p1_floor):
    costs = simulate_s_S(problem_p1(), p1_floor.s, p1_floor.S,
                         np.random.default_rng(1), 400_000)[1000:]
    assert abs(costs.mean() - p1_floor.s_S_cost) < 3.5 * batch_se(costs)
    other = simulate_s_S(problem_p1(), 5, 45, np.random.default_rng(2), 400_000)[1000:]
    exact = average_cost(position_mdp(), s_S_policy(position_mdp(), 5, 45))
    assert abs(other.mean() - exact) < 3.5 * batch_se(other)
    assert exact > p1_floor.s_S_cost + 1


def test_the_floor(p1_floor):
    f = p1_floor
    assert (f.s, f.S) == (20, 34)
    assert f.s_S_cost == pytest.approx(37.0263, abs=1e-4)
    assert f.optimal_cost <= f.s_S_cost + 1e-9              # no policy does better ...
    assert f.optimal_cost == pytest.approx(f.s_S_cost, rel=1e-9)  # ... than (s, S) here
    assert f.outside < 1e-9                                 # it stays inside the box
    assert f.optimal_cost < f.discounted_cost < f.exploring_cost < f.optimal_cost + 3
    assert f.epsilon == 0.1
    # the optimal policy is (s, S)-like where it matters: no order above s
    assert (f.optimal_orders[f.positions > f.s] == 0).all()
    assert (f.optimal_orders[(f.positions <= f.s) & (f.positions >= 0)] > 0).all()


def test_a_smaller_search_finds_no_better_pair(mdp, p1_floor):
    s, S, cost = best_s_S(mdp, range(15, 25), range(8, 20))
    assert (s, S) == (p1_floor.s, p1_floor.S) and cost == pytest.approx(p1_floor.s_S_cost)


def test_problems_outside_the_floors_reach_are_refused():
    with pytest.raises(InvalidParameter, match="problem must have lead_time 1"):
        position_mdp(problem_p3())
    with pytest.raises(InvalidParameter, match="top must be an integer"):
        demand_pmf(top=0)


def test_play_s_S_follows_the_rule_and_ends_where_the_box_ends():
    from invlib.inventory import BOXES, step
    problem = problem_p1(x_range=BOXES["narrow"])
    starts = np.array([[5.0, 0.0], [50.0, 40.0]])
    demands = np.array([[9.0, 12.0, 7.0], [0.0, 0.0, 0.0]])
    cost, ended = play_s_S(problem, 20, 34, starts, demands,
                           np.random.default_rng(0), epsilon=0.0)
    state, costs = (5.0, (0.0,)), []
    for d in demands[0]:
        y = state[0] + state[1][0]
        t = step(problem, state, 2 * ((34 - y) // 2) if y <= 20 else 0, d)
        state, costs = t.state, costs + [t.cost]
    # second episode: 50 + 40 on hand passes 60 in the first period
    assert list(ended) == [False, True]
    first = step(problem, (50.0, (40.0,)), 0, 0.0)
    assert first.terminated
    assert cost == pytest.approx(np.mean(costs + [first.cost]))


def test_the_exploring_optimum_stays_inside_its_wider_chain(p1_floor):
    f = p1_floor
    wide = position_mdp(problem_p1(), levels=EXPLORING_RANGE)
    low, high = (int(v) for v in EXPLORING_RANGE)
    assert wide.states[0] == low and wide.states[-1] == high + 40
    assert np.abs(wide.transition.sum(axis=2) - 1).max() < 1e-13
    assert f.exploring_outside < 1e-9            # it (almost) never leaves
    assert f.clipped_outside > 1e-4              # ... but leaves [-30, 60]
    assert FLOOR_RANGE == (-30.0, 60.0)
    # clipping put the expensive excursions back on the edges: it flattered
    assert f.exploring_clipped < f.exploring_cost < f.exploring_clipped + 0.1


def _played_by_hand(problem, s, S, x, demands, uniforms, epsilon):
    """Costs of the (s, S) policy with random orders, one period at a time."""
    state, costs = (x, (0.0,)), []
    for d, (coin, pick) in zip(demands, uniforms, strict=True):
        if coin < epsilon:
            a = problem.actions[int(pick * len(problem.actions))]
        else:
            a = s_S_order(state[0] + state[1][0], s, S, 2.0, 40.0)
        t = step(problem, state, a, d)
        state, costs = t.state, costs + [t.cost]
    return np.array(costs)


def test_the_long_run_simulation_plays_the_periods_as_by_hand():
    problem = problem_p1()
    out = simulate_long_run(problem, 20, 34, np.random.default_rng(5),
                            epsilon=0.3, chains=3, periods=40, warmup=10)
    rng = np.random.default_rng(5)                 # the same draws, in order
    demands = []
    for _ in range(3):
        process = problem.new_demand()
        demands.append(process.draw_many(rng, 50))
    uniforms = rng.random((3, 50, 2))
    means = [_played_by_hand(problem, 20, 34, 34.0, d, u, 0.3)[10:].mean()
             for d, u in zip(demands, uniforms, strict=True)]
    assert out.cost == pytest.approx(np.mean(means), rel=1e-12)
    half = 1.96 * np.std(means, ddof=1) / np.sqrt(3)
    assert out.interval == pytest.approx((np.mean(means) - half,
                                          np.mean(means) + half), rel=1e-12)
    assert out.outside == 0 and out.runs == 3


def test_episodic_cost_plays_fresh_episodes_from_the_start_distribution():
    problem = problem_p1(periods=30)
    out = episodic_cost(problem, 20, 34, np.random.default_rng(4), episodes=40)
    rng = np.random.default_rng(4)                 # the same draws, in order
    starts = rng.uniform([0.0, 0.0], [30.0, 0.0], size=(40, 2))
    demands = NormalDemand(10, 3).draw_many(rng, 40 * 30).reshape(40, 30)
    uniforms = rng.random((40, 30, 2))
    by_hand = [_played_by_hand(problem, 20, 34, x, d, u, 0.1)
               for x, d, u in zip(starts[:, 0], demands, uniforms, strict=True)]
    assert out.cost == pytest.approx(np.mean(by_hand), rel=1e-12)
    assert out.outside == 0 and out.runs == 40
    assert (starts[:, 0] >= 0).all() and (starts[:, 0] <= 30).all()
