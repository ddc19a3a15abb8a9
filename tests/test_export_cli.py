"""`srs export` end to end: srs database -> .apkg -> a fresh collection in the real Anki."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
from pathlib import Path

import pytest
from anki_helpers import anki_due_date, import_apkg, new_collection
from helpers import (
    DECKS,
    SRS,
    STUDY_DAYS,
    STUDY_SETTINGS,
    TODAY,
    basic,
    build,
    now_at,
    run_srs,
    subprocess_env,
)

from srs.errors import SrsError
from srs.exports import apkg_path, default_apkg_name
from srs.review import Session
from srs.store import Store

srs = run_srs


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "srs.db"
    deck_dir = tmp_path / "decks"
    deck_dir.mkdir()
    for f in DECKS.glob("*.md"):
        (deck_dir / f.name).write_text(f.read_text())
    assert srs("import", str(deck_dir), "--db", str(path)).returncode == 0
    return path


def study(db_path, today: dt.date, grade: int = 4, n: int = 5) -> None:
    with Store.open(db_path) as store:
        session = Session(store, today, random.Random(0), settings=store.settings(), limit=n)
        while (shown := session.next_card()) is not None:
            # Grades below 4 bring a card back today; the repeat is answered 4 so the session ends.
            g = 4 if shown.queue == "learning" else grade
            session.grade(shown, g, now=now_at(f"{today}T09:00:00"), duration_ms=3000)


def test_bundled_decks_export_and_import_cleanly(db, tmp_path):
    out = tmp_path / "all.apkg"
    result = srs("export", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out}: 35 notes, 35 cards, 2 decks,")
    col = new_collection(tmp_path / "collection.anki2")
    log = import_apkg(col, out)
    assert len(log.new) == 35 and not log.conflicting
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"MLOps", "MLOps::Basics", "MLOps::CI-CD for ML"} <= names
    assert len(col.find_notes('"deck:MLOps::Basics"')) == 10
    assert len(col.find_notes('"deck:MLOps::CI-CD for ML"')) == 25
    nid = col.find_notes('"Question:*rollback*"')[0]
    note = col.get_note(nid)
    assert "AWS CodeDeploy" in note["Options"]
    card = note.cards()[0]
    front = re.sub(r"<style>.*?</style>", "", card.question(), flags=re.S)
    assert 'data-answer="true"' not in front and "AWS CodeDeploy" in front
    answer = re.sub(r"<style>.*?</style>", "", card.answer(), flags=re.S)
    marked = answer.split('data-answer="true"')[1].split("</li>")[0]
    assert "AWS CodeDeploy" in marked
    message, ok = col.fix_integrity()
    assert ok, message
    col.close()


def test_default_output_name_and_deck_filter(db, tmp_path):
    result = subprocess.run(
        [*SRS, "export", "--db", str(db), "--deck", "MLOps::Basics"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "MLOps-Basics.apkg").is_file()
    assert "10 notes" in result.stdout


def test_edit_in_source_updates_the_note_in_anki(db, tmp_path):
    out = tmp_path / "basics.apkg"
    study(db, TODAY, n=10)
    assert (
        srs(
            "export", "--db", str(db), "-d", "MLOps::Basics", "-o", str(out), "--with-progress"
        ).returncode
        == 0
    )
    col = new_collection(tmp_path / "collection.anki2", age_days=30)
    import_apkg(col, out, with_scheduling=True)
    nid = col.find_notes('"Question:*primarily aim*"')[0]
    card_before = col.get_note(nid).cards()[0]
    state_before = (card_before.id, card_before.ivl, card_before.due, card_before.type)
    notetypes = len(col.models.all_names_and_ids())

    deck_file = tmp_path / "decks" / "mlops-basics.md"
    text = deck_file.read_text()
    assert "Ensuring high-speed internet connections" in text
    deck_file.write_text(text.replace("Ensuring high-speed internet connections", "Faster Wi-Fi"))
    later = {"SRS_NOW": "2026-11-23T09:00:00"}
    imported = srs("import", str(deck_file), "--db", str(db), **later)
    assert "0 added, 1 updated, 9 unchanged" in imported.stdout
    assert (
        srs("export", "--db", str(db), "-d", "MLOps::Basics", "-o", str(out), **later).returncode
        == 0
    )

    log = import_apkg(col, out)
    assert [n.id.nid for n in log.updated] == [nid]
    assert not log.new and not log.conflicting
    assert len(col.models.all_names_and_ids()) == notetypes
    note = col.get_note(nid)
    assert "Faster Wi-Fi" in note["Options"]
    card = note.cards()[0]
    assert (card.id, card.ivl, card.due, card.type) == state_before
    col.close()


def test_same_export_twice_is_all_duplicates(db, tmp_path):
    out = tmp_path / "all.apkg"
    srs("export", "--db", str(db), "-o", str(out))
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, out)
    log = import_apkg(col, out)
    assert len(log.duplicate) == 35 and not log.new and not log.updated
    col.close()


def test_progress_matches_srs(db, tmp_path):
    study(db, TODAY - dt.timedelta(days=3), grade=5, n=8)  # due in 1 day -> overdue by 2
    study(db, TODAY - dt.timedelta(days=2), grade=5, n=8)  # 8 reviews (interval 6)
    study(db, TODAY, grade=3, n=3)
    out = tmp_path / "progress.apkg"
    assert srs("export", "--db", str(db), "--with-progress", "-o", str(out)).returncode == 0
    col = new_collection(tmp_path / "collection.anki2", age_days=100)
    import_apkg(col, out, with_scheduling=True)
    with Store.open(db) as store:
        exported = {c.guid: c for c in store.export_cards()}
        review_rows = len(store.reviews())
    studied = 0
    for guid, c in exported.items():
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        card = col.get_note(nid).cards()[0]
        if c.state.is_new:
            assert card.type == 0
            continue
        studied += 1
        assert card.type == 2 and card.ivl == c.state.sm2.interval
        assert card.factor == c.state.sm2.ef * 10
        assert card.reps == len(c.reviews) and card.lapses == c.state.lapses
        # srs runs with SRS_NOW pinned, Anki's backend with the real clock: compare what a
        # user compares, the calendar date the card is due, not "days from today".
        assert anki_due_date(col, card.due) == c.state.due
    assert studied == 8 + 3
    assert col.db.scalar("select count() from revlog") == review_rows
    message, ok = col.fix_integrity()  # Anki's Check Database: nothing to fix
    assert ok, message
    col.close()


def test_export_errors(tmp_path, db):
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    result = srs("export", "--db", str(empty))
    assert result.returncode == 1
    assert result.stderr.startswith("error: nothing to export")
    missing = srs("export", "--db", str(db), "--deck", "Nope")
    assert missing.returncode == 1 and "no deck named 'Nope'" in missing.stderr
    target = tmp_path / "no-such-dir" / "x.apkg"
    bad = srs("export", "--db", str(db), "-o", str(target))
    assert bad.returncode == 1
    assert bad.stderr == f"error: cannot write {target}: no such folder {target.parent}\n"
    assert not target.parent.exists()
    assert not list(tmp_path.glob("*.apkg*"))


def test_suspended_cards_reach_anki_suspended_with_progress(db, tmp_path):
    """A studied card, a new one and a reversed question's second card, suspended in srs:
    suspended in Anki after an import with scheduling; the others not."""
    from srs.records import Question

    study(db, TODAY - dt.timedelta(days=2), grade=5, n=3)
    with Store.open(db) as store:
        both = Question(text="Sun in Spanish?", kind="reversed", answer="Sol")
        store.import_questions([("Words", "/words.md", [both])], now_at())
        rows = store.conn.execute(
            "SELECT c.id, q.text, c.ord, c.due IS NULL FROM cards c"
            " JOIN questions q ON q.id = c.question_id ORDER BY c.id"
        ).fetchall()
        studied = next(r for r in rows if not r[3])
        new = next(r for r in rows if r[3] and r[1] != both.text)
        second = next(r for r in rows if r[1] == both.text and r[2] == 1)
        store.set_suspended([studied[0], new[0], second[0]], True)
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, export_to(db, tmp_path / "p.apkg", "--with-progress"), with_scheduling=True)
    queues = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        queues[(card.note().fields[0], card.ord)] = card.queue
    assert len(queues) == len(rows)

    def queue_of(row) -> int:
        (found,) = [q for (text, o), q in queues.items() if row[1] in text and o == row[2]]
        return found

    assert [queue_of(r) for r in (studied, new, second)] == [-1, -1, -1]
    assert sum(q == -1 for q in queues.values()) == 3


def export_to(db, out, *args: str, **env: str):
    result = srs("export", "--db", str(db), "-o", str(out), *args, **env)
    assert result.returncode == 0, result.stderr
    return out


def test_an_edit_in_the_same_second_reaches_anki(db, tmp_path):
    # Import, export, edit an option, import, export: all at the same pinned moment
    # (conftest pins SRS_NOW), as a script or a test does it.
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, export_to(db, tmp_path / "v1.apkg", "-d", "MLOps::Basics"))
    deck_file = tmp_path / "decks" / "mlops-basics.md"
    for n, new_option in enumerate(["Faster Wi-Fi", "Fastest Wi-Fi"], 2):
        text = deck_file.read_text()
        old_option = "Ensuring high-speed internet connections" if n == 2 else "Faster Wi-Fi"
        deck_file.write_text(text.replace(old_option, new_option))
        imported = srs("import", str(deck_file), "--db", str(db))
        assert "0 added, 1 updated, 9 unchanged" in imported.stdout
        log = import_apkg(col, export_to(db, tmp_path / f"v{n}.apkg", "-d", "MLOps::Basics"))
        assert (len(log.updated), len(log.duplicate), len(log.new)) == (1, 9, 0)
        nid = col.find_notes('"Question:*primarily aim*"')[0]
        assert new_option in col.get_note(nid)["Options"]
    col.close()


def test_another_database_exports_the_same_notes(db, tmp_path):
    # The same files imported into a second database (another machine, or after `srs
    # forget`): Anki recognises every note instead of adding it a second time.
    other = tmp_path / "other.db"
    assert srs("import", str(tmp_path / "decks"), "--db", str(other)).returncode == 0
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, export_to(db, tmp_path / "first.apkg"))
    log = import_apkg(col, export_to(other, tmp_path / "second.apkg"))
    assert (len(log.new), len(log.duplicate), col.note_count()) == (0, 35, 35)
    assert srs("forget", "--deck", "MLOps", "--yes", "--db", str(db)).returncode == 0
    assert srs("import", str(tmp_path / "decks"), "--db", str(db)).returncode == 0
    log = import_apkg(col, export_to(db, tmp_path / "third.apkg"))
    assert (len(log.new), col.note_count()) == (0, 35)
    col.close()


def test_source_shows_the_file_name_and_line(db, tmp_path):
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, export_to(db, tmp_path / "all.apkg"))
    note = col.get_note(col.find_notes('"Question:*primarily aim*"')[0])
    # The file name and line, and the question's identity in srs (its id: here).
    assert note["Source"] == 'mlops-basics.md:7 <span class="srs-uid">id:mlops-aim</span>'
    sources = {col.get_note(nid)["Source"] for nid in col.find_notes("")}
    assert all(re.match(r"mlops-(basics|cicd)\.md:\d+ <span", s) for s in sources), sources
    assert str(tmp_path) not in col.get_note(note.id).joined_fields()
    col.close()


def test_progress_is_what_anki_expects_and_repeats_stay_today(tmp_path):
    # Two weeks of study up to yesterday; today a review card and a new card are failed and
    # left waiting for their same-day repeat, and one card is crammed.
    db_path = tmp_path / "srs.db"
    now = now_at()
    with Store.open(db_path) as store:
        build(store, days=STUDY_DAYS[:-1])
        store.import_questions([("Extra", "extra.md", [basic("extra")])], now)

        def fail_one(**kwargs) -> int:
            session = Session(store, TODAY, random.Random(0), settings=STUDY_SETTINGS, **kwargs)
            shown = session.next_card()
            session.grade(shown, 1, now=now, duration_ms=900)
            return shown.card.id

        failed = {"review": fail_one(new_limit=0), "new": fail_one(deck="Extra")}
        cram = Session(store, TODAY, random.Random(1), deck="Lang::French", cram=True, limit=1)
        cram.grade(cram.next_card(), 5, now=now_at("2026-11-22T09:30:00"), duration_ms=900)
        guids = dict(
            store.conn.execute(
                "SELECT c.id, q.guid FROM cards c JOIN questions q ON q.id = c.question_id"
            )
        )
        last_answers = dict(
            store.conn.execute(
                "SELECT card_id, max(reviewed_at) FROM reviews WHERE kind != 'cram'"
                " GROUP BY card_id"
            )
        )
    out = export_to(db_path, tmp_path / "progress.apkg", "--with-progress")
    col = new_collection(tmp_path / "collection.anki2", age_days=60)
    import_apkg(col, out, with_scheduling=True)

    def anki_card(guid: str):
        return col.get_note(col.db.scalar("SELECT id FROM notes WHERE guid = ?", guid)).cards()[0]

    # What Anki's current versions keep with a studied card: its last review time.
    for card_id, guid in guids.items():
        card = anki_card(guid)
        if card_id in last_answers:
            answered = dt.datetime.fromisoformat(last_answers[card_id].replace("Z", "+00:00"))
            data = json.loads(col.db.scalar("SELECT data FROM cards WHERE id = ?", card.id))
            assert data["lrt"] == int(answered.timestamp())
        else:
            assert card.type == 0
    # The failed cards are due today: learning (new today) and relearning (a lapse), with
    # one step left.
    learning = {guids[failed["new"]]: (1, 1), guids[failed["review"]]: (3, 1)}
    for guid, type_and_queue in learning.items():
        card = anki_card(guid)
        assert (card.type, card.queue, card.left % 1000) == (*type_and_queue, 1)
    due_learning = {col.get_card(cid).note().guid for cid in col.find_cards("is:learn is:due")}
    assert due_learning == set(learning)
    # "Good" ends the relearning, as a 4 ends the repeats in srs: due tomorrow.
    relearning = anki_card(guids[failed["review"]])
    assert relearning.ivl == 1 and relearning.lapses >= 1
    from anki.scheduler.v3 import CardAnswer  # after anki.collection: an import cycle

    relearning.start_timer()
    states = col._backend.get_scheduling_states(relearning.id)
    good = col.sched.build_answer(card=relearning, states=states, rating=CardAnswer.GOOD)
    col.sched.answer_card(good)
    relearning.load()
    assert (relearning.type, relearning.queue, relearning.due - col.sched.today) == (2, 2, 1)

    message, ok = col.fix_integrity()  # Anki's Check Database: nothing to fix
    assert ok, message
    col.close()


@pytest.mark.parametrize(
    ("output", "written"),
    [
        ("out/", "out/MLOps.apkg"),
        ("out", "out/MLOps.apkg"),  # an existing folder
        (".", "MLOps.apkg"),
        ("name", "name.apkg"),
        ("my.deck", "my.deck.apkg"),
        ("out/Name.APKG", "out/Name.APKG"),
        ("out/x.apkg", "out/x.apkg"),
    ],
)
def test_output_may_be_a_folder_or_a_name_without_its_ending(db, tmp_path, output, written):
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    result = subprocess.run(
        [*SRS, "export", "--db", str(db), "-o", output],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {Path(written)}: 35 notes")
    files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    assert files == [str(Path(written))]
    col = new_collection(tmp_path / "collection.anki2")
    assert len(import_apkg(col, work / written).new) == 35
    col.close()


def test_output_in_a_missing_folder_is_one_line(db, tmp_path):
    result = srs("export", "--db", str(db), "-o", str(tmp_path / "missing") + "/")
    assert result.returncode == 1
    assert result.stderr == f"error: cannot write to {tmp_path / 'missing'}/: no such folder\n"
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("decks", "name"),
    [
        (["MLOps::Basics"], "MLOps-Basics.apkg"),
        (["MLOps::Basics", "MLOps::CI-CD for ML"], "MLOps.apkg"),
        (["MLOps", "Lang::French"], "srs.apkg"),
        (["a/b: c?"], "a_b_ c_.apkg"),
        ([" .hidden. "], "hidden.apkg"),
    ],
)
def test_the_default_package_name(decks, name):
    assert default_apkg_name(decks) == name


def test_where_the_package_goes(tmp_path):
    decks = ["MLOps::Basics"]
    assert apkg_path(None, decks) == Path("MLOps-Basics.apkg")
    assert apkg_path(str(tmp_path), decks) == tmp_path / "MLOps-Basics.apkg"
    assert apkg_path(str(tmp_path / "out"), decks) == tmp_path / "out.apkg"
    assert apkg_path(str(tmp_path / "out.APKG"), decks) == tmp_path / "out.APKG"
    with pytest.raises(SrsError, match="no such folder"):
        apkg_path(f"{tmp_path / 'nothere'}/", decks)
