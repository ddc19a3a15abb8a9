"""`srs due`, without typer: what is left to study today.

`srs due` runs in shell prompts and status bars, many times a day. typer builds
every command and coerces options through pydantic (~100 ms) before it runs one,
so :mod:`srs.entry` parses the plain shapes of `due` with :func:`parse_due_args`
and runs :func:`show_due` without importing typer at all; anything else (`--help`,
a typo, other commands) goes to the typer app, whose `due` command calls the same
:func:`show_due`, so both paths print the same. Nothing here imports typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from srs import clock
from srs.errors import SrsError
from srs.runtime import day_note, open_counts, today_of

if TYPE_CHECKING:
    from srs.records.due import DueCounts

_DUE_OPTIONS = {"--deck": "deck", "-d": "deck", "--format": "fmt", "--on": "on", "--db": "db"}


def format_due(template: str, counts: DueCounts) -> str:
    """Fill a `srs due --format` template; an unknown field or stray brace is an SrsError."""
    import string

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
        if "'{'" in str(e) or "'}'" in str(e):  # str.format's "Single '{' encountered ..."
            raise SrsError(
                f"--format: a lone brace in {template!r}; a field is {{due}}, a brace {{{{ or }}}}"
            ) from None
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
    if fmt is not None and as_json:
        raise SrsError("--format and --json each choose the output: give one")
    with open_counts(db) as store:
        now = today_of(store)
        today = now.day if on is None else clock.parse_day(on, now.day)
        if today < now.day:
            # The counts are a forecast from the cards' state now; a past day has none.
            raise SrsError(f"--on {on}: {today} is in the past; give today or a later day")
        total, per_deck = store.due_counts(today, deck, now.settings)
    if fmt is not None:
        print(format_due(fmt, total))
        return
    if as_json:
        import json

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
    if on is not None:  # the day asked for, as understood ("friday": which one)
        print(f"Due on {today:%A} {today.isoformat()}")
    width = max([len(d.deck) for d in per_deck] + [5])
    print(f"{'deck':<{width}}  {'new':>5}  {'learn':>5}  {'review':>6}")
    for d in per_deck:
        print(f"{d.deck:<{width}}  {d.due.new:>5}  {d.due.learning:>5}  {d.due.review:>6}")
    print(f"{'total':<{width}}  {total.new:>5}  {total.learning:>5}  {total.review:>6}")
    if total.new < sum(d.due.new for d in per_deck) or total.review < sum(
        d.due.review for d in per_deck
    ):
        # The limits cap each deck's row on its own, and the total once for all decks.
        limits = f"{now.settings.new_per_day} new and {now.settings.reviews_per_day} answers a day"
        done = ", less those done today" if today == now.day else ""
        print(f"(the decks share the day's limits: {limits}{done})")
    note = day_note(now)
    if note:
        print(note)


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
