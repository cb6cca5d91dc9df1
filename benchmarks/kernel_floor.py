"""Each tile-coded agent's time per period against its floor, side by side.

    .venv/bin/python benchmarks/kernel_floor.py [--episodes 30] [--rounds 5]

The floor is one bare compiled loop (:func:`floor_loop`, below) doing the
arithmetic of a period of the library's loop (:func:`invlib.approx._episodes`),
no more: the period's step, the next state's tile lookup, the values of every
order there, the epsilon-greedy choice, the update; and for a ruminating agent
the replay of every other order (its step, lookup, values, choice and weighted
update). It has no helpers, tuples or bookkeeping (no costs kept, no counts, no
episode lengths), one flat function over flat arrays. It plays the same episodes
with the same numbers, so it must end with the same weights, bit for bit, which
is checked: the two do the same arithmetic.

Prints, per problem and agent, the library's time per period and the floor's
(the best of ``--rounds``, thread CPU time, on the same drawn numbers), and the
ratio. On a machine shared with other work the times move from run to run; the
ratio, measured side by side, moves less.
"""
from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np

from invlib.approx import (
    _compile_once,
    _play,
    approx_settings,
    arrival_parts,
    draw_agent,
    draw_environment,
    order_parts,
)
from invlib.experiments import experiment_problem, generators
from invlib.rumination import weight_code

AGENTS = ("sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td", "prs-td")


@numba.njit(inline="always")
def cell(lower, upper, width, tiles, fractions, strides, d, v, j):
    v = min(max(v, lower[d]), upper[d])
    return min(int(math.floor((v - lower[d]) / width[d] + fractions[j, d])),
               tiles[d]) * strides[d]


@numba.njit(cache=True)
def floor_loop(w, lower, upper, width, tiles, fractions, strides, parts, arrivals,
               actions, model, position, starts, demands, uniforms, extra, rate,
               epsilon, sarsa, code, selective, kappa):
    K, c, h, p, x_min, x_max, u_max, gamma = model
    n, m = parts.shape
    episodes, periods = demands.shape
    L = starts.shape[1] - 1
    q = np.empty(m)
    base, base2 = np.empty(n, np.int64), np.empty(n, np.int64)
    shared, other = np.empty(n, np.int64), np.empty(n, np.int64)
    pipe, pipe2, pipe_b = np.empty(L), np.empty(L), np.empty(L)
    played = 0
    for e in range(episodes):
        x = starts[e, 0]
        pipe[:] = starts[e, 1:]
        y = x + pipe.sum()
        for j in range(n):
            if position:
                base[j] = cell(lower, upper, width, tiles, fractions, strides, 0, y, j)
            else:
                part = cell(lower, upper, width, tiles, fractions, strides, 0, x, j)
                for i in range(L):
                    part += cell(lower, upper, width, tiles, fractions, strides,
                                 1 + i, pipe[i], j)
                base[j] = part
        for k in range(m):
            q[k] = 0.0
        for j in range(n):
            for k in range(m):
                q[k] += w[base[j] + parts[j, k]]
        u = uniforms[e, 0]
        if u < epsilon:
            a = min(int(u / epsilon * m), m - 1)
        else:
            a = 0
            for k in range(1, m):
                if q[k] < q[a]:
                    a = k
        for t in range(periods):
            demand = demands[e, t]
            order = actions[a]
            # the period: cost, next state, termination
            x2 = x + pipe[0] - demand
            for i in range(L - 1):
                pipe2[i] = pipe[i + 1]
            pipe2[L - 1] = order
            cost = c * order + h * max(x2, 0.0) + p * max(-x2, 0.0)
            if order > 0:
                cost += K
            overflow = False
            for i in range(L):
                if pipe2[i] < 0.0 or pipe2[i] > u_max:
                    overflow = True
            done = overflow or not x_min <= x2 <= x_max
            terminal = 0.0
            if done:
                edge = min(max(x2, x_min), x_max)
                terminal = h * max(edge, 0.0) + p * max(-edge, 0.0)
                if overflow:
                    terminal += K + c * u_max
                terminal /= 1.0 - gamma
            played += 1
            # the next state's lookup, values and order, then the target
            if not position:
                for j in range(n):
                    part = cell(lower, upper, width, tiles, fractions, strides, 0, x2, j)
                    for i in range(L - 1):
                        part += cell(lower, upper, width, tiles, fractions, strides,
                                     1 + i, pipe2[i], j)
                    shared[j] = part
            a2 = 0
            if done:
                target = cost + gamma * terminal
            else:
                if position:
                    y = x2 + pipe2.sum()
                    for j in range(n):
                        base2[j] = cell(lower, upper, width, tiles, fractions, strides,
                                        0, y, j)
                else:
                    for j in range(n):
                        base2[j] = shared[j] + arrivals[j, a]
                for k in range(m):
                    q[k] = 0.0
                for j in range(n):
                    for k in range(m):
                        q[k] += w[base2[j] + parts[j, k]]
                u = uniforms[e, t + 1]
                if u < epsilon:
                    a2 = min(int(u / epsilon * m), m - 1)
                else:
                    for k in range(1, m):
                        if q[k] < q[a2]:
                            a2 = k
                if sarsa:
                    target = cost + gamma * q[a2]
                else:
                    best = q[0]
                    for k in range(1, m):
                        best = min(best, q[k])
                    target = cost + gamma * best
            # the update of the order played
            q_sa = 0.0
            for j in range(n):
                q_sa += w[base[j] + parts[j, a]]
            change = rate / n * (target - q_sa)
            for j in range(n):
                w[base[j] + parts[j, a]] += change
            # rumination: every other order replayed from the same state
            if code > 0:
                tau = kappa * abs(q_sa)
                calm = 0.0 if tau == 0.0 else math.exp(-abs(target - q_sa) / tau)
                if not selective or extra[e, t, 0] < 1.0 - calm:
                    for k in range(m):
                        q[k] = 0.0
                    for j in range(n):
                        for k in range(m):
                            q[k] += w[base[j] + parts[j, k]]
                    favourite = 0
                    for k in range(1, m):
                        if q[k] < q[favourite]:
                            favourite = k
                    x_b = x + pipe[0] - demand
                    for b in range(m):
                        if b == a:
                            continue
                        order = actions[b]
                        for i in range(L - 1):
                            pipe_b[i] = pipe[i + 1]
                        pipe_b[L - 1] = order
                        cost_b = c * order + h * max(x_b, 0.0) + p * max(-x_b, 0.0)
                        if order > 0:
                            cost_b += K
                        overflow = False
                        for i in range(L):
                            if pipe_b[i] < 0.0 or pipe_b[i] > u_max:
                                overflow = True
                        if overflow or not x_min <= x_b <= x_max:
                            edge = min(max(x_b, x_min), x_max)
                            stay = h * max(edge, 0.0) + p * max(-edge, 0.0)
                            if overflow:
                                stay += K + c * u_max
                            target_b = cost_b + gamma * (stay / (1.0 - gamma))
                        else:
                            if position:
                                y = x_b + pipe_b.sum()
                                for j in range(n):
                                    other[j] = cell(lower, upper, width, tiles,
                                                    fractions, strides, 0, y, j)
                            else:
                                for j in range(n):
                                    other[j] = shared[j] + arrivals[j, b]
                            for k in range(m):
                                q[k] = 0.0
                            for j in range(n):
                                for k in range(m):
                                    q[k] += w[other[j] + parts[j, k]]
                            u = extra[e, t, 1 + b]
                            b2 = 0
                            if u < epsilon:
                                b2 = min(int(u / epsilon * m), m - 1)
                            else:
                                for k in range(1, m):
                                    if q[k] < q[b2]:
                                        b2 = k
                            if sarsa:
                                target_b = cost_b + gamma * q[b2]
                            else:
                                best = q[0]
                                for k in range(1, m):
                                    best = min(best, q[k])
                                target_b = cost_b + gamma * best
                        share = epsilon / m
                        pi = share + (1.0 - epsilon) if b == favourite else share
                        weight = 1.0 if code == 1 else pi if code == 2 else \
                            (1.0 - calm) + calm * pi
                        estimate = 0.0
                        for j in range(n):
                            estimate += w[base[j] + parts[j, b]]
                        change = rate * weight / n * (target_b - estimate)
                        for j in range(n):
                            w[base[j] + parts[j, b]] += change
            if done:
                break
            x, a = x2, a2
            pipe, pipe2 = pipe2, pipe
            base, base2 = base2, base
    return played


