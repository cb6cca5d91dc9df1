"""Results tables that render as tables: HTML on the website and in Jupyter, aligned
text wherever only text is shown (a terminal, and nbval, which compares the text).

    Table(["agent", "cost per day ($)"], [("SARSA", 17.79), ("RSarsa", 17.30)],
          formats=[None, "{:.2f}"], caption="Mean cost per day over 20 seeds.")
"""
from __future__ import annotations

from html import escape
from typing import Callable, Sequence

import numpy as np

Format = str | Callable[[object], str] | None


def _cell_text(value, fmt: Format) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if fmt is None:
        return str(value)
    return fmt(value) if callable(fmt) else fmt.format(value)


class Table:
    """A captioned table of rows. ``formats`` gives, per column, a format string
    (``"{:.2f}"``), a function of the value, or ``None`` for ``str``; strings are
    shown as they are and ``None`` as a dash. Text columns are aligned left,
    numeric ones right."""

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence],
                 caption: str = "", formats: Sequence[Format] | None = None):
        self.columns = list(columns)
        self.rows = [list(row) for row in rows]
        if formats is None:
            formats = [None] * len(self.columns)
        if len(formats) != len(self.columns):
            raise ValueError(f"formats: one per column ({len(self.columns)}), "
                             f"got {len(formats)}")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"rows: each needs {len(self.columns)} values, "
                                 f"got {len(row)}")
        self.caption = caption
        self.formats = list(formats)
        self.cells = [[_cell_text(v, f) for v, f in zip(row, self.formats, strict=True)]
                      for row in self.rows]
        # a column is numeric when none of its values is given as text
        self.numeric = [all(not isinstance(row[j], str) for row in self.rows)
                        for j in range(len(self.columns))]

    def _repr_html_(self) -> str:
        def cell(tag, text, j):
            align = "right" if self.numeric[j] else "left"
            return f'<{tag} style="text-align:{align}">{escape(text)}</{tag}>'

        head = "".join(cell("th", c, j) for j, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(cell("td", t, j) for j, t in enumerate(row))
                       + "</tr>" for row in self.cells)
        caption = f"<caption>{escape(self.caption)}</caption>" if self.caption else ""
        # the wrapper scrolls a wide table inside its own box on a narrow screen
        return ('<div class="invlib-table" style="overflow-x:auto;max-width:100%">'
                f'<table>{caption}<thead><tr>{head}</tr></thead>'
                f'<tbody>{body}</tbody></table></div>')

    def __repr__(self) -> str:
        widths = [max([len(c)] + [len(row[j]) for row in self.cells])
                  for j, c in enumerate(self.columns)]

        def line(texts):
            cells = enumerate(zip(texts, widths, strict=True))
            return "  ".join(t.rjust(w) if self.numeric[j] else t.ljust(w)
                             for j, (t, w) in cells).rstrip()

        lines = [line(self.columns), line(["-" * w for w in widths])]
        lines += [line(row) for row in self.cells]
        if self.caption:
            lines.append(self.caption)
        return "\n".join(lines)


def band_table(x, curves: dict, at, *, x_label: str, unit: str, caption: str,
               scale: float = 1.0, digits: int = 2, x_format: Format = "{:,}",
               name: str = "agent") -> Table:
    """The numbers behind a figure of bands: at each point of ``at`` (the first
    drawn point at or after it), for each curve, the median and the middle half
    (25th to 75th percentiles) across its runs, as the figure draws them.

    ``curves`` maps a label (shown through :func:`invlib.plots.name`, as in the
    legends) to an array of shape ``(runs, len(x))``; values are multiplied by
    ``scale`` (100 for percentages) and shown in ``unit``."""
    from .plots import name as display_name  # (plots imports this module's users)

    x = np.asarray(x)
    where = np.searchsorted(x, at)
    if np.any(where >= len(x)):
        raise ValueError(f"at: every point must be at most the last x, {x[-1]}")
    cell = f"{{:.{digits}f}}"
    rows = []
    for i in where:
        for label, runs in curves.items():
            values = scale * np.asarray(runs)[:, i]
            low, high = np.percentile(values, (25, 75))
            rows.append((x[i], display_name(label), np.median(values),
                         # word joiners: a narrow column never splits a range
                         f"{cell.format(low)}\u2060–\u2060{cell.format(high)}"))
    return Table([x_label, name, f"median ({unit})", f"middle half ({unit})"], rows,
                 caption=caption, formats=[x_format, None, cell, None])
