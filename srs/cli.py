"""The `srs` command: typer commands and terminal I/O only.

Each command parses its arguments, opens the store, calls the library and
prints. Heavy modules (genanki, the exporter, sqlite-utils) are imported inside
the commands that use them, so `srs due` in a shell prompt stays quick.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from srs import __version__, clock
from srs.errors import SrsError
from srs.fastpath import err, open_store, show_due, today_of

app = typer.Typer(
    name="srs",
    help="Spaced-repetition flashcards in the terminal (SM-2), with Anki export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file. Default: $SRS_DB, else the user data dir (~/.local/share/srs/srs.db).",
        show_default=False,
        dir_okay=False,
        readable=False,  # Store.open says what is wrong with the file, in one line
    ),
]
DeckOption = Annotated[
    str | None, typer.Option("--deck", "-d", help="Only this deck and its sub-decks.")
]


def _version(value: bool) -> None:
    if value:
        print(f"srs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Spaced-repetition flashcards in the terminal (SM-2), with Anki export."""


# ---------------------------------------------------------------- import


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        # readable=False: read_file reports an unreadable file as one line, exit 1, not click.
        typer.Argument(help="Question files, or folders of them.", readable=False),
    ],
    deck: Annotated[
        str | None, typer.Option("--deck", "-d", help="Deck for all questions ('::' nests).")
    ] = None,
    first_option_correct: Annotated[
        bool,
        typer.Option(help="In files with nothing marked, the first option is the right one."),
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the valid questions even if others have errors.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Report what would change; write nothing.")] = False,
    prune: Annotated[
        bool, typer.Option(help="Delete questions that are no longer in their source file.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing if the database already has cards.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import question banks; re-importing updates questions in place and keeps progress."""
    from srs.importers import expand_paths, read_file

    if deck is not None and not deck.strip(" :"):
        raise SrsError("--deck needs a name")
    if if_empty:
        with open_store(db) as store:
            count = store.card_count()
        if count:
            print(f"{count} cards already in the database; nothing imported.")
            return
    results = [read_file(p, first_option_correct=first_option_correct) for p in expand_paths(paths)]
    errors = 0
    for result in results:
        for problem in result.problems:
            err(str(problem))
        errors += len(result.errors)
    if errors and not skip_invalid:
        err(
            f"{errors} error{'s' * (errors != 1)}; nothing imported"
            " (--skip-invalid imports the valid questions)"
        )
        raise typer.Exit(1)
    batches = [
        (deck or r.deck or Path(r.path).stem, str(Path(r.path).resolve()), r.questions)
        for r in results
    ]
    with open_store(db) as store:
        summaries = store.import_questions(batches, clock.now(), prune=prune, dry_run=dry_run)
    for result, s in zip(results, summaries, strict=True):
        line = (
            f"{result.path} -> {s.deck}: {s.added} added, {s.updated} updated,"
            f" {s.unchanged} unchanged"
        )
        if s.pruned:
            line += f", {s.pruned} pruned"
        print(line)
        if s.gone and not s.pruned:
            print(f"  {len(s.gone)} no longer in the source (kept; --prune deletes them):")
            for text in s.gone:
                print(f"    - {_shorten(text, 70)}")
    if errors:
        print(f"Skipped what has errors ({errors} error{'s' * (errors != 1)}, listed above).")
    if dry_run:
        print("Dry run: nothing written.")


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------- due / decks


@app.command()
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


@app.command()
def decks(db: DbOption = None) -> None:
    """Each deck with its number of cards and what is due today."""
    with open_store(db) as store:
        _, today, _ = today_of(store)
        rows = store.deck_table(today)
    if not rows:
        print("No decks yet: `srs import FILE` adds some.")
        return
    width = max(len(r.deck) for r in rows)
    print(f"{'deck':<{width}}  {'cards':>6}  {'due':>5}")
    for r in rows:
        print(f"{r.deck:<{width}}  {r.cards:>6}  {r.due.total:>5}")


# ---------------------------------------------------------------- backup


@app.command()
def backup(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the copy. Default: next to the database, with a timestamp.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Copy the database (safe while a review runs); prints the path written."""
    with open_store(db) as store:
        written = store.backup(path)
    print(written)


# ---------------------------------------------------------------- export


def _default_apkg_name(decks: list[str]) -> str:
    """`<deck>.apkg` for one deck tree, else `srs.apkg`; `::` becomes `-`, unsafe characters `_`."""
    roots = {name.split("::")[0] for name in decks}
    name = decks[0] if len(decks) == 1 else (roots.pop() if len(roots) == 1 else "srs")
    safe = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in name.replace("::", "-"))
    return safe.strip(" .") + ".apkg"


@app.command()
def export(
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", "-d", help="Export this deck and its sub-decks (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The .apkg file. Default: <deck>.apkg here."),
    ] = None,
    with_progress: Annotated[
        bool,
        typer.Option(help="Studied cards go as review cards with their SM-2 state and history."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export decks as an Anki package (.apkg); re-exporting updates the notes in Anki."""
    from exporters.anki import write_apkg

    with open_store(db) as store:
        now, today, _ = today_of(store)
        if not store.deck_names():
            raise SrsError("nothing to export: the database has no decks (run `srs import`)")
        names = deck or store.export_deck_names(deck)
        path = output or Path(_default_apkg_name(names))
        # Streamed: the cards go from the database to the package one at a time.
        cards = store.iter_export_cards(deck, history=with_progress)
        summary = write_apkg(cards, path, today=today, now=now, with_progress=with_progress)
    size = (
        f"{summary.bytes / 1024:.1f} KiB"
        if summary.bytes < 1 << 20
        else (f"{summary.bytes / (1 << 20):.1f} MiB")
    )
    print(
        f"Wrote {path}: {summary.notes} notes, {summary.cards} cards,"
        f" {summary.decks} deck{'s' * (summary.decks != 1)}, {size}"
        + (" (with progress)" if with_progress else "")
    )


# ---------------------------------------------------------------- review

HELP_KEYS = """\
keys: a-z answer (several letters for several right options)
      Enter  take the suggested grade / show the answer
      0-5    grade: 0-2 wrong, 3 hard, 4 good, 5 easy
      u      undo the last grade      q  quit      ?  this help"""


class _Quit(Exception):
    pass


class _Undo(Exception):
    pass


class Terminal:
    """Line-based I/O that works the same on a terminal and through a pipe."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty() and sys.stdout.isatty()
        self.color = sys.stdout.isatty() and "NO_COLOR" not in os.environ

    def style(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def ask(self, prompt: str) -> str:
        """One line of input, stripped; `q`, end of input and Ctrl-C end the session."""
        try:
            if self.tty:
                line = input(prompt)
            else:
                sys.stdout.write(prompt)
                sys.stdout.flush()
                line = sys.stdin.readline()
                if not line:
                    raise EOFError
                # Echo what was read, so a piped session's transcript reads like a terminal's.
                sys.stdout.write(line.rstrip("\r\n") + "\n")
        except (EOFError, KeyboardInterrupt):
            print()
            raise _Quit from None
        line = line.strip()
        if line.lower() == "q":
            raise _Quit
        return line


@app.command()
def review(
    deck: DeckOption = None,
    new: Annotated[
        int | None, typer.Option("--new", help="New cards this session (default: today's limit).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N cards.")] = None,
    cram: Annotated[
        bool, typer.Option("--cram", help="Practise any cards; their schedule is not changed.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Study what is due: repeats, due reviews, then new cards."""
    from srs.review import Session

    seed = os.environ.get("SRS_SEED")  # a fixed option shuffle, for tests and demos
    if seed and not seed.strip().lstrip("-").isdecimal():
        raise SrsError(f"SRS_SEED must be an integer, not {seed!r}")
    rng = random.Random(int(seed)) if seed else random.Random()
    term = Terminal()
    with open_store(db) as store:
        _, today, settings = today_of(store)
        session = Session(
            store, today, rng, deck=deck, settings=settings, new_limit=new, limit=limit, cram=cram
        )
        started = time.monotonic()
        with contextlib.suppress(_Quit):
            _review_loop(session, term)
        _summary(session, term, time.monotonic() - started)


def _review_loop(session, term: Terminal) -> None:
    shown = None
    while True:
        shown = shown or session.next_card()
        if shown is None:
            return
        try:
            _review_one(session, term, shown)
            shown = None
        except _Undo:
            try:
                session.undo(pending=shown)
            except SrsError as e:  # graded again by another session: this one goes on
                print(f"Cannot undo: {e}")
                continue
            print(term.style("Undone.", "2"))
            shown = None


def _ask_or_undo(session, term: Terminal, prompt: str) -> str:
    while True:
        line = term.ask(prompt)
        if line == "?":
            print(HELP_KEYS)
            continue
        if line.lower() == "u":
            if session.can_undo():
                raise _Undo
            print("Nothing to undo yet.")
            continue
        return line


def _review_one(session, term: Terminal, shown) -> None:
    from srs.review import judge
    from srs.sm2 import Grade

    left = session.remaining()
    left[shown.queue] += 1  # the card on screen is still to do
    card = shown.card
    q = card.question
    print()
    print(
        term.style(
            f"[{left['new']} new · {left['learning']} learning · {left['review']} review]"
            f"  {card.deck}  #{card.id}",
            "2",
        )
    )
    if q.title:
        print(term.style(q.title, "1"))
    print(term.style(q.text, "1"))
    shown_at = time.monotonic()
    if shown.is_mcq:
        print()
        for letter, text in shown.options():
            print(f"  {letter}) {text}")
        print()
        while True:
            line = _ask_or_undo(session, term, "answer> ")
            try:
                chosen = shown.parse_choice(line)
                break
            except ValueError as e:
                print(str(e))
        duration_ms = int((time.monotonic() - shown_at) * 1000)
        judgement = judge(shown, chosen)
        right_options = [
            f"{letter}) {text}"
            for letter, text in shown.options()
            if letter in judgement.right_letters
        ]
        if judgement.correct:
            print(term.style("Right.", "32;1"), " ".join(right_options))
        else:
            print(term.style("Wrong.", "31;1"), "The answer:", " ".join(right_options))
        if q.explanation:
            print(q.explanation)
        suggested = judgement.suggested
        top = int(judgement.max_grade)
        prompt = f"grade 0-{top} [{int(suggested)}]> "
    else:
        _ask_or_undo(session, term, "(Enter shows the answer)> ")
        duration_ms = int((time.monotonic() - shown_at) * 1000)
        print(term.style("Answer:", "1"), q.answer)
        if q.explanation:
            print(q.explanation)
        chosen, judgement, suggested, top = None, None, None, 5
        prompt = "grade 0-5> "
    while True:
        line = _ask_or_undo(session, term, prompt)
        if not line and suggested is not None:
            grade = suggested
        elif line.isdecimal() and line.isascii() and int(line) <= top:
            grade = Grade(int(line))
        elif line.isdecimal() and line.isascii() and int(line) <= 5:
            print(f"A wrong answer can be graded 0-{top}.")
            continue
        else:
            print(f"Type a grade 0-{top} (? for help).")
            continue
        break
    log = session.grade(
        shown,
        grade,
        now=clock.now(),
        duration_ms=duration_ms,
        chosen=chosen,
        judgement=judgement,
    )
    if log is not None and session.became_leech(log):
        suspended = " and suspended" if session.settings.suspend_leeches else ""
        print(
            term.style(f"Leech: {log.after.lapses} lapses{suspended}", "33;1"),
            "(`srs cards --leeches` lists them).",
        )
    if log is None:
        print("Already graded in another session; skipped.")
    elif session.cram:
        print(term.style("Cram: schedule unchanged.", "2"))
    elif log.after.needs_repeat(session.today):
        print(term.style("Again later today.", "2"))
    else:
        days = (log.after.due - session.today).days if log.after.due else 0
        print(term.style(f"Next in {days} day{'s' * (days != 1)}.", "2"))


def _summary(session, term: Terminal, seconds: float) -> None:
    tally = session.tally
    minutes, secs = divmod(int(seconds), 60)
    took = f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
    print()
    if tally.reviewed == 0:
        print(f"Nothing reviewed. Due tomorrow: {session.due_tomorrow()}.")
        return
    right = round(100 * tally.right / tally.reviewed)
    print(
        term.style("Session done:", "1"),
        f"{tally.reviewed} reviewed, {right}% right, {took}."
        f" Due tomorrow: {session.due_tomorrow()}.",
    )


# stats, cards, show, suspend, reset, forget, config, postpone: registered on `app` there.
from srs import cli_control  # noqa: E402, F401

# ---------------------------------------------------------------- entry point


def main() -> None:
    try:
        app()
    except SrsError as e:
        err(f"error: {e}")
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
