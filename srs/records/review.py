"""Grades, one answer in the review log, and the schedule changes that are not answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal, NamedTuple

from srs.records.card import CardState


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
        if type(value) is cls:  # already one (a replay parses a million)
            return value  # type: ignore[return-value]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"grade must be an integer 0-5, not {value!r}")
        if not 0 <= value <= 5:
            raise ValueError(f"grade must be 0-5, not {value}")
        return cls(value)

    @property
    def passed(self) -> bool:
        return self >= Grade.HARD


# "new": a card's first answer; "review": the first answer of a day to a studied card;
# "repeat": a same-day repeat; "cram": practice outside the schedule.
ReviewKind = Literal["new", "review", "repeat", "cram"]


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Review:
    """One answer in the review log, with the schedule figures it left behind."""

    card_id: int
    reviewed_at: dt.datetime  # UTC, timezone-aware
    study_day: dt.date
    kind: ReviewKind
    grade: int  # 0-5
    duration_ms: int
    interval_before: int  # days
    interval_after: int  # days
    ef_after: int  # hundredths
    due_after: dt.date | None = None
    id: int = 0
    options_shown: tuple[int, ...] | None = None  # multiple choice: option indexes as shown
    chosen: tuple[int, ...] | None = None  # the option indexes picked
    correct: bool | None = None  # multiple choice: judged right

    @property
    def scheduled_interval(self) -> int:
        """The days from this answer to the due date it set: SM-2's interval, or the one
        FSRS chose (``interval_after`` stays SM-2's); a cram answer set none (its own)."""
        if self.due_after is None or self.kind == "cram":
            return self.interval_after
        return (self.due_after - self.study_day).days

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "card_id": self.card_id,
            "reviewed_at": self.reviewed_at.isoformat(),
            "study_day": self.study_day.isoformat(),
            "kind": self.kind,
            "grade": self.grade,
            "duration_ms": self.duration_ms,
            "interval_before": self.interval_before,
            "interval_after": self.interval_after,
            "ef_after": self.ef_after,
            "due_after": self.due_after and self.due_after.isoformat(),
            "options_shown": None if self.options_shown is None else list(self.options_shown),
            "chosen": None if self.chosen is None else list(self.chosen),
            "correct": self.correct,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Review:
        due_after = data.get("due_after")
        options, chosen = data.get("options_shown"), data.get("chosen")
        return cls(
            id=data.get("id", 0),
            card_id=data["card_id"],
            reviewed_at=_moment(data["reviewed_at"]),
            study_day=dt.date.fromisoformat(data["study_day"]),
            kind=data["kind"],
            grade=data["grade"],
            duration_ms=data["duration_ms"],
            interval_before=data["interval_before"],
            interval_after=data["interval_after"],
            ef_after=data["ef_after"],
            due_after=dt.date.fromisoformat(due_after) if due_after else None,
            options_shown=None if options is None else tuple(options),
            chosen=None if chosen is None else tuple(chosen),
            correct=data.get("correct"),
        )


@dataclass(frozen=True)
class CommittedGrade:
    """One grade as committed: the review log row's id and the card's state before and
    after it, which is exactly what undo needs."""

    id: int
    card_id: int
    kind: ReviewKind
    grade: int
    before: CardState
    after: CardState


@dataclass(frozen=True)
class ScheduleChange:
    """A reset, a postpone, or a schedule taken from Anki at import, as it touched one card
    (kept apart from the answers)."""

    id: int
    kind: Literal["reset", "postpone", "anki"]  # anki: the schedule a card had in Anki
    made_at: dt.datetime
    study_day: dt.date
    days: int | None  # a postpone's shift
    undone_at: dt.datetime | None
    before: CardState
    after: CardState


@dataclass(frozen=True)
class PostponeUndone:
    """What `postpone --undo` did: the shift undone, cards restored, cards reviewed since."""

    days: int
    restored: int
    kept: int


class LoggedAnswer(NamedTuple):
    """One answer of a card's history as FSRS reads it: a tuple, since a review log holds
    millions of them (`srs evaluate` reads them all)."""

    id: int
    reviewed_at: str  # UTC, ISO-8601 as stored: sorts in time order
    study_day: dt.date
    kind: ReviewKind
    grade: int  # 0-5
    interval_before: int  # the SM-2 interval the card had when asked (days)


@dataclass(frozen=True)
class CardHistory:
    """A card, its schedule and its answers (cram left out), oldest first."""

    card_id: int
    deck: str
    state: CardState
    answers: tuple[LoggedAnswer, ...]
