"""invlib.checking: an answer against the digest of the right one."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invlib.checking import Expect, check, digest, judge, verdict

LABEL = "ex-test"


def expect(name, value, kind, **settings):
    return Expect(name, "what is asked", kind, digest(LABEL, name, value,
                                                      kind=kind, **settings),
                  **settings)


def test_a_number_is_right_to_its_decimals_and_within_its_tolerance():
    exact = expect("cost", 20.0, "number", places=2)
    assert judge(LABEL, exact, 20.004)[0] == "right"        # rounds to 20.00
    assert judge(LABEL, exact, np.float64(20))[0] == "right"
    assert judge(LABEL, exact, 20.01)[0] == "wrong"
    loose = expect("cost", 20.0, "number", places=2, tolerance=1)
    assert judge(LABEL, loose, 20.01)[0] == "right"
    assert judge(LABEL, loose, 19.99)[0] == "right"
    assert judge(LABEL, loose, 20.02)[0] == "wrong"


def test_sequences_flags_and_choices():
    state = expect("state", (0, 4), "integers", size=2)
    assert judge(LABEL, state, np.array([0, 4]))[0] == "right"
    assert judge(LABEL, state, [4, 0])[0] == "wrong"
    assert judge(LABEL, state, [0, 4.5])[0] == "malformed"
    assert judge(LABEL, state, [0, 4, 1])[0] == "malformed"
    orders = expect("orders", [0, 3], "integers", unordered=True)
    assert judge(LABEL, orders, {3, 0})[0] == "right"
    flag = expect("wins", True, "flag")
    assert judge(LABEL, flag, np.bool_(True))[0] == "right"
    assert judge(LABEL, flag, 1)[0] == "malformed"          # not a yes or no
    pick = expect("problem", "P3", "choice", options=("P1", "P2", "P3"))
    assert judge(LABEL, pick, " p3 ")[0] == "right"
    assert judge(LABEL, pick, "P1")[0] == "wrong"
    assert judge(LABEL, pick, "P4")[0] == "malformed"


def test_a_hint_names_the_likely_mistake_and_the_line_never_the_answer(capsys):
    cost = Expect("cost", "the cost per day", "number",
                  digest(LABEL, "cost", 12.34, kind="number"),
                  hints={digest(LABEL, "cost", 123.4, kind="number"):
                         "this is the discounted cost"},
                  hint="recount")
    check(LABEL, {"cost": 123.4}, cost)
    wrong = capsys.readouterr().out
    assert "this is the discounted cost" in wrong and "12.34" not in wrong
    check(LABEL, {"cost": 1.0}, cost)
    assert "recount" in capsys.readouterr().out
    check(LABEL, {"cost": 12.34}, cost)
    assert capsys.readouterr().out == f"✓ {LABEL}: right.\n"


def test_a_digest_belongs_to_one_exercise_and_one_answer():
    assert (digest("ex-a", "x", 1.0, kind="number")
            != digest("ex-b", "x", 1.0, kind="number")
            != digest("ex-a", "y", 1.0, kind="number"))
    assert judge("ex-b", expect("x", 1.0, "number"), 1.0)[0] == "wrong"


def test_missing_answers_say_what_is_expected():
    state = expect("state", (0, 4), "integers", size=2)
    got, line = verdict(LABEL, {"state": ...}, state)
    assert got == "missing" and "not answered yet" in line
    assert "what is asked" in line
    got, line = verdict(LABEL, {}, state)                    # the name deleted
    assert got == "missing"


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.just(10 ** 400),
                 st.floats(),
                 st.text(max_size=5), st.lists(st.floats(), max_size=3),
                 st.lists(st.lists(st.integers(), max_size=2), max_size=2),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                 st.sets(st.integers(), max_size=3)))
def test_no_answer_makes_a_check_raise(value):
    expects = [expect("number", 1.5, "number"),
               expect("state", (0, 4), "integers", size=2),
               expect("orders", [0], "integers", unordered=True),
               expect("flag", False, "flag"),
               expect("pick", "a", "choice", options=("a", "b"))]
    for one in expects:
        got, line = verdict(LABEL, {one.name: value}, one)
        assert got in ("right", "wrong", "missing", "malformed")
        assert line.count("\n") == 0 and line.startswith(("✓", "✗"))


def test_an_expectation_of_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        Expect("x", "", "vector", "0")
    with pytest.raises(ValueError, match="options"):
        Expect("x", "", "choice", "0")
