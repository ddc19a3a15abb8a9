"""FSRS's side of the store: each card's review history read for FSRS, memory states
written in bulk (switching scheduler, refitting), fitted parameters, retrievability counts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence

from srs import clock
from srs.records import CardHistory, FittedParameters, LoggedAnswer, Memory
from srs.store import sql
from srs.store.connection import Connection
from srs.store.rows import moment, state_from_row


class MemoryStates(Connection):
    def card_histories(self, deck: str | None = None) -> Iterator[CardHistory]:
        """Every card of the deck (and its sub-decks; all for None), by id, with its answers
        oldest first (cram left out: it changes no schedule). Streamed: two cursors walk
        cards and reviews in card order side by side, so a million reviews never sit in a
        list; the store must stay open while they are read."""
        ids = self.deck_ids(deck) if deck is not None else None
        names = self.deck_names()
        where = "1" if ids is None else sql.in_list("c.deck_id", ids)
        cards = self.conn.execute(
            f"SELECT c.id, c.deck_id, {sql.CARD_STATE} FROM cards c WHERE {where} ORDER BY c.id",
            ids or [],
        )
        in_decks = (
            "" if ids is None else f" AND r.card_id IN (SELECT c.id FROM cards c WHERE {where})"
        )
        reviews = self.conn.execute(
            "SELECT r.card_id, r.id, r.reviewed_at, r.study_day, r.kind, r.grade,"
            f" r.interval_before FROM reviews r WHERE r.kind != 'cram'{in_decks}"
            " ORDER BY r.card_id, r.id",
            ids or [],
        )
        days: dict[str, dt.date] = {}  # few distinct days, many rows: each parsed once
        pending = next(reviews, None)
        for card_id, deck_id, *state in cards:
            answers = []
            while pending is not None and pending[0] <= card_id:
                if pending[0] == card_id:
                    _, review_id, at, day, kind, grade, interval_before = pending
                    study_day = days.get(day)
                    if study_day is None:
                        study_day = days[day] = dt.date.fromisoformat(day)
                    answers.append(
                        LoggedAnswer(review_id, at, study_day, kind, grade, interval_before or 0)
                    )
                pending = next(reviews, None)
            yield CardHistory(card_id, names[deck_id], state_from_row(state), tuple(answers))

    def set_memories(self, memories: Iterable[tuple[int, Memory | None]]) -> int:
        """Set cards' memory states ((card id, memory) pairs) in one transaction; due dates
        and everything else stay. Returns how many rows were written."""
        with self.atomic() as conn:
            return conn.executemany(
                "UPDATE cards SET stability = ?, difficulty = ? WHERE id = ?",
                (
                    (None, None, card_id) if m is None else (m.stability, m.difficulty, card_id)
                    for card_id, m in memories
                ),
            ).rowcount

    # ------------------------------------------------------------ fitted parameters

    def fitted_parameters(self) -> dict[str, FittedParameters]:
        """Every stored parameter set, by deck name ('' for the collection)."""
        return {
            deck: FittedParameters(
                deck=deck,
                parameters=tuple(json.loads(parameters)),
                fitted_at=moment(fitted_at),
                reviews=reviews,
                log_loss=log_loss,
                rmse_bins=rmse_bins,
            )
            for deck, parameters, fitted_at, reviews, log_loss, rmse_bins in self.conn.execute(
                "SELECT deck, parameters, fitted_at, reviews, log_loss, rmse_bins"
                " FROM fsrs_parameters ORDER BY deck"
            )
        }

    def save_fitted_parameters(self, fitted: FittedParameters) -> None:
        """Store (or replace) the parameters of ``fitted.deck``."""
        with self.atomic() as conn:
            conn.execute(
                "INSERT INTO fsrs_parameters (deck, parameters, fitted_at, reviews, log_loss,"
                " rmse_bins) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deck) DO UPDATE SET"
                " parameters = excluded.parameters, fitted_at = excluded.fitted_at,"
                " reviews = excluded.reviews, log_loss = excluded.log_loss,"
                " rmse_bins = excluded.rmse_bins",
                [
                    fitted.deck,
                    json.dumps(list(fitted.parameters)),
                    clock.utc_text(fitted.fitted_at),
                    fitted.reviews,
                    fitted.log_loss,
                    fitted.rmse_bins,
                ],
            )

    # ------------------------------------------------------------ retrievability

    def retrievability_counts(
        self, deck_ids: Sequence[int], today: dt.date, ratios: Sequence[float]
    ) -> list[int]:
        """Scheduled, active cards with a memory state, counted by retrievability today.

        ``ratios`` are ascending cut points of elapsed days per day of stability (the
        forgetting curve falls as the ratio grows, so SQL needs no powers): the count at
        ``i`` is of cards whose ratio is at most ``ratios[i]`` and above the one before;
        the last count is of the cards past every cut point.
        """
        if not deck_ids:
            return [0] * (len(ratios) + 1)
        cases = " ".join(f"WHEN x <= ? THEN {i}" for i in range(len(ratios)))
        # Every deck: a scan of the table. Its rows one by one through the (deck_id,
        # suspended, due) index cost 1.3 s of 1.9 at a million cards, the scan 0.2 (measured).
        if set(deck_ids) == set(self.deck_names()):
            cards, decks, ids = "cards NOT INDEXED", "1", []
        else:
            ids = list(deck_ids)
            cards, decks = "cards", sql.in_list("deck_id", ids)
        rows = self.conn.execute(
            f"SELECT CASE {cases} ELSE {len(ratios)} END, count(*) FROM"
            " (SELECT max(0, julianday(?) - julianday(last_review)) / stability AS x"
            f" FROM {cards} WHERE {decks} AND {sql.ACTIVE}"
            f" AND {sql.IS_SCHEDULED} AND stability > 0) GROUP BY 1",
            [*ratios, today.isoformat(), *ids],
        )
        counts = [0] * (len(ratios) + 1)
        for bucket, n in rows:
            counts[bucket] = n
        return counts
