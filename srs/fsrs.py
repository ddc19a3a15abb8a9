"""FSRS-6 behind the scheduler seam, computed by the `fsrs` package (py-fsrs).

Pure: a card's state, a grade and the study day in, the new state out; no clock, no I/O.
Elapsed time is counted in study days, from the card's ``last_review`` to ``today``.

How it fits the rest of srs:

- SM-2's state is always updated too (``srs.sm2.answer`` runs first), so switching back to
  SM-2 loses nothing; FSRS then sets the card's ``memory`` (stability, difficulty) and ``due``.
- Only the first grade of a study day updates memory and due, as under SM-2. A same-day
  repeat (after a grade below 4) is handled exactly as SM-2 handles it. FSRS's own short-term
  steps (minutes-long learning and relearning steps, with their same-day stability updates)
  are not used: py-fsrs runs with no learning or relearning steps, and the same-day repeats
  play their part. Fitting and evaluating (`srs.history`) read the same first-of-day grades.
- Grades map to FSRS ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy.

py-fsrs is imported when a scheduler is made, not with this module: `srs due` and
`srs --help` never load it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from srs import sm2
from srs.errors import SrsError
from srs.records.card import CardState, Memory, Sm2State
from srs.records.review import Grade

# FSRS-6's default parameters (the same in py-fsrs and fsrs-rs; tests/test_fsrs.py checks).
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212,
    1.2931,
    2.3065,
    8.2956,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.8722,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)
MAX_INTERVAL = 36500  # days, as py-fsrs and Anki
# The recall SM-2's schedules are assumed to have had, when FSRS starts from an SM-2 state
# (a card with no usable history): Anki's "historical retention", 0.9 by default.
SM2_RETENTION = 0.9
STABILITY_MIN = 0.001
_MIDNIGHT = dt.time(0, tzinfo=dt.UTC)


def rating(grade: int) -> int:
    """The FSRS rating of an SM-2 grade: 0-2 Again (1), 3 Hard (2), 4 Good (3), 5 Easy (4)."""
    return 1 if grade < Grade.HARD else grade - 1


def initial_difficulty(first_rating: int, parameters: Sequence[float]) -> float:
    """FSRS-6's difficulty after a card's first answer (1-10), as py-fsrs computes it."""
    w = parameters
    return min(10.0, max(1.0, w[4] - math.exp(w[5] * (first_rating - 1)) + 1))


def _factor(decay: float) -> float:
    return 0.9 ** (-1 / decay) - 1


def retrievability(stability: float, elapsed_days: float, parameters: Sequence[float]) -> float:
    """FSRS-6's forgetting curve: the probability of recall ``elapsed_days`` after a review."""
    decay = parameters[20]
    return (1 + _factor(decay) * elapsed_days / stability) ** -decay


def elapsed_ratio(recall: float, parameters: Sequence[float]) -> float:
    """The elapsed days per day of stability at which retrievability falls to ``recall``
    (the forgetting curve inverted: ``retrievability(s, s * ratio) == recall``)."""
    decay = parameters[20]
    return (recall ** (-1 / decay) - 1) / _factor(decay)


def memory_from_sm2(
    state: Sm2State, parameters: Sequence[float], retention: float = SM2_RETENTION
) -> Memory:
    """A memory state inferred from an SM-2 state, as Anki does for a card with no usable
    history when FSRS is turned on (fsrs-rs ``memory_state_from_sm2``): the stability at
    which the SM-2 interval has recall ``retention``, and the difficulty under which FSRS
    would have grown that interval by the E-Factor."""
    w = parameters
    stability = max(state.interval, STABILITY_MIN) / elapsed_ratio(retention, w)
    growth = math.exp(w[8]) * stability ** -w[9] * math.expm1((1 - retention) * w[10])
    difficulty = 11 - (state.ef / 100 - 1) / growth
    return Memory(stability, min(10.0, max(1.0, difficulty)))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, _MIDNIGHT)


@dataclass(frozen=True)
class FsrsScheduler:
    """FSRS behind the scheduler seam (:class:`srs.scheduler.Scheduler`)."""

    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    desired_retention: float = 0.9
    name: ClassVar[str] = "fsrs"
    _fsrs: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import fsrs

        try:
            scheduler = fsrs.Scheduler(
                parameters=tuple(self.parameters),
                desired_retention=self.desired_retention,
                learning_steps=(),
                relearning_steps=(),
                maximum_interval=MAX_INTERVAL,
                enable_fuzzing=False,
            )
        except ValueError as e:
            first = str(e).splitlines()[-1]
            raise SrsError(f"unusable FSRS parameters ({first}); run `srs optimize`") from None
        object.__setattr__(self, "_fsrs", scheduler)

    def memory(self, card: CardState) -> Memory | None:
        """The card's memory; for a studied card without one, inferred from its SM-2 state."""
        if card.memory is not None or card.is_new:
            return card.memory
        return memory_from_sm2(card.sm2, self.parameters)

    def answer(self, card: CardState, grade: Grade, today: dt.date) -> CardState:
        import fsrs

        q = Grade.parse(grade)
        after = sm2.answer(card, q, today)
        if card.last_review is not None and card.last_review >= today:
            return after  # a same-day repeat (or a clock gone back): as SM-2 handles it
        at = _midnight(today)
        memory = self.memory(card)
        if memory is None:
            before = fsrs.Card(card_id=0, state=fsrs.State.Learning, due=at)
        else:
            assert card.last_review is not None
            before = fsrs.Card(
                card_id=0,
                state=fsrs.State.Review,
                stability=memory.stability,
                difficulty=memory.difficulty,
                due=at,
                last_review=_midnight(card.last_review),
            )
        reviewed, _ = self._fsrs.review_card(before, fsrs.Rating(rating(q)), review_datetime=at)
        return replace(
            after,
            memory=Memory(reviewed.stability, reviewed.difficulty),
            due=today + (reviewed.due - at),
        )
