"""`srs stats`: figures on a scripted multi-day history, checked against row-by-row oracles."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from helpers import TODAY, basic, build, now_at, query_plan, reads
from typer.testing import CliRunner

from srs import charts, stats
from srs.cli.app import app
from srs.errors import SrsError
from srs.sm2 import answer
from srs.store import Store

runner = CliRunner()


@pytest.fixture
def history_store(store):
    build(store)
    store.set_suspended([14], True)
    return store


def figures(store: Store, deck=None, days=30) -> dict:
    return stats.gather(store, TODAY, store.settings(), deck=deck, days=days)


# ---------------------------------------------------------------- oracles


def rows(store: Store, sql: str) -> list[dict]:
    cur = store.conn.execute(sql)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


def state_of(card: dict, today: dt.date) -> str:
    """A raw cards row's state, worked out here, apart from the code under test."""
    if card["suspended"]:
        return "suspended"
    if card["due"] is None:
        return "new"
    if card["repeat_today"] and card["last_review"] == today.isoformat():
        return "learning"
    return "young" if card["interval"] < 21 else "mature"


def test_card_counts_match_a_row_by_row_count(history_store):
    counted = Counter()
    for c in rows(history_store, "SELECT * FROM cards"):
        counted[state_of(c, TODAY)] += 1
        counted["leeches"] += c["lapses"] >= 8
    got = figures(history_store)["cards"]
    assert got == {
        "total": 14,
        "new": counted["new"],
        "learning": counted["learning"],
        "young": counted["young"],
        "mature": counted["mature"],
        "suspended": 1,
        "leeches": counted["leeches"],
    }
    assert got["new"] + got["learning"] + got["young"] + got["mature"] + 1 == 14


def test_history_retention_and_streak_match_the_log(history_store):
    log = rows(history_store, "SELECT * FROM reviews")
    data = figures(history_store)
    per_day = Counter(r["study_day"] for r in log)
    assert {d["day"]: d["reviews"] for d in data["history"]["days"] if d["reviews"]} == per_day
    assert data["history"]["total"] == len(log)
    assert len(data["history"]["days"]) == 30 and data["history"]["days"][-1]["day"] == "2026-11-22"
    firsts = [r for r in log if r["kind"] == "review"]
    young = [r for r in firsts if json.loads(r["state_before"])["interval"] < 21]
    assert data["retention"]["young"]["reviews"] == len(young) > 0
    assert data["retention"]["young"]["passed"] == sum(r["grade"] >= 3 for r in young)
    assert data["retention"]["mature"] == {"reviews": 0, "passed": 0, "rate": None}
    assert data["streak"] == 6


def test_streak_counts_from_yesterday_until_today_is_studied(store):
    build(
        store,
        [TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)],
    )
    assert figures(store)["streak"] == 3
    assert stats.streak(lambda d: d < TODAY - dt.timedelta(days=1), TODAY) == 0


def test_forecast_on_known_due_dates(store):
    build(store, [])
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id")]
    due = {
        ids[0]: "2026-11-20",
        ids[1]: "2026-11-21",
        ids[2]: "2026-11-22",
        ids[3]: "2026-11-22",
        ids[4]: "2026-11-24",
        ids[5]: "2026-12-21",
        ids[6]: "2026-12-22",
    }
    with store.atomic() as conn:
        for card_id, day in due.items():
            conn.execute(
                "UPDATE cards SET due = ?, interval = 3, repetitions = 2,"
                " last_review = '2026-11-01' WHERE id = ?",
                [day, card_id],
            )
    fc = figures(store)["forecast"]
    assert fc["overdue"] == 2
    assert {d["day"]: d["due"] for d in fc["days"] if d["due"]} == {
        "2026-11-22": 2,
        "2026-11-24": 1,
        "2026-12-21": 1,  # the 30th day; 2026-12-22 is outside the window
    }
    assert [d["day"] for d in fc["days"]][:2] == ["2026-11-22", "2026-11-23"]
    assert len(fc["days"]) == 30
    store.set_suspended([ids[2]], True)
    assert figures(store)["forecast"]["days"][0]["due"] == 1


