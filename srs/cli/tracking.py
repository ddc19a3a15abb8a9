"""The tracking commands: due, decks, stats, cards, show."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from srs.cli import options
from srs.cli.options import CardId, DbOption, DeckOption, shorten
from srs.runtime import open_store, today_of

if TYPE_CHECKING:
    from srs.records import CardRow, CardState


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
            metavar="TEMPLATE",
            help="Print one line from a template with the fields {new} {learning} {review}"
            " {due} (= learning + review) {total}, e.g. --format '{review}+{new}'"
            " for a shell prompt or tmux status line.",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DAY",
            help="What will be due on that day: 2026-12-04, friday, tomorrow, +3d, +2w.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """What is left to study today, per deck and in total.

    New, learning (same-day repeats) and review cards, under the day's limits.
    """
    from srs.due import show_due

    show_due(deck=deck, as_json=as_json, fmt=fmt, on=on, db=db)


def decks(db: DbOption = None) -> None:
    """Each deck with its number of cards and what is due today."""
    with open_store(db, read_only=True) as store:
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
    days: Annotated[
        int,
        typer.Option("--days", metavar="N", help="Window of the forecast, history and retention."),
    ] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Your progress: forecast, history, calendar, retention.

    Also card states, streak, EF spread (under FSRS: difficulty) and the hardest cards.
    """
    from srs import charts
    from srs import stats as figures

    with open_store(db, read_only=True) as store:
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
        bold(f"Retention in the last {days} days")
        + f"  young {_pct(r['young'])}  mature {_pct(r['mature'])}  (first grades >= 3)"
    )
    if data["fsrs"] is not None:
        _fsrs_stats(data["fsrs"], days, width, color, bold)
    print()
    if data["fsrs"] is None:
        ef = data["ef"]
        mean = "-" if ef["mean"] is None else f"{ef['mean']:.2f}"
        print(bold("EF spread") + f"  (mean {mean})")
        rows = charts.ef_rows(ef["buckets"])
    else:  # the EF is SM-2's, which does not schedule the cards now
        spread = data["fsrs"]["difficulty"]
        mean = "-" if spread["mean"] is None else f"{spread['mean']:.1f}"
        print(bold("Difficulty spread") + f"  (mean {mean}; FSRS, 1 easiest to 10 hardest)")
        rows = [(f"{b['from']}-{b['to']}", b["cards"]) for b in spread["buckets"]]
    for line in charts.histogram(rows, width=min(width, 50), color=color):
        print("  " + line)
    if data["hardest"]:
        print()
        print(bold("Hardest cards"))
        for h in data["hardest"]:
            figure = f"EF {h['ef']:.2f}" if data["fsrs"] is None else f"D {h['difficulty']:4.1f}"
            head = f"  #{h['id']:<5} {figure}  lapses {h['lapses']:<3} "
            print(head + shorten(h["question"], max(10, width - len(head))))


def _fsrs_stats(fsrs: dict, days: int, width: int, color: bool, bold) -> None:
    """`srs stats` under FSRS: true retention against the desired one, retrievability today."""
    from srs import charts

    true = fsrs["true_retention"]
    rate = "-" if true["rate"] is None else f"{100 * true['rate']:.0f}% of {true['reviews']}"
    print(
        bold(f"True retention in the last {days} days")
        + f"  {rate}  (desired {100 * fsrs['desired_retention']:.0f}%, first grades >= 3)"
    )
    print()
    print(bold("Retrievability today") + "  (FSRS's predicted recall of each scheduled card)")
    rows = [
        (f"{100 * b['from']:.0f}-{100 * b['to']:.0f}%", b["cards"]) for b in fsrs["retrievability"]
    ]
    for line in charts.histogram(rows, width=min(width, 50), color=color):
        print("  " + line)


def _card_json(card: CardRow, today: dt.date) -> dict:
    state = card.state
    status = card.status(today)
    due = _due_shown(state, status, today)
    return {
        "id": card.id,
        "deck": card.deck,
        "question": card.question,
        "due": due and due.isoformat(),
        "interval": state.interval,
        "ef": state.sm2.ef / 100,
        "reps": state.sm2.repetitions,
        "lapses": state.lapses,
        "state": status,
        # FSRS's memory of the card (null without one: new, or never under FSRS).
        "stability": None if state.memory is None else round(state.memory.stability, 2),
        "difficulty": None if state.memory is None else round(state.memory.difficulty, 2),
    }


