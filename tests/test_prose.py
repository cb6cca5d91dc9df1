"""Numbers and claims in the chapters' prose come from the computation.

* ``invlib.prose.Said`` records formatted values once, shows them as one output (what
  nbval compares and the website reads), and gives them back for ``{eval}``.
* Every ``{eval}`said.NAME``` in a chapter names a value the chapter records, and the
  value stored for JupyterLab (``user_expressions``) is the recorded one.
* Results typed by hand in the prose stay within a small allowance.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from invlib import prose

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import bookstructure as bs  # noqa: E402
import run_chapter  # noqa: E402
import typed_numbers  # noqa: E402

CHAPTERS = [pytest.param(name, id=name) for name in bs.NOTEBOOKS]
#: Results still typed by hand in the whole book's prose (see scripts/typed_numbers.py)
ALLOWANCE = 10


def test_said_records_text_and_gives_it_back(capsys):
    said = prose.Said()
    said(cost="16.18", share="45.9%")
    assert said.cost == "16.18" and repr(said.share) == "45.9%"
    assert said.as_dict() == {"cost": "16.18", "share": "45.9%"}
    said(cost="16.18")                       # the same value again is harmless


def test_said_refuses_a_second_meaning_a_number_and_a_bad_name():
    said = prose.Said()
    said(cost="16.18")
    with pytest.raises(ValueError, match="one value only"):
        said(cost="16.19")
    with pytest.raises(TypeError, match="formatted text"):
        said(gap=0.5)
    with pytest.raises(AttributeError, match="no value named 'missing'"):
        _ = said.missing
    with pytest.raises(AttributeError):
        said.cost = "1"


def test_said_displays_one_bundle_that_the_site_can_read(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, raw=False: shown.append(data))
    prose.Said()(cost="16.18", share="4.0%")
    [bundle] = shown
    assert bundle["text/plain"] == "cost = 16.18\nshare = 4.0%"
    assert json.loads(bundle[prose.MIME]) == {"cost": "16.18", "share": "4.0%"}


def test_check_passes_silently_and_fails_with_the_sentence():
    prose.check(True, "fine")
    prose.check(np.array([True, True]), "all hold")
    with pytest.raises(prose.ClaimFailed, match="lower on all three"):
        prose.check(np.array([True, False]), "lower on all three")


def test_the_book_extension_reads_the_same_mime_type():
    import prose as extension  # book/_ext/prose.py
    assert extension.MIME == prose.MIME == run_chapter.MIME


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_stated_value_is_recorded_and_stored_for_jupyterlab(name):
    notebook = nbformat.read(str(bs.BOOK / f"{name}.ipynb"), as_version=4)
    values = run_chapter.recorded_values(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        expressions = set(run_chapter.EVAL.findall(cell.source))
        for expression in expressions:
            assert expression.startswith("said."), (
                f"cell {index}: {{eval}}`{expression}` (write said.NAME)")
            assert expression[5:] in values, (
                f"cell {index}: {expression} is not recorded by any code cell")
        stored = {e["expression"]: e["result"]["data"]["text/plain"]
                  for e in cell.metadata.get("user_expressions", [])}
        assert stored == {e: values[e[5:]] for e in expressions}, (
            f"cell {index}: the values stored for JupyterLab are stale; "
            f"run scripts/run-chapter book/{name}.ipynb")


@pytest.mark.parametrize("name", CHAPTERS)
def test_recording_and_check_cells_are_hidden_from_readers(name):
    notebook = nbformat.read(str(bs.BOOK / f"{name}.ipynb"), as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        records = re.search(r"^\s*said\(|prose\.check\(", cell.source, re.M)
        if records:
            tags = cell.metadata.get("tags", [])
            assert "remove-cell" in tags, f"cell {index} records or checks prose"
            assert "nbval-ignore-output" not in tags or "timing" in cell.source, (
                f"cell {index}: nbval must compare the values the prose states")


def test_few_results_are_typed_by_hand():
    typed = [(path.name, index, number) for path in sorted(bs.BOOK.glob("*.ipynb"))
             for index, number, _ in typed_numbers.typed_numbers(path)]
    assert len(typed) <= ALLOWANCE, (
        f"{len(typed)} results typed by hand in the prose (allowed {ALLOWANCE}); "
        f"render them with {{eval}}`said.NAME`: {typed}")


def test_the_counter_sees_typed_results_and_skips_rendered_ones(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "It costs 16.18 $ a day, 4.0% more; {eval}`said.gap` and $\\varepsilon = 0.1$;"
        " `code 2.5`; with 10% exploration.")])
    path = tmp_path / "x.ipynb"
    nbformat.write(notebook, str(path))
    assert [n for _, n, _ in typed_numbers.typed_numbers(path)] == ["16.18", "4.0%"]
