"""Numbers and claims in a chapter's prose, taken from the computation.

A chapter states a result in its text with MyST's inline expression role, written
``{eval}`said.optimal_cost``` in a markdown cell. The value comes from a hidden code
cell that computed it::

    said = prose.Said()
    said(optimal_cost=f"{score.average_cost:.2f}")

* In JupyterLab, ``jupyterlab-myst`` evaluates ``said.optimal_cost`` in the kernel and
  shows ``16.18``; the chapters are saved with those results in each markdown cell's
  ``user_expressions`` metadata (``scripts/run-chapter``), so the text reads right before
  anything runs.
* On the website and in the PDF, the book's Sphinx extension (``book/_ext/prose.py``)
  reads the same values from the recording cell's stored output. A name that no cell
  recorded fails the build.
* Under nbval the recording cell's output, ``optimal_cost = 16.18``, is compared with a
  fresh run like any other output, so a number in the prose cannot drift from the code.

A claim in words ("lower on all three problems") gets a hidden :func:`check` beside it,
which fails the chapter's run when the data stop supporting it.

Values are recorded as formatted text: the chapter chooses the digits a reader sees,
and text rounded to those digits does not depend on the CPU's floating-point rounding.
"""
from __future__ import annotations

import json
import re

MIME = "application/vnd.invlib.said+json"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Shown(str):
    """A piece of text whose representation is the text itself, so an inline
    expression shows ``16.18`` and not ``'16.18'``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


class Said:
    """The values a chapter states in its prose, by name.

    Calling it records values (each formatted as text by the caller) and displays
    them as one output, which is what the website's build and nbval read. Reading an
    attribute gives the recorded text back, which is what ``{eval}`said.name``` shows.
    A name may be recorded once per chapter, so one name never means two numbers.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})

    def __call__(self, **values) -> None:
        recorded = self._values
        for name, value in values.items():
            if not _NAME.match(name):
                raise ValueError(f"a stated value's name must be an identifier, "
                                 f"got {name!r}")
            if name in recorded and recorded[name] != str(value):
                raise ValueError(f"{name!r} is already stated as {recorded[name]!r}; "
                                 f"a name may mean one value only")
            if not isinstance(value, str):
                raise TypeError(f"{name!r} must be stated as formatted text "
                                f"(f'{{x:.2f}}'), so its digits are chosen, got "
                                f"{type(value).__name__}")
        new = {name: Shown(value) for name, value in values.items()}
        recorded.update(new)
        _display(new)

    def __getattr__(self, name: str) -> Shown:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no value named {name!r} has been stated yet; "
                                 f"run the cells above this one") from None

    def __setattr__(self, name, value):
        raise AttributeError("record values by calling: said(name='text')")

    def __dir__(self):
        return sorted(self._values)

    def as_dict(self) -> dict[str, str]:
        return {name: str(value) for name, value in self._values.items()}


def _display(values: dict[str, Shown]) -> None:
    text = "\n".join(f"{name} = {value}" for name, value in values.items())
    try:
        from IPython.display import display
    except ImportError:  # outside a notebook there is nothing to show
        return
    as_text = json.dumps({k: str(v) for k, v in values.items()})
    display({"text/plain": text, MIME: as_text}, raw=True)


def recorded_values(notebook) -> dict[str, str]:
    """Every value a stored notebook's code cells recorded with :class:`Said`, by
    name: what the book's Sphinx extension renders and ``scripts/run-chapter``
    stores for JupyterLab."""
    values: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME)
            if payload is not None:
                values.update(json.loads(payload) if isinstance(payload, str)
                              else payload)
    return values


class ClaimFailed(AssertionError):
    """The data no longer support a sentence of the prose."""


def check(holds, claim: str) -> None:
    """Fail with the sentence ``claim`` unless ``holds`` is true.

    ``holds`` may be a bool or a NumPy boolean (array: all must hold). Used in the
    chapters' hidden cells, next to the sentence they guard.
    """
    import numpy as np

    if not bool(np.all(holds)):
        raise ClaimFailed(f"the prose says: {claim!r}, and the data no longer agree")
