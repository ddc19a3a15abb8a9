"""The CLI: typer's CliRunner for the commands, real processes for the review session."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess

import pytest
from helpers import (
    DECKS,
    REPO,
    SEED_BLOCKS,
    SEED_LETTERED,
    SRS,
    answer_key,
    cli,
    run_srs,
    study_day,
    subprocess_env,
)
from typer.testing import CliRunner

from srs.cli.app import app
from srs.importers import read_file

runner = CliRunner()
srs = cli
run = run_srs


@pytest.fixture
def imported(db_path):
    result = srs("import", str(DECKS), db=db_path)
    assert result.exit_code == 0, result.output
    return db_path


# ---------------------------------------------------------------- import


def test_import_bundled_decks(db_path):
    result = srs("import", str(DECKS), db=db_path)
    assert result.exit_code == 0
    assert "mlops-basics.md -> MLOps::Basics: 10 added, 0 updated, 0 unchanged" in result.output
    assert "mlops-cicd.md -> MLOps::CI-CD for ML: 25 added" in result.output
    again = srs("import", str(DECKS), db=db_path)
    assert "10 unchanged" in again.output and "25 unchanged" in again.output


def test_raw_seed_with_an_error_imports_nothing(db_path):
    seed = str(SEED_BLOCKS)
    result = srs("import", seed, db=db_path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{seed}:61: no answer marked" in lines
    assert f'{seed}:247: warning: "(Correc)" read as "(Correct)"' in lines
    assert lines[-1] == "1 error; nothing imported (--skip-invalid imports the valid questions)"
    assert not db_path.exists()


def test_skip_invalid_imports_the_rest_and_still_lists_problems(db_path):
    seed = str(SEED_BLOCKS)
    result = srs("import", "--skip-invalid", seed, db=db_path)
    assert result.exit_code == 0
    assert f"{seed}:61: no answer marked" in result.stderr
    assert "-> 000_5ea82a7b50d7c342: 24 added" in result.stdout
    assert "Skipped what has errors (1 error, listed above)." in result.stdout


def test_unmarked_seed_needs_first_option_correct(db_path):
    seed = str(SEED_LETTERED)
    result = srs("import", seed, db=db_path)
    assert result.exit_code == 1
    assert result.stderr.count("use --first-option-correct") == 10
    ok = srs("import", "--first-option-correct", "--deck", "MLOps::Raw", seed, db=db_path)
    assert ok.exit_code == 0 and "-> MLOps::Raw: 10 added" in ok.stdout


def test_dry_run_and_if_empty(db_path):
    dry = srs("import", "--dry-run", str(DECKS), db=db_path)
    assert dry.exit_code == 0 and "Dry run: nothing written." in dry.stdout
    first = srs("import", "--if-empty", str(DECKS), db=db_path)
    assert "25 added" in first.stdout
    second = srs("import", "--if-empty", str(DECKS), db=db_path)
    assert second.stdout.strip() == "35 cards already in the database; nothing imported."


def test_missing_file_is_one_line_and_exit_1(db_path, tmp_path):
    result = run("import", str(tmp_path / "nope.txt"), "--db", str(db_path))
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'nope.txt'}: no such file or folder\n"
    assert not db_path.exists()


# ---------------------------------------------------------------- due, decks


def test_due_counts_and_json(imported):
    result = srs("due", "--json", db=imported)
    data = json.loads(result.stdout)
    assert data["day"] == "2026-11-22"
    assert data["total"] == {"new": 20, "learning": 0, "review": 0}
    assert [d["deck"] for d in data["decks"]] == ["MLOps::Basics", "MLOps::CI-CD for ML"]
    assert [d["new"] for d in data["decks"]] == [10, 20]
    table = srs("due", db=imported).stdout.splitlines()
    assert table[-2].split() == ["total", "20", "0", "0"]


def test_decks_lists_cards_and_due(imported):
    lines = srs("decks", db=imported).stdout.splitlines()
    assert lines[1].split()[-2:] == ["10", "10"]
    assert lines[2].split()[-2:] == ["25", "20"]


def test_unknown_deck_is_a_clear_error(imported):
    result = run("due", "--deck", "Nope", "--db", str(imported))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no deck named 'Nope'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--bogus"], "no such option: --bogus; see `python -m srs --help`"),
        (["due", "--bogus"], "no such option: --bogus; see `python -m srs due --help`"),
        (["due", "--deck"], "option '--deck' requires an argument; see `python -m srs due --help`"),
        (
            ["review", "--limit", "many"],
            "invalid value for '--limit': 'many' is not a valid int;"
            " see `python -m srs review --help`",
        ),
        (["frobnicate"], "no such command 'frobnicate'; see `python -m srs --help`"),
        (
            ["imprt"],
            "no such command 'imprt'. Did you mean 'import'? See `python -m srs --help`",
        ),
        (["config", "set", "x"], "missing argument 'VALUE'; see `python -m srs config set --help`"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_1(argv, line):
    """An unknown option or command, a missing or mistyped argument: one line, as every other
    error, naming the help to read; never click's usage block."""
    result = run(*argv)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {line}\n")


