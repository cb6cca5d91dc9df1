"""Tile-coded SARSA family: the compiled loop against a plain-Python restatement,
the tabular special case, the cases that must coincide, reproducibility, and the
check that agents do not learn to leave the box."""
from dataclasses import replace

import numpy as np
import pytest

from invlib import InvalidParameter
from invlib.approx import (
    AgentDraws,
    Environment,
    approx_settings,
    arrival_parts,
    draw_agent,
    draw_environment,
    estimate,
    learn,
    locate,
    locate_point,
    locate_shared,
    make_problem,
    order_parts,
    play,
    row_sum,
    starting_value,
    train,
    values,
)
from invlib.approx import replay as replay_orders
from invlib.inventory import BOXES, observe, period_kernel, step
from invlib.rumination import AGENTS
from invlib.tiles import TileCoder, update

FAMILY = ["sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td", "prs-td"]


def setup(name, agent, seed=0, **changes):
    problem = make_problem(name, **changes)
    settings = approx_settings(agent, name)
    env = draw_environment(problem, np.random.default_rng(seed))
    return problem, settings, env, draw_agent(problem, settings,
                                              np.random.default_rng(seed + 1))


def copy(draws: AgentDraws) -> AgentDraws:
    coder = TileCoder(draws.coder.lower, draws.coder.upper, draws.coder.tiles,
                      draws.coder.n_tilings, np.random.default_rng(0))
    coder.fractions[:] = draws.coder.fractions
    coder.weights[:] = draws.coder.weights
    return AgentDraws(coder, draws.uniforms.copy(), draws.extra.copy())


def restate(problem, settings, env, draws):
    """The whole family in plain Python on the tile coder: SARSA's update of the
    period played, then, if the agent ruminates, the same update of every other
    order in turn, weighted as the agent prescribes. Returns the weights and the
    costs of the periods played."""
    coder = copy(draws).coder
    actions, m = problem.actions, len(problem.actions)
    eps, g, lr = settings.epsilon, problem.discount, settings.learning_rate

    def point(state, k):
        return np.array([*observe(problem, state), actions[k]])

    def q(state, k):
        return coder.estimate(point(state, k))

    def all_q(state):
        return np.array([q(state, k) for k in range(m)])

    def choose(state, u):
        return min(int(u / eps * m), m - 1) if u < eps else int(np.argmin(all_q(state)))

    def target(tr, u):
        """The target of a transition, and the next order (None at a termination)."""
        if tr.terminated:
            return tr.cost + g * tr.terminal_cost, None
        b2 = choose(tr.state, u)
        best = q(tr.state, b2) if settings.target == "sarsa" else all_q(tr.state).min()
        return tr.cost + g * best, b2

    def learn_(state, k, tgt, rate):
        update(coder.layout, coder.weights, point(state, k), tgt, rate)

    costs = []
    for e, start in enumerate(env.starts):
        state = (start[0], tuple(start[1:]))
        a = choose(state, draws.uniforms[e, 0])
        for t, demand in enumerate(env.demands[e]):
            tr = step(problem, state, actions[a], demand)
            costs.append(tr.cost)
            tgt, a2 = target(tr, draws.uniforms[e, t + 1])
            q_sa = q(state, a)
            learn_(state, a, tgt, lr)
            if settings.rumination != "none":
                eta = settings.kappa * abs(q_sa)
                beta = np.exp(-abs(tgt - q_sa) / eta) if eta > 0 else 0.0
                if not settings.selective or draws.extra[e, t, 0] < 1 - beta:
                    favourite = int(np.argmin(all_q(state)))
                    for b in range(m):
                        if b == a:
                            continue
                        tb = step(problem, state, actions[b], demand)
                        pi = eps / m + (1 - eps) * (b == favourite)
                        weight = {"all": 1.0, "policy": pi,
                                  "beta": (1 - beta) + beta * pi}[settings.rumination]
                        learn_(state, b, target(tb, draws.extra[e, t, 1 + b])[0],
                               lr * weight)
            if tr.terminated:
                break
            state, a = tr.state, a2
    return coder.weights, np.array(costs)


