"""Guard rails for "fast at any size" (not timed; `make bench` times).

* Every statement the store runs on the hot paths (due counts, the review queue, showing a
  card, grading, undo) is traced as SQLite sees it and must not scan `cards` or `reviews`.
* The quick commands must not import the heavy modules.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import assert_indexed, mcq, now_at, reads, subprocess_env

from srs import clock, sm2
from srs.records import Grade
from srs.store import Store

TODAY = clock.study_day(now_at())
HEAVY = {"genanki", "srs.exporters", "sqlite_utils", "dateutil"}
FSRS = {"fsrs", "fsrs_rs_python", "numpy"}  # FSRS's packages: only the commands that use them


def _traced(store: Store, action) -> list[str]:
    """The reading statements `action` makes SQLite run, with their parameters bound."""
    with store.trace() as statements:
        action()
    return reads(statements)


@pytest.fixture
def studied(store):
    """Two decks of cards, one graded today so learning and done-today rows exist."""
    for deck in ("A", "A::B"):
        store.import_questions(
            [(deck, f"/{deck}.md", [mcq(f"{deck} question {i}") for i in range(30)])],
            now_at(),
        )
    return store


def test_due_counts_use_indexes(studied):
    assert_indexed(studied, _traced(studied, lambda: studied.due_counts(TODAY)))
    assert_indexed(studied, _traced(studied, lambda: studied.due_counts(TODAY, "A::B")))


def test_review_queue_and_card_use_indexes(studied):
    def session() -> None:
        new = studied.queue(TODAY, None, new_limit=20, review_limit=200).new
        studied.study_card(new[0])
        studied.card_state(new[0])
        studied.due_on(TODAY, None)

    assert_indexed(studied, _traced(studied, session))


def test_grade_and_undo_use_indexes(studied):
    card_id = studied.queue(TODAY, None, new_limit=1, review_limit=1).new[0]

    def grade_and_undo() -> None:
        before = studied.card_state(card_id)
        after = sm2.answer(before, Grade.HARD, TODAY)
        log = studied.record_review(
            card_id, before, after, kind="new", grade=3, now=now_at(), today=TODAY, duration_ms=1
        )
        assert log is not None
        assert studied.undo_review(log)

    statements = _traced(studied, grade_and_undo)
    assert any(s.startswith("UPDATE cards") for s in statements)
    assert_indexed(studied, statements)


def test_card_list_reads_a_deck_at_a_time_from_an_index(studied):
    """`srs cards | head`: the first rows come after sorting one deck's cards, never after a
    scan and sort of the whole collection."""

    def first_rows() -> None:
        assert next(studied.list_cards(None)).deck == "A"
        next(studied.list_cards(None, due_by=TODAY, min_lapses=0), None)

    statements = reads(_traced(studied, first_rows))
    assert all("deck_id = " in s for s in statements if "FROM cards c" in s)
    assert_indexed(studied, statements)


# ---------------------------------------------------------------- what the quick commands import


def _modules(argv: list[str], stdin: str = "") -> set[str]:
    """Modules loaded after running `srs ARGV` in a fresh interpreter (and their packages)."""
    code = (
        "import sys\n"
        f"sys.argv = {['srs', *argv]!r}\n"
        "from srs.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    names = set(proc.stderr.strip().splitlines()[-1].split())
    return names | {n.split(".")[0] for n in names}


@pytest.fixture
def ready_db(studied, db_path) -> str:
    """An up-to-date database (opening it must not need sqlite-utils)."""
    return str(db_path)


def test_due_imports_nothing_heavy(ready_db):
    loaded = _modules(["due", "--db", ready_db])
    assert "srs" in loaded
    assert not loaded & (HEAVY | FSRS), loaded & (HEAVY | FSRS)


def test_help_imports_nothing_heavy():
    loaded = _modules(["--help"])
    assert "typer" in loaded
    heavy = HEAVY | FSRS | {"srs.store"}
    assert not loaded & heavy, loaded & heavy


def test_review_does_not_import_genanki(ready_db):
    loaded = _modules(["review", "--db", ready_db], stdin="b\n\nq\n")
    assert "srs" in loaded
    assert not loaded & ({"genanki", "srs.exporters"} | FSRS), loaded


def test_review_under_fsrs_imports_fsrs_alone(ready_db):
    from srs.memory import switch_scheduler

    with Store.open(ready_db) as store:
        switch_scheduler(store, "fsrs")
    loaded = _modules(["review", "--db", ready_db], stdin="b\n\nq\n")
    assert "fsrs" in loaded
    assert not loaded & {"fsrs_rs_python", "numpy", "genanki"}, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["due"],
        ["due", "--json"],
        ["due", "--deck", "A", "--format", "{review}+{new}"],
        ["due", "--on=+3d", "-d", "A::B"],
    ],
)
def test_due_skips_typer_and_pydantic(ready_db, argv):
    # typer coerces every option through pydantic (~100 ms): the prompt path avoids both, and
    # rich, which only the review screen and the cards table draw with.
    loaded = _modules([*argv, "--db", ready_db])
    assert "srs.store" in loaded
    unwanted = {"typer", "pydantic", "click", "rich"}
    assert not loaded & unwanted, loaded & unwanted


def test_due_loads_neither_dataclasses_nor_hashing_nor_json(ready_db):
    # Each costs `srs due` more than the count itself (see bench/RESULTS.md): the due path's
    # records and settings are NamedTuples, and json/string load only for --json/--format.
    loaded = _modules(["due", "--db", ready_db])
    assert "srs.store.counts" in loaded
    heavy = {"dataclasses", "inspect", "hashlib", "json", "string", "srs.records.card"}
    assert not loaded & heavy, loaded & heavy
