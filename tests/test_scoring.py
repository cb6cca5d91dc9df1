"""Scoring learned agents against the exact optimum."""
import numpy as np
import pytest

from invlib import bike_shop
from invlib.agents import Agent, recommended_settings
from invlib.dp import epsilon_greedy_values
from invlib.scoring import (
    benchmark,
    learning_curve,
    seed_sweep,
    seed_sweeps,
    steps_to_reach,
    training_trace,
    value_error,
)


@pytest.fixture(scope="module")
def bench():
    return benchmark(bike_shop())


def test_optimal_policy_has_zero_gap(bench):
    assert bench.gap(bench.optimal_policy) == pytest.approx(0.0, abs=1e-12)
    assert bench.optimal_cost == pytest.approx(16.18302090869603, rel=1e-12)


def test_value_error_is_zero_for_exact_values_and_scales(bench):
    exact = epsilon_greedy_values(bench.mdp, 0.1)
    tables = np.stack([exact, 1.1 * exact, 0.8 * exact])
    assert value_error(bench, tables) == pytest.approx([0.0, 0.1, 0.2], abs=1e-12)


def test_learning_curve_ends_where_one_training_ends(bench):
    settings = recommended_settings(episodes=30, steps=500)
    steps, gaps = learning_curve(bench, settings, 2, every=7)
    whole = Agent(bench.shop, settings, 2).train()
    assert steps[-1] == 30 * 500 and len(steps) == 1 + 5     # 7+7+7+7+2
    assert gaps[-1] == pytest.approx(bench.gap(whole.policy), abs=0)
    trace = training_trace(bench, settings, 2, every=7)
    assert np.array_equal(trace["gaps"], gaps)
    sweep = seed_sweep(bench, settings, [2])
    assert np.array_equal(sweep.policies[0], whole.policy)


def test_traced_sweep_is_the_same_training_on_any_cluster(bench):
    settings = recommended_settings(episodes=12, steps=300, rumination="all")
    plain = seed_sweep(bench, settings, [3, 5])
    other = recommended_settings(episodes=4, steps=300)
    traced = {}
    for cluster in ("serial", "local:2"):
        both = seed_sweeps(bench, {"ruminating": settings, "other": other}, [3, 5],
                           every={"ruminating": 5, "other": None}, cluster=cluster)
        assert both["other"].curves is None
        assert np.array_equal(both["other"].tables,
                              seed_sweep(bench, other, [3, 5]).tables)
        traced[cluster] = both["ruminating"]
    for sweep in traced.values():
        for field in ("gaps", "policies", "episode_costs", "tables",
                      "rumination_rates", "imagined_per_day"):
            assert np.array_equal(getattr(sweep, field), getattr(plain, field))
        assert np.array_equal(sweep.steps, [0, 1500, 3000, 3600])
        assert np.array_equal(sweep.curves, traced["serial"].curves)
        assert np.array_equal(sweep.rate_curves, traced["serial"].rate_curves)
    trace = training_trace(bench, settings, 5, every=5)
    assert np.array_equal(traced["serial"].curves[1], trace["gaps"])
    unscored = seed_sweep(bench, settings, [5], every=5, score=False)
    assert np.isnan(unscored.curves).all()
    assert np.array_equal(unscored.rate_curves[0], trace["rumination_rates"])


@pytest.mark.parametrize("gaps, expected", [
    ([0.5, 0.2, 0.005, 0.002], 20.0),       # stays within 1% from the third point
    ([0.5, 0.005, 0.02, 0.001], 30.0),      # dips, leaves, then stays
    ([0.5, 0.3, 0.2, 0.02], np.inf),        # never
    ([0.001, 0.002, 0.0, 0.0], 0.0),        # from the start
])
def test_steps_to_reach(gaps, expected):
    assert steps_to_reach(np.array([0, 10, 20, 30]), np.array(gaps)) == expected
