"""The schema, as named, append-only migrations.

Never edit a migration that has shipped, never drop review history: add a new
step at the end of `STEPS`. The steps are plain functions so that opening an
up-to-date database (every `srs due` in a shell prompt) can check their names
without importing sqlite-utils; `migrations()` wraps them for sqlite-utils.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

MIGRATION_SET = "srs"


def m001_initial(db: Database) -> None:
    db["decks"].create(
        {"id": int, "name": str, "created_at": str},
        pk="id",
        not_null={"name", "created_at"},
    )
    db["decks"].create_index(["name"], unique=True)

    db["questions"].create(
        {
            "id": int,
            "deck_id": int,
            "uid": str,  # identity within the deck: explicit id or hash of normalised text
            "guid": str,  # stable note identity for Anki, made once
            "kind": str,  # "mcq" | "basic"
            "text": str,
            "title": str,
            "options": str,  # JSON list of option texts, source order
            "answers": str,  # JSON list of indexes of the right options
            "answer": str,  # the back of a question/answer card
            "explanation": str,
            "tags": str,  # JSON list
            "source_file": str,
            "source_line": int,
            "created_at": str,
            "content_changed_at": str,  # UTC; drives Anki's "newer note wins"
        },
        pk="id",
        foreign_keys=[("deck_id", "decks", "id")],
        not_null={"deck_id", "uid", "guid", "kind", "text", "created_at", "content_changed_at"},
        defaults={
            "title": "",
            "options": "[]",
            "answers": "[]",
            "answer": "",
            "explanation": "",
            "tags": "[]",
        },
    )
    db["questions"].create_index(["deck_id", "uid"], unique=True)
    db["questions"].create_index(["guid"], unique=True)

    db["cards"].create(
        {
            "id": int,
            "question_id": int,
            "deck_id": int,  # the question's deck (never changes): per-deck counts use one index
            "repetitions": int,
            "ef": int,  # E-Factor in hundredths
            "interval": int,  # days
            "due": str,  # study day (YYYY-MM-DD); NULL while new
            "last_review": str,  # study day of the last grade
            "lapses": int,
            "repeat_today": int,  # 1 while waiting for a same-day repeat
            "suspended": int,
        },
        pk="id",
        foreign_keys=[("question_id", "questions", "id"), ("deck_id", "decks", "id")],
        not_null={"question_id", "deck_id", "repetitions", "ef", "interval", "lapses"},
        defaults={
            "repetitions": 0,
            "ef": 250,
            "interval": 0,
            "lapses": 0,
            "repeat_today": 0,
            "suspended": 0,
        },
    )
    db["cards"].create_index(["question_id"], unique=True)
    # `srs due` counts with these, never a table scan: see tests/test_store.py.
    db["cards"].create_index(["deck_id", "suspended", "due"])
    db["cards"].create_index(["last_review", "repeat_today"])

    # Append-only: a row is removed only by undo, which restores exactly the state before it.
    db["reviews"].create(
        {
            "id": int,
            "card_id": int,
            "reviewed_at": str,  # UTC ISO-8601
            "study_day": str,
            "kind": str,  # "new" | "review" | "repeat" | "cram"
            "grade": int,
            "duration_ms": int,
            "options_shown": str,  # JSON: option indexes in the order shown
            "chosen": str,  # JSON: option indexes the user picked
            "correct": int,  # 1/0 for multiple-choice, NULL otherwise
            "state_before": str,  # JSON of the card's schedule
            "state_after": str,
        },
        pk="id",
        foreign_keys=[("card_id", "cards", "id")],
        not_null={"card_id", "reviewed_at", "study_day", "kind", "grade", "duration_ms"},
    )
    db["reviews"].create_index(["card_id"])
    db["reviews"].create_index(["study_day", "kind"])

    db["settings"].create({"key": str, "value": str}, pk="key")


def m002_schedule_changes(db: Database) -> None:
    """Resets and postpones: changes to schedules that are not grades.

    Kept out of `reviews` so the review log stays a log of answers (retention,
    Anki's revlog); each change keeps every card's state before and after, so it
    is auditable and `postpone --undo` can restore it exactly.
    """
    db["schedule_changes"].create(
        {
            "id": int,
            "kind": str,  # "reset" | "postpone"
            "made_at": str,  # UTC ISO-8601
            "study_day": str,
            "days": int,  # a postpone's shift; NULL for a reset
            "undone_at": str,  # set when a postpone is undone
        },
        pk="id",
        not_null={"kind", "made_at", "study_day"},
    )
    db["schedule_change_cards"].create(
        {"change_id": int, "card_id": int, "state_before": str, "state_after": str},
        pk=("change_id", "card_id"),
        foreign_keys=[("change_id", "schedule_changes", "id"), ("card_id", "cards", "id")],
        not_null={"state_before", "state_after"},
    )
    db["schedule_change_cards"].create_index(["card_id"])


def m003_stats_indexes(db: Database) -> None:
    """`srs stats` from indexes alone, at a million cards.

    `reviews.interval_before` copies the interval out of `state_before` (young or
    mature when asked: retention), backfilled here and written with every new
    review. The indexes let each figure be counted from one index range.
    """
    db["reviews"].add_column("interval_before", int)
    db.execute(
        "UPDATE reviews SET interval_before = json_extract(state_before, '$.interval')"
        " WHERE state_before IS NOT NULL"
    )
    # Retention over all decks; a deck's history through its cards.
    db["reviews"].create_index(["kind", "study_day", "interval_before", "grade"])
    db["reviews"].create_index(["card_id", "kind", "study_day", "interval_before", "grade"])
    # Scheduled cards (partial: due IS NOT NULL): hardest first and the EF spread,
    # young/mature and a deck's EF spread; leeches by lapses.
    db.execute(
        "CREATE INDEX idx_cards_scheduled_ef ON cards (ef, lapses DESC, deck_id)"
        " WHERE due IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX idx_cards_scheduled_deck ON cards (deck_id, suspended, interval, ef)"
        " WHERE due IS NOT NULL"
    )
    db["cards"].create_index(["lapses", "deck_id"])


def m004_memory_state(db: Database) -> None:
    """A memory model's state of each card beside SM-2's (FSRS: stability in days and
    difficulty 1-10); NULL until a scheduler that keeps one has seen the card."""
    db["cards"].add_column("stability", float)
    db["cards"].add_column("difficulty", float)


def m005_fsrs_parameters(db: Database) -> None:
    """FSRS parameters fitted by `srs optimize`: one row for the collection (deck '') and
    one per deck fitted apart, with the scores they had on the reviews they were fitted on."""
    db["fsrs_parameters"].create(
        {
            "deck": str,  # a deck's name ('::' nests), or '' for the whole collection
            "parameters": str,  # JSON list of FSRS-6's 21 parameters
            "fitted_at": str,  # UTC ISO-8601
            "reviews": int,
            "log_loss": float,
            "rmse_bins": float,
        },
        pk="deck",
        not_null={"parameters", "fitted_at", "reviews"},
    )


def m006_anki_round_trip(db: Database) -> None:
    """Anki packages in: a question may have several cards, an imported note keeps its HTML,
    and an answer from Anki's review log remembers its id there, so it is added once.

    - `cards.ord`: which of the question's cards (a reversed question's second card, a cloze
      gap's number - 1); one card per (question, ord) instead of one per question.
    - `questions.markup`: JSON of the note's HTML (text, answer, explanation) when it came
      from Anki, NULL for plain text; `questions.faces`: JSON of the rendered cards of a note
      of another Anki note type, NULL otherwise.
    - `reviews.anki_id`: the Anki review log id (the answer's time in ms) of an answer that
      came from a package, unique per card.
    """
    db["cards"].add_column("ord", int, not_null_default=0)
    db.execute("DROP INDEX idx_cards_question_id")
    db.execute("CREATE UNIQUE INDEX idx_cards_question_ord ON cards (question_id, ord)")
    db["questions"].add_column("markup", str)
    db["questions"].add_column("faces", str)
    db["reviews"].add_column("anki_id", int)
    db.execute(
        "CREATE UNIQUE INDEX idx_reviews_anki_id ON reviews (card_id, anki_id)"
        " WHERE anki_id IS NOT NULL"
    )


def m007_import_sources(db: Database) -> None:
    """The files imported cleanly, by the digest of what was read (srs.importers.source_digest):
    importing one again, unchanged, needs no parse and no comparison.

    A record holds only while nothing has touched the questions it stands for: any question
    added to, changed in or removed from its (deck, file) deletes it (the triggers), and the
    next import of that file reads it again.
    """
    db.execute(
        """CREATE TABLE import_sources (
            source_file TEXT NOT NULL,
            deck_id INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            deck_name TEXT NOT NULL,  -- the deck's name then: a renamed deck is read again
            digest TEXT NOT NULL,
            questions INTEGER NOT NULL,  -- how many the file had
            imported_at TEXT NOT NULL,
            PRIMARY KEY (source_file, deck_id)
        )"""
    )
    forget = (
        "DELETE FROM import_sources WHERE source_file = {0}.source_file AND deck_id = {0}.deck_id"
    )
    db.execute(
        f"CREATE TRIGGER import_sources_on_insert AFTER INSERT ON questions"
        f" BEGIN {forget.format('NEW')}; END"
    )
    db.execute(
        "CREATE TRIGGER import_sources_on_update AFTER UPDATE OF deck_id, uid, kind, text,"
        " title, options, answers, answer, explanation, tags, source_file, source_line,"
        f" markup, faces ON questions BEGIN {forget.format('OLD')}; {forget.format('NEW')}; END"
    )
    db.execute(
        f"CREATE TRIGGER import_sources_on_delete AFTER DELETE ON questions"
        f" BEGIN {forget.format('OLD')}; END"
    )


def m008_fewer_review_indexes(db: Database) -> None:
    """Two indexes of the review log go; the others serve their queries. Every answer wrote
    five index entries and now writes three, and an Anki collection moving in sorts three
    indexes instead of five.

    - `(card_id)`: `(card_id, kind, study_day, interval_before, grade)` starts with it.
    - `(study_day, kind)`: a day's answers are read as `kind IN (every kind) AND study_day ...`
      from `(kind, study_day, interval_before, grade)`, a range per kind
      (`srs.store.sql.ANY_KIND`).
    """
    db.execute("DROP INDEX IF EXISTS idx_reviews_card_id")
    db.execute("DROP INDEX IF EXISTS idx_reviews_study_day_kind")


def m009_fsrs_difficulty_index(db: Database) -> None:
    """Under FSRS, `srs stats` ranks the hardest cards by difficulty and spreads the
    scheduled cards over it: from this index (partial: cards with an FSRS memory), as the
    EF figures come from `idx_cards_scheduled_ef`, not from a scan of a million cards."""
    db.execute(
        "CREATE INDEX idx_cards_scheduled_difficulty ON cards (difficulty DESC, lapses DESC,"
        " deck_id) WHERE due IS NOT NULL AND difficulty IS NOT NULL"
    )


STEPS: list[Callable[[Database], None]] = [
    m001_initial,
    m002_schedule_changes,
    m003_stats_indexes,
    m004_memory_state,
    m005_fsrs_parameters,
    m006_anki_round_trip,
    m007_import_sources,
    m008_fewer_review_indexes,
    m009_fsrs_difficulty_index,
]
NAMES: tuple[str, ...] = tuple(step.__name__ for step in STEPS)


def migrations() -> Migrations:
    """The steps as a sqlite-utils migration set."""
    from sqlite_utils import Migrations

    migration_set = Migrations(MIGRATION_SET)
    for step in STEPS:
        migration_set(name=step.__name__)(step)
    return migration_set
