"""`srs import` of Anki packages, against collections made and studied by the real Anki
backend over simulated days, and exported by Anki itself in each format.

Anki reads the real clock, so these tests do too (SRS_NOW is unset): days are simulated by
moving Anki's past a day back (tests/anki_helpers.py: next_day), and every date compared is
computed from the same timestamps on both sides.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import (
    ANSWER_TYPES,
    GRADE_OF_EASE,
    anki_due_date,
    card,
    export_packages,
    import_apkg,
    new_collection,
    next_day,
    revlog_of,
    study_in_anki,
)
from helpers import cli, one_line_error, run_srs

from srs import clock, sm2
from srs.records import CardState
from srs.store import Store

UTC = dt.UTC
FORMATS = ("legacy.apkg", "current.apkg", "collection.colpkg")
DAYS = 4
IMAGE = b"\x89PNG\r\n\x1a\n a tiny heart"
# Again, Good, Easy, Good, Hard, Good: some of each, in a fixed round.
EASES = (1, 3, 4, 3, 2, 3)


def _ease(card, n: int) -> int:
    return EASES[(card.id // 7 + card.ord + n) % len(EASES)]


@pytest.fixture(scope="module")
def anki(tmp_path_factory):
    """A collection with a note of each kind, studied over several days, and its packages."""
    folder = tmp_path_factory.mktemp("anki")
    path = folder / "collection.anki2"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        import time

        time.tzset()
        col = Collection(str(path))
        french = col.decks.id("Lang::French")
        notes = {}

        def add(kind: str, deck: int, **fields: str) -> None:
            note = col.new_note(col.models.by_name(kind))
            for name, value in fields.items():
                note[name] = value
            note.tags = ["lang", "fr::basics"]
            col.add_note(note, deck)
            notes[kind] = note.guid

        add("Basic", french, Front="<b>Bonjour</b>", Back="Hello")
        add("Basic (and reversed card)", french, Front="le chat", Back="the cat")
        add(
            "Cloze",
            french,
            Text="{{c1::Paris}} is the capital of {{c2::France}}",
            **{"Back Extra": "since 508"},
        )
        image = folder / "heart.png"
        image.write_bytes(IMAGE)
        col.media.add_file(str(image))
        add(
            "Basic (type in the answer)",
            col.decks.id("Lang"),
            Front='le cœur <img src="heart.png">',
            Back="the heart",
        )
        answered = 0
        for day in range(DAYS):
            if day:
                col = next_day(path, col)
            answered += study_in_anki(col, "Lang", _ease)
        assert answered > 8
        packages = export_packages(col, folder)
        col = Collection(str(path))
        yield {"col": col, "packages": packages, "guids": notes}
        col.close()


def _import(db: Path, package: Path, *args: str):
    result = cli("import", str(package), *args, db=db)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.mark.parametrize("name", FORMATS)
def test_a_studied_anki_collection_comes_in(name, anki, tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    col: Collection = anki["col"]
    db = tmp_path / "srs.db"
    out = _import(db, anki["packages"][name])
    assert "4 added, 0 updated, 0 unchanged" in out
    assert "6 cards added" in out
    assert "1 media file copied" in out
    assert (tmp_path / "srs-media" / "heart.png").read_bytes() == IMAGE
    today = clock.study_day(clock.now())
    log = revlog_of(col)
    with Store.open(db) as store:
        rows = store.conn.execute(
            "SELECT q.guid, q.kind, q.text, q.answer, q.explanation, q.tags, d.name, c.id, c.ord"
            " FROM cards c JOIN questions q ON q.id = c.question_id"
            " JOIN decks d ON d.id = c.deck_id"
        ).fetchall()
        by_guid: dict[str, list] = {}
        for guid, kind, text, answer, explanation, tags, deck, card_id, ord_ in rows:
            by_guid.setdefault(guid, []).append((ord_, card_id))
            by_guid[guid + ":q"] = [kind, text, answer, explanation, tags, deck]
        g = anki["guids"]
        assert by_guid[g["Basic"] + ":q"][:3] == ["basic", "Bonjour", "Hello"]
        assert by_guid[g["Basic (and reversed card)"] + ":q"][:3] == [
            "reversed",
            "le chat",
            "the cat",
        ]
        cloze = by_guid[g["Cloze"] + ":q"]
        assert cloze[:4] == [
            "cloze",
            "{{c1::Paris}} is the capital of {{c2::France}}",
            "",
            "since 508",
        ]
        image = by_guid[g["Basic (type in the answer)"] + ":q"]
        assert image[1] == "le cœur [image: heart.png]" and image[5] == "Lang"
        assert cloze[4] == '["fr::basics", "lang"]' and cloze[5] == "Lang::French"
        assert sorted(o for o, _ in by_guid[g["Cloze"]]) == [0, 1]
        assert sorted(o for o, _ in by_guid[g["Basic (and reversed card)"]]) == [0, 1]
        # The HTML is kept for the export back.
        (markup,) = store.conn.execute(
            "SELECT markup FROM questions WHERE guid = ?", [g["Basic"]]
        ).fetchone()
        assert "<b>Bonjour</b>" in markup

        checked = 0
        types = set()
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            guid = col.get_note(card.nid).guid
            (srs_card,) = [c for o, c in by_guid[guid] if o == card.ord]
            answers = [(rid, ease) for rid, ease, kind in log.get(cid, []) if kind in ANSWER_TYPES]
            reviews = store.reviews(srs_card)
            # Anki's answers are srs's log, each once, with its grade.
            assert [(r.reviewed_at, r.grade) for r in reviews] == [
                (dt.datetime.fromtimestamp(rid / 1000, UTC), GRADE_OF_EASE[ease])
                for rid, ease in answers
            ]
            # Each answer keeps the figures Anki gave it: interval (0 for a learning step),
            # ease as EF; its kind by study day (first answer new, first of a day review).
            figures = {
                rid: (ivl, factor)
                for rid, ivl, factor in col.db.all(
                    "SELECT id, ivl, factor FROM revlog WHERE cid = ?", cid
                )
            }
            last_day = None
            for review, (rid, _) in zip(reviews, answers, strict=True):
                day = clock.study_day(dt.datetime.fromtimestamp(rid / 1000, UTC))
                ivl, factor = figures[rid]
                interval = max(0, ivl)
                kind = "new" if last_day is None else "repeat" if last_day == day else "review"
                assert (review.study_day, review.kind) == (day, kind)
                assert (review.interval_after, review.ef_after, review.due_after) == (
                    interval,
                    max(130, factor // 10) if factor else 250,
                    day + dt.timedelta(days=interval),
                )
                last_day = day
            # The card keeps Anki's schedule, as SM-2.
            now = store.card_state(srs_card)
            types.add(card.type)
            if card.type == 0:
                assert now.is_new
            elif card.type == 2:
                assert (now.sm2.interval, now.sm2.ef, now.lapses, now.due) == (
                    card.ivl,
                    max(130, card.factor // 10),
                    card.lapses,
                    anki_due_date(col, card.due),
                )
            else:  # learning: a same-day repeat if answered today, else due today
                last = clock.study_day(dt.datetime.fromtimestamp(answers[-1][0] / 1000, UTC))
                if last == today:
                    assert (now.due, now.repeat_today) == (today + dt.timedelta(days=1), True)
                else:
                    assert now.due <= today or card.queue == 3
            checked += 1
        assert checked == 6
        assert {2} <= types  # review cards (and learning or new ones) were checked


def test_importing_again_or_another_format_adds_nothing(anki, tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    db = tmp_path / "srs.db"
    first = _import(db, anki["packages"]["current.apkg"])
    reviews = int(first.split(" reviews added")[0].split(", ")[-1])
    assert reviews > 8
    with Store.open(db) as store:
        before = store.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
        cards = store.conn.execute("SELECT * FROM cards ORDER BY id").fetchall()
    for name in FORMATS:
        again = _import(db, anki["packages"][name])
        assert "0 added, 0 updated, 4 unchanged" in again
        assert "0 cards added, 0 reviews added, 0 schedules changed" in again
    with Store.open(db) as store:
        assert store.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall() == before
        assert store.conn.execute("SELECT * FROM cards ORDER BY id").fetchall() == cards


def test_dry_run_reports_and_writes_nothing(anki, tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    db = tmp_path / "srs.db"
    out = _import(db, anki["packages"]["legacy.apkg"], "--dry-run")
    assert "4 added, 0 updated, 0 unchanged" in out and "Dry run: nothing written." in out
    assert not (tmp_path / "srs-media").exists()
    with Store.open(db) as store:
        assert store.card_count() == 0
        assert store.conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


# --- damaged packages: one line, exit 1, nothing changed -------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _entries(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _damaged(anki) -> list[tuple[str, bytes, str]]:
    current = _entries(anki["packages"]["current.apkg"])
    legacy = _entries(anki["packages"]["legacy.apkg"])
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE notes (id)")
    not_anki = db.serialize()
    return [
        ("text.apkg", b"## not a package\n", "not an Anki package (not a readable zip file"),
        ("other.zip", _zip({"readme.txt": b"hello"}), "not an Anki package (a zip without"),
        ("newer.apkg", _zip({**current, "meta": b"\x08\x63"}), "meta: package version 99 is newer"),
        (
            "no-meta.apkg",
            _zip({k: v for k, v in current.items() if k != "meta"}),
            "meta: missing (a package with collection.anki21b has one)",
        ),
        (
            "cut.apkg",
            _zip({**current, "collection.anki21b": current["collection.anki21b"][:200]}),
            "collection.anki21b: damaged",
        ),
        (
            "noise.apkg",
            _zip({**legacy, "collection.anki21": b"SQLite format 3\x00" + b"\x01" * 5000}),
            "collection.anki21:",
        ),
        (
            "tables.apkg",
            _zip({"collection.anki2": not_anki}),
            "collection.anki2: not an Anki collection",
        ),
        (
            "media.apkg",
            _zip({k: v for k, v in current.items() if k != "0"}),
            "media: file 0 (heart.png) missing from the package",
        ),
    ]


def test_a_damaged_or_foreign_package_is_one_line_and_changes_nothing(anki, tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    db = tmp_path / "srs.db"
    _import(db, anki["packages"]["current.apkg"])
    with Store.open(db) as store:
        before = store.conn.execute("SELECT count(*) FROM reviews").fetchone()
    for name, data, message in _damaged(anki):
        path = tmp_path / name
        path.write_bytes(data)
        one_line_error(cli("import", str(path), db=db), message)
    with Store.open(db) as store:
        assert store.conn.execute("SELECT count(*) FROM reviews").fetchone() == before
    # And through a real process: one line on stderr, exit 1, no traceback.
    done = run_srs("import", str(tmp_path / "cut.apkg"), "--db", str(db))
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1


def _one_basic_note(path: Path, front: str, back: str) -> Collection:
    """A new collection with one Basic note in deck Lang."""
    col = Collection(str(path))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = front, back
    col.add_note(note, col.decks.id("Lang"))
    return col


def test_answers_given_in_anki_later_are_replayed_on_its_schedule(tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    path = tmp_path / "collection.anki2"
    col = _one_basic_note(path, "un", "one")
    for day in range(3):
        if day:
            col = next_day(path, col)
        study_in_anki(col, "Lang", lambda card, n, day=day: (3, 4, 1, 3)[(day + n) % 4])
    # A day passes; the package is exported before anything is studied that day.
    col = next_day(path, col)
    first = tmp_path / "first"
    first.mkdir()
    db = tmp_path / "srs.db"
    _import(db, export_packages(col, first)["current.apkg"])
    with Store.open(db) as store:
        (card_id,) = store.conn.execute("SELECT id FROM cards").fetchone()
        taken = store.card_state(card_id)
        known = len(store.reviews(card_id))
    assert not taken.is_new and taken.last_review < clock.study_day(clock.now())
    # Studied in Anki today (made due, as a user may), then the next package.
    col = Collection(str(path))
    col.sched.set_due_date(col.find_cards(""), "0")
    assert study_in_anki(col, "Lang", lambda card, n: (4, 1, 3)[n % 3]) >= 1
    later = tmp_path / "later"
    later.mkdir()
    out = _import(db, export_packages(col, later)["current.apkg"])
    assert "0 added, 0 updated, 1 unchanged" in out and "1 schedule changed" in out
    with Store.open(db) as store:
        reviews = store.reviews(card_id)
        assert len(reviews) > known
        expected = taken
        for review in reviews[known:]:
            expected = sm2.answer(expected, review.grade, review.study_day)
        assert store.card_state(card_id) == expected != taken


def test_notes_from_anki_go_back_with_their_html_and_media(anki, tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    db = tmp_path / "srs.db"
    _import(db, anki["packages"]["current.apkg"])
    result = cli("export", "-o", str(tmp_path / "back.apkg"), "--with-progress", db=db)
    assert result.exit_code == 0, result.output
    assert "4 notes, 6 cards" in result.output and "1 media file" in result.output
    col = new_collection(tmp_path / "other.anki2")
    import_apkg(col, tmp_path / "back.apkg", with_scheduling=True)
    assert (col.note_count(), col.card_count()) == (4, 6)
    assert (Path(col.media.dir()) / "heart.png").read_bytes() == IMAGE
    g = anki["guids"]
    (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", g["Basic"])
    assert col.get_note(nid)["Question"] == "<b>Bonjour</b>"
    # Its source: the package it came in (which has no line numbers).
    assert col.get_note(nid)["Source"].startswith("current.apkg <span")
    (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", g["Cloze"])
    cloze = col.get_note(nid)
    assert cloze.note_type()["type"] == 1 and len(cloze.card_ids()) == 2
    (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", g["Basic (and reversed card)"])
    assert len(col.get_note(nid).card_ids()) == 2
    col.close()
    # Back into srs (a second database): the same questions, nothing changed.
    other = tmp_path / "b" / "srs.db"
    other.parent.mkdir()
    out = _import(other, tmp_path / "back.apkg")
    assert "4 added" in out and "6 cards added" in out


def test_two_notes_for_one_question_import_nothing(tmp_path):
    from srs.exporters.anki import write_apkg

    from srs.records import Question

    question = Question(text="Capital of France?", kind="basic", answer="Paris", id="paris")
    twice = [card(question, guid, deck="Geo") for guid in ("g-one", "g-two")]
    twice = [replace(c, uid="id:paris") for c in twice]
    package = tmp_path / "twice.apkg"
    write_apkg(twice, package, today=dt.date.today(), now=dt.datetime.now(UTC))
    db = tmp_path / "srs.db"
    one_line_error(cli("import", str(package), db=db), "two notes for one question")
    with Store.open(db) as store:
        assert store.card_count() == 0


def _one_note_package(path: Path, guid: str = "g-lima") -> Path:
    from srs.exporters.anki import write_apkg

    from srs.records import Question

    question = Question(text="Capital of Peru?", kind="basic", answer="Lima", id="lima")
    write_apkg(
        [card(question, guid, deck="Geo")], path, today=dt.date.today(), now=dt.datetime.now(UTC)
    )
    return path


def test_an_error_in_any_input_imports_nothing_and_makes_no_database(tmp_path):
    good = _one_note_package(tmp_path / "geo.apkg")
    cut = tmp_path / "cut.apkg"
    cut.write_bytes(good.read_bytes()[:300])
    deck = tmp_path / "deck.md"
    deck.write_text("# D\n\n## Fine?\n\n- [x] a\n- [ ] b\n")
    db = tmp_path / "srs.db"
    # The broken package after a good one, before it, after a question file: nothing in.
    for order in ([good, cut], [cut, good], [deck, good, cut]):
        one_line_error(cli("import", *map(str, order), db=db), f"{cut}: ")
        assert not db.exists()
    # Two inputs with errors: a line each, then the count, through a real process.
    bad = tmp_path / "bad.md"
    bad.write_text("# D\n\n## No options?\n\n")
    done = run_srs("import", str(good), str(cut), str(bad), "--db", str(db))
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == f"{bad}:3: question has no options and no answer" and lines[1].startswith(
        f"{cut}: "
    )
    assert lines[2:] == ["2 errors; nothing imported (--skip-invalid imports the valid questions)"]
    assert not db.exists()
    # --skip-invalid: what can be read comes in; the rest is listed.
    done = run_srs("import", str(good), str(cut), str(deck), "--skip-invalid", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"{cut}: not an Anki package")
    assert f"{good} -> Geo: 1 added" in done.stdout and f"{deck} -> D: 1 added" in done.stdout
    with Store.open(db) as store:
        assert store.card_count() == 2


def test_a_failure_while_writing_takes_back_every_input(anki, tmp_path, monkeypatch):
    from srs.exporters.anki import write_apkg

    from srs.media import media_folder
    from srs.records import Question

    monkeypatch.delenv("SRS_NOW")
    with_media = anki["packages"]["current.apkg"]
    # Two notes for one question: the package reads well, and fails as it is written.
    question = Question(text="Capital of France?", kind="basic", answer="Paris", id="paris")
    twice = [replace(card(question, g, deck="Geo"), uid="id:paris") for g in ("g-1", "g-2")]
    bad = tmp_path / "twice.apkg"
    write_apkg(twice, bad, today=dt.date.today(), now=dt.datetime.now(UTC))
    db = tmp_path / "srs.db"
    # The package before it (and its media) are taken back, and no database is left.
    one_line_error(cli("import", str(with_media), str(bad), db=db), "two notes for one question")
    assert not db.exists() and not media_folder(db).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["twice.apkg"]  # nothing half made
    # Into a database that exists: it is left as it was.
    good = _one_note_package(tmp_path / "geo.apkg")
    assert cli("import", str(good), db=db).exit_code == 0
    one_line_error(cli("import", str(with_media), str(bad), db=db), "two notes for one question")
    with Store.open(db) as store:
        assert store.card_count() == 1
    assert not media_folder(db).exists()


def test_a_collection_moving_in_keeps_readers_going(anki, tmp_path, monkeypatch):
    # `srs due` in a shell prompt must never wait for an import, however big: a reader sees
    # the log as it was, at once, while the rows are written (and spilled: a tiny cache).
    from srs.store import anki_sync, connection

    monkeypatch.delenv("SRS_NOW")
    monkeypatch.setattr(anki_sync, "_MOVING_IN_MIN", 1)  # any package is a collection
    monkeypatch.setattr(connection, "LARGE_CACHE_KIB", 1)
    db = tmp_path / "srs.db"
    Store.open(db).close()
    calls = {"rebuild": 0}
    read: list[int] = []
    drop_indexes = anki_sync.AnkiSync._drop_review_indexes
    write_batch = anki_sync.AnkiSync._write_batch

    def dropping(self):
        calls["rebuild"] += 1
        return drop_indexes(self)

    def probing(self, batch):
        write_batch(self, batch)
        reader = sqlite3.connect(db, timeout=0)  # fails at once if it would have to wait
        try:
            read.append(reader.execute("SELECT count(*) FROM reviews").fetchone()[0])
        finally:
            reader.close()

    monkeypatch.setattr(anki_sync.AnkiSync, "_drop_review_indexes", dropping)
    monkeypatch.setattr(anki_sync.AnkiSync, "_write_batch", probing)
    out = _import(db, anki["packages"]["current.apkg"])
    assert calls["rebuild"] == 1 and read == [0]
    with Store.open(db) as store:
        (reviews,) = store.conn.execute("SELECT count(*) FROM reviews").fetchone()
    assert f"{reviews} reviews added" in out and reviews > 8


def test_a_collection_moving_in_leaves_every_index_made_again(anki, tmp_path, monkeypatch):
    # Into a database with no card, the log's and the cards' indexes are dropped for the
    # import and made again at its end: the schema is a fresh database's, the indexes whole.
    from srs.store import anki_sync

    monkeypatch.delenv("SRS_NOW")
    monkeypatch.setattr(anki_sync, "_MOVING_IN_MIN", 1)  # any package is a collection
    fresh, db = tmp_path / "fresh.db", tmp_path / "srs.db"
    Store.open(fresh).close()
    Store.open(db).close()
    _import(db, anki["packages"]["current.apkg"])

    def indexes(path):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        finally:
            conn.close()

    assert indexes(db) == indexes(fresh)
    with Store.open(db) as store:
        assert store.card_count() > 0


def test_an_import_under_fsrs_gives_anki_s_cards_their_memory(anki, tmp_path):
    """Cards that keep Anki's schedule come with no FSRS memory of srs's: under FSRS the
    import replays their decks' memories, as switching to FSRS would."""
    from srs.memory import refresh_memories, switch_scheduler

    db = tmp_path / "srs.db"
    with Store.open(db) as store:
        switch_scheduler(store, "fsrs")
    result = cli("import", str(anki["packages"]["current.apkg"]), db=db)
    assert result.exit_code == 0, result.output
    assert "FSRS memory of its decks: " in result.output
    with Store.open(db) as store:
        imported = {h.card_id: (h.state, h.state.memory) for h in store.card_histories()}
        assert all(memory is not None for state, memory in imported.values() if not state.is_new)
        assert any(not state.is_new for state, _ in imported.values())
        refresh_memories(store)  # what switching to FSRS computes
        assert {h.card_id: h.state.memory for h in store.card_histories()} == {
            card_id: memory for card_id, (_, memory) in imported.items()
        }


