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
    source: str  # "file name:line" the question came from (no folders: the same everywhere)
    content_changed_at: dt.datetime  # UTC; when the question's content last changed
    state: CardState  # its schedule; state.is_new when never studied
    reviews: tuple[Review, ...] = ()


@dataclass(frozen=True)
class FsrsProgress:
    """What an FSRS-enabled Anki needs beside each card's memory state (an export under FSRS)."""

    desired_retention: float
    decays: dict[str, float]  # srs deck name -> the decay (w20) of the deck's parameters
