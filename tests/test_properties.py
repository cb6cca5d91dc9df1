"""Property-based tests (Hypothesis): random option values and model parameters,
valid and invalid, for the command line and the library's constructors.

Invalid input must give one line on standard error and exit status 2 (a
:class:`~invlib.checks.InvalidParameter` naming the parameter, in the library),
never a traceback; valid input must keep the model's invariants. The examples are
derandomised, so a failure reproduces, and kept small, so the file runs in well
under a minute.
"""
from __future__ import annotations

import io
import json
import math
import string
import tempfile
from contextlib import redirect_stderr
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invlib import bike_shop, bike_shop_mdp, start_distribution
from invlib.agents import AgentSettings
from invlib.approx import ApproxSettings
from invlib.bikeshop import BikeShop
from invlib.checks import InvalidParameter
from invlib.cli import main
from invlib.dp import TIE, evaluate_policy
from invlib.inventory import InventoryProblem
from invlib.policies import order_up_to
from invlib.rumination import AGENTS

FAST = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
FEW = settings(FAST, max_examples=8)


def cli(*argv) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        try:
            status = main([str(a) for a in argv], out=out)
        except SystemExit as exit_:            # argparse's own errors
            status = exit_.code
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(status, out, err):
    assert status == 2, (status, err)
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: strings that are not numbers (argparse must refuse them for numeric options)
junk = st.text(string.ascii_letters + string.punctuation + " ", min_size=1,
               max_size=6).filter(lambda s: not is_number(s))
not_finite = st.sampled_from(["nan", "inf", "-inf"])
negative = st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False)

SHOP_BAD = {
    "--capacity": st.one_of(st.integers(max_value=-1), st.integers(min_value=31),
                            st.sampled_from(["2.5", "1e3"]), junk),
    "--demand-mean": st.one_of(negative, not_finite, junk,
                               st.floats(5e-324, 9.99e-7)),     # too small
    "--holding-cost": st.one_of(negative, not_finite, junk),
    "--stockout-cost": st.one_of(negative, not_finite, junk),
    "--discount": st.one_of(st.floats(min_value=1, allow_nan=False,
                                      allow_infinity=False), negative, not_finite,
                            junk),
    "--holding-on": junk,
}


@FAST
@given(st.sampled_from(sorted(SHOP_BAD)), st.data())
def test_solve_refuses_bad_shop_options_in_one_line(option, data):
    value = data.draw(SHOP_BAD[option])
    assert_one_line_error(*cli("solve", option, value))


TRAIN_BAD = {
    "--episodes": st.one_of(st.integers(max_value=0),
                            st.integers(min_value=10_000_001), junk),
    "--steps": st.one_of(st.integers(max_value=0), st.integers(min_value=1_000_001),
                         junk),
    "--seed": st.one_of(st.integers(max_value=-1), junk),
    "--learning-rate": st.one_of(st.floats(max_value=0, allow_nan=False,
                                           allow_infinity=False),
                                 st.floats(min_value=1.0001, allow_nan=False,
                                           allow_infinity=False), not_finite, junk),
    "--epsilon": st.one_of(negative, st.floats(min_value=1.0001, allow_nan=False,
                                               allow_infinity=False),
                           not_finite, junk),
    "--kappa": st.one_of(negative, not_finite, junk),
    "--agent": junk,
    **SHOP_BAD,
}


@FAST
@given(st.sampled_from(sorted(TRAIN_BAD)), st.data())
def test_train_refuses_bad_options_in_one_line(option, data):
    value = data.draw(TRAIN_BAD[option])
    assert_one_line_error(*cli("train", option, value, "--episodes", "1", "--steps",
                               "5") if option not in ("--episodes", "--steps")
                          else cli("train", option, value))


@FAST
@given(st.sampled_from([a for a, (_, rumination, _) in AGENTS.items()
                        if rumination != "none"]))
def test_train_refuses_the_articles_scheme_for_ruminative_agents(agent):
    status, out, err = cli("train", "--agent", agent, "--article")
    assert_one_line_error(status, out, err)
    assert "--article goes only with --agent qlearning or sarsa" in err


