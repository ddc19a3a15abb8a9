"""Cards for an exporter, streamed: each with its question, identity, schedule and history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from srs import card_faces
from srs.errors import SrsError
from srs.records import CardExport, Review
from srs.records.export import ScheduleSet
from srs.store import sql
from srs.store.connection import Connection
from srs.store.questions import source_name
from srs.store.rows import (
    QUESTION_COLUMNS,
    QUESTION_WIDTH,
    moment,
    question_from_row,
    state_from_row,
)


class Export(Connection):
    def _export_deck_ids(self, decks: Sequence[str] | None) -> list[int]:
        ids: list[int] = []
        for name in decks or [None]:
            ids.extend(i for i in self.deck_ids(name) if i not in ids)
        return ids

    def export_cards(
        self, decks: Sequence[str] | None = None, *, history: bool = True
    ) -> list[CardExport]:
        """Every card of the named decks (and their sub-decks), with its history.

        ``history=False`` leaves every card's ``reviews`` empty (an export without
        progress never reads them), which spares reading the whole review log.
        """
        return list(self.iter_export_cards(decks, history=history))

    def export_deck_names(self, decks: Sequence[str] | None = None) -> list[str]:
        """The names of the decks :meth:`export_cards` would export cards from, sorted."""
        ids = self._export_deck_ids(decks)
        if not ids:
            return []
        return [
            name
            for (name,) in self.conn.execute(
                f"SELECT name FROM decks d WHERE {sql.in_list('id', ids)}"
                " AND EXISTS (SELECT 1 FROM cards c WHERE c.deck_id = d.id) ORDER BY name",
                ids,
            )
        ]

    def _export_reviews(
        self, card_ids: list[int], days: dict[str, dt.date]
    ) -> dict[int, list[Review]]:
        """The review log of these cards (a chunk of them), by card, oldest first."""
        reviews: dict[int, list[Review]] = {}
        rows = self.conn.execute(
            "SELECT r.card_id, r.reviewed_at, r.study_day, r.kind, r.grade, r.duration_ms,"
            " r.interval_before, json_extract(r.state_after, '$.interval'),"
            " json_extract(r.state_after, '$.ef')"
            f" FROM reviews r WHERE {sql.in_list('r.card_id', card_ids)} ORDER BY r.id",
            card_ids,
        )
        for card_id, at, day, kind, grade, ms, interval_before, interval_after, ef in rows:
            study_day = days.get(day)
            if study_day is None:
                study_day = days[day] = dt.date.fromisoformat(day)
            reviews.setdefault(card_id, []).append(
                Review(
                    card_id=card_id,
                    reviewed_at=moment(at),
                    study_day=study_day,
                    kind=kind,
                    grade=grade,
                    duration_ms=ms,
                    interval_before=interval_before or 0,
                    interval_after=interval_after,
                    ef_after=ef,
                )
            )
        return reviews

    def _export_changes(
        self, card_ids: list[int]
    ) -> tuple[dict[int, list[dt.datetime]], dict[int, list[ScheduleSet]]]:
        """These cards' (a chunk of them) changes that are not answers, by card, oldest
        first: when they were reset, and the schedules they were given otherwise (taken
        from Anki, postponed; not those undone)."""
        resets: dict[int, list[dt.datetime]] = {}
        scheduled: dict[int, list[ScheduleSet]] = {}
        for card_id, kind, made_at, before, after, ef in self.conn.execute(
            "SELECT x.card_id, s.kind, s.made_at, json_extract(x.state_before, '$.interval'),"
            " json_extract(x.state_after, '$.interval'), json_extract(x.state_after, '$.ef')"
            " FROM schedule_change_cards x JOIN schedule_changes s ON s.id = x.change_id"
            f" WHERE s.undone_at IS NULL AND {sql.in_list('x.card_id', card_ids)}"
            " ORDER BY s.made_at",
            card_ids,
        ):
            if kind == "reset":
                resets.setdefault(card_id, []).append(moment(made_at))
            else:
                change = ScheduleSet(moment(made_at), before, after, ef)
                scheduled.setdefault(card_id, []).append(change)
        return resets, scheduled

    def iter_export_cards(
        self, decks: Sequence[str] | None = None, *, history: bool = True
    ) -> Iterator[CardExport]:
        """:meth:`export_cards` one card at a time (the store must stay open meanwhile).

        Deck by deck (by name), a question's cards in a row; read a chunk of cards (and
        their reviews) at a time, so memory stays bounded however large the collection.
        """
        ids = self._export_deck_ids(decks)
        if not ids:
            return
        names = self.conn.execute(
            f"SELECT id, name FROM decks WHERE {sql.in_list('id', ids)} ORDER BY name", ids
        ).fetchall()
        days: dict[str, dt.date] = {}  # few distinct days, many rows: each parsed once
        # (Many collections have no such change: then none is looked for, card by card.)
        any_changes = history and bool(
            self.conn.execute("SELECT 1 FROM schedule_changes LIMIT 1").fetchone()
        )
        stamps: dict[str, dt.datetime] = {}  # content stamps repeat (one per import run)
        for deck_id, deck in names:
            # The deck's card ids in order (a question's cards in a row: an exporter makes
            # one note of them), streamed by the cursor; their rows a chunk at a time.
            order = self.conn.execute(
                "SELECT id FROM cards WHERE deck_id = ? ORDER BY question_id, ord", [deck_id]
            )
            while chunk := [card_id for (card_id,) in order.fetchmany(sql.CHUNK)]:
                reviews = self._export_reviews(chunk, days) if history else {}
                resets, scheduled = self._export_changes(chunk) if any_changes else ({}, {})
                rows = {
                    row[0]: row
                    for row in self.conn.execute(
                        f"SELECT c.id, q.guid, q.source_file, q.content_changed_at, c.ord,"
                        f" {QUESTION_COLUMNS}, {sql.CARD_STATE}, c.suspended FROM cards c"
                        " JOIN questions q ON q.id = c.question_id"
                        f" WHERE {sql.in_list('c.id', chunk)}",
                        chunk,
                    )
                }
                for card_id in chunk:
                    row = rows.get(card_id)
                    if row is None:  # listed, yet not found with its question: a damaged file
                        raise SrsError(
                            f"{self.path}: damaged (card {card_id} has no question); restore"
                            " it from a copy, or try `sqlite3 FILE .recover` on a copy"
                        )
                    question = question_from_row(row[5 : 5 + QUESTION_WIDTH])
                    # A card its question no longer makes (a gap removed: it is suspended,
                    # with its history) has nothing to show: Anki would make it empty.
                    if (row[4] or question.kind == "cloze") and row[4] not in card_faces.ords(
                        question
                    ):
                        continue
                    changed_at = stamps.get(row[3])
                    if changed_at is None:
                        changed_at = stamps[row[3]] = moment(row[3])
                    yield CardExport(
                        question=question,
                        deck=deck,
                        guid=row[1],
                        # file:line; a question from a package has no line (0).
                        source=source_name(row[2]) + (f":{question.line}" if question.line else ""),
                        content_changed_at=changed_at,
                        state=state_from_row(row[5 + QUESTION_WIDTH : -1]),
                        reviews=tuple(reviews.get(card_id, ())),
                        ord=row[4],
                        uid=row[5 + 8],  # q.uid in QUESTION_COLUMNS
                        suspended=bool(row[-1]),
                        resets=tuple(resets.get(card_id, ())),
                        scheduled=tuple(scheduled.get(card_id, ())),
                    )