def test_under_fsrs_a_package_and_its_memories_are_one_transaction(anki, tmp_path, monkeypatch):
    """A failure while the memories are replayed (here: injected) leaves nothing of the
    package behind, not a collection without its memories."""
    import srs.memory
    from srs.memory import switch_scheduler

    db = tmp_path / "srs.db"
    with Store.open(db) as store:
        switch_scheduler(store, "fsrs")

    def broken(store, deck=None):
        raise OSError("disk gone")

    monkeypatch.setattr(srs.memory, "refresh_memories", broken)
    result = cli("import", str(anki["packages"]["current.apkg"]), db=db)
    assert result.exit_code != 0 and isinstance(result.exception, OSError)
    with Store.open(db) as store:
        assert store.conn.execute("SELECT count(*) FROM questions").fetchone() == (0,)
        assert store.conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


# --- Anki's Forget ------------------------------------------------------------------------


def _forgotten_in_anki(path: Path, col: Collection) -> tuple[Collection, int]:
    """Two days of study, Forget, then a day of study again; the collection reopened and
    the Forget entry's id (its time in ms)."""
    for day in range(2):
        if day:
            col = next_day(path, col)
        study_in_anki(col, "Lang", lambda card, n: 3)
    col = next_day(path, col)
    col.sched.schedule_cards_as_new(col.find_cards(""), restore_position=True, reset_counts=False)
    (forget,) = col.db.list("SELECT id FROM revlog WHERE type = 4")
    col = next_day(path, col)
    assert study_in_anki(col, "Lang", lambda card, n: 3) >= 2
    return col, forget - 86_400_000  # next_day moved it a day back


