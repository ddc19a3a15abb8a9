"""The scheduler seam: the session asks "the scheduler" for a card's next state.

A scheduler is pure: a card's state, a grade and the study day in, the new state out;
no clock, no I/O, and it never changes its input. SM-2 (:mod:`srs.sm2`) is the one
today. A second one is a new module with a class like :class:`srs.sm2.Sm2Scheduler`,
named in :func:`scheduler_for`; the store already keeps a `Memory` beside SM-2's state.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from srs.records import CardState, Grade
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


def scheduler_for(settings: Settings) -> Scheduler:
    """The scheduler the settings choose."""
    return Sm2Scheduler()
