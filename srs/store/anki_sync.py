"""An Anki package into the store, in one transaction: notes added or updated, Anki's
answers merged into the review log once each, and every touched card's schedule replayed.

- A note is known by its GUID (or, for a note srs exported from another database, by its
  deck and the question's identity there). A known note's question is updated when the
  package's copy differs and is newer (Anki's "update if newer", the other way round).
- An answer is added unless the card has it already: the same Anki review log id, or an
  answer srs logged itself at that moment (an `srs export --with-progress` writes srs's
  answers with their time as the id, made unique by a few ms at most).
- A card that gained answers, and every card new to srs, gets its state by replaying its
  whole log (srs/replay.py). A card new to srs from a note that srs did not make keeps
  Anki's schedule: it enters the log as a change ("anki") at the card's last answer, so
  answers after it are replayed on top of it.
- Anki's Forget (reset to new) is a reset in srs's log at its time, added once (a reset srs
  exported comes back as Anki's entry at the same moment): the card's next answer starts it
  again as a new card, in the replay as in a session.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from srs import clock
from srs.errors import SrsError
from srs.records import CardState, Grade
from srs.records.card import INITIAL_EF
from srs.records.export import note_mod
from srs.replay import Answer, Answered, Changed, Replayed, answered, changed, kind_of, replay
from srs.sm2 import MIN_EF
from srs.store import sql
from srs.store.connection import Connection
from srs.store.rows import (
    content,
    faces_to_json,
    markup_to_json,
    moment,
    state_from_json,
    state_params,
)

if TYPE_CHECKING:  # the package's records load with the import itself, not with the store
    from srs.records.anki import AnkiImport, AnkiImportSummary, CardIn, NoteIn, ReviewIn

# An answer srs exported is written at its time in ms, bumped past an equal one (or kept
# from being later than the export): an Anki row this near an srs answer of the card, with
# the same button, is that answer.
SAME_ANSWER_MS = 1000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def state_json(state: CardState) -> str:
    """``rows.state_to_json(state)``, character for character, without json.dumps' cost (a
    package may bring a million answers, each with two states)."""
    memory = state.memory
    due = f'"{state.due.isoformat()}"' if state.due else "null"
    last = f'"{state.last_review.isoformat()}"' if state.last_review else "null"
    sm2 = state.sm2
    head = f'{{"difficulty": {memory.difficulty!r}, ' if memory else "{"
    tail = f', "stability": {memory.stability!r}}}' if memory else "}"
    return (
        f'{head}"due": {due}, "ef": {sm2.ef}, "interval": {sm2.interval},'
        f' "lapses": {state.lapses}, "last_review": {last},'
        f' "repeat_today": {"true" if state.repeat_today else "false"},'
        f' "repetitions": {sm2.repetitions}{tail}'
    )


def _exported_grade(grade: int) -> int:
    """An srs grade as it comes back from Anki (0-2 Again, 3 Hard, 4 Good, 5 Easy)."""
    return 1 if grade < 3 else grade


_NEW_JSON = state_json(CardState())
_GRADES = {int(g): g for g in Grade}


def _ms(text: str) -> int:
    return (moment(text) - _EPOCH) // dt.timedelta(milliseconds=1)


def _by_card(index_sql: str) -> bool:
    """Whether a CREATE INDEX statement's first column is card_id."""
    columns = index_sql.split("(", 1)[1].replace("[", "").replace('"', "").lstrip()
    return columns.startswith("card_id")


def _is_unique(index_sql: str) -> bool:
    return index_sql.lstrip().upper().startswith("CREATE UNIQUE")


@dataclass
class _Batch:
    """Rows for the questions and cards new to srs, written a few thousand at a time (a
    package may hold a hundred thousand notes and a million answers: a statement or two
    for many rows, not several for each). Ids are given here, counting up from the largest."""

    days: clock.StudyDays  # the study day of a time in ms
    next_question: int
    next_card: int
    next_change: int
    questions: list[tuple] = field(default_factory=list)
    cards: list[tuple] = field(default_factory=list)
    # (card id, Anki id, study day, kind, grade, duration, state before, after, interval before)
    reviews: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)  # (id, kind, made at, study day)
    change_cards: list[tuple] = field(default_factory=list)

    def add_change(self, kind: str, at_ms: int, card_id: int, before: str, after: str) -> None:
        """A schedule change of one card (its states before and after as JSON)."""
        change_id = self.next_change
        self.next_change += 1
        self.changes.append(
            (change_id, kind, clock.utc_text_of_ms(at_ms), self.days(at_ms).isoformat())
        )
        self.change_cards.append((change_id, card_id, before, after))


