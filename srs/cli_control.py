"""Commands for tracking progress and controlling cards: stats, cards, show, suspend,
unsuspend, reset, forget, config, postpone. Terminal I/O only; registered on `srs.cli.app`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from typing import Annotated, Any

import typer

from srs.cli import DbOption, DeckOption, _shorten, app
from srs.errors import SrsError
from srs.fastpath import format_due, open_store, today_of  # noqa: E402, F401


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def _pct(group: dict[str, Any]) -> str:
    if group["rate"] is None:
        return "-"
    return f"{100 * group['rate']:.0f}% of {group['reviews']}"


# ---------------------------------------------------------------- stats


@app.command()
def stats(
    deck: DeckOption = None,
    days: Annotated[int, typer.Option("--days", help="Forecast and history window.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Progress: forecast, history, calendar, card states, retention, streak, EF spread."""
    from srs import charts
    from srs import stats as figures

    with open_store(db) as store:
        _, today, settings = today_of(store)
        data = figures.gather(store, today, settings, deck=deck, days=days)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width, color = min(_width(), 100), _color()
    bold = (lambda t: f"\033[1m{t}\033[0m") if color else (lambda t: t)
    fc = data["forecast"]
    print(bold(f"Due in the next {days} days") + f"  (overdue now: {fc['overdue']})")
    for line in charts.columns(
        [d["due"] for d in fc["days"]],
        first="today",
        last=f"+{days - 1}d",
        width=width,
        color=color,
    ):
        print(line)
    hist = data["history"]
    print()
    print(bold(f"Answers in the last {days} days") + f"  ({hist['total']})")
    for line in charts.columns(
        [d["reviews"] for d in hist["days"]],
        first=f"-{days - 1}d",
        last="today",
        width=width,
        color=color,
    ):
        print(line)
    cal = data["calendar"]
    print()
    print(bold("The last year") + f"  (streak: {data['streak']} day{'s' * (data['streak'] != 1)})")
    start = dt.date.fromisoformat(cal["from"])
    for line in charts.heatmap(cal["reviews"], start, width=width, color=color):
        print(line)
    c = data["cards"]
    print()
    print(bold("Cards") + f"  ({c['total']})")
    print(
        f"  new {c['new']}  learning {c['learning']}  young {c['young']}  mature {c['mature']}"
        f"  suspended {c['suspended']}  leeches {c['leeches']}"
    )
    r = data["retention"]
    print(
        bold("Retention")
        + f"  young {_pct(r['young'])}  mature {_pct(r['mature'])}  (first grades >= 3)"
    )
    ef = data["ef"]
    print()
    mean = "-" if ef["mean"] is None else f"{ef['mean']:.2f}"
    print(bold("EF spread") + f"  (mean {mean})")
    for line in charts.histogram(charts.ef_rows(ef["buckets"]), width=min(width, 50), color=color):
        print("  " + line)
    if data["hardest"]:
        print()
        print(bold("Hardest cards"))
        for h in data["hardest"]:
            head = f"  #{h['id']:<5} EF {h['ef']:.2f}  lapses {h['lapses']:<3} "
            print(head + _shorten(h["question"], max(10, width - len(head))))


# ---------------------------------------------------------------- cards / show


