"""What the store counts: cards per state, today's queue; what an import did. (What is due:
:mod:`srs.records.due`.)"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StateCounts:
    """Cards per state. The states exclude each other in this order; leeches overlap them."""

    suspended: int = 0
    new: int = 0
    learning: int = 0  # a same-day repeat pending
    young: int = 0  # interval < MATURE_DAYS
    mature: int = 0
    leeches: int = 0  # lapses >= the leech threshold

    @property
    def total(self) -> int:
        return self.suspended + self.new + self.learning + self.young + self.mature


@dataclass(frozen=True)
class StudyQueue:
    """Card ids to study today, in the order they are asked."""

    learning: list[int]  # same-day repeats
    review: list[int]  # due, most overdue first
    new: list[int]  # taken in the order they were added; asked first sides first


@dataclass
class FileImport:
    """What importing one file did (or would do, in a dry run)."""

    path: str
    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)  # questions no longer in the source
    pruned: int = 0
    # Edits of a question's text, recognised (srs.store.pairing): (old text, new text), each
    # counted as updated. A question that left the file and might be one of several new
    # ones (or shares its one with another) is not paired: (old text, the new texts).
    paired: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)
    # Pairs of texts not compared: too many questions left the file and came (see pairing).
    not_compared: int = 0
    # Cards their question no longer makes (a cloze gap or `reversed:` removed): suspended,
    # history kept; and such cards made again (the gap put back): unsuspended.
    cards_dropped: int = 0
    cards_back: int = 0