def _due_shown(state: CardState, status: str, today: dt.date) -> dt.date | None:
    """The day a card is due as `srs cards` shows it: a card failed today comes back today
    (its schedule's due date counts once it passes)."""
    return today if status == "learning" else state.due


def cards(
    deck: DeckOption = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due", help="Only cards due today (reviews, and repeats of cards failed today)."
        ),
    ] = False,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", metavar="TEXT", help="Text in the question, answer, options or tags."
        ),
    ] = None,
    leeches: Annotated[
        bool, typer.Option("--leeches", help="Only leeches (lapses >= leech_threshold).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List cards with their schedule.

    Due date, interval, EF (under FSRS: difficulty), repetitions, lapses and state. On a
    terminal the table fits its width; into a pipe each question is printed whole.
    Streamed: the first lines show at once however many cards there are (`srs cards | less`).
    """
    with open_store(db, read_only=True) as store:
        today = today_of(store)
        rows = store.list_cards(
            deck,
            due_by=today.day if due else None,
            search=search,
            min_lapses=today.settings.leech_threshold if leeches else None,
        )
        if as_json:
            _print_json_list(_card_json(card, today.day) for card in rows)
            return
        fsrs = today.settings.scheduler == "fsrs"
        # The first page sizes the columns; the rest streams in them (a longer cell pushes its
        # line out a little rather than hold every row back).
        page = list(itertools.islice(rows, _PAGE))
        if not page:
            # New cards are never "due": say so, or `--due` on a first day looks empty.
            if due:
                print("No cards due today (new cards are listed without --due).")
            elif leeches:
                threshold = today.settings.leech_threshold
                print(f"No leeches (cards with {threshold} lapses or more).")
            else:
                print(f"No cards match {search!r}." if search else "No cards.")
            return
        layout = _CardColumns.fit(
            [_cells(card, today.day, fsrs) for card in page],
            options.width() if sys.stdout.isatty() else None,
            fsrs=fsrs,
        )
        bold = options.color()
        print(f"\033[1m{layout.header()}\033[0m" if bold else layout.header())
        for card in itertools.chain(page, rows):
            print(layout.row(_cells(card, today.day, fsrs), card.question))


_PAGE = 200


def _print_json_list(items: Iterable[dict]) -> None:
    """A JSON array as ``json.dumps(list, indent=2)`` writes it, one item at a time."""
    opened = False
    for item in items:
        body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        print(("[\n  " if not opened else ",\n  ") + body, end="")
        opened = True
    print("\n]" if opened else "[]")


def _cells(card: CardRow, today: dt.date, fsrs: bool = False) -> list[str]:
    """A card's cells in the `srs cards` table, but the question; under FSRS its difficulty
    in place of SM-2's EF."""
    state = card.state
    status = card.status(today)
    due = _due_shown(state, status, today)
    memory = state.memory
    return [
        str(card.id),
        card.deck,
        due.isoformat() if due else "-",
        str(state.interval),
        (f"{memory.difficulty:.1f}" if memory else "-") if fsrs else f"{state.sm2.ef / 100:.2f}",
        str(state.sm2.repetitions),
        str(state.lapses),
        status,
    ]


class _CardColumns:
    """The `srs cards` table's columns, sized on the first page of rows, and the room left
    for the question on a terminal of ``columns`` (None: into a pipe, questions whole)."""

    HEADS = ("id", "deck", "due", "ivl", "EF", "reps", "laps", "state")
    FSRS_HEADS = ("id", "deck", "due", "ivl", "D", "reps", "laps", "state")  # D: difficulty
    RIGHT = (True, False, False, True, True, True, True, False)

    def __init__(self, widths: list[int], room: int | None, heads: tuple[str, ...]) -> None:
        self.widths = widths
        self.room = room
        self.heads = heads

    @classmethod
    def fit(cls, page: list[list[str]], columns: int | None, *, fsrs: bool = False) -> _CardColumns:
        heads = cls.FSRS_HEADS if fsrs else cls.HEADS
        widths = [max(len(h), *(len(row[i]) for row in page)) for i, h in enumerate(heads)]
        widths[1] = min(widths[1], 24)
        widths[4] = max(widths[4], 4)  # "10.0" later in the stream (D is 1-10, EF 1.30-)
        if columns is None:
            return cls(widths, None, heads)
        # The question gets what the other columns (a space apart) leave of the line, at
        # least 20 characters, taken from a long deck name first (down to 12).
        room = columns - sum(widths) - len(widths)
        cut = max(0, min(20 - room, widths[1] - 12))
        widths[1] -= cut
        return cls(widths, max(10, room + cut), heads)

    def _line(self, cells: list[str], question: str) -> str:
        out = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, self.widths, self.RIGHT, strict=True)
        ]
        return (" ".join(out) + " " + question).rstrip()

    def header(self) -> str:
        return self._line(list(self.heads), "question")

    def row(self, cells: list[str], question: str) -> str:
        deck, width = cells[1], self.widths[1]
        if len(deck) > width:  # keep its end, where decks differ ("…::CI-CD for ML")
            cells[1] = "…" + deck[len(deck) - width + 1 :]
        question = " ".join(question.split())
        if self.room is not None:
            question = shorten(question, self.room)
        return self._line(cells, question)


