"""An Anki package as read (notes, cards, review log, media), and what importing it means
for srs: notes to add or update, each card's schedule and the reviews to merge.

The package's rows are NamedTuples, not dataclasses: a collection holds a million review
rows, and a tuple is made several times faster (they are still typed and immutable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from srs.records.card import CardState
from srs.records.question import Question

# srs's own note types (exporters/anki.py): id -> (question kind, name). Notes of these came
# from srs; their fields are read back into the question they came from.
SRS_NOTE_TYPES: dict[int, tuple[str, str]] = {
    1_531_240_501: ("mcq", "srs multiple choice"),
    1_531_240_502: ("basic", "srs question/answer"),
    1_531_240_503: ("reversed", "srs question/answer (and reversed)"),
    1_531_240_504: ("cloze", "srs cloze"),
}

# --- The package, as Anki wrote it ------------------------------------------------------

PackageVersion = Literal["legacy1", "legacy2", "latest"]


class AnkiNote(NamedTuple):
    id: int
    guid: str
    notetype_id: int
    mod: int  # seconds
    tags: str  # as stored: " tag1 tag2 "
    fields: str  # as stored: joined with U+001F


class AnkiCard(NamedTuple):
    id: int
    note_id: int
    deck_id: int  # the home deck (a card in a filtered deck: its original deck)
    ord: int  # template number, or cloze number - 1
    mod: int  # seconds
    type: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # -3/-2 buried, -1 suspended, 0 new, 1 learning, 2 review, 3 day-learning, 4 preview
    due: int  # by queue: position (new), a time in seconds (1, 4), a day number (2, 3)
    interval: int  # days
    factor: int  # ease in permille (2500 = 250%)
    reps: int
    lapses: int
    data: str  # JSON; FSRS keeps stability "s" and difficulty "d" here


@dataclass(frozen=True)
class AnkiTemplate:
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class AnkiNoteType:
    id: int
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[AnkiTemplate, ...]
    original_id: int | None = None  # the id in the collection it was first imported from


@dataclass(frozen=True)
class AnkiMedia:
    """A media file in the package: its name, the zip entry holding it, how it is stored."""

    name: str
    entry: str
    zstd: bool


@dataclass
class AnkiCollection:
    """Everything srs reads from an Anki package."""

    path: str
    version: PackageVersion
    created: dt.date  # the local date Anki's day number 0 falls on
    notetypes: dict[int, AnkiNoteType]
    decks: dict[int, str]  # id -> "A::B"
    notes: list[AnkiNote]
    cards: list[AnkiCard]
    # Anki card id -> its answers (learning, review, relearning entries), in time order,
    # as srs grades them; its Forget entries (reset to new: their times in ms, in order);
    # and its other log entries (manual, rescheduled, filtered-deck): how many and the time
    # of the last (ms).
    answers: dict[int, list[ReviewIn]]
    other_entries: dict[int, tuple[int, int]]
    media: list[AnkiMedia]
    resets: dict[int, list[int]] = field(default_factory=dict)
    # Anki card id -> the time (ms) of its last manual or rescheduled entry that is not a
    # Forget: "Set due date", a reschedule.
    scheduled: dict[int, int] = field(default_factory=dict)


# --- What it means for srs ------------------------------------------------------------

Origin = Literal["srs", "anki"]


class ReviewIn(NamedTuple):
    """One answer from Anki's review log, as srs grades it."""

    anki_id: int  # Anki's revlog id: the answer's time in ms; each is added once
    day: int  # its study day (local time, srs's rollover hour), as date.toordinal()
    grade: int  # 0-5: Again 1, Hard 3, Good 4, Easy 5
    duration_ms: int
    interval_before: int  # days; 0 for learning steps
    interval_after: int
    ef: int  # hundredths (Anki's factor / 10); 0 where Anki had none
    anki_card_id: int


@dataclass(frozen=True)
class CardIn:
    """One card of a note: its number in the note, Anki's schedule and answers."""

    ord: int
    anki_id: int
    # Anki's schedule as SM-2 (interval, ease as EF, lapses, due date): a card new to srs
    # from a note that srs did not make starts from it; otherwise srs replays the log.
    state: CardState
    suspended: bool
    reviews: tuple[ReviewIn, ...] = ()
    # When Anki's schedule was taken (ms; the card's last answer or change): later answers
    # are replayed on top of it.
    taken_at_ms: int = 0
    # Anki's Forget entries (reset to new), their times in ms (revlog ids), in order: each
    # is a reset in srs's log, added once.
    resets: tuple[int, ...] = ()
    # When its schedule was last set in Anki by hand ("Set due date", a reschedule), if that
    # came after its last answer and reset (ms; 0 if not): that schedule is taken then.
    scheduled_at_ms: int = 0


@dataclass(frozen=True)
class NoteIn:
    """One note of the package, read as a question."""

    guid: str
    deck: str
    uid: str  # the question's identity in its deck (srs's, or "anki:" + the note's guid)
    question: Question
    origin: Origin  # "srs": one of srs's own note types (exported by srs)
    changed_at: dt.datetime  # the note's mod time, UTC
    cards: tuple[CardIn, ...]
    source: str = ""  # source file of a question srs exported ("" for Anki's own notes)


@dataclass
class AnkiImport:
    """A package read for import: its notes as questions, its media, what was left out."""

    path: str
    version: PackageVersion
    notes: list[NoteIn]
    media: list[AnkiMedia]
    skipped_reviews: int = 0  # manual (but Forget), rescheduled, filtered-deck entries
    notetypes: dict[str, int] = field(default_factory=dict)  # note type name -> notes


@dataclass
class AnkiImportSummary:
    """What an Anki import did (or would do, in a dry run)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # changed in the package, but srs's copy is newer
    cards_added: int = 0
    reviews_added: int = 0
    resets_added: int = 0  # Anki's Forget entries, as resets
    schedules_changed: int = 0
    media_copied: int = 0
    decks: list[str] = field(default_factory=list)
