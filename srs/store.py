"""The SQLite store: the only code that speaks SQL.

Opening an up-to-date database uses the plain `sqlite3` module (a shell prompt
runs `srs due` often); sqlite-utils is imported only to create or migrate one.
Every write is one `BEGIN IMMEDIATE` transaction, committed before it returns.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_string  # the ensure_ascii=False one
from pathlib import Path

from srs import clock, migrations
from srs.errors import SrsError
from srs.model import CardExport, Question, ReviewRecord, normalise_deck, question_uid
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
    "suspend_leeches": Setting(0, 0, 1, "1: suspend a card when it becomes a leech"),
}


@dataclass(frozen=True)
class Settings:
    new_per_day: int = SETTINGS["new_per_day"].default
    reviews_per_day: int = SETTINGS["reviews_per_day"].default
    rollover_hour: int = SETTINGS["rollover_hour"].default
    leech_threshold: int = SETTINGS["leech_threshold"].default
    suspend_leeches: int = SETTINGS["suspend_leeches"].default


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


@functools.lru_cache(maxsize=4096)
def _json_tuple(text: str) -> tuple:
    """A JSON list as a tuple, for the answers and tags columns: few distinct values, many
    rows (an export reads them all), so each is decoded once."""
    return tuple(json.loads(text))


def _question_from_row(row: Sequence) -> Question:
    kind, text, title, options, answers, answer, explanation, tags, uid, line = row
    return Question(
        text=text,
        kind=kind,
        options=tuple(json.loads(options)),
        answers=_json_tuple(answers),
        answer=answer,
        explanation=explanation,
        title=title,
        tags=_json_tuple(tags),
        id=uid[3:] if uid.startswith("id:") else None,
        line=line or 0,
    )


_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _json_list(items: Iterable) -> str:
    """``json.dumps(list(items), ensure_ascii=False)``, byte for byte, without its per-call cost.

    The same bytes matter: re-import compares this with the JSON stored by older versions.
    Strings are joined directly with json's own string encoder, plain ints with their repr
    (as json writes them; a bool or anything else goes through the encoder).
    """
    items = list(items)
    if items and type(items[0]) is not str:
        for item in items:
            if type(item) is not int:
                return _to_json(items)
        return "[" + ", ".join(map(int.__repr__, items)) + "]"
    try:
        return "[" + ", ".join(map(_json_string, items)) + "]"
    except TypeError:  # not all strings
        return _to_json(items)


def _content(question: Question) -> tuple:
    """What makes a question's content: a change here is an update (and a newer Anki note)."""
    return (
        question.kind,
        question.text,
        question.title,
        _json_list(question.options),
        _json_list(question.answers),
        question.answer,
        question.explanation,
        _json_list(question.tags),
    )


