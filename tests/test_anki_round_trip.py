"""The full circle with the real Anki backend: srs studies and exports, Anki imports and
studies, Anki exports, srs imports (answers merged, schedules replayed), srs exports again,
Anki imports again with "update if newer"; and a second srs database takes the package.

Anki reads the real clock, so srs does too here: srs's sessions are dated from the real
clock (days before now), passed in as `now`/`today`, never through a pinned SRS_NOW.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from anki.collection import Collection
from anki_helpers import ANSWER_TYPES, GRADE_OF_EASE, import_apkg, revlog_of, study_in_anki
from helpers import cli
from srs.exporters.anki import write_apkg

from srs import clock, sm2
from srs.media import media_folder
from srs.records import CardState
from srs.review import Session
from srs.store import Store

UTC = dt.UTC
DECK = """\
# Trip

## Which are primes?
id: primes

- [ ] 4
- [x] 7
- [x] 11

> 7 and 11.

## What does SM-2 stand for?
SuperMemo 2.

## {{c1::Paris}} is the capital of {{c2::France}}.
id: paris
> since 508
"""

QUESTIONS = (
    "SELECT q.uid, q.guid, q.kind, q.text, q.options, q.answers, q.answer, q.explanation,"
    " d.name FROM questions q JOIN decks d ON d.id = q.deck_id ORDER BY q.guid"
)


def _study(store: Store, now: dt.datetime, grade_for) -> int:
    """One srs session at ``now``: every card it shows, graded by ``grade_for(card_id, n)``."""
    today = clock.study_day(now)
    session = Session(store, today, random.Random(1))
    n = 0
    while (shown := session.next_card()) is not None:
        moment = now + dt.timedelta(seconds=5 * n)
        session.grade(shown, grade_for(shown.card.id, n), now=moment, duration_ms=3000)
        n += 1
    return n


def _export(store: Store, path: Path, now: dt.datetime) -> Path:
    write_apkg(
        store.iter_export_cards(None, history=True),
        path,
        today=clock.study_day(now),
        now=now,
        with_progress=True,
        media_dir=media_folder(store.path),
    )
    return path


def _log(store: Store) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Every card's answers (time, grade), keyed by its note's GUID and card number."""
    out: dict[str, list[tuple[dt.datetime, int]]] = {}
    for card_id, guid, ord_ in store.conn.execute(
        "SELECT c.id, q.guid, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
    ):
        out[f"{guid}/{ord_}"] = [(r.reviewed_at, r.grade) for r in store.reviews(card_id)]
    return out


def _replayed(store: Store, card_id: int) -> CardState:
    """The card's state, replayed by hand from its log: SM-2, first grade of a day."""
    state = CardState()
    for review in sorted(store.reviews(card_id), key=lambda r: r.reviewed_at):
        state = sm2.answer(state, review.grade, clock.study_day(review.reviewed_at))
    return state


