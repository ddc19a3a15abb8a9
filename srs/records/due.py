"""What is due today: per queue, per deck.

NamedTuples, not dataclasses: `srs due` runs in shell prompts, and importing dataclasses
would cost it more than everything else it loads.
"""

from __future__ import annotations

from typing import NamedTuple


class DueCounts(NamedTuple):
    """Cards left to study today, by queue."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


class DeckDue(NamedTuple):
    """One deck's size and what is due in it today."""

    deck: str
    cards: int
    due: DueCounts
