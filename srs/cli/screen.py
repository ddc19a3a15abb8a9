"""The review session on a terminal, or through a pipe: line-based, so both read alike.

It shows what the session returns and passes the keys back; the session grades, the
scheduler schedules and the store commits, before the next card is shown. Card text is
drawn by :mod:`srs.cli.text` (wrapped to the terminal, code shown as code).

Quitting (`q`, Ctrl-C, end of input) never grades for you: a card answered but not yet
graded is left as it was, and the screen says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time

from rich.console import Console
from rich.text import Text

from srs import clock
from srs.cli.text import Renderer
from srs.errors import SrsError
from srs.records import DueCounts, Grade
from srs.review import Judgement, Session, Shown, judge

HELP_KEYS = """\
keys: a-z    answer (on "choose 2" cards, both letters: "ac")
      Enter  multiple choice, at answer>: show the answer, as not known (counts as wrong)
             other cards: show the answer, then grade yourself
             at grade>: take the suggested grade [in brackets]
      0-5    grade: 0-2 wrong, 3 hard, 4 good, 5 easy (below 4: again later today)
      u      undo the last grade      ?  this help
      q      quit (a card not yet graded stays ungraded)"""


# Once, before the first card: enough to start; `?` shows HELP_KEYS.
KEYS_LINE = "keys: a-z answer · Enter shows the answer · 0-5 grade · u undo · ? help · q quit"


class Quit(Exception):
    """The user ended the session: `q`, Ctrl-C or end of input."""


class Undo(Exception):
    """The user asked to take back the last grade."""


class Terminal:
    """Line-based I/O that works the same on a terminal and through a pipe."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty() and sys.stdout.isatty()
        self.color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        console = Console(
            color_system="auto" if self.color else None,
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=not self.tty,  # a pipe gets whole lines, for the scripts that read it
        )
        self.text = Renderer(console, wrap=self.tty, color=self.color)

    def show(self, lines: list[Text] | Text | str, style: str = "") -> None:
        """Lines of card text (see :mod:`srs.cli.text`), or a message in a style."""
        self.text.print(lines, style)

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
            raise Quit from None
        line = line.strip()
        if line.lower() == "q":
            raise Quit
        return line


def run_session(
    session: Session, term: Terminal, *, started: float, day_note: str | None = None
) -> None:
    """Review until the session is done or the user quits, then print the summary.
    ``day_note``: a line first, after midnight before the rollover hour (runtime.day_note)."""
    queued = sum(session.remaining().values())
    if queued:
        if day_note:
            term.show(day_note, "dim")
        term.show(term.text.lines(Text(KEYS_LINE, style="dim")))
    with contextlib.suppress(Quit):
        _review_loop(session, term)
    _summary(session, term, time.monotonic() - started, queued=queued)


def _review_loop(session: Session, term: Terminal) -> None:
    shown = None
    while True:
        shown = shown or session.next_card()
        if shown is None:
            return
        try:
            _review_one(session, term, shown)
            shown = None
        except Undo:
            try:
                session.undo(pending=shown)
            except SrsError as e:  # graded again by another session: this one goes on
                print(f"Cannot undo: {e}")
                continue
            term.show("Undone.", "dim")
            shown = None


def _ask_or_undo(session: Session, term: Terminal, prompt: str) -> str:
    while True:
        line = term.ask(prompt)
        if line == "?":
            print(HELP_KEYS)
            continue
        if line.lower() == "u":
            if session.can_undo():
                raise Undo
            print("Nothing to undo yet.")
            continue
        return line


def _header(session: Session, shown: Shown) -> str:
    left = session.remaining()
    left[shown.queue] += 1  # the card on screen is still to do
    card = shown.card
    if session.cram:
        counts = f"cram, schedules unchanged · {sum(left.values())} left"
    else:
        counts = f"{left['new']} new · {left['learning']} learning · {left['review']} review"
    return f"[{counts}]  {card.deck}  #{card.id}"


