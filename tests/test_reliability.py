"""Nothing lost: crashes, two sessions at once, bad files, bad databases, clock surprises.

Every test here breaks something for real (SIGKILL, a second process, a corrupt or foreign
file, a clock that jumps) and then checks that no grade is lost and no bad input got in.
docs/reliability.md lists what is guaranteed and which test shows it.
"""

from __future__ import annotations

import codecs
import ctypes
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import (
    DECKS,
    NOW,
    SRS,
    TEXT,
    Interactive,
    answer_key,
    check,
    cli,
    run_srs,
    study_day,
    subprocess_env,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs import clock
from srs.errors import SrsError
from srs.importers import parse_text, read_file
from srs.records import ParseResult, Question
from srs.review import Session
from srs.store import Store, migrations

BAD_FILES = Path(__file__).parent / "bad_files"
NOTHING = "nothing imported (--skip-invalid imports the valid questions)"
NOTHING_VALID = "nothing imported"  # no valid question: --skip-invalid is not worth naming


# ---------------------------------------------------------------- helpers


run = run_srs


def checksum(db: Path) -> str:
    """A digest of the schema and every row (SQLite's own dump, so nothing is left out)."""
    conn = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def import_decks(db: Path) -> None:
    """The bundled decks, in-process (quicker than a child; the CLI path is tested elsewhere)."""
    results = [read_file(p) for p in sorted(DECKS.glob("*.md"))]
    batches = [(r.deck, str(Path(r.path).resolve()), r.questions) for r in results]
    with Store.open(db) as store:
        store.import_questions(batches, clock.now())


def assert_schedules_sane(db: Path) -> None:
    """No negative interval, nothing due before its last review, the log agrees with the cards."""
    for card_id, interval, due, last, reps in rows(
        db, "SELECT id, interval, due, last_review, repetitions FROM cards"
    ):
        assert interval >= 0 and reps >= 0, card_id
        if due is None:
            assert last is None, card_id
        else:
            assert last is not None and due > last, (card_id, due, last)
    for before, after in rows(db, "SELECT state_before, state_after FROM reviews ORDER BY id"):
        b, a = json.loads(before), json.loads(after)
        assert a["interval"] >= 0 and b["interval"] >= 0
        assert a["due"] is None or a["due"] > a["last_review"]
    # Each card's state is its newest log row's state_after.
    for card_id, after in rows(
        db,
        "SELECT card_id, state_after FROM reviews r"
        " WHERE id = (SELECT max(id) FROM reviews WHERE card_id = r.card_id)",
    ):
        a = json.loads(after)
        (due, last, interval, ef, reps) = rows(
            db,
            "SELECT due, last_review, interval, ef, repetitions FROM cards WHERE id = ?",
            [card_id],
        )[0]
        assert (due, last, interval, ef, reps) == (
            a["due"],
            a["last_review"],
            a["interval"],
            a["ef"],
            a["repetitions"],
        )


class Driver(Interactive):
    """`srs review` through pipes, with stderr kept (in a file) and a SIGKILL at hand."""

    def __init__(self, db: Path, now: str = NOW, stderr_path: Path | None = None, **env: str):
        self.stderr_file = open(stderr_path or os.devnull, "wb")  # noqa: SIM115
        super().__init__(db, now, stderr=self.stderr_file, **env)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.stderr_file.close()

    def close(self) -> str:
        out = self.finish()
        self.stderr_file.close()
        return out


@pytest.fixture
def decks_db(db_path) -> Path:
    import_decks(db_path)
    return db_path


# ================================================================= crashes


@pytest.mark.parametrize(
    ("k", "where"),
    [(0, "first card"), (1, "next card"), (3, "grade prompt"), (7, "next card")],
)
def test_sigkill_during_review_keeps_exactly_the_grades_given(decks_db, tmp_path, k, where):
    key = answer_key()
    session = Driver(decks_db)
    graded: list[tuple[int, int]] = []  # (card id, grade), in order
    screen = session.read_until(b"answer> ")
    for i in range(k):
        right = i != 0  # the first card answered wrong: it becomes a same-day repeat
        card_id = session.answer(screen, key, right=right)
        session.read_until(b"> ")
        session.send("")  # the suggested grade: 4 if right, 1 if wrong
        graded.append((card_id, 4 if right else 1))
        # The next card on screen means the grade was committed before it was shown.
        screen = session.read_until(b"answer> ")
    if where == "grade prompt":
        session.answer(screen, key)  # answered, not yet graded: must leave no trace
        session.read_until(b"> ")
    session.kill()
    assert session.proc.returncode == -signal.SIGKILL

    assert integrity(decks_db) == "ok"
    assert rows(decks_db, "SELECT card_id, grade FROM reviews ORDER BY id") == graded
    studied = {c for c, _ in graded}
    assert {r[0] for r in rows(decks_db, "SELECT id FROM cards WHERE due IS NOT NULL")} == studied
    assert_schedules_sane(decks_db)
    last_grade = dict(graded)
    learning = sum(g < 4 for g in last_grade.values())  # the wrong one, until its repeat
    total = json.loads(run("due", "--json", "--db", str(decks_db)).stdout)["total"]
    assert total == {"new": 20 - len(studied), "learning": learning, "review": 0}
    # The next session starts normally and finishes the day.
    assert study_day(decks_db, NOW, key) == 20 - len(studied) + learning
    total = json.loads(run("due", "--json", "--db", str(decks_db)).stdout)["total"]
    assert total == {"new": 0, "learning": 0, "review": 0}
    assert integrity(decks_db) == "ok"


def test_import_failing_between_batches_changes_nothing(decks_db):
    before = checksum(decks_db)
    good = [Question(text=f"new {i}?", options=("a", "b"), answers=(0,)) for i in range(50)]

    def batches():
        yield ("Fresh", "fresh.txt", good)
        yield ("MLOps::Basics", "basics.md", good)  # updates a deck that has progress
        raise OSError("disk on fire")

    with Store.open(decks_db) as store, pytest.raises(OSError, match="disk on fire"):
        store.import_questions(batches(), clock.now())
    assert checksum(decks_db) == before

    def interrupted():
        yield ("Fresh", "fresh.txt", good)
        raise KeyboardInterrupt  # Ctrl-C between two files

    with Store.open(decks_db) as store, pytest.raises(KeyboardInterrupt):
        store.import_questions(interrupted(), clock.now())
    assert checksum(decks_db) == before


CHILD_IMPORT = """
import sys, time
from srs import clock
from srs.records import Question
from srs.store import Store, connection

# An import's page cache smaller than the import, so that uncommitted pages go to the WAL.
connection.LARGE_CACHE_KIB = 2_000

def batches():
    yield ("Big", "big.txt", [
        Question(text=f"question {i}?" + "x" * 200, options=("a", "b"), answers=(0,))
        for i in range(20_000)
    ])
    print("written, not committed", flush=True)
    time.sleep(120)
    yield ("Never", "never.txt", [])

with Store.open(sys.argv[1]) as store:
    store.import_questions(batches(), clock.now())
"""


def _child(script: str, db: Path) -> subprocess.Popen:
    """A Python process running ``script`` on ``db``; it says on stdout where it is."""
    return subprocess.Popen(
        [sys.executable, "-c", script, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )


def test_sigkill_in_the_middle_of_a_big_import_changes_nothing(decks_db):
    before = checksum(decks_db)
    child = _child(CHILD_IMPORT, decks_db)
    assert child.stdout.readline() == "written, not committed\n"
    # 20,000 questions overflow SQLite's page cache: uncommitted pages are in the WAL already.
    assert Path(f"{decks_db}-wal").stat().st_size > 1_000_000
    child.kill()
    child.wait(timeout=30)
    assert checksum(decks_db) == before
    assert integrity(decks_db) == "ok"
    deck = DECKS / "mlops-basics.md"
    again = run("import", str(deck), "--db", str(decks_db))
    assert again.returncode == 0 and "10 unchanged" in again.stdout


CHILD_BUILD = """
import sys, time
from pathlib import Path
from srs import clock, runtime
from srs.records import Question

def batches():
    yield ("Big", "big.txt", [
        Question(text=f"question {i}?", options=("a", "b"), answers=(0,)) for i in range(2_000)
    ])
    print("building", flush=True)
    time.sleep(120)
    yield ("Never", "never.txt", [])

with runtime.import_target(Path(sys.argv[1]), dry_run=False) as store:
    store.import_questions(batches(), clock.now())
"""


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_database_whose_import_is_killed_never_appears(tmp_path, stop):
    """`kill` or a closed terminal: the database being built is removed on the way out.
    SIGKILL leaves it, hidden; the next import into that place removes it."""
    db = tmp_path / "srs.db"
    child = _child(CHILD_BUILD, db)
    assert child.stdout.readline() == "building\n"
    (building,) = (p.name for p in tmp_path.iterdir() if p.suffix == ".new")
    assert building.startswith(f".srs.db.{child.pid}-")
    child.send_signal(stop)
    child.wait(timeout=30)
    assert not db.exists()
    left = sorted(p.name for p in tmp_path.iterdir())
    if stop == signal.SIGKILL:
        assert child.returncode == -stop and building in left
    else:
        assert (child.returncode, left) == (128 + stop, [])
    done = run("import", str(DECKS / "mlops-basics.md"), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["srs.db"]


def test_failed_migration_leaves_the_database_as_it_was(decks_db, monkeypatch):
    with Store.open(decks_db) as store:
        session = Session(store, dt.date(2026, 11, 22), random.Random(1))
        shown = session.next_card()
        session.grade(shown, 4, now=clock.now(), duration_ms=1)
    before = checksum(decks_db)
    n = len(migrations.STEPS)

    def step_ok(db) -> None:
        db["extra"].create({"id": int}, pk="id")
        db.execute("UPDATE cards SET ef = 999")

    def step_fails(db) -> None:
        db["doomed"].create({"id": int}, pk="id")
        raise RuntimeError("step blew up")

    step_ok.__name__ = f"m{n + 1:03d}_ok"
    step_fails.__name__ = f"m{n + 2:03d}_fails"
    steps = [*migrations.STEPS, step_ok, step_fails]
    monkeypatch.setattr(migrations, "STEPS", steps)
    monkeypatch.setattr(migrations, "NAMES", tuple(s.__name__ for s in steps))
    notices: list[Path] = []
    with pytest.raises(SrsError, match=r"upgrading the database failed \(step blew up\)"):
        Store.open(decks_db, backup_notice=notices.append)
    # Both steps undone, the first one's changes too: the whole upgrade is one transaction.
    assert checksum(decks_db) == before
    assert integrity(decks_db) == "ok"
    # The backup was written before trying, and is the database as it was.
    assert len(notices) == 1 and notices[0].parent == decks_db.parent
    assert checksum(notices[0]) == before
    monkeypatch.setattr(migrations, "STEPS", steps[:n])
    monkeypatch.setattr(migrations, "NAMES", tuple(s.__name__ for s in steps[:n]))
    with Store.open(decks_db) as store:
        assert len(store.reviews()) == 1


def test_backup_command_writes_a_working_copy(decks_db, tmp_path):
    key = answer_key()
    # A backup taken while a review session is open holds every grade committed so far.
    session = Driver(decks_db)
    for _ in range(2):
        screen = session.read_until(b"answer> ")
        session.answer(screen, key)
        session.read_until(b"> ")
        session.send("")
    session.read_until(b"answer> ")
    result = run("backup", "--db", str(decks_db))
    session.send("q")
    session.close()
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip())
    assert written.parent == decks_db.parent
    assert written.name == "srs.db.20261122-090000.bak"  # SRS_NOW, like everything else
    assert integrity(written) == "ok"
    assert rows(written, "SELECT count(*) FROM reviews") == [(2,)]
    assert checksum(written) == checksum(decks_db)
    # It is a database srs opens and studies from.
    due = json.loads(run("due", "--json", "--db", str(written)).stdout)["total"]
    assert due == {"new": 18, "learning": 0, "review": 0}
    # A second default backup in the same second gets its own name.
    second = Path(run("backup", "--db", str(decks_db)).stdout.strip())
    assert second != written and second.exists()
    # A folder: the copy goes into it, named likewise.
    folder = tmp_path / "backups"
    folder.mkdir()
    into = run("backup", str(folder), "--db", str(decks_db))
    assert into.stdout == f"{folder / written.name}\n"
    assert checksum(folder / written.name) == checksum(decks_db)
    # An explicit path; never over an existing file.
    target = tmp_path / "copy.db"
    assert run("backup", str(target), "--db", str(decks_db)).stdout == f"{target}\n"
    assert checksum(target) == checksum(decks_db)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    again = run("backup", str(notes), "--db", str(decks_db))
    assert again.returncode == 1
    assert again.stderr == f"error: {notes}: already exists; choose another name\n"
    assert notes.read_text() == "mine\n"


# ================================================================= two at once


def test_two_review_sessions_interleaved_lose_nothing_and_grade_nothing_twice(decks_db, tmp_path):
    key = answer_key()
    sessions = {name: Driver(decks_db, stderr_path=tmp_path / f"{name}.err") for name in ("A", "B")}
    state = {name: "answer" for name in sessions}
    transcript = {name: b"" for name in sessions}
    screens = {name: s.read_until(b"answer> ", b"Due tomorrow: ") for name, s in sessions.items()}
    rng = random.Random(42)
    sent_grades = 0
    while any(s != "done" for s in state.values()):
        name = rng.choice([n for n, s in state.items() if s != "done"])
        session, screen = sessions[name], screens[name]
        transcript[name] += screen
        if state[name] == "answer":
            if not screen.endswith(b"answer> "):
                state[name] = "done"
                continue
            session.answer(screen, key)
            screens[name] = session.read_until(b"> ")
            state[name] = "grade"
        else:
            session.send("")
            sent_grades += 1
            screens[name] = session.read_until(b"answer> ", b"Due tomorrow: ")
            state[name] = "answer"
    outputs = {name: transcript[name].decode() + s.close() for name, s in sessions.items()}
    committed = sum(o.count("Next in") for o in outputs.values())
    skipped = sum(o.count("Already graded in another session; skipped.") for o in outputs.values())
    # Every grade sent was either committed or reported as already given; none vanished.
    assert committed + skipped == sent_grades
    assert skipped >= 1  # the two sessions really did meet on the same card
    logged = rows(decks_db, "SELECT card_id, count(*) FROM reviews GROUP BY card_id")
    assert len(logged) == committed == 20  # the day's 20 new cards, each graded once
    assert all(count == 1 for _, count in logged)
    for name in sessions:
        err = (tmp_path / f"{name}.err").read_text()
        assert err == "", err
        assert "locked" not in outputs[name]
    assert_schedules_sane(decks_db)
    assert integrity(decks_db) == "ok"


def test_a_grade_waits_for_another_writer_instead_of_failing(decks_db, tmp_path):
    key = answer_key()
    session = Driver(decks_db, stderr_path=tmp_path / "err")
    screen = session.read_until(b"answer> ")
    session.answer(screen, key)
    session.read_until(b"> ")
    holder = sqlite3.connect(decks_db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock...
    # A thread that sleeps, not threading.Timer: a timed wait on a condition hangs under
    # libfaketime, with which the suite is also run on other dates.
    release = threading.Thread(target=lambda: (time.sleep(1.0), holder.execute("COMMIT")))
    release.start()
    session.send("")  # ...while this grade is given: it must wait, then commit
    after = session.read_until(b"answer> ")
    release.join()
    holder.close()
    session.send("q")
    session.close()
    assert b"Next in 1 day." in after
    assert rows(decks_db, "SELECT count(*) FROM reviews") == [(1,)]
    assert (tmp_path / "err").read_text() == ""


def test_an_import_while_a_review_runs(decks_db, tmp_path):
    key = answer_key()
    big = tmp_path / "big.txt"
    big.write_text("\n---\n".join(f"Extra question {i}?\nyes (Correct)\nno" for i in range(3000)))
    session = Driver(decks_db, stderr_path=tmp_path / "err")
    importer = subprocess.Popen(
        [*SRS, "import", str(big), "--db", str(decks_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    graded = 0
    while True:  # grade the whole day while the import runs
        screen = session.read_until(b"answer> ", b"Due tomorrow: ")
        if not screen.endswith(b"answer> "):
            break
        session.answer(screen, key)
        session.read_until(b"> ")
        session.send("")
        graded += 1
    out, err = importer.communicate(timeout=120)
    session.close()
    assert importer.returncode == 0, err
    assert out == f"{big} -> big: 3000 added, 0 updated, 0 unchanged\n"
    assert (tmp_path / "err").read_text() == ""
    assert rows(decks_db, "SELECT count(*) FROM reviews") == [(graded,)] == [(20,)]
    assert rows(decks_db, "SELECT count(*) FROM cards") == [(3035,)]
    assert integrity(decks_db) == "ok"


# ================================================================= bad files

# Each committed file in tests/bad_files and exactly what `srs import` says about it
# ("{f}" is the path as given). Warnings do not count as errors.
CORPUS: dict[str, list[str]] = {
    "all_options_marked.txt": ["{f}:1: every option is marked correct"],
    "binary.txt": ["{f}: not a text file (binary data)"],
    "blank_lines.txt": ["{f}: no questions found"],
    "bom_utf8_error.txt": ["{f}:5: no answer marked"],
    "cr_error.txt": ["{f}:5: no answer marked"],
    "crlf_error.txt": ["{f}:5: no answer marked"],
    "duplicate_questions.txt": ["{f}:5: duplicate question (first at line 1)"],
    "empty.txt": ["{f}: no questions found"],
    "empty_option.txt": ["{f}:1: every option is marked correct", "{f}:3: empty option"],
    "every_line_marked.txt": ["{f}:1: options without a question"],
    "incorrect_is_not_correct.txt": [
        "{f}:1: no answer marked (nothing in this file is marked;"
        " use --first-option-correct if the first option is the right one)"
    ],
    "injection_shaped.txt": [
        "{f}:1: no answer marked (nothing in this file is marked;"
        " use --first-option-correct if the first option is the right one)"
    ],
    "invalid_utf8.txt": ["{f}:6: invalid UTF-8 at byte 37"],
    "latin1.md": ["{f}:1: invalid UTF-8 at byte 5"],
    "lettered_answer_names_nothing.txt": ["{f}:4: Answer: line names no option"],
    "lettered_answer_not_option.txt": ['{f}:4: Answer: "F" is not an option'],
    "lettered_answer_without_options.txt": [
        "{f}:5: second Answer: line (first at line 4)",
        "{f}:6: question has no options",
        "{f}:7: Answer: line without options",
    ],
    "lettered_disagrees.txt": ["{f}:4: Answer: line disagrees with the option marked (Correct)"],
    "lettered_options_first.txt": ["{f}:1: options without a question"],
    "lettered_unmarked.txt": [
        "{f}:2: no answer marked (nothing in this file is marked;"
        " use --first-option-correct if the first option is the right one)"
    ],
    "md_all_checked.md": ["{f}:1: every option is marked correct"],
    "md_bad_id.md": ['{f}:2: bad id "x y": use letters, digits, "-", "_" and "."'],
    "md_deck_after_question.md": ["{f}:4: deck name must come before the first question"],
    "md_duplicate_id.md": ['{f}:6: duplicate id "a" (first at line 1)'],
    "md_empty_deck_part.md": [
        '{f}:1: empty part in deck name "A::::B"',
        "{f}:5: duplicate question (first at line 2)",
    ],
    "md_empty_heading.md": ["{f}:1: empty question heading"],
    "md_malformed_option.md": ['{f}:2: malformed option; write "- [ ] text" or "- [x] text"'],
    "md_no_options_no_answer.md": ["{f}:1: question has no options and no answer"],
    "md_only_description.md": ["{f}: no questions found"],
    "md_options_without_question.md": ["{f}:2: options without a question"],
    "md_text_after_options.md": ['{f}:4: text after the options; start an explanation with "> "'],
    "md_unclosed_fence.md": ["{f}:2: code fence not closed"],
    "mixed_line_ends.txt": ["{f}:5: no answer marked"],
    "near_miss_plus_error.txt": [
        '{f}:2: warning: "(Correc)" read as "(Correct)"',
        "{f}:5: no answer marked",
    ],
    "no_options.txt": ["{f}:5: question has no options"],
    "nul_in_text.txt": ["{f}: not a text file (binary data)"],
    "one_option.txt": ["{f}:1: question has only 1 option"],
    "only_separators.txt": ["{f}: no questions found"],
    "options_without_question.txt": ["{f}:5: options without a question"],
    "separators_nothing_between.txt": ["{f}:1: no answer marked"],
    "tabs.txt": ["{f}:5: no answer marked"],
    "two_marks.txt": ["{f}:3: 2 options marked correct; this layout allows one"],
    "unmarked_blocks.txt": [
        "{f}:1: no answer marked (nothing in this file is marked;"
        " use --first-option-correct if the first option is the right one)",
        "{f}:5: no answer marked (nothing in this file is marked;"
        " use --first-option-correct if the first option is the right one)",
    ],
    "utf16_le_error.txt": ["{f}:5: no answer marked"],
    "utf16_no_bom.txt": ["{f}: not a text file (binary data)"],
    "utf16_odd_bytes.txt": ["{f}: invalid UTF-16 text"],
}


def with_summary(lines: list[str], *, valid: bool = False) -> list[str]:
    """The problems, then the last line: `--skip-invalid` is suggested only if some question
    is `valid`."""
    errors = sum(": warning: " not in line for line in lines)
    return [*lines, f"{errors} error{'s' * (errors != 1)}; {NOTHING if valid else NOTHING_VALID}"]


def assert_refused(db: Path, path: Path | str, expected: list[str], **kw) -> None:
    """`srs import PATH` exits 1 with exactly `expected` on stderr and the db unchanged."""
    before = checksum(db)
    result = run("import", str(path), "--db", str(db), **kw)
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines() == [line.format(f=path) for line in expected]
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert checksum(db) == before


def test_the_corpus_is_the_table():
    assert sorted(p.name for p in BAD_FILES.iterdir()) == sorted(CORPUS)
    assert all(p.stat().st_size < 1000 for p in BAD_FILES.iterdir())


def in_parallel(jobs: dict, work) -> dict:
    """`work(job)` for every job, a few child processes at a time (the suite stays quick)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip(jobs, pool.map(work, jobs.values()), strict=True))


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory) -> dict:
    """Every corpus file through `srs import`, each against its own copy of a studied db."""
    folder = tmp_path_factory.mktemp("corpus")
    template = folder / "template.db"
    import_decks(template)

    def work(name: str) -> tuple:
        db = folder / f"{name}.db"
        shutil.copy(template, db)
        before = checksum(db)
        result = run("import", str(BAD_FILES / name), "--db", str(db))
        return result, before, checksum(db)

    return in_parallel({name: name for name in CORPUS}, work)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_file_is_refused_with_its_exact_message(corpus_runs, name):
    result, before, after = corpus_runs[name]
    valid = bool(read_file(BAD_FILES / name).questions)
    expected = [line.format(f=BAD_FILES / name) for line in with_summary(CORPUS[name], valid=valid)]
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == expected
    assert after == before


def test_awkward_but_valid_files_import_the_same_questions(decks_db, tmp_path):
    """The encodings and line ends of the corpus, without its error, all read alike."""
    sample = "Q1?\nA (Correct)\nB\n---\n\tQ2?\t\nC\n\tD (Correct)\n"
    variants = {
        "lf.txt": sample.encode(),
        "crlf.txt": sample.replace("\n", "\r\n").encode(),
        "cr.txt": sample.replace("\n", "\r").encode(),
        "bom.txt": codecs.BOM_UTF8 + sample.encode(),
        "utf16.txt": codecs.BOM_UTF16_LE + sample.encode("utf-16-le"),
        "utf16be.txt": codecs.BOM_UTF16_BE + sample.encode("utf-16-be"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        result = run("import", str(tmp_path / name), "--deck", name, "--db", str(decks_db))
        assert result.returncode == 0 and "2 added" in result.stdout, result.stderr
    texts = rows(
        decks_db,
        "SELECT d.name, q.text, q.options, q.answers FROM questions q"
        " JOIN decks d ON d.id = q.deck_id WHERE d.name LIKE '%.txt' ORDER BY d.name, q.id",
    )
    by_deck: dict[str, list] = {}
    for deck, *rest in texts:
        by_deck.setdefault(deck, []).append(tuple(rest))
    assert len(by_deck) == len(variants)
    assert all(v == by_deck["lf.txt"] for v in by_deck.values())
    assert by_deck["lf.txt"] == [("Q1?", '["A", "B"]', "[0]"), ("Q2?", '["C", "D"]', "[1]")]


def test_paths_that_are_not_question_files(decks_db, tmp_path):
    empty_dir = tmp_path / "empty folder"
    empty_dir.mkdir()
    assert_refused(decks_db, empty_dir, ["error: {f}: no .md or .txt files in this folder"])
    assert_refused(decks_db, tmp_path / "missing.txt", ["error: {f}: no such file or folder"])
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)  # reading it would block for ever
    assert_refused(decks_db, fifo, ["error: {f}: not a regular file"])
    assert_refused(decks_db, "/dev/zero", ["error: {f}: not a regular file"])  # would never end
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    assert_refused(decks_db, loop, ["error: {f}: cannot read (Too many levels of symbolic links)"])
    # A folder with one bad file in it: that file's message, nothing imported.
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(BAD_FILES / "two_marks.txt", folder / "two_marks.txt")
    shutil.copy(DECKS / "mlops-basics.md", folder / "good.md")
    assert_refused(
        decks_db,
        folder,
        with_summary(
            [f"{folder / 'two_marks.txt'}:3: 2 options marked correct; this layout allows one"],
            valid=True,  # good.md's
        ),
    )


def _without_root_file_powers() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (1, 2).

    Removed from the bounding set, they are not in root's permitted set after exec, so file
    modes bind root like anyone else. PR_CAPBSET_DROP is 24.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_file_without_read_permission(decks_db):
    """chmod 000 does not stop root; as root the child gives up the powers that bypass it.

    The folder is world-readable and a readable copy sits next to the locked file, so the only
    thing between the child and the bytes is the file's own mode.
    """
    folder = Path(tempfile.mkdtemp(prefix="srs-perm-"))
    try:
        folder.chmod(0o755)
        locked, control = folder / "locked.txt", folder / "control.txt"
        for path in (locked, control):
            shutil.copy(BAD_FILES / "one_option.txt", path)
        locked.chmod(0)
        control.chmod(0o644)
        as_root = os.geteuid() == 0

        def attempt(path: Path) -> subprocess.CompletedProcess:
            return subprocess.run(
                [*SRS, "import", str(path), "--db", str(folder / "never.db")],
                capture_output=True,
                text=True,
                env=subprocess_env(),
                timeout=60,
                preexec_fn=_without_root_file_powers if as_root else None,
            )

        before = checksum(decks_db)
        refused = attempt(locked)
        assert (refused.returncode, refused.stderr) == (1, f"error: {locked}: permission denied\n")
        read = attempt(control)  # same process rights, same folder, readable: it gets parsed
        assert read.stderr.splitlines()[0] == f"{control}:1: question has only 1 option"
        assert not (folder / "never.db").exists()
        assert checksum(decks_db) == before
    finally:
        shutil.rmtree(folder)


def test_one_megabyte_line(decks_db, tmp_path):
    line = tmp_path / "line.txt"
    line.write_text("x" * 1_000_000)  # no newline at all
    assert_refused(decks_db, line, with_summary(["{f}:1: question has no options"]))
    # The same megabyte as a real question goes in and comes out byte for byte.
    line.write_text("y" * 1_000_000 + "?\nright (Correct)\nwrong\n")
    assert run("import", str(line), "--db", str(decks_db)).returncode == 0
    (text,) = rows(
        decks_db,
        "SELECT text FROM questions WHERE deck_id = (SELECT id FROM decks WHERE name = 'line')",
    )[0]
    assert text == "y" * 1_000_000 + "?"


def test_twenty_megabyte_file_in_bounded_memory(decks_db, tmp_path):
    big = tmp_path / "big.txt"
    block = "Question number {i} about something long enough to be realistic?\n" + (
        "the right answer (Correct)\n" + "a wrong answer that is fairly long\n" * 3
    )
    with big.open("w") as f:
        i = 0
        while f.tell() < 20_000_000:
            f.write(block.format(i=i) + "---\n")
            i += 1
        f.write("The last question has nothing marked?\nA\nB\n")
    last_line = big.read_text().count("\n") - 2
    before = checksum(decks_db)
    err = tmp_path / "err"
    with err.open("w") as stderr:
        child = subprocess.Popen(
            [*SRS, "import", str(big), "--db", str(decks_db)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=subprocess_env(),
        )
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 1
    assert err.read_text().splitlines() == [
        f"{big}:{last_line}: no answer marked",
        f"1 error; {NOTHING}",
    ]
    assert checksum(decks_db) == before
    # The process's peak (ru_maxrss, KiB on Linux) moves from run to run here (252-392 MB
    # measured for the same run): a loose bound on it, and a tight one on what Python itself
    # allocates, which is the same every run (tracemalloc, the same command in a child).
    assert usage.ru_maxrss * 1024 < 1_000_000_000
    traced = subprocess.run(
        [sys.executable, "-c", _TRACED_IMPORT, str(big), str(decks_db)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        check=False,
    )
    *errors, peak = traced.stderr.splitlines()
    assert errors == [f"{big}:{last_line}: no answer marked", f"1 error; {NOTHING}"]
    # About ten times the file (its text, its lines, the questions read): not more.
    assert int(peak) < 15 * 20_000_000


# `srs import FILE --db DB` in this process, with Python's allocations traced: the exit, then
# the peak (bytes) on stderr's last line.
_TRACED_IMPORT = """
import sys, tracemalloc
tracemalloc.start()
from srs.entry import main
sys.argv = ["srs", "import", sys.argv[1], "--db", sys.argv[2]]
try:
    main()
except SystemExit:
    pass
print(tracemalloc.get_traced_memory()[1], file=sys.stderr)
"""


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "latin-1", "cp1252"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.tuples(TEXT, st.sampled_from(ENCODINGS)).map(lambda te: te[0].encode(te[1], "replace")),
    ),
    suffix=st.sampled_from([".md", ".txt", ".MD", ""]),
    flag=st.booleans(),
    layout=st.sampled_from([None, "blocks", "lettered", "canonical", "csv", ""]),
)
def test_any_bytes_give_a_result_or_our_own_error(tmp_path, data, suffix, flag, layout):
    """read_file and parse_text on anything: a checked ParseResult, or SrsError; nothing else.

    Extends test_importers' properties (which cover the parsers and decode) to whole files of
    arbitrary bytes in any encoding, and to the layout argument.
    """
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    result = read_file(path, first_option_correct=flag)
    assert isinstance(result, ParseResult)
    if result.layout != "unknown":
        # Line numbers are bounded by the line ends in the bytes, whatever the encoding.
        check(result, "\n" * (data.count(b"\n") + data.count(b"\r")))
    text = data.decode("utf-8", "replace")
    try:
        forced = parse_text(text, str(path), first_option_correct=flag, layout=layout)
    except SrsError as e:
        assert str(e).startswith("unknown layout")
    else:
        check(forced, text)


# ================================================================= bad databases


def _text_file(p: Path) -> None:
    p.write_text("not a database\n")


def _zero_bytes(p: Path) -> None:
    p.write_bytes(b"")


def _foreign_sqlite(p: Path) -> None:
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ada', '555')")
    conn.commit()
    conn.close()


def _newer_srs(p: Path) -> None:
    import_decks(p)
    conn = sqlite3.connect(p)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('srs', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()


def _read_only(p: Path) -> None:
    import_decks(p)
    p.chmod(0o444)


def _truncated(p: Path) -> None:
    import_decks(p)
    conn = sqlite3.connect(p)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    p.write_bytes(p.read_bytes()[:8192])  # the header survives, the pages it points to do not


BAD_DATABASES = {
    "text file": (_text_file, "{db}: not an SQLite database"),
    "zero bytes": (_zero_bytes, "{db}: empty file, not an srs database"),
    "another program's": (_foreign_sqlite, "{db}: not an srs database (it holds other tables)"),
    "newer srs": (
        _newer_srs,
        "{db}: made by a newer version of srs (it has migration m999_future);"
        " upgrade srs to open it",
    ),
    # Commands that only read work on a read-only database (tested below); these write.
    "read-only": (
        _read_only,
        {
            command: "{db}: read-only; this command writes to it"
            " (due, decks, stats, cards, show, backup and export only read)"
            for command in ("review", "import")
        },
    ),
    "truncated": (
        _truncated,
        "{db}: not a usable SQLite database (database disk image is malformed)",
    ),
    # Only `srs import` makes a database; the others say there is none.
    "missing folder": (
        None,
        {
            "import": "{db}: folder {parent} does not exist",
            **{
                command: "no database at {db};"
                " create one with `srs import FILE...` or `srs import --bundled`"
                for command in ("due", "review", "decks", "backup")
            },
        },
    ),
}
COMMANDS = {
    "due": ["due"],
    "review": ["review"],
    "import": ["import", str(DECKS / "mlops-basics.md")],
    "decks": ["decks"],
    "backup": ["backup"],
}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mode) for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture(scope="module")
def bad_database_runs(tmp_path_factory) -> dict:
    """Every command on every bad database, each in a folder of its own."""
    root = tmp_path_factory.mktemp("bad-databases")
    jobs = {}
    for kind, (make, _) in BAD_DATABASES.items():
        for command in COMMANDS:
            folder = root / f"{kind}-{command}".replace(" ", "_").replace("'", "")
            folder.mkdir()
            db = folder / "srs.db" if make else folder / "no such folder" / "srs.db"
            if make:
                make(db)
            jobs[kind, command] = (folder, db)

    def work(job: tuple) -> tuple:
        folder, db = job
        before = snapshot(folder)
        result = run(*COMMANDS[command_of[job]], "--db", str(db), input="a\n\nq\n")
        return db, result, before, snapshot(folder)

    command_of = {job: command for (_, command), job in jobs.items()}
    return in_parallel(jobs, work)


def _message(kind: str, command: str) -> str | None:
    """What `command` says about a database of this kind; None: it works on it."""
    message = BAD_DATABASES[kind][1]
    return message if isinstance(message, str) else message.get(command)


@pytest.mark.parametrize(
    ("kind", "command"),
    [(k, c) for k in BAD_DATABASES for c in sorted(COMMANDS) if _message(k, c) is not None],
)
def test_bad_database_is_one_line_exit_1_and_untouched(bad_database_runs, kind, command):
    db, result, before, after = bad_database_runs[kind, command]
    message = _message(kind, command).format(db=db, parent=db.parent)
    assert (result.returncode, result.stdout) == (1, ""), result.stdout
    assert result.stderr == f"error: {message}\n"
    assert after == before  # no -wal, -shm, backup or new database left behind
    assert db.parent.exists() or not BAD_DATABASES[kind][0]


def test_a_database_damaged_past_its_first_pages_is_one_line_exit_1(tmp_path):
    """A database that opens (its schema and settings whole) but whose review log's pages
    are garbage: a command that reads them says so in one line, names the file, and leaves
    it as it was; one that does not read them still works."""
    db = tmp_path / "srs.db"
    import_decks(db)
    assert study_day(db, NOW, answer_key()) == 20
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    pages = [
        n
        for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name IN"
            " (SELECT name FROM sqlite_master WHERE tbl_name = 'reviews')"
        )
    ]
    conn.close()
    data = bytearray(db.read_bytes())
    garbage = random.Random(7).randbytes(page_size)
    for n in pages:
        data[(n - 1) * page_size : n * page_size] = garbage
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    result = run_srs("stats", "--db", str(db))
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert result.stderr.startswith(f"error: {db}: damaged (database disk image is malformed);")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    # `srs due` counts today's answers too, on its fast path (no store): the same line.
    due = run_srs("due", "--db", str(db))
    assert (due.returncode, due.stdout, due.stderr) == (1, "", result.stderr)
    assert run_srs("config", "get", "--db", str(db)).returncode == 0  # the settings are whole


def test_an_export_of_cards_whose_question_is_gone_is_one_line(tmp_path):
    """A card whose question row is gone (damage SQLite does not see: no foreign keys are
    enforced) stops the export with one line naming the file, not a KeyError."""
    db = tmp_path / "srs.db"
    import_decks(db)
    conn = sqlite3.connect(db)
    (question, card) = conn.execute("SELECT question_id, id FROM cards LIMIT 1").fetchone()
    conn.execute("DELETE FROM questions WHERE id = ?", [question])
    conn.commit()
    conn.close()
    for argv in (["export", "-o", str(tmp_path / "x.apkg")], ["export", "--with-progress"]):
        result = run_srs(*argv, "--db", str(db), cwd=tmp_path)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr.startswith(
            f"error: {db}: damaged (card {card} has no question); restore it from a copy"
        )
        assert result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("*.apkg"))


def test_an_answer_damaged_in_the_log_is_the_database_s_fault_not_the_package_s(tmp_path):
    db = tmp_path / "srs.db"
    import_decks(db)
    assert study_day(db, NOW, answer_key()) == 20
    conn = sqlite3.connect(db)
    conn.execute("UPDATE reviews SET state_after = '{bad' WHERE id = 1")
    conn.execute("UPDATE reviews SET reviewed_at = CAST(x'ff07fe' AS TEXT) WHERE id = 2")
    conn.commit()
    conn.close()
    result = run_srs("export", "--with-progress", "-o", str(tmp_path / "x.apkg"), "--db", str(db))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"error: {db}: damaged (malformed JSON); restore it")
    assert not list(tmp_path.glob("*.apkg"))
    from srs.store.connection import database_error

    undecodable = sqlite3.OperationalError(
        "Could not decode to UTF-8 column 'reviewed_at' with text '\x07\x1b[2J'"
    )
    message = database_error(undecodable)
    assert "damaged (text that is not UTF-8 in column reviewed_at); restore" in message
    assert "\x1b" not in message and "\x07" not in message


def test_why_a_file_was_not_written_names_a_missing_folder_only(tmp_path):
    import errno

    from srs.errors import why_not_written

    gone = OSError(errno.ENOENT, "No such file or directory")
    assert why_not_written(tmp_path / "no" / "x.apkg", gone) == f"no such folder {tmp_path / 'no'}"
    # The folder is there (a /proc-like one that makes no files): the system's words.
    assert why_not_written(tmp_path / "x.apkg", gone) == "No such file or directory"
    denied = OSError(errno.EACCES, "Permission denied")
    assert why_not_written(tmp_path / "x.apkg", denied) == "Permission denied"


def test_a_backup_into_a_folder_that_is_not_there_is_refused(tmp_path):
    db = tmp_path / "srs.db"
    import_decks(db)
    result = run_srs("backup", "missing/", "--db", str(db), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: missing/: cannot write a backup (no such folder)\n"
    assert not (tmp_path / "missing").exists()


READING = {
    "due": ["due"],
    "decks": ["decks"],
    "stats": ["stats"],
    "cards": ["cards"],
    "show": ["show", "1"],
    "config": ["config", "get"],
    "export": ["export", "-o", "{out}/deck.apkg"],
    "backup": ["backup", "{out}"],
}


def run_without_root_powers(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`srs ARGS` as a child in which file modes bind (even when the tests run as root)."""
    return subprocess.run(
        [*SRS, *args],
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        timeout=60,
        preexec_fn=_without_root_file_powers if os.geteuid() == 0 else None,
    )


@pytest.fixture
def locked_folder(tmp_path):
    """A studied database in a folder, and a writable folder for what the commands write;
    the modes are put back afterwards so pytest can clean up."""
    folder, out = tmp_path / "locked", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    db = folder / "srs.db"
    import_decks(db)
    assert study_day(db, NOW, answer_key()) == 20
    yield db, out
    folder.chmod(0o755)
    for p in folder.iterdir():
        p.chmod(0o644)


@pytest.mark.parametrize("locked", ["file", "folder", "both"])
def test_a_read_only_database_can_still_be_read_backed_up_and_exported(locked_folder, locked):
    db, out = locked_folder
    expected = {  # what they print while the database is writable (in-process: quicker)
        name: cli(*argv, db=db).stdout
        for name, argv in READING.items()
        if name not in ("export", "backup")
    }
    if locked in ("file", "both"):
        db.chmod(0o444)
    if locked in ("folder", "both"):
        db.parent.chmod(0o555)
    before = snapshot(db.parent)
    for name, argv in READING.items():
        result = run_without_root_powers(*[a.format(out=out) for a in argv], "--db", str(db))
        assert (result.returncode, result.stderr) == (0, ""), (name, result.stderr)
        if name in expected:
            assert result.stdout == expected[name], name
    assert snapshot(db.parent) == before  # nothing written beside it: no -wal, -shm or copy
    (backup,) = out.glob("srs.db.*.bak")
    assert backup.name == "srs.db.20261122-090000.bak"  # named after SRS_NOW
    assert checksum(backup) == checksum(db)
    assert (out / "deck.apkg").stat().st_size > 0
    # A command that writes says why it cannot, in one line, and changes nothing.
    refused = run_without_root_powers("review", "--db", str(db))
    what = "read-only" if locked != "folder" else f"its folder {db.parent} is read-only"
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"error: {db}: {what}; this command writes to it"
        " (due, decks, stats, cards, show, backup and export only read)\n"
    )
    assert snapshot(db.parent) == before


def test_a_package_or_backup_into_a_folder_it_cannot_write_says_why(locked_folder):
    """The system's reason, not SQLite's "unable to open database file"; nothing left."""
    db, out = locked_folder
    out.chmod(0o555)
    try:
        for argv, message in (
            (["export", "-o", f"{out}/"], f"cannot write {out / 'MLOps.apkg'}: Permission denied"),
            (["backup", f"{out}/"], f"{out}/srs.db.20261122-090000.bak: cannot write a backup"),
            (["backup", str(out / "x" / "b.db")], f"{out}/x/b.db: cannot write a backup"),
        ):
            result = run_without_root_powers(*argv, "--db", str(db))
            assert (result.returncode, result.stdout) == (1, ""), result.stdout
            assert result.stderr.startswith(f"error: {message}"), result.stderr
            assert result.stderr.count("\n") == 1
        assert result.stderr.endswith(f"(no such folder {out / 'x'})\n")
        assert not list(out.iterdir())
    finally:
        out.chmod(0o755)


def test_a_read_only_database_that_needs_an_upgrade_says_so(locked_folder):
    db, _ = locked_folder
    conn = sqlite3.connect(db)
    with conn:  # as if made by the version before the last migration
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [migrations.NAMES[-1]])
    conn.close()
    db.chmod(0o444)
    before = snapshot(db.parent)
    result = run_without_root_powers("due", "--db", str(db))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {db}: read-only, and this version of srs must upgrade it before reading it;"
        " make it writable once\n"
    )
    assert snapshot(db.parent) == before


def test_a_read_only_database_with_a_write_ahead_log_to_fold_in(locked_folder):
    """A writer killed before its log was folded into the file leaves committed changes in
    `-wal`: a read-only reader must see them, or say it cannot."""
    db, _ = locked_folder
    copy = db.parent / "copy"
    copy.mkdir()
    copied = copy / "srs.db"
    writer = sqlite3.connect(db)
    with writer:
        writer.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('new_per_day', '5')")
    for suffix in ("", "-wal"):  # copied while the writer lives: as if it had been killed
        shutil.copy(f"{db}{suffix}", f"{copied}{suffix}")
    writer.close()
    assert Path(f"{copied}-wal").stat().st_size > 0
    tomorrow = "2026-11-23T09:00"
    expected = run("due", "--db", str(db), SRS_NOW=tomorrow).stdout
    assert expected.splitlines()[-1].split() == ["total", "5", "0", "20"]  # 5: the log's
    copied.chmod(0o444)
    # With a writable folder SQLite reads the log through a -shm it makes.
    result = run_without_root_powers("due", "--db", str(copied), SRS_NOW=tomorrow)
    assert (result.returncode, result.stderr, result.stdout) == (0, "", expected)
    # Without one, the log cannot be read: one line says so, and nothing is changed.
    Path(f"{copied}-shm").unlink()
    copy.chmod(0o555)
    before = snapshot(copy)
    result = run_without_root_powers("due", "--db", str(copied))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {copied}: read-only, and its write-ahead log (srs.db-wal) can only be read"
        " with write access to the folder\n"
    )
    assert snapshot(copy) == before
    copy.chmod(0o755)


# ================================================================= clock surprises


def local_study_day(zone: str, now: str) -> str:
    """The study day of a naive local time, worked out independently of srs.clock."""
    moment = dt.datetime.fromisoformat(now).replace(tzinfo=ZoneInfo(zone))
    moment = moment.astimezone(ZoneInfo(zone))  # normalise a time that does not exist
    return (moment.replace(tzinfo=None) - dt.timedelta(hours=4)).date().isoformat()


CLOCK_STORIES = {
    "backwards": [
        ("UTC", "2026-11-24T09:00"),
        ("UTC", "2026-11-22T09:00"),  # two days back, after studying
        ("UTC", "2026-11-23T09:00"),
        ("UTC", "2026-11-25T09:00"),
    ],
    "time zone change": [
        ("America/Los_Angeles", "2026-11-22T21:00"),  # 05:00 UTC on the 23rd
        ("Asia/Tokyo", "2026-11-23T06:00"),  # 21:00 UTC on the 22nd: earlier, a later day
        ("Pacific/Kiritimati", "2026-11-24T03:00"),  # UTC+14, before its rollover
        ("Pacific/Pago_Pago", "2026-11-23T05:00"),  # UTC-11
        ("UTC", "2026-11-24T12:00"),
    ],
    "Berlin spring forward": [
        ("Europe/Berlin", "2026-03-28T23:30"),
        ("Europe/Berlin", "2026-03-29T02:30"),  # does not exist: 02:00 jumps to 03:00
        ("Europe/Berlin", "2026-03-29T03:59"),
        ("Europe/Berlin", "2026-03-29T04:00"),
        ("Europe/Berlin", "2026-03-30T04:30"),
    ],
    "Berlin fall back": [
        ("Europe/Berlin", "2026-10-24T22:00"),
        ("Europe/Berlin", "2026-10-25T02:30"),  # happens twice
        ("Europe/Berlin", "2026-10-25T03:59"),
        ("Europe/Berlin", "2026-10-25T04:00"),
        ("Europe/Berlin", "2026-10-26T03:00"),
    ],
    "New York both changes": [
        ("America/New_York", "2026-03-08T01:59"),
        ("America/New_York", "2026-03-08T03:30"),
        ("America/New_York", "2026-03-08T04:00"),
        ("America/New_York", "2026-11-01T01:30"),  # happens twice
        ("America/New_York", "2026-11-01T04:00"),
        ("America/New_York", "2026-11-02T09:00"),
    ],
}


@pytest.mark.parametrize("story", list(CLOCK_STORIES))
def test_clock_surprises_between_sessions(db_path, monkeypatch, story):
    key = answer_key()
    basics = sorted(q.text for q in read_file(DECKS / "mlops-basics.md").questions)
    import_decks(db_path)
    studied = 0
    for i, (zone, now) in enumerate(CLOCK_STORIES[story]):
        monkeypatch.setenv("TZ", zone)
        # Every first session has a wrong answer: a same-day repeat, and a lapse later.
        studied += study_day(db_path, now, key, wrong={basics[i % len(basics)]})
        assert_schedules_sane(db_path)
        result = run("due", "--json", "--db", str(db_path), SRS_NOW=now)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["day"] == local_study_day(zone, now)
        # Everything due at that moment was just studied: nothing is left, in total or per deck.
        assert data["total"] == {"new": 0, "learning": 0, "review": 0}
        assert all(d["review"] == d["learning"] == 0 for d in data["decks"])
        # The log's study days are the days the sessions said they were.
        days = {r[0] for r in rows(db_path, "SELECT DISTINCT study_day FROM reviews")}
        assert data["day"] in days
    assert rows(db_path, "SELECT count(*) FROM reviews") == [(studied,)]
    assert integrity(db_path) == "ok"


def test_a_session_across_the_rollover_hour(db_path, monkeypatch):
    """A session opened at 03:50 keeps its study day when grades come after 04:00."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()  # this process's local time too (pinned_env resets it afterwards)
    import_decks(db_path)
    start = dt.datetime(2026, 3, 29, 3, 50, tzinfo=ZoneInfo("Europe/Berlin"))
    later = start + dt.timedelta(minutes=20)  # 04:10, a new study day
    day = clock.study_day(start)
    assert day == dt.date(2026, 3, 28) and clock.study_day(later) == dt.date(2026, 3, 29)
    with Store.open(db_path) as store:
        session = Session(store, day, random.Random(3), new_limit=4)
        graded = []
        while (shown := session.next_card()) is not None:
            graded.append(session.grade(shown, 4, now=later, duration_ms=1))
        assert len(graded) == 4
        assert {log.after.due for log in graded} == {dt.date(2026, 3, 29)}
        # The next session, on the new day, finds those four due and can grade them again.
        nxt = Session(store, clock.study_day(later), random.Random(3), new_limit=0)
        assert nxt.remaining() == {"new": 0, "learning": 0, "review": 4}
        while (shown := nxt.next_card()) is not None:
            log = nxt.grade(shown, 5, now=later, duration_ms=1)
            assert log.after.due > log.after.last_review == dt.date(2026, 3, 29)
    assert [r[0] for r in rows(db_path, "SELECT DISTINCT study_day FROM reviews ORDER BY 1")] == [
        "2026-03-28",
        "2026-03-29",
    ]
    assert_schedules_sane(db_path)


# ================================================================= security

HOSTILE = [
    "'; DROP TABLE cards; --",
    'Robert"); DROP TABLE students;-- and \'quotes\' "everywhere" ``',
    "$(touch PWNED) `touch PWNED` ${HOME} %s %(x)s {0} {__import__} \\x00 \\n \\'",
    "__import__('os').system('touch PWNED')",
    "eval(\"open('PWNED', 'w')\") ; exec('1/0') #",
    "1; SELECT * FROM reviews WHERE '1'='1' /* */ -- ",
    "Ünïcödé ‮ right-to-left 🃏 \u200b zero width\t tab",
]


def test_hostile_text_round_trips_byte_for_byte_and_runs_nothing(db_path, tmp_path):
    deck = tmp_path / "hostile.md"
    parts = ["# Deck'); DROP TABLE decks; --\n"]
    for i, text in enumerate(HOSTILE):
        parts.append(f"## {text} #{i}\n")
        parts.append(f"- [x] {HOSTILE[(i + 1) % len(HOSTILE)]}\n")
        parts.append(f"- [ ] {HOSTILE[(i + 2) % len(HOSTILE)]}\n\n")
        parts.append(f"> {HOSTILE[(i + 3) % len(HOSTILE)]}\n\n")
    deck.write_text("".join(parts))
    parsed = read_file(deck)
    assert parsed.problems == [] and len(parsed.questions) == len(HOSTILE)
    result = run("import", str(deck), "--db", str(db_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob("PWNED*")) and not list(Path.cwd().glob("PWNED*"))
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cards", "decks", "questions", "reviews"} <= tables
    with Store.open(db_path) as store:
        exported = store.export_cards()
    assert [c.deck for c in exported] == ["Deck'); DROP TABLE decks; --"] * len(HOSTILE)
    for card, question in zip(exported, parsed.questions, strict=True):
        assert card.question.text.encode() == question.text.encode()
        assert card.question.options == question.options
        assert card.question.explanation.encode() == question.explanation.encode()
    # A hostile deck name on the command line is just a name that matches nothing.
    refused = run("due", "--deck", "x' OR '1'='1", "--db", str(db_path))
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: no deck named \"x' OR '1'='1\"")