def test_the_database_may_be_given_before_the_command(imported, tmp_path):
    after = run("due", "--db", str(imported))
    before = run("--db", str(imported), "due")
    assert before.returncode == 0 and before.stdout == after.stdout
    assert "MLOps::Basics" in before.stdout
    # The command's own --db wins; a missing one is the usual one-line error.
    assert run("--db", str(tmp_path / "x.db"), "due", "--db", str(imported)).stdout == after.stdout
    missing = run("--db", str(tmp_path / "x.db"), "stats")
    assert missing.returncode == 1
    assert missing.stderr.startswith(f"error: no database at {tmp_path / 'x.db'}")
    assert not (tmp_path / "x.db").exists()


def test_version_and_help():
    assert run("--version").stdout.strip() == "srs 0.1.0"
    for command in ["import", "review", "due", "decks"]:
        result = run(command, "--help")
        assert result.returncode == 0 and "--db" in result.stdout


def test_bad_database_is_one_line_and_untouched(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n")
    result = run("due", "--db", str(bad))
    assert result.returncode == 1
    assert result.stderr == f"error: {bad}: not an SQLite database\n"
    assert bad.read_text() == "not a database\n"


def test_python_dash_m_and_srs_db_env(imported):
    result = run("due", "--json", SRS_DB=str(imported))
    assert json.loads(result.stdout)["total"]["new"] == 20


# ---------------------------------------------------------------- review through a pipe


def test_printf_pipe_session(imported):
    result = run("review", "--db", str(imported), input="b\n\nq\n", SRS_SEED="7")
    assert result.returncode == 0, result.stderr
    assert "answer> b" in result.stdout
    assert "Session done: 1 reviewed" in result.stdout
    conn = sqlite3.connect(imported)
    order, chosen, correct, grade = conn.execute(
        "SELECT options_shown, chosen, correct, grade FROM reviews"
    ).fetchone()
    order = json.loads(order)
    assert json.loads(chosen) == [order[1]]  # "b" is the second option shown
    right = "Right." in result.stdout
    assert correct == int(right)
    assert grade == (4 if right else 1)  # Enter took the suggested grade


def test_end_of_input_ends_cleanly_and_keeps_grades(imported):
    result = run("review", "--db", str(imported), input="a\n0\nb\n")
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert sqlite3.connect(imported).execute("SELECT count(*) FROM reviews").fetchone()[0] == 1


def test_wrong_answer_cannot_be_graded_a_pass(imported):
    # Answer every option letter in turn on the first card until one is wrong.
    result = run("review", "--db", str(imported), input="a\n5\n1\nq\n", SRS_SEED="3")
    if "Wrong." in result.stdout:
        assert "A wrong answer can be graded 0-2." in result.stdout
        grade = 1
    else:
        grade = 5
    rows = sqlite3.connect(imported).execute("SELECT grade FROM reviews").fetchall()
    assert rows == [(grade,)]


def test_undo_through_a_pipe(imported):
    result = run("review", "--db", str(imported), input="a\n0\nu\nq\n", SRS_SEED="1")
    assert "Undone." in result.stdout
    conn = sqlite3.connect(imported)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM cards WHERE due IS NOT NULL").fetchone()[0] == 0


def due_json(db, now: str) -> dict:
    return json.loads(run("due", "--json", "--db", str(db), SRS_NOW=now).stdout)["total"]


def test_multi_day_session_through_pipes(imported):
    key = answer_key()
    basics = {q.text for q in read_file(DECKS / "mlops-basics.md").questions}
    one_wrong = {sorted(basics)[0]}
    # Day 1: the 20 new cards (10 basics first by deck name), one answered wrong.
    assert study_day(imported, "2026-11-22T09:00", key, wrong=one_wrong) == 21  # + its repeat
    assert due_json(imported, "2026-11-22T20:00") == {"new": 0, "learning": 0, "review": 0}
    # Day 2 after the 04:00 rollover: all 20 are due (interval 1), 15 new cards are left.
    assert due_json(imported, "2026-11-23T03:59") == {"new": 0, "learning": 0, "review": 0}
    assert due_json(imported, "2026-11-23T04:00") == {"new": 15, "learning": 0, "review": 20}
    assert study_day(imported, "2026-11-23T08:00", key) == 35
    # Interval 6 for the 19 right twice, 1 for the one failed on day 1 (n restarted).
    assert due_json(imported, "2026-11-24T09:00")["review"] == 16  # 15 new of day 2 + failed
    # Nobody studies until the 29th: those 16 stay due, and the 19 (interval 6) join them.
    assert due_json(imported, "2026-11-28T09:00")["review"] == 16
    assert due_json(imported, "2026-11-29T09:00")["review"] == 16 + 19
    conn = sqlite3.connect(imported)
    kinds = dict(conn.execute("SELECT kind, count(*) FROM reviews GROUP BY kind").fetchall())
    assert kinds == {"new": 35, "review": 20, "repeat": 1}


def test_tty_session_with_pexpect(imported):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        SRS[0],
        [*SRS[1:], "review", "--db", str(imported)],
        env=subprocess_env(NO_COLOR="1"),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("answer> ")
    child.sendline("?")
    child.expect("u      undo the last grade")
    child.sendline("a")
    child.expect(r"grade 0-\d \[\d\]> ")
    child.sendline("")
    child.expect("answer> ")
    child.sendcontrol("c")
    child.expect("Session done: 1 reviewed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["due"],
        ["due", "--json"],
        ["due", "--deck", "MLOps"],
        ["due", "-d", "MLOps::Basics", "--json"],
        ["due", "--format", "{review}+{new} ({due} due, {total} in all)"],
        ["due", "--format={new}", "--on", "+3d"],
        ["due", "--on=friday", "--json"],
        ["due", "--deck", "Nope"],
        ["due", "--format", "{bogus}"],
        ["due", "--on", "someday"],
        ["due", "--json", "--format", "{due}"],
    ],
)
def test_due_fast_path_prints_what_typer_prints(imported, argv):
    # The real `srs` process takes the typer-free path; CliRunner always goes through typer.
    fast = run(*argv, "--db", str(imported))
    slow = runner.invoke(app, [*argv, "--db", str(imported)])
    assert fast.stdout == slow.stdout
    assert fast.returncode == slow.exit_code or (fast.returncode, slow.exit_code) == (1, 1)
    if fast.returncode:
        assert fast.stderr.startswith("error: ") and len(fast.stderr.splitlines()) == 1


