"""Long-run cost per day: stationary expectation, simulation, and chains with
several recurrent classes."""
import numpy as np
import pytest

from invlib import (
    average_cost,
    bike_shop,
    order_up_to,
    policy_iteration,
    simulate,
    stationary_distribution,
)
from invlib.dp import policy_matrix
from invlib.longrun import gain, recurrent_classes


def test_stationary_distribution_is_invariant(article_mdp):
    policy = policy_iteration(article_mdp).policy
    P, c = policy_matrix(article_mdp, policy)
    mu = stationary_distribution(P)
    assert mu.sum() == pytest.approx(1.0, abs=1e-13)
    assert (mu >= -1e-15).all()
    assert np.abs(mu @ P - mu).max() < 1e-14
    assert average_cost(article_mdp, policy) == pytest.approx(mu @ c, rel=1e-12)


@pytest.mark.parametrize("level", [None, 10, 5])
def test_average_cost_matches_a_long_simulation(article_shop, article_mdp, level):
    policy = (policy_iteration(article_mdp).policy if level is None
              else order_up_to(article_shop, level))
    exact = average_cost(article_mdp, policy)
    sim = simulate(article_shop, policy, 2_000_000, np.random.default_rng(2024))
    # batch means: 100 batches of 20 000 days are nearly independent
    batches = sim.cost.reshape(100, -1).mean(axis=1)
    half_width = 3.0 * batches.std(ddof=1) / np.sqrt(len(batches))
    assert abs(sim.cost.mean() - exact) < half_width
    # and the interval is tight enough to mean something
    assert half_width < 0.05 * exact


def test_a_policy_that_never_orders_ends_in_an_empty_shop(article_shop, article_mdp):
    never = order_up_to(article_shop, 0)
    P, c = policy_matrix(article_mdp, never)
    classes = recurrent_classes(P)
    assert len(classes) == 1 and article_shop.states[classes[0]].tolist() == [[0, 0]]
    assert average_cost(article_mdp, never) == pytest.approx(10 * 4.0)   # p * lambda


def test_gain_of_a_chain_with_two_recurrent_classes():
    # states 0 and 2 absorb; state 1 goes to each with probability 1/2
    P = np.array([[1.0, 0, 0], [0.5, 0, 0.5], [0, 0, 1.0]])
    c = np.array([1.0, 7.0, 3.0])
    assert gain(P, c).tolist() == pytest.approx([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="2 recurrent classes"):
        stationary_distribution(P)


def test_gain_of_a_periodic_chain_is_the_cesaro_average():
    P = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert gain(P, np.array([4.0, 0.0])).tolist() == pytest.approx([2.0, 2.0])


def test_simulation_is_reproducible_and_follows_the_one_day_function():
    from invlib import one_day
    shop = bike_shop(capacity=6, demand_mean=2.0)
    policy = order_up_to(shop, 4)
    a = simulate(shop, policy, 500, 11, start=(2, 1))
    b = simulate(shop, policy, 500, np.random.default_rng(11), start=(2, 1))
    assert np.array_equal(a.cost, b.cost) and np.array_equal(a.demand, b.demand)
    state = (2, 1)
    for t in range(a.days):
        assert (a.on_hand[t], a.on_order[t]) == state
        order = policy[shop.state_index[state]]
        assert a.order[t] == order
        state, cost = one_day(shop, state, order, a.demand[t])
        assert a.cost[t] == cost


def test_randomised_policies_and_epsilon_greedy(article_shop, article_mdp):
    from invlib.dp import epsilon_greedy
    optimal = policy_iteration(article_mdp).policy
    exact = average_cost(article_mdp, optimal)
    # epsilon = 0 is the deterministic policy itself
    assert average_cost(article_mdp, epsilon_greedy(article_mdp, optimal, 0.0)) == \
        pytest.approx(exact, rel=1e-12)
    # exploring costs something, and the exact figure matches a simulation that
    # mixes in random orders with probability 0.1
    explore = average_cost(article_mdp, epsilon_greedy(article_mdp, optimal, 0.1))
    assert explore > exact
    rng = np.random.default_rng(5)
    probs = epsilon_greedy(article_mdp, optimal, 0.1)
    P, c = policy_matrix(article_mdp, probs)
    assert np.allclose(P.sum(axis=1), 1.0) and (c > 0).all()
    from invlib.bikeshop import day_kernel
    total, days = 0.0, 100_000
    cum = probs.cumsum(axis=1)
    demand = rng.poisson(4.0, days)
    u = rng.random(days)
    on_hand, on_order = 0, 0
    state_index = article_shop.state_index    # a property: built on each access
    for t in range(days):
        i = state_index[on_hand, on_order]
        order = int(np.searchsorted(cum[i], u[t], side="right"))
        on_hand, on_order, cost = day_kernel(on_hand, on_order, order, int(demand[t]),
                                             8.0, 10.0, False)
        total += cost
    assert total / days == pytest.approx(explore, rel=0.015)