@pytest.mark.parametrize("agent", list(AGENTS))
@pytest.mark.parametrize("name, initial", [("P1", 0.0), ("P2", None), ("P3", None)])
def test_compiled_loop_matches_the_restatement(name, initial, agent):
    # P1 from Q = 0 ends episodes early (the termination path); P2 and P3 from the
    # book's start run whole episodes (and P2's agent sees only the position)
    # (P1 in the narrow box, so that leaving it is quick)
    box = {"x_range": BOXES["narrow"]} if name == "P1" else {}
    problem = make_problem(name, episodes=3, periods=25, early_window=10, **box)
    settings = approx_settings(agent, name, problem, kappa=0.5)
    if initial is not None:
        settings = replace(settings, initial=initial)
    env = draw_environment(problem, np.random.default_rng(3))
    draws = draw_agent(problem, settings, np.random.default_rng(4))
    weights, costs = restate(problem, settings, env, draws)
    run = play(problem, settings, env, draws)
    assert np.allclose(run.weights, weights, rtol=1e-12, atol=1e-9)
    assert np.allclose(run.costs, costs, rtol=1e-12)
    if name == "P1" and agent == "sarsa":
        assert run.terminations > 0
    # the orders alone give the run back (how runs are stored), exactly
    again = replay_orders(problem, env, run.orders)
    assert np.array_equal(again.costs, run.costs)
    for field in ("episode_lengths", "terminated", "terminal_costs"):
        assert np.array_equal(getattr(again, field), getattr(run, field))
    x, u_1 = env.starts[0, :2]
    assert again.levels[0] == x + u_1 - env.demands[0, 0]   # x' = x + u_1 - D


def test_state_and_order_parts_add_up_to_the_tile_index():
    problem = make_problem("P3")
    draws = draw_agent(problem, approx_settings("sarsa", "P3"), np.random.default_rng(5))
    coder = draws.coder
    coder.weights[:] = np.random.default_rng(6).normal(size=len(coder.weights))
    actions = np.array(problem.actions)
    parts = order_parts(coder, actions)
    rng = np.random.default_rng(7)
    base, table, point = np.empty(10, np.int64), np.empty((1, 21)), coder.lower.copy()
    for _ in range(200):
        x, pipe = rng.uniform(-35, 65), rng.uniform(-5, 45, 2)    # some outside the box
        locate(coder.layout, x, pipe, False, point, base)
        values(coder.weights, base, parts, table)
        expected = coder.estimate_many([[x, *pipe, a] for a in actions])
        assert np.array_equal(table[0], expected)
        k = int(rng.integers(21))
        assert estimate(coder.weights, base, parts, k) == expected[k]
    # one learning step is the tile coder's update, to the last bit
    twin = copy(draws).coder
    learn(coder.weights, base, parts, 7, 123.4, 0.1)
    twin.update([x, *pipe, actions[7]], 123.4, 0.1)
    assert np.array_equal(coder.weights, twin.weights)


@pytest.mark.parametrize("name", ["P1", "P3"])
def test_the_next_states_of_all_orders_share_all_but_the_arrival(name):
    # rumination locates the next state of every order as a shared part plus the
    # order's part as the pipeline's last entry: the same as locating each afresh
    problem = make_problem(name)
    coder = draw_agent(problem, approx_settings("sarsa", name),
                       np.random.default_rng(8)).coder
    actions = np.array(problem.actions)
    arrivals = arrival_parts(coder, actions)
    n, rng = coder.n_tilings, np.random.default_rng(9)
    shared, mine, theirs = (np.empty(n, np.int64) for _ in range(3))
    point = coder.lower.copy()
    for _ in range(100):
        x, pipe = rng.uniform(-60, 90), rng.uniform(-5, 45, problem.lead_time)
        demand = rng.uniform(0, 30)
        for k, order in enumerate(actions):
            out = np.empty(problem.lead_time)
            x2, _, _, _ = period_kernel(x, pipe, order, demand, problem.model, out)
            locate_shared(coder.layout, x2, out, shared)
            locate(coder.layout, x2, out, False, point, theirs)
            assert np.array_equal(shared + arrivals[:, k], theirs)
            # an agent that sees the position: y = x' + sum(u'), the sum of a
            # row taken without a view, in the same order (so the same bits)
            table = np.stack([out, out[::-1]])
            point[0] = x2 + row_sum(table, 0)
            locate_point(coder.layout, point, mine)
            locate(coder.layout, x2, out, True, point, theirs)
            assert np.array_equal(mine, theirs)


def test_a_row_is_summed_in_the_order_sum_adds_it():
    # row_sum stands in for table[row].sum() in rumination's lookup of the
    # next positions: the same bits need the same order of additions, which
    # values of mixed sizes tell apart (1e16 + 1 - 1e16 is 0, 1e16 - 1e16 + 1
    # is 1)
    rows = np.array([[1e16, 1.0, -1e16, 3.0], [1.0, 1e16, 3.0, -1e16]])
    for row in range(2):
        assert row_sum(rows, row) == rows[row].sum()
    assert row_sum(rows, 0) != rows[0, ::-1].sum()       # the order matters


