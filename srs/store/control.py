"""Changing cards outside the daily loop: suspend, reset, postpone (and its undo), each
logged in `schedule_changes` with every card's state before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from srs import clock
from srs.errors import SrsError
from srs.records import CardState, PostponeUndone, ScheduleChange
from srs.store import sql
from srs.store.connection import Connection, no_card
from srs.store.rows import day, moment, state_from_json, state_from_row, state_params, state_to_json

MAX_POSTPONE = 3650  # days: ten years


class Control(Connection):
    def _card_rows(self, ids: Iterable[int], columns: str) -> dict[int, tuple]:
        """{id: (columns...)} of the cards among `ids` (missing ones left out), a query a chunk."""
        rows = {}
        for chunk in sql.chunks(ids):
            for card_id, *row in self.conn.execute(
                f"SELECT c.id, {columns} FROM cards c WHERE {sql.in_list('c.id', chunk)}", chunk
            ):
                rows[card_id] = tuple(row)
        return rows

    @staticmethod
    def _require_cards(ids: Sequence[int], found: Iterable[int]) -> None:
        """SrsError naming the first of `ids` not in `found`."""
        missing = set(ids).difference(found)
        for card_id in ids:
            if card_id in missing:
                raise no_card(card_id)

    def check_cards(self, ids: Sequence[int]) -> None:
        """SrsError naming the first id that is not a card."""
        self._require_cards(ids, self._card_rows(ids, "1"))

    def is_suspended(self, card_id: int) -> bool:
        row = self._card_rows([card_id], "c.suspended").get(card_id)
        if row is None:
            raise no_card(card_id)
        return bool(row[0])

    def set_suspended(self, ids: Sequence[int], suspended: bool) -> int:
        """Suspend or unsuspend cards (all ids checked first); returns how many changed. A
        card its question no longer makes is not unsuspended (it would ask a copy)."""
        with self.atomic() as conn:
            rows = self._card_rows(ids, "c.suspended")
            self._require_cards(ids, rows)
            if not suspended:
                for card_id in ids:
                    if rows[card_id][0] == sql.NOT_MADE:
                        raise SrsError(
                            f"card {card_id} is no longer made by its question (a cloze gap"
                            " or `reversed:` removed): put that back in its file and import"
                            " it to study the card again"
                        )
            changed = 0
            for chunk in sql.chunks(ids):
                changed += conn.execute(
                    f"UPDATE cards SET suspended = ? WHERE suspended != ?"
                    f" AND {sql.in_list('id', chunk)}",
                    [int(suspended), int(suspended), *chunk],
                ).rowcount
        return changed

    def _record_change(
        self,
        kind: str,
        now: dt.datetime,
        today: dt.date,
        days: int | None,
        changes: list[tuple[int, CardState, CardState]],
    ) -> int:
        """Log a schedule change with each card's (id, before, after); inside a transaction."""
        change_id = self.conn.execute(
            "INSERT INTO schedule_changes (kind, made_at, study_day, days) VALUES (?, ?, ?, ?)",
            [kind, clock.utc_text(now), today.isoformat(), days],
        ).lastrowid
        self.conn.executemany(
            "INSERT INTO schedule_change_cards (change_id, card_id, state_before, state_after)"
            " VALUES (?, ?, ?, ?)",
            [(change_id, cid, state_to_json(b), state_to_json(a)) for cid, b, a in changes],
        )
        return change_id

    def reset_cards(self, ids: Sequence[int], now: dt.datetime, today: dt.date) -> int:
        """Put cards back to new; their reviews stay, the reset is logged in schedule_changes.
        A card new already is left alone (no reset is logged for it). Returns how many were
        reset."""
        fresh = CardState()
        with self.atomic() as conn:
            rows = self._card_rows(ids, sql.CARD_STATE)
            self._require_cards(ids, rows)
            changes = [
                (cid, before, fresh)
                for cid in dict.fromkeys(ids)
                if (before := state_from_row(rows[cid])) != fresh
            ]
            if changes:
                conn.executemany(
                    sql.UPDATE_CARD_STATE, [(*state_params(fresh), cid) for cid, _, _ in changes]
                )
                self._record_change("reset", now, today, None, changes)
        return len(changes)

    def schedule_changes(self, card_id: int) -> list[ScheduleChange]:
        """Resets and postpones that touched a card, oldest first."""
        rows = self.conn.execute(
            "SELECT s.id, s.kind, s.made_at, s.study_day, s.days, s.undone_at,"
            " x.state_before, x.state_after FROM schedule_change_cards x"
            " JOIN schedule_changes s ON s.id = x.change_id WHERE x.card_id = ? ORDER BY s.id",
            [card_id],
        )
        return [
            ScheduleChange(
                id=change_id,
                kind=kind,
                made_at=moment(made_at),
                study_day=day(study_day),
                days=days,
                undone_at=moment(undone_at) if undone_at else None,
                before=state_from_json(before),
                after=state_from_json(after),
            )
            for change_id, kind, made_at, study_day, days, undone_at, before, after in rows
        ]

    def postpone(self, deck: str | None, days: int, now: dt.datetime, today: dt.date) -> int:
        """Move every scheduled card's due date `days` later, as one undoable change; a
        repeat pending today (a card failed today) is dropped, and comes back with the undo."""
        if not 1 <= days <= MAX_POSTPONE:
            raise SrsError(f"postpone by 1 day or more (at most {MAX_POSTPONE}), not {days}")
        ids = self.deck_ids(deck) if deck is not None else None
        where = "1" if ids is None else sql.in_list("c.deck_id", ids)
        with self.atomic() as conn:
            changes = []
            for card_id, *state in conn.execute(
                f"SELECT c.id, {sql.CARD_STATE} FROM cards c WHERE c.{sql.IS_SCHEDULED}"
                f" AND {where}",
                ids or [],
            ).fetchall():
                before = state_from_row(state)
                assert before.due is not None
                try:
                    due = before.due + dt.timedelta(days=days)
                except OverflowError:  # nothing written yet: the transaction rolls back
                    raise SrsError(
                        f"card {card_id} is due {before.due}: {days} days later is past year 9999"
                    ) from None
                # A repeat pending today (a card failed today) goes too: postponed is not today.
                changes.append((card_id, before, replace(before, due=due, repeat_today=False)))
            conn.executemany(
                "UPDATE cards SET due = ?, repeat_today = 0 WHERE id = ?",
                [(a.due.isoformat(), cid) for cid, _, a in changes if a.due],
            )
            if changes:  # nothing moved: no step for `--undo` to take back
                self._record_change("postpone", now, today, days, changes)
        return len(changes)

    def undo_postpone(self, now: dt.datetime) -> PostponeUndone:
        """Revert the last postpone not yet undone. A card graded (or otherwise changed)
        since keeps its newer schedule."""
        with self.atomic() as conn:
            row = conn.execute(
                "SELECT id, days FROM schedule_changes WHERE kind = 'postpone'"
                " AND undone_at IS NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise SrsError("no postpone to undo")
            change_id, days = row
            moved = [
                (card_id, state_from_json(before), state_from_json(after))
                for card_id, before, after in conn.execute(
                    "SELECT card_id, state_before, state_after FROM schedule_change_cards"
                    " WHERE change_id = ?",
                    [change_id],
                )
            ]
            current = self._card_rows([m[0] for m in moved], sql.CARD_STATE)
            # A card graded since keeps its new schedule; a memory state computed since (the
            # scheduler switched to FSRS, parameters refitted) moves no due date, so it counts
            # as unchanged.
            undo = [
                (before.due and before.due.isoformat(), int(before.repeat_today), card_id)
                for card_id, before, after in moved
                if card_id in current
                and replace(state_from_row(current[card_id]), memory=None)
                == replace(after, memory=None)
            ]
            conn.executemany("UPDATE cards SET due = ?, repeat_today = ? WHERE id = ?", undo)
            conn.execute(
                "UPDATE schedule_changes SET undone_at = ? WHERE id = ?",
                [clock.utc_text(now), change_id],
            )
        return PostponeUndone(days, len(undo), len(moved) - len(undo))