# A schedule change with its id (the batch counts them), and the card it touched.
_INSERT_CHANGE = "INSERT INTO schedule_changes (id, kind, made_at, study_day) VALUES (?, ?, ?, ?)"
_INSERT_CHANGE_CARD = (
    "INSERT INTO schedule_change_cards (change_id, card_id, state_before, state_after)"
    " VALUES (?, ?, ?, ?)"
)

# Answers held before the batch is written: bounds the memory a big import takes.
_FLUSH_ROWS = 100_000
# From this many answers on, an import into a log half its size or smaller is a collection
# moving in: it rebuilds the log's indexes. (It keeps the WAL, whose checkpoint writes every
# page a second time, 3.5 s of such an import: a rollback journal would make a reader, `srs
# due` in a shell prompt, wait for the whole import.)
_MOVING_IN_MIN = 50_000


class AnkiSync(Connection):
    def import_anki(
        self,
        package: AnkiImport,
        now: dt.datetime,
        *,
        answer_for: Callable[[str], Answer],
        rollover_hour: int,
        dry_run: bool = False,
    ) -> AnkiImportSummary:
        """Import a package's notes; all or nothing. ``answer_for(deck)``: the answer of
        the scheduler of the deck's cards (the replay grades through it, as a session
        does: under FSRS, with the parameters fitted for the deck)."""
        from srs.records.anki import AnkiImportSummary

        summary = AnkiImportSummary()
        stamp = clock.utc_text(now)
        incoming = sum(len(c.reviews) for n in package.notes for c in n.cards)
        try:
            with self.large_cache(), self.atomic(dry_run=dry_run):
                (held,) = self.conn.execute("SELECT count(*) FROM reviews").fetchone()
                # A collection moving in: more answers than the log holds, by far.
                moving_in = incoming >= max(_MOVING_IN_MIN, 2 * held)
                rebuild = self._drop_review_indexes() if moving_in else []
                known = self._questions_by_guid([n.guid for n in package.notes])
                decks: dict[str, int] = {}
                batch = _Batch(clock.StudyDays(rollover_hour), *self._next_ids())
                for note in package.notes:
                    deck_id = decks.get(note.deck)
                    if deck_id is None:
                        deck_id = decks[note.deck] = self.deck_for_import(note.deck, stamp)[0]
                    found = known.get(note.guid)
                    if found is None and note.origin == "srs":
                        found = self._question_by_uid(deck_id, note.uid)
                    if found is None:
                        question_id = self._add_question(note, deck_id, package.path, stamp, batch)
                        summary.added += 1
                    else:
                        question_id = found[0]
                        self._update_from_anki(note, found, summary)
                    answer = answer_for(note.deck)
                    self._sync_cards(
                        note, question_id, found is None, deck_id, answer, summary, batch
                    )
                    if len(batch.reviews) >= _FLUSH_ROWS:
                        self._write_batch(batch)
                self._write_batch(batch)
                for statement in rebuild:
                    self.conn.execute(statement)
                names = self.deck_names_by_id(list(decks.values()))
                summary.decks = sorted(names)
        except sqlite3.IntegrityError as e:
            # Two notes of the package for one question (srs's notes from two databases
            # that gave one question two GUIDs): nothing is imported.
            raise SrsError(f"{package.path}: two notes for one question ({e})") from None
        finally:
            self._deck_names = None
        return summary

    def _drop_review_indexes(self) -> list[str]:
        """For a collection moving in, drop the review log's indexes by day and kind and
        return the statements that make them again: a sort each at the end costs less than
        a million scattered inserts. All inside the import's transaction.

        Into a database with no card yet, the cards' indexes go too but for the one that
        keeps a question's cards apart (unique: a duplicate must fail as it is written):
        a hundred thousand cards written with six indexes take 1.0 s, with one and the
        rest made at the end 0.7 s (measured)."""
        empty = self.conn.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is None
        indexes = [
            (name, statement)
            for name, table, statement in self.conn.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('reviews', 'cards') AND sql IS NOT NULL"
            )
            # Unless srs has no card yet, those of the log by card stay: a card srs has is
            # looked up by them (and they grow at their end: new cards have new ids).
            if (table == "reviews" and (empty or not _by_card(statement)))
            or (table == "cards" and empty and not _is_unique(statement))
        ]
        for name, _ in indexes:
            self.conn.execute(f"DROP INDEX [{name}]")
        return [statement for _, statement in indexes]

    def _next_ids(self) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
            for table in ("questions", "cards", "schedule_changes")
        )

    def deck_names_by_id(self, ids: list[int]) -> list[str]:
        return [
            name
            for chunk in sql.chunks(ids)
            for (name,) in self.conn.execute(
                f"SELECT name FROM decks WHERE {sql.in_list('id', chunk)}", chunk
            )
        ]

    # ------------------------------------------------------------ questions

    _QUESTION = (
        "SELECT id, kind, text, title, options, answers, answer, explanation, tags, markup,"
        " faces, content_changed_at FROM questions"
    )

    def _questions_by_guid(self, guids: Sequence[str]) -> dict[str, tuple]:
        found: dict[str, tuple] = {}
        for start in range(0, len(guids), sql.CHUNK):
            chunk = list(guids[start : start + sql.CHUNK])
            for guid, *row in self.conn.execute(
                f"SELECT guid, {self._QUESTION[7:]} WHERE {sql.in_list('guid', chunk)}", chunk
            ):
                found[guid] = tuple(row)
        return found

    def _question_by_uid(self, deck_id: int, uid: str) -> tuple | None:
        return self.conn.execute(
            f"{self._QUESTION} WHERE deck_id = ? AND uid = ?", [deck_id, uid]
        ).fetchone()

    @staticmethod
    def _content(note: NoteIn) -> tuple:
        q = note.question
        return (*content(q), markup_to_json(q.markup), faces_to_json(q.faces))

    def _add_question(
        self, note: NoteIn, deck_id: int, package: str, stamp: str, batch: _Batch
    ) -> int:
        """A question new to srs, into the batch. Its uid is free in its deck: a note of
        srs's was looked for by it, another note's is made of its GUID, which is new."""
        question_id = batch.next_question
        batch.next_question += 1
        batch.questions.append(
            (
                question_id,
                deck_id,
                note.uid,
                note.guid,
                *self._content(note),
                note.source or package,
                note.question.line,
                stamp,
                clock.utc_text(note.changed_at),
            )
        )
        return question_id

    def _update_from_anki(self, note: NoteIn, found: tuple, summary: AnkiImportSummary) -> None:
        question_id, *stored, changed_at = found
        # By the note's mod time first. The note srs exported for this content has exactly
        # note_mod(changed_at) (its fields, read back, may differ in form: the options in
        # the note's own order, code as HTML); a note imported from Anki, the stamp itself.
        # An older one was exported before srs changed the question: srs's copy stays. Only
        # a newer one can have been edited in Anki.
        changed = moment(changed_at)
        stamp = int(changed.timestamp())
        anki_mod = int(note.changed_at.timestamp())
        if anki_mod in (stamp, note_mod(changed)):
            summary.unchanged += 1
            return
        new = self._content(note)
        if tuple(stored) == new:  # the same question, whichever copy is newer
            summary.unchanged += 1
            return
        if anki_mod < stamp:
            summary.kept += 1
            return
        summary.updated += 1
        self.conn.execute(
            "UPDATE questions SET kind = ?, text = ?, title = ?, options = ?, answers = ?,"
            " answer = ?, explanation = ?, tags = ?, markup = ?, faces = ?,"
            " content_changed_at = ? WHERE id = ?",
            [*new, clock.utc_text(note.changed_at), question_id],
        )

    # ------------------------------------------------------------ cards and answers

    def _sync_cards(
        self,
        note: NoteIn,
        question_id: int,
        new_question: bool,
        deck_id: int,
        answer: Answer,
        summary: AnkiImportSummary,
        batch: _Batch,
    ) -> None:
        existing = (
            {}
            if new_question
            else {
                ord_: (card_id, tuple(state))
                for ord_, card_id, *state in self.conn.execute(
                    f"SELECT c.ord, c.id, {sql.CARD_STATE} FROM cards c WHERE c.question_id = ?",
                    [question_id],
                )
            }
        )
        for card in note.cards:
            if card.ord in existing:
                card_id, state_row = existing[card.ord]
                fresh = self._new_answers(card_id, card.reviews)
                resets = self._new_resets(card_id, card.resets)
                changes = [("reset", at_ms, CardState()) for at_ms in resets]
                if self._new_schedule(card_id, card.scheduled_at_ms):
                    changes.append(("anki", card.scheduled_at_ms, card.state))
                if not fresh and not changes:
                    continue
                self._replay_card(card_id, fresh, changes, answer, summary, state_row, batch)
            else:
                # Anki's own notes keep Anki's schedule; srs's notes replay their log.
                # (A new card with answers was reset in Anki: new is its schedule too.)
                taken = note.origin == "anki" and (card.reviews or not card.state.is_new)
                baseline = card if taken else None
                suspended = card.suspended and note.origin == "anki"
                self._add_card(question_id, deck_id, card, suspended, baseline, answer, batch)
                summary.cards_added += 1
                summary.reviews_added += len(card.reviews)
                summary.resets_added += len(card.resets)

    def _add_card(
        self,
        question_id: int,
        deck_id: int,
        card: CardIn,
        suspended: bool,
        baseline: CardIn | None,
        answer: Answer,
        batch: _Batch,
    ) -> None:
        """A card new to srs: its state from its answers (and Anki's schedule), into the batch.

        A card of srs's note: :func:`srs.replay.replay` of its answers, written out (a
        million answers go through here in a big import). A card of Anki's own note keeps
        Anki's schedule, and its answers keep the figures Anki gave them (see _anki_log)."""
        card_id = batch.next_card
        if baseline is not None:
            self._anki_log(card_id, card.reviews, card.resets, batch)
            state = baseline.state
        else:
            state = self._replayed_log(card_id, card.reviews, card.resets, answer, batch)
            if card.scheduled_at_ms:  # set by hand in Anki after its last answer: taken
                batch.add_change(
                    "anki", card.scheduled_at_ms, card_id, state_json(state), state_json(card.state)
                )
                state = card.state
        batch.next_card += 1
        batch.cards.append(
            (card_id, question_id, deck_id, card.ord, int(suspended), *state_params(state))
        )
        if baseline is not None:
            batch.add_change(
                "anki", baseline.taken_at_ms, card_id, _NEW_JSON, state_json(baseline.state)
            )

    @staticmethod
    def _replayed_log(
        card_id: int,
        reviews: Sequence[ReviewIn],
        resets: Sequence[int],
        answer: Answer,
        batch: _Batch,
    ) -> CardState:
        """The answers, in time order, through the scheduler from a new card, into the
        batch with the state before and after each, and the resets between them; returns
        the card's state."""
        state = CardState()
        before_json = _NEW_JSON
        add = batch.reviews.append
        to_json = state_json
        pending = list(resets)  # in time order, as the answers
        for review in reviews:
            while pending and pending[0] < review.anki_id:
                batch.add_change("reset", pending.pop(0), card_id, before_json, _NEW_JSON)
                state, before_json = CardState(), _NEW_JSON
            day = dt.date.fromordinal(review.day)
            after = answer(state, _GRADES[review.grade], day)
            after_json = to_json(after)
            add(
                (
                    card_id,
                    review.anki_id,
                    clock.date_text(review.day),
                    kind_of(state, day),
                    review.grade,
                    review.duration_ms,
                    before_json,
                    after_json,
                    state.sm2.interval,
                )
            )
            state, before_json = after, after_json
        for at_ms in pending:
            batch.add_change("reset", at_ms, card_id, before_json, _NEW_JSON)
            state, before_json = CardState(), _NEW_JSON
        return state

    @staticmethod
    def _anki_log(
        card_id: int, reviews: Sequence[ReviewIn], resets: Sequence[int], batch: _Batch
    ) -> None:
        """The answers of a card that keeps Anki's schedule, with the figures Anki gave
        them: the interval after (0 for a learning step, which comes back the same day), the
        ease as EF and the due date they set. They are its history; its schedule is Anki's,
        taken after them, so no SM-2 state is made up for each (the log shows these three
        of an answer: Review.interval_after, ef_after, due_after).

        Its resets (Anki's Forget) are logged as changes from and to new: srs has no state
        of its own for such a card before its schedule is taken (so its "anki" change, too,
        starts from new). The answer after a reset is the card's first again ("new")."""
        add = batch.reviews.append
        date_text = clock.date_text
        last: int | None = None  # the study day of the answer before (date.toordinal())
        pending = iter(resets)
        next_reset = next(pending, None)
        # Unpacked, not by name: a million answers pass here in a big import.
        for anki_id, day, grade, duration_ms, interval_before, interval, ef, _ in reviews:
            while next_reset is not None and next_reset < anki_id:
                batch.add_change("reset", next_reset, card_id, _NEW_JSON, _NEW_JSON)
                next_reset, last = next(pending, None), None
            kind = "new" if last is None else "repeat" if last >= day else "review"
            ef = max(MIN_EF, ef) if ef else INITIAL_EF
            day_text = date_text(day)
            due = date_text(day + interval) if interval else day_text
            after = f'{{"due": "{due}", "ef": {ef}, "interval": {interval}}}'
            add(
                (card_id, anki_id, day_text, kind, grade, duration_ms, None, after, interval_before)
            )
            last = day
        while next_reset is not None:
            batch.add_change("reset", next_reset, card_id, _NEW_JSON, _NEW_JSON)
            next_reset = next(pending, None)

    def _write_batch(self, batch: _Batch) -> None:
        """Write the batch's rows (questions, cards, then what hangs off them) and empty it."""
        conn = self.conn
        conn.executemany(
            "INSERT INTO questions (id, deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, markup, faces, source_file, source_line, created_at,"
            " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch.questions,
        )
        conn.executemany(
            f"INSERT INTO cards (id, question_id, deck_id, ord, suspended,"
            f" {', '.join(sql.STATE_COLUMNS)}) VALUES ({sql.marks(5 + len(sql.STATE_COLUMNS))})",
            batch.cards,
        )
        # The rows as they are: the answer's time comes from its id (ms) in SQLite.
        conn.executemany(
            "INSERT INTO reviews (card_id, anki_id, reviewed_at, study_day, kind, grade,"
            " duration_ms, state_before, state_after, interval_before)"
            f" VALUES (?1, ?2, {sql.utc_text_of_ms('?2')}, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            batch.reviews,
        )
        conn.executemany(_INSERT_CHANGE, batch.changes)
        conn.executemany(_INSERT_CHANGE_CARD, batch.change_cards)
        for rows in (batch.questions, batch.cards, batch.reviews, batch.changes):
            rows.clear()
        batch.change_cards.clear()

    def _new_answers(self, card_id: int, reviews: Sequence[ReviewIn]) -> list[ReviewIn]:
        """The answers the card does not have yet."""
        if not reviews:
            return []
        known_ids = set()
        own: list[tuple[int, int]] = []  # srs's own answers: (ms, grade as exported)
        for anki_id, reviewed_at, grade, kind in self.conn.execute(
            "SELECT anki_id, reviewed_at, grade, kind FROM reviews WHERE card_id = ?", [card_id]
        ):
            if anki_id is not None:
                known_ids.add(anki_id)
            elif kind != "cram":
                own.append((_ms(reviewed_at), _exported_grade(grade)))
        fresh = []
        for review in reviews:
            if review.anki_id in known_ids:
                continue
            near = [
                (abs(review.anki_id - ms), i)
                for i, (ms, grade) in enumerate(own)
                if abs(review.anki_id - ms) <= SAME_ANSWER_MS and grade == review.grade
            ]
            if near:
                match = min(near)[1]
                own.pop(match)  # each of srs's answers stands for one Anki row at most
                continue
            fresh.append(review)
        return fresh

    def _change_times(self, card_id: int, *kinds: str) -> list[int]:
        """When the card's changes of these kinds were made (ms)."""
        return [
            _ms(made_at)
            for (made_at,) in self.conn.execute(
                "SELECT s.made_at FROM schedule_change_cards x"
                " JOIN schedule_changes s ON s.id = x.change_id"
                f" WHERE x.card_id = ? AND s.kind IN ({sql.marks(len(kinds))})",
                [card_id, *kinds],
            )
        ]

    def _new_resets(self, card_id: int, resets: Sequence[int]) -> list[int]:
        """The resets (times in ms) the card does not have yet: a reset srs logged (or took
        from Anki before) at that moment is the same one."""
        if not resets:
            return []
        known = self._change_times(card_id, "reset")
        return [ms for ms in resets if all(abs(ms - at) > SAME_ANSWER_MS for at in known)]

    def _new_schedule(self, card_id: int, at_ms: int) -> bool:
        """Whether a schedule set by hand in Anki at ``at_ms`` (0: none) is new to the card:
        one srs set then or later holds it already (taken from Anki at an earlier import,
        or a postpone: srs exports both as such entries)."""
        if not at_ms:
            return False
        known = self._change_times(card_id, "anki", "postpone")
        return all(at < at_ms - SAME_ANSWER_MS for at in known)

    def _replay_card(
        self,
        card_id: int,
        fresh: list[ReviewIn],
        changes: list[tuple[str, int, CardState]],
        answer: Answer,
        summary: AnkiImportSummary,
        state_row: tuple | None,
        batch: _Batch,
    ) -> None:
        """Add ``fresh`` answers and ``changes`` (kind, time in ms, the state it leaves: a
        reset, a schedule set in Anki) to a card srs has, replay its log, write every
        answer's kind and states, each new change's state before, and the card's state."""
        conn = self.conn
        events: list[Answered | Changed] = []
        new_changes = []
        for kind, at_ms, left in changes:
            # The batch's ids: it may hold changes not written yet.
            change_id = batch.next_change
            batch.next_change += 1
            made_at, day = clock.utc_text_of_ms(at_ms), batch.days(at_ms).isoformat()
            conn.execute(_INSERT_CHANGE, [change_id, kind, made_at, day])
            # Its state before is written once the replay has found it.
            conn.execute(_INSERT_CHANGE_CARD, [change_id, card_id, _NEW_JSON, state_json(left)])
            new_changes.append(change_id)
            summary.resets_added += kind == "reset"
        rows = []
        for review in fresh:
            rows.append(
                (
                    card_id,
                    clock.utc_text_of_ms(review.anki_id),
                    clock.date_text(review.day),
                    review.grade,
                    review.duration_ms,
                    review.anki_id,
                )
            )
        # Kinds and states are placeholders until the replay below writes them.
        conn.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
            " anki_id) VALUES (?, ?, ?, 'review', ?, ?, ?)",
            rows,
        )
        summary.reviews_added += len(rows)
        fresh_ids = {review.anki_id for review in fresh}
        added: set[int] = set()  # the rows just written (their kinds and states to come)
        for review_id, reviewed_at, study_day, grade, kind, anki_id in conn.execute(
            "SELECT id, reviewed_at, study_day, grade, kind, anki_id FROM reviews"
            " WHERE card_id = ?",
            [card_id],
        ):
            if anki_id in fresh_ids:
                added.add(review_id)
            events.append(
                answered(
                    review_id,
                    _ms(reviewed_at),
                    dt.date.fromisoformat(study_day),
                    grade,
                    kind == "cram",
                )
            )
        for change_id, made_at, kind, days_moved, after in conn.execute(
            "SELECT s.id, s.made_at, s.kind, s.days, x.state_after FROM schedule_change_cards x"
            " JOIN schedule_changes s ON s.id = x.change_id"
            " WHERE x.card_id = ? AND s.undone_at IS NULL",
            [card_id],
        ):
            events.append(
                changed(change_id, _ms(made_at), kind, state_from_json(after), days_moved or 0)
            )
        seen: list[tuple[Changed, CardState]] = []
        state, replayed = replay(events, answer, changes=seen)
        conn.executemany(
            "UPDATE schedule_change_cards SET state_before = ? WHERE change_id = ? AND card_id = ?",
            [
                (state_json(before), change.key, card_id)
                for change, before in seen
                if change.key in new_changes
            ],
        )
        # Answers before a reset or a schedule taken from Anki keep their figures (those
        # logged as they were given, under the scheduler of the day; Anki's own): the
        # state those changes left does not come from them. The answers just added get
        # the replay's, wherever they fall.
        cut = max((e.at_ms for e in events if e.rank == 0 and e.kind != "postpone"), default=-1)
        at = {e.key: e.at_ms for e in events if e.rank == 1}
        replayed = [r for r in replayed if at[r.key] > cut or r.key in added]
        self._write_replay(card_id, state, replayed)
        if state_row is not None and tuple(state_row) != state_params(state):
            summary.schedules_changed += 1

    def _write_replay(self, card_id: int, state: CardState, replayed: list[Replayed]) -> None:
        self.conn.executemany(
            "UPDATE reviews SET kind = ?, state_before = ?, state_after = ?, interval_before = ?"
            " WHERE id = ?",
            [
                (r.kind, state_json(r.before), state_json(r.after), r.before.sm2.interval, r.key)
                for r in replayed
            ],
        )
        self.conn.execute(sql.UPDATE_CARD_STATE, [*state_params(state), card_id])