def _review_one(session: Session, term: Terminal, shown: Shown) -> None:
    q = shown.card.question
    print()
    term.show(_header(session, shown), "dim")
    if q.title:
        term.show(q.title, "bold")
    term.show(term.text.card_text(shown.front(), "bold"))
    shown_at = time.monotonic()
    judgement: Judgement | None = None
    chosen: tuple[int, ...] | None = None
    # What a grade above the top gets told: only a right answer can be graded 3 or more.
    capped = "A wrong answer can be graded"
    if shown.is_mcq:
        chosen, judgement = _answer_choice(session, term, shown)
        suggested: Grade | None = judgement.suggested
        top = int(judgement.max_grade)
        prompt = f"grade 0-{top} [{int(judgement.suggested)}]> "
        if not chosen:
            capped = "Not answered counts as wrong: it can be graded"
    else:
        _ask_or_undo(session, term, "(Enter shows the answer)> ")
        lead = Text("Answer: ", style="bold")
        term.show(term.text.card_text(shown.back(), lead=lead))
        suggested, top = None, 5
        prompt = "grade 0-5> "
    duration_ms = int((time.monotonic() - shown_at) * 1000)
    if q.explanation:
        term.show(term.text.card_text(q.explanation))
    try:
        grade = _ask_grade(session, term, prompt, suggested, top, capped)
    except Quit:
        # Quitting never grades for you: the card stays as it was, due as before.
        print(f"Not graded: #{shown.card.id} (quitting never grades for you).")
        raise
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
        term.show(
            Text(f"Leech: {log.after.lapses} lapses{suspended}", style="bold yellow")
            + Text(" (`srs cards --leeches` lists them).")
        )
    if log is None:
        print("Already graded in another session; skipped.")
    elif session.cram:
        term.show("Cram: schedule unchanged.", "dim")
    elif log.after.needs_repeat(session.today):
        # The schedule was set by the day's first grade: the repeat only has to be passed.
        term.show(f"Again later today, then {_due_in(log.after.due, session.today)}.", "dim")
    else:
        days = (log.after.due - session.today).days if log.after.due else 0
        term.show(f"Next in {days} day{'s' * (days != 1)}.", "dim")


def _due_in(due: dt.date | None, today: dt.date) -> str:
    days = (due - today).days if due else 1
    return "tomorrow" if days == 1 else f"in {days} days"


def _answer_choice(
    session: Session, term: Terminal, shown: Shown
) -> tuple[tuple[int, ...], Judgement]:
    """Show the options, read the letters (Enter: not known), judge, show the answer."""
    print()
    if shown.choose > 1:
        term.show(f"Choose {shown.choose}:", "bold")
    for letter, text in shown.options():
        term.show(term.text.option(letter, text))
    print()
    while True:
        line = _ask_or_undo(session, term, "answer> ")
        if not line:
            chosen: tuple[int, ...] = ()  # "I don't know": shown, and counted as wrong
            break
        try:
            chosen = shown.parse_choice(line)
        except ValueError as e:
            print(f"{str(e).capitalize()} (Enter shows the answer, ? for help).")
            continue
        if len(chosen) == shown.choose:
            break
        wanted = "one letter" if shown.choose == 1 else f"{shown.choose} letters"
        print(f"Choose {wanted} (Enter shows the answer, ? for help).")
    judgement = judge(shown, chosen)
    right = [(ltr, text) for ltr, text in shown.options() if ltr in judgement.right_letters]
    if judgement.correct:
        verdict, style, before = "Right.", "bold green", ""
    else:
        verdict, style = ("Wrong.", "bold red") if chosen else ("Not answered.", "bold red")
        before = " The answer:"
    verdict_text = Text(verdict, style=style) + before
    one_line = verdict_text + f" {right[0][0]}) " + term.text.prose(right[0][1])
    if len(right) == 1 and len(term.text.lines(one_line)) == 1:  # `Wrong. The answer: c) text`
        term.show(one_line)
    else:  # each right option on a line of its own, as they were shown
        term.show(verdict_text)
        for letter, text in right:
            term.show(term.text.option(letter, text))
    return chosen, judgement


def _ask_grade(
    session: Session, term: Terminal, prompt: str, suggested: Grade | None, top: int, capped: str
) -> Grade:
    while True:
        line = _ask_or_undo(session, term, prompt)
        if not line and suggested is not None:
            return suggested
        if line.isdecimal() and line.isascii() and int(line) <= top:
            return Grade(int(line))
        if line.isdecimal() and line.isascii() and int(line) <= 5:
            print(f"{capped} 0-{top}.")
        else:
            print(f"Type a grade 0-{top} (? for help).")


def _counts(counts: DueCounts, *, learning: bool = True) -> str:
    """As the header has them: `8 new · 1 learning · 0 review`."""
    parts = [f"{counts.new} new", f"{counts.learning} learning", f"{counts.review} review"]
    return " · ".join(parts if learning else parts[::2])


def _summary(session: Session, term: Terminal, seconds: float, *, queued: int) -> None:
    tally = session.tally
    minutes, secs = divmod(int(seconds), 60)
    took = f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
    print()
    if tally.reviewed == 0:
        print("Nothing reviewed." if queued else "Nothing to review now.")
    else:
        right = round(100 * tally.right / tally.reviewed)
        done = "Cram done:" if session.cram else "Session done:"
        what = "practised (schedules unchanged)" if session.cram else "reviewed"
        line = f" {tally.reviewed} {what}, {right}% right, {took}."
        term.show(Text(done, style="bold") + line)
    left = session.left_today()
    # Cards failed today come back later today (learning) and are due tomorrow as well.
    # A session of one deck speaks of that deck: other decks may still have cards today.
    where = f" in {session.deck}" if session.deck else ""
    print(
        f"Left for today{where}: {_counts(left)}."
        if left.total
        else f"Nothing left for today{where}."
    )
    print(f"Due tomorrow: {_counts(session.due_tomorrow(), learning=False)}.")
