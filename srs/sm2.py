"""SM-2, as published by P. A. Wozniak (1990), with exact integer arithmetic.

Pure: state in, new state out. No clock, no I/O, no floats. The E-Factor is held
in hundredths (250 means 2.5) so every schedule is exact and reproducible.

One deliberate reading of the text: a failed answer (grade < 3) restarts the
repetitions "without changing the E-Factor". Many implementations lower EF here;
we follow the published text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import IntEnum

INITIAL_EF = 250
MIN_EF = 130


class Grade(IntEnum):
    """The six SM-2 response grades."""

    BLACKOUT = 0  # complete blackout
    WRONG = 1  # incorrect; the right answer seemed familiar once seen
    WRONG_EASY_RECALL = 2  # incorrect; the right answer seemed easy to recall
    HARD = 3  # correct, with serious difficulty
    GOOD = 4  # correct, after hesitation
    PERFECT = 5  # perfect response

    @classmethod
    def parse(cls, value: object) -> Grade:
        """A grade from an int 0-5; anything else is a ValueError."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"grade must be an integer 0-5, not {value!r}")
        if not 0 <= value <= 5:
            raise ValueError(f"grade must be 0-5, not {value}")
        return cls(value)

    @property
    def passed(self) -> bool:
        return self >= Grade.HARD


# Grades below this bring a card back later the same day (SM-2's step 7).
SAME_DAY_PASS = Grade.GOOD


@dataclass(frozen=True)
class Sm2State:
    """The algorithm's own state: repetitions n, E-Factor (hundredths), interval in days."""

    repetitions: int = 0
    ef: int = INITIAL_EF
    interval: int = 0


def next_ef(ef: int, grade: Grade) -> int:
    """EF' = EF + 0.1 - (5-q)(0.08 + (5-q)0.02), floored at 1.3; in hundredths."""
    d = 5 - grade
    return max(MIN_EF, ef + 10 - d * (8 + 2 * d))


def review(state: Sm2State, grade: int) -> Sm2State:
    """Apply one (first-of-the-day) grade to an SM-2 state."""
    q = Grade.parse(grade)
    if not q.passed:
        return replace(state, repetitions=0, interval=1)
    n = state.repetitions + 1
    if n == 1:
        interval = 1
    elif n == 2:
        interval = 6
    else:
        # ceil(I * EF) with the EF from before this answer, in integers.
        interval = -(-state.interval * state.ef // 100)
    return Sm2State(repetitions=n, ef=next_ef(state.ef, q), interval=interval)


@dataclass(frozen=True)
class CardState:
    """A card's schedule: the SM-2 state plus what the calendar needs.

    ``due`` is the study day the card is next due (None while new);
    ``last_review`` the study day of its last graded answer; ``repeat_today``
    is set while a card graded below 4 waits for a same-day repeat.
    """

    sm2: Sm2State = Sm2State()
    due: dt.date | None = None
    last_review: dt.date | None = None
    lapses: int = 0
    repeat_today: bool = False

    @property
    def is_new(self) -> bool:
        return self.last_review is None

    def needs_repeat(self, today: dt.date) -> bool:
        return self.repeat_today and self.last_review == today


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
        return replace(card, repeat_today=repeat)
    sm2 = review(card.sm2, q)
    lapsed = not q.passed and card.sm2.repetitions > 0
    return CardState(
        sm2=sm2,
        due=today + dt.timedelta(days=sm2.interval),
        last_review=today,
        lapses=card.lapses + (1 if lapsed else 0),
        repeat_today=repeat,
    )
