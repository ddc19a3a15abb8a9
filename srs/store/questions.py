"""Questions in and out: importing parsed questions (idempotent, all or nothing), and
deleting questions with everything that hangs off their cards."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from srs import card_faces, clock
from srs.records import (
    FileImport,
    Question,
    deck_key,
    guid_in_deck,
    normalise,
    question_uid,
)
from srs.store import sql
from srs.store.connection import Connection
from srs.store.pairing import Side, pair_edits
from srs.store.rows import content


class Batch(NamedTuple):
    """One file's questions for import (a plain (deck, source, questions) tuple will do)."""

    deck: str
    source: str  # the file's resolved path
    # Or, for a file whose digest matched a record (Questions.unchanged_sources), how to
    # parse it after all: a question of it may have changed since the record was checked.
    questions: Sequence[Question] | Callable[[], Sequence[Question]]
    # The file's srs.importers.source_digest when it was read without a problem: a clean
    # import of it is recorded, and the next import of the same bytes skips it.
    digest: str | None = None


class _Stored(NamedTuple):
    """A question as the store has it, for an import to compare with the file's."""

    id: int
    uid: str
    content: tuple  # as rows.content() makes it
    source_file: str
    source_line: int
    guid: str
    changed_at: str


class _Added(NamedTuple):
    """A question an import added: its row, its index in its file, its uid and content."""

    id: int
    index: int
    uid: str
    content: tuple


class _FileChanges(NamedTuple):
    """What pairing edits needs from one file's import, once every file has been read."""

    deck_id: int
    result: FileImport
    before: list[_Stored]  # the file's questions as stored before (in file order if added)
    added: list[_Added]
    questions: Sequence[Question]
    skipped: bool = False  # unchanged by its record: not read at all


def next_stamp(previous: str, now: dt.datetime) -> str:
    """``content_changed_at`` for a change made at ``now``: at least one whole second after
    the previous stamp, even within the same second or with the clock pinned or set back.

    Anki takes an incoming note only when its mod time (whole seconds, made from this
    stamp) is newer than its own copy's, so every change must make it grow.
    """
    floor = clock.from_utc_text(previous).replace(microsecond=0)
    return clock.utc_text(max(now, floor + dt.timedelta(seconds=1)))


def _answers_key(question_content: tuple) -> tuple:
    """What an edit of a question's text must keep: its kind, options and right answers,
    or its answer (srs.store.pairing)."""
    kind, _, _, options, answers, answer, _, _ = question_content
    return (kind, options, answers, answer)


