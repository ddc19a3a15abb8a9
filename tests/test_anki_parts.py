"""The pure parts of the Anki round trip: HTML as text, cloze gaps, templates, the minimal
protobuf reader, the replay of a card's log, the state JSON, media names."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from dataclasses import fields

import pytest
from anki import import_export_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from srs.exporters.anki import text_to_html

from srs import clock, cloze, sm2
from srs.errors import SrsError
from srs.importers.anki_notes import render
from srs.importers.anki_package import _answers, _other_entries, proto_fields
from srs.markup import html_to_text, media_files, rename_media, split_answer
from srs.media import place_media
from srs.records import CardState, Memory, Sm2State
from srs.replay import answered, changed, replay
from srs.store import sql
from srs.store.anki_sync import state_json
from srs.store.rows import state_to_json

DAY = dt.date(2026, 11, 2)

# --- HTML as text -----------------------------------------------------------------------


# Control characters (but tab and newline) never reach an export: importing them is an error.
# Code (backticks, fences) comes back in the form srs writes it: see the table below.
@given(
    st.text(
        st.characters(
            blacklist_characters="\r",
            blacklist_categories=("Cs", "Cc"),
            whitelist_characters="\n\t",
        )
    )
)
def test_text_srs_exported_comes_back_exactly(text):
    assert html_to_text(text_to_html(text), media=False) == text


@pytest.mark.parametrize(
    "text",
    [
        "a `b` c",
        "Q?\n```python\nprint(1)\n  indented\n```\nmore",
        "```\nx\n```",
        "two `a` and `b < c`",
    ],
)
def test_code_srs_exported_comes_back_as_code(text):
    assert html_to_text(text_to_html(text), media=False) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<b>Bonjour</b>&nbsp;toi", "Bonjour toi"),
        ("line 1<br>line 2<div>block</div>after", "line 1\nline 2\nblock\nafter"),
        ('le cœur <img src="heart.png">', "le cœur [image: heart.png]"),
        ("listen [sound:bonjour.mp3]", "listen [sound: bonjour.mp3]"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
        ("a <script>alert(1)</script>b<style>p{}</style>", "a b"),
        ("Front\n\n{{type:Back}}", "Front {{type:Back}}"),
        ("&lt;b&gt; is &amp; escaped", "<b> is & escaped"),
    ],
)
def test_html_shows_as_readable_text(html, text):
    assert html_to_text(html) == text


def test_media_files_and_renames():
    html = '<img src="a.png"> <img src=\'b c.jpg\'> [sound:s.mp3] <img src="https://x/y.png">'
    assert media_files(html) == ["a.png", "b c.jpg", "s.mp3"]
    renamed = rename_media(html, {"a.png": "a-1.png", "s.mp3": "s-2.mp3"})
    assert media_files(renamed) == ["a-1.png", "b c.jpg", "s-2.mp3"]
    assert split_answer("{{Front}}<hr id=answer>back") == "back"


def test_media_clash_keeps_both_files(tmp_path):
    (tmp_path / "heart.png").write_bytes(b"mine")
    placed = place_media(
        ["heart.png", "new.png", "same.png"],
        {"heart.png": b"theirs", "new.png": b"n", "same.png": b"s"}.__getitem__,
        tmp_path,
    )
    assert (tmp_path / "heart.png").read_bytes() == b"mine"
    (renamed,) = placed.renames.values()
    assert renamed.startswith("heart-") and (tmp_path / renamed).read_bytes() == b"theirs"
    again = place_media(["same.png"], {"same.png": b"s"}.__getitem__, tmp_path)
    assert (again.shared, again.written) == (1, [])
    placed.remove_written()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heart.png"]


def test_a_file_where_the_media_folder_goes_is_named(tmp_path):
    (tmp_path / "srs-media").write_bytes(b"not a folder")
    with pytest.raises(SrsError, match=r"srs-media: a file where srs keeps media files"):
        place_media(["a.png"], {"a.png": b"a"}.__getitem__, tmp_path / "srs-media")
    assert (tmp_path / "srs-media").read_bytes() == b"not a folder"


# --- the review log, read as answers ------------------------------------------------------

_DAY_MS = 86_400_000


def _revlog_row(first_ms: int, days: int) -> st.SearchStrategy:
    return st.tuples(
        st.integers(first_ms, first_ms + days * _DAY_MS),  # id: ms
        st.integers(1, 4),  # cid
        st.integers(0, 5),  # ease (0: no button, as in a manual entry)
        st.one_of(st.just(0), st.integers(-2000, 400)),  # ivl: days, or seconds when negative
        st.integers(-2000, 400),  # lastIvl
        st.sampled_from([0, 1300, 2500, 2777]),  # factor
        st.integers(-5, 60_000),  # time
        st.integers(0, 5),  # type
    )


@pytest.mark.parametrize(
    "zone",
    ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"],
)
@pytest.mark.parametrize("rollover", [0, 4, 23])
def test_quarter_hours_a_day_at_a_time_fall_on_the_same_study_days(zone, rollover, monkeypatch):
    """Two years of quarter hours (DST both ways, offsets of :30 and :45, a DST shift of
    30 minutes): a day at a time gives each its own study day."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()  # pinned_env resets it afterwards
    days = clock.StudyDays(rollover)
    first = 1_700_000_000_000 // clock.QUARTER_MS - 7
    last = first + 2 * 365 * 96 + 13
    expected = [(q, days.ordinal_of_quarter(q)) for q in range(first, last + 1)]
    assert list(days.quarter_ordinals(first, last)) == expected


