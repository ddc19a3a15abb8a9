"""The Anki exporter, checked by importing its packages into a real Anki collection."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from anki_helpers import card, import_apkg, new_collection, review, studied
from helpers import basic, mcq
from srs.exporters import anki as exporter
from srs.exporters.anki import write_apkg
from srs.exporters.anki_options import OptionOrders

from srs.errors import SrsError
from srs.records.export import FIELDS_REVISION, ScheduleSet, note_mod

UTC = dt.UTC
NOW = dt.datetime.now(UTC)
TODAY = dt.date.today()
EARLIER = NOW - dt.timedelta(days=3)
MARK = 'data-answer="true"'


def export(tmp_path: Path, cards, name: str = "out.apkg", **kwargs) -> Path:
    path = tmp_path / name
    write_apkg(cards, path, today=TODAY, now=NOW, **kwargs)
    return path


def read_collection(package: Path) -> sqlite3.Connection:
    """The package's collection, opened in memory with plain sqlite."""
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    return db


def listed(page: str) -> list[tuple[str, str | None]]:
    """The options of an option list in a field or a card, in order: (HTML, mark or None)."""
    (ol,) = re.findall(r'<ol class="srs-options" type="A">(.*?)</ol>', page, re.S)
    items = re.findall(r'<li(?: data-answer="(true|false)" data-i="(\d+)")?>(.*?)</li>', ol, re.S)
    rebuilt = [
        f'<li data-answer="{m}" data-i="{i}">{t}</li>' if m else f"<li>{t}</li>"
        for m, i, t in items
    ]
    assert "".join(rebuilt) == ol  # nothing but these items
    return [(text, mark or None) for mark, _, text in items]


def check_options(options: str, answer: str, expected: list[str], right: set[str]) -> None:
    """The Options and Answer fields (or the front and back): each option once, in the same
    order on both, the right ones marked on the back only."""
    front, back = listed(options), listed(answer)
    assert sorted(text for text, _ in front) == sorted(expected)
    assert [text for text, _ in back] == [text for text, _ in front]
    assert all(mark is None for _, mark in front)
    assert {text for text, mark in back if mark == "true"} == right
    assert {mark for _, mark in back} <= {"true", "false"}


def note_by_guid(col, guid: str):
    (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", guid)
    return col.get_note(nid)


def sample_cards():
    return [
        card(
            mcq(
                "Which are primes?",
                ("4", "7", "11"),
                (1, 2),
                title="Primes",
                explanation="7 and 11 have no divisors but 1 and themselves.",
                tags=("maths", "number theory"),
            ),
            "g-primes",
            deck="Maths::Arithmetic",
            source="decks/maths.md:3",
        ),
        card(mcq("2 + 2?", ("3", "4"), (1,)), "g-sum", deck="Maths::Arithmetic"),
        card(basic("Capital of France?", "Paris", tags=("geo",)), "g-paris", deck="Geography"),
    ]


# --- What Anki sees -------------------------------------------------------------------


def test_notes_decks_tags_and_fields(tmp_path):
    summary = write_apkg(sample_cards(), tmp_path / "out.apkg", today=TODAY, now=NOW)
    assert (summary.notes, summary.cards, summary.decks) == (3, 3, 2)
    assert summary.bytes == (tmp_path / "out.apkg").stat().st_size

    col = new_collection(tmp_path / "col.anki2")
    log = import_apkg(col, tmp_path / "out.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (3, 0, 0)
    assert (col.note_count(), col.card_count()) == (3, 3)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"Maths", "Maths::Arithmetic", "Geography"} <= names

    primes = note_by_guid(col, "g-primes")
    assert primes.note_type()["name"] == "srs multiple choice"
    assert sorted(primes.tags) == ["maths", "number_theory"]
    assert primes["Question"] == (
        '<div class="srs-title" data-title="Primes"></div>Which are primes?'
    )
    check_options(primes["Options"], primes["Answer"], ["4", "7", "11"], {"7", "11"})
    assert primes["Explanation"].startswith("7 and 11")
    assert primes["Source"] == "decks/maths.md:3"
    (cid,) = primes.card_ids()
    assert col.decks.name(col.get_card(cid).did) == "Maths::Arithmetic"

    paris = note_by_guid(col, "g-paris")
    assert paris.note_type()["name"] == "srs question/answer"
    assert (paris["Question"], paris["Answer"], paris.tags) == (
        "Capital of France?",
        "Paris",
        ["geo"],
    )
    col.close()


def test_front_hides_the_answer_and_back_marks_it(tmp_path):
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, sample_cards()))
    c = col.get_card(note_by_guid(col, "g-primes").card_ids()[0])
    out = c.render_output()
    # The front's HTML has no mark at all; only the CSS names the attribute.
    assert "data-answer" not in out.question_text
    assert f"<li {MARK}>" not in c.question()
    # The back lists the options in the same order, the right ones marked by CSS alone.
    check_options(out.question_text, c.answer(), ["4", "7", "11"], {"7", "11"})
    assert "no divisors" in out.answer_text
    assert f"li[{MARK}]" in out.css
    # Two right options: the front says how many to choose, as srs does.
    assert '<div class="srs-choose">Choose 2:</div><ol class="srs-options"' in c.question()
    one = col.get_card(note_by_guid(col, "g-sum").card_ids()[0])
    assert 'class="srs-choose"' not in one.question()
    col.close()


