"""Parameter checks shared by the models, the solvers and the command line.

Every public entry point validates what it is given and raises
:class:`InvalidParameter` with a one-line message that names the parameter and
its allowed range, so a typo never ends in a traceback from inside numpy or, worse,
in a silently wrong answer.
"""
from __future__ import annotations

import math
import numbers


class InvalidParameter(ValueError):
    """A parameter is outside its allowed range (the message says which and why)."""


def _number(value) -> str:
    """A bound as people write it: 10,000,000 rather than 1e+07."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


def _interval(low, high, low_open, high_open) -> str:
    left = "(" if low_open or low == -math.inf else "["
    right = ")" if high_open or high == math.inf else "]"
    lo = "-inf" if low == -math.inf else _number(low)
    hi = "inf" if high == math.inf else _number(high)
    return f"{left}{lo}, {hi}{right}"


def check_real(name: str, value, low=-math.inf, high=math.inf,
               low_open=False, high_open=False) -> float:
    """Return ``value`` as a float if it is a finite number in the interval."""
    where = _interval(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameter(f"{name} must be a number in {where}, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        raise InvalidParameter(f"{name} must be a finite number in {where}, "
                               f"got {value!r}")
    return value


def check_int(name: str, value, low=-math.inf, high=math.inf) -> int:
    """Return ``value`` as an int if it is a whole number in ``[low, high]``."""
    where = _interval(low, high, False, False)
    if isinstance(value, bool):
        raise InvalidParameter(f"{name} must be an integer in {where}, got {value!r}")
    if not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidParameter(f"{name} must be an integer in {where}, got {value!r}")
    value = int(value)
    if value < low or value > high:
        raise InvalidParameter(f"{name} must be an integer in {where}, got {value!r}")
    return value


def check_sequence(name: str, value) -> tuple:
    """Return ``value`` as a tuple if it is a list, tuple or array (a string or a
    single number is refused: iterating one would hide the mistake)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") \
            or not hasattr(value, "__iter__"):
        raise InvalidParameter(f"{name} must be a sequence (a list or tuple), "
                               f"got {value!r}")
    return tuple(value)


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``."""
    # compared one by one, so that an array given by mistake is refused, not
    # compared elementwise
    if not any(isinstance(value, type(c)) and value == c for c in choices):
        allowed = ", ".join(repr(c) for c in choices)
        raise InvalidParameter(f"{name} must be one of {allowed}, got {value!r}")
    return value
