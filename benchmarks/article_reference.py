"""A plain-Python Q-learning agent with the structure of the article's code: the
Q-table is a dictionary of dictionaries, every step calls the random number
generator and the environment from Python, the table is frozen during an episode
and the episode's transitions are applied at its end.

Written for this project as the speed reference of ``bench.py``; it learns the
same thing as ``invlib.agents`` with ``article_settings()`` (rewards are maximised
here, as in the article), only slower.
"""
import numpy as np


class ArticleQLearning:
    def __init__(self, capacity=10, demand_mean=4.0, holding_cost=8.0,
                 stockout_cost=10.0, discount=0.9, learning_rate=0.1, epsilon=0.1,
                 seed=0):
        self.capacity, self.demand_mean = capacity, demand_mean
        self.holding_cost, self.stockout_cost = holding_cost, stockout_cost
        self.discount, self.learning_rate, self.epsilon = discount, learning_rate, epsilon
        self.rng = np.random.default_rng(seed)
        self.q = {}
        for on_hand in range(capacity + 1):
            for on_order in range(capacity - on_hand + 1):
                self.q[(on_hand, on_order)] = {
                    order: self.rng.random()
                    for order in range(capacity - on_hand - on_order + 1)}

    def choose(self, state, table):
        if self.rng.random() < self.epsilon:
            return int(self.rng.choice(list(table[state])))
        values = table[state]
        return max(values, key=values.get)

    def step(self, state, order):
        on_hand, on_order = state
        demand = self.rng.poisson(self.demand_mean)
        stock = on_hand + on_order
        left = max(0, stock - demand)
        reward = -self.holding_cost * left - self.stockout_cost * max(0, demand - stock)
        return (left, order), reward

    def train(self, episodes=1000, steps=1000):
        for _ in range(episodes):
            frozen = {s: dict(v) for s, v in self.q.items()}
            on_hand = int(self.rng.integers(0, self.capacity + 1))
            state = (on_hand, int(self.rng.integers(0, self.capacity - on_hand + 1)))
            memory = []
            for _ in range(steps):
                order = self.choose(state, frozen)
                next_state, reward = self.step(state, order)
                memory.append((state, order, reward, next_state))
                state = next_state
            for state, order, reward, next_state in memory:
                best_next = max(self.q[next_state].values())
                old = self.q[state][order]
                self.q[state][order] = old + self.learning_rate * (
                    reward + self.discount * best_next - old)
        return self

    def policy(self):
        return {s: max(v, key=v.get) for s, v in self.q.items()}
