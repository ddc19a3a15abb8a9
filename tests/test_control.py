"""Card control: due --format/--on, cards, show, suspend, reset, forget, config, leeches,
cram and postpone. Bad input is one line, exit 1, nothing changed."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from helpers import (
    SRS,
    STUDY_DAYS,
    TODAY,
    build,
    cli,
    mcq,
    now_at,
    one_line_error,
    run_srs,
    subprocess_env,
)
from hypothesis import given
from hypothesis import strategies as st

from srs import clock
from srs.errors import SrsError
from srs.review import Session
from srs.settings import Settings
from srs.store import Store, sql


def srs(db, *args: str, input: str | None = None):
    return cli(*args, db=db, input=input)


def snapshot(db) -> list[tuple]:
    with Store.open(db) as s:
        return s.conn.execute("SELECT * FROM cards ORDER BY id").fetchall()


@pytest.fixture
def built(store, db_path):
    build(store)
    store.close()
    return db_path


# ---------------------------------------------------------------- due


def test_due_format_fields(built):
    result = srs(built, "due", "--on", "+3d", "--format", "{review}+{new} {due}/{total} {learning}")
    assert result.stdout == "3+0 3/3 0\n"


def test_due_on_a_day_says_which_day(built):
    # SRS_NOW is a Sunday (2026-11-22): "friday" is the 27th, and a table says so.
    lines = srs(built, "due", "--on", "friday").stdout.splitlines()
    assert lines[0] == "Due on Friday 2026-11-27" and lines[1].startswith("deck ")
    assert srs(built, "due").stdout.splitlines()[0].startswith("deck ")


def test_due_format_and_date_errors(built):
    before = snapshot(built)
    one_line_error(srs(built, "due", "--format", "{reviews}"), "unknown field {reviews}")
    one_line_error(srs(built, "due", "--format", "{review"), "--format")
    for lone in ("due {", "due }"):
        one_line_error(
            srs(built, "due", "--format", lone),
            f"--format: a lone brace in {lone!r}; a field is {{due}}, a brace {{{{ or }}}}",
        )
    assert srs(built, "due", "--format", "{{{due}}}").stdout.startswith("{")
    one_line_error(srs(built, "review", "--limit", "-5"), "--limit must be 0 or more, not -5")
    one_line_error(srs(built, "review", "--new", "-1"), "--new must be 0 or more, not -1")
    one_line_error(srs(built, "due", "--on", "someday"), "date 'someday' not understood")
    one_line_error(srs(built, "due", "--on", "2026-02-30"), "date '2026-02-30' does not exist")
    one_line_error(srs(built, "due", "--json", "--format", "{due}"), "give one")
    assert snapshot(built) == before


def test_main_prints_one_line_and_exits_1(built):
    import subprocess

    proc = subprocess.run(
        [*SRS, "due", "--on", "2026-13-45", "--db", str(built)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == "error: date '2026-13-45' does not exist (month must be in 1..12)\n"
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", "2026-11-22"),
        ("tomorrow", "2026-11-23"),
        ("friday", "2026-11-27"),
        ("Sun", "2026-11-29"),  # today is a Sunday: the next one
        ("+3d", "2026-11-25"),
        ("+2w", "2026-12-06"),
        ("2026-12-04", "2026-12-04"),
        ("yesterday", "2026-11-21"),
        ("Monday", "2026-11-23"),
        ("sat", "2026-11-28"),
        ("2026-12-04T10:00", "2026-12-04"),  # other ISO forms: the dateutil fallback
    ],
)
def test_parse_day(text, day):
    assert clock.parse_day(text, TODAY).isoformat() == day


def test_parse_day_needs_dateutil_only_as_a_fallback():
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt; from srs import clock; t = dt.date(2026, 11, 22)\n"
        "for w in ('today', 'tomorrow', 'yesterday', 'fri', '+3d', '+2w', '2026-12-04'):\n"
        "    clock.parse_day(w, t)\n"
        "for w in ('2026-13-45', 'someday'):\n"
        "    try: clock.parse_day(w, t)\n"
        "    except Exception: pass\n"
        "print('dateutil' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert proc.stdout == "False\n", proc.stderr


# ---------------------------------------------------------------- suspend / cards / show / reset


def test_suspend_removes_from_due_counts_and_unsuspend_restores(built):
    on = ["due", "--on", "+3d", "--json"]
    assert json.loads(srs(built, *on).stdout)["total"]["review"] == 3
    due_ids = [c["id"] for c in json.loads(srs(built, "cards", "--json").stdout)]
    with Store.open(built) as s:
        ids = [i for i in due_ids if s.card_state(i).due <= dt.date(2026, 11, 25)]
    assert srs(built, "suspend", *map(str, ids)).stdout == "Suspended 3 cards.\n"
    assert json.loads(srs(built, *on).stdout)["total"]["review"] == 0
    assert srs(built, "unsuspend", str(ids[0])).stdout == "Unsuspended 1 card.\n"
    assert json.loads(srs(built, *on).stdout)["total"]["review"] == 1


def test_suspending_twice_says_it_already_was(built):
    assert srs(built, "suspend", "1").stdout == "Suspended 1 card.\n"
    assert srs(built, "suspend", "#1").stdout == "#1: already suspended; nothing changed.\n"
    assert (
        srs(built, "suspend", "1", "2", "#2").stdout == "Suspended 1 card; 1 already suspended.\n"
    )
    assert srs(built, "unsuspend", "1", "3").stdout == "Unsuspended 1 card; 1 not suspended.\n"
    assert srs(built, "unsuspend", "3").stdout == "#3: not suspended; nothing changed.\n"


def test_unknown_card_changes_nothing(built):
    before = snapshot(built)
    one_line_error(srs(built, "suspend", "1", "999"), "no card with id 999")
    one_line_error(srs(built, "reset", "2", "999"), "no card with id 999")
    one_line_error(srs(built, "show", "999"), "no card with id 999")
    assert snapshot(built) == before


@pytest.mark.parametrize("columns", [80, 60, 140])
def test_cards_on_a_terminal_fit_its_width(store, db_path, columns):
    pexpect = pytest.importorskip("pexpect")
    long = "A question long enough to need more than one line at any width " * 3
    store.import_questions(
        [("A rather long deck name::with a sub-deck", "d.md", [mcq(long), mcq("Short?")])],
        now_at(),
    )
    store.close()
    env = subprocess_env(TERM="xterm", NO_COLOR="1")
    env.pop("COLUMNS", None)
    child = pexpect.spawn(
        SRS[0], [*SRS[1:], "cards", "--db", str(db_path)], env=env, encoding="utf-8",
        dimensions=(24, columns),
    )  # fmt: skip
    child.expect(pexpect.EOF)
    lines = [line.rstrip() for line in child.before.replace("\r\n", "\n").rstrip("\n").split("\n")]
    assert len(lines) == 3  # a header and a line a card: nothing wraps
    assert all(len(line) <= columns for line in lines), lines
    assert lines[0].split()[:3] == ["id", "deck", "due"] and lines[0].endswith("question")
    assert lines[1].endswith("…") and lines[1].split()[-2:] != long.split()[-2:]
    assert lines[2].endswith("Short?")
    # The short columns are never squeezed out: the id and the state stay whole.
    assert lines[1].split()[0] == "1" and " new " in lines[1]


def test_cards_listing_and_search(built):
    cards = json.loads(srs(built, "cards", "--json", "--deck", "maths").stdout)
    assert [c["deck"] for c in cards] == ["Maths"] * 6
    assert set(cards[0]) == {
        "id", "deck", "question", "due", "interval", "ef", "reps", "lapses", "state",
        "stability", "difficulty",
    }  # fmt: skip
    assert {c["difficulty"] for c in cards} == {None}  # SM-2's cards have no FSRS memory
    found = json.loads(srs(built, "cards", "--json", "--search", "french 3").stdout)
    assert [c["question"] for c in found] == ["french 3"]
    text = srs(built, "cards").stdout
    assert text.splitlines()[0].split()[:3] == ["id", "deck", "due"]
    one_line_error(srs(built, "cards", "--deck", "Nope"), "no deck named 'Nope'")


def test_cards_due_lists_what_srs_due_counts(store, db_path):
    """Reviews due and cards failed today (a repeat pending: learning), nothing else."""
    build(store, STUDY_DAYS[:-1])  # today not studied yet
    session = Session(store, TODAY, random.Random(3))
    shown = session.next_card()
    session.grade(shown, 1, now=now_at(), duration_ms=1000)
    failed = shown.card.id
    store.close()
    built = db_path
    listed = json.loads(srs(built, "cards", "--due", "--json").stdout)
    counts = srs(built, "due", "--format", "{review} {learning}").stdout.split()
    assert counts[1] == "1" and failed in [c["id"] for c in listed]
    assert len(listed) == int(counts[0]) + int(counts[1])
    assert {c["state"] for c in listed if c["id"] == failed} == {"learning"}
    assert all(c["due"] <= TODAY.isoformat() for c in listed if c["id"] != failed)


def test_reset_makes_new_and_keeps_history(built):
    with Store.open(built) as s:
        reviews_before = len(s.reviews(4))
    assert reviews_before > 0
    assert srs(built, "reset", "4").stdout == "Reset 1 card to new.\n"
    with Store.open(built) as s:
        assert s.card_state(4).is_new
        assert len(s.reviews(4)) == reviews_before
        (change,) = s.schedule_changes(4)
        assert change.kind == "reset"
        assert change.before.due is not None
        assert change.after.due is None
    shown = srs(built, "show", "4").stdout
    assert "state new" in shown and "reset" in shown and "french 3" in shown
    # New already: nothing to reset, nothing logged (nor sent to Anki as a Forget).
    assert srs(built, "reset", "4", "3").stdout == "Reset 1 card to new (1 new already).\n"
    with Store.open(built) as s:
        assert len(s.schedule_changes(4)) == 1 and len(s.schedule_changes(3)) == 1


# ---------------------------------------------------------------- forget


def test_forget_asks_then_deletes_the_deck(built):
    before = snapshot(built)
    aborted = srs(built, "forget", "--deck", "Maths", input="n\n")
    assert aborted.exit_code == 1 and snapshot(built) == before
    assert aborted.stderr.endswith("Nothing deleted.\n") and "Aborted" not in aborted.stderr
    # The end of input (or Ctrl-C) at the question is a no, said on a line of its own.
    ended = srs(built, "forget", "--deck", "Maths", input="")
    assert ended.exit_code == 1 and snapshot(built) == before
    assert ended.stderr.endswith("[y/N]:\nNothing deleted.\n")
    done = srs(built, "forget", "--deck", "Maths", input="y\n")
    assert done.exit_code == 0 and "Deleted Maths: 6 cards." in done.stdout
    with Store.open(built) as s:
        assert list(s.deck_names().values()) == ["Lang::French"]
        assert s.conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 8
        orphans = "SELECT count(*) FROM reviews WHERE card_id NOT IN (SELECT id FROM cards)"
        assert s.conn.execute(orphans).fetchone()[0] == 0
    assert srs(built, "forget", "--deck", "lang", "--yes").exit_code == 0
    one_line_error(srs(built, "forget", "--deck", "lang", "--yes"), "no deck named 'lang'")


# ---------------------------------------------------------------- config


def test_config_get_and_set(store, db_path):
    assert srs(db_path, "config", "get", "new_per_day").stdout == "20\n"
    assert srs(db_path, "config", "set", "new_per_day", "5").stdout == "new_per_day = 5\n"
    assert srs(db_path, "config", "get", "new_per_day").stdout == "5\n"
    listing = srs(db_path, "config", "get").stdout
    assert "leech_threshold" in listing and "suspend_leeches" in listing
    one_line_error(srs(db_path, "config", "set", "nope", "1"), "unknown setting 'nope'")
    one_line_error(srs(db_path, "config", "get", "nope"), "unknown setting 'nope'")
    one_line_error(srs(db_path, "config", "set", "new_per_day", "-1"), "new_per_day must be")
    one_line_error(srs(db_path, "config", "set", "rollover_hour", "x"), "whole number")
    assert srs(db_path, "config", "get", "new_per_day").stdout == "5\n"


# ---------------------------------------------------------------- leeches


def fail_daily(store: Store, settings: Settings, days: int) -> list:
    """One card, passed on even days and failed on odd ones: a lapse every other day."""
    logs = []
    for i in range(days):
        day = TODAY + dt.timedelta(days=i)
        session = Session(store, day, random.Random(0), settings=settings, new_limit=1)
        now = dt.datetime.combine(day, dt.time(9), dt.UTC)
        while (shown := session.next_card()) is not None:
            grade = 1 if i % 2 and shown.queue != "learning" else 5
            logs.append((session, session.grade(shown, grade, now=now, duration_ms=1)))
    return logs


def test_leech_at_threshold_lapses(store, db_path):
    store.import_questions([("D", "d.md", [mcq("leechy")])], now_at())
    settings = Settings(leech_threshold=3)
    logs = fail_daily(store, settings, 8)
    leeches = [log.after.lapses for session, log in logs if session.became_leech(log)]
    assert leeches == [3]
    assert store.card_state(1).lapses == 4
    assert not store.is_suspended(1)
    store.set_setting("leech_threshold", 3)
    listed = json.loads(srs(db_path, "cards", "--leeches", "--json").stdout)
    assert [c["id"] for c in listed] == [1]
    store.set_setting("leech_threshold", 5)
    assert json.loads(srs(db_path, "cards", "--leeches", "--json").stdout) == []


def test_suspend_leeches_setting_suspends_and_undo_restores(store):
    store.import_questions([("D", "d.md", [mcq("leechy")])], now_at())
    settings = Settings(leech_threshold=2, suspend_leeches=1)
    logs = fail_daily(store, settings, 4)
    session, log = logs[-1]  # the day-3 failure: no same-day repeat for a suspended card
    assert session.became_leech(log) and log.after.lapses == 2 and store.is_suspended(1)
    # Undo takes the suspension back too.
    assert session.undo() is not None
    assert not store.is_suspended(1)


def test_review_prints_a_leech_line(store, db_path):
    store.import_questions([("D", "d.md", [mcq("leechy")])], now_at())
    fail_daily(store, Settings(), 1)  # learned on day 0
    store.set_setting("leech_threshold", 1)
    store.close()
    import subprocess

    proc = subprocess.run(
        [*SRS, "review", "--db", str(db_path)],
        input="\n1\n",  # Enter: not known, so wrong whatever the shuffle
        capture_output=True,
        text=True,
        env=subprocess_env(SRS_NOW="2026-11-23T09:00", SRS_SEED="1"),
        timeout=60,
    )
    assert "Leech: 1 lapses" in proc.stdout, proc.stdout + proc.stderr


# ---------------------------------------------------------------- cram


def test_cram_leaves_every_schedule_untouched(built):
    before = snapshot(built)
    with Store.open(built) as s:
        reviews_before = len(s.reviews())
        done_before = s.done_today(TODAY)
        session = Session(s, TODAY, random.Random(1), settings=Settings(), cram=True)
        assert sum(session.remaining().values()) == 14  # every card, due or not
        now = dt.datetime.combine(TODAY, dt.time(10), dt.UTC)
        answered = 0
        while (shown := session.next_card()) is not None:
            session.grade(shown, [0, 2, 5][answered % 3], now=now, duration_ms=5)
            answered += 1
        assert answered == 14  # a failed cram card does not come back
        rows = s.reviews()[reviews_before:]
        assert {r.kind for r in rows} == {"cram"} and len(rows) == 14
        assert all(
            before == after
            for before, after in s.conn.execute(
                "SELECT state_before, state_after FROM reviews WHERE kind = 'cram'"
            )
        )
        done = s.done_today(TODAY)
        assert {k: v for k, v in done.items() if k != "cram"} == done_before
    assert snapshot(built) == before
    # Cram rows count for nothing in the day's limits.
    assert srs(built, "due", "--format", "{total}").stdout == "0\n"


def test_cram_on_the_command_line(built):
    before = snapshot(built)
    import subprocess

    proc = subprocess.run(
        [*SRS, "review", "--cram", "--deck", "Maths", "--db", str(built)],
        input="\n1\n\n5\nq\n",
        capture_output=True,
        text=True,
        env=subprocess_env(SRS_SEED="3"),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Cram: schedule unchanged.") == 2
    assert snapshot(built) == before


# ---------------------------------------------------------------- postpone


def test_postpone_shifts_due_dates_and_undo_restores_them(built):
    before = {r[0]: r for r in snapshot(built)}
    due_col = 6  # id, question_id, deck_id, repetitions, ef, interval, due
    result = srs(built, "postpone", "3", "--deck", "Maths")
    assert result.stdout == "Postponed 6 cards by 3 days.\n"
    after = {r[0]: r for r in snapshot(built)}
    with Store.open(built) as s:
        maths = set(s.conn.execute("SELECT id FROM cards WHERE deck_id = 2").fetchall())
    for card_id, row in before.items():
        if (card_id,) in maths:
            moved = dt.date.fromisoformat(row[due_col]) + dt.timedelta(days=3)
            assert after[card_id][due_col] == moved.isoformat()
            assert after[card_id][:due_col] == row[:due_col]
            assert after[card_id][due_col + 1 :] == row[due_col + 1 :]
        else:
            assert after[card_id] == row
    undo = srs(built, "postpone", "--undo")
    assert undo.stdout == "Undid a postpone by 3 days: 6 cards restored.\n"
    assert {r[0]: r for r in snapshot(built)} == before
    one_line_error(srs(built, "postpone", "--undo"), "no postpone to undo")


def test_postpone_takes_a_card_failed_today_out_of_today_and_undo_brings_it_back(store, db_path):
    build(store, STUDY_DAYS[:-1])
    session = Session(store, TODAY, random.Random(3))
    shown = session.next_card()
    session.grade(shown, 1, now=now_at(), duration_ms=1000)  # again later today
    failed = shown.card.id
    store.close()
    before = snapshot(db_path)
    learning = json.loads(srs(db_path, "due", "--json").stdout)["total"]["learning"]
    assert learning >= 1
    assert srs(db_path, "postpone", "1").exit_code == 0
    after = json.loads(srs(db_path, "due", "--json").stdout)["total"]["learning"]
    assert after == learning - 1
    with Store.open(db_path) as s:
        states = {h.card_id: h.state for h in s.card_histories()}
    assert states[failed].repeat_today is False
    undo = srs(db_path, "postpone", "--undo")
    assert undo.stdout.startswith("Undid a postpone by 1 day: ")
    assert snapshot(db_path) == before


def test_postpone_skips_new_cards_and_rejects_bad_days(store, db_path):
    store.import_questions([("D", "d.md", [mcq("a"), mcq("b")])], now_at())
    store.close()
    before = snapshot(db_path)
    assert srs(db_path, "postpone", "2").stdout == "Postponed 0 cards by 2 days.\n"
    # Nothing moved: no step for --undo to take back (it would hide an earlier one).
    one_line_error(srs(db_path, "postpone", "--undo"), "no postpone to undo")
    one_line_error(srs(db_path, "postpone", "0"), "1 day or more")
    one_line_error(srs(db_path, "postpone", "-2"), "1 day or more")
    one_line_error(srs(db_path, "postpone", "2", "--deck", "X"), "no deck named 'X'")
    # Without DAYS, or DAYS with --undo: a usage error, one line, like any missing argument.
    for argv, words in (
        (["postpone"], "say how many days"),
        (["postpone", "2", "--undo"], "--undo takes no DAYS"),
    ):
        result = srs(db_path, *argv)
        assert result.exit_code == 1 and result.stderr.startswith(f"error: {words}")
        assert result.stderr.endswith("; see `srs postpone --help`\n")
        assert result.stderr.count("\n") == 1
    assert snapshot(db_path) == before


def test_undo_postpone_keeps_cards_reviewed_since(built):
    srs(built, "postpone", "1")
    with Store.open(built) as s:
        (card_id,) = s.conn.execute("SELECT id FROM cards ORDER BY due LIMIT 1").fetchone()
        day = s.card_state(card_id).due
        session = Session(s, day, random.Random(0), settings=Settings(new_per_day=0))
        while (shown := session.next_card()) is not None:
            if shown.card.id == card_id:
                now = dt.datetime.combine(day, dt.time(9), dt.UTC)
                session.grade(shown, 5, now=now, duration_ms=1)
                break
        graded = s.card_state(card_id)
    assert "1 reviewed since kept their new schedule" in srs(built, "postpone", "--undo").stdout
    with Store.open(built) as s:
        assert s.card_state(card_id) == graded


# ---------------------------------------------------------------- bounds, queries, search


def test_numbers_out_of_range_are_one_line_errors(built):
    before = snapshot(built)
    one_line_error(srs(built, "postpone", "99999999"), "postpone by 1 day or more (at most 3650)")
    one_line_error(srs(built, "postpone", "3651"), "not 3651")
    huge = str(2**63)
    for command in ("show", "suspend", "unsuspend", "reset"):
        one_line_error(srs(built, command, huge), f"no card with id {huge}")
        one_line_error(srs(built, command, str(2**63 - 1)), f"no card with id {2**63 - 1}")
    one_line_error(srs(built, "suspend", "1", huge, "2"), f"no card with id {huge}")
    assert snapshot(built) == before


def test_postpone_past_year_9999_changes_nothing(built):
    with Store.open(built) as s:
        (card_id,) = s.conn.execute("SELECT id FROM cards WHERE due IS NOT NULL").fetchone()
        s.conn.execute("UPDATE cards SET due = '9999-12-01' WHERE id = ?", [card_id])
        s.conn.commit()
    before = snapshot(built)
    one_line_error(
        srs(built, "postpone", "31"),
        f"card {card_id} is due 9999-12-01: 31 days later is past year 9999",
    )
    assert snapshot(built) == before
    assert "Postponed" in srs(built, "postpone", "30").stdout


def card_selects(store: Store, action) -> int:
    """How many SELECTs on cards `action()` runs."""
    with store.trace() as statements:
        action()
    return sum(1 for sql in statements if sql.startswith("SELECT") and "FROM cards" in sql)


def test_card_commands_query_the_cards_at_once(built, monkeypatch):
    now = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)
    with Store.open(built) as s:
        ids = [r[0] for r in s.conn.execute("SELECT id FROM cards ORDER BY id")]
        assert len(ids) == 14
        assert card_selects(s, lambda: s.check_cards(ids)) == 1
        assert card_selects(s, lambda: s.set_suspended(ids, True)) == 1
        assert card_selects(s, lambda: s.set_suspended(ids, False)) == 1
        s.postpone(None, 2, now, TODAY)
        assert card_selects(s, lambda: s.undo_postpone(now)) == 1
        assert card_selects(s, lambda: s.reset_cards(ids[:3], now, TODAY)) == 1
        monkeypatch.setattr(sql, "CHUNK", 5)  # 14 ids: chunks of 5, 5 and 4
        assert card_selects(s, lambda: s.check_cards(ids)) == 3
        assert card_selects(s, lambda: s.reset_cards([*ids, *ids], now, TODAY)) == 3
        with pytest.raises(SrsError, match="^no card with id 999$"):
            s.check_cards([*ids, 999, 2**63])


def test_cards_search_treats_percent_and_underscore_literally(store, db_path):
    texts = ["50% off", "500 things", "a_b", "axb", "back\\slash", "back slash"]
    store.import_questions([("D", "d.md", [mcq(t) for t in texts])], now_at())
    store.close()

    def found(text: str) -> list[str]:
        return [
            c["question"]
            for c in json.loads(srs(db_path, "cards", "--json", "--search", text).stdout)
        ]

    assert found("50%") == ["50% off"]
    assert found("a_b") == ["a_b"]
    assert found("\\") == ["back\\slash"]
    assert found("50") == ["50% off", "500 things"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("yes", 1), ("no", 0), ("TRUE", 1), ("off", 0), ("1", 1), ("0", 0), ("On", 1)],
)
def test_yes_no_settings_take_the_usual_words(store, db_path, typed, stored):
    result = srs(db_path, "config", "set", "suspend_leeches", typed)
    assert result.exit_code == 0, result.output
    shown = "yes" if stored else "no"
    assert srs(db_path, "config", "get", "suspend_leeches").stdout == f"{shown}\n"
    with Store.open(db_path) as s:
        assert s.settings().suspend_leeches == stored


def test_a_bad_yes_no_is_one_line(db_path):
    one_line_error(srs(db_path, "config", "set", "suspend_leeches", "maybe"), "yes or no")


@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.none() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False),
            max_size=4,
        ),
        max_size=4,
    )
)
def test_streamed_json_is_what_json_dumps_writes(items):
    import contextlib
    import io

    from srs.cli.tracking import _print_json_list

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_json_list(iter(items))
    assert out.getvalue() == json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def test_cards_stream_through_a_pipe_in_the_same_columns(built):
    lines = run_srs("cards", "--db", str(built)).stdout.splitlines()
    assert len(lines) == 15  # a header and the 14 cards
    starts = [line.index(line.split()[2]) for line in lines[1:]]  # where "due" starts
    assert len(set(starts)) == 1


def test_tags_are_shown_and_searched(tmp_path):
    deck = tmp_path / "bio.md"
    deck.write_text(
        "# Bio\n\n## Powerhouse of the cell?\ntags: cells energy\n\n- [x] mitochondria\n"
        "- [ ] ribosome\n\n## Unit of heredity?\n\n- [x] gene\n- [ ] cell wall\n"
    )
    db = tmp_path / "srs.db"
    assert srs(db, "import", str(deck)).exit_code == 0
    found = json.loads(srs(db, "cards", "--json", "--search", "energy").stdout)
    assert [c["question"] for c in found] == ["Powerhouse of the cell?"]
    assert "Tags: cells energy" in srs(db, "show", str(found[0]["id"])).stdout
    (other,) = [c for c in json.loads(srs(db, "cards", "--json").stdout) if c != found[0]]
    assert "Tags:" not in srs(db, "show", str(other["id"])).stdout