def test_due_falls_back_to_typer_for_anything_else(imported):
    assert "--format" in run("due", "--help").stdout
    assert run("due", "--bogus").returncode == 1
    assert run("due", "--deck").returncode == 1


def test_unicode_digits_are_not_grades(imported):
    result = run("review", "--db", str(imported), input="a\n²\n0\nq\n", SRS_SEED="2")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Type a grade 0-" in result.stdout
    assert sqlite3.connect(imported).execute("SELECT grade FROM reviews").fetchall() == [(0,)]


def test_bad_srs_seed_is_one_line(imported):
    result = run("review", "--db", str(imported), input="q\n", SRS_SEED="abc")
    assert (result.returncode, result.stderr) == (
        1,
        "error: SRS_SEED must be an integer, not 'abc'\n",
    )


def test_more_options_than_letters_is_an_import_error(db_path, tmp_path):
    deck = tmp_path / "wide.md"
    options = "\n".join(f"- [{'x' if i == 0 else ' '}] option {i}" for i in range(17))
    deck.write_text(f"# Wide\n\n## Pick one\n\n{options}\n")
    result = run("import", str(deck), "--db", str(db_path))
    assert result.returncode == 1
    assert f"{deck}:3: question has 17 options; at most 16" in result.stderr.splitlines()


