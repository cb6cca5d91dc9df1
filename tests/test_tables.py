import numpy as np
import pytest

from invlib.tables import Table


def test_table_renders_html_and_aligned_text():
    table = Table(["agent", "cost ($/day)", "p"], [("SARSA", 17.791, None),
                                                   ("RSarsa", 17.3, 0.0004)],
                  caption="Mean cost over 20 seeds.",
                  formats=[None, "{:.2f}", "{:.3f}"])
    html = table._repr_html_()
    assert "<caption>Mean cost over 20 seeds.</caption>" in html
    assert '<td style="text-align:right">17.79</td>' in html
    assert '<td style="text-align:left">RSarsa</td>' in html
    assert "overflow-x:auto" in html          # scrolls inside its box on a phone
    assert repr(table).splitlines() == [
        "agent   cost ($/day)      p",
        "------  ------------  -----",
        "SARSA          17.79      –",
        "RSarsa         17.30  0.000",
        "Mean cost over 20 seeds.",
    ]


def test_table_escapes_html_and_accepts_functions():
    table = Table(["a<b"], [(3,)], formats=[lambda v: f"{v} & more"])
    assert "a&lt;b" in table._repr_html_() and "3 &amp; more" in table._repr_html_()


@pytest.mark.parametrize("rows, formats, word", [
    ([(1, 2, 3)], None, "rows"), ([(1, 2)], ["{}"], "formats")])
def test_table_rejects_ragged_input(rows, formats, word):
    with pytest.raises(ValueError, match=word):
        Table(["x", "y"], rows, formats=formats)


def test_band_table_gives_median_and_middle_half_at_the_drawn_points():
    from invlib.tables import band_table
    x = np.array([0, 10, 20, 30])
    runs = np.array([[1.0, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8], [7, 8, 9, 10],
                     [9, 10, 11, 12]])
    table = band_table(x, {"sarsa": runs, "my curve": runs + 1}, [0, 15, 30],
                       x_label="days", unit="%", caption="c", scale=10, digits=1)
    assert table.columns == ["days", "agent", "median (%)", "middle half (%)"]
    # 15 is not drawn: the next drawn point, 20, is shown
    assert [row[0] for row in table.rows] == [0, 0, 20, 20, 30, 30]
    assert [row[1] for row in table.rows[:2]] == ["SARSA", "my curve"]
    # (a range is held together by word joiners, U+2060)
    assert table.cells[0][2:] == ["50.0", "30.0\u2060–\u206070.0"]
    assert table.cells[3][2:] == ["80.0", "60.0\u2060–\u2060100.0"]
    with pytest.raises(ValueError, match="at most the last x"):
        band_table(x, {"sarsa": runs}, [31], x_label="d", unit="%", caption="c")
