"""Bias measured: rollouts against the one-period costs and against a plain
period-by-period replay, common random numbers across agents, and the
experiments' runs replayed alike serially and on a cluster."""
import numpy as np
import pytest

from invlib.approx import approx_settings, draw_agent, make_problem
from invlib.bias import agent_value_errors, draw_pairs, replayed_errors, value_errors
from invlib.inventory import BOXES, observe, step
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


def plain_returns(problem, settings, coder, pairs):
    """The rollouts of :func:`value_errors` one period at a time (``step``, and
    each order's value from ``invlib.tiles.estimate`` at what the agent sees),
    and how many ended early."""
    actions, eps = problem.actions, settings.epsilon
    m = len(actions)
    returns, ended = np.empty(pairs.demands.shape[:2]), 0
    for i, (state, k) in enumerate(zip(pairs.states, pairs.orders, strict=True)):
        for j in range(pairs.demands.shape[1]):
            now, a = (state[0], tuple(state[1:])), k
            total, weight = 0.0, 1.0
            for t, demand in enumerate(pairs.demands[i, j]):
                move = step(problem, now, actions[a], demand)
                total += weight * move.cost
                if move.terminated:
                    total += weight * problem.discount * move.terminal_cost
                    ended += 1
                    break
                weight *= problem.discount
                now, u = move.state, pairs.uniforms[i, j, t]
                if u < eps:
                    a = min(int(u / eps * m), m - 1)
                else:
                    seen = observe(problem, now)
                    a = int(np.argmin([estimate(coder.layout, coder.weights,
                                                np.append(seen, b)) for b in actions]))
            returns[i, j] = total
    return returns, ended


@pytest.mark.parametrize("name, box", [("P1", "wide"), ("P2", "wide"), ("P3", "wide"),
                                       ("P1", "narrow")])
def test_rollouts_are_the_plain_period_by_period_ones(name, box):
    """The compiled rollouts look up the tile parts of the orders they place, and
    skip the values in exploring periods: the same numbers as locating every
    state afresh (P1 and P3 see the pipeline, P2 the position; the narrow box
    ends some rollouts early)."""
    problem = make_problem(name, x_range=BOXES[box])
    settings = approx_settings("sarsa", name, problem)
    coder = draw_agent(problem, settings, np.random.default_rng(6)).coder
    coder.weights[:] = np.random.default_rng(7).normal(size=coder.weights.shape)
    pairs = draw_pairs(problem, np.random.default_rng(8), states=2, rollouts=3,
                       horizon=8)
    errors = value_errors(problem, settings, coder, pairs)
    returns, ended = plain_returns(problem, settings, coder, pairs)
    assert errors.true == pytest.approx(returns.mean(axis=1), rel=1e-12)
    assert errors.standard_error == pytest.approx(
        returns.std(axis=1, ddof=1) / np.sqrt(3), rel=1e-9)
    assert (ended > 0) == (box == "narrow")


def test_replays_are_the_experiments_runs():
    """A replayed run is the run :func:`invlib.experiments.run_experiment` stores
    (the same costs), measured at the pairs of the pairs' seed."""
    from invlib.approx import draw_environment, play
    from invlib.experiments import SEED, experiment_problem, generators, one_run
    problem = experiment_problem("P2")
    settings = approx_settings("rsarsa", "P2", problem)
    env_rng, agent_rng = generators("P2", "rsarsa", 1)
    draws = draw_agent(problem, settings, agent_rng)
    ran = play(problem, settings, draw_environment(problem, env_rng), draws)
    stored = one_run("P2", None, None, "wide", SEED, "rsarsa", 1)
    assert np.array_equal(ran.costs, stored.costs)
    pairs = draw_pairs(make_problem("P2"), np.random.default_rng(5), 2, 3, 20)
    expected = value_errors(problem, settings, draws.coder, pairs)
    got = replayed_errors("P2", "rsarsa", 1, SEED, 5, 2, 3, 20)
    for field in expected._fields:
        assert np.array_equal(getattr(got, field), getattr(expected, field))


def test_serial_and_a_cluster_give_the_same_errors_bit_for_bit():
    """Every (problem, agent, repetition) is one job: on 2 workers the pooled
    errors are those of the serial run, bit for bit, in the same order."""
    args = (["P2", "P1"], ["sarsa", "rsarsa-td"], 2, 3)
    kwargs = dict(states=2, rollouts=3, horizon=20)
    serial = agent_value_errors(*args, **kwargs)
    local = agent_value_errors(*args, **kwargs, cluster="local:2")
    assert list(serial) == list(local) == [(n, a) for n in ("P2", "P1")
                                           for a in ("sarsa", "rsarsa-td")]
    for key, errors in serial.items():
        assert len(errors.learned) == 2 * 2 * 21          # 2 repetitions pooled
        for field in errors._fields:
            assert np.array_equal(getattr(errors, field), getattr(local[key], field))
    # pooled in the order of the repetitions
    from invlib.experiments import SEED
    first = replayed_errors("P1", "sarsa", 0, SEED, 3, 2, 3, 20)
    assert np.array_equal(serial["P1", "sarsa"].learned[:42], first.learned)


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
