"""A card as an exporter needs it: question, deck, identity, schedule and history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from srs.records.card import CardState
from srs.records.question import Question
from srs.records.review import Review


@dataclass(frozen=True)
class CardExport:
    """Everything an exporter needs about one question and its card."""

    question: Question
    deck: str  # full name, "::" nests
    guid: str  # stable identity of the note, made once by the store; never from field text
    source: str  # "path:line" the question came from
    content_changed_at: dt.datetime  # UTC; when the question's content last changed
    state: CardState  # its schedule; state.is_new when never studied
    reviews: tuple[Review, ...] = ()
    ord: int = 0  # which of the question's cards (cards of one question come in a row)
    uid: str = ""  # the question's identity in its deck ("id:...", "text:...", "anki:...")
