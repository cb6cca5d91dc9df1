"""Q-learning and SARSA: the compiled loop against plain-Python restatements of
the same algorithms, with and without the JIT, and learning that really learns."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from invlib import (
    InvalidParameter,
    average_cost,
    bike_shop,
    bike_shop_mdp,
    policy_iteration,
)
from invlib.agents import Agent, AgentSettings, article_settings, train
from invlib.bikeshop import one_day
from invlib.td import choose


def replay_article(shop, q, starts, uniforms, cdf, settings):
    """The article's scheme in plain Python on the agent's own random numbers:
    act on the table frozen at the start of each episode, then apply the episode's
    transitions in order with the Q-learning update."""
    states = [tuple(s) for s in shop.states]
    q = q.copy()
    eps, lr, g = settings.epsilon, settings.learning_rate, shop.discount

    def choose(table, s, u):
        room = shop.capacity - sum(states[s])
        if u < eps:
            return min(int(u / eps * (room + 1)), room)
        return int(np.argmin(table[s, :room + 1]))

    for e, s in enumerate(starts):
        frozen = q.copy()
        memory = []
        a = choose(frozen, s, uniforms[e, 0, 0])
        for t in range(uniforms.shape[2] - 1):
            demand = int(np.searchsorted(cdf, uniforms[e, 1, t], side="right"))
            nxt, cost = one_day(shop, states[s], a, demand)
            s2 = states.index(nxt)
            memory.append((s, a, cost, s2))
            s, a = s2, choose(frozen, s2, uniforms[e, 0, t + 1])
        for s, a, cost, s2 in memory:
            q[s, a] += lr * (cost + g * np.min(q[s2]) - q[s, a])
    return q


def test_article_scheme_matches_a_plain_python_restatement():
    shop = bike_shop(capacity=4, demand_mean=2.0)
    settings = article_settings(episodes=3, steps=40)
    agent = Agent(shop, settings, 5)
    q0 = agent.q.copy()
    rng_state = agent.rng.bit_generator.state
    starts, uniforms, _ = agent._draw(3)
    agent.rng.bit_generator.state = rng_state
    agent.train()
    expected = replay_article(shop, q0, starts, uniforms, agent._cdf, settings)
    assert np.allclose(agent.q, expected, rtol=0, atol=1e-12)


def test_training_in_pieces_equals_training_at_once():
    shop = bike_shop()
    s = article_settings(episodes=20, steps=100)
    whole = Agent(shop, s, 3).train()
    pieces = Agent(shop, s, 3).train(7).train(13)
    assert np.array_equal(whole.q, pieces.q)
    assert np.array_equal(np.concatenate(whole.episode_costs),
                          np.concatenate(pieces.episode_costs))


def test_same_seed_same_table_and_other_seed_other_table():
    s = AgentSettings(episodes=5, steps=200)
    a, b, c = (train(bike_shop(), s, seed).q for seed in (1, 1, 2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


SCRIPT = """
import json, numpy as np
from invlib import bike_shop
from invlib.agents import AgentSettings, article_settings, train
out = {}
for name, s in [("article", article_settings(episodes=4, steps=50)),
                ("sarsa", AgentSettings(episodes=4, steps=50, target="sarsa",
                                        step_power=0.7, learning_rate=1.0)),
                ("shared", AgentSettings(episodes=4, steps=50, share_position=True))]:
    out[name] = train(bike_shop(), s, 11).q.tolist()
print(json.dumps(out))
"""


def test_compiled_and_plain_python_give_the_same_tables():
    runs = {}
    for jit in ("0", "1"):
        env = {**os.environ, "NUMBA_DISABLE_JIT": jit}
        out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True,
                             capture_output=True, text=True)
        runs[jit] = json.loads(out.stdout.replace("Infinity", "1e999"))
    for name in runs["0"]:
        assert np.array_equal(np.array(runs["0"][name]), np.array(runs["1"][name])), name


@pytest.mark.parametrize("room, epsilon", [(0, 0.1), (4, 0.1), (10, 0.3), (3, 1.0)])
def test_epsilon_greedy_probabilities(room, epsilon):
    # exact frequencies over an even grid of uniforms
    q = np.zeros((1, 11))
    q[0, :room + 1] = np.arange(room + 1)          # the greedy order is 0
    n = 200_000
    u = (np.arange(n) + 0.5) / n
    counts = np.bincount([choose(q, 0, room, x, epsilon) for x in u], minlength=room + 1)
    expected = np.full(room + 1, epsilon / (room + 1))
    expected[0] += 1 - epsilon
    assert counts.sum() == n
    assert np.allclose(counts / n, expected, atol=2 / n)


def test_settings_are_checked():
    with pytest.raises(InvalidParameter,
                       match=r"epsilon must be a finite number in \[0, 1\]"):
        AgentSettings(epsilon=1.5)
    with pytest.raises(InvalidParameter,
                       match=r"learning_rate must be a finite number in \(0, 1\]"):
        AgentSettings(learning_rate=0)
    with pytest.raises(InvalidParameter, match="target must be one of"):
        AgentSettings(target="td")
    with pytest.raises(InvalidParameter, match="episodes must be an integer"):
        AgentSettings(episodes=0)


@pytest.fixture(scope="module")
def article_optimum():
    shop = bike_shop()
    mdp = bike_shop_mdp(shop)
    return shop, mdp, average_cost(mdp, policy_iteration(mdp).policy)


def test_article_scheme_learns_but_stays_short_of_the_optimum(article_optimum):
    shop, mdp, best = article_optimum
    gaps = [average_cost(mdp, train(shop, article_settings(), seed).policy) / best - 1
            for seed in range(5)]
    never = 40.0 / best - 1          # ordering nothing costs p * lambda per day
    assert max(gaps) < 0.25 < never  # it learned something
    assert np.median(gaps) > 0.01    # but not the optimum (seeds 0-4)


def test_decaying_steps_reach_the_optimum_within_one_percent(article_optimum):
    shop, mdp, best = article_optimum
    s = AgentSettings(learning_rate=1.0, step_power=0.7)
    gaps = [average_cost(mdp, train(shop, s, seed).policy) / best - 1
            for seed in range(5)]
    assert np.median(gaps) < 0.01
