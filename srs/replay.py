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
from dataclasses import replace
from typing import Literal, NamedTuple

from srs.records import CardState, Grade, ReviewKind

Answer = Callable[[CardState, Grade, dt.date], CardState]


# The events are NamedTuples (a replay of an imported log makes a million), laid out so that
# they sort as plain tuples: by time, changes before answers at one moment, then by key.


class Answered(NamedTuple):
    """One answer in the log: ``key`` names it for the caller (a row id, say)."""

    at_ms: int  # when, in ms since the epoch (UTC)
    rank: int  # 1: after a change at the same moment
    key: int
    day: dt.date  # its study day
    grade: int
    cram: bool = False


class Changed(NamedTuple):
    """A change that is not an answer."""

    at_ms: int
    rank: int  # 0
    key: int  # unique among the changes
    kind: Literal["reset", "postpone", "anki"]
    state: CardState  # the state it left (reset, anki)
    days: int = 0  # a postpone's shift


def answered(key: int, at_ms: int, day: dt.date, grade: int, cram: bool = False) -> Answered:
    return Answered(at_ms, 1, key, day, grade, cram)


def changed(
    key: int,
    at_ms: int,
    kind: Literal["reset", "postpone", "anki"],
    state: CardState,
    days: int = 0,
) -> Changed:
    return Changed(at_ms, 0, key, kind, state, days)


class Replayed(NamedTuple):
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
    events: Iterable[Answered | Changed],
    answer: Answer,
    start: CardState | None = None,
    *,
    changes: list[tuple[Changed, CardState]] | None = None,
) -> tuple[CardState, list[Replayed]]:
    """The card's state after its events (sorted here by time; at one moment, changes
    first), and each answer as replayed; each change with the state before it is added to
    ``changes`` if given."""
    state = start or CardState()
    out: list[Replayed] = []
    grades = {int(g): g for g in Grade}
    for event in sorted(events):
        if event.rank == 0:
            change: Changed = event  # type: ignore[assignment]
            if changes is not None:
                changes.append((change, state))
            if change.kind == "postpone":
                if state.due is not None:
                    state = replace(state, due=state.due + dt.timedelta(days=change.days))
            else:
                state = change.state
            continue
        key, day, grade, cram = event[2:]
        if cram:
            out.append(Replayed(key, "cram", state, state))
            continue
        after = answer(state, grades.get(grade) or Grade.parse(grade), day)
        out.append(Replayed(key, kind_of(state, day), state, after))
        state = after
    return state, out
