"""The review session, without a terminal: order, limits, judging, repeats, undo."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import replace

import pytest
from helpers import basic, mcq, now_at

from srs.errors import SrsError
from srs.records import CardState, DueCounts, Grade, Question, Sm2State
from srs.review import Session, judge
from srs.settings import Settings

DAY = dt.date(2026, 11, 22)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


def session(store, today=DAY, seed=1, **kw) -> Session:
    return Session(store, today, random.Random(seed), settings=store.settings(), **kw)


def answer_all(s: Session, grade_for=lambda shown: 4, now=None) -> list[int]:
    """Answer every card the session offers; returns the card ids in the order shown."""
    seen = []
    while (shown := s.next_card()) is not None:
        seen.append(shown.card.id)
        s.grade(shown, grade_for(shown), now=now or now_at(), duration_ms=10)
    return seen


@pytest.fixture
def ten(store):
    store.import_questions([("Deck", "/a.txt", [mcq(f"Q{i}") for i in range(10)])], now_at())
    return store


def test_new_cards_come_in_source_order_up_to_the_limit(ten):
    ten.set_setting("new_per_day", 4)
    assert answer_all(session(ten)) == [1, 2, 3, 4]
    assert answer_all(session(ten)) == []  # today's new cards are used up


def test_new_option_overrides_the_daily_limit(ten):
    assert answer_all(session(ten, new_limit=2)) == [1, 2]


def test_limit_caps_the_session(ten):
    assert len(answer_all(session(ten, limit=3))) == 3


def test_negative_limits_are_refused(ten):
    with pytest.raises(SrsError):
        session(ten, limit=-1)
    with pytest.raises(SrsError):
        session(ten, new_limit=-2)


def _set_state(store, card_id, state):
    before = store.card_state(card_id)
    assert store.record_review(
        card_id, before, state, kind="review", grade=4, now=now_at(), today=DAY, duration_ms=1
    )


def test_order_is_repeats_then_most_overdue_then_new(ten):
    learned = CardState(sm2=Sm2State(2, 250, 6), last_review=days(-7))
    _set_state(ten, 1, replace(learned, due=days(-1)))
    _set_state(ten, 2, replace(learned, due=days(-5)))
    _set_state(ten, 3, replace(learned, due=days(-3)))
    _set_state(ten, 4, CardState(Sm2State(0, 250, 1), days(1), DAY, 0, repeat_today=True))
    _set_state(ten, 5, replace(learned, due=days(2)))  # not due yet
    s = session(ten, new_limit=2)
    assert s.remaining() == {"new": 2, "learning": 1, "review": 3}
    assert answer_all(s) == [4, 2, 3, 1, 6, 7]


def test_failed_card_comes_back_the_same_day_until_graded_4(ten):
    s = session(ten, new_limit=1)
    grades = iter([1, 3, 4])
    shown_ids = answer_all(s, grade_for=lambda sh: next(grades))
    assert shown_ids == [1, 1, 1]
    log = ten.reviews(1)
    assert [r.kind for r in log] == ["new", "repeat", "repeat"]
    state = ten.card_state(1)
    # Only the first grade of the day counted: failed -> interval 1, EF unchanged.
    assert (state.sm2.repetitions, state.sm2.interval, state.sm2.ef) == (0, 1, 250)
    assert not state.repeat_today


def test_a_later_session_the_same_day_picks_up_repeats(ten):
    s = session(ten, new_limit=1)
    shown = s.next_card()
    s.grade(shown, 2, now=now_at(), duration_ms=1)
    later = session(ten, new_limit=0)
    assert later.remaining() == {"new": 0, "learning": 1, "review": 0}
    assert answer_all(later) == [1]


def test_options_are_shuffled_each_time(ten):
    orders = set()
    for seed in range(20):
        shown = session(ten, seed=seed).next_card()
        orders.add(shown.order)
        assert sorted(shown.order) == [0, 1, 2]
    assert len(orders) > 1


def test_judging_and_suggested_grades(ten):
    shown = session(ten).next_card()
    right = shown.parse_choice(shown.right_letters())
    assert judge(shown, right).correct and judge(shown, right).suggested == Grade.GOOD
    wrong_letter = next(
        letter for letter, _ in shown.options() if letter not in shown.right_letters()
    )
    j = judge(shown, shown.parse_choice(wrong_letter))
    assert not j.correct and j.suggested == Grade.WRONG and j.max_grade == 2
    with pytest.raises(ValueError):
        shown.parse_choice("z")
    with pytest.raises(ValueError):
        shown.parse_choice("")


def test_a_wrong_answer_cannot_be_graded_a_pass(ten):
    s = session(ten)
    shown = s.next_card()
    wrong = next(i for i in shown.order if i not in shown.card.question.answers)
    j = judge(shown, (wrong,))
    with pytest.raises(ValueError, match="0-2"):
        s.grade(shown, 3, now=now_at(), duration_ms=1, chosen=(wrong,), judgement=j)
    assert ten.reviews() == []


def test_multiple_right_answers_need_all_of_them(store):
    store.import_questions(
        [("Deck", "/a.md", [mcq("Pick two", options=("a", "b", "c"), answers=(0, 2))])], now_at()
    )
    shown = session(store).next_card()
    assert len(shown.right_letters()) == 2
    assert judge(shown, shown.parse_choice(shown.right_letters())).correct
    assert not judge(shown, shown.parse_choice(shown.right_letters()[0])).correct


def test_undo_puts_back_the_card_and_the_log(ten):
    s = session(ten)
    first = s.next_card()
    s.grade(first, 5, now=now_at(), duration_ms=1)
    cards_before = ten.conn.execute("SELECT * FROM cards ORDER BY id").fetchall()
    second = s.next_card()
    s.grade(second, 0, now=now_at(), duration_ms=1)
    pending = s.next_card()
    undone = s.undo(pending=pending)
    assert undone.card.id == second.card.id
    assert ten.conn.execute("SELECT * FROM cards ORDER BY id").fetchall() == cards_before
    assert [r.card_id for r in ten.reviews()] == [first.card.id]
    assert s.tally.reviewed == 1
    # The undone card is shown again next, then the one that was waiting.
    assert s.next_card().card.id == second.card.id
    assert s.next_card().card.id == pending.card.id


def _both_ways(store, *texts: str) -> dict[int, str]:
    """Reversed questions (two cards each), one import each, so the cards' ids go A1, A2,
    B1, ... as an Anki package's notes bring them; the ids, named so."""
    for n, text in enumerate(texts):
        question = Question(text=text, kind="reversed", answer=text.lower())
        store.import_questions([("Deck", f"/{n}.md", [question])], now_at())
    rows = store.conn.execute(
        "SELECT c.id, q.text, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
    )
    return {card_id: f"{text}{ord_ + 1}" for card_id, text, ord_ in rows}


