"""The model: one day worked out by hand, and clear errors for bad parameters."""
import math

import numpy as np
import pytest

from invlib import BikeShop, InvalidParameter, bike_shop, one_day, random_start
from invlib.bikeshop import start_distribution


@pytest.mark.parametrize("demand, next_state, cost", [
    (0, (5, 1), 8 * 5),          # nobody came: 5 bikes held overnight
    (4, (1, 1), 8 * 1),          # one bike left
    (5, (0, 1), 0.0),            # sold out exactly
    (8, (0, 1), 10 * 3),         # three customers turned away
])
def test_one_day_by_hand(demand, next_state, cost):
    shop = bike_shop()           # h = 8, p = 10, holding on the stock left tonight
    assert one_day(shop, (3, 2), 1, demand) == (next_state, cost)


def test_one_day_variant_charges_this_evenings_stock():
    shop = bike_shop(holding_on="current")
    # 3 bikes on hand tonight cost 3 * 8 whatever happens; 8 customers, 5 bikes.
    assert one_day(shop, (3, 2), 1, 8) == ((0, 1), 3 * 8 + 10 * 3)
    assert one_day(shop, (3, 2), 1, 0) == ((5, 1), 3 * 8)


def test_states_and_index_agree():
    shop = bike_shop(capacity=4)
    states = shop.states
    assert len(states) == 5 * 6 // 2
    assert (states.sum(axis=1) <= 4).all()
    for i, (a, b) in enumerate(states):
        assert shop.state_index[a, b] == i
    a, b = np.indices((5, 5))
    assert (shop.state_index[a + b > 4] == -1).all()


def test_start_distribution_is_the_articles_draw():
    shop = bike_shop(capacity=3)
    p = start_distribution(shop)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    rng = np.random.default_rng(7)
    draws = [random_start(shop, rng) for _ in range(40_000)]
    freq = np.array([draws.count(tuple(s)) for s in shop.states]) / len(draws)
    assert np.abs(freq - p).max() < 0.01


DEMAND_RANGE = "demand_mean must be 0 or a finite number in [1e-06, inf)"


@pytest.mark.parametrize("kwargs, words", [
    ({"capacity": -1}, "capacity must be an integer in [0, 30], got -1"),
    ({"capacity": 2.5}, "capacity must be an integer in [0, 30]"),
    ({"demand_mean": -0.5}, DEMAND_RANGE),
    ({"demand_mean": math.nan}, DEMAND_RANGE),
    ({"demand_mean": math.inf}, "demand_mean must be 0 or a finite number"),
    ({"holding_cost": -1}, "holding_cost must be a finite number in [0, inf)"),
    ({"stockout_cost": -3}, "stockout_cost must be a finite number in [0, inf)"),
    ({"discount": 1.0}, "discount must be a finite number in [0, 1)"),
    ({"discount": -0.1}, "discount must be a finite number in [0, 1)"),
    ({"holding_on": "tomorrow"}, "holding_on must be one of 'next', 'current'"),
])
def test_bad_parameters_name_the_parameter_and_range(kwargs, words):
    with pytest.raises(InvalidParameter) as err:
        BikeShop(**kwargs)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_one_day_rejects_orders_beyond_capacity():
    with pytest.raises(InvalidParameter, match=r"order must be an integer in \[0, 5\]"):
        one_day(bike_shop(), (3, 2), 6, 0)
    with pytest.raises(ValueError, match="outside the shop"):
        one_day(bike_shop(), (8, 5), 0, 0)