def _srs_deck_in_anki(tmp_path: Path, text: str) -> tuple[Path, Path, Collection]:
    """A Markdown deck imported into srs (its database), exported, and imported into a new
    Anki collection (its path, and the collection, open)."""
    deck = tmp_path / "lang.md"
    deck.write_text(text)
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    assert cli("export", "-o", str(tmp_path / "out.apkg"), db=db).exit_code == 0
    path = tmp_path / "collection.anki2"
    col = Collection(str(path))
    import_apkg(col, tmp_path / "out.apkg")
    return db, path, col


def _resets(store: Store, card_id: int):
    return [c for c in store.schedule_changes(card_id) if c.kind == "reset"]


def _at_ms(moment: dt.datetime) -> int:
    return round(moment.timestamp() * 1000)


def test_forget_in_anki_is_a_reset_in_srs_once(tmp_path, monkeypatch):
    """A card of Anki's own note, forgotten in Anki and studied again: srs logs the reset at
    its time, the answer after it is the card's first again, and the schedule is Anki's."""
    monkeypatch.delenv("SRS_NOW")
    path = tmp_path / "collection.anki2"
    col = _one_basic_note(path, "deux", "two")
    col, forget = _forgotten_in_anki(path, col)
    package = export_packages(col, tmp_path)["current.apkg"]
    db = tmp_path / "srs.db"
    out = _import(db, package)
    assert "1 reset added" in out and "not an answer" not in out and "not answers" not in out
    with Store.open(db) as store:
        (card_id,) = store.conn.execute("SELECT id FROM cards").fetchone()
        (reset,) = _resets(store, card_id)
        assert _at_ms(reset.made_at) == forget
        reviews = store.reviews(card_id)
        kinds = [r.kind for r in reviews]
        after = [r for r in reviews if _at_ms(r.reviewed_at) > forget]
        assert kinds.count("new") == 2 and after[0].kind == "new"
        assert all(r.kind != "new" for r in after[1:])
        # Passed on one day since the reset (the two days before it are not its passes).
        state = store.card_state(card_id)
        assert state.sm2.repetitions == len({r.study_day for r in after}) == 1
    shown = cli("show", str(card_id), db=db)
    assert f"{reset.study_day}  reset" in shown.output
    # The same package again: nothing added twice.
    out = _import(db, package)
    assert "0 reviews added" in out and "reset added" not in out
    with Store.open(db) as store:
        assert len(_resets(store, card_id)) == 1