def test_import_bundled_decks_by_flag(db_path):
    result = run("import", "--bundled", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert "mlops-basics.md -> MLOps::Basics: 10 added" in result.stdout
    assert "mlops-cicd.md -> MLOps::CI-CD for ML: 25 added" in result.stdout
    nothing = run("import", "--db", str(db_path))
    assert nothing.returncode == 1 and "--bundled" in nothing.stderr


# ---------------------------------------------------------------- databases that are not there


@pytest.mark.parametrize(
    "argv",
    [
        ["due"],
        ["review"],
        ["decks"],
        ["stats"],
        ["cards"],
        ["show", "1"],
        ["backup"],
        ["export"],
        ["suspend", "1"],
        ["config", "get"],
        ["config", "set", "new_per_day", "5"],
        ["postpone", "2"],
    ],
)
def test_only_import_creates_a_database(tmp_path, argv):
    typo = tmp_path / "typo.db"
    result = run(*argv, "--db", str(typo), input="q\n")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: no database at {typo};"
        " create one with `srs import FILE...` or `srs import --bundled`\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_made_by_import_only(tmp_path):
    home = tmp_path / "xdg"
    env = {"XDG_DATA_HOME": str(home), "SRS_DB": ""}
    missing = run("review", input="q\n", **env)
    assert missing.returncode == 1
    assert missing.stderr.startswith(f"error: no database at {home / 'srs' / 'srs.db'};")
    assert not home.exists()
    made = run("import", "--bundled", **env)
    assert made.returncode == 0
    assert (home / "srs" / "srs.db").exists()
    # Made where the user named none: the import says where (not under the home: in full).
    assert made.stdout.splitlines()[-1] == (
        f"New database: {home / 'srs' / 'srs.db'} (SRS_DB or --db choose another)"
    )
    again = run("import", "--bundled", **env)
    assert again.returncode == 0 and "New database" not in again.stdout


def test_a_new_default_database_is_named_from_the_home_folder(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": "", "SRS_DB": ""}
    made = run("import", str(DECKS / "mlops-basics.md"), **env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[-1] == (
        "New database: ~/.local/share/srs/srs.db (SRS_DB or --db choose another)"
    )
    assert (tmp_path / ".local" / "share" / "srs" / "srs.db").exists()
    named = run("import", str(DECKS / "mlops-basics.md"), "--db", str(tmp_path / "x.db"), **env)
    assert named.returncode == 0 and "New database" not in named.stdout


def test_a_dry_run_import_creates_nothing(tmp_path):
    db = tmp_path / "new.db"
    result = run("import", "--dry-run", str(DECKS), "--db", str(db))
    assert result.returncode == 0 and "10 added" in result.stdout
    assert "Dry run: nothing written." in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["due", "review", "decks", "import", "stats", "cards"])
def test_a_folder_as_database_is_a_user_error_everywhere(tmp_path, command):
    result = run(command, *(["--bundled"] if command == "import" else []), "--db", str(tmp_path))
    assert (result.returncode, result.stderr) == (
        1,
        f"error: {tmp_path}: is a folder, not a database file\n",
    )


# ---------------------------------------------------------------- commands, as typed


def test_card_ids_may_be_written_as_the_screen_shows_them(imported):
    assert run("show", "#2", "--db", str(imported)).stdout.startswith("#2  MLOps::Basics\n")
    bad = run("show", "#x", "--db", str(imported))
    assert bad.returncode == 1 and "'#x' is not a card id" in bad.stderr


def test_usage_lines_and_summaries_read_plainly():
    env = {"COLUMNS": "80"}
    usage = {
        ("show",): "Usage: srs show [OPTIONS] CARD",
        ("suspend",): "Usage: srs suspend [OPTIONS] CARD...",
        ("import",): "Usage: srs import [OPTIONS] [PATH]...",
        ("config", "set"): "Usage: srs config set [OPTIONS] KEY VALUE",
        ("backup",): "Usage: srs backup [OPTIONS] [PATH]",
    }
    for argv, line in usage.items():
        first = run(*argv, "--help", **env).stdout.splitlines()[0]
        assert first.replace("python -m srs", "srs") == line
    listing = run("--help", **env).stdout.split("Commands:\n")[1].splitlines()
    assert len(listing) == 17
    for line in listing:
        assert len(line) <= 80 and line.rstrip().endswith(".") and "..." not in line, line


def test_due_on_a_past_day_is_refused(imported):
    result = run("due", "--on", "yesterday", "--db", str(imported))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: --on yesterday: 2026-11-21 is in the past; give today or a later day\n"
    )
    assert run("due", "--on", "today", "--db", str(imported)).returncode == 0


# ---------------------------------------------------------------- importing a folder


def test_a_folder_import_skips_what_is_not_a_deck(db_path, tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "README.md").write_text((REPO / "README.md").read_text())
    (folder / "notes.txt").write_text("Buy milk\nCall Ada\n\nNothing here is a question.\n")
    (folder / "basics.md").write_text((DECKS / "mlops-basics.md").read_text())
    dry = run("import", "--dry-run", str(folder), "--db", str(db_path))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"skipped {folder / 'README.md'}: no questions found (name the file to import it anyway)",
        f"skipped {folder / 'notes.txt'}: no questions found (name the file to import it anyway)",
        f"{folder / 'basics.md'} -> MLOps::Basics: 10 added, 0 updated, 0 unchanged",
        "Dry run: nothing written.",
    ]
    assert not db_path.exists()
    # Named, a file is read as asked: the README's sections become question/answer cards.
    named = run("import", str(folder / "README.md"), "--dry-run", "--db", str(db_path))
    assert named.returncode == 0 and "README.md -> srs:" in named.stdout
    # A folder with nothing that looks like a deck is an error, after the list.
    (folder / "basics.md").unlink()
    nothing = run("import", str(folder), "--db", str(db_path))
    assert nothing.returncode == 1
    assert nothing.stderr == (
        "error: nothing to import: no file in the folder looks like a question bank\n"
    )
    assert not db_path.exists()


