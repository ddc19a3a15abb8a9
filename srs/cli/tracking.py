"""The tracking commands: due, decks, stats, cards, show."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer

from srs.cli import options
from srs.cli.options import DbOption, DeckOption, shorten
from srs.due import show_due
from srs.records import CardRow
from srs.runtime import open_store, today_of


def register(app: typer.Typer) -> None:
    app.command()(due)
    app.command()(decks)
    app.command()(stats)
    app.command()(cards)
    app.command()(show)


def due(
    deck: DeckOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Print one line from a template with the fields {new} {learning} {review}"
            " {due} (= learning + review) {total}, e.g. --format '{review}+{new}'"
            " for a shell prompt or tmux status line.",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="What will be due on that day: 2026-12-04, friday, tomorrow, +3d, +2w.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """What is left to study today: new, learning, review, per deck and in total."""
    show_due(deck=deck, as_json=as_json, fmt=fmt, on=on, db=db)


def decks(db: DbOption = None) -> None:
    """Each deck with its number of cards and what is due today."""
    with open_store(db) as store:
        rows = store.deck_table(today_of(store).day)
    if not rows:
        print("No decks yet: `srs import FILE` adds some.")
        return
    width = max(len(r.deck) for r in rows)
    print(f"{'deck':<{width}}  {'cards':>6}  {'due':>5}")
    for r in rows:
        print(f"{r.deck:<{width}}  {r.cards:>6}  {r.due.total:>5}")


def _pct(group: dict) -> str:
    if group["rate"] is None:
        return "-"
    return f"{100 * group['rate']:.0f}% of {group['reviews']}"


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
        today = today_of(store)
        data = figures.gather(store, today.day, today.settings, deck=deck, days=days)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width, color = min(options.width(), 100), options.color()
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
            print(head + shorten(h["question"], max(10, width - len(head))))


def _card_json(card: CardRow, today: dt.date) -> dict:
    state = card.state
    return {
        "id": card.id,
        "deck": card.deck,
        "question": card.question,
        "due": state.due and state.due.isoformat(),
        "interval": state.sm2.interval,
        "ef": state.sm2.ef / 100,
        "reps": state.sm2.repetitions,
        "lapses": state.lapses,
        "state": card.status(today),
    }


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
    with open_store(db) as store:
        today = today_of(store)
        rows = list(
            store.list_cards(
                deck,
                due_by=today.day if due else None,
                search=search,
                min_lapses=today.settings.leech_threshold if leeches else None,
            )
        )
    out = [_card_json(card, today.day) for card in rows]
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
    room = max(30, options.width() - len(head)) if sys.stdout.isatty() else 10_000
    print(head + "question")
    for c in out:
        print(
            f"{c['id']:>5}  {shorten(c['deck'], deck_w):<{deck_w}}  {c['due'] or '-':<10}"
            f"  {c['interval']:>4}  {c['ef']:>4.2f}  {c['reps']:>4}  {c['lapses']:>4}"
            f"  {c['state']:<9}  {shorten(c['question'], room)}"
        )


def show(
    card: Annotated[int, typer.Argument(help="Card id (see `srs cards`).")],
    db: DbOption = None,
) -> None:
    """One card in full, with its schedule and review history."""
    with open_store(db) as store:
        today = today_of(store)
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
    leech = "  (leech)" if s.lapses >= today.settings.leech_threshold else ""
    print()
    print(
        f"state {s.status(today.day, suspended=suspended)}  due {s.due or '-'}"
        f"  interval {s.sm2.interval}  EF {s.sm2.ef / 100:.2f}  reps {s.sm2.repetitions}"
        f"  lapses {s.lapses}{leech}"
    )
    if not history and not changes:
        print("Never reviewed.")
        return
    print()
    # Answers and schedule changes in the order they happened (both stamped in UTC).
    events: list[tuple[dt.datetime, str]] = []
    for r in history:
        events.append(
            (
                r.reviewed_at,
                f"  {r.study_day}  {r.kind:<8} grade {r.grade}"
                f"  -> due {r.due_after or '-'}, interval {r.interval_after},"
                f" EF {r.ef_after / 100:.2f}",
            )
        )
    for c in changes:
        days = f" by {c.days} days" if c.days else ""
        undone = " (undone)" if c.undone_at else ""
        what = "schedule from Anki" if c.kind == "anki" else c.kind
        events.append((c.made_at, f"  {c.study_day}  {what}{days}{undone}"))
    for _, line in sorted(events, key=lambda e: e[0]):
        print(line)