def test_forget_in_anki_resets_srss_own_card_and_goes_back(tmp_path, monkeypatch):
    """srs's card studied and forgotten in Anki: the replay starts again at the reset (its
    state before is the replayed one). Exported with progress, the reset is Anki's Forget
    entry again, which comes back as the same reset."""
    monkeypatch.delenv("SRS_NOW")
    db, path, col = _srs_deck_in_anki(tmp_path, "# Lang\n\n## trois?\n\nthree\n")
    col, forget = _forgotten_in_anki(path, col)
    out = _import(db, export_packages(col, tmp_path)["current.apkg"])
    assert "0 added, 0 updated, 1 unchanged" in out and "1 reset added" in out
    with Store.open(db) as store:
        (card_id,) = store.conn.execute("SELECT id FROM cards").fetchone()
        (reset,) = _resets(store, card_id)
        assert _at_ms(reset.made_at) == forget and reset.after.is_new
        reviews = store.reviews(card_id)
        before_reset, expected = CardState(), CardState()
        for r in reviews:
            if _at_ms(r.reviewed_at) < forget:
                before_reset = sm2.answer(before_reset, r.grade, r.study_day)
            else:
                expected = sm2.answer(expected, r.grade, r.study_day)
        assert reset.before == before_reset and not before_reset.is_new
        assert store.card_state(card_id) == expected
        assert [r.kind for r in reviews].count("new") == 2
    # srs -> Anki (a fresh collection): the reset is a Forget entry there.
    back = tmp_path / "back.apkg"
    assert cli("export", "-o", str(back), "--with-progress", db=db).exit_code == 0
    other = new_collection(tmp_path / "other.anki2")
    import_apkg(other, back, with_scheduling=True)
    (entry,) = other.db.all("SELECT id, ivl, factor, ease FROM revlog WHERE type = 4")
    assert abs(entry[0] - forget) <= 1000 and entry[1:] == [0, 0, 0]
    again = tmp_path / "again"
    again.mkdir()
    out = _import(db, export_packages(other, again)["current.apkg"])
    assert "0 reviews added" in out and "reset added" not in out
    with Store.open(db) as store:
        assert len(_resets(store, card_id)) == 1
        assert store.card_state(card_id) == expected
    # A second database takes it: the same reset, the same states.
    second = tmp_path / "b" / "srs.db"
    second.parent.mkdir()
    assert "1 reset added" in _import(second, again / "current.apkg")
    with Store.open(second) as store:
        (card_id,) = store.conn.execute("SELECT id FROM cards").fetchone()
        (copy,) = _resets(store, card_id)
        assert abs(_at_ms(copy.made_at) - forget) <= 1000
        assert (copy.before, copy.after) == (before_reset, CardState())
        assert store.card_state(card_id) == expected
        assert [r.kind for r in store.reviews(card_id)].count("new") == 2