def test_deck_filter_and_ef_spread(history_store):
    fr = figures(history_store, deck="Lang")
    assert fr["cards"]["total"] == 8 and fr["deck"] == "Lang"
    scheduled = rows(history_store, "SELECT ef FROM cards WHERE due IS NOT NULL")
    buckets = figures(history_store)["ef"]["buckets"]
    assert sum(b["cards"] for b in buckets) == len(scheduled)
    for b in buckets:
        lo, hi = b["from"] * 100, (b["to"] or 99) * 100
        assert b["cards"] == sum(lo <= r["ef"] < hi for r in scheduled)
    assert figures(history_store)["ef"]["mean"] == round(
        sum(r["ef"] for r in scheduled) / len(scheduled) / 100, 2
    )
    hardest = figures(history_store)["hardest"]
    hard = rows(history_store, "SELECT ef, lapses FROM cards WHERE due IS NOT NULL")
    hard = [r for r in hard if r["ef"] < 250 or r["lapses"] > 0]
    assert [h["ef"] for h in hardest] == sorted(r["ef"] / 100 for r in hard)[:5]


def test_hardest_cards_leave_out_cards_with_nothing_hard_about_them(store):
    """Answered right (EF as it started, no lapse), a card is not listed as hard; a lapse
    or a lower EF lists it."""
    store.import_questions([("D", "/d.md", [basic(f"q {i}") for i in range(3)])], now_at())
    for card_id in (1, 2, 3):
        before = store.card_state(card_id)
        after = answer(before, 4, TODAY)
        store.record_review(
            card_id, before, after, kind="new", grade=4, now=now_at(), today=TODAY, duration_ms=1
        )
    assert [r["ef"] for r in rows(store, "SELECT ef FROM cards")] == [250, 250, 250]
    assert figures(store)["hardest"] == []
    store.conn.execute("UPDATE cards SET lapses = 1 WHERE id = 2")
    store.conn.execute("UPDATE cards SET ef = 236 WHERE id = 3")
    assert [h["id"] for h in figures(store)["hardest"]] == [3, 2]


