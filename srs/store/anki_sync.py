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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from srs import clock
from srs.errors import SrsError
from srs.records import CardState, normalise_deck
from srs.records.anki import AnkiImport, AnkiImportSummary, CardIn, NoteIn, ReviewIn
from srs.replay import Answer, Answered, Changed, Replayed, replay
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


def _ms(text: str) -> int:
    return (moment(text) - _EPOCH) // dt.timedelta(milliseconds=1)


@dataclass
class _Batch:
    """Rows for the cards new to srs, written together at the end (a package may hold
    a hundred thousand cards: a statement or two each, not ten)."""

    next_change: int
    cards: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    change_cards: list[tuple] = field(default_factory=list)


class AnkiSync(Connection):
    def import_anki(
        self,
        package: AnkiImport,
        now: dt.datetime,
        *,
        answer: Answer,
        rollover_hour: int,
        dry_run: bool = False,
    ) -> AnkiImportSummary:
        """Import a package's notes; all or nothing. ``answer`` is the scheduler's (the
        replay grades through it, as a session does)."""
        summary = AnkiImportSummary()
        days = clock.StudyDays(rollover_hour)
        stamp = clock.utc_text(now)
        try:
            with self.atomic(dry_run=dry_run):
                known = self._questions_by_guid([n.guid for n in package.notes])
                decks: dict[str, int] = {}
                (last_change,) = self.conn.execute(
                    "SELECT coalesce(max(id), 0) FROM schedule_changes"
                ).fetchone()
                batch = _Batch(next_change=last_change + 1)
                for note in package.notes:
                    deck_id = decks.get(note.deck)
                    if deck_id is None:
                        deck_id = decks[note.deck] = self._deck_id(note.deck, stamp)
                    found = known.get(note.guid)
                    if found is None and note.origin == "srs":
                        found = self._question_by_uid(deck_id, note.uid)
                    if found is None:
                        question_id = self._add_question(note, deck_id, package.path, stamp)
                        summary.added += 1
                    else:
                        question_id = found[0]
                        self._update_question(note, found, summary)
                    self._sync_cards(
                        note, question_id, found is None, deck_id, answer, days, summary, batch
                    )
                self._write_batch(batch)
                summary.decks = sorted(
                    {
                        self.conn.execute("SELECT name FROM decks WHERE id = ?", [i]).fetchone()[0]
                        for i in decks.values()
                    }
                )
        finally:
            self._deck_names = None
        return summary

    # ------------------------------------------------------------ questions

    def _deck_id(self, name: str, stamp: str) -> int:
        try:
            name = normalise_deck(name)
        except ValueError as e:
            raise SrsError(str(e)) from None
        row = self.conn.execute(
            "SELECT id FROM decks WHERE name = ? COLLATE NOCASE", [name]
        ).fetchone()
        if row:
            return row[0]
        return self.conn.execute(
            "INSERT INTO decks (name, created_at) VALUES (?, ?)", [name, stamp]
        ).lastrowid

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

    def _add_question(self, note: NoteIn, deck_id: int, package: str, stamp: str) -> int:
        q = note.question
        if self.conn.execute(
            "SELECT 1 FROM questions WHERE deck_id = ? AND uid = ?", [deck_id, note.uid]
        ).fetchone():
            raise SrsError(
                f"{package}: note {note.guid}: its question {note.uid}"
                f" is already in deck {note.deck}"
            )
        return self.conn.execute(
            "INSERT INTO questions (deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, markup, faces, source_file, source_line, created_at,"
            " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                deck_id,
                note.uid,
                note.guid,
                *self._content(note),
                note.source or package,
                q.line,
                stamp,
                clock.utc_text(note.changed_at),
            ],
        ).lastrowid

    def _update_question(self, note: NoteIn, found: tuple, summary: AnkiImportSummary) -> None:
        question_id, *stored, changed_at = found
        new = self._content(note)
        if tuple(stored) == new:
            summary.unchanged += 1
            return
        if note.changed_at <= moment(changed_at):
            summary.kept += 1  # srs's copy is as new or newer: it stays
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
        days: clock.StudyDays,
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
                if not fresh:
                    continue
                self._replay_card(card_id, fresh, answer, days, summary, state_row)
            else:
                # Anki's own notes keep Anki's schedule; srs's notes replay their log.
                baseline = card if note.origin == "anki" and not card.state.is_new else None
                suspended = card.suspended and note.origin == "anki"
                self._add_card(question_id, deck_id, card, suspended, baseline, answer, days, batch)
                summary.cards_added += 1
                summary.reviews_added += len(card.reviews)

    def _add_card(
        self,
        question_id: int,
        deck_id: int,
        card: CardIn,
        suspended: bool,
        baseline: CardIn | None,
        answer: Answer,
        days: clock.StudyDays,
        batch: _Batch,
    ) -> None:
        """A card new to srs: its state from its answers (and Anki's schedule), into the batch."""
        events: list[Answered | Changed] = [
            Answered(i, r.anki_id, days(r.anki_id), r.grade) for i, r in enumerate(card.reviews)
        ]
        if baseline is not None:
            events.append(Changed(baseline.taken_at_ms, "anki", baseline.state))
        state, replayed = replay(events, answer) if events else (CardState(), [])
        card_id = self.conn.execute(
            "INSERT INTO cards (question_id, deck_id, ord, suspended) VALUES (?, ?, ?, ?)",
            [question_id, deck_id, card.ord, int(suspended)],
        ).lastrowid
        if events:
            self.conn.execute(sql.UPDATE_CARD_STATE, [*state_params(state), card_id])
        after_json = ""
        after_state: CardState | None = None
        for r in replayed:
            review = card.reviews[r.key]
            # One answer's state after is the next one's state before: written once.
            before_json = after_json if r.before is after_state else state_json(r.before)
            after_json, after_state = state_json(r.after), r.after
            batch.reviews.append(
                (
                    card_id,
                    clock.utc_text(_EPOCH + dt.timedelta(milliseconds=review.anki_id)),
                    events[r.key].day.isoformat(),  # type: ignore[union-attr]
                    r.kind,
                    review.grade,
                    review.duration_ms,
                    review.anki_id,
                    before_json,
                    after_json,
                    r.before.sm2.interval,
                )
            )
        if baseline is not None:
            at = dt.datetime.fromtimestamp(baseline.taken_at_ms / 1000, dt.UTC)
            batch.changes.append(
                (batch.next_change, clock.utc_text(at), days(baseline.taken_at_ms).isoformat())
            )
            batch.change_cards.append(
                (batch.next_change, card_id, state_json(CardState()), state_json(baseline.state))
            )
            batch.next_change += 1

    def _write_batch(self, batch: _Batch) -> None:
        conn = self.conn
        conn.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
            " anki_id, state_before, state_after, interval_before)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch.reviews,
        )
        conn.executemany(
            "INSERT INTO schedule_changes (id, kind, made_at, study_day) VALUES (?, 'anki', ?, ?)",
            batch.changes,
        )
        conn.executemany(
            "INSERT INTO schedule_change_cards (change_id, card_id, state_before, state_after)"
            " VALUES (?, ?, ?, ?)",
            batch.change_cards,
        )

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

    def _replay_card(
        self,
        card_id: int,
        fresh: list[ReviewIn],
        answer: Answer,
        days: clock.StudyDays,
        summary: AnkiImportSummary,
        state_row: tuple | None,
    ) -> None:
        """Add ``fresh`` answers to a card srs has, replay its log, write every answer's
        kind and states and the card's state."""
        conn = self.conn
        events: list[Answered | Changed] = []
        rows = []
        for review in fresh:
            day = days(review.anki_id)
            rows.append(
                (
                    card_id,
                    clock.utc_text(_EPOCH + dt.timedelta(milliseconds=review.anki_id)),
                    day.isoformat(),
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
        for review_id, reviewed_at, study_day, grade, kind in conn.execute(
            "SELECT id, reviewed_at, study_day, grade, kind FROM reviews WHERE card_id = ?",
            [card_id],
        ):
            events.append(
                Answered(
                    review_id,
                    _ms(reviewed_at),
                    dt.date.fromisoformat(study_day),
                    grade,
                    kind == "cram",
                )
            )
        for made_at, kind, days_moved, after in conn.execute(
            "SELECT s.made_at, s.kind, s.days, x.state_after FROM schedule_change_cards x"
            " JOIN schedule_changes s ON s.id = x.change_id"
            " WHERE x.card_id = ? AND s.undone_at IS NULL",
            [card_id],
        ):
            events.append(Changed(_ms(made_at), kind, state_from_json(after), days_moved or 0))
        state, replayed = replay(events, answer)
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