@pytest.mark.parametrize("agent", ["sarsa", "rsarsa", "prs"])
def test_one_tiling_with_a_tile_per_state_and_order_is_tabular(agent):
    # 1 tiling, tiles 1 wide in x and about 1.9 wide in u_1 and in the order (whose
    # values are 2 apart): each (x cell, u_1, order) has its own weight, which is
    # then Q(s, a) itself, and the learning rate is not split
    problem = make_problem("P1", episodes=1, periods=1, early_window=1)
    settings = approx_settings(agent, "P1", n_tilings=1, tiles=(90, 21, 21))
    draws = draw_agent(problem, settings, np.random.default_rng(8))
    coder = draws.coder
    coder.weights[:] = np.random.default_rng(9).uniform(100, 500, len(coder.weights))
    before = coder.weights.copy()
    env = Environment(np.array([[12.3, 4.0]]), np.array([[9.1]]))
    draws.uniforms[0] = [0.5, 0.5]                     # greedy now and next
    if agent != "sarsa":                               # imagined next orders: explore
        draws.extra[0, 0, 1:] = np.linspace(0.001, 0.099, 21)
    actions = problem.actions

    def row(weights, x, u):
        return np.array([weights[coder.active([x, u, a])[0]] for a in actions])

    table = {}                        # the table: a row of 21 values per (x, u_1) cell

    def Q(x, u):
        key = int(coder.active([x, u, 0])[0])
        if key not in table:
            table[key] = row(before, x, u)
        return table[key]

    x, u, lr, g, eps = 12.3, 4.0, 0.1, 0.9, 0.1
    a = int(np.argmin(Q(x, u)))
    demand, x2 = 9.1, 12.3 + 4.0 - 9.1
    first = step(problem, (x, (u,)), actions[a], demand)
    a2 = int(np.argmin(Q(x2, actions[a])))
    Q(x, u)[a] += lr * (first.cost + g * Q(x2, actions[a])[a2] - Q(x, u)[a])
    if agent != "sarsa":
        favourite = int(np.argmin(Q(x, u)))
        for b in range(21):
            if b == a:
                continue
            imagined = step(problem, (x, (u,)), actions[b], demand)
            b2 = min(int(draws.extra[0, 0, 1 + b] / eps * 21), 20)
            weight = 1.0 if agent == "rsarsa" else eps / 21 + (1 - eps) * (b == favourite)
            Q(x, u)[b] += weight * lr * (imagined.cost + g * Q(x2, actions[b])[b2]
                                         - Q(x, u)[b])
    run = play(problem, settings, env, draws)
    changed = np.flatnonzero(run.weights != before)
    assert len(changed) == (1 if agent == "sarsa" else 21)
    assert np.allclose(row(run.weights, x, u), Q(x, u), rtol=1e-13)
    assert run.costs.tolist() == [first.cost]


def test_a_selective_agent_whose_coin_never_falls_is_sarsa():
    problem, settings, env, draws = setup("P1", "rsarsa-td", seed=10)
    sarsa = copy(draws)
    draws.extra[..., 0] = 1.0                    # never below 1 - beta
    quiet = play(problem, settings, env, draws)
    plain = play(problem, approx_settings("sarsa", "P1"), env, sarsa)
    assert quiet.ruminating_periods == quiet.imagined_updates == 0
    assert np.array_equal(quiet.weights, plain.weights)
    assert np.array_equal(quiet.costs, plain.costs)


SAME = [(f"{agent} without rumination", "P2",
         replace(approx_settings(agent, "P2"), rumination="none", selective=False),
         approx_settings("sarsa", "P2"))
        for agent in FAMILY if agent != "sarsa"]
SAME.append(("prs-beta with kappa 0 (beta = 0)", "P1",
             approx_settings("prs-beta", "P1", kappa=0.0),
             approx_settings("rsarsa", "P1")))


@pytest.mark.parametrize("case, name, one, other", SAME, ids=[c[0] for c in SAME])
def test_agents_that_must_coincide(case, name, one, other):
    # the same generators; rumination's own stream leaves SARSA's numbers alone
    runs = [train(make_problem(name, episodes=30), s, np.random.default_rng(11),
                  np.random.default_rng(12)) for s in (one, other)]
    assert np.array_equal(runs[0].weights, runs[1].weights)
    assert np.array_equal(runs[0].costs, runs[1].costs)


