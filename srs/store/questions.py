"""Questions in and out: importing parsed questions (idempotent, all or nothing), and
deleting questions with everything that hangs off their cards."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence

from srs import card_faces, clock
from srs.errors import SrsError
from srs.records import FileImport, Question, normalise_deck, question_uid
from srs.store import sql
from srs.store.connection import Connection
from srs.store.rows import content

# One file's questions for import: (deck name, source path, questions).
Batch = tuple[str, str, Sequence[Question]]


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
        stamp = clock.utc_text(now)
        results: list[tuple[int, FileImport]] = []
        seen: dict[int, set[str]] = {}  # per deck, over every file: a question may move files
        try:
            with self.atomic(dry_run=dry_run):
                for deck, source, questions in batches:
                    deck_id, result = self._import_one(deck, source, questions, stamp, seen)
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

    def _import_one(
        self,
        deck: str,
        source: str,
        questions: Sequence[Question],
        stamp: str,
        seen_by_deck: dict[int, set[str]],
    ) -> tuple[int, FileImport]:
        conn = self.conn
        deck_id, deck = self._deck_for_import(deck, stamp)
        existing = {
            uid: (qid, tuple(rest[:8]), rest[8], rest[9])
            for qid, uid, *rest in conn.execute(
                "SELECT id, uid, kind, text, title, options, answers, answer, explanation, tags,"
                " source_file, source_line FROM questions WHERE deck_id = ?",
                [deck_id],
            )
        }
        result = FileImport(path=source, deck=deck)
        seen = seen_by_deck.setdefault(deck_id, set())
        inserts: list[tuple] = []
        new_questions: list[Question] = []
        # New notes' GUIDs: 32 random hex digits each, cut from one read of the OS's random
        # source (a uuid4 per row was ~4% of an import); the unique index guards them.
        guids = os.urandom(16 * len(questions)).hex()
        # The new questions' ids will be above every id there is (a rowid grows from the
        # largest), which finds them for their cards without a join.
        (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()
        for q in questions:
            uid = question_uid(q)
            seen.add(uid)
            new_content = content(q)
            if uid in existing:
                qid, old_content, old_source, old_line = existing[uid]
                if old_content != new_content:
                    result.updated += 1
                    conn.execute(
                        "UPDATE questions SET kind = ?, text = ?, title = ?, options = ?,"
                        " answers = ?, answer = ?, explanation = ?, tags = ?,"
                        " source_file = ?, source_line = ?, content_changed_at = ? WHERE id = ?",
                        [*new_content, source, q.line, stamp, qid],
                    )
                    self._add_cards(qid, deck_id, card_faces.ords(q))
                else:
                    result.unchanged += 1
                    if (old_source, old_line) != (source, q.line):
                        conn.execute(
                            "UPDATE questions SET source_file = ?, source_line = ? WHERE id = ?",
                            [source, q.line, qid],
                        )
            else:
                result.added += 1
                guid = guids[32 * len(inserts) : 32 * len(inserts) + 32]
                inserts.append((deck_id, uid, guid, *new_content, source, q.line, stamp))
                new_questions.append(q)
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
            # Questions of several cards (clozes) get the others; a cloze without gap 1
            # has no card 0.
            for qid, q in enumerate(new_questions, last_id + 1):
                if q.kind == "cloze":
                    ords = card_faces.ords(q)
                    if 0 not in ords:
                        conn.execute("DELETE FROM cards WHERE question_id = ?", [qid])
                    self._add_cards(qid, deck_id, ords)
        return deck_id, result

    def _add_cards(self, question_id: int, deck_id: int, ords: Sequence[int]) -> None:
        """The question's cards numbered ``ords`` that it does not have yet."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO cards (question_id, deck_id, ord) VALUES (?, ?, ?)",
            [(question_id, deck_id, o) for o in ords],
        )

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
