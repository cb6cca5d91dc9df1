"""HTML that passes the WCAG 2.1 AA checks of axe-core (tests/test_website.py).

* The bibliography (sphinxcontrib-bibtex, written by docutils' HTML5 writer) marks
  each entry ``role="doc-biblioentry"``, a role DPUB-ARIA 1.1 deprecates; axe
  flags it (aria-deprecated-role) and, not counting such entries as list items,
  also flags their ``role="list"`` wrapper as holding no items but the back-links
  (aria-required-children). Each entry is written as a plain ``listitem``, what
  DPUB-ARIA 1.1 recommends instead; the wrapper and its class stay as they are.
* A code cell tagged ``hide-input`` or ``hide-output`` (myst-nb) is a <details>
  whose <summary> shows "Show code cell output" but was labelled "Toggle hidden
  content", a name that leaves out its visible text (axe:
  label-content-name-mismatch, WCAG 2.5.3). The summary is now named by what it
  shows (only the current one of its two prompts is displayed).
"""
from html import escape

from myst_nb.sphinx_ import HideCodeCellNode
from sphinx.writers.html5 import HTML5Translator


class AccessibleHTML5Translator(HTML5Translator):
    def visit_citation(self, node):
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname],
                                       role="listitem"))


def visit_hide_cell(self, node):
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hide_cell(self, node):
    self.body.append("</details>\n")


def setup(app):
    app.setup_extension("myst_nb")      # its visitors first, then these in their place
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_hide_cell))
    # pydata-sphinx-theme adds its own behaviour on top of the registered
    # translator (at builder-inited), so this one is kept underneath it.
    app.set_translator("html", AccessibleHTML5Translator)
    app.set_translator("dirhtml", AccessibleHTML5Translator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