@app.command()
def cards(
    deck: DeckOption = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due for review today.")] = False,
    search: Annotated[
        str | None, typer.Option("--search", help="Text in the question, answer or options.")
    ] = None,
    leeches: Annotated[
        bool, typer.Option("--leeches", help="Only leeches (lapses >= leech_threshold).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List cards with their schedule: due, interval, EF, repetitions, lapses, state."""
    from srs.stats import card_state

    with open_store(db) as store:
        _, today, settings = today_of(store)
        rows = store.list_cards(
            deck,
            due_by=today if due else None,
            search=search,
            min_lapses=settings.leech_threshold if leeches else None,
        )
    out = [
        {
            "id": r["id"],
            "deck": r["deck"],
            "question": r["question"],
            "due": r["due"],
            "interval": r["interval"],
            "ef": r["ef"] / 100,
            "reps": r["repetitions"],
            "lapses": r["lapses"],
            "state": card_state(r, today),
        }
        for r in rows
    ]
    if as_json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not out:
        print("No cards.")
        return
    deck_w = min(24, max(len(c["deck"]) for c in out))
    head = f"{'id':>5}  {'deck':<{deck_w}}  {'due':<10}  {'ivl':>4}  {'EF':>4}  {'reps':>4}"
    head += f"  {'laps':>4}  {'state':<9}  "
    # On a terminal the question fits the line (at least 30 characters of it); into a pipe or a
    # file it is printed whole, for grep.
    room = max(30, _width() - len(head)) if sys.stdout.isatty() else 10_000
    print(head + "question")
    for c in out:
        print(
            f"{c['id']:>5}  {_shorten(c['deck'], deck_w):<{deck_w}}  {c['due'] or '-':<10}"
            f"  {c['interval']:>4}  {c['ef']:>4.2f}  {c['reps']:>4}  {c['lapses']:>4}"
            f"  {c['state']:<9}  {_shorten(c['question'], room)}"
        )


@app.command()
def show(
    card: Annotated[int, typer.Argument(help="Card id (see `srs cards`).")],
    db: DbOption = None,
) -> None:
    """One card in full, with its schedule and review history."""
    from srs.stats import card_state

    with open_store(db) as store:
        _, today, settings = today_of(store)
        suspended = store.is_suspended(card)  # first: it checks the id is in SQLite's range
        sc = store.study_card(card)
        history = store.reviews(card)
        changes = store.schedule_changes(card)
    q = sc.question
    print(f"#{sc.id}  {sc.deck}")
    if q.title:
        print(q.title)
    print(q.text)
    for i, option in enumerate(q.options):
        mark = "x" if i in q.answers else " "
        print(f"  [{mark}] {option}")
    if q.answer:
        print(f"Answer: {q.answer}")
    if q.explanation:
        print(q.explanation)
    s = sc.state
    row = {
        "suspended": suspended,
        "due": s.due,
        "repeat_today": s.repeat_today,
        "last_review": s.last_review and s.last_review.isoformat(),
        "interval": s.sm2.interval,
    }
    leech = "  (leech)" if s.lapses >= settings.leech_threshold else ""
    print()
    print(
        f"state {card_state(row, today)}  due {s.due or '-'}  interval {s.sm2.interval}"
        f"  EF {s.sm2.ef / 100:.2f}  reps {s.sm2.repetitions}  lapses {s.lapses}{leech}"
    )
    if not history and not changes:
        print("Never reviewed.")
        return
    print()
    events = [(r["reviewed_at"], "r", r) for r in history]
    events += [(c["made_at"], "c", c) for c in changes]
    for _, what, e in sorted(events, key=lambda t: t[0]):
        if what == "r":
            after = json.loads(e["state_after"])
            print(
                f"  {e['study_day']}  {e['kind']:<8} grade {e['grade']}"
                f"  -> due {after['due'] or '-'}, interval {after['interval']},"
                f" EF {after['ef'] / 100:.2f}"
            )
        else:
            days = f" by {e['days']} days" if e["days"] else ""
            undone = " (undone)" if e["undone_at"] else ""
            print(f"  {e['study_day']}  {e['kind']}{days}{undone}")


# ---------------------------------------------------------------- suspend / reset / forget

CardIds = Annotated[list[int], typer.Argument(help="Card ids (see `srs cards`).")]


@app.command()
def suspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Take cards out of reviews (and due counts) until unsuspended."""
    with open_store(db) as store:
        n = store.set_suspended(card_ids, True)
    print(f"Suspended {n} card{'s' * (n != 1)}.")


@app.command()
def unsuspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Bring suspended cards back, with the schedule they had."""
    with open_store(db) as store:
        n = store.set_suspended(card_ids, False)
    print(f"Unsuspended {n} card{'s' * (n != 1)}.")


@app.command()
def reset(card_ids: CardIds, db: DbOption = None) -> None:
    """Make cards new again; their review history is kept and the reset is logged."""
    with open_store(db) as store:
        now, today, _ = today_of(store)
        n = store.reset_cards(card_ids, now, today)
    print(f"Reset {n} card{'s' * (n != 1)} to new.")


@app.command()
def forget(
    deck: Annotated[str, typer.Option("--deck", "-d", help="The deck (and its sub-decks).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a deck: its questions, cards and review history. Asks first."""
    with open_store(db) as store:
        ids = store.deck_ids(deck)
        names = [store.deck_names()[i] for i in ids]
        if not yes:
            typer.confirm(
                f"Delete {', '.join(names)} with all cards and history?", abort=True, err=True
            )
        names, count = store.forget_deck(deck)
    print(f"Deleted {', '.join(names)}: {count} card{'s' * (count != 1)}.")


# ---------------------------------------------------------------- config

config_app = typer.Typer(help="Read or change settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("get")
def config_get(
    key: Annotated[str | None, typer.Argument(help="One setting; all if omitted.")] = None,
    db: DbOption = None,
) -> None:
    """Show settings (with what each does)."""
    from srs.store import SETTINGS

    if key is not None and key not in SETTINGS:
        raise SrsError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    with open_store(db) as store:
        current = store.settings()
    if key is not None:
        print(getattr(current, key))
        return
    width = max(len(k) for k in SETTINGS)
    for name, spec in SETTINGS.items():
        print(f"{name:<{width}}  {getattr(current, name):>6}  {spec.help}")


# ignore_unknown_options: "-1" is a (rejected) value, not an unknown option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    key: Annotated[str, typer.Argument(help="Setting name (see `srs config get`).")],
    value: Annotated[str, typer.Argument(help="A whole number.")],
    db: DbOption = None,
) -> None:
    """Change a setting."""
    from srs.store import SETTINGS

    if key not in SETTINGS:
        raise SrsError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    try:
        number = int(value)
    except ValueError:
        raise SrsError(f"{key} must be a whole number, not {value!r}") from None
    with open_store(db) as store:
        store.set_setting(key, number)
    print(f"{key} = {number}")


# ---------------------------------------------------------------- postpone


@app.command(context_settings={"ignore_unknown_options": True})
def postpone(
    days: Annotated[int | None, typer.Argument(help="Move due dates this many days later.")] = None,
    deck: DeckOption = None,
    undo: Annotated[bool, typer.Option("--undo", help="Revert the last postpone.")] = False,
    db: DbOption = None,
) -> None:
    """Move every scheduled card's due date (not new cards) later, as one undoable step."""
    with open_store(db) as store:
        now, today, _ = today_of(store)
        if undo:
            if days is not None or deck is not None:
                raise SrsError("--undo takes no DAYS or --deck")
            shift, restored, kept = store.undo_postpone(now)
            line = f"Undid a postpone by {shift} days: {restored} cards restored"
            if kept:
                line += f", {kept} reviewed since kept their new schedule"
            print(line + ".")
            return
        if days is None:
            raise SrsError("say how many days: `srs postpone DAYS` (or --undo)")
        n = store.postpone(deck, days, now, today)
    print(f"Postponed {n} card{'s' * (n != 1)} by {days} day{'s' * (days != 1)}.")