def test_new_cards_are_asked_first_sides_first(store):
    names = _both_ways(store, "A", "B", "C")
    assert [names[c] for c in answer_all(session(store))] == ["A1", "B1", "C1", "A2", "B2", "C2"]


def test_a_sibling_never_follows_its_sibling_while_another_card_can(store):
    """In whatever order the queue holds them (cram shuffles it), a card's other side waits
    for one other card; alone in the queue, it still comes."""
    names = _both_ways(store, "A", "B")
    for seed in range(40):
        shown = [names[c] for c in answer_all(session(store, seed=seed, cram=True))]
        assert sorted(shown) == ["A1", "A2", "B1", "B2"]
        assert all(a[0] != b[0] for a, b in itertools.pairwise(shown)), (seed, shown)
    store.set_suspended([c for c, name in names.items() if name[0] == "B"], True)
    assert sorted(names[c] for c in answer_all(session(store, cram=True))) == ["A1", "A2"]


def test_a_failed_card_still_waits_for_its_repeat_behind_its_siblings(store):
    gaps = Question(text="{{c1::one}} {{c2::two}} {{c3::three}}", kind="cloze")
    store.import_questions([("Deck", "/c.md", [gaps])], now_at())
    ords = dict(store.conn.execute("SELECT id, ord FROM cards"))
    s = session(store)
    shown = answer_all(
        s, grade_for=lambda shown: 1 if shown.card.ord == 0 and s.tally.reviewed == 0 else 4
    )
    # Gap 1 failed: gaps 2 and 3 (its siblings, all that is left) come before its repeat.
    assert [ords[c] for c in shown] == [0, 1, 2, 0]


