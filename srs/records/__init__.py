"""The records: plain, frozen values that the parsers, the store, the session, the
schedulers and the exporters pass to each other. Nothing here does I/O.

One concept a module, as py-fsrs keeps ``Card`` and ``ReviewLog``:

- :mod:`.question`: a question as a parser read it, and the problems it found;
- :mod:`.card`: a card's schedule (SM-2 state, FSRS memory, due day) and the card as shown;
- :mod:`.review`: grades, one answer in the review log, and the changes that are not answers;
- :mod:`.export`: a card with everything an exporter writes;
- :mod:`.due`: what is due today (`srs due`);
- :mod:`.counts`: what else the store counts (card states, the queue) and what an import did.

``from srs.records import CardState`` works for every name below; each module is loaded
when one of its names is first asked for, so `srs due` (a shell prompt) loads only what
it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODULE_OF = {
    "MATURE_DAYS": "card",
    "CardRow": "card",
    "CardState": "card",
    "Memory": "card",
    "Sm2State": "card",
    "StudyCard": "card",
    "DeckDue": "due",
    "DueCounts": "due",
    "FileImport": "counts",
    "StateCounts": "counts",
    "StudyQueue": "counts",
    "CardExport": "export",
    "Kind": "question",
    "ParseResult": "question",
    "Problem": "question",
    "Question": "question",
    "normalise": "question",
    "normalise_deck": "question",
    "question_guid": "question",
    "question_uid": "question",
    "split_deck_name": "question",
    "CommittedGrade": "review",
    "Grade": "review",
    "PostponeUndone": "review",
    "Review": "review",
    "ReviewKind": "review",
    "ScheduleChange": "review",
}
__all__ = [
    "CardExport",
    "CardRow",
    "CardState",
    "CommittedGrade",
    "DeckDue",
    "DueCounts",
    "FileImport",
    "Grade",
    "Kind",
    "MATURE_DAYS",
    "Memory",
    "ParseResult",
    "PostponeUndone",
    "Problem",
    "Question",
    "Review",
    "ReviewKind",
    "ScheduleChange",
    "Sm2State",
    "StateCounts",
    "StudyCard",
    "StudyQueue",
    "normalise",
    "normalise_deck",
    "question_guid",
    "question_uid",
    "split_deck_name",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'srs.records' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"srs.records.{module}"), name)
    globals()[name] = value  # once found, a plain attribute
    return value


if TYPE_CHECKING:
    from srs.records.card import MATURE_DAYS, CardRow, CardState, Memory, Sm2State, StudyCard
    from srs.records.counts import FileImport, StateCounts, StudyQueue
    from srs.records.due import DeckDue, DueCounts
    from srs.records.export import CardExport
    from srs.records.question import (
        Kind,
        ParseResult,
        Problem,
        Question,
        normalise,
        normalise_deck,
        question_guid,
        question_uid,
        split_deck_name,
    )
    from srs.records.review import (
        CommittedGrade,
        Grade,
        PostponeUndone,
        Review,
        ReviewKind,
        ScheduleChange,
    )
