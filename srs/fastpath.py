"""The entry point, and `srs due` without typer.

`srs due` runs in shell prompts and status bars, many times a day. typer builds
every command and coerces options through pydantic (~100 ms) before it runs one,
so the plain shapes of `due` are parsed here and run without importing typer at
all; anything else (`--help`, a typo, other commands) goes to the typer app in
`srs.cli`, which shares `show_due` so both paths print the same.
"""

from __future__ import annotations

import json
import string
import sys
from pathlib import Path
from typing import Any

from srs import clock
from srs.errors import SrsError

_DUE_OPTIONS = {"--deck": "deck", "-d": "deck", "--format": "fmt", "--on": "on", "--db": "db"}


def err(message: str) -> None:
    print(message, file=sys.stderr)


def open_store(db: Path | None):
    from srs.store import Store

    return Store.open(db, backup_notice=lambda p: err(f"srs: backed up the database to {p}"))


def today_of(store) -> tuple:
    """(now, study day, settings): the study day depends on the stored rollover hour."""
    settings = store.settings()
    now = clock.now()
    return now, clock.study_day(now, settings.rollover_hour), settings


def format_due(template: str, counts: Any) -> str:
    """Fill a `srs due --format` template; an unknown field or stray brace is an SrsError."""
    values = {
        "new": counts.new,
        "learning": counts.learning,
        "review": counts.review,
        "due": counts.learning + counts.review,
        "total": counts.total,
    }
    try:
        for _, name, _spec, _ in string.Formatter().parse(template):
            if name is not None and name not in values:
                raise SrsError(f"--format: unknown field {{{name}}} (fields: {', '.join(values)})")
        return template.format_map(values)
    except (ValueError, IndexError) as e:
        raise SrsError(f"--format: {e}") from None


def show_due(
    *,
    deck: str | None = None,
    as_json: bool = False,
    fmt: str | None = None,
    on: str | None = None,
    db: Path | None = None,
) -> None:
    """The body of `srs due`."""
    with open_store(db) as store:
        _, today, settings = today_of(store)
        if on is not None:
            today = clock.parse_day(on, today)
        total, per_deck = store.due_counts(today, deck, settings)
    if fmt is not None:
        print(format_due(fmt, total))
        return
    if as_json:
        row = lambda c: {"new": c.new, "learning": c.learning, "review": c.review}  # noqa: E731
        print(
            json.dumps(
                {
                    "day": today.isoformat(),
                    "total": row(total),
                    "decks": [{"deck": d.deck, **row(d.due)} for d in per_deck],
                },
                indent=2,
            )
        )
        return
    width = max([len(d.deck) for d in per_deck] + [5])
    print(f"{'deck':<{width}}  {'new':>5}  {'learn':>5}  {'review':>6}")
    for d in per_deck:
        print(f"{d.deck:<{width}}  {d.due.new:>5}  {d.due.learning:>5}  {d.due.review:>6}")
    print(f"{'total':<{width}}  {total.new:>5}  {total.learning:>5}  {total.review:>6}")


def parse_due_args(argv: list[str]) -> dict | None:
    """`due`'s arguments as keywords for `show_due`, or None to let typer parse them."""
    if not argv or argv[0] != "due":
        return None
    kwargs: dict = {}
    args = iter(argv[1:])
    for arg in args:
        if arg == "--json" and "as_json" not in kwargs:
            kwargs["as_json"] = True
            continue
        name, eq, value = arg.partition("=")
        key = _DUE_OPTIONS.get(name)
        if key is None or key in kwargs or (eq and name == "-d"):
            return None
        if not eq:
            value = next(args, None)
            if value is None or value.startswith("-"):
                return None
        kwargs[key] = Path(value) if key == "db" else value
    return kwargs


def main() -> None:
    """`srs`: the fast path for `due`, else the typer app."""
    fast = parse_due_args(sys.argv[1:])
    if fast is None:
        from srs.cli import main as cli_main

        cli_main()
        return
    try:
        show_due(**fast)
    except SrsError as e:
        err(f"error: {e}")
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
