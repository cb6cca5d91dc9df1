"""invlib: the small library behind the book *Inventory control with reinforcement
learning*. One module per idea, each readable next to the chapter that uses it:

* :mod:`invlib.bikeshop` - the bike shop and its one-day function;
* :mod:`invlib.mdp` - the bike shop as an explicit finite MDP;
* :mod:`invlib.dp` - policy evaluation, value iteration, policy iteration;
* :mod:`invlib.longrun` - stationary distributions and long-run cost per day;
* :mod:`invlib.policies` - the order-up-to rule and exact scores of policies;
* :mod:`invlib.simulate` - simulation of any policy from a seed;
* :mod:`invlib.td`, :mod:`invlib.agents` - the compiled learning loop: Q-learning,
  SARSA, the article's scheme and the book's recommended one;
* :mod:`invlib.rumination` - RSarsa, PRS, PRS.Beta, RSarsa.TD and PRS.TD;
* :mod:`invlib.scoring` - learned policies and values scored against the optimum;
* :mod:`invlib.demand`, :mod:`invlib.inventory`, :mod:`invlib.tiles` - the paper's
  general inventory model, its demand processes and tile coding;
* :mod:`invlib.plots`, :mod:`invlib.widgets` - the book's figures and explorers;
* :mod:`invlib.envs` - the bike shop and P1-P3 as Gymnasium environments;
* :mod:`invlib.cli` - ``python -m invlib``.
"""
from ._cache import use_source_keyed_cache

use_source_keyed_cache()   # before any compiled function is defined

from .bikeshop import BikeShop, bike_shop, one_day, random_start, start_distribution  # noqa: E402
from .checks import InvalidParameter  # noqa: E402
from .dp import evaluate_policy, policy_iteration, value_iteration  # noqa: E402
from .longrun import average_cost, stationary_distribution  # noqa: E402
from .mdp import FiniteMDP, bike_shop_mdp  # noqa: E402
from .policies import order_up_to  # noqa: E402
from .simulate import simulate  # noqa: E402

__all__ = ["BikeShop", "bike_shop", "one_day", "random_start", "start_distribution",
           "InvalidParameter", "evaluate_policy", "policy_iteration", "value_iteration",
           "average_cost", "stationary_distribution", "FiniteMDP", "bike_shop_mdp",
           "order_up_to", "simulate"]
__version__ = "0.1.0"
