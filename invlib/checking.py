"""Checks for the exercises: a student's answer held against a digest of the
right one, so that the check says "right" or "not yet" without printing, or
holding, the answer itself.

An exercise's check cell names what it expects of each answer::

    check("ex-bike-one-day", globals(),
          Expect("next_state", "the next state, (on hand, on order)",
                 "integers", digest="...", size=2),
          Expect("day_cost", "the cost of the day in dollars", "number",
                 digest="...", places=2,
                 hints={"...": "this charges holding on tonight's stock"}))

and prints one line: right, not answered yet (with what is expected), or not
right yet (with a hint). It never raises: a missing, malformed or wrong answer
is a message, not a traceback. A digest is the first 16 hexadecimal digits of
the SHA-256 of the exercise's label, the answer's name and the answer in a
canonical text form (:func:`canonical`), so the check cannot be read back into
the answer, and a digest made for one exercise says nothing of another. An
author makes digests with :func:`digest` from the book's own solution; the
book's notebooks run every check right after its solution, and the tests
require it to say "right".
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

#: The kinds of answer a check can judge.
KINDS = ("number", "numbers", "integers", "flag", "choice")


class Malformed(ValueError):
    """An answer that is not of the kind the exercise asks for."""


@dataclass(frozen=True)
class Expect:
    """What an exercise expects of one answer.

    ``kind`` is one of :data:`KINDS`: a number compared to ``places`` decimals
    (``tolerance`` units of the last decimal either way still count as right), a
    sequence of ``size`` numbers or whole numbers (``unordered``: compared as a
    sorted set), ``True``/``False``, or one of ``options`` (text, compared
    without case). ``hints`` maps the digest of a likely wrong answer to a
    sentence that points at the mistake; ``hint`` is said of any other wrong
    answer."""

    name: str
    what: str
    kind: str
    digest: str
    places: int = 2
    size: int | None = None
    unordered: bool = False
    options: tuple[str, ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""
    tolerance: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice" and not self.options:
            raise ValueError("a choice needs its options")


def canonical(expect: Expect, value, shift: int = 0) -> str:
    """The answer as the text its digest is made of; ``shift`` moves a single
    number by that many units of its last decimal (the check's tolerance).
    Raises :class:`Malformed`, with what was expected, for a wrong kind."""
    kind = expect.kind
    if value is Ellipsis or value is None:
        raise Malformed("not answered yet")
    if kind == "flag":
        if not isinstance(value, (bool, np.bool_)):
            raise Malformed(f"expected True or False, got {_shown(value)}")
        return str(bool(value))
    if kind == "choice":
        if not isinstance(value, str):
            raise Malformed(f"expected one of {_options(expect)}, got "
                            f"{_shown(value)}")
        text = value.strip().lower()
        if text not in {o.lower() for o in expect.options}:
            raise Malformed(f"expected one of {_options(expect)}, got {value!r}")
        return text
    if kind == "number":
        number = _number(value)
        return _decimal(number + shift * 10.0 ** -expect.places, expect.places)
    numbers = _numbers(value, expect.size)
    if kind == "integers":
        if not np.all(np.abs(numbers - np.round(numbers)) < 1e-9):
            raise Malformed(f"expected whole numbers, got {_shown(value)}")
        items = [str(int(v)) for v in np.round(numbers)]
    else:
        items = [_decimal(v, expect.places) for v in numbers]
    if expect.unordered:
        items = sorted(set(items), key=float)
    return ",".join(items)


def digest(label: str, expect_or_name, value=None, **settings) -> str:
    """The digest of ``value`` as the answer ``name`` of exercise ``label``:
    ``digest(label, expect, value)``, or ``digest(label, name, value, kind=...,
    places=...)`` while writing a check."""
    expect = (expect_or_name if isinstance(expect_or_name, Expect)
              else Expect(expect_or_name, "", digest="", **settings))
    return _hash(label, expect.name, canonical(expect, value))


def judge(label: str, expect: Expect, value) -> tuple[str, str]:
    """``(verdict, message)`` for one answer: verdict ``right``, ``missing``
    (``...`` or None), ``malformed`` (not of the expected kind) or ``wrong``."""
    try:
        shifts = sorted(range(-expect.tolerance, expect.tolerance + 1), key=abs) \
            if expect.kind == "number" else [0]
        texts = [canonical(expect, value, s) for s in shifts]
    except Malformed as err:
        verdict = "missing" if value is Ellipsis or value is None else "malformed"
        return verdict, f"{expect.name}: {err} ({expect.what})"
    if any(_hash(label, expect.name, t) == expect.digest for t in texts):
        return "right", f"{expect.name} is right"
    hint = expect.hints.get(_hash(label, expect.name, texts[0]), expect.hint)
    return "wrong", f"{expect.name} is not right yet" + (f": {hint}" if hint
                                                          else "")


def verdict(label: str, namespace: Mapping, *expects: Expect) -> tuple[str, str]:
    """``(verdict, line)`` for exercise ``label``, its answers found by name in
    ``namespace``: verdict ``right``, or the first of ``missing``,
    ``malformed`` and ``wrong`` that some answer got; ``line`` says it."""
    results = [judge(label, e, namespace.get(e.name, None)) for e in expects]
    verdicts = [v for v, _ in results]
    if all(v == "right" for v in verdicts):
        return "right", f"✓ {label}: right."
    told = [m for v, m in results if v != "right"]
    done = verdicts.count("right")
    lead = ("not answered yet" if all(v in ("right", "missing") for v in verdicts)
            else "not right yet")
    worst = next(v for v in ("missing", "malformed", "wrong") if v in verdicts)
    text = "; ".join(told)
    return worst, (f"✗ {label}: {lead} ({done} of {len(expects)} right). "
                   + text + ("" if text.endswith(("?", ".", "!")) else "."))


def check(label: str, namespace: Mapping, *expects: Expect) -> None:
    """Print one line on the answers of exercise ``label`` (found by name in
    ``namespace``, usually ``globals()``): right, not answered yet, or not
    right yet with a hint. Never raises on an answer."""
    print(verdict(label, namespace, *expects)[1])


def _hash(label: str, name: str, text: str) -> str:
    return hashlib.sha256(f"{label}/{name}/{text}".encode()).hexdigest()[:16]


def _decimal(number: float, places: int) -> str:
    text = f"{number:.{places}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _number(value) -> float:
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise Malformed(f"expected a number, got {_shown(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise Malformed(f"expected a number, got {_shown(value)}") from None
    if not math.isfinite(number):
        raise Malformed(f"expected a finite number, got {number}")
    return number


def _numbers(value, size: int | None) -> np.ndarray:
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    try:
        flat = not isinstance(value, (str, bytes)) and np.ndim(value) == 1
    except ValueError:                    # ragged nesting
        flat = False
    if not flat:
        raise Malformed(f"expected a sequence of {size or 'some'} numbers, got "
                        f"{_shown(value)}")
    try:
        numbers = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise Malformed(f"expected a sequence of numbers, got {_shown(value)}") \
            from None
    if size is not None and numbers.size != size:
        raise Malformed(f"expected {size} numbers, got {numbers.size}")
    if not np.all(np.isfinite(numbers)):
        raise Malformed("expected finite numbers")
    return numbers


def _shown(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


def _options(expect: Expect) -> str:
    return ", ".join(repr(o) for o in expect.options)
