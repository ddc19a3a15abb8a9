"""The Anki exporter, checked by importing its packages into a real Anki collection."""

from __future__ import annotations

import datetime as dt
import os
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

from srs.errors import SrsError

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
    assert primes["Question"] == '<div class="srs-title">Primes</div>Which are primes?'
    assert (
        primes["Options"] == '<ol class="srs-options" type="A"><li>4</li><li>7</li><li>11</li></ol>'
    )
    assert primes["Answer"] == (
        '<ol class="srs-options" type="A"><li data-answer="false">4</li>'
        '<li data-answer="true">7</li><li data-answer="true">11</li></ol>'
    )
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
    assert "<li>4</li><li>7</li><li>11</li>" in out.question_text
    # The back lists the options in the same order, the right ones marked; no JavaScript.
    assert f'<li data-answer="false">4</li><li {MARK}>7</li><li {MARK}>11</li>' in c.answer()
    assert "no divisors" in out.answer_text
    assert "<script" not in out.question_text + out.answer_text
    assert f"li[{MARK}]" in out.css
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
    assert "<script>" not in front
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>Tom &amp; &quot;Jerry&quot; &#x27;x&#x27;"
        in front
    )
    assert "<li>&lt;b&gt;bold&lt;/b&gt;</li><li>a &lt; b</li>" in front
    assert "line 1<br>line 2" in c.answer()
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
        changed_at=NOW + dt.timedelta(hours=1),  # a clock ahead: clamped to now
        state=original.state,
    )
    log = import_apkg(col, export(tmp_path, [edited, other], "v2.apkg"), with_scheduling=True)
    assert [n.id.nid for n in log.updated] == [note.id]
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (0, 1, 0)
    assert len(col.models.all_names_and_ids()) == notetypes
    note = col.get_note(note.id)
    assert note["Choices"] == '<ol class="srs-options" type="A"><li>b</li><li>a</li><li>c</li></ol>'
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


def test_note_mod_is_content_changed_at_clamped_to_now(tmp_path):
    stamp = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    cards = [
        card(basic(), "a", changed_at=stamp),
        card(basic(), "b", changed_at=NOW + dt.timedelta(days=2)),
    ]
    db = read_collection(export(tmp_path, cards))
    assert dict(db.execute("SELECT guid, mod FROM notes")) == {
        "a": int(stamp.timestamp()),
        "b": int(NOW.timestamp()),
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
        [4, 3, 6, 6, 2360, 4000],  # cram: Anki's "filtered" review
    ]
    col.close()


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

    def broken_zip(fh, data, now, media):
        fh.write(data[:100])
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
    decks: dict[str, genanki.Deck] = {}
    for position, c in enumerate(cards, 1):
        name = exporter.deck_name(c.deck)
        deck = decks.setdefault(name, genanki.Deck(exporter.deck_id(name), name))
        deck.add_note(
            Note(
                model=models["basic" if c.question.kind == "basic" else "mcq"],
                fields=exporter._fields(c),
                tags=exporter.anki_tags(c.question.tags),
                guid=c.guid,
                due=position,
                mod=min(int(c.content_changed_at.timestamp()), int(now.timestamp())),
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
    cards = [
        *sample_cards(),
        card(mcq("<b>&\"'?\r\nx", ("a < b", "c\nd"), (0,)), "g-esc", deck=" Other :: Sub "),
        card(basic("Q2?", "A2", tags=("x y", "x_y", "")), "g-q2", deck="Geography"),
    ]
    path = export(tmp_path, cards)
    db = read_collection(path)
    expected = _genanki_rows(cards, NOW)
    assert db.execute("SELECT * FROM notes ORDER BY id").fetchall() == expected["notes"]
    assert db.execute("SELECT * FROM cards ORDER BY id").fetchall() == expected["cards"]
    assert db.execute("SELECT models, decks FROM col").fetchall() == expected["models"]