def test_full_circle_and_a_second_database(tmp_path, monkeypatch):
    monkeypatch.delenv("SRS_NOW")
    real_now = dt.datetime.now(UTC)
    deck = tmp_path / "trip.md"
    deck.write_text(DECK)
    db = tmp_path / "a" / "srs.db"
    db.parent.mkdir()
    assert cli("import", str(deck), db=db).exit_code == 0

    # srs: two days of study, three and two days ago; then an export with progress.
    with Store.open(db) as store:
        assert _study(store, real_now - dt.timedelta(days=3), lambda c, n: (1, 4, 5, 3)[n % 4]) >= 4
        _study(store, real_now - dt.timedelta(days=2), lambda c, n: 4)
        first = _export(store, tmp_path / "first.apkg", real_now - dt.timedelta(days=2, hours=-1))
        srs_answers = store.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]

    # Anki: import with progress, make everything due now, study.
    col = Collection(str(tmp_path / "anki.anki2"))
    log = import_apkg(col, first, with_scheduling=True)
    assert len(log.new) == 3
    assert col.db.scalar("SELECT count() FROM revlog") == srs_answers
    col.sched.set_due_date(col.find_cards(""), "0")  # manual entries: not answers for srs
    assert study_in_anki(col, "Trip", lambda card, n: (3, 1, 4, 3, 2)[n % 5]) >= 4

    # srs answers a card today too, minutes before Anki's answers reach it.
    with Store.open(db) as store:
        (card_id,) = store.conn.execute("SELECT min(id) FROM cards").fetchone()
        store.set_suspended(
            [c for (c,) in store.conn.execute("SELECT id FROM cards WHERE id != ?", [card_id])],
            True,
        )
        _study(store, real_now - dt.timedelta(minutes=5), lambda c, n: 5)
        store.set_suspended([c for (c,) in store.conn.execute("SELECT id FROM cards")], False)
        before = _log(store)
        states_before = {
            cid: store.card_state(cid) for (cid,) in store.conn.execute("SELECT id FROM cards")
        }

    from anki.collection import ExportAnkiPackageOptions

    back = tmp_path / "from-anki.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(back), options=options, limit=None)
    anki_log = revlog_of(col)

    result = cli("import", str(back), db=db)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 3 unchanged" in result.output
    with Store.open(db) as store:
        after = _log(store)
        # Each card's log: srs's answers, plus Anki's own answers, each once.
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            key = f"{col.get_note(card.nid).guid}/{card.ord}"
            anki_answers = [
                (dt.datetime.fromtimestamp(rid / 1000, UTC), GRADE_OF_EASE[ease])
                for rid, ease, kind in anki_log[cid]
                if kind in ANSWER_TYPES
                and rid > (real_now - dt.timedelta(hours=1)).timestamp() * 1000
            ]
            assert anki_answers, key
            assert sorted(after[key]) == sorted(before[key] + anki_answers), (
                after[key],
                before[key],
                anki_answers,
                anki_log[cid],
            )
        changed = 0
        for (card_id,) in store.conn.execute("SELECT id FROM cards"):
            state = store.card_state(card_id)
            assert state == _replayed(store, card_id)
            changed += state != states_before[card_id]
        assert f"{changed} schedule" in result.output and changed

        # srs exports again; Anki imports it over its copy: no duplicate, no answer lost.
        again = _export(store, tmp_path / "again.apkg", dt.datetime.now(UTC))
        final_log = _log(store)
        questions = store.conn.execute(QUESTIONS).fetchall()
        states = {
            f"{g}/{o}": store.card_state(c)
            for c, g, o in store.conn.execute(
                "SELECT c.id, q.guid, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
            )
        }
    notes, answers = col.note_count(), col.db.list("SELECT id FROM revlog")
    log = import_apkg(col, again, with_scheduling=True)
    assert (len(log.new), len(log.conflicting)) == (0, 0)
    assert col.note_count() == notes
    assert set(answers) <= set(col.db.list("SELECT id FROM revlog"))
    col.close()

    # A second srs database takes the package: same questions, identities, history, states.
    other = tmp_path / "b" / "srs.db"
    other.parent.mkdir()
    result = cli("import", str(again), db=other)
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    with Store.open(other) as store:
        assert store.conn.execute(QUESTIONS).fetchall() == questions
        assert _log(store) == final_log
        for key, state in states.items():
            guid, ord_ = key.split("/")
            (card_id,) = store.conn.execute(
                "SELECT c.id FROM cards c JOIN questions q ON q.id = c.question_id"
                " WHERE q.guid = ? AND c.ord = ?",
                [guid, int(ord_)],
            ).fetchone()
            assert store.card_state(card_id) == state
    # And back into the first: it has all of it already.
    result = cli("import", str(again), db=db)
    assert "0 added, 0 updated, 3 unchanged" in result.output
    assert "0 reviews added, 0 schedules changed" in result.output
    with Store.open(db) as store:
        assert _log(store) == final_log


def test_a_card_reset_in_srs_goes_to_anki_new_with_its_history(tmp_path, monkeypatch):
    """Studied, then reset in srs: Anki gets a new card with its answers and a Forget entry
    (so Anki's FSRS starts it again there too); back in srs, nothing comes twice."""
    monkeypatch.delenv("SRS_NOW")
    real_now = dt.datetime.now(UTC)
    deck = tmp_path / "trip.md"
    deck.write_text(DECK)
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    with Store.open(db) as store:
        _study(store, real_now - dt.timedelta(days=2), lambda c, n: 4)
        _study(store, real_now - dt.timedelta(days=1), lambda c, n: 5)
        (card_id,) = store.conn.execute("SELECT min(id) FROM cards").fetchone()
        store.reset_cards([card_id], real_now - dt.timedelta(hours=1), clock.study_day(real_now))
        answers = len(store.reviews(card_id))
        exported = _export(store, tmp_path / "reset.apkg", real_now)
        log, states = _log(store), {c: store.card_state(c) for c in (card_id, card_id + 1)}
        guid, ord_ = store.conn.execute(
            "SELECT q.guid, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
            " WHERE c.id = ?",
            [card_id],
        ).fetchone()
    col = Collection(str(tmp_path / "anki.anki2"))
    import_apkg(col, exported, with_scheduling=True)
    (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", guid)
    card = next(c for c in col.get_note(nid).cards() if c.ord == ord_)
    assert card.type == 0  # new
    # Its answers (learning, then reviews) and the Forget after them.
    assert [kind for _, _, kind in revlog_of(col)[card.id]] == [0] + [1] * (answers - 1) + [4]
    from anki.collection import ExportAnkiPackageOptions

    back = tmp_path / "back.apkg"

    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(back), options=options, limit=None)
    col.close()
    result = cli("import", str(back), db=db)
    assert result.exit_code == 0, result.output
    assert "0 reviews added" in result.output and "reset added" not in result.output
    with Store.open(db) as store:
        assert _log(store) == log
        assert {c: store.card_state(c) for c in states} == states
        assert len([c for c in store.schedule_changes(card_id) if c.kind == "reset"]) == 1
