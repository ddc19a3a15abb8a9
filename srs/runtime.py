"""What every command does first, with typer or without: open the database, read the
clock and the study day, print a message for the user.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from srs import clock
from srs.errors import SrsError

if TYPE_CHECKING:  # the store is imported when a command opens it, not before
    from srs.settings import Settings
    from srs.store import Store
    from srs.store.counts import Counts


def err(message: str) -> None:
    """A line for the user on stderr."""
    print(message, file=sys.stderr)


def _notice(path: Path) -> None:
    err(f"srs: backed up the database to {path}")


def database_path(db: Path | None) -> Path:
    """The database file a command uses: ``--db``, else `SRS_DB`, else the default."""
    from srs.store.connection import default_path

    return db if db is not None else default_path()


def shown_path(path: Path) -> str:
    """A path as a message shows it: under the home folder, from ``~``."""
    try:
        return str(Path("~") / path.resolve().relative_to(Path.home().resolve()))
    except (ValueError, RuntimeError, OSError):  # not under it, or no home
        return str(path)


def open_store(db: Path | None, *, create: bool = False, read_only: bool = False) -> Store:
    """The database at ``db`` (else the default one), opened; a backup before an upgrade
    is announced on stderr.

    Only ``create`` makes a new database (`srs import`): elsewhere a missing one is an error,
    so a mistyped ``--db`` says so instead of starting an empty collection. ``read_only`` is
    for commands that only read: they work on a database they may not write.
    """
    from srs.store import Store

    return Store.open(
        db, backup_notice=_notice, create=create, read_only=read_only, now=clock.now()
    )


def unchanged_sources(db: Path | None, digests: dict[str, str]) -> dict[str, str]:
    """Store.unchanged_sources of the database, if it exists and is up to date; else none
    (an import that is not going to write must not upgrade a database)."""
    if not digests or not database_path(db).exists():
        return {}
    from srs.store import Store

    try:
        with Store.open(db, create=False, read_only=True, upgrade=False) as store:
            return store.unchanged_sources(digests)
    except SrsError:
        return {}  # the import itself says what is wrong with the database


@contextmanager
def import_target(db: Path | None, *, dry_run: bool) -> Iterator[Store]:
    """The database to import into; a missing one is made (see Store.build: it appears
    only if the import succeeds). For a dry run against a missing one, an empty database
    that is thrown away (a dry run writes nothing)."""
    if dry_run and not database_path(db).exists():
        with (
            tempfile.TemporaryDirectory() as folder,
            open_store(Path(folder) / "dry-run.db", create=True) as store,
        ):
            yield store
        return
    with _stopped_as_exit():
        if database_path(db).exists():
            with open_store(db, create=True) as store:
                yield store
            return
        from srs.store import Store

        # Made aside and moved into place when complete: a failed import leaves no database.
        with Store.build(db, backup_notice=_notice, now=clock.now()) as store:
            yield store


@contextmanager
def _stopped_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP (`kill`, a closed terminal) meanwhile end the process as Ctrl-C
    does, by an exception: what the import wrote is then taken back (the media copied, the
    database being built), instead of left behind."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    before = {n: signal.signal(getattr(signal, n), stop) for n in names}
    try:
        yield
    finally:
        for n, handler in before.items():
            signal.signal(getattr(signal, n), handler)


def open_counts(db: Path | None) -> Counts:
    """Like `open_store` (read-only), with only the part that counts what is due."""
    from srs.store.counts import Counts

    return Counts.open(db, backup_notice=_notice, create=False, read_only=True, now=clock.now())


class Today(NamedTuple):
    """The moment a command runs, its study day (which depends on the stored rollover
    hour) and the settings read with it."""

    now: dt.datetime
    day: dt.date
    settings: Settings


def import_day(db: Path | None) -> Today:
    """Today as the database's settings make it (one to upgrade too), for an import that
    reads its packages before it writes. A database that is missing, or that has no
    settings to read (an empty SQLite file), has the defaults: the import makes it, and
    says what is wrong with one it cannot use."""
    from srs.settings import Settings
    from srs.store import Store

    path = database_path(db)
    stored = Store.stored_settings(path) if path.is_file() else None
    return _today(stored or Settings())


def day_note(today: Today) -> str | None:
    """After midnight and before the rollover hour, a line saying srs's day is still
    yesterday's (dates read as a day off otherwise); None the rest of the day."""
    if today.now.astimezone().date() == today.day:
        return None
    return (
        f"(for srs it is still {today.day:%A} {today.day.isoformat()} until"
        f" {today.settings.rollover_hour:02d}:00, when its day starts)"
    )


def today_of(store: Counts) -> Today:
    return _today(store.settings())


def _today(settings: Settings) -> Today:
    now = clock.now()
    return Today(now, clock.study_day(now, settings.rollover_hour), settings)
