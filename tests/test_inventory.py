"""The periodic-review model: periods worked by hand, termination and its cost,
the many-orders path, the problems' settings, and clear errors."""
import numpy as np
import pytest

from invlib import InvalidParameter
from invlib.demand import GarchDemand, NormalDemand
from invlib.inventory import (
    ACTIONS,
    BOXES,
    InventoryProblem,
    observe,
    period_kernel,
    problem_p1,
    problem_p2,
    problem_p3,
    start_state,
    step,
    step_many_orders,
)


@pytest.mark.parametrize("state, order, demand, x2, cost", [
    # K=10, c=2, h=1, p=10. x' = 5 + 8 - 9.5 = 3.5; 10 + 2*20 + 1*3.5 = 53.5
    ((5.0, (8.0,)), 20, 9.5, 3.5, 53.5),
    # no order: x' = 2 + 0 - 12 = -10 short; 10 * 10 = 100, no setup
    ((2.0, (0.0,)), 0, 12.0, -10.0, 100.0),
    # x' = 0 exactly: only the order costs, 10 + 2*2 = 14
    ((-4.0, (10.0,)), 2, 6.0, 0.0, 14.0),
])
def test_one_period_by_hand(state, order, demand, x2, cost):
    result = step(problem_p1(), state, order, demand)
    assert result.state == (x2, (float(order),))
    assert result.cost == pytest.approx(cost, abs=1e-12)
    assert not result.terminated and result.terminal_cost == 0.0


def test_pipeline_shifts_with_lead_time_two():
    # u_1 = 4 arrives: x' = 10 + 4 - 3 = 11; (4, 6) becomes (6, 12); 10 + 24 + 11
    result = step(problem_p3(), (10.0, (4.0, 6.0)), 12, 3.0)
    assert result.state == (11.0, (6.0, 12.0))
    assert result.cost == 45.0
    pipeline = np.array([4.0, 6.0])            # the kernel may shift in place
    out = period_kernel(10.0, pipeline, 12.0, 3.0, problem_p3().model, pipeline)
    assert out == (11.0, 45.0, False, 0.0) and pipeline.tolist() == [6.0, 12.0]


def test_leaving_below_costs_the_penalty_at_x_min_for_ever():
    # x' = -25 - 12 = -37 < -30: period cost 10 * 37; then p * 30 / (1 - 0.9)
    result = step(problem_p1(x_range=BOXES["narrow"]), (-25.0, (0.0,)), 0, 12.0)
    assert result.terminated and result.state[0] == -37.0
    assert result.cost == 370.0
    assert result.terminal_cost == pytest.approx(10 * 30 / 0.1)


def test_leaving_above_costs_holding_at_x_max_for_ever():
    # x' = 55 + 10 - 2 = 63 > 60: holding h * 60 / (1 - 0.9) = 600
    result = step(problem_p1(x_range=BOXES["narrow"]), (55.0, (10.0,)), 0, 2.0)
    assert result.terminated and result.cost == 63.0
    assert result.terminal_cost == pytest.approx(600.0)


def test_the_boundary_itself_is_inside():
    result = step(problem_p1(x_range=BOXES["narrow"]), (55.0, (10.0,)), 0, 5.0)
    # x' = 60 = x_max
    assert not result.terminated and result.terminal_cost == 0.0


def test_pipeline_overflow_terminates():
    problem = problem_p1(u_max=30.0, start=((0, 30), (0, 0)))
    # x' = 20 - 10 = 10 inside, but u' = 40 > 30: (h*10 + K + c*30) / 0.1 = 800
    result = step(problem, (20.0, (0.0,)), 40, 10.0)
    assert result.terminated and result.cost == 10 + 80 + 10
    assert result.terminal_cost == pytest.approx(800.0)


@pytest.mark.parametrize("problem", [problem_p1(), problem_p2(), problem_p3()])
def test_many_orders_equal_one_order_at_a_time(problem):
    rng = np.random.default_rng(4)
    for _ in range(20):
        state = start_state(problem, rng)
        demand = float(rng.uniform(0, 60))       # some of these leave the box
        many = step_many_orders(problem, state, problem.actions, demand)
        for k, order in enumerate(problem.actions):
            one = step(problem, state, order, demand)
            assert one.state == (many.x[k], tuple(many.pipeline[k]))
            assert (one.cost, one.terminated, one.terminal_cost) == \
                (many.cost[k], many.terminated[k], many.terminal_cost[k])


def test_problem_settings_are_the_specs():
    p1, p2, p3 = problem_p1(), problem_p2(), problem_p3()
    for p in (p1, p2, p3):
        assert p.actions == tuple(float(a) for a in range(0, 41, 2)) == ACTIONS
        assert p.x_range == (-1200.0, 1500.0) == BOXES["wide"]
        assert p.u_max == 40.0 and p.discount == 0.9
        assert (p.c, p.h, p.p, p.periods) == (2.0, 1.0, 10.0, 100)
    assert (p1.lead_time, p1.K, p1.episodes, p1.early_window) == (1, 10.0, 100, 2000)
    assert p1.start == ((0.0, 30.0), (0.0, 0.0)) and p1.agent_state == "full"
    assert repr(p1.new_demand()) == repr(NormalDemand(10, 3))
    assert (p2.lead_time, p2.K, p2.episodes, p2.early_window) == (1, 20.0, 100, 2000)
    assert p2.start == ((0.0, 30.0), (0.0, 20.0)) and p2.agent_state == "position"
    assert repr(p2.new_demand()) == repr(NormalDemand(10, 5))
    assert (p3.lead_time, p3.K, p3.episodes, p3.early_window) == (2, 10.0, 200, 4000)
    assert p3.start == ((0.0, 30.0), (0.0, 0.0), (0.0, 20.0)) and p3.agent_state == "full"
    assert repr(p3.new_demand()) == repr(GarchDemand())
    assert problem_p2(K=5).K == 5.0 and problem_p2(K=5).agent_state == "position"