EXPERIMENT_BAD = {
    "--repetitions": st.one_of(st.integers(max_value=0), junk),
    "--jobs": st.one_of(st.integers(max_value=0), junk),
    "--episodes": st.one_of(st.integers(max_value=0), junk),
    "--periods": st.one_of(st.integers(max_value=0), junk),
    "--seed": st.one_of(st.integers(max_value=-1), junk),
    "--problem": junk,
    "--agents": junk,
}


@FAST
@given(st.sampled_from(sorted(EXPERIMENT_BAD)), st.data())
def test_experiment_refuses_bad_options_in_one_line(option, data):
    value = data.draw(EXPERIMENT_BAD[option])
    with tempfile.TemporaryDirectory() as folder:
        assert_one_line_error(*cli("experiment", "--out", folder, "--no-progress",
                                   option, value))
        assert not any(Path(folder).iterdir())      # nothing was started


@FEW
@given(st.sampled_from(["file", "file/below", "/proc/invlib"]))
def test_experiment_refuses_an_out_it_cannot_use(where):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "file").write_text("a file, not a folder")
        if not where.startswith("/"):
            where = str(Path(folder) / where)
        status, out, err = cli("experiment", "--out", where, "--episodes", "1",
                               "--periods", "2", "--repetitions", "1")
        assert_one_line_error(status, out, err)
        assert "--out must be a folder" in err


shops = st.builds(
    bike_shop,
    capacity=st.integers(0, 8),
    demand_mean=st.one_of(st.just(0.0), st.floats(1e-6, 20)),
    holding_cost=st.floats(0, 50),
    stockout_cost=st.floats(0, 100),
    discount=st.floats(0, 0.99),
    holding_on=st.sampled_from(["next", "current"]))


def shop_options(shop: BikeShop) -> list[str]:
    return ["--capacity", shop.capacity, "--demand-mean", repr(shop.demand_mean),
            "--holding-cost", repr(shop.holding_cost), "--stockout-cost",
            repr(shop.stockout_cost), "--discount", repr(shop.discount),
            "--holding-on", shop.holding_on]


def feasible(shop: BikeShop, policy) -> bool:
    policy = np.asarray(policy)
    room = shop.capacity - shop.states.sum(axis=1)
    return bool(np.all((policy >= 0) & (policy <= room)))


