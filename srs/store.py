"""The SQLite store: the only code that speaks SQL.

Opening an up-to-date database uses the plain `sqlite3` module (a shell prompt
runs `srs due` often); sqlite-utils is imported only to create or migrate one.
Every write is one `BEGIN IMMEDIATE` transaction, committed before it returns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from srs import clock, migrations
from srs.errors import SrsError
from srs.model import CardExport, Question, ReviewRecord, question_uid
from srs.sm2 import CardState, Sm2State

BUSY_TIMEOUT_MS = 10_000


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Setting:
    default: int
    minimum: int
    maximum: int
    help: str


SETTINGS: dict[str, Setting] = {
    "new_per_day": Setting(20, 0, 100_000, "new cards introduced per study day"),
    "reviews_per_day": Setting(200, 0, 1_000_000, "cards answered per study day (new included)"),
    "rollover_hour": Setting(4, 0, 23, "local hour at which a study day starts"),
    "leech_threshold": Setting(8, 1, 1000, "lapses at which a card is a leech"),
}


@dataclass(frozen=True)
class Settings:
    new_per_day: int = SETTINGS["new_per_day"].default
    reviews_per_day: int = SETTINGS["reviews_per_day"].default
    rollover_hour: int = SETTINGS["rollover_hour"].default
    leech_threshold: int = SETTINGS["leech_threshold"].default


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class StudyCard:
    """A card with its question, ready to be shown."""

    id: int
    deck: str
    question: Question
    state: CardState


@dataclass(frozen=True)
class ReviewLog:
    """One committed grade: enough to undo it exactly."""

    id: int
    card_id: int
    kind: str
    grade: int
    before: CardState
    after: CardState


@dataclass
class DueCounts:
    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass
class DeckDue:
    deck: str
    cards: int
    due: DueCounts


@dataclass
class FileImport:
    """What importing one file did (or would do, in a dry run)."""

    path: str
    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)  # questions no longer in the source
    pruned: int = 0


# ---------------------------------------------------------------- (de)serialising state


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def state_to_json(state: CardState) -> str:
    return json.dumps(
        {
            "repetitions": state.sm2.repetitions,
            "ef": state.sm2.ef,
            "interval": state.sm2.interval,
            "due": _iso(state.due),
            "last_review": _iso(state.last_review),
            "lapses": state.lapses,
            "repeat_today": state.repeat_today,
        },
        sort_keys=True,
    )


def state_from_json(text: str) -> CardState:
    d = json.loads(text)
    return CardState(
        sm2=Sm2State(d["repetitions"], d["ef"], d["interval"]),
        due=_date(d["due"]),
        last_review=_date(d["last_review"]),
        lapses=d["lapses"],
        repeat_today=bool(d["repeat_today"]),
    )


_CARD_COLUMNS = "c.repetitions, c.ef, c.interval, c.due, c.last_review, c.lapses, c.repeat_today"


def _state_from_row(row: Sequence) -> CardState:
    repetitions, ef, interval, due, last_review, lapses, repeat_today = row
    return CardState(
        sm2=Sm2State(repetitions, ef, interval),
        due=_date(due),
        last_review=_date(last_review),
        lapses=lapses,
        repeat_today=bool(repeat_today),
    )


def _state_params(state: CardState) -> tuple:
    return (
        state.sm2.repetitions,
        state.sm2.ef,
        state.sm2.interval,
        _iso(state.due),
        _iso(state.last_review),
        state.lapses,
        int(state.repeat_today),
    )


_QUESTION_COLUMNS = (
    "q.kind, q.text, q.title, q.options, q.answers, q.answer, q.explanation, q.tags,"
    " q.uid, q.source_line"
)


def _question_from_row(row: Sequence) -> Question:
    kind, text, title, options, answers, answer, explanation, tags, uid, line = row
    return Question(
        text=text,
        kind=kind,
        options=tuple(json.loads(options)),
        answers=tuple(json.loads(answers)),
        answer=answer,
        explanation=explanation,
        title=title,
        tags=tuple(json.loads(tags)),
        id=uid[3:] if uid.startswith("id:") else None,
        line=line or 0,
    )


def _content(question: Question) -> tuple:
    """What makes a question's content: a change here is an update (and a newer Anki note)."""
    return (
        question.kind,
        question.text,
        question.title,
        json.dumps(list(question.options), ensure_ascii=False),
        json.dumps(list(question.answers)),
        question.answer,
        question.explanation,
        json.dumps(list(question.tags), ensure_ascii=False),
    )


