"""What is due: counted on indexes, capped at the day's limits. The `srs due` fast path
opens just this part of the store (`Counts.open`), which loads no other record types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from srs.records.due import DeckDue, DueCounts
from srs.settings import Settings
from srs.store import sql
from srs.store.connection import Connection

# A range of the (kind, study_day, ...) index per kind.
DONE_TODAY = (
    f"SELECT kind, count(*) FROM reviews WHERE {sql.ANY_KIND} AND study_day = ? GROUP BY kind"
)


class Counts(Connection):
    def done_today(self, today: dt.date) -> dict[str, int]:
        """Grades given on `today`, by kind (new, review, repeat, cram)."""
        return dict(
            self.conn.execute(
                DONE_TODAY,
                [today.isoformat()],
            )
        )

    def _available(self, deck_ids: Sequence[int], today: dt.date, cap: int) -> DueCounts:
        """Uncapped-by-day counts per deck set, each counted no further than `cap`."""
        day = today.isoformat()
        decks = sql.in_list("deck_id", list(deck_ids))
        # LIMIT inside keeps each count O(cap), whatever the collection's size.
        new = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE {decks}"
            f" AND {sql.ACTIVE} AND {sql.IS_NEW} LIMIT ?)",
            [*deck_ids, cap],
        ).fetchone()[0]
        review = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE {decks}"
            f" AND {sql.ACTIVE} AND {sql.IS_DUE} LIMIT ?)",
            [*deck_ids, day, cap],
        ).fetchone()[0]
        learning = self.conn.execute(
            f"SELECT count(*) FROM cards WHERE {sql.IS_LEARNING} AND {sql.ACTIVE} AND {decks}",
            [day, *deck_ids],
        ).fetchone()[0]
        return DueCounts(new=new, learning=learning, review=review)

    def day_budget(self, today: dt.date, settings: Settings) -> tuple[int, int]:
        """(answers, new cards) still allowed today: the review limit counts new cards too."""
        done = self.done_today(today)
        new_done = done.get("new", 0)
        reviews_left = max(0, settings.reviews_per_day - new_done - done.get("review", 0))
        return reviews_left, max(0, settings.new_per_day - new_done)

    def due_counts(
        self, today: dt.date, deck: str | None = None, settings: Settings | None = None
    ) -> tuple[DueCounts, list[DeckDue]]:
        """What is left to study today: the total under the day's limits, and per deck."""
        reviews_left, new_left = self.day_budget(today, settings or self.settings())
        ids = self.deck_ids(deck)
        names = self.deck_names()
        cap = max(reviews_left, new_left)
        per_deck = []
        for deck_id in sorted(ids, key=lambda i: names[i]):
            avail = self._available([deck_id], today, cap)
            review = min(avail.review, reviews_left)
            new = min(avail.new, new_left, reviews_left - review)
            per_deck.append(DeckDue(names[deck_id], 0, DueCounts(new, avail.learning, review)))
        total = self._available(ids, today, cap) if ids else DueCounts()
        review = min(total.review, reviews_left)
        new = min(total.new, new_left, reviews_left - review)
        return DueCounts(new, total.learning, review), per_deck

    def deck_table(self, today: dt.date) -> list[DeckDue]:
        """Every deck with its card count and what is due today."""
        _, per_deck = self.due_counts(today)
        sizes = dict(
            self.conn.execute("SELECT deck_id, count(*) FROM cards GROUP BY deck_id").fetchall()
        )
        names = {v: k for k, v in self.deck_names().items()}
        return [row._replace(cards=sizes.get(names[row.deck], 0)) for row in per_deck]

    def due_on(self, day: dt.date, deck: str | None = None) -> int:
        """Reviews due on or before `day` (not counting new cards)."""
        ids = self.deck_ids(deck)
        return self.conn.execute(
            f"SELECT count(*) FROM cards WHERE {sql.in_list('deck_id', ids)}"
            f" AND {sql.ACTIVE} AND {sql.IS_DUE}",
            [*ids, day.isoformat()],
        ).fetchone()[0]