@FAST
@given(shops)
def test_solve_keeps_the_models_invariants(shop):
    status, out, err = cli("solve", *shop_options(shop), "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    mdp = bike_shop_mdp(shop)
    # the transition rows of orders that fit are distributions; the others empty
    rows = mdp.transition.sum(axis=2)
    assert np.allclose(rows[mdp.feasible], 1, rtol=0, atol=1e-12)
    assert np.all(rows[~mdp.feasible] == 0)
    assert np.all(mdp.cost[mdp.feasible] >= 0)
    assert np.all(np.isfinite(mdp.cost[mdp.feasible]))
    # the optimal policy is feasible, its values finite and non-negative
    assert feasible(shop, data["policy"])
    value = np.array(data["value"])
    # a linear solve: a value of exactly 0 may come out as -1e-17
    assert np.all(np.isfinite(value)) and np.all(value >= -1e-12 * (1 + value.max()))
    costs = [data["average_cost"], data["order_up_to"]["best_average_cost"],
             data["order_up_to"]["capacity_average_cost"]]
    assert all(math.isfinite(c) and c >= -1e-9 for c in costs)
    # no order-up-to rule has a lower value in any state (nor from the start),
    # up to the tie rule: orders within TIE of the best count as equal, which
    # can cost TIE a day for ever
    slack = TIE / (1 - shop.discount)
    start = start_distribution(shop)
    for level in range(shop.capacity + 1):
        rule = evaluate_policy(mdp, order_up_to(shop, level))
        assert np.all(value <= rule + slack + 1e-12 * np.abs(rule))
        assert start @ value <= start @ rule + slack + 1e-12 * abs(start @ rule)


@FEW
@given(shops, st.sampled_from(sorted(AGENTS)), st.integers(1, 3), st.integers(1, 40),
       st.floats(0, 1), st.floats(0.01, 1), st.floats(0, 10), st.integers(0, 2**32))
def test_train_gives_a_feasible_policy_and_finite_costs(
        shop, agent, episodes, steps, epsilon, learning_rate, kappa, seed):
    status, out, err = cli("train", *shop_options(shop), "--agent", agent,
                           "--episodes", episodes, "--steps", steps, "--epsilon",
                           repr(epsilon), "--learning-rate", repr(learning_rate),
                           "--kappa", repr(kappa), "--seed", seed, "--json",
                           "--no-progress")
    assert status == 0, err
    data = json.loads(out)
    assert data["agent"] == agent and data["steps"] == episodes * steps
    assert feasible(shop, data["policy"])
    for key in ("average_cost", "optimal_average_cost", "learning_cost"):
        assert math.isfinite(data[key]) and data[key] >= -1e-9
    if "rumination_rate" in data:
        assert 0 <= data["rumination_rate"] <= 1


@FEW
@given(st.sampled_from(["P1", "P2", "P3"]),
       st.lists(st.sampled_from(sorted(AGENTS)), min_size=1, max_size=2, unique=True),
       st.integers(1, 6), st.integers(0, 1000))
def test_experiment_gives_finite_means_and_termination_rates(problem, agents,
                                                             periods, seed):
    with tempfile.TemporaryDirectory() as folder:
        status, out, err = cli("experiment", "--problem", problem, "--agents",
                               *agents, "--episodes", "2", "--periods", periods,
                               "--repetitions", "1", "--seed", seed, "--out",
                               folder, "--no-progress", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert set(data["agents"]) == set(agents)
    for row in data["agents"].values():
        assert 0 <= row["termination_rate"] <= 1
        assert row["early_mean"] is not None and math.isfinite(row["early_mean"])
        assert row["early_mean"] >= 0


finite = st.floats(allow_nan=False, allow_infinity=False)
BAD_FIELDS = [
    (BikeShop, "capacity", st.one_of(st.integers(max_value=-1),
                                     st.integers(min_value=31), st.floats(0.1, 0.9))),
    (BikeShop, "demand_mean", st.one_of(negative, st.just(math.nan),
                                        st.just(math.inf))),
    (BikeShop, "discount", st.one_of(st.floats(min_value=1), negative)),
    (BikeShop, "holding_on", st.text(max_size=5)),
    (AgentSettings, "episodes", st.integers(max_value=0)),
    (AgentSettings, "epsilon", st.one_of(negative, st.floats(min_value=1.001))),
    (AgentSettings, "learning_rate", st.one_of(st.floats(max_value=0),
                                               st.floats(min_value=1.001))),
    (AgentSettings, "kappa", negative),
    (AgentSettings, "target", st.text(max_size=5)),
    (InventoryProblem, "lead_time", st.integers(max_value=0)),
    (InventoryProblem, "K", negative),
    (InventoryProblem, "discount", st.one_of(st.floats(min_value=1), negative)),
    (InventoryProblem, "u_max", st.floats(max_value=0)),
    (InventoryProblem, "periods", st.integers(max_value=0)),
    (InventoryProblem, "x_range", st.tuples(finite, finite).filter(
        lambda r: r[0] >= r[1])),
    (ApproxSettings, "n_tilings", st.integers(max_value=0)),
    (ApproxSettings, "epsilon", st.one_of(negative, st.floats(min_value=1.001))),
    (ApproxSettings, "tiles", st.lists(st.integers(max_value=0), min_size=1,
                                       max_size=3).map(tuple)),
]


@FAST
@given(st.sampled_from(range(len(BAD_FIELDS))), st.data())
def test_constructors_name_the_bad_parameter_in_one_line(which, data):
    make, field, values = BAD_FIELDS[which]
    value = data.draw(values)
    with pytest.raises(InvalidParameter) as err:
        make(**{field: value})
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(field.split("_range")[0]) or field in message, message


@FAST
@given(shops)
def test_a_valid_shop_round_trips_its_parameters(shop):
    again = BikeShop(shop.capacity, shop.demand_mean, shop.holding_cost,
                     shop.stockout_cost, shop.discount, shop.holding_on)
    assert again == shop and len(shop.states) == (shop.capacity + 1) * (
        shop.capacity + 2) // 2