def test_start_states_are_uniform_on_the_specs_intervals():
    problem = problem_p3()
    rng = np.random.default_rng(12)
    starts = [start_state(problem, rng) for _ in range(2000)]
    x = np.array([s[0] for s in starts])
    u = np.array([s[1] for s in starts])
    assert 0 <= x.min() and x.max() <= 30 and abs(x.mean() - 15) < 0.5
    assert (u[:, 0] == 0).all() and 0 <= u[:, 1].min() and u[:, 1].max() <= 20
    # L + 1 = 3 uniforms per start, fixed components included
    again = np.random.default_rng(12).uniform(size=3)
    assert starts[0] == (30 * again[0], (0.0, 20 * again[2]))


def test_what_the_learner_sees():
    assert observe(problem_p2(), (3.0, (7.5,))).tolist() == [10.5]
    assert observe(problem_p3(), (3.0, (7.5, 2.0))).tolist() == [3.0, 7.5, 2.0]
    low, high = problem_p2().observation_bounds
    assert low.tolist() == [-1200.0] and high.tolist() == [1540.0]
    low, high = problem_p3(x_range=BOXES["narrow"]).observation_bounds
    assert low.tolist() == [-30, 0, 0] and high.tolist() == [60, 40, 40]


@pytest.mark.parametrize("call, words", [
    (lambda: step(problem_p1(), (5.0, (0.0,)), 3, 1.0),
     "order must be one of the problem's actions (0, 2, 4,"),
    (lambda: step(problem_p1(), (5.0, (0.0,)), 3, 1.0), "38, 40), got 3"),
    (lambda: step(problem_p1(), (5.0, (0.0,)), -2, 1.0),
     "order must be a finite number in [0, inf)"),
    (lambda: step(problem_p1(), (5.0, (0.0,)), 2, -1.0),
     "demand must be a finite number in [0, inf), got -1.0"),
    (lambda: step(problem_p1(), (1570.0, (0.0,)), 2, 1.0),
     "x must be a finite number in [-1,200, 1,500], got 1570.0"),
    (lambda: step(problem_p3(), (5.0, (0.0, 50.0)), 2, 1.0),
     "u2 must be a finite number in [0, 40], got 50.0"),
    (lambda: step(problem_p3(), (5.0, (0.0,)), 2, 1.0),
     "state's pipeline must hold lead_time = 2 orders, got 1"),
    (lambda: step(problem_p1(), 5.0, 2, 1.0), "state must be (x, (u_1, ..., u_L))"),
    (lambda: step_many_orders(problem_p1(), (5.0, (0.0,)), [0, 2, 5], 1.0),
     "actions (0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, "
     "38, 40), got 5"),
    (lambda: step_many_orders(problem_p1(), (5.0, (0.0,)), [[0, 2]], 1.0),
     "orders must be a flat list, got shape (1, 2)"),
    (lambda: start_state(problem_p1(), 3), "rng must be a numpy.random.Generator"),
    (lambda: problem_p1(lead_time=0), "lead_time must be an integer in [1, inf), got 0"),
    (lambda: problem_p1(lead_time=2), "start must hold L + 1 = 3 intervals"),
    (lambda: problem_p1(discount=1.0), "discount must be a finite number in [0, 1)"),
    (lambda: problem_p1(h=-1), "h must be a finite number in [0, inf), got -1"),
    (lambda: problem_p1(actions=(0, 4, 2)), "actions must be a non-empty, strictly"),
    (lambda: problem_p1(actions=(0, -2)),
     "actions[1] must be a finite number in [0, inf)"),
    (lambda: problem_p1(x_range=(10, -10)), "x_range must have x_min < x_max"),
    (lambda: problem_p1(u_max=0), "u_max must be a finite number in (0, inf)"),
    (lambda: problem_p1(x_range=(-30, 60), start=((0, 70), (0, 0))),
     "start[0] must be an interval low <= high inside [-30, 60]"),
    (lambda: problem_p1(start=((0, 30), 5)), "start[1] must be a pair (low, high)"),
    (lambda: problem_p1(early_window=20_000),
     "early_window must be an integer in [1, 10,000], got 20000"),
    (lambda: problem_p1(agent_state="y"),
     "agent_state must be one of 'full', 'position'"),
    (lambda: problem_p1(demand="poisson"), "demand must be one of 'normal', 'garch'"),
    (lambda: problem_p3(demand_params=(3, 1.0)),
     "phi1 must be a finite number in (-1, 1)"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(InvalidParameter) as info:
        call()
    assert words in str(info.value)


def test_problem_is_frozen():
    with pytest.raises(AttributeError):
        problem_p1().K = 3
    assert isinstance(problem_p1(), InventoryProblem)
