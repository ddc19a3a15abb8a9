"""SM-2, as published by P. A. Wozniak (1990), with exact integer arithmetic.

Pure: state in, new state out. No clock, no I/O, no floats. The E-Factor is held
in hundredths (250 means 2.5) so every schedule is exact and reproducible.

One deliberate reading of the text: a failed answer (grade < 3) restarts the
repetitions "without changing the E-Factor". Many implementations lower EF here;
we follow the published text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from srs.records.card import INITIAL_EF, CardState, Sm2State
from srs.records.review import Grade

__all__ = ["INITIAL_EF", "MIN_EF", "SAME_DAY_PASS", "Sm2Scheduler", "answer", "next_ef", "review"]

MIN_EF = 130

# Grades below this bring a card back later the same day (SM-2's step 7).
SAME_DAY_PASS = Grade.GOOD


def next_ef(ef: int, grade: Grade) -> int:
    """EF' = EF + 0.1 - (5-q)(0.08 + (5-q)0.02), floored at 1.3; in hundredths."""
    d = 5 - grade
    return max(MIN_EF, ef + 10 - d * (8 + 2 * d))


def review(state: Sm2State, grade: int) -> Sm2State:
    """Apply one (first-of-the-day) grade to an SM-2 state."""
    q = Grade.parse(grade)
    if not q.passed:
        return Sm2State(repetitions=0, ef=state.ef, interval=1)
    n = state.repetitions + 1
    if n == 1:
        interval = 1
    elif n == 2:
        interval = 6
    else:
        # ceil(I * EF) with the EF from before this answer, in integers.
        interval = -(-state.interval * state.ef // 100)
    return Sm2State(repetitions=n, ef=next_ef(state.ef, q), interval=interval)


def answer(card: CardState, grade: int, today: dt.date) -> CardState:
    """Schedule a card answered with ``grade`` on study day ``today``.

    Only the first grade of a day changes n, EF and the interval; later grades
    that day (same-day repeats) only decide whether the card comes back again.
    """
    q = Grade.parse(grade)
    repeat = q < SAME_DAY_PASS
    if card.last_review is not None and card.last_review >= today:
        # A same-day repeat, or a clock that went backwards: never reschedule
        # to before the last review.
        return CardState(
            sm2=card.sm2,
            due=card.due,
            last_review=card.last_review,
            lapses=card.lapses,
            repeat_today=repeat,
            memory=card.memory,
        )
    sm2 = review(card.sm2, q)
    lapsed = not q.passed and card.sm2.repetitions > 0
    # A new CardState rather than dataclasses.replace: several times faster, and a replay
    # of an imported review log answers a million times.
    return CardState(
        sm2=sm2,
        due=today + dt.timedelta(days=sm2.interval),
        last_review=today,
        lapses=card.lapses + (1 if lapsed else 0),
        repeat_today=repeat,
        memory=card.memory,
    )


@dataclass(frozen=True)
class Sm2Scheduler:
    """SM-2 behind the scheduler seam (:class:`srs.scheduler.Scheduler`)."""

    name: ClassVar[str] = "sm2"

    def answer(self, card: CardState, grade: Grade, today: dt.date) -> CardState:
        return answer(card, grade, today)