def source_name(path: str) -> str:
    """The file name of a stored source path (what the Anki note's Source field shows)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class _GuidMaker:
    """GUIDs for a deck's new questions, derived from their identity; a GUID that is taken
    (by a question whose text was edited since) is derived again with a counter."""

    def __init__(self, deck: str, taken: set[str]) -> None:
        self.key = deck_key(deck)
        self.taken = taken

    def make(self, uid: str) -> str:
        attempt = 0
        guid = guid_in_deck(self.key, uid)
        while guid in self.taken:
            attempt += 1
            guid = guid_in_deck(self.key, uid, attempt)
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

        A question already in its deck (same explicit id, or same normalised text) is
        updated in place and keeps its card and history; so is one whose text was edited,
        when the edit is recognised (srs.store.pairing).
        """
        seen: dict[int, set[str]] = {}  # per deck, over every file: a question may move files
        changes: list[_FileChanges] = []
        try:
            with self.large_cache(), self.atomic(dry_run=dry_run):
                for deck, source, questions, digest in (Batch(*b) for b in batches):
                    if callable(questions):
                        unchanged = self._unchanged_source(source, digest)
                        if unchanged is not None:
                            changes.append(unchanged)
                            continue
                        questions = questions()
                    change = self._import_one(deck, source, questions, now, seen)
                    changes.append(change)
                    # Now: what a later file of this import does to its questions removes it.
                    if digest is not None:
                        self._record_source(source, digest, change, now)
                if len(changes) > 1:
                    self._seen_unchanged(changes, seen)
                # Once every file is read: a question gone from its file may be in another.
                for change in changes:
                    if change.added and change.before:
                        self._pair_edits(change, seen[change.deck_id], now)
                for change in changes:
                    # A file with no question stored before has none gone (every question
                    # with it as source was just written, from it).
                    if change.before:
                        self._left_the_source(
                            change.deck_id, change.result, seen[change.deck_id], prune
                        )
                        if change.result.gone and not prune:
                            self._forget_source(source_of=change)
        finally:
            self._deck_names = None
        return [change.result for change in changes]

    def unchanged_sources(self, digests: dict[str, str]) -> dict[str, str]:
        """Of the files given as {resolved path: source digest}, those whose clean import is
        recorded with that digest and whose questions nothing has touched since: their
        deck's name, by path."""
        found: dict[str, str] = {}
        for source, digest in digests.items():
            row = self._source_record(source, digest)
            if row is not None:
                found[source] = row[1]
        return found

    def _source_record(self, source: str, digest: str | None) -> tuple[int, str, int] | None:
        """(deck id, deck name, questions) of the record of ``source`` at ``digest``, if
        one holds: the triggers of m007 remove it when a question of it changes, and the
        deck must still have the name it was imported under."""
        return self.conn.execute(
            "SELECT s.deck_id, s.deck_name, s.questions FROM import_sources s"
            " JOIN decks d ON d.id = s.deck_id AND d.name = s.deck_name"
            " WHERE s.source_file = ? AND s.digest = ?",
            [source, digest],
        ).fetchone()

    def _unchanged_source(self, source: str, digest: str | None) -> _FileChanges | None:
        """The import of a file found unchanged, if its record still holds (an earlier file
        of this import may have taken one of its questions, or another process changed it)."""
        row = self._source_record(source, digest)
        if row is None:
            return None
        deck_id, deck_name, count = row
        result = FileImport(path=source, deck=deck_name, unchanged=count)
        return _FileChanges(deck_id, result, [], [], (), skipped=True)

    def _seen_unchanged(self, changes: list[_FileChanges], seen: dict[int, set[str]]) -> None:
        """The questions of the files skipped as unchanged are in them still: another file
        of their deck that lost a question must not take it as gone."""
        for change in changes:
            if change.skipped:
                seen.setdefault(change.deck_id, set()).update(
                    uid
                    for (uid,) in self.conn.execute(
                        "SELECT uid FROM questions WHERE deck_id = ? AND source_file = ?",
                        [change.deck_id, change.result.path],
                    )
                )

    def _record_source(
        self, source: str, digest: str, change: _FileChanges, now: dt.datetime
    ) -> None:
        """Remember a file read without a problem, so that the next import of the same
        bytes can skip it (unless a question of it changes meanwhile)."""
        result = change.result
        self.conn.execute(
            "INSERT OR REPLACE INTO import_sources (source_file, deck_id, deck_name, digest,"
            " questions, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                source,
                change.deck_id,
                result.deck,
                digest,
                result.added + result.updated + result.unchanged,
                clock.utc_text(now),
            ],
        )

    def _forget_source(self, source_of: _FileChanges) -> None:
        """No record for a file that left questions behind: each import lists them again."""
        self.conn.execute(
            "DELETE FROM import_sources WHERE source_file = ? AND deck_id = ?",
            [source_of.result.path, source_of.deck_id],
        )

    def _stored_questions(self, deck_id: int) -> dict[str, _Stored]:
        """The deck's questions by uid, with what an import compares and keeps."""
        return {
            uid: _Stored(qid, uid, tuple(rest[:8]), *rest[8:])
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
    ) -> _FileChanges:
        stamp = clock.utc_text(now)
        deck_id, deck = self.deck_for_import(deck, stamp)
        existing = self._stored_questions(deck_id)
        result = FileImport(path=source, deck=deck)
        seen = seen_by_deck.setdefault(deck_id, set())
        new: list[tuple[int, str, tuple]] = []  # (index in the file, uid, content)
        for index, q in enumerate(questions):
            uid = question_uid(q)
            seen.add(uid)
            new_content = content(q)
            stored = existing.get(uid)
            if stored is None:
                new.append((index, uid, new_content))
            elif stored.content != new_content:
                result.updated += 1
                self._update_question(stored, uid, new_content, source, q.line, now)
                self._match_cards(stored, deck_id, card_faces.ords(q), result)
            else:
                result.unchanged += 1
                if (stored.source_file, stored.source_line) != (source, q.line):
                    self._move_question(stored, source, q.line, now)
        result.added = len(new)
        added = self._insert_questions(deck_id, deck, existing, questions, new, source, stamp)
        before = [s for s in existing.values() if s.source_file == source]
        if added:
            before.sort(key=lambda s: s.source_line)
        return _FileChanges(deck_id, result, before, added, questions)

    def _pair_edits(self, change: _FileChanges, seen: set[str], now: dt.datetime) -> None:
        """Questions that left a file and were edited into questions the import added to it
        (see srs.store.pairing): the old question takes the new one's text and place, and
        keeps its card, history and GUID; the row just added goes."""
        gone = [stored for stored in change.before if stored.uid not in seen]
        if not gone:
            return
        questions = change.questions
        old_keys = Counter(_answers_key(stored.content) for stored in change.before)
        new_keys = Counter(_answers_key(content(q)) for q in questions)
        position = {stored.id: k for k, stored in enumerate(change.before)}
        pairing = pair_edits(
            [
                Side(
                    _answers_key(s.content),
                    normalise(s.content[1]),
                    position[s.id],
                    s.uid.startswith("id:"),
                )
                for s in gone
            ],
            [
                Side(_answers_key(a.content), normalise(a.content[1]), a.index, a.uid[:3] == "id:")
                for a in change.added
            ],
            {key for key, n in (old_keys | new_keys).items() if n > 1},
        )
        result = change.result
        for g, n in pairing.pairs:
            stored, added = gone[g], change.added[n]
            self._delete_questions("id", [added.id])  # first: it holds the uid
            question = questions[added.index]
            self._update_question(stored, added.uid, added.content, result.path, question.line, now)
            self._match_cards(stored, change.deck_id, card_faces.ords(question), result)
            result.added -= 1
            result.updated += 1
            result.paired.append((stored.content[1], added.content[1]))
        for g, candidates in pairing.ambiguous:
            texts = [change.added[n].content[1] for n in candidates]
            result.ambiguous.append((gone[g].content[1], texts))
        result.not_compared = pairing.not_compared

    def _update_question(
        self,
        stored: _Stored,
        uid: str,
        new_content: tuple,
        source: str,
        line: int,
        now: dt.datetime,
    ) -> None:
        """A question's new content (and uid, when it is an edit of its text), in place."""
        self.conn.execute(
            "UPDATE questions SET uid = ?, kind = ?, text = ?, title = ?, options = ?,"
            " answers = ?, answer = ?, explanation = ?, tags = ?,"
            " source_file = ?, source_line = ?, content_changed_at = ? WHERE id = ?",
            [uid, *new_content, source, line, next_stamp(stored.changed_at, now), stored.id],
        )

    def _move_question(self, stored: _Stored, source: str, line: int, now: dt.datetime) -> None:
        """An unchanged question found at another place (file or line)."""
        # The note's Source field shows the file name and line: when they change, the
        # note changes, and Anki must see a newer note.
        moved = (source_name(stored.source_file), stored.source_line) != (
            source_name(source),
            line,
        )
        changed_at = next_stamp(stored.changed_at, now) if moved else stored.changed_at
        self.conn.execute(
            "UPDATE questions SET source_file = ?, source_line = ?,"
            " content_changed_at = ? WHERE id = ?",
            [source, line, changed_at, stored.id],
        )

    def _insert_questions(
        self,
        deck_id: int,
        deck: str,
        existing: dict[str, _Stored],
        questions: Sequence[Question],
        new: list[tuple[int, str, tuple]],
        source: str,
        stamp: str,
    ) -> list[_Added]:
        """Add the new questions of a file, each with its card."""
        if not new:
            return []
        guids = _GuidMaker(deck, {stored.guid for stored in existing.values()})
        # The new questions' ids will be above every id there is (a rowid grows from the
        # largest), which finds them for their cards without a join.
        (last_id,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()
        self.conn.executemany(
            "INSERT INTO questions (deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, source_file, source_line, created_at,"
            " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?14)",
            [
                (deck_id, uid, guids.make(uid), *c, source, questions[i].line, stamp)
                for i, uid, c in new
            ],
        )
        self.conn.execute(
            "INSERT INTO cards (question_id, deck_id) SELECT id, deck_id FROM questions"
            " WHERE id > ? ORDER BY id",
            [last_id],
        )
        # Questions of several cards (clozes, reversed) get the others; a cloze without
        # gap 1 has no card 0.
        for qid, (index, _, _) in enumerate(new, last_id + 1):
            ords = card_faces.ords(questions[index])
            if ords != (0,):
                if 0 not in ords:
                    self.conn.execute("DELETE FROM cards WHERE question_id = ?", [qid])
                self._add_cards(qid, deck_id, ords)
        # Consecutive rowids from last_id + 1, in the order inserted.
        return [_Added(last_id + 1 + k, *entry) for k, entry in enumerate(new)]

    def _match_cards(
        self, stored: _Stored, deck_id: int, ords: Sequence[int], result: FileImport
    ) -> None:
        """A changed question's cards, ``ords`` now: one it makes no more (a cloze gap or
        `reversed:` removed) is suspended, with its history, as the question may get it back;
        one it makes again is unsuspended; a new one is added."""
        kind, text = stored.content[:2]  # what a text question's cards follow
        before = set(card_faces.ords(Question(text, kind)))
        self._add_cards(stored.id, deck_id, ords)
        # Marked as suspended by the import (sql.NOT_MADE), not by the user: only such a
        # card is unsuspended when its question makes it again.
        for ords_changed, old, new in (
            (before - set(ords), 0, sql.NOT_MADE),
            (set(ords) - before, sql.NOT_MADE, 0),
        ):
            if not ords_changed:
                continue
            changed = list(ords_changed)
            n = self.conn.execute(
                f"UPDATE cards SET suspended = ? WHERE question_id = ? AND suspended = ?"
                f" AND {sql.in_list('ord', changed)}",
                [new, stored.id, old, *changed],
            ).rowcount
            if new:
                result.cards_dropped += n
            else:
                result.cards_back += n

    def _add_cards(self, question_id: int, deck_id: int, ords: Sequence[int]) -> None:
        """The question's cards numbered ``ords`` that it does not have yet."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO cards (question_id, deck_id, ord) VALUES (?, ?, ?)",
            [(question_id, deck_id, o) for o in ords],
        )

    def _left_the_source(self, deck_id: int, result: FileImport, seen: set[str], prune: bool):
        """Questions last read from this file that no file of this import had: list or prune."""
        # Ids and uids first (a file's every question), the texts of the gone ones after.
        gone_ids = [
            qid
            for qid, uid in self.conn.execute(
                "SELECT id, uid FROM questions WHERE deck_id = ? AND source_file = ?",
                [deck_id, result.path],
            )
            if uid not in seen
        ]
        gone = [
            (qid, text)
            for chunk in sql.chunks(gone_ids)
            for qid, text in self.conn.execute(
                f"SELECT id, text FROM questions WHERE {sql.in_list('id', chunk)} ORDER BY id",
                chunk,
            )
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
