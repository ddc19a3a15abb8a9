"""The review session on a terminal, or through a pipe: line-based, so both read alike.

It shows what the session returns and passes the keys back; the session grades, the
scheduler schedules and the store commits, before the next card is shown.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

from srs import clock
from srs.errors import SrsError
from srs.records import Grade
from srs.review import Session, Shown, judge

HELP_KEYS = """\
keys: a-z answer (several letters for several right options)
      Enter  take the suggested grade / show the answer
      0-5    grade: 0-2 wrong, 3 hard, 4 good, 5 easy
      u      undo the last grade      q  quit      ?  this help"""


class Quit(Exception):
    """The user ended the session: `q`, Ctrl-C or end of input."""


class Undo(Exception):
    """The user asked to take back the last grade."""


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
            raise Quit from None
        line = line.strip()
        if line.lower() == "q":
            raise Quit
        return line


def run_session(session: Session, term: Terminal, *, started: float) -> None:
    """Review until the session is done or the user quits, then print the summary."""
    with contextlib.suppress(Quit):
        _review_loop(session, term)
    _summary(session, term, time.monotonic() - started)


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
            print(term.style("Undone.", "2"))
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


def _review_one(session: Session, term: Terminal, shown: Shown) -> None:
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
    print(term.style(shown.front(), "1"))
    shown_at = time.monotonic()
    if shown.is_mcq:
        print()
        for letter, text in shown.options():
            print(f"  {letter}) {text}")
        print()
        while True:
            line = _ask_or_undo(session, term, "answer> ")
            try:
                chosen: tuple[int, ...] | None = shown.parse_choice(line)
                break
            except ValueError as e:
                print(str(e))
        duration_ms = int((time.monotonic() - shown_at) * 1000)
        assert chosen is not None
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
        suggested: Grade | None = judgement.suggested
        top = int(judgement.max_grade)
        prompt = f"grade 0-{top} [{int(judgement.suggested)}]> "
    else:
        _ask_or_undo(session, term, "(Enter shows the answer)> ")
        duration_ms = int((time.monotonic() - shown_at) * 1000)
        print(term.style("Answer:", "1"), shown.back())
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


def _summary(session: Session, term: Terminal, seconds: float) -> None:
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
