"""The `srs` command's entry point, and the one place an SrsError (or an SQLite error met
after the database opened) becomes a line on stderr and exit code 1.

The plain forms of `srs due` (shell prompts run it all day) are run by :mod:`srs.due`
without importing typer; everything else goes to the typer app in :mod:`srs.cli.app`.
"""

from __future__ import annotations

import os
import sys

from srs.due import parse_due_args, show_due
from srs.errors import SrsError
from srs.runtime import err


def main() -> None:
    """`srs`: the fast path for `due`, else the typer app."""
    try:
        try:
            fast = parse_due_args(sys.argv[1:])
            if fast is not None:
                show_due(**fast)
                return
            from srs.cli.app import app

            app()
        finally:
            sys.stdout.flush()  # a reader gone (`srs cards | head`) shows here, not at exit
    except SrsError as e:
        err(f"error: {e}")
        sys.exit(1)
    except BrokenPipeError:
        # Nothing more can be written: point stdout at nothing so exiting does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as e:
        # A page damaged past those opening reads, a lock held too long... (sqlite3 is not
        # imported here: `srs --help` starts without it, and then no such error can come.)
        sqlite3 = sys.modules.get("sqlite3")
        if sqlite3 is None or not isinstance(e, sqlite3.DatabaseError):
            raise
        from srs.store.connection import database_error

        err(f"error: {database_error(e)}")
        sys.exit(1)
