"""What every command does first, with typer or without: open the database, read the
clock and the study day, print a message for the user.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from srs import clock

if TYPE_CHECKING:  # the store is imported when a command opens it, not before
    from srs.settings import Settings
    from srs.store import Store
    from srs.store.counts import Counts


def err(message: str) -> None:
    """A line for the user on stderr."""
    print(message, file=sys.stderr)


def _notice(path: Path) -> None:
    err(f"srs: backed up the database to {path}")


def open_store(db: Path | None) -> Store:
    """The database at ``db`` (else the default one), opened; a backup before an upgrade
    is announced on stderr."""
    from srs.store import Store

    return Store.open(db, backup_notice=_notice)


def open_counts(db: Path | None) -> Counts:
    """Like `open_store`, with only the part that counts what is due (`srs due`)."""
    from srs.store.counts import Counts

    return Counts.open(db, backup_notice=_notice)


class Today(NamedTuple):
    """The moment a command runs, its study day (which depends on the stored rollover
    hour) and the settings read with it."""

    now: dt.datetime
    day: dt.date
    settings: Settings


def today_of(store: Counts) -> Today:
    settings = store.settings()
    now = clock.now()
    return Today(now, clock.study_day(now, settings.rollover_hour), settings)