def test_html_is_escaped(tmp_path):
    q = mcq(
        "<script>alert(1)</script>\nTom & \"Jerry\" 'x'",
        ("<b>bold</b>", "a < b"),
        (0,),
        explanation="line 1\nline 2",
    )
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, [card(q, "g-xss")]))
    c = col.get_card(col.find_cards("")[0])
    front = c.render_output().question_text
    assert "<script>alert" not in front
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>Tom &amp; &quot;Jerry&quot; &#x27;x&#x27;"
        in front
    )
    check_options(
        front, c.answer(), ["&lt;b&gt;bold&lt;/b&gt;", "a &lt; b"], {"&lt;b&gt;bold&lt;/b&gt;"}
    )
    assert "line 1<br>line 2" in c.answer()
    col.close()


def shown_text(page: str) -> str:
    """The text a browser shows for a card's HTML: no style, no tags, entities decoded."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def test_a_control_character_cannot_break_the_package(tmp_path):
    # U+001F is Anki's field separator: one in a field made Anki refuse every note.
    bad = card(
        mcq(
            "Unit\x1fseparator\x01?",
            ("a\x1fb", "c\x7fd"),
            (0,),
            explanation="e\x1f",
            title="t\x1f",
            tags=("x\x1fy", "bell\x07"),
        ),
        "g-bad",
        deck="Bad\x1fDeck",
    )
    col = new_collection(tmp_path / "col.anki2")
    log = import_apkg(col, export(tmp_path, [bad, *sample_cards()]))
    assert (len(log.new), len(log.conflicting), col.note_count()) == (4, 0, 4)
    note = note_by_guid(col, "g-bad")
    assert len(note.fields) == len(exporter.MCQ_FIELDS)
    assert "Unit\ufffdseparator\ufffd?" in note["Question"]
    check_options(note["Options"], note["Answer"], ["a\ufffdb", "c\ufffdd"], {"a\ufffdb"})
    assert note["Explanation"] == "e\ufffd"
    assert sorted(note.tags) == ["bell\ufffd", "x_y"]
    assert col.decks.name(note.cards()[0].did) == "Bad\ufffdDeck"
    col.close()


MARKUP = (
    "Play [sound:evil.mp3] [$]x^2[/$] [$$]y[/$$] [latex]z[/latex] \\(a\\) \\[b\\]"
    " {{Question}} {{c1::cloze}} [anki:tts lang=en_US]hi[/anki:tts]"
)


def test_anki_markup_shows_as_typed(tmp_path):
    q = mcq(MARKUP, (f"[sound:a.mp3] {MARKUP}", "\\(x\\)"), (0,), explanation=MARKUP)
    cards = [card(q, "g-markup"), card(basic(MARKUP, answer=MARKUP), "g-markup-qa")]
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, cards))
    # Desktop Anki loads MathJax for a card whose HTML matches this (ts/reviewer/index.ts).
    mathjax = re.compile(r"\\\[(.*?)\\\]|\\\((.*?)\\\)", re.S)
    for guid in ("g-markup", "g-markup-qa"):
        c = col.get_card(note_by_guid(col, guid).card_ids()[0])
        out = c.render_output(reload=True)
        assert (out.question_av_tags, out.answer_av_tags) == ([], [])
        for page in (c.question(), c.answer()):
            assert "<img" not in page and "[anki:play" not in page
            assert mathjax.search(page) is None
            assert shown_text(page).count(MARKUP) >= 1
            # For clients that typeset every card, the content is marked for MathJax to skip.
            assert 'class="srs srs-' in page and "mathjax_ignore tex2jax_ignore" in page
        assert shown_text(c.answer()).count(MARKUP) == 3 if guid == "g-markup" else 2
    check = col.media.check()
    assert (list(check.missing), list(check.missing_media_notes)) == ([], [])
    col.close()


def test_the_sort_field_is_the_question_text(tmp_path):
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, sample_cards()))
    primes = note_by_guid(col, "g-primes")
    assert col.db.scalar("SELECT sfld FROM notes WHERE id = ?", primes.id) == "Which are primes?"
    # The title is still shown above the question, by CSS from the attribute.
    c = primes.cards()[0]
    assert '<div class="srs-title" data-title="Primes"></div>Which are primes?' in c.question()
    assert ".srs-title::before { content: attr(data-title); }" in c.render_output().css
    col.close()


def test_code_is_monospace_with_its_indentation(tmp_path):
    q = mcq(
        "What does this print?\n```python\ndef f(xs):\n    return [x * 2 for x in xs]\n```\n"
        "Call it with `f([1])`.",
        ("`[2]`", "`[1, 1]`"),
        (0,),
        explanation="A list comprehension:\n\n~~~\n  [x * 2 for x in xs]\n~~~",
    )
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, [card(q, "g-code")]))
    c = note_by_guid(col, "g-code").cards()[0]
    front, back = c.question(), c.answer()
    assert (
        'What does this print?<pre><code class="language-python">def f(xs):\n'
        "    return &#91;x * 2 for x in xs]</code></pre>"
        "Call it with <code>f(&#91;1])</code>." in front
    )
    code = ["<code>&#91;2]</code>", "<code>&#91;1, 1]</code>"]
    check_options(front, back, code, {code[0]})
    assert "A list comprehension:<pre><code>  &#91;x * 2 for x in xs]</code></pre>" in back
    assert "```" not in front + back and "~~~" not in back
    col.close()


def test_note_types_have_fixed_ids_for_fields_and_templates(tmp_path):
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, sample_cards()))
    for model_id, fields, template in (
        (exporter.MCQ_MODEL_ID, exporter.MCQ_FIELDS, exporter.MCQ_TEMPLATE),
        (exporter.QA_MODEL_ID, exporter.QA_FIELDS, exporter.QA_TEMPLATE),
    ):
        nt = col.models.get(model_id)
        assert [(f["name"], f["id"]) for f in nt["flds"]] == list(fields)
        assert [(t["name"], t["id"]) for t in nt["tmpls"]] == [template]
    col.close()


# --- Importing again --------------------------------------------------------------------


def test_same_export_imported_twice_changes_nothing(tmp_path):
    path = export(tmp_path, sample_cards())
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, path)
    notetypes = len(col.models.all_names_and_ids())
    log = import_apkg(col, path)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
    assert len(log.duplicate) == log.found_notes == 3
    assert (col.note_count(), len(col.models.all_names_and_ids())) == (3, notetypes)
    col.close()


def test_edited_question_updates_the_note_and_keeps_its_schedule(tmp_path):
    original = card(
        mcq("Pick the vowel", ("b", "a"), (1,)),
        "g-vowel",
        changed_at=EARLIER,
        state=studied(TODAY, due_in=4, interval=6),
        reviews=(review(EARLIER, 4, "new", before=0, after=1),),
    )
    other = card(basic(), "g-other", changed_at=EARLIER)
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(
        col,
        export(tmp_path, [original, other], "v1.apkg", with_progress=True),
        with_scheduling=True,
    )
    note = note_by_guid(col, "g-vowel")
    (cid,) = note.card_ids()
    before = col.get_card(cid)
    notetypes = len(col.models.all_names_and_ids())
    # A user renames a field in Anki: matched by id, the note type must not split.
    nt = col.models.get(exporter.MCQ_MODEL_ID)
    col.models.rename_field(nt, nt["flds"][1], "Choices")
    col.models.update_dict(nt)

    edited = card(
        mcq("Pick the vowel", ("b", "a", "c"), (1,)),  # a typo fixed: an option added
        "g-vowel",
        changed_at=NOW,
        state=original.state,
    )
    log = import_apkg(col, export(tmp_path, [edited, other], "v2.apkg"), with_scheduling=True)
    assert [n.id.nid for n in log.updated] == [note.id]
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (0, 1, 0)
    assert len(col.models.all_names_and_ids()) == notetypes
    note = col.get_note(note.id)
    check_options(note["Choices"], note["Answer"], ["b", "a", "c"], {"a"})
    assert note.card_ids() == [cid]
    after = col.get_card(cid)
    assert (after.type, after.queue, after.due, after.ivl, after.factor, after.reps) == (
        before.type,
        before.queue,
        before.due,
        before.ivl,
        before.factor,
        before.reps,
    )
    col.close()


def test_note_mod_is_content_changed_at_plus_the_fields_revision(tmp_path):
    stamp = dt.datetime(2024, 5, 6, 7, 8, 9, 999_000, tzinfo=UTC)
    ahead = NOW + dt.timedelta(seconds=2)  # an edit stamped after the export time: kept
    cards = [card(basic(), "a", changed_at=stamp), card(basic(), "b", changed_at=ahead)]
    db = read_collection(export(tmp_path, cards))
    assert FIELDS_REVISION >= 1
    assert dict(db.execute("SELECT guid, mod FROM notes")) == {
        "a": int(stamp.timestamp()) + FIELDS_REVISION,
        "b": int(ahead.timestamp()) + FIELDS_REVISION,
    }


# --- Progress ------------------------------------------------------------------------------


def progress_cards():
    day = dt.timedelta(days=1)
    long_ago = NOW - 40 * day
    return [
        card(
            mcq("Studied, lapsed once"),
            "g-a",
            state=studied(TODAY, due_in=5, interval=15, ef=236, repetitions=3, lapses=1),
            reviews=(
                review(long_ago, 4, "new", before=0, after=1),
                review(long_ago + 1 * day, 5, "review", before=1, after=6, ef=260),
                review(long_ago + 7 * day, 2, "review", before=6, after=1, ef=240, ms=90_000),
                review(long_ago + 7 * day + dt.timedelta(minutes=5), 4, "repeat", after=1, ef=240),
                review(long_ago + 8 * day, 3, "review", before=1, after=6, ef=236),
                review(long_ago + 9 * day, 5, "cram", before=6, after=6, ef=236),
            ),
        ),
        card(mcq("Overdue"), "g-b", state=studied(TODAY, due_in=-3, interval=4, ef=180)),
        card(basic("Due today?"), "g-c", state=studied(TODAY, due_in=0, interval=1, repetitions=1)),
        card(basic("Never studied"), "g-d"),
    ]


def test_progress_survives_import(tmp_path):
    cards = progress_cards()
    path = export(tmp_path, cards, with_progress=True)
    # An old collection, so its day number is far from both 0 and the package's.
    col = new_collection(tmp_path / "col.anki2", age_days=400)
    assert col.sched.today >= 399
    import_apkg(col, path, with_scheduling=True)
    for c in cards[:3]:
        anki_card = col.get_card(note_by_guid(col, c.guid).card_ids()[0])
        s = c.state
        assert (anki_card.type, anki_card.queue) == (2, 2), c.guid
        assert anki_card.ivl == s.sm2.interval
        assert anki_card.factor == s.sm2.ef * 10
        assert anki_card.reps == (len(c.reviews) or s.sm2.repetitions)
        assert anki_card.lapses == s.lapses
        assert anki_card.due - col.sched.today == (s.due - TODAY).days, c.guid
    new = col.get_card(note_by_guid(col, "g-d").card_ids()[0])
    assert (new.type, new.queue, new.ivl, new.reps) == (0, 0, 0, 0)

    assert col.db.scalar("SELECT count() FROM revlog") == 6
    cid = note_by_guid(col, "g-a").card_ids()[0]
    rows = col.db.all(
        "SELECT ease, type, ivl, lastIvl, factor, time FROM revlog WHERE cid = ? ORDER BY id", cid
    )
    assert rows == [
        [3, 0, 1, 0, 2500, 4000],  # first answer: learning, grade 4 -> good
        [4, 1, 6, 1, 2600, 4000],  # grade 5 -> easy
        [1, 1, 1, 6, 2400, 60_000],  # grade 2 -> again; 90 s capped at Anki's 60 s
        [3, 2, 1, 1, 2400, 4000],  # the same-day repeat of a review card: relearning
        [2, 1, 6, 1, 2360, 4000],  # grade 3 -> hard
        [4, 3, 6, 6, 0, 4000],  # cram: Anki's "filtered" review, ease 0: no rescheduling
    ]
    col.close()


def test_the_review_log_keeps_its_indexes(tmp_path):
    """The exporter drops them while it writes the log and makes them again."""
    db = read_collection(export(tmp_path, progress_cards(), with_progress=True))
    indexes = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'revlog'"
    ).fetchall()
    assert sorted(indexes) == [("ix_revlog_cid",), ("ix_revlog_usn",)]
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM revlog WHERE cid = 1").fetchall()
    assert "ix_revlog_cid" in plan[0][-1]
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_progress_is_dropped_unless_asked_for(tmp_path):
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, export(tmp_path, progress_cards(), with_progress=True), with_scheduling=False)
    assert col.db.list("SELECT DISTINCT type FROM cards") == [0]
    assert col.db.scalar("SELECT count() FROM revlog") == 0
    col.close()


def test_without_progress_every_card_is_new(tmp_path):
    db = read_collection(export(tmp_path, progress_cards()))
    assert db.execute("SELECT DISTINCT type, queue FROM cards").fetchall() == [(0, 0)]
    assert db.execute("SELECT count() FROM revlog").fetchone() == (0,)
    # New cards keep the export order.
    assert [due for (due,) in db.execute("SELECT due FROM cards ORDER BY nid")] == [1, 2, 3, 4]


def test_package_day_number_is_the_one_anki_computes(tmp_path):
    from anki.collection import Collection

    path = tmp_path / "col.anki2"
    path.write_bytes(zipfile.ZipFile(export(tmp_path, progress_cards())).read("collection.anki2"))
    col = Collection(str(path))
    assert col.sched.today == exporter.anki_day_number(dt.datetime.now(UTC))
    col.close()


CHILD = """
import datetime as dt, sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from anki_helpers import card, import_apkg, new_collection, studied
from helpers import basic
from srs.exporters.anki import write_apkg
now = dt.datetime.now(dt.UTC)
today = now.astimezone().date()
tmp = Path({tmp!r})
cards = [card(basic(str(n)), str(n), state=studied(today, due_in=n)) for n in (-2, 0, 1, 7)]
write_apkg(cards, tmp / "p.apkg", today=today, now=now, with_progress=True)
col = new_collection(tmp / "c.anki2", age_days=30)
import_apkg(col, tmp / "p.apkg", with_scheduling=True)
dues = col.db.list("SELECT due FROM cards")
print(now.astimezone().hour, sorted(due - col.sched.today for due in dues))
col.close()
"""


@pytest.mark.skipif(
    not Path("/usr/share/zoneinfo/Etc/GMT+1").exists(), reason="needs the tz database"
)
@pytest.mark.parametrize("local_hour", [2, 13])  # before and after Anki's 4 am rollover
def test_due_days_survive_any_time_of_day(tmp_path, local_hour):
    # Pick a fixed-offset zone where it is now local_hour o'clock.
    offset = (local_hour - dt.datetime.now(UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    env = {**os.environ, "TZ": f"Etc/GMT{-offset:+d}"}
    script = CHILD.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    hour, deltas = result.stdout.split(" ", 1)
    assert int(hour) == local_hour
    assert deltas.strip() == "[-2, 0, 1, 7]"


# --- The file --------------------------------------------------------------------------------


def test_package_is_deflated_and_much_smaller_than_stored(tmp_path):
    cards = [
        card(
            mcq(
                f"Question {i}: which statement about topic {i % 7} holds?",
                tuple(f"Statement {j} about topic {i % 7}, plausible enough" for j in range(4)),
                (i % 4,),
                explanation=f"Statement {i % 4} follows from the definition.",
            ),
            f"g{i}",
        )
        for i in range(300)
    ]
    path = export(tmp_path, cards)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("collection.anki2")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("media") == b"{}"
    # genanki stores the collection as is, so its package is at least file_size bytes.
    assert path.stat().st_size * 4 < info.file_size


def test_nothing_to_export(tmp_path):
    with pytest.raises(SrsError, match="nothing to export"):
        write_apkg([], tmp_path / "out.apkg", today=TODAY, now=NOW)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing/out.apkg", "a_dir", "a_file/out.apkg"])
def test_unwritable_path(tmp_path, where):
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "a_file").write_text("x")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SrsError, match="cannot write") as error:
        write_apkg(sample_cards(), tmp_path / where, today=TODAY, now=NOW)
    assert "\n" not in str(error.value)
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failed_write_leaves_the_old_file_alone(tmp_path, monkeypatch, failure):
    path = tmp_path / "out.apkg"
    path.write_bytes(b"old")

    def broken_zip(fh, collection, now, media):
        fh.write(collection.read_bytes()[:100])
        raise failure

    monkeypatch.setattr(exporter, "_zip", broken_zip)
    with pytest.raises(SrsError if isinstance(failure, OSError) else KeyboardInterrupt):
        write_apkg(sample_cards(), path, today=TODAY, now=NOW)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"old"


# --- Small pieces ----------------------------------------------------------------------------


def test_tags_lose_their_white_space():
    assert exporter.anki_tags([" exam  prep ", "a\tb\nc", "", "  ", "x", "x"]) == [
        "exam_prep",
        "a_b_c",
        "x",
    ]


def test_deck_names_and_ids_are_stable():
    assert exporter.deck_name(" Maths :: Arithmetic ") == "Maths::Arithmetic"
    # Frozen: changing the hash would make every deck a new one on the next export.
    assert exporter.deck_id("Maths::Arithmetic") == 379180904
    assert exporter.deck_id("A") != exporter.deck_id("B")


def test_grades_map_to_anki_buttons():
    assert [exporter.anki_ease(g) for g in range(6)] == [1, 1, 1, 2, 3, 4]


# --- The batched writer is genanki's, row for row ------------------------------------------


def _genanki_rows(cards, now: dt.datetime) -> dict[str, list[tuple]]:
    """notes, cards and col as plain genanki writes them (genanki.Note, one at a time)."""
    import itertools

    import genanki

    class Note(genanki.Note):
        def __init__(self, *, mod: int, **kwargs) -> None:
            super().__init__(**kwargs)
            self.mod = mod

        def write_to_db(self, cursor, timestamp, deck_id, id_gen) -> None:
            super().write_to_db(cursor, self.mod, deck_id, id_gen)

    models = exporter._models()
    orders = OptionOrders()
    decks: dict[str, genanki.Deck] = {}
    for position, c in enumerate(cards, 1):
        name = exporter.deck_name(c.deck)
        deck = decks.setdefault(name, genanki.Deck(exporter.deck_id(name), name))
        deck.add_note(
            Note(
                model=models["basic" if c.question.kind == "basic" else "mcq"],
                fields=exporter._fields(c, orders),
                tags=exporter.anki_tags(c.question.tags),
                guid=c.guid,
                due=position,
                mod=note_mod(c.content_changed_at),
            )
        )
    for name in list(decks):
        parts = name.split("::")
        for depth in range(1, len(parts)):
            parent = "::".join(parts[:depth])
            decks.setdefault(parent, genanki.Deck(exporter.deck_id(parent), parent))
    db = sqlite3.connect(":memory:")
    cursor = db.cursor()
    ids = itertools.count(int(now.timestamp() * 1000))
    genanki.Package(list(decks.values())).write_to_db(cursor, now.timestamp(), ids)
    return {
        "notes": db.execute("SELECT * FROM notes ORDER BY id").fetchall(),
        "cards": db.execute("SELECT * FROM cards ORDER BY id").fetchall(),
        "models": db.execute("SELECT models, decks FROM col").fetchall(),
    }


def test_notes_and_cards_are_the_rows_genanki_writes(tmp_path):
    # Deck by deck, as the store hands them over (the exporter writes them as they come).
    cards = [
        *sample_cards(),
        card(basic("Q2?", "A2", tags=("x y", "x_y", "")), "g-q2", deck="Geography"),
        card(mcq("<b>&\"'?\r\nx", ("a < b", "c\nd"), (0,)), "g-esc", deck=" Other :: Sub "),
    ]
    path = export(tmp_path, cards)
    db = read_collection(path)
    expected = _genanki_rows(cards, NOW)
    assert db.execute("SELECT * FROM notes ORDER BY id").fetchall() == expected["notes"]
    assert db.execute("SELECT * FROM cards ORDER BY id").fetchall() == expected["cards"]
    assert db.execute("SELECT models, decks FROM col").fetchall() == expected["models"]


def test_the_exporter_keeps_no_card_it_has_written(tmp_path):
    # Streamed: a card handed over is written and let go, so an export's memory does not
    # grow with the collection (bench: peak RSS at a million cards).
    import weakref

    handed: list[weakref.ref] = []
    alive_midway: list[int] = []

    def cards():
        for i in range(3000):
            if i == 2500:
                alive_midway.append(sum(ref() is not None for ref in handed[:2000]))
            c = card(
                mcq(f"Question {i}?"),
                f"g{i}",
                state=studied(TODAY, due_in=3),
                reviews=(review(NOW - dt.timedelta(days=3), 4),),
            )
            handed.append(weakref.ref(c))
            yield c

    write_apkg(cards(), tmp_path / "big.apkg", today=TODAY, now=NOW, with_progress=True)
    assert alive_midway == [0]
    db = read_collection(tmp_path / "big.apkg")
    assert db.execute("SELECT count(), count(DISTINCT guid) FROM notes").fetchone() == (3000, 3000)
    assert db.execute("SELECT count() FROM revlog").fetchone() == (3000,)


def test_a_reset_goes_into_the_review_log_as_anki_forget():
    """A reset between answers: Anki's Forget entry (manual, no interval, no ease factor,
    the interval it ended), and the card learns again after it (a repeat is learning)."""
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    reviews = (
        review(at, 4, "new", before=0, after=1),
        review(at + day, 4, "review", before=1, after=6),
        review(at + 3 * day, 1, "new", before=0, after=1),
        review(at + 3 * day + dt.timedelta(minutes=5), 4, "repeat", before=1, after=1),
        review(at + 4 * day, 4, "review", before=1, after=6),
    )
    reset = at + 2 * day
    rows = exporter._revlog_rows(7, reviews, 10**15, [reset])
    assert [(row[0], row[-1]) for row in rows] == [
        (round(r.timestamp() * 1000), kind)
        for r, kind in [
            (at, 0),
            (at + day, 1),
            (reset, 4),
            (at + 3 * day, 0),
            (at + 3 * day + dt.timedelta(minutes=5), 0),
            (at + 4 * day, 1),
        ]
    ]
    # id, cid, usn, ease, ivl, lastIvl, factor, time, type
    assert rows[2][1:] == [7, -1, 0, 0, 6, 0, 0, 4]
    # After the last answer, too; none in the future.
    late = exporter._revlog_rows(7, reviews[:1], _ms(at) + 5, [at + day])
    assert late[1] == [_ms(at) + 5, 7, -1, 0, 0, 1, 0, 0, 4]
    # The schedule last given otherwise than by an answer (taken from Anki, postponed): a
    # manual entry as "Set due date" writes, with the interval and ease it set. Only the
    # last, and only if no answer or reset came after it (the one an import reads).
    between = ScheduleSet(at + day / 2, 1, 3, 250)
    moved = ScheduleSet(at + 2 * day, 6, 9, 230)
    rows = exporter._revlog_rows(7, reviews[:2], 10**15, [], [between, moved])
    assert rows[2:] == [[_ms(at + 2 * day), 7, -1, 0, 9, 6, 2300, 0, 4]]
    rows = exporter._revlog_rows(7, reviews[:2], 10**15, [at + 3 * day], [moved])
    assert rows[2:] == [[_ms(at + 3 * day), 7, -1, 0, 0, 6, 0, 0, 4]]


def _ms(moment: dt.datetime) -> int:
    return round(moment.timestamp() * 1000)
