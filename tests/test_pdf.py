"""The printable book: scripts/make_pdf.py (what scripts/build-pdf runs) prints the
website into one PDF. Every chapter is in it, in order, with its title; no raw TeX is
left; the page count is sensible; the outline links the chapters; solutions are left
out."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TITLES = ["The bike shop", "Solving it exactly", "Q-learning against the optimum",
          "SARSA: learning the policy you follow",
          "Rumination: learning from the orders not placed",
          "PRS.Beta, RSarsa.TD and PRS.TD: the best of both",
          "Replicating the paper", "How robust are the paper",
          "Bring your own agent",
          "Teaching with this book", "Notation",
          "Glossary", "References"]


def test_every_chapter_is_in_the_pdf_in_order(pdf):
    """The outline lists the pages in the book's order, and each entry's first
    page starts with that page's title."""
    from pypdf import PdfReader
    path = pdf[0]
    reader = PdfReader(path)
    entries = [(item.title, reader.get_destination_page_number(item))
               for item in reader.outline]
    assert [page for _, page in entries] == sorted(page for _, page in entries)
    titles = [title for title, _ in entries]
    for wanted in TITLES:
        match = [t for t in titles if wanted in t]
        assert match, f"{wanted!r} not in the outline {titles}"
    for title, page in entries:
        first = " ".join(reader.pages[page].extract_text().split())
        name = re.sub(r"^\d+\.\s*", "", " ".join(title.split()))  # "1. " prefix
        assert first.startswith(name), f"{title!r} does not open its page"
    chapters = [int(t.split(".")[0]) for t in titles if re.match(r"\d+\.", t)]
    assert chapters == list(range(1, 9))


def test_pdf_has_no_raw_tex_and_no_solutions(pdf):
    text = pdf[1]
    for token in ("\\frac", "$$", "\\alpha", "\\gamma", "{exercise}", "{solution"):
        assert token not in text, f"raw {token!r} in the PDF"
    assert "Exercise 1.1" in text
    assert "Solution to" not in text


def test_pdf_page_count_and_outline(pdf):
    from pypdf import PdfReader
    path = pdf[0]
    reader = PdfReader(path)
    assert 60 <= len(reader.pages) <= 400
    outline = [item.title for item in reader.outline]
    assert len(outline) == 14 and outline[1] == "1. The bike shop"


def test_pdf_prints_the_numbers_behind_the_figures(pdf):
    """What the website folds under a figure (its numbers) is printed open, since
    paper cannot unfold, and the website's "Show code cell output" line is not."""
    text = pdf[1]
    assert "Show code cell output" not in text
    # a caption from chapter 3's folded table of the learned policies' costs
    assert "Exact long-run cost of each seed's learned policy" in " ".join(text.split())
