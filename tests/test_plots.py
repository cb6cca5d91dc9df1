"""The figures' series registry (invlib.plots.SERIES): names, aliases, colours that
survive colour blindness, and figure functions that show display names."""
from itertools import combinations
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from invlib import bike_shop, plots  # noqa: E402
from invlib.experiments import LABELS as EXPERIMENT_LABELS  # noqa: E402
from invlib.rumination import AGENTS  # noqa: E402

NAMES = {"qlearning": "Q-learning", "sarsa": "SARSA", "rsarsa": "RSarsa", "prs": "PRS",
         "prs-beta": "PRS.Beta", "rsarsa-td": "RSarsa.TD", "prs-td": "PRS.TD"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- colour blindness --------------------------------------------------------------

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
# simulation of color vision deficiency", IEEE TVCG 15(6): the matrices for
# severity 1.0 (dichromacy), applied to linear RGB.
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868],
                   [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968],
                     [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779],
                   [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    "normal vision": np.eye(3),
}
# linear sRGB -> CIE XYZ (D65)
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
#: The smallest CIELAB distance (CIE76 Delta E*ab) two agents' colours may have
#: as a viewer with the deficiency sees them.
MIN_DELTA_E = 15.0


def linear(colour) -> np.ndarray:
    """The linear RGB of a matplotlib colour (the sRGB transfer curve undone)."""
    c = np.array(to_rgb(colour))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb) -> np.ndarray:
    """CIELAB (D65 white) of a linear RGB colour, clipped to the gamut first."""
    xyz = SRGB_TO_XYZ @ np.clip(linear_rgb, 0, 1) / (SRGB_TO_XYZ @ np.ones(3))
    d = 6 / 29
    f = np.where(xyz > d ** 3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour, deficiency: str) -> np.ndarray:
    """CIELAB of ``colour`` as a viewer with ``deficiency`` sees it."""
    return lab(np.asarray(MACHADO[deficiency]) @ linear(colour))


def test_simulation_is_sane():
    """The simulation keeps white white and black black, and merges red and
    green for a deuteranope far more than for normal vision."""
    for deficiency in MACHADO:
        assert np.allclose(seen("white", deficiency), [100, 0, 0], atol=0.5)
        assert np.allclose(seen("black", deficiency), [0, 0, 0], atol=0.5)
    red, green = "#FF0000", "#00A000"
    normal = np.linalg.norm(seen(red, "normal vision") - seen(green, "normal vision"))
    deutan = np.linalg.norm(seen(red, "deuteranopia") - seen(green, "deuteranopia"))
    assert deutan < normal / 3


@pytest.mark.parametrize("deficiency", list(MACHADO))
def test_agent_colours_distinct_under_colour_blindness(deficiency):
    """Every two agents' colours stay apart for a protanope, a deuteranope and a
    tritanope: simulated with Machado et al. (2009) at severity 1.0 (complete
    dichromacy, the hardest case) in linear RGB, their CIE76 distance in CIELAB
    must be at least ``MIN_DELTA_E`` = 15.

    Why 15: a Delta E*ab of about 2.3 is just noticeable for large patches side by
    side, and about 10 is the usual bar for "clearly different" ones; lines in a
    plot are thin and seen apart from each other, and thin marks need larger
    differences than patches (Szafir, "Modeling color difference for
    visualization design", IEEE TVCG 2018), so the bar is 15. The Okabe-Ito
    colours the agents use clear it (their closest pair, green and sky blue for
    a tritanope, is about 16 apart); the agents' line styles, all different,
    back the colours up wherever they do not suffice (greyscale, print)."""
    agents = {key: seen(plots.SERIES[key].colour, deficiency) for key in AGENTS}
    distances = {(a, b): float(np.linalg.norm(x - y))
                 for (a, x), (b, y) in combinations(agents.items(), 2)}
    close = {pair: round(d, 1) for pair, d in distances.items() if d < MIN_DELTA_E}
    assert not close, f"{deficiency}: too close {close}"


def test_agents_differ_in_colour_and_in_line_style():
    """No two agents share a colour and a line style; in fact each agent has
    its own colour and its own line style (so greyscale keeps them apart), and
    every colour comes from the book's palette."""
    agents = [plots.SERIES[key] for key in AGENTS]
    looks = [(s.colour, str(s.linestyle)) for s in agents]
    assert len(set(looks)) == len(looks)
    assert len({s.colour for s in agents}) == len(agents)
    assert len({str(s.linestyle) for s in agents}) == len(agents)
    assert all(s.colour in plots.PALETTE for s in agents)


