"""A card's schedule, and a card as the session shows it and `srs cards` lists it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from srs.records.question import Question

INITIAL_EF = 250  # SM-2's starting E-Factor, in hundredths
# A scheduled card whose interval is this many days or more is "mature" (as in Anki).
MATURE_DAYS = 21

Status = Literal["suspended", "new", "learning", "young", "mature"]


@dataclass(frozen=True)
class Sm2State:
    """SM-2's own state: repetitions n, E-Factor (hundredths), interval in days."""

    repetitions: int = 0
    ef: int = INITIAL_EF
    interval: int = 0


@dataclass(frozen=True)
class Memory:
    """A memory model's state of a card (FSRS: stability in days, difficulty 1-10)."""

    stability: float
    difficulty: float


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class CardState:
    """A card's schedule: every scheduler's state plus what the calendar needs.

    ``sm2`` is always kept up to date, whichever scheduler sets ``due``, so switching
    schedulers loses nothing; ``memory`` is FSRS's state once it has one. ``due`` is the
    study day the card is next due (None while new); ``last_review`` the study day of its
    last graded answer; ``repeat_today`` is set while a card graded below 4 waits for a
    same-day repeat.
    """

    sm2: Sm2State = Sm2State()
    due: dt.date | None = None
    last_review: dt.date | None = None
    lapses: int = 0
    repeat_today: bool = False
    memory: Memory | None = None

    @property
    def is_new(self) -> bool:
        return self.last_review is None

    @property
    def interval(self) -> int:
        """The days the schedule set between the last answer and the due date: SM-2's
        interval, or for a card FSRS has scheduled the one FSRS chose (SM-2's is still kept,
        so a switch back to SM-2 loses nothing)."""
        if self.memory is not None and self.due is not None and self.last_review is not None:
            return (self.due - self.last_review).days
        return self.sm2.interval

    def needs_repeat(self, today: dt.date) -> bool:
        return self.repeat_today and self.last_review == today

    def status(self, today: dt.date, *, suspended: bool = False) -> Status:
        """One word for the card, in the order `srs stats` counts them (they exclude each other)."""
        if suspended:
            return "suspended"
        if self.due is None:
            return "new"
        if self.needs_repeat(today):
            return "learning"
        return "young" if self.sm2.interval < MATURE_DAYS else "mature"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape kept in the review log (``state_before``/``state_after``)."""
        data: dict[str, Any] = {
            "repetitions": self.sm2.repetitions,
            "ef": self.sm2.ef,
            "interval": self.sm2.interval,
            "due": _iso(self.due),
            "last_review": _iso(self.last_review),
            "lapses": self.lapses,
            "repeat_today": self.repeat_today,
        }
        # Only when there is one: rows written before FSRS keep their exact shape.
        if self.memory is not None:
            data["stability"] = self.memory.stability
            data["difficulty"] = self.memory.difficulty
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardState:
        stability = data.get("stability")
        return cls(
            sm2=Sm2State(data["repetitions"], data["ef"], data["interval"]),
            due=_day(data["due"]),
            last_review=_day(data["last_review"]),
            lapses=data["lapses"],
            repeat_today=bool(data["repeat_today"]),
            memory=None if stability is None else Memory(stability, data["difficulty"]),
        )


@dataclass(frozen=True)
class StudyCard:
    """A card with its question, ready to be shown; ``ord`` says which of the question's
    cards it is (a reversed question's second card, a cloze's gap number - 1)."""

    id: int
    deck: str
    question: Question
    state: CardState
    ord: int = 0


@dataclass(frozen=True)
class CardRow:
    """A card as `srs cards`, `srs show` and the hardest-cards list show it."""

    id: int
    deck: str
    question: str  # the question's text
    state: CardState
    suspended: bool = False

    def status(self, today: dt.date) -> Status:
        return self.state.status(today, suspended=self.suspended)
