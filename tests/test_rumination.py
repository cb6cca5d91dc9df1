"""The ruminative family: every agent against a plain-Python restatement, the
special cases that must coincide, and convergence to the exact values."""
from dataclasses import replace

import numpy as np
import pytest

from invlib import bike_shop, bike_shop_mdp
from invlib.agents import Agent, agent_settings, paper_settings, recommended_settings
from invlib.bikeshop import one_day
from invlib.dp import epsilon_greedy_values
from invlib.rumination import AGENTS
from invlib.td import greedy, policy_probability

RUMINATIVE = [name for name, (_, weights, _) in AGENTS.items() if weights != "none"]


def restate(shop, settings, q, starts, uniforms, extra, cdf):
    """The whole family in plain Python: SARSA (or Q-learning) on the real day,
    then, if the agent ruminates this period, the same SARSA update applied to each
    other feasible order in turn, weighted as the agent prescribes."""
    states = [tuple(s) for s in shop.states]
    q, visits = q.copy(), np.zeros_like(q)
    s_ = settings
    eps, g = s_.epsilon, shop.discount
    room_of = lambda s: shop.capacity - sum(states[s])          # noqa: E731

    def choose(s, u):
        if u < eps:
            return min(int(u / eps * (room_of(s) + 1)), room_of(s))
        return int(np.argmin(q[s, :room_of(s) + 1]))

    def sarsa_update(s, a, target, weight):
        visits[s, a] += weight
        step = s_.learning_rate / visits[s, a] ** s_.step_power
        q[s, a] += weight * step * (target - q[s, a])

    def target(cost, s2, a2):
        best = q[s2, a2] if s_.target == "sarsa" else q[s2, :room_of(s2) + 1].min()
        return cost + g * best

    for e, s in enumerate(starts):
        a = choose(s, uniforms[e, 0, 0])
        for t in range(uniforms.shape[2] - 1):
            demand = int(np.searchsorted(cdf, uniforms[e, 1, t], side="right"))
            nxt, cost = one_day(shop, states[s], a, demand)
            s2 = states.index(nxt)
            a2 = choose(s2, uniforms[e, 0, t + 1])
            q_sa, tgt = q[s, a], target(cost, s2, a2)
            sarsa_update(s, a, tgt, 1.0)
            if s_.rumination != "none":
                eta = s_.kappa * abs(q_sa)
                beta = np.exp(-abs(tgt - q_sa) / eta) if eta > 0 else 0.0
                if not s_.selective or extra[e, t, 0] < 1 - beta:
                    room = room_of(s)
                    favourite = int(np.argmin(q[s, :room + 1]))
                    for b in range(room + 1):
                        if b == a:
                            continue
                        nb, cb = one_day(shop, states[s], b, demand)
                        sb = states.index(nb)
                        tb = target(cb, sb, choose(sb, extra[e, t, 1 + b]))
                        pi = eps / (room + 1) + (1 - eps) * (b == favourite)
                        weight = {"all": 1.0, "policy": pi,
                                  "beta": (1 - beta) + beta * pi}[s_.rumination]
                        sarsa_update(s, b, tb, weight)
            s, a = s2, a2
    return q


@pytest.mark.parametrize("agent", list(AGENTS))
@pytest.mark.parametrize("base", [paper_settings, recommended_settings])
def test_compiled_loop_matches_the_restatement(agent, base):
    shop = bike_shop(capacity=4, demand_mean=2.0)
    settings = agent_settings(agent, base=base, episodes=3, steps=60, kappa=0.5)
    agent_ = Agent(shop, settings, 9)
    q0 = agent_.q.copy()
    state = (agent_.rng.bit_generator.state, agent_.rumination_rng.bit_generator.state)
    starts, uniforms, extra = agent_._draw(3)
    agent_.rng.bit_generator.state, agent_.rumination_rng.bit_generator.state = state
    agent_.train()
    expected = restate(shop, settings, q0, starts, uniforms, extra, agent_._cdf)
    assert np.allclose(agent_.q, expected, rtol=0, atol=1e-11)


