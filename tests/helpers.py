"""What the tests share, in one place (no test module imports another):

- paths, the pinned clock and question factories;
- `srs` as a real process (`run_srs`) and through typer's CliRunner (`cli`);
- a review session driven through real pipes (`Interactive`), with the bundled decks' key;
- a studied collection (`build`): two decks studied over two weeks, with a fixed script;
- query plans: `assert_indexed` on what `Store.trace()` captured.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import strategies as st

# The simulated learner (FSRS tests) lives in scripts/: the README's FSRS example uses it too.
from scripts.learner import LEARNER_PARAMETERS, simulate_learner  # noqa: F401
from srs.records import ParseResult, Problem, Question
from srs.review import Session
from srs.settings import Settings
from srs.store import Store

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "data"  # the two real question banks, byte for byte
SEED_BLOCKS = SEEDS / "000_5ea82a7b50d7c342.txt"
SEED_LETTERED = SEEDS / "004_46d224c5dbc66bc5.txt"
DECKS = REPO / "decks"
SRS = [sys.executable, "-m", "srs"]

NOW = "2026-11-22T09:00:00"  # a Sunday morning, local time (conftest pins SRS_NOW to it)
TODAY = dt.date(2026, 11, 22)


def now_at(text: str = NOW) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- questions


def mcq(
    text: str = "Which is a prime?",
    options: tuple[str, ...] = ("right", "wrong 1", "wrong 2"),
    answers: tuple[int, ...] = (0,),
    **kw,
) -> Question:
    """A multiple-choice question; by default the first option is the right one."""
    return Question(text=text, kind="mcq", options=tuple(options), answers=tuple(answers), **kw)


def basic(text: str = "Capital of France?", answer: str = "Paris", **kw) -> Question:
    """A question/answer question."""
    return Question(text=text, kind="basic", answer=answer, **kw)


# ---------------------------------------------------------------- the CLI


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(extra)
    return env


def run_srs(
    *args: str, input: str = "", cwd: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess:
    """`srs` as a real process, stdin a pipe; `env` adds environment variables."""
    return subprocess.run(
        [*SRS, *args],
        input=input,
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        cwd=cwd,
        timeout=timeout,
    )


def cli(*args: str, db: Path | str | None = None, input: str | None = None):
    """`srs ARGS [--db DB]` through typer's CliRunner. An SrsError is left as the result's
    exception (the real entry point turns it into one line; `one_line_error` checks it)."""
    from typer.testing import CliRunner

    from srs.cli.app import app

    argv = [*args, *(["--db", str(db)] if db is not None else [])]
    return CliRunner().invoke(app, argv, input=input)


def one_line_error(result, text: str) -> None:
    """An SrsError reaching `main` prints `error: ...`; in CliRunner it is the exception."""
    from srs.errors import SrsError

    assert result.exit_code != 0
    assert isinstance(result.exception, SrsError), result.output
    assert text in str(result.exception)
    assert "\n" not in str(result.exception)


# ---------------------------------------------------------------- review through pipes


def answer_key() -> dict[str, set[str]]:
    """Question text -> its right option texts, from the bundled decks."""
    from srs.importers import read_file

    key = {}
    for path in sorted(DECKS.glob("*.md")):
        for q in read_file(path).questions:
            key[q.text] = {q.options[i] for i in q.answers}
    return key


class Interactive:
    """Drives `srs review` through real pipes, answering what it reads."""

    def __init__(self, db, now: str = NOW, *, stderr=None, **env: str):
        self.proc = subprocess.Popen(
            [*SRS, "review", "--db", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=subprocess_env(SRS_NOW=now, **env),
        )
        self.buffer = b""

    def read_until(self, *prompts: bytes, timeout: float = 30) -> bytes:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while not any(self.buffer.endswith(p) for p in prompts):
            if self.proc.poll() is not None and not select.select([fd], [], [], 0)[0]:
                break
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no prompt after {timeout}s: {self.buffer[-300:]!r}"
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self.buffer += chunk
        out, self.buffer = self.buffer, b""
        return out

    def send(self, line: str) -> None:
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def answer(self, screen: bytes, key: dict[str, set[str]], *, right: bool = True) -> int:
        """Answer the card on `screen` (right or wrong) from `key`; returns its card id."""
        text = screen.decode()
        card_id = int(re.findall(r"#(\d+)\n", text)[-1])
        question = next(q for q in key if q in text)
        options = dict(re.findall(r"^  ([a-z])\) (.*)$", text, re.M))
        rights = {letter for letter, opt in options.items() if opt in key[question]}
        if right:
            self.send("".join(sorted(rights)))
        else:
            self.send(next(letter for letter in options if letter not in rights))
        return card_id

    def finish(self) -> str:
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        assert self.proc.wait(timeout=30) == 0
        return rest.decode()


# ---------------------------------------------------------------- review in a pseudo-terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn_review(db, *args: str, columns: int = 80, color: bool = False, **env: str):
    """`srs review --db DB ARGS` in a real pseudo-terminal `columns` wide (pexpect).

    The terminal is an xterm; `color` False sets NO_COLOR. COLUMNS is removed: the width is
    the terminal's own, as for a user.
    """
    import pexpect

    environment = subprocess_env(TERM="xterm-256color", **env)
    environment.pop("COLUMNS", None)
    environment.pop("LINES", None)
    if not color:
        environment["NO_COLOR"] = "1"
    return pexpect.spawn(
        SRS[0],
        [*SRS[1:], "review", "--db", str(db), *args],
        env=environment,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, columns),
    )


def screen_lines(text: str) -> list[str]:
    """What a terminal shows of `text`: escape sequences dropped, one string a line."""
    return ANSI.sub("", text).replace("\r\n", "\n").split("\n")


def study_day(db, now: str, key: dict[str, set[str]], wrong: set[str] = frozenset()) -> int:
    """Answer every card due at `now` right (wrong the first time, for questions in `wrong`)."""
    wrong = set(wrong)
    session = Interactive(db, now)
    answered = 0
    while True:
        screen = session.read_until(b"answer> ", b"Due tomorrow: ")
        if not screen.endswith(b"answer> "):
            break
        question = next(q for q in key if q in screen.decode())
        session.answer(screen, key, right=question not in wrong)
        graded = session.read_until(b"> ")
        assert (b"Wrong." if question in wrong else b"Right.") in graded
        wrong.discard(question)
        session.send("")  # take the suggested grade
        answered += 1
    session.finish()
    return answered


# ---------------------------------------------------------------- a studied collection

# Studied every day from the 10th except the 13th and the 16th: the streak is 17-22.
STUDY_DAYS = [dt.date(2026, 11, d) for d in (10, 11, 12, 14, 15, 17, 18, 19, 20, 21) + (22,)]
STUDY_SETTINGS = Settings(new_per_day=4)


def grade_of(card_id: int, day: dt.date, queue: str) -> int:
    """A fixed, varied script: repeats pass, some first answers fail, the rest vary."""
    if queue == "learning":
        return 4
    if (card_id + day.toordinal()) % 5 == 0:
        return 1
    return 3 + (card_id + day.day) % 3


def study(store: Store, day: dt.date) -> None:
    """One day of the script: every card the session offers, graded by `grade_of`."""
    session = Session(store, day, random.Random(0), settings=STUDY_SETTINGS)
    now = dt.datetime.combine(day, dt.time(9), dt.UTC)
    while (shown := session.next_card()) is not None:
        session.grade(shown, grade_of(shown.card.id, day, shown.queue), now=now, duration_ms=900)


def build(store: Store, days=STUDY_DAYS) -> None:
    """Two decks (8 French multiple-choice, 6 Maths question/answer) studied on `days`."""
    store.import_questions(
        [
            ("Lang::French", "fr.md", [mcq(f"french {i}") for i in range(8)]),
            ("Maths", "maths.md", [basic(f"maths {i}") for i in range(6)]),
        ],
        dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    for day in days:
        study(store, day)


# ---------------------------------------------------------------- query plans

SMALL_TABLES = {"settings", "decks", "_sqlite_migrations"}  # a scan of these is fine


def query_plan(store: Store, statement: str) -> list[str]:
    """SQLite's plan for a statement (as `Store.trace()` captured it, parameters bound)."""
    return [row[-1] for row in store.conn.execute("EXPLAIN QUERY PLAN " + statement)]


