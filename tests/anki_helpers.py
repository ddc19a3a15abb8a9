"""Helpers for the Anki tests: CardExport factories and the real Anki backend (imported
only by the tests that need it: it is heavy)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportResponse

from srs.records import CardExport, CardState, Question, Review, Sm2State

UTC = dt.UTC


def studied(
    today: dt.date,
    *,
    due_in: int,
    interval: int = 6,
    ef: int = 250,
    repetitions: int = 2,
    lapses: int = 0,
) -> CardState:
    """A studied card's state, due ``due_in`` days after ``today``."""
    return CardState(
        sm2=Sm2State(repetitions=repetitions, ef=ef, interval=interval),
        due=today + dt.timedelta(days=due_in),
        last_review=today + dt.timedelta(days=due_in - interval),
        lapses=lapses,
    )


def review(
    at: dt.datetime,
    grade: int,
    kind: str = "review",
    *,
    before: int = 1,
    after: int = 6,
    ef: int = 250,
    ms: int = 4000,
) -> Review:
    """One review log row."""
    return Review(
        card_id=0,
        reviewed_at=at,
        study_day=at.date(),
        grade=grade,
        duration_ms=ms,
        kind=kind,  # type: ignore[arg-type]
        interval_before=before,
        interval_after=after,
        ef_after=ef,
    )


def card(
    question: Question,
    guid: str,
    *,
    deck: str = "Test",
    changed_at: dt.datetime | None = None,
    state: CardState | None = None,
    reviews: tuple[Review, ...] = (),
    source: str = "decks/test.md:1",
) -> CardExport:
    """A CardExport as the store would hand it over."""
    return CardExport(
        question=question,
        deck=deck,
        guid=guid,
        source=source,
        content_changed_at=changed_at or dt.datetime(2024, 1, 1, tzinfo=UTC),
        state=state or CardState(),
        reviews=reviews,
    )


def new_collection(path: Path, *, age_days: int = 0) -> Collection:
    """A fresh Anki collection at ``path``; ``age_days`` makes it look that many days old."""
    col = Collection(str(path))
    if age_days:
        # Reopen so the scheduler computes its day number from the new creation time.
        col.crt = col.crt - age_days * 86_400
        col.close()
        col = Collection(str(path))
    return col


def import_apkg(
    col: Collection, package: Path, *, with_scheduling: bool = False
) -> ImportResponse.Log:
    """Import ``package`` as Anki's import dialog does; return the import log."""
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    request = ImportAnkiPackageRequest(package_path=str(package), options=options)
    return col.import_anki_package(request).log


def anki_due_date(col: Collection, due: int) -> dt.date:
    """The calendar day a review card's ``due`` (a day number) falls on in ``col``.

    Anki numbers days from the local date of the collection's creation (``crt``); the
    number does not depend on the clock, so this holds on any day the test runs.
    """
    created = dt.datetime.fromtimestamp(col.crt).date()
    return created + dt.timedelta(days=due)


# ---------------------------------------------------------------- Anki as the client

# Anki's buttons as srs grades (README): Again 1, Hard 3, Good 4, Easy 5.
GRADE_OF_EASE = {1: 1, 2: 3, 3: 4, 4: 5}
ANSWER_TYPES = (0, 1, 2)  # learning, review, relearning; not filtered, manual, rescheduled


def study_in_anki(col: Collection, deck: str, ease_for, *, limit: int = 200) -> int:
    """Answer what Anki's v3 scheduler shows now in ``deck`` (and its sub-decks), with
    ``ease_for(card, n)`` (n counts the answers of this session); returns how many."""
    col.decks.select(col.decks.id(deck))
    n = 0
    for _ in range(limit):
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, ease_for(card, n))
        n += 1
    return n


def next_day(path: Path, col: Collection) -> Collection:
    """A day passes in ``col``: everything it logged and scheduled by the clock moves a day
    back (review log ids, intraday learning due times, the creation time), so the real clock
    is the next day's. Returns the collection reopened (the scheduler reads crt on open)."""
    col.db.execute("UPDATE revlog SET id = id - 86400000")
    col.db.execute("UPDATE cards SET due = due - 86400 WHERE queue IN (1, 4)")
    col.crt = col.crt - 86_400
    col.close()
    return Collection(str(path))


def export_packages(col: Collection, folder: Path) -> dict[str, Path]:
    """The collection exported by Anki in each format: legacy .apkg, current .apkg, .colpkg
    (last: it closes the collection)."""
    from anki.collection import ExportAnkiPackageOptions

    out = {}
    for name, legacy in (("legacy.apkg", True), ("current.apkg", False)):
        out[name] = folder / name
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=True, legacy=legacy
        )
        col.export_anki_package(out_path=str(out[name]), options=options, limit=None)
    out["collection.colpkg"] = folder / "collection.colpkg"
    col.export_collection_package(str(out["collection.colpkg"]), include_media=True, legacy=False)
    return out


def revlog_of(col: Collection) -> dict[int, list[tuple[int, int, int]]]:
    """Anki's answers by card: (id, ease, type), oldest first."""
    rows: dict[int, list[tuple[int, int, int]]] = {}
    for rid, cid, ease, kind in col.db.all("SELECT id, cid, ease, type FROM revlog ORDER BY id"):
        rows.setdefault(cid, []).append((rid, ease, kind))
    return rows