def test_references_look_unlike_agents():
    """The reference lines are black or grey, so no agent is mistaken for one;
    each looks different from the others."""
    references = [plots.SERIES[k] for k in ("optimal", "exploring", "order-up-to")]
    for s in references:
        r, g, b = to_rgb(s.colour)
        assert r == g == b                          # black or grey
    assert len({(s.colour, str(s.linestyle)) for s in references}) == 3
    assert plots.SERIES["optimal"].colour == "#000000"
    assert plots.SERIES["optimal"].linestyle == "--"
    assert plots.SERIES["exploring"].linestyle == ":"
    agent_colours = {plots.SERIES[key].colour for key in AGENTS}
    assert not agent_colours & {s.colour for s in references}


def test_schemes_keep_their_agents_look():
    """A scheme of Q-learning or SARSA has its agent's colour and line style; a
    marker tells the schemes apart."""
    for agent in ("qlearning", "sarsa"):
        base = plots.SERIES[agent]
        markers = set()
        for scheme in ("paper", "article", "recommended"):
            s = plots.SERIES[f"{agent}-{scheme}"]
            assert (s.colour, s.linestyle) == (base.colour, base.linestyle)
            markers.add(s.marker)
        assert len(markers) == 3


# --- names and aliases -------------------------------------------------------------

def test_registry_covers_the_library():
    """Every agent of invlib.rumination has an entry, named as the tables name it."""
    assert set(AGENTS) <= set(plots.SERIES)
    for key in AGENTS:
        assert plots.SERIES[key].name == NAMES[key] == EXPERIMENT_LABELS[key]


@pytest.mark.parametrize("key", list(NAMES))
def test_keys_and_names_resolve(key):
    display = NAMES[key]
    for spelling in (key, display, display.upper(), f"  {key} "):
        assert plots.name(spelling) == display
        s = plots.style(spelling)
        assert s["label"] == display
        assert s["color"] == plots.SERIES[key].colour
        assert s["ls"] == plots.SERIES[key].linestyle


ARTICLE = "Q-learning (article's scheme)"


@pytest.mark.parametrize("label, shown, key", [
    # the sarsa chapter's keys
    ("qlearning, paper", "Q-learning (paper's scheme)", "qlearning-paper"),
    ("sarsa, paper", "SARSA (paper's scheme)", "sarsa-paper"),
    ("sarsa, recommended", "SARSA (recommended scheme)", "sarsa-recommended"),
    ("qlearning, recommended", "Q-learning (recommended scheme)",
     "qlearning-recommended"),
    ("SARSA, paper scheme", "SARSA (paper's scheme)", "sarsa-paper"),
    ("Q-learning, recommended scheme", "Q-learning (recommended scheme)",
     "qlearning-recommended"),
    # the Q-learning chapter's
    ("Q-learning (article's scheme)", ARTICLE, "qlearning-article"),
    ("Q-learning, article's scheme", ARTICLE, "qlearning-article"),
    ("article's scheme", "Q-learning (article's scheme)", "qlearning-article"),
    ("qlearning-article", "Q-learning (article's scheme)", "qlearning-article"),
    ("sarsa-article", "SARSA (article's scheme)", "sarsa-article"),
    ("Q-learning, article's scheme\n(20 seeds)", ARTICLE + "\n(20 seeds)",
     "qlearning-article"),
    # references
    ("optimal", "optimal policy", "optimal"),
    ("optimal policy", "optimal policy", "optimal"),
    ("Optimum", "optimal policy", "optimal"),
    ("optimal (dynamic programming)", "optimal policy", "optimal"),
    ("exploring", "exploring optimum", "exploring"),
    ("exploring optimum", "exploring optimum", "exploring"),
    ("exploring 10%", "exploring optimum (ε = 10%)", "exploring"),
    ("optimum, exploring 10%", "exploring optimum (ε = 10%)", "exploring"),
    ("order-up-to", "best order-up-to level", "order-up-to"),
    ("best order-up-to", "best order-up-to level", "order-up-to"),
    # a reference with the caller's details: its look, the caller's words
    ("(θ, T), exploring 10%", "(θ, T), exploring 10%", "exploring"),
    ("best order-up-to (T = 5)", "best order-up-to (T = 5)", "order-up-to"),
])
def test_aliases(label, shown, key):
    assert plots.name(label) == shown
    s = plots.style(label)
    assert s["label"] == shown
    series = plots.SERIES[key]
    assert (s["color"], s["ls"]) == (series.colour, series.linestyle)


@pytest.mark.parametrize("label", ["order-up-to T = 10", "order up to 10",
                                   "Q-learning, constant step 0.01",
                                   "recommended (all three)", "P1: Normal(10, 3)",
                                   "tiling 1", "", "rsarsa2"])
def test_unknown_labels_pass_through(label):
    assert plots.name(label) == label
    assert plots.style(label) is None


def test_non_text_labels_pass_through():
    assert plots.name(3) == 3
    assert plots.style(None) is None


