"""Results typed by hand in the chapters' prose: decimals and percentages in markdown
that are neither rendered from a computed value (``{eval}`said.NAME```) nor one of the
book's chosen settings.

    python scripts/typed_numbers.py [book/NAME.ipynb ...]    # all chapters by default

A stated result must come from the computation (see ``invlib.prose``); the test suite
fails when more than a small allowance is still typed (``tests/test_prose.py``).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent.parent / "book"

#: Values the book *chooses* (exploration rates, step sizes, significance and
#: confidence levels, kappa and demand settings), which prose may state as typed.
SETTINGS = {"0.1", "0.2", "0.3", "0.5", "0.7", "0.8", "0.9", "0.05", "0.01", "0.001",
            "0.6", "0.4", "1%", "5%", "10%", "20%", "95%", "50%", "1.0", "2.0"}

_NUMBER = re.compile(r"(?<![\w.\\^_{])(\d+(?:\.\d+)?\s?%|\d+\.\d+)(?![\w.])")
_STRIP = [
    re.compile(r"\{eval\}`[^`]*`"),            # rendered values
    re.compile(r"```.*?```", re.S),             # fenced directives' options, code
    re.compile(r"`[^`]*`"),                     # inline code
    re.compile(r"\]\([^)]*\)"),                 # link targets
    re.compile(r"\{cite:[a-z]+\}`[^`]*`"),
]
_LINE_REFERENCE = re.compile(r"\blines? (\d+(\.\d+)* (to|and) )?$")
_DIRECTIVE_OPTION = re.compile(r"^\s*:[a-z-]+:.*$", re.M)


def _prose(source: str) -> str:
    # keep directive bodies (algorithm boxes, admonitions): only drop the fences
    source = re.sub(r"^\s*(`{3,}|:{3,}).*$", "", source, flags=re.M)
    source = _DIRECTIVE_OPTION.sub("", source)
    for pattern in _STRIP[2:]:
        source = pattern.sub("", source)
    return _STRIP[0].sub("", source)


def typed_numbers(path) -> list[tuple[int, str, str]]:
    """(cell index, number, the line it is in) for every typed result."""
    notebook = nbformat.read(str(path), as_version=4)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for line in _prose(cell.source).splitlines():
            for match in _NUMBER.finditer(line):
                if _LINE_REFERENCE.search(line[:match.start()]):
                    continue                    # "RSarsa's line 1.4" names a line
                number = re.sub(r"\s", "", match.group(1))
                if number not in SETTINGS:
                    found.append((index, number, line.strip()))
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(BOOK.glob("*.ipynb"))
    total = 0
    for path in paths:
        found = typed_numbers(path)
        total += len(found)
        for index, number, line in found:
            print(f"{path.name} cell {index}: {number:>8}  {line[:90]}")
    print(f"{total} typed result(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
