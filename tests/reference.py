"""An independent exact solver for the bike shop, used only to check invlib.

It shares no code with invlib: transitions and costs are built by summing over
individual demand values with plain dictionaries (no closed forms for the tail or
the shortfalls), and the optimal values come from the linear program
``max sum v  s.t.  v(s) <= c(s, a) + gamma * sum_t P(t | s, a) v(t)``
rather than from value or policy iteration.
"""
import math

import numpy as np
from scipy.optimize import linprog


def poisson(mean, d):
    if mean == 0:
        return 1.0 if d == 0 else 0.0
    return math.exp(d * math.log(mean) - mean - math.lgamma(d + 1))


def build(C, mean, h, p, holding_on="next"):
    states = [(a, b) for a in range(C + 1) for b in range(C + 1 - a)]
    model = {}
    d_max = int(mean + 40 * math.sqrt(mean) + 60)   # tail beyond is < 1e-100
    for (on_hand, on_order) in states:
        for order in range(C - on_hand - on_order + 1):
            probs, cost = {}, 0.0
            for d in range(d_max + 1):
                q = poisson(mean, d)
                stock = on_hand + on_order
                left = max(stock - d, 0)
                held = on_hand if holding_on == "current" else left
                cost += q * (h * held + p * max(d - stock, 0))
                probs[(left, order)] = probs.get((left, order), 0.0) + q
            model[(on_hand, on_order), order] = probs, cost
    return states, model


def solve(C, mean, h, p, gamma, holding_on="next"):
    """Optimal values (dict state -> cost) and policy (smallest best order)."""
    states, model = build(C, mean, h, p, holding_on)
    index = {s: i for i, s in enumerate(states)}
    rows, rhs = [], []
    for (s, _a), (probs, cost) in model.items():
        row = np.zeros(len(states))
        row[index[s]] += 1.0
        for t, q in probs.items():
            row[index[t]] -= gamma * q
        rows.append(row)
        rhs.append(cost)
    lp = linprog(-np.ones(len(states)), A_ub=np.array(rows), b_ub=np.array(rhs),
                 bounds=[(None, None)] * len(states), method="highs")
    assert lp.status == 0, lp.message
    v = dict(zip(states, lp.x, strict=True))
    policy = {}
    for s in states:
        q = {a: cost + gamma * sum(prob * v[t] for t, prob in probs.items())
             for (s2, a), (probs, cost) in model.items() if s2 == s}
        best = min(q.values())
        policy[s] = min(a for a, x in q.items() if x <= best + 1e-7)
    return v, policy