def test_a_note_back_from_anki_is_unchanged_kept_or_updated(tmp_path, monkeypatch):
    """srs's notes back from Anki: the same question is unchanged whichever copy is newer;
    a different one stays as srs has it if srs changed it later, and is taken if Anki did.
    (srs's steps an hour apart, before the real clock's now, when Anki edits a note.)"""
    hours_ago = dt.datetime.now(UTC) - dt.timedelta(hours=4)

    def at(hours: int) -> None:
        monkeypatch.setenv("SRS_NOW", (hours_ago + dt.timedelta(hours=hours)).isoformat())

    at(0)
    deck = tmp_path / "lang.md"
    deck.write_text("# Lang\n\n## un?\n\none\n\n## deux?\n\ntwo\n\n## trois?\n\nthree\n")
    first = tmp_path / "a" / "srs.db"
    first.parent.mkdir()
    assert cli("import", str(deck), db=first).exit_code == 0
    assert cli("export", "-o", str(tmp_path / "out.apkg"), db=first).exit_code == 0
    path = tmp_path / "collection.anki2"
    col = Collection(str(path))
    import_apkg(col, tmp_path / "out.apkg")
    package = export_packages(col, tmp_path)["current.apkg"]
    # Another database made from the same file later: its questions are newer, and equal.
    at(1)
    db = tmp_path / "b" / "srs.db"
    db.parent.mkdir()
    assert cli("import", str(deck), db=db).exit_code == 0
    assert "0 added, 0 updated, 3 unchanged" in _import(db, package)
    # srs changes an answer after the package was made: srs's copy stays.
    at(2)
    deck.write_text(deck.read_text().replace("two", "2"))
    assert cli("import", str(deck), db=db).exit_code == 0
    assert "0 added, 0 updated, 2 unchanged, 1 kept (srs's copy is newer)" in _import(db, package)
    # Anki changes an answer after that: Anki's copy comes in.
    col = Collection(str(path))  # export_packages closed it
    (nid,) = col.find_notes("trois")
    note = col.get_note(nid)
    note["Answer"] = "3"
    col.update_note(note)
    later = tmp_path / "later"
    later.mkdir()
    out = _import(db, export_packages(col, later)["current.apkg"])
    assert "0 added, 1 updated, 1 unchanged, 1 kept (srs's copy is newer)" in out
    with Store.open(db) as store:
        answers = dict(store.conn.execute("SELECT text, answer FROM questions"))
    assert answers == {"un?": "one", "deux?": "2", "trois?": "3"}