def test_style_is_line_kwargs():
    """style() gives keyword arguments matplotlib's lines accept, markers included."""
    fig, ax = plt.subplots()
    for key in plots.SERIES:
        ax.plot([0, 1], [0, 1], **plots.style(key))
        ax.axhline(0.5, **plots.style(key))


def test_labels_one_per_quantity():
    """The axis labels of the review: days, cost per day, gap, period, cost per period."""
    assert plots.LABELS["training days"] == "training days"
    assert plots.LABELS["cost per day"] == "cost per day ($)"
    assert plots.LABELS["gap"] == "extra cost per day over optimal (%)"
    assert plots.LABELS["period"] == "period"
    assert plots.LABELS["cost per period"] == "cost per period ($)"
    assert len(set(plots.LABELS.values())) == len(plots.LABELS)


# --- figures ------------------------------------------------------------------------

RNG = np.random.default_rng(0)


def legend_texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend()
            for t in ax.get_legend().get_texts()]


def line_of(fig, text: str):
    """The line whose legend entry starts with ``text``."""
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_label().startswith(text):
                return line
    raise AssertionError(f"no line {text!r}")


def tick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


def test_gap_curves():
    steps = np.arange(0, 101, 10)
    curves = {"sarsa": RNG.random((4, 11)) / 10, "qlearning": RNG.random((4, 11)) / 10}
    fig = plots.gap_curves(steps, curves, "gap")
    assert {"SARSA", "Q-learning"} <= set(legend_texts(fig))
    assert line_of(fig, "SARSA").get_color() == plots.SERIES["sarsa"].colour
    assert fig.axes[0].get_xlabel() == plots.LABELS["training days"]
    # the caller's colours and styles still win
    fig = plots.gap_curves(steps, curves, "gap", colours=["C4", "C5"], styles=[":", "-"])
    assert line_of(fig, "SARSA").get_color() == "C4"
    assert line_of(fig, "Q-learning").get_linestyle() == "-"


def test_gap_curves_unknown_labels_as_before():
    steps = np.arange(0, 101, 10)
    curves = {"article": RNG.random((4, 11)), "my variant": RNG.random((4, 11)),
              "another": RNG.random((4, 11))}
    fig = plots.gap_curves(steps, curves, "gap")
    assert line_of(fig, "my variant").get_linestyle() == "-"
    colours = [line_of(fig, t).get_color() for t in
               ("Q-learning (article's scheme)", "my variant", "another")]
    assert colours[1:] == ["C1", "C2"] and len(set(colours)) == 3
    # with no known label, exactly the colours by position of old
    fig = plots.gap_curves(steps, {"a": curves["article"], "b": curves["another"]}, "gap")
    assert [line_of(fig, t).get_color() for t in "ab"] == ["C0", "C1"]


def test_cost_while_learning():
    days = np.arange(1, 51)
    fig = plots.cost_while_learning(
        days, {"rsarsa": RNG.random((3, 50)), "qlearning, paper": RNG.random((3, 50))},
        {"exploring optimum": 1.1, "optimal": 1.0}, "cost")
    texts = legend_texts(fig)
    assert "RSarsa" in texts and "Q-learning (paper's scheme)" in texts
    assert "optimal policy (1.00)" in texts and "exploring optimum (1.10)" in texts
    # the optimum and the exploring optimum look the same in every chapter
    optimal, exploring = line_of(fig, "optimal policy"), line_of(fig, "exploring optimum")
    assert (optimal.get_color(), optimal.get_linestyle()) == ("#000000", "--")
    assert exploring.get_linestyle() == ":"
    assert fig.axes[0].get_xlabel() == plots.LABELS["training days"]
    fig = plots.cost_while_learning(days, {"x": RNG.random((3, 50))},
                                    {"something": 2.0, "optimal": 1.0}, "cost",
                                    styles=["--"])
    assert line_of(fig, "x").get_linestyle() == "--"
    assert line_of(fig, "something").get_linestyle() != "--"   # not the optimum's


def test_band_and_rumination_rates():
    fig, ax = plt.subplots()
    plots.band(ax, np.arange(5), RNG.random((3, 5)), "prs-td")
    plots.band(ax, np.arange(5), RNG.random((3, 5)), "mine", "C3", linestyle="--")
    assert line_of(fig, "PRS.TD").get_color() == plots.SERIES["prs-td"].colour
    assert (line_of(fig, "mine").get_color(), line_of(fig, "mine").get_linestyle()) == (
        "C3", "--")
    rates = {"rsarsa-td": RNG.random((3, 20)), "PRS.TD": RNG.random((3, 20))}
    fig = plots.rumination_rates(np.arange(1, 21), rates, "rates")
    assert legend_texts(fig) == ["RSarsa.TD", "PRS.TD"]
    assert fig.axes[0].get_xlabel().startswith(plots.LABELS["training days"])