# A month or three years of entries (each quarter hour of the span listed), or forty years
# (a stray timestamp: only the quarter hours with entries listed).
@settings(deadline=None, max_examples=50)
@given(
    rows=st.sampled_from(
        [(1_760_000_000_000, 30), (1_700_000_000_000, 1000), (500_000_000_000, 15_000)]
    ).flatmap(lambda span: st.lists(_revlog_row(*span), max_size=30, unique_by=lambda r: r[0])),
    v1=st.booleans(),
)
def test_the_review_log_is_read_as_graded_answers(rows, v1):
    """The SQL that reads Anki's review log agrees with the rules, row by row: answers are
    learning, review and relearning entries with a button; Again 1, Hard 3, Good 4, Easy 5
    (scheduler v1's learning buttons: Again 1, Good 4, Easy 5); clamped figures; the study
    day of the time; in time order by card; Forget's entries (manual, no interval, no ease
    factor) listed; the other entries counted, with the last one, and the last manual or
    rescheduled one."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE revlog (id INTEGER PRIMARY KEY, cid, ease, ivl, lastIvl, factor, time, type)"
    )
    db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    days = clock.StudyDays(4)
    answers = _answers(db, days, v1=v1)
    others, resets, scheduled = _other_entries(db)
    expected: dict[int, list[tuple]] = {}
    expected_others: dict[int, tuple[int, int]] = {}
    expected_resets: dict[int, list[int]] = {}
    expected_scheduled: dict[int, int] = {}
    for rid, cid, ease, ivl, last_ivl, factor, taken, kind in sorted(rows):
        if kind == 4 and ivl == 0 and factor == 0:
            expected_resets.setdefault(cid, []).append(rid)
            continue
        if kind not in (0, 1, 2) or not 1 <= ease <= 4:
            if kind in (4, 5):  # "Set due date", a reschedule
                expected_scheduled[cid] = rid
            count, last = expected_others.get(cid, (0, 0))
            expected_others[cid] = (count + 1, max(last, rid))
            continue
        grade = {1: 1, 2: 4, 3: 5}.get(ease, 1) if v1 and kind != 1 else (1, 3, 4, 5)[ease - 1]
        day = days(rid).toordinal()
        figures = (max(taken, 0), max(last_ivl, 0), max(ivl, 0), factor // 10, cid)
        expected.setdefault(cid, []).append((rid, day, grade, *figures))
    assert {cid: [tuple(a) for a in got] for cid, got in answers.items()} == expected
    assert others == expected_others
    assert resets == expected_resets
    assert scheduled == expected_scheduled


# --- cloze ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers", "card", "front", "back"),
    [
        (
            "{{c1::Paris}} is in {{c2::France}}",
            (1, 2),
            1,
            "[...] is in France",
            "[Paris] is in France",
        ),
        (
            "{{c1::Paris}} is in {{c2::France}}",
            (1, 2),
            2,
            "Paris is in [...]",
            "Paris is in [France]",
        ),
        ("{{c1::Rome::city}} rules", (1,), 1, "[city] rules", "[Rome] rules"),
        ("{{c1,2::both}} and {{c3::x}}", (1, 2, 3), 2, "[...] and x", "[both] and x"),
        ("{{c1::outer {{c2::inner}}}}", (1, 2), 2, "outer [...]", "outer [inner]"),
        (
            "no gap }} here {{c1::open",
            (),
            1,
            "no gap }} here {{c1::open",
            "no gap }} here {{c1::open",
        ),
    ],
)
def test_cloze_cards(text, numbers, card, front, back):
    assert cloze.numbers(text) == numbers
    assert cloze.front(text, card) == front
    assert cloze.back(text, card) == back


@given(st.text(st.characters(blacklist_characters="{}")))
def test_text_without_braces_is_no_cloze(text):
    assert cloze.numbers(text) == () and cloze.front(text, 1) == text == cloze.plain(text)


@given(st.lists(st.tuples(st.integers(1, 9), st.text("abc xyz", min_size=1)), min_size=1))
def test_every_gap_is_hidden_on_its_card_only(gaps):
    text = " ".join(f"{{{{c{n}::{word}}}}}" for n, word in gaps)
    assert cloze.numbers(text) == tuple(sorted({n for n, _ in gaps}))
    for number in cloze.numbers(text):
        assert "{{" not in cloze.front(text, number)
        assert cloze.front(text, number).count("[...]") == sum(n == number for n, _ in gaps)
        assert cloze.back(text, number, open_="", close="") == cloze.plain(text)


# --- templates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "front_side", "out"),
    [
        ("{{Front}}", "", "F"),
        ("{{FrontSide}}<hr id=answer>{{Back}}", "F", "F<hr id=answer>B"),
        ("{{#Extra}}[{{Extra}}]{{/Extra}}{{^Extra}}none{{/Extra}}", "", "none"),
        ("{{#Back}}[{{text:Back}}]{{/Back}}", "", "[B]"),
        ("{{Front}} {{type:Back}}{{tts en_US:Front}}{{Missing}}", "", "F "),
        ("{{#Back}}a{{#Back}}b{{/Back}}c{{/Back}}", "", "abc"),
        ("{{Tags}} {{Deck}}", "", "t1 t2 Lang::French"),
    ],
)
def test_templates_render_simply(template, front_side, out):
    fields = {"Front": "F", "Back": "B", "Extra": " <br> "}
    extra = {"Tags": "t1 t2", "Deck": "Lang::French"}
    assert render(template, fields, front_side=front_side, extra=extra) == out


def test_a_type_in_answer_is_the_field_on_the_back():
    # "Basic (type in the answer)": the front has the box, the back shows the right answer
    # there (and has no {{FrontSide}} of its own to carry it).
    fields = {"Front": "Capital of France?", "Back": "Paris"}
    assert render("{{Front}}\n\n{{type:Back}}", fields) == "Capital of France?\n\n"
    back = render("{{Front}}<hr id=answer>{{type:Back}}", fields, back=True)
    assert back == "Capital of France?<hr id=answer>Paris"


# --- protobuf ---------------------------------------------------------------------------


@given(st.lists(st.text(min_size=1, max_size=20), max_size=5), st.integers(0, 3))
def test_protobuf_reader_reads_anki_messages(names, version):
    meta = import_export_pb2.PackageMetadata(version=version).SerializeToString()
    assert proto_fields(meta).get(1, [0]) == [version]
    entries = import_export_pb2.MediaEntries(
        entries=[import_export_pb2.MediaEntries.MediaEntry(name=n, size=len(n)) for n in names]
    ).SerializeToString()
    decoded = [proto_fields(raw)[1][0].decode() for raw in proto_fields(entries).get(1, [])]
    assert decoded == names


@pytest.mark.parametrize("data", [b"\x08", b"\x0a\x05ab", b"\x0f\x01", b"\x00\x01"])
def test_protobuf_reader_refuses_damaged_messages(data):
    with pytest.raises(ValueError):
        proto_fields(data)


# --- replay and the state JSON ------------------------------------------------------------


def test_replay_follows_the_sessions_rules():
    day2, day3 = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    events = [
        answered(1, 1000, DAY, 1),  # new, failed: repeat today
        answered(2, 2000, DAY, 4),  # the repeat passes: no reschedule
        answered(3, 3000, DAY, 5, cram=True),
        answered(4, 90_000_000, day2, 5),
        answered(5, 90_000_001, day2, 1),  # same day again: only a repeat
        changed(1, 100_000_000, "postpone", CardState(), days=3),
        answered(6, 200_000_000, day3, 3),
    ]
    state, replayed = replay(reversed(events), sm2.answer)
    assert [r.kind for r in replayed] == ["new", "repeat", "cram", "review", "repeat", "review"]
    expected = CardState()
    for event in events:
        if event.rank == 1 and not event.cram:
            expected = sm2.answer(expected, event.grade, event.day)
    assert state == expected  # the postpone before the last answer no longer matters
    assert replayed[2].before == replayed[2].after
    taken = CardState(sm2=Sm2State(3, 230, 40), due=day3, last_review=DAY)
    state, _ = replay([answered(1, 10, DAY, 4), changed(1, 20, "anki", taken)], sm2.answer)
    assert state == taken
    state, _ = replay([changed(1, 20, "anki", taken), answered(1, 30, day2, 4)], sm2.answer)
    assert state == sm2.answer(taken, 4, day2)
    # A reset: the next answer is the card's first again; each change with its state before.
    reset = changed(7, 20, "reset", CardState())
    seen: list = []
    state, replayed = replay(
        [answered(1, 10, DAY, 4), reset, answered(2, 30, day2, 4)], sm2.answer, changes=seen
    )
    assert [r.kind for r in replayed] == ["new", "new"]
    assert seen == [(reset, sm2.answer(CardState(), 4, DAY))]
    assert state == sm2.answer(CardState(), 4, day2)


_days = st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))


@given(
    st.builds(
        CardState,
        sm2=st.builds(Sm2State, st.integers(0, 99), st.integers(130, 400), st.integers(0, 9999)),
        due=st.none() | _days,
        last_review=st.none() | _days,
        lapses=st.integers(0, 50),
        repeat_today=st.booleans(),
        memory=st.none() | st.builds(Memory, st.floats(0.01, 1e5), st.floats(1, 10)),
    )
)
def test_state_json_is_the_stores_json(state):
    assert state_json(state) == state_to_json(state)


@given(st.integers(0, 2**42))
def test_utc_text_of_ms_is_utc_text(ms):
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
    assert clock.utc_text_of_ms(ms) == clock.utc_text(moment)


def test_sm2_answer_keeps_every_field_of_the_card_state():
    # sm2.answer builds a CardState field by field (a replay makes a million): a field added
    # to CardState must be carried there too.
    assert [f.name for f in fields(CardState)] == [
        "sm2",
        "due",
        "last_review",
        "lapses",
        "repeat_today",
        "memory",
    ]
    memory = Memory(3.0, 5.0)
    state = CardState(memory=memory)
    assert sm2.answer(state, 4, DAY).memory is memory
    assert sm2.answer(sm2.answer(state, 1, DAY), 4, DAY).memory is memory


@given(st.lists(st.integers(0, 2**42), min_size=1, max_size=50))
def test_sqlite_makes_an_answers_time_as_the_clock_does(ids):
    # The review log's times of a package come from SQLite (srs.store.sql.utc_text_of_ms).
    conn = sqlite3.connect(":memory:")
    made = conn.execute(
        f"SELECT {sql.utc_text_of_ms('value')} FROM json_each(?)", [json.dumps(ids)]
    ).fetchall()
    assert [text for (text,) in made] == [clock.utc_text_of_ms(ms) for ms in ids]
