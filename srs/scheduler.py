"""The scheduler seam: the session asks "the scheduler" for a card's next state.

A scheduler is pure: a card's state, a grade and the study day in, the new state out;
no clock, no I/O, and it never changes its input. Two sit behind the seam: SM-2
(:mod:`srs.sm2`, the default) and FSRS (:mod:`srs.fsrs`), chosen by the ``scheduler``
setting. FSRS keeps SM-2's state up to date beside its own memory state, so switching
either way loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from srs.fsrs import DEFAULT_PARAMETERS, FsrsScheduler
from srs.records import CardState, FittedParameters, Grade, parameters_for
from srs.settings import Settings
from srs.sm2 import Sm2Scheduler


class Scheduler(Protocol):
    """What the session needs from a scheduler."""

    @property
    def name(self) -> str: ...

    def answer(self, card: CardState, grade: Grade, today: dt.date) -> CardState:
        """The state after ``grade`` on study day ``today``: the first grade of a day
        reschedules; a same-day repeat only says whether the card comes back today."""
        ...


def scheduler_for(settings: Settings, parameters: Sequence[float] | None = None) -> Scheduler:
    """The scheduler the settings choose; FSRS with ``parameters`` (else its defaults)."""
    if settings.scheduler == "fsrs":
        return FsrsScheduler(tuple(parameters or DEFAULT_PARAMETERS), settings.desired_retention)
    return Sm2Scheduler()


def parameters_of(fitted: dict[str, FittedParameters]) -> Callable[[str], tuple[float, ...]]:
    """deck name -> the FSRS parameters its cards are scheduled with: those fitted for the
    deck, else a parent deck, else the collection (``fitted``: the store's), else FSRS's
    defaults; made once a deck."""
    cache: dict[str, tuple[float, ...]] = {}

    def of(deck: str) -> tuple[float, ...]:
        found = cache.get(deck)
        if found is None:
            chosen = parameters_for(deck, fitted)
            found = cache[deck] = chosen.parameters if chosen else DEFAULT_PARAMETERS
        return found

    return of


def scheduler_by_deck(
    settings: Settings, fitted: dict[str, FittedParameters]
) -> Callable[[str], Scheduler]:
    """deck name -> the scheduler of its cards: under FSRS, with the deck's parameters
    (:func:`parameters_of`); made once a deck."""
    parameters = parameters_of(fitted)
    made: dict[str, Scheduler] = {}

    def of(deck: str) -> Scheduler:
        found = made.get(deck)
        if found is None:
            chosen = parameters(deck) if settings.scheduler == "fsrs" else None
            found = made[deck] = scheduler_for(settings, chosen)
        return found

    return of
