"""The records: plain, frozen values that the parsers, the store, the session, the
schedulers and the exporters pass to each other. Nothing here does I/O.

One concept a module, as py-fsrs keeps ``Card`` and ``ReviewLog``:

- :mod:`.question`: a question as a parser read it, and the problems it found;
- :mod:`.card`: a card's schedule (SM-2 state, FSRS memory, due day) and the card as shown;
- :mod:`.review`: grades, one answer in the review log, and the changes that are not answers;
- :mod:`.export`: a card with everything an exporter writes;
- :mod:`.fsrs`: FSRS parameters as fitted and stored, and which deck uses which;
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
    "FsrsProgress": "export",
    "COLLECTION": "fsrs",
    "FittedParameters": "fsrs",
    "parameters_for": "fsrs",
    "Face": "question",
    "Kind": "question",
    "Markup": "question",
    "ParseResult": "question",
    "Problem": "question",
    "Question": "question",
    "normalise": "question",
    "normalise_deck": "question",
    "question_guid": "question",
    "deck_key": "question",
    "guid_in_deck": "question",
    "question_uid": "question",
    "split_deck_name": "question",
    "CardHistory": "review",
    "CommittedGrade": "review",
    "LoggedAnswer": "review",
    "Grade": "review",
    "PostponeUndone": "review",
    "Review": "review",
    "ReviewKind": "review",
    "ScheduleChange": "review",
}
__all__ = [
    "COLLECTION",
    "CardExport",
    "CardHistory",
    "CardRow",
    "CardState",
    "CommittedGrade",
    "DeckDue",
    "DueCounts",
    "Face",
    "FileImport",
    "FittedParameters",
    "FsrsProgress",
    "Grade",
    "Kind",
    "LoggedAnswer",
    "MATURE_DAYS",
    "Markup",
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
    "deck_key",
    "guid_in_deck",
    "normalise",
    "normalise_deck",
    "parameters_for",
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
    from srs.records.export import CardExport, FsrsProgress
    from srs.records.fsrs import COLLECTION, FittedParameters, parameters_for
    from srs.records.question import (
        Face,
        Kind,
        Markup,
        ParseResult,
        Problem,
        Question,
        deck_key,
        guid_in_deck,
        normalise,
        normalise_deck,
        question_guid,
        question_uid,
        split_deck_name,
    )
    from srs.records.review import (
        CardHistory,
        CommittedGrade,
        Grade,
        LoggedAnswer,
        PostponeUndone,
        Review,
        ReviewKind,
        ScheduleChange,
    )