def test_undo_shows_the_card_again_next_even_after_its_sibling(store):
    names = _both_ways(store, "A")
    s = session(store)
    first = s.next_card()
    s.grade(first, 4, now=now_at(), duration_ms=1)
    pending = s.next_card()  # its sibling: nothing else is left
    assert [names[first.card.id], names[pending.card.id]] == ["A1", "A2"]
    assert s.undo(pending=pending).card.id == first.card.id
    assert s.next_card().card.id == first.card.id
    assert s.next_card().card.id == pending.card.id


def test_a_card_graded_by_another_session_is_not_graded_twice(ten):
    a, b = session(ten, seed=1), session(ten, seed=2)
    shown_a, shown_b = a.next_card(), b.next_card()
    assert shown_a.card.id == shown_b.card.id
    assert a.grade(shown_a, 4, now=now_at(), duration_ms=1) is not None
    assert b.grade(shown_b, 5, now=now_at(), duration_ms=1) is None
    assert len(ten.reviews(shown_a.card.id)) == 1
    assert b.next_card().card.id != shown_a.card.id


def test_basic_cards_are_graded_without_judging(store):
    store.import_questions([("Deck", "/a.md", [basic("Capital of France?", "Paris")])], now_at())
    s = session(store)
    shown = s.next_card()
    assert not shown.is_mcq and shown.card.question.answer == "Paris"
    log = s.grade(shown, 5, now=now_at(), duration_ms=1)
    assert log.after.due == days(1)


def test_due_tomorrow_counts_what_was_just_learned(ten):
    ten.set_setting("new_per_day", 3)
    s = session(ten)
    answer_all(s)
    assert s.due_tomorrow() == DueCounts(new=3, learning=0, review=3)
    assert s.left_today() == DueCounts()


def test_multi_day_schedule_follows_sm2(ten):
    ten.set_setting("new_per_day", 1)
    seen_on = {}
    for d in range(0, 40):
        s = session(ten, today=days(d))
        for card_id in answer_all(s, grade_for=lambda sh: 5):
            seen_on.setdefault(card_id, []).append(d)
    # Card 1: learned day 0, then after 1, 6, 17 days (EF 2.6, 2.7, ...).
    assert seen_on[1] == [0, 1, 7, 24]
    assert seen_on[2] == [1, 2, 8, 25]
    assert Settings().new_per_day == 20


def test_a_grade_and_the_leech_suspension_it_causes_are_one_commit(store):
    store.import_questions([("D", "/d.md", [mcq("leechy")])], now_at())
    settings = Settings(leech_threshold=1, suspend_leeches=1)
    first = Session(store, DAY, random.Random(1), settings=settings)
    shown = first.next_card()
    first.grade(shown, 5, now=now_at(), duration_ms=1)  # learned
    later = Session(store, days(1), random.Random(1), settings=settings)
    shown = later.next_card()
    with store.trace() as statements:
        log = later.grade(shown, 1, now=now_at(), duration_ms=1)  # a lapse: a leech at 1
    assert later.became_leech(log) and store.is_suspended(shown.card.id)
    begins = [s for s in statements if s.startswith(("BEGIN", "COMMIT"))]
    assert begins == ["BEGIN IMMEDIATE", "COMMIT"], statements
    writes = [s for s in statements if s.startswith(("UPDATE", "INSERT"))]
    assert [w.split()[0:2] for w in writes] == [
        ["UPDATE", "cards"],
        ["INSERT", "INTO"],
        ["UPDATE", "cards"],
    ]
    # Undo takes both back, again as one commit.
    with store.trace() as statements:
        later.undo()
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    assert not store.is_suspended(shown.card.id)