# ---------------------------------------------------------------- opening


def default_path() -> Path:
    """`SRS_DB`, else the platform's user data dir."""
    env = os.environ.get("SRS_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("srs", appauthor=False)) / "srs.db"


def _check_file(path: Path, *, explicit: bool) -> bool:
    """Refuse what cannot be our database; returns whether the file exists."""
    if path.is_dir():
        raise SrsError(f"{path}: is a folder, not a database file")
    if not path.parent.is_dir():
        if explicit:
            raise SrsError(f"{path}: folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        return False
    info = path.stat()
    if info.st_size == 0:
        raise SrsError(f"{path}: empty file, not an srs database")
    if not info.st_mode & stat.S_IWUSR or not os.access(path, os.R_OK | os.W_OK):
        raise SrsError(f"{path}: read-only; srs needs to write its database")
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise SrsError(f"{path}: not an SQLite database")
    return True


class Store:
    """An open srs database."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._deck_names: dict[int, str] | None = None

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls, path: Path | str | None = None, *, backup_notice=None, explicit: bool | None = None
    ) -> Store:
        """Open (creating or upgrading) the database at `path`.

        Before migrating a database that already holds data, a backup copy is
        written next to it and `backup_notice(path)` is called with its name.
        """
        if explicit is None:
            explicit = path is not None or "SRS_DB" in os.environ
        db_path = Path(path) if path is not None else default_path()
        existed = _check_file(db_path, explicit=explicit)
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError as e:
            raise SrsError(f"{db_path}: not a usable SQLite database ({e})") from None
        store = cls(conn, db_path)
        try:
            store._upgrade(tables, existed, backup_notice)
        except BaseException:
            conn.close()
            raise
        conn.execute("PRAGMA foreign_keys = ON")
        return store

    def _upgrade(self, tables: set[str], existed: bool, backup_notice) -> None:
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = [
                r[0]
                for r in self.conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
                    [migrations.MIGRATION_SET],
                )
            ]
        if not applied and tables - {"_sqlite_migrations"}:
            raise SrsError(f"{self.path}: not an srs database (it holds other tables)")
        unknown = [name for name in applied if name not in migrations.NAMES]
        if unknown:
            raise SrsError(
                f"{self.path}: made by a newer version of srs (it has migration {unknown[-1]});"
                " upgrade srs to open it"
            )
        if len(applied) == len(migrations.NAMES):
            self._set_wal()
            return
        if existed and applied:
            backup = self.backup()
            if backup_notice:
                backup_notice(backup)
        self._set_wal()
        from sqlite_utils import Database

        db = Database(self.conn, execute_plugins=False)
        migrations.migrations().apply(db)

    def _set_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")

    def backup(self, target: Path | str | None = None) -> Path:
        """Copy the database with SQLite's backup API (safe while in use)."""
        if target is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            target = self.path.with_name(f"{self.path.name}.{stamp}.bak")
        target = Path(target)
        if target.is_dir():
            raise SrsError(f"{target}: is a folder")
        try:
            dest = sqlite3.connect(target)
        except sqlite3.Error as e:
            raise SrsError(f"{target}: cannot write a backup ({e})") from None
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so a concurrent writer waits instead of failing."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ------------------------------------------------------------ settings

    def settings(self) -> Settings:
        stored = dict(self.conn.execute("SELECT key, value FROM settings"))
        return Settings(**{k: int(v) for k, v in stored.items() if k in SETTINGS})

    def set_setting(self, key: str, value: int) -> None:
        spec = SETTINGS.get(key)
        if spec is None:
            raise SrsError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
        if not spec.minimum <= value <= spec.maximum:
            raise SrsError(f"{key} must be {spec.minimum}-{spec.maximum}, not {value}")
        with self.write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, str(value)],
            )

    # ------------------------------------------------------------ decks

    def deck_names(self) -> dict[int, str]:
        if self._deck_names is None:
            self._deck_names = dict(self.conn.execute("SELECT id, name FROM decks ORDER BY name"))
        return self._deck_names

    def deck_ids(self, name: str | None) -> list[int]:
        """The deck and its sub-decks (`A` covers `A::B`); all decks for None."""
        names = self.deck_names()
        if name is None:
            return list(names)
        wanted = name.strip().casefold()
        ids = [
            i
            for i, n in names.items()
            if n.casefold() == wanted or n.casefold().startswith(wanted + "::")
        ]
        if not ids:
            known = ", ".join(names.values()) or "none yet; run `srs import`"
            raise SrsError(f"no deck named {name!r} (decks: {known})")
        return ids

    def card_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cards").fetchone()[0]

    # ------------------------------------------------------------ import

    def import_questions(
        self,
        batches: Iterable[tuple[str, str, Sequence[Question]]],
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
        results: list[FileImport] = []
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for deck, source, questions in batches:
                results.append(self._import_one(deck, source, questions, stamp, prune))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("ROLLBACK" if dry_run else "COMMIT")
        self._deck_names = None
        return results

    def _import_one(
        self, deck: str, source: str, questions: Sequence[Question], stamp: str, prune: bool
    ) -> FileImport:
        conn = self.conn
        row = conn.execute("SELECT id FROM decks WHERE name = ?", [deck]).fetchone()
        if row:
            deck_id = row[0]
        else:
            deck_id = conn.execute(
                "INSERT INTO decks (name, created_at) VALUES (?, ?)", [deck, stamp]
            ).lastrowid
        existing = {
            uid: (qid, tuple(rest[:8]), rest[8])
            for qid, uid, *rest in conn.execute(
                "SELECT id, uid, kind, text, title, options, answers, answer, explanation, tags,"
                " source_file FROM questions WHERE deck_id = ?",
                [deck_id],
            )
        }
        result = FileImport(path=source, deck=deck)
        seen: set[str] = set()
        inserts: list[tuple] = []
        for q in questions:
            uid = question_uid(q)
            seen.add(uid)
            content = _content(q)
            if uid in existing:
                qid, old_content, _ = existing[uid]
                if old_content != content:
                    result.updated += 1
                    conn.execute(
                        "UPDATE questions SET kind = ?, text = ?, title = ?, options = ?,"
                        " answers = ?, answer = ?, explanation = ?, tags = ?,"
                        " source_file = ?, source_line = ?, content_changed_at = ? WHERE id = ?",
                        [*content, source, q.line, stamp, qid],
                    )
                else:
                    result.unchanged += 1
                    conn.execute(
                        "UPDATE questions SET source_file = ?, source_line = ? WHERE id = ?",
                        [source, q.line, qid],
                    )
            else:
                result.added += 1
                inserts.append((deck_id, uid, uuid.uuid4().hex, *content, source, q.line, stamp))
        conn.executemany(
            "INSERT INTO questions (deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, source_file, source_line, created_at,"
            " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?14)",
            inserts,
        )
        if inserts:
            conn.execute(
                "INSERT INTO cards (question_id, deck_id) SELECT q.id, q.deck_id FROM questions q"
                " LEFT JOIN cards c ON c.question_id = q.id"
                " WHERE q.deck_id = ? AND c.id IS NULL ORDER BY q.id",
                [deck_id],
            )
        gone = [
            (qid, content[1])
            for uid, (qid, content, src) in existing.items()
            if src == source and uid not in seen
        ]
        result.gone = [text for _, text in gone]
        if prune and gone:
            ids = [qid for qid, _ in gone]
            marks = ",".join("?" * len(ids))
            conn.execute(
                "DELETE FROM reviews WHERE card_id IN"
                f" (SELECT id FROM cards WHERE question_id IN ({marks}))",
                ids,
            )
            conn.execute(f"DELETE FROM cards WHERE question_id IN ({marks})", ids)
            conn.execute(f"DELETE FROM questions WHERE id IN ({marks})", ids)
            result.pruned = len(ids)
        return result

    # ------------------------------------------------------------ counts

    def done_today(self, today: dt.date) -> dict[str, int]:
        """Grades given on `today`, by kind (new, review, repeat, cram)."""
        return dict(
            self.conn.execute(
                "SELECT kind, count(*) FROM reviews WHERE study_day = ? GROUP BY kind",
                [today.isoformat()],
            )
        )

    def _available(self, deck_ids: Sequence[int], today: dt.date, cap: int) -> DueCounts:
        """Uncapped-by-day counts per deck set, each counted no further than `cap`."""
        day = today.isoformat()
        marks = ",".join("?" * len(deck_ids))
        # LIMIT inside keeps each count O(cap), whatever the collection's size.
        new = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN ({marks})"
            " AND suspended = 0 AND due IS NULL LIMIT ?)",
            [*deck_ids, cap],
        ).fetchone()[0]
        review = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN ({marks})"
            " AND suspended = 0 AND due <= ? LIMIT ?)",
            [*deck_ids, day, cap],
        ).fetchone()[0]
        learning = self.conn.execute(
            "SELECT count(*) FROM cards WHERE last_review = ? AND repeat_today = 1"
            f" AND suspended = 0 AND deck_id IN ({marks})",
            [day, *deck_ids],
        ).fetchone()[0]
        return DueCounts(new=new, learning=learning, review=review)

    def due_counts(
        self, today: dt.date, deck: str | None = None, settings: Settings | None = None
    ) -> tuple[DueCounts, list[DeckDue]]:
        """What is left to study today: the total under the day's limits, and per deck."""
        settings = settings or self.settings()
        done = self.done_today(today)
        reviews_left = max(0, settings.reviews_per_day - done.get("new", 0) - done.get("review", 0))
        new_left = max(0, settings.new_per_day - done.get("new", 0))
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
        for row in per_deck:
            row.cards = sizes.get(names[row.deck], 0)
        return per_deck

    def due_on(self, day: dt.date, deck: str | None = None) -> int:
        """Reviews due on or before `day` (not counting new cards)."""
        ids = self.deck_ids(deck)
        marks = ",".join("?" * len(ids))
        return self.conn.execute(
            f"SELECT count(*) FROM cards WHERE deck_id IN ({marks}) AND suspended = 0 AND due <= ?",
            [*ids, day.isoformat()],
        ).fetchone()[0]

    # ------------------------------------------------------------ the study queue

    def queue(
        self, today: dt.date, deck: str | None, *, new_limit: int, review_limit: int
    ) -> tuple[list[int], list[int], list[int]]:
        """Card ids to study today: same-day repeats, due reviews (most overdue first), new."""
        day = today.isoformat()
        ids = self.deck_ids(deck)
        marks = ",".join("?" * len(ids))
        learning = [
            r[0]
            for r in self.conn.execute(
                "SELECT c.id FROM cards c WHERE c.last_review = ? AND c.repeat_today = 1"
                f" AND c.suspended = 0 AND c.deck_id IN ({marks}) ORDER BY c.id",
                [day, *ids],
            )
        ]
        review = [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM cards WHERE deck_id IN ({marks}) AND suspended = 0"
                " AND due <= ? ORDER BY due, id LIMIT ?",
                [*ids, day, max(0, review_limit)],
            )
        ]
        new_limit = max(0, min(new_limit, review_limit - len(review)))
        new = [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM cards WHERE deck_id IN ({marks}) AND suspended = 0"
                " AND due IS NULL ORDER BY id LIMIT ?",
                [*ids, new_limit],
            )
        ]
        return learning, review, new

    def study_card(self, card_id: int) -> StudyCard:
        row = self.conn.execute(
            f"SELECT c.id, d.name, {_QUESTION_COLUMNS}, {_CARD_COLUMNS} FROM cards c"
            " JOIN questions q ON q.id = c.question_id JOIN decks d ON d.id = c.deck_id"
            " WHERE c.id = ?",
            [card_id],
        ).fetchone()
        if row is None:
            raise SrsError(f"no card with id {card_id}")
        return StudyCard(
            id=row[0],
            deck=row[1],
            question=_question_from_row(row[2:12]),
            state=_state_from_row(row[12:]),
        )

    def card_state(self, card_id: int) -> CardState:
        row = self.conn.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.id = ?", [card_id]
        ).fetchone()
        if row is None:
            raise SrsError(f"no card with id {card_id}")
        return _state_from_row(row)

    # ------------------------------------------------------------ grading

    def record_review(
        self,
        card_id: int,
        before: CardState,
        after: CardState,
        *,
        kind: str,
        grade: int,
        now: dt.datetime,
        today: dt.date,
        duration_ms: int,
        options_shown: Sequence[int] | None = None,
        chosen: Sequence[int] | None = None,
        correct: bool | None = None,
    ) -> ReviewLog | None:
        """Write a grade and the card's new state, committed before returning.

        Compare-and-set: the card is re-read inside the write transaction, and
        if another session changed it since `before` was read nothing is
        written and None is returned (the caller re-reads and decides again).
        """
        with self.write() as conn:
            row = conn.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.id = ?", [card_id]
            ).fetchone()
            if row is None or _state_from_row(row) != before:
                return None
            conn.execute(
                "UPDATE cards SET repetitions = ?, ef = ?, interval = ?, due = ?,"
                " last_review = ?, lapses = ?, repeat_today = ? WHERE id = ?",
                [*_state_params(after), card_id],
            )
            review_id = conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
                " options_shown, chosen, correct, state_before, state_after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ],
            ).lastrowid
        return ReviewLog(review_id, card_id, kind, grade, before, after)

    def undo_review(self, log: ReviewLog) -> bool:
        """Put the card and the log back exactly as before `log`; False if it changed since."""
        with self.write() as conn:
            row = conn.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.id = ?", [log.card_id]
            ).fetchone()
            newest = conn.execute(
                "SELECT max(id) FROM reviews WHERE card_id = ?", [log.card_id]
            ).fetchone()[0]
            if row is None or _state_from_row(row) != log.after or newest != log.id:
                return False
            conn.execute(
                "UPDATE cards SET repetitions = ?, ef = ?, interval = ?, due = ?,"
                " last_review = ?, lapses = ?, repeat_today = ? WHERE id = ?",
                [*_state_params(log.before), log.card_id],
            )
            conn.execute("DELETE FROM reviews WHERE id = ?", [log.id])
        return True

    def reviews(self, card_id: int | None = None) -> list[dict]:
        """Review log rows (oldest first), for one card or all."""
        sql = "SELECT * FROM reviews"
        params: list = []
        if card_id is not None:
            sql += " WHERE card_id = ?"
            params.append(card_id)
        cur = self.conn.execute(sql + " ORDER BY id", params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    # ------------------------------------------------------------ export

    def export_cards(self, decks: Sequence[str] | None = None) -> list[CardExport]:
        """Every card of the named decks (and their sub-decks), with its history."""
        ids: list[int] = []
        for name in decks or [None]:
            ids.extend(i for i in self.deck_ids(name) if i not in ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        history: dict[int, list[ReviewRecord]] = {}
        for card_id, at, grade, ms, kind, before, after in self.conn.execute(
            "SELECT r.card_id, r.reviewed_at, r.grade, r.duration_ms, r.kind, r.state_before,"
            f" r.state_after FROM reviews r JOIN cards c ON c.id = r.card_id"
            f" WHERE c.deck_id IN ({marks}) ORDER BY r.id",
            ids,
        ):
            b, a = json.loads(before), json.loads(after)
            history.setdefault(card_id, []).append(
                ReviewRecord(
                    reviewed_at=clock.from_utc_text(at),
                    grade=grade,
                    duration_ms=ms,
                    kind=kind,
                    interval_before=b["interval"],
                    interval_after=a["interval"],
                    ef_after=a["ef"],
                )
            )
        out = []
        for row in self.conn.execute(
            f"SELECT c.id, d.name, q.guid, q.source_file, q.content_changed_at,"
            f" {_QUESTION_COLUMNS}, {_CARD_COLUMNS} FROM cards c"
            " JOIN questions q ON q.id = c.question_id JOIN decks d ON d.id = c.deck_id"
            f" WHERE c.deck_id IN ({marks}) ORDER BY d.name, c.id",
            ids,
        ):
            question = _question_from_row(row[5:15])
            out.append(
                CardExport(
                    question=question,
                    deck=row[1],
                    guid=row[2],
                    source=f"{row[3]}:{question.line}",
                    content_changed_at=clock.from_utc_text(row[4]),
                    state=_state_from_row(row[15:]),
                    reviews=tuple(history.get(row[0], ())),
                )
            )
        return out