@pytest.mark.parametrize("agent", RUMINATIVE)
def test_without_rumination_every_agent_is_sarsa(agent):
    shop = bike_shop()
    sarsa = Agent(shop, agent_settings("sarsa", episodes=20, steps=200), 4).train()
    off = replace(agent_settings(agent, episodes=20, steps=200), rumination="none",
                  selective=False)
    assert np.array_equal(Agent(shop, off, 4).train().q, sarsa.q)


@pytest.mark.parametrize("agent", ["rsarsa-td", "prs-td"])
def test_selective_agents_that_never_ruminate_are_sarsa(agent):
    # eta = kappa |Q(s, a)| huge: every TD error is "small", beta = 1, no rumination
    shop = bike_shop()
    kw = dict(episodes=20, steps=200, initial=50.0)
    sarsa = Agent(shop, agent_settings("sarsa", **kw), 4).train()
    quiet = Agent(shop, agent_settings(agent, kappa=1e300, **kw), 4).train()
    assert quiet.result().ruminating_periods == 0
    assert np.array_equal(quiet.q, sarsa.q)


@pytest.mark.parametrize("kappa, same_as", [(0.0, "rsarsa"), (1e300, "prs")])
def test_prs_beta_at_the_ends_of_beta(kappa, same_as):
    # kappa = 0: beta = 0, the RSarsa step; kappa huge: beta = 1, the PRS step
    shop = bike_shop()
    kw = dict(episodes=10, steps=300, initial=50.0)
    beta_agent = Agent(shop, agent_settings("prs-beta", kappa=kappa, **kw), 8).train()
    other = Agent(shop, agent_settings(same_as, **kw), 8).train()
    assert np.array_equal(beta_agent.q, other.q)


def test_epsilon_greedy_probabilities_sum_to_one_and_match_the_formula():
    rng = np.random.default_rng(0)
    q = rng.random((5, 11))
    for row in range(5):
        for room in range(11):
            for eps in (0.0, 0.1, 0.5, 1.0):
                favourite = greedy(q, row, room)
                p = [policy_probability(b, favourite, room, eps) for b in range(room + 1)]
                assert sum(p) == pytest.approx(1.0, abs=1e-12)
                best = int(np.argmin(q[row, :room + 1]))
                assert p[best] == pytest.approx(1 - eps + eps / (room + 1))
                others = [x for b, x in enumerate(p) if b != best]
                assert np.allclose(others, eps / (room + 1))


def test_rumination_rate_is_one_for_full_and_falls_for_selective_agents():
    shop = bike_shop()
    full = Agent(shop, agent_settings("rsarsa", episodes=50, steps=200), 1).train()
    sel = Agent(shop, agent_settings("rsarsa-td", episodes=50, steps=200), 1).train()
    assert full.result().rumination_rate == 1.0
    early = Agent(shop, agent_settings("rsarsa-td", episodes=2, steps=200), 1).train()
    assert 0 < sel.result().rumination_rate < early.result().rumination_rate <= 1.0


@pytest.mark.parametrize("agent", ["prs", "rsarsa", "sarsa"])
def test_long_run_on_a_tiny_shop_approaches_the_exact_values(agent):
    shop = bike_shop(capacity=2, demand_mean=1.0, holding_cost=1.0, stockout_cost=10.0)
    exact = epsilon_greedy_values(bike_shop_mdp(shop), 0.1)
    settings = agent_settings(agent, base=recommended_settings, episodes=300,
                              steps=10_000)
    learned = Agent(shop, settings, 0).train().q
    feasible = np.isfinite(exact)
    error = np.abs(learned[feasible] - exact[feasible]) / exact[feasible]
    assert error.max() < 0.02 and error.mean() < 0.005, error


def test_prs_without_exploration_leaves_orders_it_never_takes_alone():
    # Found by the property tests: with epsilon 0, PRS weighs the orders the
    # policy never takes by 0, and their first update divided by a count of 0.
    from invlib import bike_shop
    from invlib.agents import agent_settings, recommended_settings, train
    shop = bike_shop(capacity=3, demand_mean=0.0, holding_cost=0.0,
                     stockout_cost=0.0, discount=0.0)
    result = train(shop, agent_settings("prs", base=recommended_settings, episodes=2,
                                        steps=5, epsilon=0.0), 1)
    fits = np.isfinite(result.q)
    assert np.all(result.q[fits] == 0.0)         # every cost is 0, so every value
