"""The records: what goes to JSON comes back equal, and a card's status word."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect

import pytest
from helpers import TODAY
from hypothesis import given
from hypothesis import strategies as st

from srs.records import CardState, Memory, Question, Review, Sm2State

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
states = st.builds(
    CardState,
    sm2=st.builds(
        Sm2State,
        repetitions=st.integers(0, 100),
        ef=st.integers(130, 400),
        interval=st.integers(0, 36500),
    ),
    due=st.none() | days,
    last_review=st.none() | days,
    lapses=st.integers(0, 100),
    repeat_today=st.booleans(),
    memory=st.none()
    | st.builds(Memory, st.floats(0.01, 36500, allow_nan=False), st.floats(1, 10, allow_nan=False)),
)
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
option_lists = st.none() | st.lists(st.integers(0, 15), max_size=16).map(tuple)
reviews = st.builds(
    Review,
    card_id=st.integers(1, 2**63 - 1),
    reviewed_at=moments,
    study_day=days,
    kind=st.sampled_from(["new", "review", "repeat", "cram"]),
    grade=st.integers(0, 5),
    duration_ms=st.integers(0, 10**7),
    interval_before=st.integers(0, 36500),
    interval_after=st.integers(0, 36500),
    ef_after=st.integers(130, 400),
    due_after=st.none() | days,
    id=st.integers(0, 2**63 - 1),
    options_shown=option_lists,
    chosen=option_lists,
    correct=st.none() | st.booleans(),
)


@given(states)
def test_card_state_round_trips(state):
    assert CardState.from_dict(state.to_dict()) == state


@given(reviews)
def test_review_round_trips(review):
    assert Review.from_dict(review.to_dict()) == review


def test_a_state_without_memory_keeps_the_old_json_shape():
    # Review log rows written before FSRS have exactly these keys; they must read back.
    assert set(CardState().to_dict()) == {
        "repetitions",
        "ef",
        "interval",
        "due",
        "last_review",
        "lapses",
        "repeat_today",
    }


def test_status_words_in_their_order():
    day = dt.timedelta(days=1)
    young = CardState(Sm2State(2, 250, 6), due=TODAY + day, last_review=TODAY - 5 * day)
    mature = CardState(Sm2State(4, 250, 21), due=TODAY + day, last_review=TODAY - 20 * day)
    learning = CardState(Sm2State(0, 250, 1), due=TODAY + day, last_review=TODAY, repeat_today=True)
    stale = CardState(Sm2State(0, 250, 1), due=TODAY, last_review=TODAY - day, repeat_today=True)
    assert CardState().status(TODAY) == "new"
    assert young.status(TODAY) == "young"
    assert mature.status(TODAY) == "mature"
    assert learning.status(TODAY) == "learning"
    assert stale.status(TODAY) == "young"  # yesterday's pending repeat is not today's
    assert mature.status(TODAY, suspended=True) == "suspended"


def test_question_takes_its_fields_in_order_with_their_defaults():
    # Question writes its own __init__ (for speed): it must stay the dataclass's.
    params = list(inspect.signature(Question).parameters.values())
    fields = [f for f in dataclasses.fields(Question) if f.init]
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params[1:]] == [f.default for f in fields[1:]]
    assert params[0].default is inspect.Parameter.empty


@given(
    text=st.text(max_size=5),
    options=st.lists(st.text(max_size=3), max_size=3).map(tuple),
    line=st.integers(0, 10**6),
)
def test_a_question_is_a_frozen_value(text, options, line):
    question = Question(text, options=options, line=line, id="x")
    assert (question.text, question.options, question.line, question.id) == (
        text,
        options,
        line,
        "x",
    )
    assert question == dataclasses.replace(question) and hash(question) == hash(
        Question(text, options=options, line=line, id="x")
    )
    assert question != dataclasses.replace(question, line=line + 1)
    assert question.normalised == "" and question.kind == "mcq" and question.faces == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.text = "changed"  # type: ignore[misc]
