"""Bias measured: rollouts against the one-period costs, and common random
numbers across agents."""
import numpy as np
import pytest

from invlib.approx import approx_settings, draw_agent, make_problem
from invlib.bias import draw_pairs, value_errors
from invlib.inventory import step
from invlib.tiles import estimate


def sarsa_coder(problem, seed):
    """SARSA's settings and a fresh tile coder for ``problem``."""
    settings = approx_settings("sarsa", "P1")
    return settings, draw_agent(problem, settings, np.random.default_rng(seed)).coder


def test_one_period_rollouts_are_the_mean_period_cost():
    problem = make_problem("P1")
    pairs = draw_pairs(problem, np.random.default_rng(1), states=2, rollouts=5,
                       horizon=1)
    settings, coder = sarsa_coder(problem, 2)
    coder.weights[:] = np.random.default_rng(3).normal(size=coder.weights.shape)
    errors = value_errors(problem, settings, coder, pairs)
    for i, (state, k) in enumerate(zip(pairs.states, pairs.orders, strict=True)):
        costs = [step(problem, (state[0], tuple(state[1:])), problem.actions[k],
                      d).cost for d in pairs.demands[i, :, 0]]
        assert errors.true[i] == pytest.approx(np.mean(costs), rel=1e-12)
        point = np.append(state, problem.actions[k])
        assert errors.learned[i] == pytest.approx(
            estimate(coder.layout, coder.weights, point), rel=1e-12)
    assert np.allclose(errors.error, errors.learned - errors.true)


def test_the_true_values_depend_on_the_policy_not_on_the_draws():
    problem = make_problem("P1")
    pairs = draw_pairs(problem, np.random.default_rng(4), states=1, rollouts=20,
                       horizon=30)
    settings, coder = sarsa_coder(problem, 5)
    first = value_errors(problem, settings, coder, pairs)
    again = value_errors(problem, settings, coder, pairs)
    assert np.array_equal(first.true, again.true)          # the same futures
    # a discounted sum of period costs of at least the purchase of each order
    assert np.all(first.true > 0) and np.all(first.standard_error >= 0)


def test_yardstick_agrees_with_the_exact_floor_on_P1():
    from invlib.approx import draw_environment
    from invlib.experiments import generators
    from invlib.floor import floor, s_S_yardstick
    problem = make_problem("P1")
    search = draw_environment(problem, generators("P1", "sarsa", 0)[0])
    y = s_S_yardstick(problem, search, np.random.default_rng(9), episodes=500)
    low, high = y.cost_interval
    assert low < y.cost < high and y.exploring_cost > y.cost
    assert y.ended == 0.0
    # continuous demand against the floor's rounded demand: within 1%
    assert abs(y.cost / floor(problem).s_S_cost - 1) < 0.01
