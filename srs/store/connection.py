"""Opening the database (checked, created or upgraded), transactions, backups, tracing,
and what every part of the store reads: settings and deck names.

Opening an up-to-date database uses the plain `sqlite3` module (a shell prompt runs
`srs due` often); sqlite-utils is imported only to create or migrate one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from srs import clock
from srs.errors import SrsError, why_not_written
from srs.settings import Settings, setting
from srs.store import migrations

# KiB (PRAGMA cache_size takes it negative): what Connection.large_cache gives an import.
LARGE_CACHE_KIB = 128_000

BUSY_TIMEOUT_MS = 10_000


def no_card(card_id: int) -> SrsError:
    """The error for an id that is not a card."""
    return SrsError(f"no card with id {card_id}")


def default_path() -> Path:
    """`SRS_DB`, else the platform's user data dir."""
    env = os.environ.get("SRS_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("srs", appauthor=False)) / "srs.db"


# How to make a database, for the messages about a missing one.
HOW_TO_CREATE = "create one with `srs import FILE...` or `srs import --bundled`"
READING_COMMANDS = "due, decks, stats, cards, show, backup and export only read"


def _writable(path: Path) -> bool:
    """Whether the file may be written and files made beside it (WAL's `-wal` and `-shm`).

    The mode bit is checked as well: root passes `os.access` on any file, but a file made
    read-only is meant to stay so.
    """
    return bool(path.stat().st_mode & stat.S_IWUSR) and all(
        os.access(p, os.W_OK) for p in (path, path.parent)
    )


# An SQLite file without a table (made by another program, or by an srs that failed
# before its first step): only `srs import` makes it a collection, as it makes a new one.
_NO_TABLES = "{}: an empty SQLite database, not an srs one (srs import makes it one)"


def _check_file(path: Path, *, explicit: bool, create: bool, read_only: bool) -> bool:
    """Refuse what cannot be our database; returns whether the file exists."""
    if path.is_dir():
        raise SrsError(f"{path}: is a folder, not a database file")
    if not create and not path.exists():
        raise SrsError(f"no database at {path}; {HOW_TO_CREATE}")
    if not path.parent.is_dir():
        if explicit:
            raise SrsError(f"{path}: folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        return False
    info = path.stat()
    if info.st_size == 0:
        raise SrsError(f"{path}: empty file, not an srs database")
    if not os.access(path, os.R_OK):
        raise SrsError(f"{path}: permission denied")
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise SrsError(f"{path}: not an SQLite database")
    if not read_only and not _writable(path):
        what = "read-only"
        if info.st_mode & stat.S_IWUSR and os.access(path, os.W_OK):
            what = f"its folder {path.parent} is read-only"
        raise SrsError(f"{path}: {what}; this command writes to it ({READING_COMMANDS})")
    return True


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that reads `path` and writes nothing, not even beside it.

    With no write-ahead log to fold in, `immutable=1`: no lock, no `-shm` made (a read-only
    folder cannot hold one, and one left next to a read-only file would trouble its owner
    later). A log with content must be read through `mode=ro`, which needs the `-shm`.
    """
    uri = "file:" + urllib.parse.quote(str(path.absolute()))
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return uri + "?mode=ro"
    return uri + "?immutable=1"


# A database being built beside `path` is `.{path.name}.{pid}-{random}.new`.
_BUILDING = ".new"


def _remove_abandoned(path: Path) -> None:
    """Remove what a build killed midway (SIGKILL, a power cut) left beside `path`: the
    files whose process is gone. (A process that is still running may be building it.)"""
    if os.name != "posix":  # os.kill(pid, 0) checks a process only on POSIX
        return
    prefix = f".{path.name}."
    for left in path.parent.iterdir():
        name = left.name
        if not name.startswith(prefix) or _BUILDING not in name:
            continue
        pid = name[len(prefix) :].split("-", 1)[0]
        if not pid.isdecimal() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            left.unlink(missing_ok=True)
        except OSError:
            pass  # alive, someone else's


def _move_into_place(made: Path, path: Path) -> None:
    """Give the complete database `made` its name `path` (durably), unless a file took that
    name meanwhile: then SrsError, and `made` is for the caller to remove."""
    taken = SrsError(
        f"{path}: another srs made this database while the import ran; nothing imported"
        " (run the import again to import into it)"
    )
    try:
        os.link(made, path)  # fails if `path` exists: never replaces another database
    except FileExistsError:
        raise taken from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise taken from None
        os.replace(made, path)
    try:  # the new name survives a crash, as the data does (synced on commit)
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # a platform that cannot open a folder (Windows) syncs it differently
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# The database the command opened last: a database error met later (a page damaged past
# the ones opening reads) names it (database_error).
_opened: Path | None = None


def database_error(error: sqlite3.Error) -> str:
    """An SQLite error met after opening, as the command's one line of error."""
    where = f"{_opened}: " if _opened is not None else ""
    text = str(error)
    if text.startswith("Could not decode to UTF-8"):  # the bytes it quotes are garbage
        text = "text that is not UTF-8 in column " + text.split("'")[1]
    elif isinstance(error, sqlite3.OperationalError) and "malformed" not in text:
        return f"{where}{text}"
    return (
        f"{where}damaged ({text}); restore it from a copy (`srs backup` makes one; an upgrade"
        " leaves a .bak beside it), or try `sqlite3 FILE .recover` on a copy"
    )


class Connection:
    """An open srs database: the connection, its transactions, and the small tables."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        global _opened
        self.conn = conn
        self.path = _opened = path
        self._deck_names: dict[int, str] | None = None
        self._depth = 0  # savepoints open inside the current transaction

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        backup_notice: Callable[[Path], object] | None = None,
        explicit: bool | None = None,
        create: bool = True,
        read_only: bool = False,
        now: dt.datetime | None = None,
        upgrade: bool = True,
    ) -> Self:
        """Open the database at `path`, upgrading it if needed; a missing one is created
        only if `create`.

        `read_only` is for commands that only read: a file (or folder) that cannot be written
        is then read without writing anything; a writable one opens as usual, so an old
        database is still upgraded. Before migrating a database that already holds data, a
        backup copy (stamped with `now`) is written next to it and `backup_notice(path)` is
        called with its name. Without `upgrade`, a database that needs one is an SrsError
        (and is left as it is).
        """
        if explicit is None:
            explicit = path is not None or bool(os.environ.get("SRS_DB"))
        db_path = Path(path) if path is not None else default_path()
        existed = _check_file(db_path, explicit=explicit, create=create, read_only=read_only)
        if read_only and existed and not _writable(db_path):
            return cls._open_read_only(db_path)
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = _tables(conn)
        except sqlite3.DatabaseError as e:
            raise SrsError(f"{db_path}: not a usable SQLite database ({e})") from None
        store = cls(conn, db_path)
        try:
            if existed and not create and not tables:
                raise SrsError(_NO_TABLES.format(db_path))
            if not upgrade and store._pending_migrations(tables):
                raise SrsError(f"{db_path}: needs an upgrade")
            store._upgrade(tables, existed, backup_notice, now)
        except BaseException:
            conn.close()
            raise
        conn.execute("PRAGMA foreign_keys = ON")
        return store

    @classmethod
    @contextmanager
    def build(
        cls,
        path: Path | str | None = None,
        *,
        backup_notice: Callable[[Path], object] | None = None,
        now: dt.datetime | None = None,
    ) -> Iterator[Self]:
        """A new database at `path`, made whole or not at all (`srs import` into a missing
        one): it is written under a hidden name beside `path` and appears there only once
        complete, so no reader sees it half made and a failure leaves nothing.

        Meanwhile its journal is kept in memory, not in a write-ahead log: nothing else can
        open it, and the log would be written and then copied into the file, 2 of the 20 s
        of a 100k-note Anki collection moving in (measured). It is a WAL database when it
        appears. SrsError if a database appeared at `path` meanwhile (nothing is imported).
        """
        explicit = path is not None or bool(os.environ.get("SRS_DB"))
        db_path = Path(path) if path is not None else default_path()
        if _check_file(db_path, explicit=explicit, create=True, read_only=False):
            raise SrsError(f"{db_path}: exists already")
        _remove_abandoned(db_path)
        import tempfile

        fd, name = tempfile.mkstemp(
            prefix=f".{db_path.name}.{os.getpid()}-", suffix=_BUILDING, dir=db_path.parent
        )
        os.close(fd)
        aside = Path(name)
        aside.unlink()  # SQLite makes it, as a new database
        try:
            store = cls.open(aside, backup_notice=backup_notice, explicit=True, now=now)
            try:
                store.conn.execute("PRAGMA journal_mode = MEMORY")
                yield store
                store.conn.execute("PRAGMA journal_mode = WAL")
            finally:
                store.close()
            _move_into_place(aside, db_path)
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{aside}{suffix}").unlink(missing_ok=True)

    @staticmethod
    def stored_settings(path: Path) -> Settings | None:
        """The settings kept in the srs database at `path`, read without opening it as a
        store: one that needs an upgrade has them too (every version keeps them alike).
        None if there are none to read (no file, not srs's, not readable). Nothing written."""
        try:
            conn = sqlite3.connect(_read_only_uri(path), uri=True)
            try:
                if not {"settings", "_sqlite_migrations"} <= _tables(conn):
                    return None
                return Settings.from_stored(dict(conn.execute("SELECT key, value FROM settings")))
            finally:
                conn.close()
        except (sqlite3.Error, ValueError, TypeError):  # damaged: the import will say how
            return None

    @classmethod
    def _open_read_only(cls, path: Path) -> Self:
        uri = _read_only_uri(path)
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            tables = _tables(conn)
        except sqlite3.OperationalError as e:
            if uri.endswith("mode=ro"):  # the write-ahead log needs a -shm file made beside it
                raise SrsError(
                    f"{path}: read-only, and its write-ahead log ({path.name}-wal) can only be"
                    " read with write access to the folder"
                ) from None
            raise SrsError(f"{path}: not a usable SQLite database ({e})") from None
        except sqlite3.DatabaseError as e:
            raise SrsError(f"{path}: not a usable SQLite database ({e})") from None
        store = cls(conn, path)
        try:
            if not tables:
                raise SrsError(_NO_TABLES.format(path))
            if store._pending_migrations(tables):
                raise SrsError(
                    f"{path}: read-only, and this version of srs must upgrade it before reading"
                    " it; make it writable once"
                )
        except BaseException:
            conn.close()
            raise
        conn.execute("PRAGMA foreign_keys = ON")
        return store

    def _pending_migrations(self, tables: set[str]) -> int:
        """How many migrations the database lacks; SrsError if it is not ours or is newer."""
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
        return len(migrations.NAMES) - len(applied)

    def _upgrade(
        self, tables: set[str], existed: bool, backup_notice, now: dt.datetime | None
    ) -> None:
        pending = self._pending_migrations(tables)
        if not pending:
            self._set_wal()
            return
        if existed and pending < len(migrations.NAMES):
            backup = self.backup(now=now or clock.now())
            if backup_notice:
                backup_notice(backup)
        self._set_wal()
        from sqlite_utils import Database

        db = Database(self.conn, execute_plugins=False)
        try:
            # All pending steps in one transaction (each step a savepoint in it): a failure
            # leaves the database exactly as it was, and a second process waits, then finds
            # nothing left to do.
            with self.atomic():
                migrations.migrations().apply(db)
        except Exception as e:
            raise SrsError(f"{self.path}: upgrading the database failed ({e})") from e

    def _set_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")

    def backup(self, target: Path | str | None = None, *, now: dt.datetime) -> Path:
        """Copy the database with SQLite's backup API (safe while in use).

        Default: next to the database, named after it and `now`; a folder: into that folder,
        named likewise. Never over an existing file.
        """
        folder = self.path.parent if target is None else Path(target)
        if isinstance(target, str) and target.endswith(("/", os.sep)) and not folder.is_dir():
            raise SrsError(f"{target}: cannot write a backup (no such folder)")
        if target is None or folder.is_dir():
            stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
            target = folder / f"{self.path.name}.{stamp}.bak"
            n = 1
            while target.exists():  # two backups in one second must not overwrite each other
                n += 1
                target = folder / f"{self.path.name}.{stamp}-{n}.bak"
        target = Path(target)
        # Never write over a file: it may be another database, or not a database at all.
        if target.exists():
            raise SrsError(f"{target}: already exists; choose another name")
        try:
            # Made here first: the system says why it cannot be (SQLite would only say
            # "unable to open database file"); O_EXCL: never over a file made meanwhile.
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            dest = sqlite3.connect(target)
        except OSError as e:
            raise SrsError(
                f"{target}: cannot write a backup ({why_not_written(target, e)})"
            ) from None
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions

    @contextmanager
    def atomic(self, *, dry_run: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all.

        The outermost one is taken at once (``BEGIN IMMEDIATE``), so a concurrent writer
        waits instead of failing; one inside another is a savepoint, so a grade and what
        follows from it (a leech suspended) are one commit. With ``dry_run`` everything is
        done, then rolled back.
        """
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("ROLLBACK" if dry_run else "COMMIT")
            return
        # Named by depth, not by a counter: the same few statements, prepared once.
        self._depth += 1
        name = f"srs_{self._depth}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1
        if dry_run:
            conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")

    @contextmanager
    def large_cache(self) -> Iterator[None]:
        """A page cache of LARGE_CACHE_KIB meanwhile (for an import): indexes written all
        over (random GUIDs, hashed uids, the review log) overflow SQLite's default 2 MB and
        spill pages to the journal again and again."""
        (cache,) = self.conn.execute("PRAGMA cache_size").fetchone()
        self.conn.execute(f"PRAGMA cache_size = -{LARGE_CACHE_KIB}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {cache}")

    @contextmanager
    def trace(self) -> Iterator[list[str]]:
        """Every statement SQLite runs meanwhile, with its parameters bound (as
        sqlite-utils' ``db.tracer``): ``with store.trace() as statements: ...``."""
        statements: list[str] = []
        self.conn.set_trace_callback(statements.append)
        try:
            yield statements
        finally:
            self.conn.set_trace_callback(None)

    # ------------------------------------------------------------ settings

    def settings(self) -> Settings:
        return Settings.from_stored(dict(self.conn.execute("SELECT key, value FROM settings")))

    def set_setting(self, key: str, value: object) -> None:
        spec = setting(key)
        spec.check(value)
        with self.atomic() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, spec.dump(value)],
            )

    # ------------------------------------------------------------ decks

    def deck_names(self) -> dict[int, str]:
        """Every deck, {id: name}, by name."""
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

    def deck_for_import(self, name: str, stamp: str) -> tuple[int, str]:
        """The deck called `name` (case-insensitively, keeping the stored spelling), made if new."""
        # Here, not at the top: `srs due` opens this module and must not load the records.
        from srs.records.question import normalise_deck

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

    def card_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cards").fetchone()[0]
