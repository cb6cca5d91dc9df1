"""The Gymnasium environments and the exact score of any policy."""
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import invlib.envs  # noqa: F401  (registers the environments)
from invlib import bike_shop, one_day
from invlib.approx import draw_environment, make_problem
from invlib.checks import InvalidParameter
from invlib.inventory import step
from invlib.policies import order_up_to
from invlib.scoring import benchmark, exact_score, greedy_orders

IDS = ["invlib/BikeShop-v0", "invlib/Inventory-P1-v0", "invlib/Inventory-P2-v0",
       "invlib/Inventory-P3-v0"]


@pytest.fixture(scope="module")
def bench():
    return benchmark(bike_shop())


def order_table(shop, policy):
    table = np.zeros((shop.capacity + 1, shop.capacity + 1), dtype=np.int64)
    table[shop.states[:, 0], shop.states[:, 1]] = policy
    return table


@pytest.mark.parametrize("env_id", IDS)
def test_every_environment_passes_gymnasiums_checkers(env_id):
    check_env(gym.make(env_id).unwrapped, skip_render_check=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # the passive checker only warns
        env = gym.make(env_id)               # wrapped in the passive checker
        env.reset(seed=3)
        for _ in range(300):
            obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            assert env.observation_space.contains(obs) and np.isfinite(reward)
            if terminated or truncated:
                env.reset()


def test_bike_shop_takes_every_option_and_steps_by_the_one_day_function():
    env = gym.make("invlib/BikeShop-v0", capacity=6, demand_mean=2.5, holding_cost=3,
                   stockout_cost=7, discount=0.8, holding_on="current", max_days=40)
    shop = env.unwrapped.shop
    assert shop == bike_shop(6, 2.5, 3, 7, 0.8, "current")
    assert env.action_space == gym.spaces.Discrete(7)
    obs, info = env.reset(seed=11)
    for day in range(40):
        mask = info["action_mask"]
        room = 6 - obs.sum()
        assert mask.tolist() == [1] * (room + 1) + [0] * (6 - room)
        order = day % 7
        state = tuple(int(v) for v in obs)
        obs, reward, terminated, truncated, info = env.step(order)
        placed = min(order, room)            # an order that does not fit is clipped
        assert info["order"] == placed
        (left, arriving), cost = one_day(shop, state, placed, info["demand"])
        assert tuple(obs) == (left, arriving) and reward == -cost
        assert not terminated and truncated == (day == 39)


def test_a_seed_fixes_the_episode():
    def episode(seed):
        env = gym.make("invlib/BikeShop-v0", max_days=50)
        obs, _ = env.reset(seed=seed)
        seen = [tuple(obs)]
        for day in range(50):
            obs, reward, *_ = env.step(day % 11)
            seen.append((tuple(obs), reward))
        return seen
    assert episode(5) == episode(5) and episode(5) != episode(6)
    env = gym.make("invlib/BikeShop-v0", start=(2, 3))
    assert tuple(env.reset(seed=0)[0]) == (2, 3)


@pytest.mark.parametrize("options, words", [
    ({"capacity": 31}, "capacity must be an integer in [0, 30]"),
    ({"demand_mean": -1}, "demand_mean must be 0 or a finite number in [1e-06, inf)"),
    ({"max_days": 0}, "max_days must be an integer in [1, inf)"),
    ({"start": (7, 5)}, "start on_order must be an integer in [0, 3]"),
    ({"start": 4}, "start must be None"),
])
def test_bad_options_are_named(options, words):
    with pytest.raises(InvalidParameter, match=None) as err:
        gym.make("invlib/BikeShop-v0", **options)
    assert words in str(err.value)


def test_mean_reward_of_the_optimal_policy_is_the_exact_cost(bench):
    # one long episode; batch means give a 95% interval for the cost per day
    env = gym.make("invlib/BikeShop-v0", max_days=100_000)
    table = order_table(bench.shop, bench.optimal_policy)
    obs, _ = env.reset(seed=2026)
    costs = np.empty(100_000)
    for day in range(len(costs)):
        obs, reward, _, truncated, _ = env.step(table[obs[0], obs[1]])
        costs[day] = -reward
    assert truncated
    batches = costs.reshape(50, -1).mean(axis=1)
    half = 2.01 * batches.std(ddof=1) / np.sqrt(len(batches))
    assert abs(costs.mean() - bench.optimal_cost) < half
    assert half < 0.15                      # and the interval is informative


@pytest.mark.parametrize("name", ["P1", "P2", "P3"])
def test_problem_episodes_are_the_learners_episodes(name):
    problem = make_problem(name)
    expected = draw_environment(problem, np.random.default_rng(17))
    env = gym.make(f"invlib/Inventory-{name}-v0")
    obs, info = env.reset(seed=17)
    x, pipeline = info["state"]
    assert np.allclose((x, *pipeline), expected.starts[0], rtol=0, atol=0)
    state, rng = info["state"], np.random.default_rng(1)
    for t in range(problem.periods):
        action = int(rng.integers(len(problem.actions)))
        obs, reward, terminated, truncated, info = env.step(action)
        assert info["demand"] == expected.demands[0, t]
        again = step(problem, state, problem.actions[action], info["demand"])
        assert info["state"] == again.state and info["cost"] == again.cost
        assert reward == -(again.cost + problem.discount * again.terminal_cost)
        assert terminated == again.terminated
        assert env.observation_space.contains(obs)
        if terminated:
            assert info["terminal_cost"] > 0
            break
        assert truncated == (t == problem.periods - 1)
        state = info["state"]
    if name == "P2":
        assert env.observation_space.shape == (1,)


def test_problem_episodes_can_run_to_their_length():
    env = gym.make("invlib/Inventory-P1-v0", periods=30)
    obs, _ = env.reset(seed=0)
    for _ in range(30):               # order 10 (index 5): the mean demand, kept level
        obs, reward, terminated, truncated, info = env.step(5)
        assert not terminated
    assert truncated
    with pytest.raises(InvalidParameter, match="action must be an index in 0..20"):
        env.step(21)


def test_exact_score_agrees_however_the_policy_is_given(bench):
    shop = bench.shop
    policy = order_up_to(shop, 7)
    table = order_table(shop, policy)
    by_array = exact_score(bench, policy)
    by_function = exact_score(shop, lambda obs: table[obs[0], obs[1]])
    assert by_array.average_cost == by_function.average_cost
    assert by_array.average_cost == pytest.approx(16.823, abs=5e-4)  # chapter 2
    assert by_array.gap == pytest.approx(16.823 / 16.183 - 1, abs=1e-4)
    assert exact_score(bench, bench.optimal_policy).gap == pytest.approx(0, abs=1e-12)

    # a Q-table of rewards, in both layouts, and the same table as costs
    rng = np.random.default_rng(0)
    q = rng.normal(size=(len(shop.states), shop.capacity + 1))
    cube = np.full((11, 11, 11), np.nan)
    cube[shop.states[:, 0], shop.states[:, 1]] = q
    fits = np.arange(11)[None, :] <= 10 - shop.states.sum(axis=1)[:, None]
    expected = np.where(fits, q, -np.inf).argmax(axis=1)
    assert (greedy_orders(shop, q, "rewards") == expected).all()
    assert (greedy_orders(shop, cube, "rewards") == expected).all()
    assert (greedy_orders(shop, -q, "costs") == expected).all()
    assert exact_score(bench, q_table=q, values="rewards").average_cost == \
        exact_score(bench, expected).average_cost


@pytest.mark.parametrize("call, words", [
    (lambda b: exact_score(b, lambda obs: 10),
     "policy orders 10 in state (0, 1), where orders 0..9 fit (capacity 10); "
     "65 of 66 states have such an order"),
    (lambda b: exact_score(b, lambda obs: 0.5), "policy must return a whole number"),
    (lambda b: exact_score(b, np.zeros(5)), "one order per state (66)"),
    (lambda b: exact_score(b, q_table=np.zeros((66, 11))), "values must be 'rewards'"),
    (lambda b: exact_score(b, q_table=np.zeros((66, 11)), values="utility"),
     "values must be one of 'rewards', 'costs'"),
    (lambda b: exact_score(b, q_table=np.zeros((10, 11)), values="costs"),
     "q_table must have shape (66, 11) or (11, 11, 11)"),
    (lambda b: exact_score(b, q_table=np.full((66, 11), np.nan), values="costs"),
     "q_table holds NaN"),
    (lambda b: exact_score(b), "give exactly one of policy and q_table"),
])
def test_a_policy_that_cannot_be_scored_is_named(bench, call, words):
    with pytest.raises(InvalidParameter) as err:
        call(bench)
    assert words in str(err.value) and "\n" not in str(err.value)
