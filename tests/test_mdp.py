"""The exact MDP: probabilities, costs and feasibility, checked against sums over
individual demands done independently in tests/reference.py."""
import numpy as np
import pytest
from reference import build

from invlib import bike_shop, bike_shop_mdp
from invlib.mdp import expected_shortfalls


def test_feasible_rows_are_distributions(article_mdp):
    m = article_mdp
    sums = m.transition.sum(axis=2)
    assert np.abs(sums[m.feasible] - 1).max() < 1e-14
    assert (sums[~m.feasible] == 0).all()
    assert (m.transition >= 0).all()
    assert np.isinf(m.cost[~m.feasible]).all() and np.isfinite(m.cost[m.feasible]).all()


def test_feasible_orders_fill_up_to_capacity(article_shop, article_mdp):
    room = article_shop.capacity - article_shop.states.sum(axis=1)
    expected = np.arange(article_mdp.n_actions)[None, :] <= room[:, None]
    assert (article_mdp.feasible == expected).all()


@pytest.mark.parametrize("C, mean, h, p, holding_on", [
    (10, 4.0, 8, 10, "next"), (2, 1.0, 1, 10, "current"), (6, 2.5, 1, 7, "next"),
    (5, 0.0, 3, 9, "current"), (4, 15.0, 2, 5, "next"),
])
def test_transitions_and_costs_match_a_sum_over_demands(C, mean, h, p, holding_on):
    shop = bike_shop(C, mean, h, p, 0.9, holding_on)
    m = bike_shop_mdp(shop)
    states, model = build(C, mean, h, p, holding_on)
    index = shop.state_index
    for ((a, b), order), (probs, cost) in model.items():
        s = index[a, b]
        assert m.cost[s, order] == pytest.approx(cost, rel=1e-12, abs=1e-12)
        row = np.zeros(m.n_states)
        for (a2, b2), q in probs.items():
            row[index[a2, b2]] += q
        assert np.abs(m.transition[s, order] - row).max() < 1e-13


def test_tail_is_kept_exactly_for_a_tiny_mean():
    # P(D >= 10) for mean 0.01 is about 2.7e-27; 1 - cdf would round it to 0.
    m = bike_shop_mdp(bike_shop(capacity=10, demand_mean=0.01))
    s = bike_shop(capacity=10).state_index[10, 0]
    assert m.transition[s, 0, bike_shop(capacity=10).state_index[0, 0]] == \
        pytest.approx(2.7307942836962656e-27, rel=1e-9)


def test_expected_shortfalls_identity():
    left, lost = expected_shortfalls(4.0, 30)
    n = np.arange(31)
    # E[max(0, D - n)] - E[max(0, n - D)] = E[D] - n
    assert np.allclose(lost - left, 4.0 - n, atol=1e-12)
    assert lost[0] == pytest.approx(4.0) and left[0] == 0
