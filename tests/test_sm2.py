"""SM-2: the published sequences exactly, and the invariants for any grades."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srs.records import CardState, Grade, Sm2State
from srs.sm2 import INITIAL_EF, MIN_EF, answer, next_ef, review

DAY0 = dt.date(2026, 1, 1)


def run(grades):
    """One review on each day the card falls due; (intervals, EFs in hundredths)."""
    state, day = CardState(), DAY0
    intervals, efs = [], []
    for g in grades:
        state = answer(state, g, day)
        intervals.append(state.sm2.interval)
        efs.append(state.sm2.ef)
        assert state.due == day + dt.timedelta(days=state.sm2.interval)
        day = state.due
    return intervals, efs


@pytest.mark.parametrize(
    "grades, intervals, efs",
    [
        ([5, 5, 5, 5, 5], [1, 6, 17, 48, 140], [260, 270, 280, 290, 300]),
        ([4, 4, 4, 4], [1, 6, 15, 38], [250, 250, 250, 250]),
        ([3, 3, 3, 3], [1, 6, 14, 30], [236, 222, 208, 194]),
        ([5, 5, 2, 5, 5], [1, 6, 1, 1, 6], [260, 270, 270, 280, 290]),
        ([0, 5, 5, 5, 5], [1, 1, 6, 17, 48], [250, 260, 270, 280, 290]),
    ],
)
def test_published_sequences(grades, intervals, efs):
    assert run(grades) == (intervals, efs)


def test_twelve_threes_end_at_the_floor():
    intervals, efs = run([3] * 12)
    assert intervals[-5:] == [271, 374, 487, 634, 825]
    assert efs[-5:] == [138, 130, 130, 130, 130]


@pytest.mark.parametrize("grade, delta", [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)])
def test_ef_formula_in_hundredths(grade, delta):
    assert next_ef(250, Grade(grade)) == 250 + delta


@pytest.mark.parametrize("bad", [-1, 6, 3.0, "4", None, True])
def test_grade_outside_0_to_5_is_a_value_error(bad):
    with pytest.raises(ValueError):
        review(Sm2State(), bad)
    with pytest.raises(ValueError):
        answer(CardState(), bad, DAY0)


def test_failure_keeps_ef_and_restarts_repetitions():
    state = Sm2State(repetitions=4, ef=231, interval=40)
    assert review(state, 2) == Sm2State(repetitions=0, ef=231, interval=1)


def test_only_the_first_grade_of_a_day_changes_the_schedule():
    first = answer(CardState(), 1, DAY0)
    assert first.repeat_today and first.sm2 == Sm2State(0, 250, 1)
    again = answer(first, 5, DAY0)  # a same-day repeat
    assert again.sm2 == first.sm2 and again.due == first.due
    assert not again.repeat_today
    still = answer(first, 3, DAY0)  # below 4: comes back again today
    assert still.repeat_today and still.sm2 == first.sm2


def test_lapses_count_failures_of_learned_cards():
    state = answer(CardState(), 0, DAY0)
    assert state.lapses == 0  # never learned, nothing lapsed
    state = answer(state, 4, DAY0 + dt.timedelta(days=1))
    state = answer(state, 1, state.due)
    assert state.lapses == 1


def test_answer_does_not_mutate_its_input():
    before = CardState()
    answer(before, 5, DAY0)
    assert before == CardState()


def test_clock_going_backwards_never_moves_due_before_last_review():
    state = answer(CardState(), 5, DAY0)
    earlier = answer(state, 1, DAY0 - dt.timedelta(days=3))
    assert earlier.sm2 == state.sm2 and earlier.due == state.due
    assert earlier.last_review == DAY0


grades = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@given(grades, st.lists(st.integers(0, 30), min_size=40, max_size=40))
def test_invariants_for_any_grades_on_any_days(gs, gaps):
    state, day = CardState(), DAY0
    for g, gap in zip(gs, gaps, strict=False):
        new = answer(state, g, day)
        assert new.sm2.ef >= MIN_EF
        assert new.sm2.interval >= 1
        assert new.due > new.last_review
        if g < 3 and not (state.last_review and state.last_review >= day):
            assert new.sm2.interval == 1 and new.sm2.repetitions == 0
            assert new.sm2.ef == state.sm2.ef
        state, day = new, day + dt.timedelta(days=gap)


@given(st.integers(MIN_EF, 400), st.integers(1, 10_000), st.integers(2, 50), st.integers(3, 5))
def test_interval_is_ceil_of_interval_times_ef(ef, interval, reps, grade):
    import math
    from fractions import Fraction

    out = review(Sm2State(reps, ef, interval), grade)
    assert out.interval == math.ceil(Fraction(interval * ef, 100))
    assert out.repetitions == reps + 1


def test_initial_state():
    assert Sm2State() == Sm2State(0, INITIAL_EF, 0)
    assert CardState().is_new