def test_stats_json_is_pinned(history_store, db_path):
    history_store.close()
    result = runner.invoke(app, ["stats", "--json", "--days", "7", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "day",
        "deck",
        "days",
        "forecast",
        "history",
        "calendar",
        "cards",
        "retention",
        "streak",
        "ef",
        "hardest",
        "fsrs",
    }
    assert data["fsrs"] is None  # under SM-2
    assert (data["day"], data["deck"], data["days"]) == ("2026-11-22", None, 7)
    assert data["cards"] == {
        "total": 14,
        "new": 0,
        "learning": 0,
        "young": 13,
        "mature": 0,
        "suspended": 1,
        "leeches": 0,
    }
    assert data["forecast"] == {
        "overdue": 0,
        "days": [
            {"day": "2026-11-22", "due": 0},
            {"day": "2026-11-23", "due": 1},
            {"day": "2026-11-24", "due": 0},
            {"day": "2026-11-25", "due": 1},
            {"day": "2026-11-26", "due": 1},
            {"day": "2026-11-27", "due": 0},
            {"day": "2026-11-28", "due": 1},
        ],
    }
    assert data["history"]["total"] == 31
    assert [d["reviews"] for d in data["history"]["days"]] == [0, 6, 7, 2, 8, 5, 3]
    assert data["retention"] == {
        "young": {"reviews": 21, "passed": 17, "rate": 0.81},
        "mature": {"reviews": 0, "passed": 0, "rate": None},
    }
    assert data["streak"] == 6
    cal = data["calendar"]
    assert (cal["from"], cal["to"], len(cal["reviews"])) == ("2025-11-17", "2026-11-22", 371)
    assert sum(cal["reviews"]) == 76
    assert [b["cards"] for b in data["ef"]["buckets"]] == [0, 0, 0, 0, 0, 9, 2, 3]
    assert data["ef"]["mean"] == 2.47
    assert data["hardest"][:2] == [
        {
            "id": 4,
            "deck": "Lang::French",
            "question": "french 3",
            "ef": 2.32,
            "difficulty": None,  # SM-2's cards have no FSRS memory
            "lapses": 1,
            "interval": 15,
        },
        {
            "id": 7,
            "deck": "Lang::French",
            "question": "french 6",
            "ef": 2.32,
            "difficulty": None,
            "lapses": 1,
            "interval": 6,
        },
    ]


def test_due_json_is_pinned(history_store, db_path):
    history_store.close()
    result = runner.invoke(app, ["due", "--json", "--db", str(db_path)])
    assert json.loads(result.stdout) == {
        "day": "2026-11-22",
        "total": {"new": 0, "learning": 0, "review": 0},
        "decks": [
            {"deck": "Lang::French", "new": 0, "learning": 0, "review": 0},
            {"deck": "Maths", "new": 0, "learning": 0, "review": 0},
        ],
    }
    tomorrow = runner.invoke(app, ["due", "--json", "--on", "tomorrow", "--db", str(db_path)])
    assert json.loads(tomorrow.stdout)["total"] == {"new": 0, "learning": 0, "review": 1}


def test_stats_text_fits_80_columns(history_store, db_path):
    history_store.close()
    result = runner.invoke(app, ["stats", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\033[" not in result.stdout  # not a TTY: no colour
    assert "(streak: 6 days)" in result.stdout
    assert any(re.match(r"^Mon [·░▒▓█ ]+$", line) for line in lines)


def test_bad_days_is_one_line(store, db_path):
    result = runner.invoke(app, ["stats", "--days", "0", "--db", str(db_path)])
    assert isinstance(result.exception, Exception) and "--days must be 1 or more" in str(
        result.exception
    )


@pytest.mark.parametrize("days", ["3651", "999999999"])
def test_days_past_ten_years_is_one_line(store, db_path, days):
    result = runner.invoke(app, ["stats", "--days", days, "--db", str(db_path)])
    assert isinstance(result.exception, SrsError), result.output
    assert str(result.exception) == f"--days must be 1 or more (at most 3650), not {days}"


def test_ten_years_of_days_is_fine(history_store):
    assert len(figures(history_store, days=3650)["forecast"]["days"]) == 3650


# ---------------------------------------------------------------- charts


def test_heatmap_has_seven_rows_and_shades_by_the_busiest_day():
    start = dt.date(2026, 11, 2)  # a Monday
    lines = charts.heatmap([0, 1, 2, 4, 8, 0, 0], start, width=80)
    assert len(lines) == 9  # months, 7 days, legend
    cells = [line[4:5] for line in lines[1:8]]
    assert cells == ["·", "░", "░", "▒", "█", "·", "·"]


def test_columns_group_days_to_fit_the_width():
    lines = charts.columns(list(range(365)), first="a", last="b", width=40)
    assert max(len(line) for line in lines) <= 40
    assert "each column" in lines[-1]


def test_day_queries_use_the_indexes(history_store):
    """Forecast, history, retention and streak probes never scan a whole table."""
    with history_store.trace() as captured:
        history_store.due_by_day(None, TODAY)
        history_store.reviews_by_day("Maths", TODAY - dt.timedelta(days=30), TODAY)
        history_store.reviews_by_day(None, TODAY - dt.timedelta(days=30), TODAY)
        history_store.retention_counts(None, TODAY - dt.timedelta(days=30), TODAY)
        history_store.studied_on(None, TODAY)
    queries = [sql for sql in reads(captured) if "FROM decks" not in sql]
    assert len(queries) == 8  # the whole log's days: a query per kind
    for sql in queries:
        text = " ".join(query_plan(history_store, sql))
        assert "SCAN cards" not in text and "SCAN reviews" not in text, (sql, text)
        assert "INDEX" in text, (sql, text)


def test_reviews_by_day_counts_every_answer_of_each_day(history_store):
    since = TODAY - dt.timedelta(days=400)
    expected = dict(
        history_store.conn.execute(
            "SELECT study_day, count(*) FROM reviews NOT INDEXED WHERE study_day BETWEEN ? AND ?"
            " GROUP BY study_day",
            [since.isoformat(), TODAY.isoformat()],
        )
    )
    got = history_store.reviews_by_day(None, since, TODAY)
    assert got == expected and list(got) == sorted(expected)
    kinds = {k for (k,) in history_store.conn.execute("SELECT DISTINCT kind FROM reviews")}
    assert len(expected) > 5 and len(kinds) >= 2


def test_stats_figures_use_the_indexes(history_store):
    """Card states, EF and difficulty spreads, hardest, and a deck's history, retention and
    streak probe: every step searches an index or walks one (the spreads read the scheduled
    cards' indexes in order); no step reads the cards or reviews table row by row."""
    with history_store.trace() as captured:
        for deck in (None, "Lang", "Maths"):
            history_store.state_counts(deck, TODAY, 8)
            history_store.ef_counts(deck)
            history_store.hardest_cards(deck, 5)
            history_store.hardest_cards(deck, 5, by_difficulty=True)
            history_store.difficulty_counts(deck)
            history_store.retention_counts(deck, TODAY - dt.timedelta(days=30), TODAY)
            history_store.studied_on(deck, TODAY)
            history_store.reviews_by_day(deck, TODAY - dt.timedelta(days=30), TODAY)
    queries = [sql for sql in reads(captured) if "FROM decks" not in sql]
    assert len(queries) == 3 * 13 + 3
    for sql in queries:
        for step in query_plan(history_store, sql):
            words = step.split()
            if words[0] in {"SCAN", "SEARCH"} and words[1] in {"cards", "reviews", "c", "r"}:
                assert "INDEX" in step or "PRIMARY KEY" in step, (sql, step)
                assert words[0] == "SEARCH" or "_ef" in step or "difficulty" in step, (sql, step)