def test_skip_invalid_is_suggested_only_when_something_is_valid(db_path, tmp_path):
    # Binary data: no question in it, so the flag would import nothing and is not named.
    binary = tmp_path / "notes.txt"
    binary.write_bytes(bytes(range(256)))
    result = run("import", str(binary), "--db", str(db_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{binary}: not a text file (binary data)",
        "1 error; nothing imported",
    ]
    # A package that is not one is an Anki package error, one line.
    package = tmp_path / "deck.apkg"
    package.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    result = run("import", str(package), "--db", str(db_path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {package}: not an Anki package")
    assert len(result.stderr.splitlines()) == 1 and "--skip-invalid" not in result.stderr


def test_a_reader_that_goes_away_is_not_an_error(imported):
    # `srs cards | head -1`: head leaves after the first block of output; the rest, still in
    # srs's buffer, meets a closed pipe when srs flushes it.
    command = f"{shlex.quote(SRS[0])} -m srs cards --db {shlex.quote(str(imported))} | head -1"
    for _ in range(3):
        result = subprocess.run(
            ["sh", "-c", command], capture_output=True, text=True, env=subprocess_env()
        )
        assert result.stdout.split()[:3] == ["id", "deck", "due"]
        assert result.stderr == ""


def test_a_control_character_is_an_import_error(db_path, tmp_path):
    deck = tmp_path / "ctl.md"
    deck.write_text("# Ctl\n\n## Fine?\n- [x] a\n- [ ] b\n\n## Broken?\n- [x] a\x1fb\n- [ ] c\n")
    result = run("import", str(deck), "--db", str(db_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{deck}:8: control character U+001F in text",
        "1 error; nothing imported (--skip-invalid imports the valid questions)",
    ]
    assert not db_path.exists()
    skipped = run("import", "--skip-invalid", str(deck), "--db", str(db_path))
    assert skipped.returncode == 0 and "-> Ctl: 1 added" in skipped.stdout


def test_a_card_failed_today_is_listed_as_due_today(imported):
    """Failed today, a card comes back today: `srs cards` (table and JSON) shows today as its
    due date and `srs show` says so, though its schedule's due date (for after the repeat)
    is tomorrow."""
    session = run("review", "--db", str(imported), "--deck", "MLOps::Basics", input="\n1\nq\n")
    assert "Again later today, then tomorrow." in session.stdout
    table = run("cards", "--due", "--db", str(imported)).stdout.splitlines()
    (row,) = [line for line in table if "learning" in line.split()]
    assert row.split()[:3] == ["1", "MLOps::Basics", "2026-11-22"]
    show = run("show", "1", "--db", str(imported)).stdout
    assert "state learning  due again today, then 2026-11-23  interval 1" in show
    (card,) = [
        c for c in json.loads(run("cards", "--json", "--db", str(imported)).stdout) if c["id"] == 1
    ]
    assert (card["state"], card["due"]) == ("learning", "2026-11-22")


def test_due_says_when_the_decks_share_the_days_limits(imported):
    """The bundled decks hold 10 and 25 new cards; 20 new a day: the rows do not add up to the
    total, and a line says why. With room for all, no such line."""
    capped = run("due", "--db", str(imported)).stdout.splitlines()
    assert capped[-2].split() == ["total", "20", "0", "0"]
    assert capped[-1] == (
        "(the decks share the day's limits: 20 new and 200 answers a day, less those done today)"
    )
    later = run("due", "--on", "tomorrow", "--db", str(imported)).stdout.splitlines()
    assert later[-1] == "(the decks share the day's limits: 20 new and 200 answers a day)"
    assert srs("config", "set", "new_per_day", "100", db=imported).exit_code == 0
    roomy = run("due", "--db", str(imported)).stdout.splitlines()
    assert roomy[-1].split() == ["total", "35", "0", "0"]


def test_due_and_review_say_whose_day_it_is_after_midnight(imported, monkeypatch):
    """At 02:30 on Monday it is still Sunday's study day (rollover at 04:00): a line says so,
    so Monday's date under `--on tomorrow` or in `srs cards` reads right."""
    monkeypatch.setenv("SRS_NOW", "2026-11-23T02:30:00")
    lines = run("due", "--on", "tomorrow", "--db", str(imported)).stdout.splitlines()
    assert lines[0] == "Due on Monday 2026-11-23"
    note = "(for srs it is still Sunday 2026-11-22 until 04:00, when its day starts)"
    assert lines[-1] == note
    review = run("review", "--db", str(imported), input="q\n")
    assert review.stdout.splitlines()[0] == note  # the session says so before its first card
    assert srs("config", "set", "rollover_hour", "2", db=imported).exit_code == 0
    assert "for srs it is still" not in run("due", "--db", str(imported)).stdout
    monkeypatch.setenv("SRS_NOW", "2026-11-23T09:00:00")
    assert "for srs it is still" not in run("due", "--db", str(imported)).stdout
    assert "for srs it is still" not in run("review", "--db", str(imported), input="q\n").stdout


@pytest.mark.parametrize(("argv", "usage"), [([], "srs"), (["config"], "srs config")])
def test_srs_or_a_group_alone_prints_its_help(argv, usage):
    """Not an error: the help, on stdout (a pager can read it), exit 0, as with --help."""
    result = run(*argv)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Usage: python -m {usage} [OPTIONS] COMMAND")
    assert "Commands:" in result.stdout


def test_not_answered_is_graded_as_wrong_and_a_deck_session_names_its_deck(imported):
    """Enter at answer> on a multiple-choice card: a pass grade is refused in those words;
    the summary of one deck's session speaks of that deck."""
    deck = sqlite3.connect(imported).execute("SELECT name FROM decks ORDER BY id").fetchone()[0]
    result = run("review", "--deck", deck, "--db", str(imported), input="\n4\n1\nq\n")
    assert "Not answered." in result.stdout
    assert "Not answered counts as wrong: it can be graded 0-2." in result.stdout
    assert f"Left for today in {deck}: " in result.stdout
    rows = sqlite3.connect(imported).execute("SELECT grade FROM reviews").fetchall()
    assert rows == [(1,)]


def test_cards_due_on_a_first_day_says_why_it_is_empty(imported):
    """Only new cards: `srs due` counts them, `srs cards --due` lists none and says why."""
    assert srs("cards", "--due", db=imported).stdout == (
        "No cards due today (new cards are listed without --due).\n"
    )
    assert srs("cards", "--due", "--json", db=imported).stdout.strip() == "[]"
    assert "new" in srs("cards", db=imported).stdout
    # The other filters say what found nothing, too.
    assert srs("cards", "--leeches", db=imported).stdout == (
        "No leeches (cards with 8 lapses or more).\n"
    )
    assert srs("cards", "--search", "zzz", db=imported).stdout == "No cards match 'zzz'.\n"


def test_a_hard_pass_comes_back_today_and_says_when_after(imported):
    """Graded 3 (hard), a card is asked again today; the interval it earned still counts:
    the screen says when the card is due once the repeat is passed."""
    # A question/answer card: Enter shows the answer, then a grade.
    deck = imported.parent / "qa.md"
    deck.write_text("# QA\n\n## What does SM-2 stand for?\n\nSuperMemo 2.\n")
    assert srs("import", str(deck), db=imported).exit_code == 0
    first = run("review", "--deck", "QA", "--db", str(imported), input="\n5\nq\n")
    assert "Next in 1 day." in first.stdout
    later = run(
        "review",
        "--deck",
        "QA",
        "--db",
        str(imported),
        input="\n3\n\n4\nq\n",
        SRS_NOW="2026-11-23T09:00:00",
    )
    assert "Again later today, then in 6 days." in later.stdout
    assert later.stdout.count("Next in 6 days.") == 1  # the repeat, passed: the same date