def test_cost_per_seed():
    fig = plots.cost_per_seed({"qlearning-article": RNG.normal(17, 0.2, 8)},
                              {"optimal": 16.0, "best order-up-to (T = 5)": 16.5,
                               "order-up-to T = 10": 17.5}, "seeds")
    assert tick_texts(fig.axes[0]) == ["Q-learning (article's scheme)"]
    texts = legend_texts(fig)
    assert texts[0] == "optimal policy (16.00)"
    assert texts[1] == "best order-up-to (T = 5) (16.50)"
    assert line_of(fig, "optimal policy").get_color() == "#000000"


def test_experiment_curves_and_boxes():
    agents = ["sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td", "prs-td"]
    curves = {a: RNG.random(30) for a in agents}
    fig = plots.experiment_curves(curves, "curves", 10,
                                  floor=("optimum, exploring 10%", 0.5), window=5)
    texts = legend_texts(fig)
    assert texts[:6] == [NAMES[a] for a in agents]
    assert "exploring optimum (ε = 10%) (0.5)" in texts
    assert line_of(fig, "PRS.Beta").get_color() == plots.SERIES["prs-beta"].colour
    # the caller's names still win
    fig = plots.experiment_curves(curves, "curves", 10, labels={"sarsa": "S"}, window=5)
    assert legend_texts(fig)[0] == "S"
    boxes = {a: {"early": RNG.random(5), "later": RNG.random(5)} for a in agents}
    fig = plots.experiment_boxes(boxes, "boxes")
    assert tick_texts(fig.axes[0]) == [NAMES[a] for a in agents]


def test_cumulative_costs_and_orders_per_state():
    sim = SimpleNamespace(days=10, cost=RNG.random(10))
    fig = plots.cumulative_costs({"qlearning": sim, "order up to 10": sim}, "total")
    texts = legend_texts(fig)
    assert texts[0].startswith("Q-learning: ") and texts[1].startswith("order up to 10: ")
    assert line_of(fig, "Q-learning").get_color() == plots.SERIES["qlearning"].colour
    shop = bike_shop(capacity=4)
    policy = np.zeros(len(shop.states), int)
    fig = plots.orders_per_state(shop, {"sarsa": policy, "rsarsa": policy + 1}, "orders",
                                 optimal=policy)
    assert set(legend_texts(fig)) == {"SARSA", "RSarsa",
                                      "optimal policy (dynamic programming)"}


def test_order_up_to_costs():
    scores = [SimpleNamespace(discounted=100.0 - t, per_day=20.0 - t) for t in range(5)]
    best = SimpleNamespace(discounted=90.0, per_day=14.0)
    fig = plots.order_up_to_costs(scores, best, "levels")
    line = line_of(fig, "optimal policy")
    assert (line.get_color(), line.get_linestyle()) == ("#000000", "--")


def test_every_other_figure_still_draws():
    """The figures without agents draw as before, their axes labelled from LABELS."""
    from invlib.tiles import TileCoder
    shop = bike_shop(capacity=4)
    n = len(shop.states)
    policy = np.arange(n) % 3
    days = 7
    sim = SimpleNamespace(days=days, on_hand=RNG.integers(0, 4, days),
                          on_order=RNG.integers(0, 4, days),
                          demand=RNG.integers(0, 4, days), cost=RNG.random(days))
    maps = [{"problem": p, "kappas": [0.1, 1.0], "columns": [(0.1, 0.1), (0.5, 0.2)],
             "difference": RNG.normal(0, 5, (2, 2)), "holds": RNG.random((2, 2)) < 0.5,
             "ratio": 1 + 10 * RNG.random((2, 2))} for p in ("P1", "P2")]
    path = RNG.normal(10, 3, 50)
    figures = [
        plots.daily_cycle(),
        plots.simulated_days(sim, "days"),
        plots.state_heatmap(shop, policy, "heat", "order (bikes)"),
        plots.order_against_position(shop, policy, "position"),
        plots.learned_against_optimal(shop, policy, policy, 1.0, 0.9, "learned"),
        plots.beta_against_error([0.1, 1.0], "calm"),
        plots.tilings_picture(TileCoder([0, 0], [10, 10], [2, 2], 2, RNG), (3, 4),
                              "tiles"),
        plots.demand_spells({"a": (path, 3.0), "b": path}, ("b", np.abs(path) / 5),
                            "demand"),
        plots.claim_maps(maps, "claims"),
        plots.ratio_maps(maps, "ratios", (20, 30)),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figures)
    assert figures[1].axes[1].get_xlabel() == plots.LABELS["day"]
    assert figures[3].axes[0].get_xlabel() == plots.LABELS["inventory position"]
