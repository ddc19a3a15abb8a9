"""The daily loop's SQL: today's queue, a card to show, a grade committed (compare-and-set)
and undone, and the review log read back. What is due is counted in :mod:`.counts`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from srs import clock
from srs.records import (
    CardState,
    CommittedGrade,
    Review,
    ReviewKind,
    StudyCard,
    StudyQueue,
)
from srs.store import sql
from srs.store.connection import no_card
from srs.store.counts import Counts
from srs.store.rows import (
    QUESTION_COLUMNS,
    QUESTION_WIDTH,
    REVIEW_COLUMNS,
    question_from_row,
    review_from_row,
    state_from_row,
    state_params,
    state_to_json,
)


class Study(Counts):
    # ------------------------------------------------------------ the study queue

    def queue(
        self, today: dt.date, deck: str | None, *, new_limit: int, review_limit: int
    ) -> StudyQueue:
        """Card ids to study today: same-day repeats, due reviews (most overdue first), new."""
        day = today.isoformat()
        ids = self.deck_ids(deck)
        decks = sql.in_list("deck_id", ids)

        def card_ids(where: str, order_and_limit: str, params: list) -> list[int]:
            statement = f"SELECT id FROM cards WHERE {where} AND {sql.ACTIVE} {order_and_limit}"
            return [r[0] for r in self.conn.execute(statement, params)]

        learning = card_ids(f"{sql.IS_LEARNING} AND {decks}", "ORDER BY id", [day, *ids])
        review = card_ids(
            f"{decks} AND {sql.IS_DUE}",
            "ORDER BY due, id LIMIT ?",
            [*ids, day, max(0, review_limit)],
        )
        new_limit = max(0, min(new_limit, review_limit - len(review)))
        # Today's new cards, taken in the order they were added, are asked card type first
        # (every first side, then every second side; a cloze's first gaps, then its second),
        # as Anki does by default: a reversed question's two cards are not asked together.
        new = [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM (SELECT id, ord FROM cards WHERE {decks} AND {sql.IS_NEW}"
                f" AND {sql.ACTIVE} ORDER BY id LIMIT ?) ORDER BY ord, id",
                [*ids, new_limit],
            )
        ]
        return StudyQueue(learning, review, new)

    def study_card(self, card_id: int) -> StudyCard:
        row = self.conn.execute(
            f"SELECT c.id, d.name, c.ord, {QUESTION_COLUMNS}, {sql.CARD_STATE} FROM cards c"
            " JOIN questions q ON q.id = c.question_id JOIN decks d ON d.id = c.deck_id"
            " WHERE c.id = ?",
            [card_id],
        ).fetchone()
        if row is None:
            raise no_card(card_id)
        return StudyCard(
            id=row[0],
            deck=row[1],
            question=question_from_row(row[3 : 3 + QUESTION_WIDTH]),
            state=state_from_row(row[3 + QUESTION_WIDTH :]),
            ord=row[2],
        )

    def card_state(self, card_id: int) -> CardState:
        state = self._read_state(card_id)
        if state is None:
            raise no_card(card_id)
        return state

    def _read_state(self, card_id: int) -> CardState | None:
        row = self.conn.execute(
            f"SELECT {sql.CARD_STATE} FROM cards c WHERE c.id = ?", [card_id]
        ).fetchone()
        return None if row is None else state_from_row(row)

    def question_ids(self, card_ids: Sequence[int]) -> dict[int, int]:
        """The question each card asks (its siblings ask the same one); no entry for no card."""
        found: dict[int, int] = {}
        for chunk in sql.chunks(card_ids):
            found.update(
                self.conn.execute(
                    f"SELECT id, question_id FROM cards WHERE {sql.in_list('id', chunk)}", chunk
                )
            )
        return found

    def cram_cards(self, deck: str | None) -> list[int]:
        """Every non-suspended card of the deck(s), for practice outside the schedule."""
        ids = self.deck_ids(deck) if deck is not None else None
        where = "1" if ids is None else sql.in_list("deck_id", ids)
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM cards WHERE {where} AND {sql.ACTIVE} ORDER BY id", ids or []
            )
        ]

    # ------------------------------------------------------------ grading

    def record_review(
        self,
        card_id: int,
        before: CardState,
        after: CardState,
        *,
        kind: ReviewKind,
        grade: int,
        now: dt.datetime,
        today: dt.date,
        duration_ms: int,
        options_shown: Sequence[int] | None = None,
        chosen: Sequence[int] | None = None,
        correct: bool | None = None,
    ) -> CommittedGrade | None:
        """Write a grade and the card's new state, committed before returning (unless
        inside a larger transaction, which then commits it).

        Compare-and-set: the card is re-read inside the write transaction, and
        if another session changed it since `before` was read nothing is
        written and None is returned (the caller re-reads and decides again).
        """
        with self.atomic() as conn:
            if self._read_state(card_id) != before:
                return None
            conn.execute(sql.UPDATE_CARD_STATE, [*state_params(after), card_id])
            review_id = conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
                " options_shown, chosen, correct, state_before, state_after, interval_before)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    card_id,
                    clock.utc_text(now),
                    today.isoformat(),
                    kind,
                    grade,
                    max(0, duration_ms),
                    None if options_shown is None else json.dumps(list(options_shown)),
                    None if chosen is None else json.dumps(list(chosen)),
                    None if correct is None else int(correct),
                    state_to_json(before),
                    state_to_json(after),
                    before.sm2.interval,
                ],
            ).lastrowid
        return CommittedGrade(review_id, card_id, kind, grade, before, after)

    def undo_review(self, grade: CommittedGrade) -> bool:
        """Put the card and the log back exactly as before `grade`; False if it changed since."""
        with self.atomic() as conn:
            newest = conn.execute(
                "SELECT max(id) FROM reviews WHERE card_id = ?", [grade.card_id]
            ).fetchone()[0]
            if self._read_state(grade.card_id) != grade.after or newest != grade.id:
                return False
            conn.execute(sql.UPDATE_CARD_STATE, [*state_params(grade.before), grade.card_id])
            conn.execute("DELETE FROM reviews WHERE id = ?", [grade.id])
        return True

    def reviews(self, card_id: int | None = None) -> list[Review]:
        """The review log (oldest first), for one card or all."""
        where, params = ("WHERE r.card_id = ?", [card_id]) if card_id is not None else ("", [])
        return [
            review_from_row(row)
            for row in self.conn.execute(
                f"SELECT {REVIEW_COLUMNS} FROM reviews r {where} ORDER BY r.id", params
            )
        ]