def reads(statements: list[str]) -> list[str]:
    """The statements that read or change rows (not BEGIN, SAVEPOINT, INSERT...)."""
    return [
        s for s in statements if s.lstrip().split()[0].upper() in {"SELECT", "UPDATE", "DELETE"}
    ]


def assert_indexed(store: Store, statements: list[str]) -> None:
    """No full scan of a big table: every SCAN step (tables may be aliased) walks an index."""
    assert statements
    for statement in statements:
        plan = query_plan(store, statement)
        for step in plan:
            words = step.split()
            if words[0] != "SCAN" or words[1].startswith("(") or words[1] in SMALL_TABLES:
                continue
            # "SCAN x USING ... INDEX" walks an index in order (bounded by a LIMIT): fine.
            assert "INDEX" in step, f"{statement}\n  -> {plan}"


# ---------------------------------------------------------------- parsers

# Arbitrary text, biased towards the fragments the parsers react to.
FRAGMENTS = [
    "\n",
    "\r\n",
    "\r",
    "---",
    "## ",
    "# ",
    "###",
    "- [ ] ",
    "- [x] ",
    "- [] ",
    "- A. ",
    "- B. ",
    "Answer: ",
    "A, C",
    "(Correct)",
    "(Correc)",
    "(Incorrect)",
    "> ",
    "id: ",
    "tags: ",
    "title: ",
    "```",
    "~~~",
    "::",
    "  ",
    "\t",
    "\ufeff",
    "\x00",
    "Q?",
    "x",
]
TEXT = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=40).map("".join)


def check(result: ParseResult, text: str) -> None:
    lines = text.count("\n") + text.count("\r") + 1
    assert isinstance(result, ParseResult)
    assert all(isinstance(p, Problem) and 0 <= p.line <= lines for p in result.problems)
    for q in result.questions:
        assert 1 <= q.line <= lines and q.text
        if q.kind == "mcq":
            assert len(q.options) >= 2 and all(q.options)
            assert q.answers and len(q.answers) < len(q.options)
            assert all(0 <= i < len(q.options) for i in q.answers)
        else:
            assert q.answer and not q.options
    # Every question that is dropped has an error saying so; nothing vanishes silently.
    assert result.questions or result.problems
