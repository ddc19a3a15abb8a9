"""Queries for `srs stats` and `srs cards`: every figure aggregated with GROUP BY, on the
indexes of m001 and m003, and the card listings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from srs import card_faces
from srs.records import MATURE_DAYS, CardRow, Question, StateCounts
from srs.store import sql
from srs.store.connection import Connection
from srs.store.rows import faces_from_json, state_from_row

# A card as listed: id, deck, what its question needs for the card's front (kind, text,
# answer, the faces of another Anki note type, the card's number), suspended, its state.
_CARD_ROW = (
    f"SELECT c.id, d.name, q.kind, q.text, q.answer, q.faces, c.ord, c.suspended,"
    f" {sql.CARD_STATE}"
    " FROM cards c JOIN questions q ON q.id = c.question_id JOIN decks d ON d.id = c.deck_id"
)


def _card_row(row: tuple) -> CardRow:
    card_id, deck, kind, text, answer, faces, ord, suspended, *state = row
    if ord or faces is not None or kind == "cloze":
        # What this card asks: a reversed card's answer, a cloze with its gap, a face.
        question = Question(text=text, kind=kind, answer=answer, faces=faces_from_json(faces))
        text = card_faces.front(question, ord)
    return CardRow(card_id, deck, text, state_from_row(state), bool(suspended))


IS_MATURE = f"interval >= {MATURE_DAYS}"  # on table `cards`


class Figures(Connection):
    def _cards_where(self, deck: str | None, alias: str = "") -> tuple[str, list]:
        """A condition on cards for a deck and its sub-decks ("1" for all: a plain scan)."""
        if deck is None:
            return "1", []
        ids = self.deck_ids(deck)
        return sql.in_list(f"{alias}deck_id", ids), ids

    def _stats_deck_ids(self, deck: str | None) -> list[int] | None:
        """A deck's ids for the stats queries; None for all decks (or a deck covering them)."""
        if deck is None:
            return None
        ids = self.deck_ids(deck)
        return None if len(ids) == len(self.deck_names()) else ids

    def due_by_day(self, deck: str | None, until: dt.date) -> dict[str, int]:
        """Non-suspended scheduled cards due on or before `until`, counted per due day."""
        ids = self.deck_ids(deck)
        # deck_id IN + suspended = 0 + due range: the (deck_id, suspended, due) index.
        return dict(
            self.conn.execute(
                f"SELECT due, count(*) FROM cards WHERE {sql.in_list('deck_id', ids)}"
                f" AND {sql.ACTIVE} AND {sql.IS_DUE} GROUP BY due",
                [*ids, until.isoformat()],
            )
        )

    def reviews_by_day(self, deck: str | None, since: dt.date, until: dt.date) -> dict[str, int]:
        """Answers logged per study day in [since, until] (every kind)."""
        days = [since.isoformat(), until.isoformat()]
        ids = self._stats_deck_ids(deck)
        if ids is None:
            # A kind at a time, each range of the (kind, study_day, ...) index read in day
            # order: one query for all kinds would sort every answer of the year to group it.
            counts: dict[str, int] = {}
            for kind in sql.KINDS:
                for day, n in self.conn.execute(
                    "SELECT study_day, count(*) FROM reviews WHERE kind = ?"
                    " AND study_day BETWEEN ? AND ? GROUP BY study_day",
                    [kind, *days],
                ):
                    counts[day] = counts.get(day, 0) + n
            return dict(sorted(counts.items()))
        # The deck's cards by (deck_id, ...), then their reviews by (card_id, kind, study_day, ...).
        return dict(
            self.conn.execute(
                "SELECT r.study_day, count(*) FROM cards c CROSS JOIN reviews r"
                f" ON r.card_id = c.id WHERE {sql.in_list('c.deck_id', ids)}"
                " AND r.study_day BETWEEN ? AND ? GROUP BY r.study_day",
                [*ids, *days],
            )
        )

    def retention_counts(
        self, deck: str | None, since: dt.date, until: dt.date
    ) -> dict[str, tuple[int, int]]:
        """First-of-day grades of due cards (kind 'review') as {"young"/"mature": (n, passed)}.

        Young or mature by the interval the card had when it was asked (`interval_before`,
        the interval of `state_before`): the (kind, study_day, interval_before, grade) index,
        or for a deck its cards and then (card_id, kind, study_day, interval_before, grade).
        """
        days = [since.isoformat(), until.isoformat()]
        ids = self._stats_deck_ids(deck)
        mature = f"interval_before >= {MATURE_DAYS}"
        if ids is None:
            rows = self.conn.execute(
                f"SELECT {mature}, count(*), sum(grade >= 3) FROM reviews"
                " WHERE kind = 'review' AND study_day BETWEEN ? AND ? GROUP BY 1",
                days,
            )
        else:
            rows = self.conn.execute(
                f"SELECT r.{mature}, count(*), sum(r.grade >= 3)"
                " FROM cards c CROSS JOIN reviews r ON r.card_id = c.id"
                f" WHERE {sql.in_list('c.deck_id', ids)} AND r.kind = 'review'"
                " AND r.study_day BETWEEN ? AND ? GROUP BY 1",
                [*ids, *days],
            )
        out = {"young": (0, 0), "mature": (0, 0)}
        for is_mature, n, passed in rows:
            out["mature" if is_mature else "young"] = (n, passed or 0)
        return out

    def studied_on(self, deck: str | None, day: dt.date) -> bool:
        """Whether anything was answered on `day` (one index probe)."""
        ids = self._stats_deck_ids(deck)
        if ids is None:
            statement = f"SELECT 1 FROM reviews WHERE {sql.ANY_KIND} AND study_day = ? LIMIT 1"
            params = []
        else:  # the day's reviews by (kind, study_day, ...), each card by its id
            statement = (
                "SELECT 1 FROM reviews r CROSS JOIN cards c ON c.id = r.card_id"
                f" WHERE r.{sql.ANY_KIND} AND r.study_day = ?"
                f" AND {sql.in_list('c.deck_id', ids)} LIMIT 1"
            )
            params = ids
        return self.conn.execute(statement, [day.isoformat(), *params]).fetchone() is not None

    def state_counts(self, deck: str | None, today: dt.date, leech_threshold: int) -> StateCounts:
        """Cards per state (see StateCounts).

        Each is an index-only count: (deck_id, suspended, due), the scheduled (deck_id,
        suspended, interval, ef), (last_review, repeat_today) and (lapses, deck_id).
        """
        ids = self.deck_ids(deck)
        decks = sql.in_list("deck_id", ids)
        active = f"{decks} AND {sql.ACTIVE} AND {sql.IS_SCHEDULED}"

        def count(where: str, *params) -> int:
            statement = f"SELECT count(*) FROM cards WHERE {where}"
            return self.conn.execute(statement, [*params, *ids]).fetchone()[0]

        learning = {False: 0, True: 0}
        for mature, n in self.conn.execute(
            f"SELECT {IS_MATURE}, count(*) FROM cards WHERE {sql.IS_LEARNING}"
            f" AND {active} GROUP BY 1",
            [today.isoformat(), *ids],
        ):
            learning[bool(mature)] += n
        scheduled = count(active)
        mature = count(f"{IS_MATURE} AND {active}")
        return StateCounts(
            suspended=count(f"{sql.IS_SUSPENDED} AND {decks}"),
            new=count(f"{sql.ACTIVE} AND {sql.IS_NEW} AND {decks}"),
            learning=learning[False] + learning[True],
            young=scheduled - mature - learning[False],
            mature=mature - learning[True],
            # Unary + keeps the lapses range on (lapses, deck_id), not every deck's cards.
            leeches=count(f"lapses >= ? AND +{decks}", leech_threshold),
        )

    def ef_counts(self, deck: str | None) -> list[tuple[int, int]]:
        """Scheduled cards (suspended too) per EF in hundredths, as (ef, cards) by EF."""
        ids = self._stats_deck_ids(deck)
        if ids is None:  # the scheduled (ef, lapses DESC, deck_id) index, in order
            return self.conn.execute(
                f"SELECT ef, count(*) FROM cards WHERE {sql.IS_SCHEDULED} GROUP BY ef ORDER BY ef"
            ).fetchall()
        return self.conn.execute(
            f"SELECT ef, count(*) FROM cards WHERE {sql.IS_SCHEDULED}"
            f" AND {sql.in_list('deck_id', ids)} GROUP BY ef ORDER BY ef",
            ids,
        ).fetchall()

    def hardest_cards(
        self, deck: str | None, limit: int = 5, *, by_difficulty: bool = False
    ) -> list[CardRow]:
        """Scheduled cards with the lowest EF, most lapses first among equals; or, with
        ``by_difficulty`` (FSRS), those with an FSRS memory, the highest difficulty first.

        Walks the scheduled (ef, lapses DESC, deck_id) index, or the (difficulty DESC,
        lapses DESC, deck_id) one, in order until `limit` cards match (unary + on the deck:
        not a sort of all the deck's cards).
        """
        ids = self._stats_deck_ids(deck)
        where, params = self._cards_where(None if ids is None else deck, "+c.")
        order = "c.ef, c.lapses DESC, c.id"
        if by_difficulty:
            where += f" AND c.{sql.HAS_DIFFICULTY}"
            order = "c.difficulty DESC, c.lapses DESC, c.id"
        rows = self.conn.execute(
            f"{_CARD_ROW} WHERE c.{sql.IS_SCHEDULED} AND {where} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
        return [_card_row(row) for row in rows]

    def difficulty_counts(self, deck: str | None) -> list[tuple[int, int, float]]:
        """Scheduled cards (suspended too) with an FSRS memory, per whole difficulty (1-9;
        10 counts as 9): (difficulty, cards, their difficulties' sum), by difficulty. One
        walk of the (difficulty DESC, lapses DESC, deck_id) index, which holds them all."""
        ids = self._stats_deck_ids(deck)
        # (+deck_id: the deck's cards from this index too, not each read from the table.)
        where, params = ("1", []) if ids is None else (sql.in_list("+deck_id", ids), ids)
        rows = self.conn.execute(
            f"SELECT min(CAST(difficulty AS INTEGER), 9) AS whole, count(*), sum(difficulty)"
            f" FROM cards"
            f" WHERE {sql.IS_SCHEDULED} AND {sql.HAS_DIFFICULTY} AND {where}"
            f" GROUP BY whole ORDER BY whole",
            params,
        )
        return [tuple(row) for row in rows]

    def list_cards(
        self,
        deck: str | None,
        *,
        due_by: dt.date | None = None,
        search: str | None = None,
        min_lapses: int | None = None,
    ) -> Iterator[CardRow]:
        """Cards with their schedule, by deck then id; filters are ANDed. Streamed: the
        store must stay open while they are read."""
        # A deck at a time (deck_ids is in name order): the first rows come after sorting
        # one deck's cards by id, not the whole collection's (`srs cards --due | head`).
        statement = f"{_CARD_ROW} WHERE c.deck_id = ?"
        params: list = []
        if due_by is not None:
            # Due by that day, or a repeat pending on it (a card failed that day: `srs due`
            # counts it as learning). Two index searches, the second by (last_review,
            # repeat_today). The later plain ? are numbered on from ?2.
            statement = (
                f"{_CARD_ROW} WHERE c.id IN (SELECT id FROM cards WHERE deck_id = ?1"
                " AND suspended = 0 AND due <= ?2 UNION ALL SELECT id FROM cards"
                " WHERE last_review = ?2 AND repeat_today = 1 AND +deck_id = ?1"
                " AND +suspended = 0 AND NOT due <= ?2)"
            )
            params.append(due_by.isoformat())
        if search:
            # % and _ are the user's text, not wildcards: escaped, with \ as the escape.
            like = "LIKE ? ESCAPE '\\'"
            statement += (
                f" AND (q.text {like} OR q.answer {like} OR q.options {like} OR q.tags {like})"
            )
            literal = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.extend([f"%{literal}%"] * 4)
        if min_lapses is not None:
            statement += " AND c.lapses >= ?"
            params.append(min_lapses)
        statement += " ORDER BY c.id"
        for deck_id in self.deck_ids(deck):
            for row in self.conn.execute(statement, [deck_id, *params]):
                yield _card_row(row)
