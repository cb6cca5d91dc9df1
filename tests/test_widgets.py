"""The precomputed explorers (invlib.widgets) are accessible on the website: every
slider is named by its description and every picture is an <img> whose alt text
states the settings and results the picture shows, as the figure's own titles do."""
import html
import re

import ipywidgets as w
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from invlib import widgets  # noqa: E402
from invlib.bikeshop import BikeShop  # noqa: E402
from invlib.plots import learned_against_optimal  # noqa: E402


def _images(widget):
    """The <img> tags (as attribute dictionaries) inside a widget tree."""
    assert not isinstance(widget, w.Image), "an Image widget has no alt text"
    if isinstance(widget, w.HTML):
        for tag in re.findall(r"<img\b[^>]*>", widget.value):
            yield {k: html.unescape(v) for k, v in re.findall(r'(\w+)="([^"]*)"', tag)}
    for child in getattr(widget, "children", ()):
        yield from _images(child)


def test_every_picture_and_slider_of_an_explorer_is_named():
    shop = BikeShop(capacity=4)
    box = widgets.precomputed_explorer(shop, "stockout_cost", [2, 10], "stockout cost p ($)")
    sliders = [c for c in box.children if isinstance(c, w.SelectionSlider)]
    assert [s.description for s in sliders] == ["stockout cost p ($)"]
    images = list(_images(box))
    assert len(images) == 2
    assert all(i["src"].startswith("data:image/png;base64,iVBOR") for i in images)
    alts = [i["alt"] for i in images]
    for alt, p in zip(alts, [2, 10]):
        assert alt.startswith("Heat map of the optimal order in each state")
        assert f"λ=4, h=8, p={p}, C=4, γ=0.9" in alt
        assert "long-run cost $" in alt and "per day" in alt
        assert "\\" not in alt and "$\\" not in alt
    # what the website embeds: the alt text is in each picture's stored state
    state = w.Widget.get_manager_state(drop_defaults=True)["state"]
    stored = [m["state"]["value"] for m in state.values() if m["model_name"] == "HTMLModel"]
    for alt in alts:
        assert sum(f'alt="{html.escape(alt)}"' in value for value in stored) == 1


def test_the_policy_pictures_typeset_their_greek_letters():
    """The title mixes $\\lambda$ with a dollar amount; the amount's dollar is
    escaped so matplotlib still typesets the mathematics."""
    fig = widgets._policy_figure(BikeShop(capacity=4))
    title = fig.axes[0].title
    assert title._preprocess_math(title.get_text())[1] is True
    matplotlib.pyplot.close(fig)


def test_a_learned_policy_picture_says_both_costs_and_the_gap():
    shop = BikeShop(capacity=3)
    states = (shop.capacity + 1) * (shop.capacity + 2) // 2
    optimal, learned = np.zeros(states, dtype=int), np.ones(states, dtype=int)
    fig = learned_against_optimal(shop, learned, optimal, 17.5, 16.25,
                                  "learning rate 0.1, epsilon 0.1, 100 episodes of 1000 days")
    alt = widgets._alt_text(fig, widgets._LEARNED)
    matplotlib.pyplot.close(fig)
    assert alt.startswith("Two heat maps of the order in each state")
    assert "learning rate 0.1, epsilon 0.1, 100 episodes of 1000 days; " in alt
    assert "learned: 17.50 $ per day" in alt and "optimal: 16.25 $ per day" in alt
    assert "+7.7% cost per day" in alt


@pytest.mark.parametrize("title, plain", [
    ("Optimal orders: $\\lambda$=4, $\\gamma$=0.9\nlong-run cost \\$5.23 per day",
     "Optimal orders: λ=4, γ=0.9; long-run cost $5.23 per day"),
    ("learned: 16.50 $ per day", "learned: 16.50 $ per day"),
])
def test_titles_become_plain_text(title, plain):
    assert widgets._plain(title) == plain