def _dicts(cur: sqlite3.Cursor) -> list[dict]:
    """A cursor's rows as dicts keyed by column name."""
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur]


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
        try:
            # All pending steps in one transaction (each step a savepoint in it): a failure
            # leaves the database exactly as it was, and a second process waits, then finds
            # nothing left to do.
            with self.write():
                migrations.migrations().apply(db)
        except Exception as e:
            raise SrsError(f"{self.path}: upgrading the database failed ({e})") from e

    def _set_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")

    def backup(self, target: Path | str | None = None) -> Path:
        """Copy the database with SQLite's backup API (safe while in use)."""
        if target is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            target = self.path.with_name(f"{self.path.name}.{stamp}.bak")
            n = 1
            while target.exists():  # two backups in one second must not overwrite each other
                n += 1
                target = self.path.with_name(f"{self.path.name}.{stamp}-{n}.bak")
        target = Path(target)
        if target.is_dir():
            raise SrsError(f"{target}: is a folder")
        # Never write over a file: it may be another database, or not a database at all.
        if target.exists():
            raise SrsError(f"{target}: already exists; choose another name")
        try:
            dest = sqlite3.connect(target)
        except sqlite3.Error as e:
            raise SrsError(f"{target}: cannot write a backup ({e})") from None
        try:
            self.conn.backup(dest)
        except sqlite3.Error as e:
            raise SrsError(f"{target}: cannot write a backup ({e})") from None
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
    def write(self, *, dry_run: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so a concurrent writer waits instead of failing.

        With `dry_run` everything is done, then rolled back.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("ROLLBACK" if dry_run else "COMMIT")

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
        results: list[tuple[int, FileImport]] = []
        seen: dict[int, set[str]] = {}  # per deck, over every file: a question may move files
        try:
            with self.write(dry_run=dry_run):
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
        # New notes' GUIDs: 32 random hex digits each, cut from one read of the OS's random
        # source (a uuid4 per row was ~4% of an import); the unique index guards them.
        guids = os.urandom(16 * len(questions)).hex()
        # The new questions' ids will be above every id there is (a rowid grows from the
        # largest), which finds them for their cards without a join.
        (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()
        for q in questions:
            uid = question_uid(q)
            seen.add(uid)
            content = _content(q)
            if uid in existing:
                qid, old_content, old_source, old_line = existing[uid]
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
                    if (old_source, old_line) != (source, q.line):
                        conn.execute(
                            "UPDATE questions SET source_file = ?, source_line = ? WHERE id = ?",
                            [source, q.line, qid],
                        )
            else:
                result.added += 1
                guid = guids[32 * len(inserts) : 32 * len(inserts) + 32]
                inserts.append((deck_id, uid, guid, *content, source, q.line, stamp))
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
        for start in range(0, len(ids), 500):  # SQLite's bound-variable limit
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            questions = f"SELECT id FROM questions WHERE {column} IN ({marks})"
            cards = f"SELECT id FROM cards WHERE question_id IN ({questions})"
            self.conn.execute(f"DELETE FROM reviews WHERE card_id IN ({cards})", chunk)
            self.conn.execute(
                f"DELETE FROM schedule_change_cards WHERE card_id IN ({cards})", chunk
            )
            self.conn.execute(f"DELETE FROM cards WHERE question_id IN ({questions})", chunk)
            self.conn.execute(f"DELETE FROM questions WHERE {column} IN ({marks})", chunk)

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
                " options_shown, chosen, correct, state_before, state_after, interval_before)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    before.sm2.interval,
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
        return _dicts(cur)

    # ------------------------------------------------------------ export

    def export_cards(
        self, decks: Sequence[str] | None = None, *, history: bool = True
    ) -> list[CardExport]:
        """Every card of the named decks (and their sub-decks), with its history.

        ``history=False`` leaves every card's ``reviews`` empty (an export without
        progress never reads them), which spares reading the whole review log.
        """
        return list(self.iter_export_cards(decks, history=history))

    def export_deck_names(self, decks: Sequence[str] | None = None) -> list[str]:
        """The names of the decks :meth:`export_cards` would export cards from, sorted."""
        ids: list[int] = []
        for name in decks or [None]:
            ids.extend(i for i in self.deck_ids(name) if i not in ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [
            name
            for (name,) in self.conn.execute(
                f"SELECT name FROM decks d WHERE id IN ({marks})"
                " AND EXISTS (SELECT 1 FROM cards c WHERE c.deck_id = d.id) ORDER BY name",
                ids,
            )
        ]

    def iter_export_cards(
        self, decks: Sequence[str] | None = None, *, history: bool = True
    ) -> Iterator[CardExport]:
        """:meth:`export_cards` one card at a time (the store must stay open meanwhile)."""
        ids: list[int] = []
        for name in decks or [None]:
            ids.extend(i for i in self.deck_ids(name) if i not in ids)
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        reviews: dict[int, list[ReviewRecord]] = {}
        if history:
            from_utc_text = clock.from_utc_text
            rows = self.conn.execute(
                "SELECT r.card_id, r.reviewed_at, r.grade, r.duration_ms, r.kind,"
                " json_extract(r.state_before, '$.interval'),"
                " json_extract(r.state_after, '$.interval'), json_extract(r.state_after, '$.ef')"
                " FROM reviews r JOIN cards c ON c.id = r.card_id"
                f" WHERE c.deck_id IN ({marks}) ORDER BY r.id",
                ids,
            )
            for card_id, at, grade, ms, kind, interval_before, interval_after, ef in rows:
                reviews.setdefault(card_id, []).append(
                    ReviewRecord(
                        reviewed_at=from_utc_text(at),
                        grade=grade,
                        duration_ms=ms,
                        kind=kind,
                        interval_before=interval_before,
                        interval_after=interval_after,
                        ef_after=ef,
                    )
                )
        # By deck name (unique), then card id: deck by deck, which spares sorting every
        # card with its text in one temporary b-tree.
        names = self.conn.execute(
            f"SELECT id, name FROM decks WHERE id IN ({marks}) ORDER BY name", ids
        ).fetchall()
        # Content stamps repeat (one per import run): each is parsed once.
        stamps: dict[str, dt.datetime] = {}
        for deck_id, deck in names:
            for row in self.conn.execute(
                f"SELECT c.id, q.guid, q.source_file, q.content_changed_at,"
                f" {_QUESTION_COLUMNS}, {_CARD_COLUMNS} FROM cards c"
                " JOIN questions q ON q.id = c.question_id WHERE c.deck_id = ? ORDER BY c.id",
                [deck_id],
            ):
                question = _question_from_row(row[4:14])
                changed_at = stamps.get(row[3])
                if changed_at is None:
                    changed_at = stamps[row[3]] = clock.from_utc_text(row[3])
                yield CardExport(
                    question=question,
                    deck=deck,
                    guid=row[1],
                    source=f"{row[2]}:{question.line}",
                    content_changed_at=changed_at,
                    state=_state_from_row(row[14:]),
                    reviews=tuple(reviews.pop(row[0], ())),
                )

    # ---- tracking and control
    # Stats, card listing and schedule control (suspend, reset, forget, postpone).
    # Every figure is aggregated here with GROUP BY, on the indexes of m001 and m003.

    def _cards_where(self, deck: str | None, alias: str = "") -> tuple[str, list]:
        """A condition on cards for a deck and its sub-decks ("1" for all: a plain scan)."""
        if deck is None:
            return "1", []
        ids = self.deck_ids(deck)
        return f"{alias}deck_id IN ({','.join('?' * len(ids))})", ids

    def _stats_deck_ids(self, deck: str | None) -> list[int] | None:
        """A deck's ids for the stats queries; None for all decks (or a deck covering them)."""
        if deck is None:
            return None
        ids = self.deck_ids(deck)
        return None if len(ids) == len(self.deck_names()) else ids

    def due_by_day(self, deck: str | None, until: dt.date) -> dict[str, int]:
        """Non-suspended scheduled cards due on or before `until`, counted per due day."""
        ids = self.deck_ids(deck)
        marks = ",".join("?" * len(ids))
        # deck_id IN + suspended = 0 + due range: the (deck_id, suspended, due) index.
        return dict(
            self.conn.execute(
                f"SELECT due, count(*) FROM cards WHERE deck_id IN ({marks}) AND suspended = 0"
                " AND due <= ? GROUP BY due",
                [*ids, until.isoformat()],
            )
        )

    def reviews_by_day(self, deck: str | None, since: dt.date, until: dt.date) -> dict[str, int]:
        """Answers logged per study day in [since, until] (every kind)."""
        days = [since.isoformat(), until.isoformat()]
        ids = self._stats_deck_ids(deck)
        if ids is None:  # the (study_day, kind) index
            return dict(
                self.conn.execute(
                    "SELECT study_day, count(*) FROM reviews WHERE study_day BETWEEN ? AND ?"
                    " GROUP BY study_day",
                    days,
                )
            )
        # The deck's cards by (deck_id, ...), then their reviews by (card_id, kind, study_day, ...).
        return dict(
            self.conn.execute(
                "SELECT r.study_day, count(*) FROM cards c CROSS JOIN reviews r"
                f" ON r.card_id = c.id WHERE c.deck_id IN ({','.join('?' * len(ids))})"
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
        if ids is None:
            rows = self.conn.execute(
                "SELECT interval_before >= 21, count(*), sum(grade >= 3) FROM reviews"
                " WHERE kind = 'review' AND study_day BETWEEN ? AND ? GROUP BY 1",
                days,
            )
        else:
            rows = self.conn.execute(
                "SELECT r.interval_before >= 21, count(*), sum(r.grade >= 3)"
                " FROM cards c CROSS JOIN reviews r ON r.card_id = c.id"
                f" WHERE c.deck_id IN ({','.join('?' * len(ids))}) AND r.kind = 'review'"
                " AND r.study_day BETWEEN ? AND ? GROUP BY 1",
                [*ids, *days],
            )
        out = {"young": (0, 0), "mature": (0, 0)}
        for mature, n, passed in rows:
            out["mature" if mature else "young"] = (n, passed or 0)
        return out

    def studied_on(self, deck: str | None, day: dt.date) -> bool:
        """Whether anything was answered on `day` (one index probe)."""
        ids = self._stats_deck_ids(deck)
        if ids is None:
            sql, params = "SELECT 1 FROM reviews WHERE study_day = ? LIMIT 1", []
        else:  # the day's reviews by (study_day, kind), each card by its id
            sql = (
                "SELECT 1 FROM reviews r CROSS JOIN cards c ON c.id = r.card_id"
                f" WHERE r.study_day = ? AND c.deck_id IN ({','.join('?' * len(ids))}) LIMIT 1"
            )
            params = ids
        return self.conn.execute(sql, [day.isoformat(), *params]).fetchone() is not None

    def card_states(self, deck: str | None, today: dt.date, leech_threshold: int) -> dict:
        """Cards per state: {"suspended", "new", "learning", "young", "mature", "leeches"}.

        States exclude each other in that order (learning: a same-day repeat pending, young:
        interval < 21 days); leeches (lapses >= threshold) overlap them. Each is an
        index-only count: (deck_id, suspended, due), the scheduled (deck_id, suspended,
        interval, ef), (last_review, repeat_today) and (lapses, deck_id).
        """
        ids = self.deck_ids(deck)
        decks = f"deck_id IN ({','.join('?' * len(ids))})"
        active = f"{decks} AND suspended = 0 AND due IS NOT NULL"

        def count(where: str, *params) -> int:
            sql = f"SELECT count(*) FROM cards WHERE {where}"
            return self.conn.execute(sql, [*params, *ids]).fetchone()[0]

        learning = {False: 0, True: 0}
        for mature, n in self.conn.execute(
            "SELECT interval >= 21, count(*) FROM cards WHERE last_review = ? AND repeat_today = 1"
            f" AND {active} GROUP BY 1",
            [today.isoformat(), *ids],
        ):
            learning[bool(mature)] += n
        scheduled = count(active)
        mature = count(f"interval >= 21 AND {active}")
        return {
            "suspended": count(f"suspended = 1 AND {decks}"),
            "new": count(f"suspended = 0 AND due IS NULL AND {decks}"),
            "learning": learning[False] + learning[True],
            "young": scheduled - mature - learning[False],
            "mature": mature - learning[True],
            # Unary + keeps the lapses range on (lapses, deck_id), not every deck's cards.
            "leeches": count(f"lapses >= ? AND +{decks}", leech_threshold),
        }

    def ef_counts(self, deck: str | None) -> list[tuple[int, int]]:
        """Scheduled cards (suspended too) per EF in hundredths, as (ef, cards) by EF."""
        ids = self._stats_deck_ids(deck)
        if ids is None:  # the scheduled (ef, lapses DESC, deck_id) index, in order
            return self.conn.execute(
                "SELECT ef, count(*) FROM cards WHERE due IS NOT NULL GROUP BY ef ORDER BY ef"
            ).fetchall()
        return self.conn.execute(
            "SELECT ef, count(*) FROM cards WHERE due IS NOT NULL"
            f" AND deck_id IN ({','.join('?' * len(ids))}) GROUP BY ef ORDER BY ef",
            ids,
        ).fetchall()

    def hardest_cards(self, deck: str | None, limit: int = 5) -> list[dict]:
        """Scheduled cards with the lowest EF, most lapses first among equals.

        Walks the scheduled (ef, lapses DESC, deck_id) index in order until `limit` cards
        match (unary + on the deck: not a sort of all the deck's cards).
        """
        ids = self._stats_deck_ids(deck)
        where, params = self._cards_where(None if ids is None else deck, "+c.")
        cur = self.conn.execute(
            "SELECT c.id, d.name AS deck, q.text AS question, c.ef, c.lapses, c.interval"
            " FROM cards c JOIN questions q ON q.id = c.question_id"
            " JOIN decks d ON d.id = c.deck_id"
            f" WHERE c.due IS NOT NULL AND {where} ORDER BY c.ef, c.lapses DESC, c.id LIMIT ?",
            [*params, limit],
        )
        return _dicts(cur)

    def list_cards(
        self,
        deck: str | None,
        *,
        due_by: dt.date | None = None,
        search: str | None = None,
        min_lapses: int | None = None,
    ) -> list[dict]:
        """Cards with their schedule, by deck then id; filters are ANDed."""
        where, params = self._cards_where(deck, "c.")
        sql = (
            "SELECT c.id, d.name AS deck, q.text AS question, c.due, c.interval, c.ef,"
            " c.repetitions, c.lapses, c.suspended, c.last_review, c.repeat_today"
            " FROM cards c JOIN questions q ON q.id = c.question_id"
            " JOIN decks d ON d.id = c.deck_id"
            f" WHERE {where}"
        )
        if due_by is not None:
            sql += " AND c.suspended = 0 AND c.due <= ?"
            params.append(due_by.isoformat())
        if search:
            # % and _ are the user's text, not wildcards: escaped, with \ as the escape.
            like = "LIKE ? ESCAPE '\\'"
            sql += f" AND (q.text {like} OR q.answer {like} OR q.options {like})"
            literal = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.extend([f"%{literal}%"] * 3)
        if min_lapses is not None:
            sql += " AND c.lapses >= ?"
            params.append(min_lapses)
        cur = self.conn.execute(sql + " ORDER BY d.name, c.id", params)
        return _dicts(cur)

    _MAX_ID = 2**63 - 1  # SQLite's INTEGER range: a larger id cannot be a card
    _CHUNK = 500  # ids per `IN (...)`, well under SQLite's limit on variables

    def _id_chunks(self, ids: Iterable[int]) -> Iterator[list[int]]:
        """The distinct ids that could be cards (1 .. 2**63-1), in chunks for `IN (...)`."""
        valid = [i for i in dict.fromkeys(ids) if 1 <= i <= self._MAX_ID]
        for start in range(0, len(valid), self._CHUNK):
            yield valid[start : start + self._CHUNK]

    def _card_rows(self, ids: Iterable[int], columns: str) -> dict[int, tuple]:
        """{id: (columns...)} of the cards among `ids` (missing ones left out), a query a chunk."""
        rows = {}
        for chunk in self._id_chunks(ids):
            for card_id, *row in self.conn.execute(
                f"SELECT c.id, {columns} FROM cards c WHERE c.id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                rows[card_id] = tuple(row)
        return rows

    @staticmethod
    def _require_cards(ids: Sequence[int], found: Iterable[int]) -> None:
        """SrsError naming the first of `ids` not in `found`."""
        missing = set(ids).difference(found)
        for card_id in ids:
            if card_id in missing:
                raise SrsError(f"no card with id {card_id}")

    def check_cards(self, ids: Sequence[int]) -> None:
        """SrsError naming the first id that is not a card."""
        self._require_cards(ids, self._card_rows(ids, "1"))

    def is_suspended(self, card_id: int) -> bool:
        row = self._card_rows([card_id], "c.suspended").get(card_id)
        if row is None:
            raise SrsError(f"no card with id {card_id}")
        return bool(row[0])

    def set_suspended(self, ids: Sequence[int], suspended: bool) -> int:
        """Suspend or unsuspend cards (all ids checked first); returns how many changed."""
        with self.write() as conn:
            self.check_cards(ids)
            changed = 0
            for chunk in self._id_chunks(ids):
                changed += conn.execute(
                    "UPDATE cards SET suspended = ? WHERE suspended != ?"
                    f" AND id IN ({','.join('?' * len(chunk))})",
                    [int(suspended), int(suspended), *chunk],
                ).rowcount
        return changed

    def _record_change(
        self, kind: str, now: dt.datetime, today: dt.date, days: int | None, changes: list
    ) -> int:
        """Log a schedule change with each card's (id, before, after); inside a write."""
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
        """Put cards back to new; their reviews stay, the reset is logged in schedule_changes."""
        fresh = CardState()
        with self.write() as conn:
            rows = self._card_rows(ids, _CARD_COLUMNS)
            self._require_cards(ids, rows)
            changes = [(cid, _state_from_row(rows[cid]), fresh) for cid in dict.fromkeys(ids)]
            conn.executemany(
                "UPDATE cards SET repetitions = ?, ef = ?, interval = ?, due = ?,"
                " last_review = ?, lapses = ?, repeat_today = ? WHERE id = ?",
                [(*_state_params(fresh), cid) for cid, _, _ in changes],
            )
            self._record_change("reset", now, today, None, changes)
        return len(changes)

    def schedule_changes(self, card_id: int) -> list[dict]:
        """Resets and postpones that touched a card, oldest first."""
        cur = self.conn.execute(
            "SELECT s.id, s.kind, s.made_at, s.study_day, s.days, s.undone_at,"
            " x.state_before, x.state_after FROM schedule_change_cards x"
            " JOIN schedule_changes s ON s.id = x.change_id WHERE x.card_id = ? ORDER BY s.id",
            [card_id],
        )
        return _dicts(cur)

    def forget_deck(self, deck: str) -> tuple[list[str], int]:
        """Delete a deck and its sub-decks with their questions, cards and history."""
        ids = self.deck_ids(deck)
        names = [self.deck_names()[i] for i in ids]
        marks = ",".join("?" * len(ids))
        with self.write() as conn:
            count = conn.execute(
                f"SELECT count(*) FROM cards WHERE deck_id IN ({marks})", ids
            ).fetchone()[0]
            self._delete_questions("deck_id", ids)
            conn.execute(f"DELETE FROM decks WHERE id IN ({marks})", ids)
        self._deck_names = None
        return names, count

    MAX_POSTPONE = 3650  # days: ten years

    def postpone(self, deck: str | None, days: int, now: dt.datetime, today: dt.date) -> int:
        """Move every scheduled card's due date `days` later, as one undoable change."""
        if not 1 <= days <= self.MAX_POSTPONE:
            raise SrsError(f"postpone by 1 day or more (at most {self.MAX_POSTPONE}), not {days}")
        where, params = self._cards_where(deck, "c.")
        with self.write() as conn:
            changes = []
            for card_id, *state in conn.execute(
                f"SELECT c.id, {_CARD_COLUMNS} FROM cards c WHERE c.due IS NOT NULL AND {where}",
                params,
            ).fetchall():
                before = _state_from_row(state)
                try:
                    due = before.due + dt.timedelta(days=days)
                except OverflowError:  # nothing written yet: the transaction rolls back
                    raise SrsError(
                        f"card {card_id} is due {before.due}: {days} days later is past year 9999"
                    ) from None
                after = CardState(
                    sm2=before.sm2,
                    due=due,
                    last_review=before.last_review,
                    lapses=before.lapses,
                    repeat_today=before.repeat_today,
                )
                changes.append((card_id, before, after))
            conn.executemany(
                "UPDATE cards SET due = ? WHERE id = ?",
                [(_iso(a.due), cid) for cid, _, a in changes],
            )
            self._record_change("postpone", now, today, days, changes)
        return len(changes)

    def undo_postpone(self, now: dt.datetime) -> tuple[int, int, int]:
        """Revert the last postpone not yet undone: (days, cards restored, cards kept).

        A card graded (or otherwise changed) since keeps its newer schedule.
        """
        with self.write() as conn:
            row = conn.execute(
                "SELECT id, days FROM schedule_changes WHERE kind = 'postpone'"
                " AND undone_at IS NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise SrsError("no postpone to undo")
            change_id, days = row
            moved = conn.execute(
                "SELECT card_id, state_before, state_after FROM schedule_change_cards"
                " WHERE change_id = ?",
                [change_id],
            ).fetchall()
            current = self._card_rows([m[0] for m in moved], _CARD_COLUMNS)
            undo = [
                (json.loads(before)["due"], card_id)
                for card_id, before, after in moved
                if card_id in current
                and _state_from_row(current[card_id]) == state_from_json(after)
            ]
            conn.executemany("UPDATE cards SET due = ? WHERE id = ?", undo)
            restored, kept = len(undo), len(moved) - len(undo)
            conn.execute(
                "UPDATE schedule_changes SET undone_at = ? WHERE id = ?",
                [clock.utc_text(now), change_id],
            )
        return days, restored, kept

    def cram_cards(self, deck: str | None) -> list[int]:
        """Every non-suspended card of the deck(s), for practice outside the schedule."""
        where, params = self._cards_where(deck)
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM cards WHERE {where} AND suspended = 0 ORDER BY id", params
            )
        ]