def measure(problem_name: str, agent: str, episodes: int, rounds: int):
    """(library, floor) seconds per period, best of ``rounds``; checks that the
    two end with the same weights."""
    problem = experiment_problem(problem_name, episodes)
    settings = approx_settings(agent, problem_name, problem)
    env_rng, agent_rng = generators(problem_name, agent, 0)
    env = draw_environment(problem, env_rng)
    draws = draw_agent(problem, settings, agent_rng)
    start = draws.coder.weights.copy()
    coder = draws.coder
    actions = np.array(problem.actions, dtype=float)
    position = problem.agent_state == "position"
    arrivals = np.zeros((coder.n_tilings, 0), dtype=np.int64) if position \
        else arrival_parts(coder, actions)
    library = floor = math.inf
    for _ in range(rounds):
        coder.weights[:] = start
        tic = time.thread_time()
        run = _play(problem, settings, env, draws, time_it=False)
        library = min(library, (time.thread_time() - tic) / run.periods)
        learned = coder.weights.copy()
        weights = start.copy()
        tic = time.thread_time()
        played = floor_loop(weights, coder.lower, coder.upper, coder.width,
                            coder.tiles, coder.fractions, coder.strides,
                            order_parts(coder, actions), arrivals, actions,
                            problem.model, position, env.starts, env.demands,
                            draws.uniforms, draws.extra, settings.learning_rate,
                            settings.epsilon, settings.target == "sarsa",
                            weight_code(settings.rumination), settings.selective,
                            settings.kappa)
        floor = min(floor, (time.thread_time() - tic) / played)
        if played != run.periods or not np.array_equal(weights, learned):
            raise AssertionError(f"{problem_name} {agent}: the floor's arithmetic "
                                 "differs from the library's")
    return library, floor, run.rumination_rate


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--problems", nargs="+", default=["P1", "P2", "P3"])
    args = parser.parse_args(argv)
    _compile_once()
    measure("P1", "rsarsa-td", 1, 1)            # compile (or load) the floor
    print(f"{'':3} {'agent':10} {'ruminates':>9} {'library':>9} {'floor':>9} "
          f"{'ratio':>6}   (us per period; thread CPU time, best of {args.rounds})")
    for problem_name in args.problems:
        for agent in AGENTS:
            library, floor, rate = measure(problem_name, agent, args.episodes,
                                           args.rounds)
            print(f"{problem_name:3} {agent:10} {rate:9.3f} {library * 1e6:9.3f} "
                  f"{floor * 1e6:9.3f} {library / floor:6.2f}", flush=True)


if __name__ == "__main__":
    main()
