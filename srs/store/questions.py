"""Questions in and out: importing parsed questions (idempotent, all or nothing), and
deleting questions with everything that hangs off their cards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from srs import clock
from srs.errors import SrsError
from srs.records import FileImport, Question, normalise_deck, question_guid, question_uid
from srs.store import sql
from srs.store.connection import Connection
from srs.store.rows import content

# One file's questions for import: (deck name, source path, questions).
Batch = tuple[str, str, Sequence[Question]]


class _Stored(NamedTuple):
    """A question as the store has it, for an import to compare with the file's."""

    id: int
    content: tuple  # as rows.content() makes it
    source_file: str
    source_line: int
    guid: str
    changed_at: str


def next_stamp(previous: str, now: dt.datetime) -> str:
    """``content_changed_at`` for a change made at ``now``: at least one whole second after
    the previous stamp, even within the same second or with the clock pinned or set back.

    Anki takes an incoming note only when its mod time (whole seconds, made from this
    stamp) is newer than its own copy's, so every change must make it grow.
    """
    floor = clock.from_utc_text(previous).replace(microsecond=0)
    return clock.utc_text(max(now, floor + dt.timedelta(seconds=1)))


def source_name(path: str) -> str:
    """The file name of a stored source path (what the Anki note's Source field shows)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class _GuidMaker:
    """GUIDs for a deck's new questions, derived from their identity; a GUID that is taken
    (by a question whose text was edited since) is derived again with a counter."""

    def __init__(self, deck: str, taken: set[str]) -> None:
        self.deck = deck
        self.taken = taken

    def make(self, uid: str) -> str:
        attempt = 0
        guid = question_guid(self.deck, uid)
        while guid in self.taken:
            attempt += 1
            guid = question_guid(self.deck, uid, attempt)
        self.taken.add(guid)
        return guid


class Questions(Connection):
    def import_questions(
        self,
        batches: Iterable[Batch],
        now: dt.datetime,
        *,
        prune: bool = False,
        dry_run: bool = False,
    ) -> list[FileImport]:
        """Import (deck, source path, questions) batches in one transaction; all or nothing.

        A question already in its deck (same explicit id, or same normalised text)
        is updated in place and keeps its card and history.
        """
        results: list[tuple[int, FileImport]] = []
        seen: dict[int, set[str]] = {}  # per deck, over every file: a question may move files
        try:
            with self.atomic(dry_run=dry_run):
                for deck, source, questions in batches:
                    deck_id, result = self._import_one(deck, source, questions, now, seen)
                    results.append((deck_id, result))
                for deck_id, result in results:
                    self._left_the_source(deck_id, result, seen[deck_id], prune)
        finally:
            self._deck_names = None
        return [result for _, result in results]

    def _deck_for_import(self, name: str, stamp: str) -> tuple[int, str]:
        """The deck called `name` (case-insensitively, keeping the stored spelling), made if new."""
        try:
            name = normalise_deck(name)
        except ValueError as e:
            raise SrsError(str(e)) from None
        row = self.conn.execute(
            "SELECT id, name FROM decks WHERE name = ? COLLATE NOCASE", [name]
        ).fetchone()
        if row:
            return row[0], row[1]
        cur = self.conn.execute("INSERT INTO decks (name, created_at) VALUES (?, ?)", [name, stamp])
        return cur.lastrowid, name

    def _stored_questions(self, deck_id: int) -> dict[str, _Stored]:
        """The deck's questions by uid, with what an import compares and keeps."""
        return {
            uid: _Stored(qid, tuple(rest[:8]), *rest[8:])
            for qid, uid, *rest in self.conn.execute(
                "SELECT id, uid, kind, text, title, options, answers, answer, explanation, tags,"
                " source_file, source_line, guid, content_changed_at FROM questions"
                " WHERE deck_id = ?",
                [deck_id],
            )
        }

    def _import_one(
        self,
        deck: str,
        source: str,
        questions: Sequence[Question],
        now: dt.datetime,
        seen_by_deck: dict[int, set[str]],
    ) -> tuple[int, FileImport]:
        conn = self.conn
        stamp = clock.utc_text(now)
        deck_id, deck = self._deck_for_import(deck, stamp)
        existing = self._stored_questions(deck_id)
        result = FileImport(path=source, deck=deck)
        seen = seen_by_deck.setdefault(deck_id, set())
        inserts: list[tuple] = []
        guids = _GuidMaker(deck, {stored.guid for stored in existing.values()})
        # The new questions' ids will be above every id there is (a rowid grows from the
        # largest), which finds them for their cards without a join.
        (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()
        for q in questions:
            uid = question_uid(q)
            seen.add(uid)
            new_content = content(q)
            stored = existing.get(uid)
            if stored is None:
                result.added += 1
                guid = guids.make(uid)
                inserts.append((deck_id, uid, guid, *new_content, source, q.line, stamp))
            elif stored.content != new_content:
                result.updated += 1
                conn.execute(
                    "UPDATE questions SET kind = ?, text = ?, title = ?, options = ?,"
                    " answers = ?, answer = ?, explanation = ?, tags = ?,"
                    " source_file = ?, source_line = ?, content_changed_at = ? WHERE id = ?",
                    [*new_content, source, q.line, next_stamp(stored.changed_at, now), stored.id],
                )
            else:
                result.unchanged += 1
                if (stored.source_file, stored.source_line) != (source, q.line):
                    # The note's Source field shows the file name and line: when they
                    # change, the note changes, and Anki must see a newer note.
                    moved = (source_name(stored.source_file), stored.source_line) != (
                        source_name(source),
                        q.line,
                    )
                    changed_at = next_stamp(stored.changed_at, now) if moved else stored.changed_at
                    conn.execute(
                        "UPDATE questions SET source_file = ?, source_line = ?,"
                        " content_changed_at = ? WHERE id = ?",
                        [source, q.line, changed_at, stored.id],
                    )
        conn.executemany(
            "INSERT INTO questions (deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, source_file, source_line, created_at,"
            " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?14)",
            inserts,
        )
        if inserts:
            conn.execute(
                "INSERT INTO cards (question_id, deck_id) SELECT id, deck_id FROM questions"
                " WHERE id > ? ORDER BY id",
                [last_id],
            )
        return deck_id, result

    def _left_the_source(self, deck_id: int, result: FileImport, seen: set[str], prune: bool):
        """Questions last read from this file that no file of this import had: list or prune."""
        gone = [
            (qid, text)
            for qid, uid, text in self.conn.execute(
                "SELECT id, uid, text FROM questions WHERE deck_id = ? AND source_file = ?",
                [deck_id, result.path],
            )
            if uid not in seen
        ]
        result.gone = [text for _, text in gone]
        if prune and gone:
            self._delete_questions("id", [qid for qid, _ in gone])
            result.pruned = len(gone)

    def _delete_questions(self, column: str, ids: Sequence[int]) -> None:
        """Delete the questions whose `column` (id or deck_id) is in `ids`, with their cards
        and everything logged about them: the one place that knows what hangs off a card."""
        assert column in ("id", "deck_id")
        for start in range(0, len(ids), sql.CHUNK):
            chunk = list(ids[start : start + sql.CHUNK])
            questions = f"SELECT id FROM questions WHERE {sql.in_list(column, chunk)}"
            cards = f"SELECT id FROM cards WHERE question_id IN ({questions})"
            self.conn.execute(f"DELETE FROM reviews WHERE card_id IN ({cards})", chunk)
            self.conn.execute(
                f"DELETE FROM schedule_change_cards WHERE card_id IN ({cards})", chunk
            )
            self.conn.execute(f"DELETE FROM cards WHERE question_id IN ({questions})", chunk)
            self.conn.execute(f"DELETE FROM questions WHERE {sql.in_list(column, chunk)}", chunk)

    def forget_deck(self, deck: str) -> tuple[list[str], int]:
        """Delete a deck and its sub-decks with their questions, cards and history."""
        ids = self.deck_ids(deck)
        names = [self.deck_names()[i] for i in ids]
        with self.atomic() as conn:
            count = conn.execute(
                f"SELECT count(*) FROM cards WHERE {sql.in_list('deck_id', ids)}", ids
            ).fetchone()[0]
            self._delete_questions("deck_id", ids)
            conn.execute(f"DELETE FROM decks WHERE {sql.in_list('id', ids)}", ids)
        self._deck_names = None
        return names, count