# --- Anki's "Set due date" --------------------------------------------------------------


def test_a_due_date_set_in_anki_is_taken_for_srss_card(tmp_path, monkeypatch):
    """srs's cards studied in Anki, then one given a due date by hand ("Set due date", with
    "!": the interval too): srs takes that schedule (a change of kind anki at its time), once;
    a card answered after its due date was set is replayed as before."""
    monkeypatch.delenv("SRS_NOW")
    db, path, col = _srs_deck_in_anki(tmp_path, "# Lang\n\n## un?\n\none\n\n## deux?\n\ntwo\n")
    for day in range(2):
        if day:
            col = next_day(path, col)
        study_in_anki(col, "Lang", lambda card, n: 3)
    (set_by_hand,) = col.find_cards("un")
    (answered_after,) = col.find_cards("deux")
    col.sched.set_due_date([set_by_hand], "9!")
    col.sched.set_due_date([answered_after], "0")
    assert study_in_anki(col, "Lang", lambda card, n: 3) == 1  # deux, due now
    card = col.get_card(set_by_hand)
    due, interval = anki_due_date(col, card.due), card.ivl
    assert interval == 9
    package = export_packages(col, tmp_path)["current.apkg"]
    out = _import(db, package)
    assert "2 schedules changed" in out
    assert "2 review log entries are not answers (manual, rescheduled, filtered-deck)" in out
    with Store.open(db) as store:
        ids = dict(
            store.conn.execute(
                "SELECT q.text, c.id FROM cards c JOIN questions q ON q.id = c.question_id"
            )
        )
        taken = store.card_state(ids["un?"])
        assert (taken.due, taken.sm2.interval) == (due, interval)
        (change,) = [c for c in store.schedule_changes(ids["un?"]) if c.kind == "anki"]
        assert change.after == taken and change.before == _replayed(store, ids["un?"])
    shown = cli("show", str(ids["un?"]), db=db).stdout
    line = f"{change.study_day}  schedule imported  -> due {due}, interval 9, EF 2.50"
    assert line in shown
    with Store.open(db) as store:
        replayed = store.card_state(ids["deux?"])
        assert replayed == _replayed(store, ids["deux?"])
        assert not store.schedule_changes(ids["deux?"])
    again = _import(db, package)
    assert "0 reviews added, 0 schedules changed" in again
    with Store.open(db) as store:
        assert len(store.schedule_changes(ids["un?"])) == 1
        assert store.card_state(ids["un?"]) == taken
    # A database new to these cards takes the same schedule.
    second = tmp_path / "b" / "srs.db"
    second.parent.mkdir()
    _import(second, package)
    with Store.open(second) as store:
        card_id = _card_of(store, "un?")
        assert store.card_state(card_id) == taken
        assert [c.kind for c in store.schedule_changes(card_id)] == ["anki"]
    # srs postpones deux; srs -> a package -> another srs: both schedules go along.
    with Store.open(db) as store:
        now = clock.now()
        store.postpone(None, 3, now, clock.study_day(now))
        due = {text: store.card_state(_card_of(store, text)).due for text in ("un?", "deux?")}
    moved = tmp_path / "moved.apkg"
    assert cli("export", "-o", str(moved), "--with-progress", db=db).exit_code == 0
    third = tmp_path / "c" / "srs.db"
    third.parent.mkdir()
    _import(third, moved)
    with Store.open(third) as store:
        for text, expected in due.items():
            assert store.card_state(_card_of(store, text)).due == expected, text
        assert store.card_state(_card_of(store, "un?")).sm2.interval == interval
    # And back into the first: the same changes, none twice.
    assert "0 reviews added, 0 schedules changed" in _import(db, moved)
    with Store.open(db) as store:
        assert len(store.schedule_changes(ids["un?"])) == 2  # taken from Anki, postponed


def _card_of(store: Store, text: str) -> int:
    (card_id,) = store.conn.execute(
        "SELECT c.id FROM cards c JOIN questions q ON q.id = c.question_id WHERE q.text = ?",
        [text],
    ).fetchone()
    return card_id


def _replayed(store: Store, card_id: int) -> CardState:
    """The card's state from its answers alone: SM-2, first grade of a day."""
    state = CardState()
    for review in store.reviews(card_id):
        state = sm2.answer(state, review.grade, review.study_day)
    return state
