"""Interactive explorers for the notebooks and the website.

* :func:`policy_explorer` re-solves the bike shop whenever a slider moves; it needs
  a running Python kernel (Jupyter, a hosted notebook service).
* :func:`precomputed_explorer` solves a grid of settings once and links a slider to
  the stored pictures with a browser-side link (``jslink``), so it keeps working on
  the static website where no kernel runs.
"""
from __future__ import annotations

import io

import ipywidgets as w
from IPython.display import display
import matplotlib.pyplot as plt

from .bikeshop import BikeShop
from .dp import policy_iteration
from .longrun import average_cost
from .mdp import bike_shop_mdp
from .plots import state_heatmap


def _policy_figure(shop: BikeShop):
    mdp = bike_shop_mdp(shop)
    policy = policy_iteration(mdp).policy
    cost = average_cost(mdp, policy)
    return state_heatmap(
        shop, policy, label="order (bikes)",
        title=(f"Optimal orders: $\\lambda$={shop.demand_mean:g}, h={shop.holding_cost:g}, "
               f"p={shop.stockout_cost:g}, C={shop.capacity}, $\\gamma$={shop.discount:g}\n"
               f"long-run cost ${cost:.2f} per day"))


def policy_explorer(shop: BikeShop | None = None):
    """Sliders for demand mean, holding and stockout costs, capacity and discount;
    each change re-solves the MDP exactly and redraws the optimal policy."""
    shop = shop or BikeShop()

    def redraw(demand_mean, holding_cost, stockout_cost, capacity, discount):
        fig = _policy_figure(BikeShop(capacity, demand_mean, holding_cost, stockout_cost,
                                      discount, shop.holding_on))
        display(fig)
        plt.close(fig)

    style = {"description_width": "initial"}
    return w.interactive(
        redraw,
        demand_mean=w.FloatSlider(value=shop.demand_mean, min=0.5, max=10, step=0.5,
                                  description="demand mean λ", style=style),
        holding_cost=w.FloatSlider(value=shop.holding_cost, min=0, max=20, step=1,
                                   description="holding cost h ($)", style=style),
        stockout_cost=w.FloatSlider(value=shop.stockout_cost, min=0, max=40, step=1,
                                    description="stockout cost p ($)", style=style),
        capacity=w.IntSlider(value=shop.capacity, min=1, max=20,
                             description="capacity C", style=style),
        discount=w.FloatSlider(value=shop.discount, min=0, max=0.99, step=0.01,
                               description="discount γ", style=style),
    )


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def precomputed_explorer(shop: BikeShop, parameter: str, values, description: str):
    """A slider over ``values`` of one parameter of ``shop`` (a field name such as
    ``"stockout_cost"``), showing the optimal policy for each, computed now and
    switched in the browser without a kernel."""
    if parameter not in BikeShop.__dataclass_fields__:
        raise ValueError(f"parameter must be a field of BikeShop, got {parameter!r}")
    values = list(values)
    images = []
    for value in values:
        settings = {**shop.__dict__, parameter: value}
        images.append(w.Image(value=_png(_policy_figure(BikeShop(**settings))),
                              format="png", layout=w.Layout(max_width="100%")))
    slider = w.SelectionSlider(options=[f"{v:g}" for v in values], description=description,
                               value=f"{getattr(shop, parameter):g}"
                               if getattr(shop, parameter) in values else f"{values[0]:g}",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="95%"))
    stack = w.Stack(images, selected_index=slider.index)
    w.jslink((slider, "index"), (stack, "selected_index"))
    return w.VBox([slider, stack])

