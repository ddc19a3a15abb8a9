"""Re-importing a file that has not changed: recorded by its digest, not read again, and the
same outcome as reading it (every change to its questions makes the next import read it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import basic, cli, mcq, now_at, run_srs

from srs.importers import PARSER_REVISION, source_digest
from srs.store import Store

QUESTIONS = [mcq("Which command uploads commits?", ("git push", "git pull")), basic()]


def never_read():
    raise AssertionError("the file was read again")


def load(store, questions, *, digest="d1", source="/decks/a.md", deck="Deck"):
    (result,) = store.import_questions([(deck, source, questions, digest)], now_at())
    return result


# ---------------------------------------------------------------- the store's record


def test_a_clean_import_is_recorded_and_the_same_bytes_are_not_read_again(store):
    load(store, QUESTIONS)
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {"/decks/a.md": "Deck"}
    assert store.unchanged_sources({"/decks/a.md": "d2", "/decks/b.md": "d1"}) == {}
    again = load(store, never_read)
    assert (again.deck, again.added, again.updated, again.unchanged) == ("Deck", 0, 0, 2)
    assert again.gone == []


def test_a_file_with_no_digest_is_not_recorded(store):
    load(store, QUESTIONS, digest=None)
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {}


def test_a_file_that_left_questions_behind_is_read_every_time(store):
    load(store, QUESTIONS)
    shorter = load(store, QUESTIONS[:1], digest="d2")
    assert shorter.gone == ["Capital of France?"]
    assert store.unchanged_sources({"/decks/a.md": "d2"}) == {}
    # Read again (the question gone is listed again), until pruned.
    calls = []
    again = load(store, lambda: calls.append(1) or QUESTIONS[:1], digest="d2")
    assert calls == [1] and again.gone == ["Capital of France?"]
    (pruned,) = store.import_questions(
        [("Deck", "/decks/a.md", QUESTIONS[:1], "d2")], now_at(), prune=True
    )
    assert pruned.pruned == 1
    # Pruning changed its questions: read once more, then recorded.
    assert store.unchanged_sources({"/decks/a.md": "d2"}) == {}
    load(store, QUESTIONS[:1], digest="d2")
    assert store.unchanged_sources({"/decks/a.md": "d2"}) == {"/decks/a.md": "Deck"}


def _moved_by_another_file(store):
    store.import_questions([("Deck", "/decks/b.md", QUESTIONS[:1])], now_at())


def _edited(store):
    store.conn.execute("UPDATE questions SET answer = 'Lyon' WHERE kind = 'basic'")


def _deleted(store):
    store.forget_deck("Deck")


def _updated_by_an_import_without_digest(store):
    store.import_questions(
        [("Deck", "/decks/a.md", [QUESTIONS[0], basic(answer="Lyon")])], now_at()
    )


@pytest.mark.parametrize(
    "change",
    [
        _moved_by_another_file,
        _edited,
        _deleted,
        _updated_by_an_import_without_digest,
    ],
)
def test_any_change_to_its_questions_makes_the_file_read_again(store, change):
    load(store, QUESTIONS)
    change(store)
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {}
    calls = []
    again = load(store, lambda: calls.append(1) or QUESTIONS)
    assert calls == [1]
    assert again.added + again.updated + again.unchanged == 2
    # Read and written: recorded again.
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {"/decks/a.md": again.deck}


def test_a_renamed_deck_is_not_taken_for_the_deck_of_the_record(store):
    load(store, QUESTIONS)
    store.conn.execute("UPDATE decks SET name = 'Renamed'")
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {}


def test_reviews_and_schedules_do_not_count_as_changes(store):
    load(store, QUESTIONS)
    store.conn.execute("UPDATE cards SET due = '2026-12-01', interval = 9")
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {"/decks/a.md": "Deck"}


def test_a_file_changed_earlier_in_the_same_import_is_read(store):
    """The record is checked again inside the import's transaction."""
    load(store, QUESTIONS)
    calls = []
    a, b = store.import_questions(
        [
            ("Deck", "/decks/b.md", QUESTIONS[:1]),  # takes a question of a.md
            ("Deck", "/decks/a.md", lambda: calls.append(1) or QUESTIONS, "d1"),
        ],
        now_at(),
    )
    assert calls == [1]
    assert (b.path, b.unchanged) == ("/decks/a.md", 2)


def test_dry_run_writes_no_record(store):
    store.import_questions([("Deck", "/decks/a.md", QUESTIONS, "d1")], now_at(), dry_run=True)
    assert store.unchanged_sources({"/decks/a.md": "d1"}) == {}


# ---------------------------------------------------------------- the digest


