"""Dynamic programming: the solvers agree with each other, with the Bellman
equations, and with an independent linear-programming solver."""
import numpy as np
import pytest
import reference

from invlib import (
    bike_shop,
    bike_shop_mdp,
    evaluate_policy,
    order_up_to,
    policy_iteration,
    value_iteration,
)
from invlib.dp import greedy_policy, q_values


def test_value_and_policy_iteration_agree(article_mdp):
    vi = value_iteration(article_mdp, tol=1e-10)
    pi = policy_iteration(article_mdp)
    assert np.array_equal(vi.policy, pi.policy)
    # the stopping rule promises an error of at most tol
    assert np.abs(vi.value - pi.value).max() <= vi.error_bound <= 1e-10


def test_value_iteration_error_bound_holds_when_stopped_early(article_mdp):
    exact = policy_iteration(article_mdp).value
    for tol in (1.0, 1e-3, 1e-6):
        vi = value_iteration(article_mdp, tol=tol)
        assert vi.error_bound <= tol
        assert np.abs(vi.value - exact).max() <= vi.error_bound


def test_policy_evaluation_solves_its_bellman_equation(article_shop, article_mdp):
    m = article_mdp
    rows = np.arange(m.n_states)
    for policy in (order_up_to(article_shop, 10), order_up_to(article_shop, 6),
                   policy_iteration(m).policy):
        v = evaluate_policy(m, policy)
        P, c = m.transition[rows, policy], m.cost[rows, policy]
        assert np.abs(v - (c + m.discount * P @ v)).max() < 1e-10


def test_optimal_values_solve_the_bellman_optimality_equation(article_mdp):
    v = policy_iteration(article_mdp).value
    assert np.abs(q_values(article_mdp, v).min(axis=1) - v).max() < 1e-10
    # and no policy does better anywhere, e.g. every order-up-to level
    shop = bike_shop()
    for T in range(11):
        assert (evaluate_policy(article_mdp, order_up_to(shop, T)) >= v - 1e-9).all()


def test_ties_go_to_the_smaller_order():
    q = np.array([[3.0, 3.0 + 5e-10, 2.9999999999], [1.0, 0.5, 0.5]])
    assert greedy_policy(q).tolist() == [0, 1]


def test_zero_discount_is_myopic():
    shop = bike_shop(discount=0.0)
    m = bike_shop_mdp(shop)
    sol = value_iteration(m)
    assert np.allclose(sol.value, m.cost.min(axis=1))
    assert np.array_equal(sol.policy, greedy_policy(m.cost))


@pytest.mark.parametrize("C, mean, h, p, gamma, holding_on", [
    (10, 4.0, 8, 10, 0.9, "next"),       # the article
    (2, 1.0, 1, 10, 0.9, "current"),     # Rao & Jelvis' published example
    (7, 2.5, 1, 12, 0.95, "next"),
    (8, 3.0, 2, 20, 0.8, "current"),
    (5, 6.0, 0.5, 4, 0.5, "next"),
])
def test_matches_independent_linear_programming_solver(C, mean, h, p, gamma, holding_on):
    shop = bike_shop(C, mean, h, p, gamma, holding_on)
    sol = policy_iteration(bike_shop_mdp(shop))
    v_ref, policy_ref = reference.solve(C, mean, h, p, gamma, holding_on)
    for i, (a, b) in enumerate(shop.states):
        assert sol.value[i] == pytest.approx(v_ref[a, b], rel=1e-7)
        assert sol.policy[i] == policy_ref[a, b], (a, b)


def test_bad_policy_is_rejected(article_mdp):
    with pytest.raises(ValueError, match="not a feasible order"):
        evaluate_policy(article_mdp, np.full(article_mdp.n_states, 10))
    with pytest.raises(ValueError, match="shape"):
        evaluate_policy(article_mdp, np.zeros(3, dtype=int))


@pytest.mark.parametrize("h, p, gamma", [(8, 10, 0.9), (1, 10, 0.9), (3, 20, 0.7)])
def test_holding_cost_on_current_stock_is_a_one_day_shift(h, p, gamma):
    # Tonight's on-hand stock is what was left at the end of the previous day, so
    # charging h on it equals the article's cost with h discounted by one day,
    # plus the cost of the stock already in the shop: V_cur = h * alpha + V_next(gamma h).
    current = bike_shop(10, 4.0, h, p, gamma, "current")
    shifted = bike_shop(10, 4.0, gamma * h, p, gamma, "next")
    a = policy_iteration(bike_shop_mdp(current))
    b = policy_iteration(bike_shop_mdp(shifted))
    assert np.allclose(a.value, h * current.states[:, 0] + b.value, rtol=1e-12)
    assert np.array_equal(a.policy, b.policy)


def test_epsilon_greedy_values_are_the_fixed_point_and_reduce_to_q_star(article_mdp):
    from invlib.dp import epsilon_greedy_values
    m = article_mdp
    q_star = q_values(m, policy_iteration(m).value)
    q0 = epsilon_greedy_values(m, 0.0)
    assert np.allclose(q0[m.feasible], q_star[m.feasible], rtol=1e-9)
    q = epsilon_greedy_values(m, 0.1)
    finite = np.where(m.feasible, q, 0.0)
    v = 0.9 * q.min(axis=1) + 0.1 * finite.sum(axis=1) / m.feasible.sum(axis=1)
    assert np.allclose((m.cost + m.discount * m.transition @ v)[m.feasible],
                       q[m.feasible], rtol=1e-10)
    assert (q[m.feasible] >= q_star[m.feasible] - 1e-9).all()   # exploring costs


def test_policy_iteration_settles_when_orders_tie_to_rounding():
    # Found by the property tests: with almost no demand, orders are worth the
    # same to within 1e-9, and the smallest-order tie rule went round a cycle.
    from invlib import bike_shop, bike_shop_mdp
    from invlib.dp import TIE, evaluate_policy
    from invlib.policies import order_up_to
    shop = bike_shop(5, 0.0078125, 0.0, 21.0, 0.875)
    mdp = bike_shop_mdp(shop)
    solution = policy_iteration(mdp)
    for level in range(6):
        rule = evaluate_policy(mdp, order_up_to(shop, level))
        assert (solution.value <= rule + TIE / (1 - shop.discount)).all()
