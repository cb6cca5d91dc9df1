"""invlib: the small library behind the book *Inventory control with reinforcement
learning*. One module per idea, each readable next to the chapter that uses it:

* :mod:`invlib.bikeshop` - the bike shop and its one-day function;
* :mod:`invlib.mdp` - the bike shop as an explicit finite MDP;
* :mod:`invlib.dp` - policy evaluation, value iteration, policy iteration;
* :mod:`invlib.longrun` - stationary distributions and long-run cost per day;
* :mod:`invlib.policies` - the order-up-to rule and exact scores of policies;
* :mod:`invlib.simulate` - simulation of any policy from a seed;
* :mod:`invlib.plots`, :mod:`invlib.widgets` - the book's figures and explorers;
* :mod:`invlib.cli` - ``python -m invlib``.
"""
from .bikeshop import BikeShop, bike_shop, one_day, random_start, start_distribution
from .checks import InvalidParameter
from .dp import evaluate_policy, policy_iteration, value_iteration
from .longrun import average_cost, stationary_distribution
from .mdp import FiniteMDP, bike_shop_mdp
from .policies import order_up_to
from .simulate import simulate

__all__ = ["BikeShop", "bike_shop", "one_day", "random_start", "start_distribution",
           "InvalidParameter", "evaluate_policy", "policy_iteration", "value_iteration",
           "average_cost", "stationary_distribution", "FiniteMDP", "bike_shop_mdp",
           "order_up_to", "simulate"]
__version__ = "0.1.0"
