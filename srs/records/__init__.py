"""The records: plain, frozen values that the parsers, the store, the session, the
schedulers and the exporters pass to each other. Nothing here does I/O.

One concept a module, as py-fsrs keeps ``Card`` and ``ReviewLog``:

- :mod:`.question`: a question as a parser read it, and the problems it found;
- :mod:`.card`: a card's schedule (SM-2 state, FSRS memory, due day) and the card as shown;
- :mod:`.review`: grades, one answer in the review log, and the changes that are not answers;
- :mod:`.export`: a card with everything an exporter writes;
- :mod:`.counts`: what the store counts (due, card states) and what an import did.
"""

from srs.records.card import (
    MATURE_DAYS,
    CardRow,
    CardState,
    Memory,
    Sm2State,
    StudyCard,
)
from srs.records.counts import DeckDue, DueCounts, FileImport, StateCounts, StudyQueue
from srs.records.export import CardExport
from srs.records.question import (
    Face,
    Kind,
    Markup,
    ParseResult,
    Problem,
    Question,
    normalise,
    normalise_deck,
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

__all__ = [
    "MATURE_DAYS",
    "CardExport",
    "CardRow",
    "CardState",
    "CommittedGrade",
    "DeckDue",
    "DueCounts",
    "FileImport",
    "Grade",
    "Face",
    "Kind",
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
    "normalise",
    "normalise_deck",
    "question_uid",
    "split_deck_name",
]
