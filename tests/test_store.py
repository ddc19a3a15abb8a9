"""The store: schema by migrations, idempotent import, due counts on indexes, grades, undo."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

import pytest
from helpers import TODAY, basic, mcq, now_at, query_plan

from srs import runtime
from srs.errors import SrsError
from srs.records import Question
from srs.settings import Settings
from srs.sm2 import answer
from srs.store import Store, migrations, sql
from srs.store.counts import DONE_TODAY


def test_new_database_has_every_migration_and_wal(db_path):
    with Store.open(db_path) as store:
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations")]
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
    names = ["m001_initial", "m002_schedule_changes", "m003_stats_indexes", "m004_memory_state"]
    names += ["m005_fsrs_parameters", "m006_anki_round_trip", "m007_import_sources"]
    names += ["m008_fewer_review_indexes", "m009_fsrs_difficulty_index"]
    assert applied == list(migrations.NAMES) == names
    assert mode == "wal"


def test_migration_names_match_the_sqlite_utils_set():
    assert [m.name for m in migrations.migrations()._migrations] == list(migrations.NAMES)


def test_reopening_changes_nothing(db_path):
    Store.open(db_path).close()
    schema = sqlite3.connect(db_path).execute("SELECT sql FROM sqlite_master").fetchall()
    Store.open(db_path).close()
    assert sqlite3.connect(db_path).execute("SELECT sql FROM sqlite_master").fetchall() == schema


def test_import_is_idempotent_and_updates_in_place(store):
    first = store.import_questions(
        [("Deck", "/a.txt", [mcq("Q one?"), mcq("Q two?"), basic("Q three?")])], now_at()
    )
    assert (first[0].added, first[0].updated, first[0].unchanged) == (3, 0, 0)
    again = store.import_questions(
        [("Deck", "/a.txt", [mcq("Q one?"), mcq("Q two?"), basic("Q three?")])], now_at()
    )
    assert (again[0].added, again[0].updated, again[0].unchanged) == (0, 0, 3)
    assert store.card_count() == 3


def test_changed_options_update_and_keep_progress(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Q one?")])], now_at())
    card_id = store.queue(TODAY, None, new_limit=5, review_limit=5).new[0]
    before = store.card_state(card_id)
    after = answer(before, 5, TODAY)
    store.record_review(
        card_id, before, after, kind="new", grade=5, now=now_at(), today=TODAY, duration_ms=1
    )
    guid = store.export_cards()[0].guid
    # Same question (case and spacing do not matter), new options and answer.
    changed = mcq("q  ONE?", options=("new right", "x", "y", "z"), answers=(3,))
    result = store.import_questions([("Deck", "/a.txt", [changed])], now_at("2026-11-23T09:00:00"))
    assert (result[0].added, result[0].updated) == (0, 1)
    card = store.study_card(card_id)
    assert card.question.options == ("new right", "x", "y", "z")
    assert card.question.answers == (3,)
    assert card.state == after
    exported = store.export_cards()[0]
    assert exported.guid == guid
    assert exported.content_changed_at == now_at("2026-11-23T09:00:00")
    assert len(store.reviews(card_id)) == 1


def test_explicit_id_wins_over_text(store):
    store.import_questions([("Deck", "/a.md", [mcq("Old wording", id="q-1")])], now_at())
    result = store.import_questions([("Deck", "/a.md", [mcq("New wording", id="q-1")])], now_at())
    assert (result[0].added, result[0].updated) == (0, 1)
    assert store.card_count() == 1


def test_questions_that_left_the_source_are_kept_unless_pruned(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Stays"), mcq("Goes")])], now_at())
    kept = store.import_questions([("Deck", "/a.txt", [mcq("Stays")])], now_at())
    assert kept[0].gone == ["Goes"] and store.card_count() == 2
    pruned = store.import_questions([("Deck", "/a.txt", [mcq("Stays")])], now_at(), prune=True)
    assert pruned[0].pruned == 1 and store.card_count() == 1


def test_a_question_only_leaves_its_own_source(store):
    store.import_questions(
        [("Deck", "/a.txt", [mcq("From a")]), ("Deck", "/b.txt", [mcq("From b")])], now_at()
    )
    result = store.import_questions([("Deck", "/a.txt", [mcq("From a")])], now_at())
    assert result[0].gone == []


def test_dry_run_writes_nothing(store):
    result = store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at(), dry_run=True)
    assert result[0].added == 1
    assert store.card_count() == 0
    assert store.deck_names() == {}


def test_failed_import_rolls_back_everything(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Q1")])], now_at())

    def batches():
        yield ("Deck", "/a.txt", [mcq("Q1"), mcq("Q2")])
        raise RuntimeError("crash between files")

    with pytest.raises(RuntimeError):
        store.import_questions(batches(), now_at())
    assert store.card_count() == 1


def _study(store, card_id, grade, day):
    before = store.card_state(card_id)
    after = answer(before, grade, day)
    kind = "new" if before.is_new else "review"
    return store.record_review(
        card_id, before, after, kind=kind, grade=grade, now=now_at(), today=day, duration_ms=5
    )


def test_due_counts_respect_the_daily_limits(store):
    store.import_questions([("Deck", "/a.txt", [mcq(f"Q{i}") for i in range(30)])], now_at())
    total, per_deck = store.due_counts(TODAY)
    assert (total.new, total.learning, total.review) == (20, 0, 0)
    for card_id in range(1, 6):
        _study(store, card_id, 1, TODAY)  # 5 new cards failed: learning
    total, _ = store.due_counts(TODAY)
    assert (total.new, total.learning, total.review) == (15, 5, 0)
    tomorrow = TODAY + dt.timedelta(days=1)
    total, _ = store.due_counts(tomorrow, settings=Settings(new_per_day=20, reviews_per_day=8))
    assert (total.new, total.learning, total.review) == (3, 0, 5)
    assert per_deck[0].deck == "Deck"


def test_deck_filter_covers_sub_decks(store):
    store.import_questions(
        [
            ("Lang::French", "/f.txt", [mcq("F")]),
            ("Lang::German", "/g.txt", [mcq("G"), mcq("G2")]),
            ("Maths", "/m.txt", [mcq("M")]),
        ],
        now_at(),
    )
    assert store.due_counts(TODAY, "lang")[0].new == 3
    assert store.due_counts(TODAY, "Lang::German")[0].new == 2
    with pytest.raises(SrsError, match="no deck named 'Lan'"):
        store.due_counts(TODAY, "Lan")


def test_record_review_refuses_a_stale_state(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
    stale = store.card_state(1)
    assert _study(store, 1, 4, TODAY) is not None
    assert (
        store.record_review(
            1,
            stale,
            answer(stale, 5, TODAY),
            kind="new",
            grade=5,
            now=now_at(),
            today=TODAY,
            duration_ms=1,
        )
        is None
    )
    assert len(store.reviews(1)) == 1


def test_undo_restores_card_and_log_exactly(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
    _study(store, 1, 4, TODAY)
    card_before = store.conn.execute("SELECT * FROM cards").fetchall()
    log_before = store.reviews()
    log = _study(store, 1, 1, TODAY + dt.timedelta(days=1))
    assert store.undo_review(log)
    assert store.conn.execute("SELECT * FROM cards").fetchall() == card_before
    assert store.reviews() == log_before


def test_review_log_keeps_state_before_and_after(store):
    store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
    before = store.card_state(1)
    after = answer(before, 5, TODAY)
    store.record_review(
        1,
        before,
        after,
        kind="new",
        grade=5,
        now=now_at(),
        today=TODAY,
        duration_ms=1234,
        options_shown=(2, 0, 1),
        chosen=(0,),
        correct=True,
    )
    row = store.reviews(1)[0]
    assert row.reviewed_at == now_at()
    assert (row.grade, row.duration_ms, row.correct) == (5, 1234, True)
    assert row.options_shown == (2, 0, 1)
    assert row.chosen == (0,)
    assert row.due_after == dt.date(2026, 11, 23)
    raw = store.conn.execute(
        "SELECT reviewed_at, state_before, state_after FROM reviews"
    ).fetchone()
    assert raw[0] == "2026-11-22T09:00:00.000Z"
    assert json.loads(raw[2])["due"] == "2026-11-23"
    assert json.loads(raw[1])["due"] is None


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN (1) AND suspended = 0"
        " AND due IS NULL LIMIT 20)",
        "SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN (1) AND suspended = 0"
        " AND due <= '2026-11-22' LIMIT 20)",
        "SELECT count(*) FROM cards WHERE last_review = '2026-11-22' AND repeat_today = 1"
        " AND suspended = 0 AND deck_id IN (1)",
        DONE_TODAY.replace("?", "'2026-11-22'"),
    ],
)
def test_hot_counts_use_an_index(store, sql):
    plan = " ".join(query_plan(store, sql))
    assert "USING" in plan and "INDEX" in plan, plan
    assert "SCAN cards" not in plan and "SCAN reviews" not in plan, plan


# ---------------------------------------------------------------- databases we refuse


def _refused(path, match):
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(SrsError, match=match):
        Store.open(path)
    if before is not None:
        assert path.read_bytes() == before


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n" * 20)
    _refused(path, "not an SQLite database")


def test_zero_byte_file_is_refused(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    _refused(path, "empty file")


def test_an_empty_sqlite_database_is_made_a_collection_only_by_import(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).execute("VACUUM")  # a valid SQLite file without a table
    for read_only in (False, True):
        before = path.read_bytes()
        with pytest.raises(SrsError, match="an empty SQLite database, not an srs one"):
            Store.open(path, create=False, read_only=read_only)
        assert path.read_bytes() == before
    os.chmod(path, 0o444)
    try:
        with pytest.raises(SrsError, match="an empty SQLite database, not an srs one"):
            Store.open(path, create=False, read_only=True)
    finally:
        os.chmod(path, 0o644)
    # `srs import` makes it one, through the command as a user runs it.
    from helpers import DECKS, run_srs

    done = run_srs("import", str(DECKS / "mlops-basics.md"), "--db", str(path))
    assert done.returncode == 0, done.stderr
    with Store.open(path, create=False) as store:
        assert store.card_count() == 10


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    _refused(path, "not an srs database")


def test_newer_database_is_refused_not_downgraded(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('srs', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    _refused(db_path, "newer version of srs")


def test_read_only_file_is_refused(db_path):
    Store.open(db_path).close()
    os.chmod(db_path, 0o444)
    try:
        _refused(db_path, "read-only")
    finally:
        os.chmod(db_path, 0o644)


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(SrsError, match="does not exist"):
        Store.open(tmp_path / "no" / "such" / "srs.db")
    assert not (tmp_path / "no").exists()


def test_folder_is_refused(tmp_path):
    with pytest.raises(SrsError, match="is a folder"):
        Store.open(tmp_path)


def test_backup_is_a_working_copy(store, tmp_path):
    store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
    copy = store.backup(tmp_path / "copy.db", now=now_at())
    with Store.open(copy) as other:
        assert other.card_count() == 1


def test_backup_names_follow_the_clock_passed_in(store, tmp_path):
    """Default: beside the database; a folder: into it; never over a file."""
    now = now_at("2026-11-22T09:30:05")
    beside = store.backup(now=now)
    assert beside == store.path.with_name(f"{store.path.name}.20261122-093005.bak")
    assert store.backup(now=now) == beside.with_name(f"{store.path.name}.20261122-093005-2.bak")
    folder = tmp_path / "backups"
    folder.mkdir()
    into = store.backup(folder, now=now)
    assert into == folder / f"{store.path.name}.20261122-093005.bak"
    with pytest.raises(SrsError, match="already exists"):
        store.backup(into, now=now)


def test_only_create_makes_a_database(tmp_path):
    missing = tmp_path / "typo.db"
    for read_only in (False, True):
        with pytest.raises(SrsError, match="no database at .*typo.db; create one with `srs import"):
            Store.open(missing, create=False, read_only=read_only)
    assert not missing.exists()
    Store.open(missing, create=True).close()
    assert missing.exists()


def test_a_reversed_question_gets_both_its_cards(store):
    """However it arrives (an Anki package's "Basic (and reversed card)", or as a record)."""
    both = Question(text="Capital of France?", kind="reversed", answer="Paris")
    store.import_questions([("Deck", "/a.md", [basic("Q"), both, mcq("M")])], now_at())
    rows = store.conn.execute(
        "SELECT q.kind, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
        " ORDER BY q.id, c.ord"
    ).fetchall()
    assert rows == [("basic", 0), ("reversed", 0), ("reversed", 1), ("mcq", 0)]


def _beside(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_built_database_appears_only_when_complete(tmp_path):
    db = tmp_path / "srs.db"
    with Store.build(db, now=now_at()) as store:
        store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
        assert not db.exists()  # no reader can open it half made
        (aside,) = _beside(tmp_path)
        assert aside.startswith(".srs.db.") and store.path == tmp_path / aside
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "memory"
    assert _beside(tmp_path) == ["srs.db"]
    with Store.open(db) as store:
        assert store.card_count() == 1
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failed_build_leaves_nothing(tmp_path):
    db = tmp_path / "srs.db"
    with pytest.raises(ZeroDivisionError), Store.build(db, now=now_at()) as store:
        store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
        1 / 0  # noqa: B018 - any failure inside the import
    assert _beside(tmp_path) == []


def test_a_build_never_replaces_a_database_made_meanwhile(tmp_path):
    db = tmp_path / "srs.db"
    made = "another srs made this database while the import ran"
    with pytest.raises(SrsError, match=made), Store.build(db, now=now_at()) as store:
        store.import_questions([("Deck", "/a.txt", [mcq("Q")])], now_at())
        with Store.open(db) as other:  # another `srs import` that finished first
            other.import_questions([("Other", "/b.txt", [mcq("R"), mcq("S")])], now_at())
    assert _beside(tmp_path) == ["srs.db"]
    with Store.open(db) as store:
        assert store.card_count() == 2
    with pytest.raises(SrsError, match="exists already"), Store.build(db):
        pass
    with pytest.raises(SrsError, match="does not exist"), Store.build(tmp_path / "no" / "x.db"):
        pass


def test_settings_defaults_and_bounds(store):
    assert store.settings() == Settings()
    store.set_setting("new_per_day", 5)
    assert store.settings().new_per_day == 5
    with pytest.raises(SrsError, match="unknown setting"):
        store.set_setting("colour", 1)
    with pytest.raises(SrsError, match="rollover_hour must be 0-23"):
        store.set_setting("rollover_hour", 24)


TRICKY = (
    "naïve café",
    'say "hi"',
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "日本語",
    "🙂",
    "\x00\x1f",
)


def test_content_json_is_byte_identical_to_json_dumps():
    from srs.store.rows import content as _content
    from srs.store.rows import json_list as _json_list

    q = mcq("Q?", options=TRICKY, answers=(0, 3), tags=("été", "exam prep"))
    content = _content(q)
    assert content[3] == json.dumps(list(q.options), ensure_ascii=False)
    assert content[4] == json.dumps(list(q.answers))
    assert content[7] == json.dumps(list(q.tags), ensure_ascii=False)
    for value in ([], ["\ud800", "\u2028", "\x7f"], [0, 12], [True], [1.5], ["a", 1]):
        assert _json_list(value) == json.dumps(value, ensure_ascii=False)


def test_reimport_over_json_dumps_rows_reports_nothing_updated(store):
    """A database written by json.dumps (older versions) compares equal on re-import."""
    questions = [
        mcq("Q one?", options=TRICKY, answers=(1,), tags=("été", "x")),
        mcq("Q two?", options=("a", "b"), answers=(0, 1)),
        basic("Q three?", tags=("日本",)),
    ]
    store.import_questions([("Deck", "/a.md", questions)], now_at())
    with store.atomic() as conn:
        for q in questions:
            conn.execute(
                "UPDATE questions SET options = ?, answers = ?, tags = ? WHERE text = ?",
                [
                    json.dumps(list(q.options), ensure_ascii=False),
                    json.dumps(list(q.answers)),
                    json.dumps(list(q.tags), ensure_ascii=False),
                    q.text,
                ],
            )
    again = store.import_questions([("Deck", "/a.md", questions)], now_at())
    assert (again[0].added, again[0].updated, again[0].unchanged) == (0, 0, 3)


def test_new_questions_get_guids_derived_from_deck_and_uid(store, tmp_path):
    batches = [
        ("Deck", "/a.md", [mcq(f"Q {i}?") for i in range(50)]),
        ("Deck", "/b.md", [mcq(f"R {i}?") for i in range(49)] + [mcq("Q?", id="q")]),
    ]
    store.import_questions(batches, now_at())
    guids = dict(store.conn.execute("SELECT uid, guid FROM questions"))
    assert len(set(guids.values())) == 100
    assert all(len(g) == 32 and int(g, 16) >= 0 for g in guids.values())
    # Another database (another machine), another day, the deck spelt in another case:
    # the same GUIDs, so Anki recognises its notes.
    other_batches = [(" deck ", path, questions) for _, path, questions in reversed(batches)]
    with Store.open(tmp_path / "other.db") as other:
        other.import_questions(other_batches, now_at("2027-01-01T10:00:00"))
        assert dict(other.conn.execute("SELECT uid, guid FROM questions")) == guids
    # The deck is part of the identity.
    store.import_questions([("Other", "/a.md", [mcq("Q 1?")])], now_at())
    (other_guid,) = store.conn.execute(
        "SELECT guid FROM questions q JOIN decks d ON d.id = q.deck_id WHERE d.name = 'Other'"
    ).fetchone()
    assert other_guid not in guids.values()
    # Forgotten and imported again: the same notes as before.
    store.forget_deck("Deck")
    store.import_questions(batches, now_at())
    assert {
        uid: guid
        for uid, guid in store.conn.execute("SELECT uid, guid FROM questions")
        if guid != other_guid
    } == guids


def test_existing_guids_are_kept_and_a_taken_guid_is_not_reused(store):
    def guids() -> dict[str, str]:
        return dict(store.conn.execute("SELECT text, guid FROM questions"))

    def load(*questions):
        return store.import_questions([("Deck", "/a.md", list(questions))], now_at())[0]

    load(mcq("Old?"), mcq("Is this one taken?"))
    # A question imported by an older version has a random GUID: it keeps it.
    store.conn.execute("UPDATE questions SET guid = 'random-old-guid' WHERE text = 'Old?'")
    store.conn.commit()
    first = guids()
    # A question's text edited: it keeps its GUID, derived from its first text...
    edited = load(mcq("Old?", options=("a", "b")), mcq("Is this one taken!"))
    assert (edited.added, edited.updated) == (0, 2)
    assert guids() == {"Old?": "random-old-guid", "Is this one taken!": first["Is this one taken?"]}
    # ...which a new question with that first text would derive again: it gets another.
    again = load(
        mcq("Old?", options=("a", "b")), mcq("Is this one taken!"), mcq("Is this one taken?")
    )
    assert (again.added, again.updated) == (1, 0)
    assert guids()["Is this one taken?"] not in {first["Is this one taken?"], "random-old-guid"}
    assert len(guids()["Is this one taken?"]) == 32


def test_every_change_moves_the_content_stamp_on_by_a_second_at_least(store):
    def stamps() -> dict[str, dt.datetime]:
        return {c.question.text: c.content_changed_at for c in store.export_cards()}

    now = now_at("2026-11-22T09:00:00.250")  # the clock pinned, as SRS_NOW does
    store.import_questions([("Deck", "/x/a.md", [mcq("A?", line=1), mcq("B?", line=5)])], now)
    first = stamps()
    assert first == {"A?": now, "B?": now}

    def again(a_options, *, source="/x/a.md", b_line=5, at=now):
        store.import_questions(
            [("Deck", source, [mcq("A?", a_options, line=1), mcq("B?", line=b_line)])], at
        )
        return stamps()

    second = again(("r", "w"))  # an edit in the same second
    third = again(("r", "w", "x"))  # and another
    assert second["A?"] == now_at("2026-11-22T09:00:01")
    assert third["A?"] == now_at("2026-11-22T09:00:02")
    assert second["B?"] == third["B?"] == now  # unchanged
    # The clock set back: still later than before.
    assert again(("r",), at=now_at("2026-11-21T09:00:00"))["A?"] == now_at("2026-11-22T09:00:03")
    # Later on, the clock is ahead of the last stamp: the stamp is the time of the change.
    later = now_at("2026-11-23T10:00:00.500")
    assert again(("r", "w"), at=later)["A?"] == later
    # The note's Source field shows the file name and line: a new line is a change...
    assert again(("r", "w"), b_line=6)["B?"] == now_at("2026-11-22T09:00:01")
    # ...another folder with the same file name is not.
    moved = again(("r", "w"), source="/y/a.md", b_line=6)
    assert moved["B?"] == now_at("2026-11-22T09:00:01")
    assert [c.source for c in store.export_cards()] == ["a.md:1", "a.md:6"]


def test_export_without_history_skips_reviews_and_streams_the_same_cards(store):
    store.import_questions([("A::B", "/a.md", [mcq("Q1?"), mcq("Q2?")])], now_at())
    store.import_questions([("C", "/c.md", [basic("Q3?")])], now_at())
    card_id = store.conn.execute("SELECT min(id) FROM cards").fetchone()[0]
    before = store.card_state(card_id)
    after = answer(before, 4, TODAY)
    store.record_review(
        card_id, before, after, kind="new", grade=4, now=now_at(), today=TODAY, duration_ms=5
    )
    full = store.export_cards()
    bare = list(store.iter_export_cards(history=False))
    assert [c.reviews for c in bare] == [()] * 3
    assert [(c.guid, c.question, c.state) for c in bare] == [
        (c.guid, c.question, c.state) for c in full
    ]
    (reviewed,) = [c for c in full if c.reviews]
    (record,) = reviewed.reviews
    assert (record.grade, record.interval_before, record.interval_after) == (
        4,
        before.sm2.interval,
        after.sm2.interval,
    )
    assert record.ef_after == after.sm2.ef
    assert store.export_deck_names() == ["A::B", "C"]
    assert store.export_deck_names(["a"]) == ["A::B"]


def test_parser_precomputed_key_gives_the_same_uid():
    from dataclasses import replace

    from srs.importers.canonical import parse
    from srs.records import normalise, question_uid

    result = parse("## Tab\tand  SPACES  Ünï?\n\n- [x] a\n- [ ] b\n", "/x.md")
    (q,) = result.questions
    assert q.normalised == normalise(q.text) == "tab and spaces ünï?"
    fresh = replace(q)
    assert fresh.normalised == "" and fresh == q
    assert question_uid(q) == question_uid(fresh)
    assert question_uid(replace(q, text="Other?")) != question_uid(q)


def test_m002_database_gets_interval_before_backfilled_from_state_before(db_path, monkeypatch):
    """m003 adds reviews.interval_before: exactly the interval in each row's state_before."""
    with monkeypatch.context() as m:
        m.setattr(migrations, "STEPS", migrations.STEPS[:2])
        m.setattr(migrations, "NAMES", migrations.NAMES[:2])
        with Store.open(db_path) as store:
            store.import_questions([("D", "/d.md", [basic(f"q {i}") for i in range(2)])], now_at())
    intervals = [0, 1, 6, 20, 21, 365, None]
    conn = sqlite3.connect(db_path)
    with conn:
        assert "interval_before" not in [r[1] for r in conn.execute("PRAGMA table_info(reviews)")]
        for i, interval in enumerate(intervals):
            before = None if interval is None else json.dumps({"interval": interval, "ef": 250})
            conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
                " state_before, state_after)"
                " VALUES (?, ?, '2026-11-21', 'review', 4, 1000, ?, '{}')",
                [1 + i % 2, f"2026-11-21T10:00:0{i}.000Z", before],
            )
    conn.close()
    with Store.open(db_path) as store:
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations")]
        got = store.conn.execute(
            "SELECT state_before, interval_before FROM reviews ORDER BY id"
        ).fetchall()
    assert applied == list(migrations.NAMES)
    assert [b for _, b in got] == intervals
    assert all(s is None or json.loads(s)["interval"] == b for s, b in got)


def test_any_kind_names_every_kind_of_answer():
    """A day's answers are read through ANY_KIND: a kind left out would be missed."""
    from typing import get_args

    from srs.records import ReviewKind

    assert sorted(sql.KINDS) == sorted(get_args(ReviewKind))
    assert sql.ANY_KIND == "kind IN ('new', 'review', 'repeat', 'cram')"


def test_m008_drops_two_review_indexes_and_keeps_the_log(db_path, monkeypatch):
    """A database at m007 with answers of every kind: m008 leaves its rows as they were and
    the day's counts the same, now read from the (kind, study_day, ...) index."""
    with monkeypatch.context() as m:
        m.setattr(migrations, "STEPS", migrations.STEPS[:7])
        m.setattr(migrations, "NAMES", migrations.NAMES[:7])
        with Store.open(db_path) as store:
            store.import_questions([("D", "/d.md", [basic(f"q {i}") for i in range(4)])], now_at())
            for i, kind in enumerate(["new", "review", "repeat", "cram", "review"]):
                store.conn.execute(
                    "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade,"
                    " duration_ms) VALUES (?, ?, ?, ?, 4, 1000)",
                    [1 + i % 4, f"2026-11-2{i}T10:00:00.000Z", f"2026-11-2{i % 2}", kind],
                )
            indexes = {r[1] for r in store.conn.execute("PRAGMA index_list(reviews)")}
            rows = store.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
            counts = [store.done_today(dt.date(2026, 11, 20 + d)) for d in range(2)]
    assert {"idx_reviews_card_id", "idx_reviews_study_day_kind"} <= indexes
    with Store.open(db_path) as store:
        after = {r[1] for r in store.conn.execute("PRAGMA index_list(reviews)")}
        assert store.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall() == rows
        assert [store.done_today(dt.date(2026, 11, 20 + d)) for d in range(2)] == counts
    assert counts == [{"new": 1, "repeat": 1, "review": 1}, {"review": 1, "cram": 1}]
    assert after == indexes - {"idx_reviews_card_id", "idx_reviews_study_day_kind"}


def test_the_settings_of_a_database_to_upgrade_are_read_without_upgrading_it(
    db_path, tmp_path, monkeypatch
):
    """An import reads its packages (their answers' study days: the rollover hour) before
    it upgrades the database it writes to."""
    with monkeypatch.context() as m:
        m.setattr(migrations, "STEPS", migrations.STEPS[:7])
        m.setattr(migrations, "NAMES", migrations.NAMES[:7])
        with Store.open(db_path) as store:
            store.set_setting("rollover_hour", 10)
    before = db_path.read_bytes()
    assert Store.stored_settings(db_path).rollover_hour == 10
    monkeypatch.setenv("SRS_NOW", "2026-11-23T08:00:00")  # before 10:00: still the 22nd
    today = runtime.import_day(db_path)
    assert (today.settings.rollover_hour, today.day) == (10, dt.date(2026, 11, 22))
    assert db_path.read_bytes() == before
    not_ours = tmp_path / "other.db"
    sqlite3.connect(not_ours).execute("CREATE TABLE settings (key, value)")
    assert Store.stored_settings(not_ours) is None
    assert runtime.import_day(tmp_path / "missing.db").settings.rollover_hour == 4


def test_record_review_writes_interval_before(store):
    store.import_questions([("D", "/d.md", [basic("q")])], now_at())
    card_id = store.conn.execute("SELECT id FROM cards").fetchone()[0]
    day = TODAY
    for _ in range(3):
        before = store.card_state(card_id)
        after = answer(before, 5, day)
        assert store.record_review(
            card_id, before, after, kind="review", grade=5, now=now_at(), today=day, duration_ms=1
        )
        day = after.due
    got = store.conn.execute("SELECT state_before, interval_before FROM reviews").fetchall()
    assert [b for _, b in got] == [json.loads(s)["interval"] for s, _ in got] == [0, 1, 6]


def test_parsing_leaves_the_garbage_collector_as_it_was():
    import gc

    from srs.importers import parse_text

    assert gc.isenabled()
    parse_text("## Q?\n\n- [x] a\n- [ ] b\n", "/x.md")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_text("## Q?\n\n- [x] a\n- [ ] b\n", "/x.md")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_question_moved_to_another_file_is_neither_gone_nor_pruned(store):
    store.import_questions([("Deck", "/f1.md", [mcq("P1"), mcq("P2")])], now_at())
    card = store.study_card(2)
    assert card.question.text == "P2"
    result = store.import_questions(
        [("Deck", "/f1.md", [mcq("P1")]), ("Deck", "/f2.md", [mcq("P2")])], now_at(), prune=True
    )
    assert [(r.gone, r.pruned) for r in result] == [([], 0), ([], 0)]
    assert store.study_card(2).question.text == "P2"  # same card, history kept
    assert store.card_count() == 2


def test_prune_removes_reset_cards_too(store):
    store.import_questions([("Deck", "/a.md", [mcq("Stays"), mcq("Goes")])], now_at())
    _study(store, 2, 4, TODAY)
    store.reset_cards([2], now_at(), TODAY)
    result = store.import_questions([("Deck", "/a.md", [mcq("Stays")])], now_at(), prune=True)
    assert result[0].pruned == 1
    assert store.card_count() == 1
    assert store.conn.execute("SELECT count(*) FROM schedule_change_cards").fetchone()[0] == 0
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_deck_names_are_trimmed_and_matched_whatever_the_case(store):
    store.import_questions([("Lang::French", "/f.md", [mcq("F1")])], now_at())
    result = store.import_questions([(" lang :: FRENCH ", "/g.md", [mcq("F2")])], now_at())
    assert result[0].deck == "Lang::French"
    assert list(store.deck_names().values()) == ["Lang::French"]
    with pytest.raises(SrsError, match="empty part"):
        store.import_questions([("Lang::::French", "/h.md", [mcq("F3")])], now_at())
    assert store.card_count() == 2


# ---------------------------------------------------------------- transactions that nest


def _decks(store) -> list[str]:
    return [n for (n,) in store.conn.execute("SELECT name FROM decks ORDER BY name")]


def test_an_inner_transaction_is_a_savepoint(store):
    with store.atomic():
        store.import_questions([("Outer", "/o.md", [mcq("Q")])], now_at())
        with pytest.raises(RuntimeError), store.atomic():
            store.import_questions([("Inner", "/i.md", [mcq("Q")])], now_at())
            raise RuntimeError("the inner part fails")
        assert store.conn.in_transaction  # the outer one goes on
    assert _decks(store) == ["Outer"]


def test_an_outer_failure_takes_back_what_inner_ones_did(store):
    with pytest.raises(RuntimeError), store.atomic():
        store.import_questions([("A", "/a.md", [mcq("Q")])], now_at())
        raise RuntimeError("after the inner commit")
    assert _decks(store) == [] and not store.conn.in_transaction


def test_a_dry_run_inside_a_transaction_leaves_the_rest(store):
    with store.atomic():
        store.import_questions([("Kept", "/k.md", [mcq("Q")])], now_at())
        store.import_questions([("Dry", "/d.md", [mcq("Q")])], now_at(), dry_run=True)
    assert _decks(store) == ["Kept"]


def test_trace_sees_statements_with_their_values(store):
    with store.trace() as statements:
        store.due_counts(TODAY)
    assert any("'2026-11-22'" in s for s in statements)
    with store.trace() as quiet:
        pass
    assert quiet == []