def test_a_seed_fixes_the_run_and_the_record_is_complete():
    problem = make_problem("P3", episodes=40)
    settings = approx_settings("prs-td", "P3")
    one, two = (train(problem, settings, np.random.default_rng(15),
                      np.random.default_rng(16)) for _ in range(2))
    assert np.array_equal(one.costs, two.costs)
    assert np.array_equal(one.weights, two.weights)
    assert np.isfinite(one.costs).all() and one.costs.min() >= 0
    assert one.periods == one.episode_lengths.sum() <= 40 * 100
    ended = one.episode_lengths < 100
    assert np.array_equal(ended, one.terminated & ended)  # short means terminated
    assert one.imagined_updates == 20 * one.ruminating_periods
    assert 0 < one.rumination_rate < 1 and one.seconds > 0


def test_common_environment_across_agents():
    problem = make_problem("P3", episodes=5, early_window=100)
    a, b = (draw_environment(problem, np.random.default_rng(17)) for _ in range(2))
    assert np.array_equal(a.starts, b.starts) and np.array_equal(a.demands, b.demands)
    process = problem.new_demand()               # episode 0: a fresh GARCH history
    rng = np.random.default_rng(17)
    rng.uniform(size=3)                          # the start state's three uniforms
    assert np.array_equal(a.demands[0], process.draw_many(rng, 100))


def test_full_rumination_rate_is_one_and_the_start_is_neutral():
    run = train(make_problem("P1", episodes=5, early_window=100),
                approx_settings("prs", "P1"), np.random.default_rng(18),
                np.random.default_rng(19))
    assert run.rumination_rate == 1.0
    assert starting_value(make_problem("P1")) == pytest.approx(400)   # (10 + 3*10) / 0.1
    assert starting_value(make_problem("P2")) == pytest.approx(500)
    assert starting_value(make_problem("P3")) == pytest.approx(400)


@pytest.mark.parametrize("agent", FAMILY)
def test_agents_do_not_learn_to_leave_the_box(agent):
    # Exits that are learned would grow with training; accidental ones (an
    # exploring order of up to 40 on a full pipeline) do not. Three seeds pooled.
    problem = make_problem("P1")
    first = last = 0
    for seed in range(3):
        run = train(problem, approx_settings(agent, "P1"),
                    np.random.default_rng(seed), np.random.default_rng(100 + seed))
        first += run.terminated[:50].sum()
        last += run.terminated[50:].sum()
    assert last <= first
    assert last <= 0.2 * 150                     # and most later episodes run to the end


SHORT = make_problem("P1", episodes=2, periods=4, early_window=2)
SHORT_ENV = draw_environment(SHORT, np.random.default_rng(0))


@pytest.mark.parametrize("call, words", [
    (lambda: approx_settings("dqn"), "agent must be one of 'qlearning', 'sarsa'"),
    (lambda: approx_settings("sarsa", "P4"), "problem must be one of 'P1', 'P2', 'P3'"),
    (lambda: approx_settings("sarsa", learning_rate=0), "learning_rate must be a finite "
     "number in (0, 1], got 0"),
    (lambda: approx_settings("sarsa", tiles=(8, 0, 4)), "tiles[1] must be an integer "
     "in [1, inf), got 0"),
    (lambda: approx_settings("sarsa", n_tilings=0), "n_tilings must be an integer"),
    (lambda: approx_settings("sarsa", selective=True), "selective must be False when"),
    (lambda: approx_settings("prs-beta", kappa=-1), "kappa must be a finite number in "
     "[0, inf)"),
    (lambda: approx_settings("sarsa", initial=float("nan")), "initial must be a finite"),
    (lambda: draw_agent(make_problem("P3"), approx_settings("sarsa", "P1"),
                        np.random.default_rng()),
     "tiles must hold 4 counts (agent state, then order) for this problem, got 3"),
    (lambda: draw_environment(make_problem("P1"), 5), "rng must be a numpy.random"),
    (lambda: replay_orders(SHORT, SHORT_ENV, np.full(8, 21)),
     "orders must be indices of the problem's 21 orders, from 0 to 20"),
    (lambda: replay_orders(SHORT, SHORT_ENV, np.zeros(7, np.uint8)),
     "orders must fit the run's episodes: 7 orders for episodes that want more"),
    (lambda: replay_orders(SHORT, SHORT_ENV, np.zeros(9, np.uint8)),
     "orders must fit the run's episodes: 9 orders for episodes that take 8"),
    (lambda: replay_orders(SHORT, SHORT_ENV, []),
     "orders must fit the run's episodes: 0 orders for episodes that want more"),
    (lambda: replay_orders(make_problem("P1", episodes=3, periods=4,
                                        early_window=2), SHORT_ENV, []),
     "env must hold the problem's 3 episodes of 4 periods (starts (3, 2), "
     "demands (3, 4)), got starts (2, 2), demands (2, 4)"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(InvalidParameter) as info:
        call()
    assert words in str(info.value)
