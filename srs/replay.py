"""A card's schedule recomputed from its log: the answers (srs's and Anki's, merged) and the
changes that are not answers (resets, postpones, a schedule taken from Anki), in time order,
through the scheduler. Pure: events in, states out.

The rules are the session's: the first grade of a study day reschedules, later grades that
day are same-day repeats (the scheduler decides, as when grading), cram answers change
nothing; a reset puts the card back to new, a postpone moves its due date, a schedule taken
from Anki replaces the state as it was then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from srs.records import CardState, Grade, ReviewKind

Answer = Callable[[CardState, Grade, dt.date], CardState]


@dataclass(frozen=True)
class Answered:
    """One answer in the log: ``key`` names it for the caller (a row id, say)."""

    key: int
    at_ms: int  # when, in ms since the epoch (UTC)
    day: dt.date  # its study day
    grade: int
    cram: bool = False


@dataclass(frozen=True)
class Changed:
    """A change that is not an answer."""

    at_ms: int
    kind: Literal["reset", "postpone", "anki"]
    state: CardState  # the state it left (reset, anki)
    days: int = 0  # a postpone's shift


@dataclass(frozen=True)
class Replayed:
    """One answer as the replay saw it: its kind and the card's state before and after."""

    key: int
    kind: ReviewKind
    before: CardState
    after: CardState


def kind_of(before: CardState, day: dt.date) -> ReviewKind:
    """new: a card's first answer; repeat: another answer the same study day; else review."""
    if before.is_new:
        return "new"
    if before.last_review is not None and before.last_review >= day:
        return "repeat"
    return "review"


def replay(
    events: Iterable[Answered | Changed], answer: Answer, start: CardState | None = None
) -> tuple[CardState, list[Replayed]]:
    """The card's state after its events (sorted here by time; at one moment, changes
    first), and each answer as replayed."""
    ordered = sorted(
        events, key=lambda e: (e.at_ms, 0 if isinstance(e, Changed) else 1, getattr(e, "key", 0))
    )
    state = start or CardState()
    out: list[Replayed] = []
    for event in ordered:
        if isinstance(event, Changed):
            if event.kind == "postpone":
                if state.due is not None:
                    state = replace(state, due=state.due + dt.timedelta(days=event.days))
            else:
                state = event.state
            continue
        if event.cram:
            out.append(Replayed(event.key, "cram", state, state))
            continue
        after = answer(state, Grade.parse(event.grade), event.day)
        out.append(Replayed(event.key, kind_of(state, event.day), state, after))
        state = after
    return state, out