def test_the_digest_covers_the_bytes_the_options_and_the_parsers():
    base = source_digest(b"# D\n", first_option_correct=False, deck=None)
    assert base == source_digest(b"# D\n", first_option_correct=False, deck=None)
    others = {
        source_digest(b"# D \n", first_option_correct=False, deck=None),
        source_digest(b"# D\n", first_option_correct=True, deck=None),
        source_digest(b"# D\n", first_option_correct=False, deck="Other"),
    }
    assert base not in others and len(others) == 3
    assert PARSER_REVISION.startswith("srs ")


# ---------------------------------------------------------------- through the command


def write(path: Path, questions: list[tuple[str, str]]) -> Path:
    lines = ["# Geo", ""]
    for text, right in questions:
        lines += [f"## {text}", "", f"- [x] {right}", "- [ ] somewhere else", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_import_again_through_a_real_process(tmp_path):
    db = tmp_path / "srs.db"
    bank = write(tmp_path / "geo.md", [("Capital of France?", "Paris"), ("Of Spain?", "Madrid")])
    first = run_srs("import", str(bank), "--db", str(db))
    assert first.returncode == 0 and "2 added, 0 updated, 0 unchanged" in first.stdout
    again = run_srs("import", str(bank), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"{bank} -> Geo: 0 added, 0 updated, 2 unchanged\n"
    write(bank, [("Capital of France?", "Paris"), ("Of Spain?", "Madrid"), ("Of Peru?", "Lima")])
    edited = run_srs("import", str(bank), "--db", str(db))
    assert "1 added, 0 updated, 2 unchanged" in edited.stdout


def test_an_option_that_changes_the_reading_is_not_skipped(tmp_path, db_path):
    """Imported with --first-option-correct; the same bytes without it have errors."""
    bank = tmp_path / "plain.txt"
    bank.write_text("1. Capital of France?\nA. Paris\nB. Lyon\n", encoding="utf-8")
    assert cli("import", str(bank), "--first-option-correct", db=db_path).exit_code == 0
    without = cli("import", str(bank), db=db_path)
    assert without.exit_code == 1
    assert "no answer marked" in without.output


def test_skipped_and_read_imports_leave_the_same_database(tmp_path):
    """The same steps into two databases, one of them with every record deleted before each
    import: the reports and the questions come out the same."""
    dbs = [tmp_path / "recorded.db", tmp_path / "read.db"]
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    versions = [
        (a, [("Capital of France?", "Paris"), ("Of Spain?", "Madrid")]),
        (b, [("Of Peru?", "Lima")]),
        (a, [("Capital of France?", "Paris"), ("Of Spain?", "Madrid")]),  # unchanged
        (b, [("Of Peru?", "Lima"), ("Capital of France?", "Paris")]),  # takes one of a's
        (a, [("Capital of France?", "Paris"), ("Of Spain?", "Madrid")]),  # unchanged bytes
        (b, [("Of Peru?", "Lima")]),
        (a, [("Of Spain?", "Madrid")]),
        (a, [("Of Spain?", "Madrid")]),
    ]
    write(b, [("Of Peru?", "Lima")])
    reports: list[list[str]] = [[], []]
    for path, questions in versions:
        write(path, questions)
        for k, db in enumerate(dbs):
            if k == 1 and db.exists():
                with sqlite3.connect(db) as conn:
                    conn.execute("DELETE FROM import_sources")
            result = cli("import", str(a), str(b), db=db)
            assert result.exit_code == 0, result.output
            reports[k].append(result.output)
    assert reports[0] == reports[1]
    assert "1 no longer in the source" in reports[0][-1]
    tables = []
    for db in dbs:
        with Store.open(db) as store:
            tables.append(
                store.conn.execute(
                    "SELECT d.name, q.uid, q.guid, q.text, q.options, q.source_file,"
                    " q.source_line, q.content_changed_at FROM questions q"
                    " JOIN decks d ON d.id = q.deck_id ORDER BY q.uid"
                ).fetchall()
            )
    assert tables[0] == tables[1] and len(tables[0]) == 3


def test_an_error_elsewhere_still_names_skip_invalid_for_an_unchanged_file(tmp_path, db_path):
    """The unchanged file is not read, but it would be imported: --skip-invalid is worth naming."""
    bank = write(tmp_path / "geo.md", [("Capital of France?", "Paris")])
    assert cli("import", str(bank), db=db_path).exit_code == 0
    broken = tmp_path / "broken.md"
    broken.write_text("# Broken\n\n## A question with nothing under it?\n", encoding="utf-8")
    result = cli("import", str(bank), str(broken), db=db_path)
    assert result.exit_code == 1
    assert "1 error; nothing imported (--skip-invalid imports the valid questions)" in (
        result.output
    )
    skipped = cli("import", str(bank), str(broken), "--skip-invalid", db=db_path)
    assert skipped.exit_code == 0
    assert f"{bank} -> Geo: 0 added, 0 updated, 1 unchanged" in skipped.output