def show(
    card: CardId,
    db: DbOption = None,
) -> None:
    """One card in full, with its schedule and review history."""
    from srs import card_faces

    with open_store(db, read_only=True) as store:
        today = today_of(store)
        suspended = store.is_suspended(card)  # first: it checks the id is in SQLite's range
        sc = store.study_card(card)
        history = store.reviews(card)
        changes = store.schedule_changes(card)
    q = sc.question
    print(f"#{sc.id}  {sc.deck}")
    if q.title:
        print(q.title)
    # This card's sides: a reversed card asks the answer, a cloze card its gap.
    print(card_faces.front(q, sc.ord))
    for i, option in enumerate(q.options):
        mark = "x" if i in q.answers else " "
        print(f"  [{mark}] {option}")
    back = card_faces.back(q, sc.ord)
    if back:
        print(f"Answer: {back}")
    if q.explanation:
        print(q.explanation)
    if q.tags:
        print(f"Tags: {' '.join(q.tags)}")
    s = sc.state
    leech = "  (leech)" if s.lapses >= today.settings.leech_threshold else ""
    print()
    status = s.status(today.day, suspended=suspended)
    # A card failed today: due again today, then on its schedule's date once passed.
    due = f"again today, then {s.due}" if status == "learning" else s.due or "-"
    # A card FSRS scheduled: the interval it chose, and SM-2's beside it if they differ.
    interval = f"{s.interval}" + (
        f" (SM-2: {s.sm2.interval})" if s.interval != s.sm2.interval else ""
    )
    print(
        f"state {status}  due {due}"
        f"  interval {interval}  EF {s.sm2.ef / 100:.2f}  reps {s.sm2.repetitions}"
        f"  lapses {s.lapses}{leech}"
    )
    if sc.ord not in card_faces.ords(q):  # suspended by the import that saw it go
        print("Its question no longer makes this card (a cloze gap or `reversed:` removed).")
    if s.memory is not None:  # FSRS's state of the card (kept once FSRS has seen it)
        print(
            f"FSRS memory: stability {s.memory.stability:.1f} days,"
            f" difficulty {s.memory.difficulty:.1f} (1-10)"
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
                f"  -> due {r.due_after or '-'}, interval {r.scheduled_interval},"
                f" EF {r.ef_after / 100:.2f}",
            )
        )
    for c in changes:
        days = f" by {c.days} days" if c.days else ""
        undone = " (undone)" if c.undone_at else ""
        # "anki": a schedule taken at an import (Anki's, or one srs gave it elsewhere).
        what = "schedule imported" if c.kind == "anki" else c.kind
        if c.kind == "anki":  # the schedule it took, as an answer's line shows what it set
            a = c.after
            what += f"  -> due {a.due or '-'}, interval {a.interval}, EF {a.sm2.ef / 100:.2f}"
        events.append((c.made_at, f"  {c.study_day}  {what}{days}{undone}"))
    for _, line in sorted(events, key=lambda e: e[0]):
        print(line)
