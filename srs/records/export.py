"""A card as an exporter needs it: question, deck, identity, schedule and history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from srs.records.card import CardState
from srs.records.question import Question
from srs.records.review import Review

# When the Anki exporter starts writing a note's fields differently (markup, option order),
# add 1: every note's mod time moves on by a second, past what any earlier version exported
# for it (at most its ``content_changed_at``), so Anki takes the new fields once.
# 1: options in an order of their own, the title in an attribute, Source the file name,
# code as monospace, Anki markup shown as text.
FIELDS_REVISION = 1


def note_mod(content_changed_at: dt.datetime) -> int:
    """An exported note's mod time (seconds): the question's content stamp, plus
    FIELDS_REVISION. The exporter stamps notes with it; an Anki import tells by it whether
    Anki's copy of a note is the one srs exported, or was edited in Anki since.

    Not clamped to the export time: a change made within the same second as the last one
    (or with SRS_NOW pinned) is stamped a second later, and must still reach Anki. Anki's
    Check Database brings a mod time still in the future back to now.
    """
    moment = content_changed_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp()) + FIELDS_REVISION


class ScheduleSet(NamedTuple):
    """A schedule a card was given other than by an answer (taken from Anki, postponed)."""

    at: dt.datetime  # UTC
    interval_before: int
    interval: int  # the interval it set
    ef: int  # hundredths


@dataclass(frozen=True)
class CardExport:
    """Everything an exporter needs about one question and its card."""

    question: Question
    deck: str  # full name, "::" nests
    guid: str  # stable identity of the note, made once by the store; never from field text
    source: str  # "file name:line" the question came from (no folders: the same everywhere)
    content_changed_at: dt.datetime  # UTC; when the question's content last changed
    state: CardState  # its schedule; state.is_new when never studied
    reviews: tuple[Review, ...] = ()
    ord: int = 0  # which of the question's cards (cards of one question come in a row)
    uid: str = ""  # the question's identity in its deck ("id:...", "text:...", "anki:...")
    suspended: bool = False
    resets: tuple[dt.datetime, ...] = ()  # when it was put back to new (UTC), oldest first
    scheduled: tuple[ScheduleSet, ...] = ()  # oldest first


@dataclass(frozen=True)
class FsrsProgress:
    """What an FSRS-enabled Anki needs beside each card's memory state (an export under FSRS)."""

    desired_retention: float
    decays: dict[str, float]  # srs deck name -> the decay (w20) of the deck's parameters
