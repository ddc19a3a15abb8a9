"""FSRS as a scheduler: the pure scheduler against the `fsrs` package, switching scheduler
both ways, `srs optimize`, `srs stats` and `srs export --with-progress` under FSRS."""

from __future__ import annotations

import datetime as dt
import json
import random

import fsrs as pyfsrs
import fsrs_rs_python as rs
import pytest
from helpers import (
    LEARNER_PARAMETERS,
    TODAY,
    basic,
    build,
    cli,
    now_at,
    one_line_error,
    run_srs,
)

from srs import fsrs, sm2
from srs.errors import SrsError
from srs.history import replayed_memories, scorable
from srs.memory import refresh_memories, switch_scheduler
from srs.records import (
    COLLECTION,
    CardState,
    FittedParameters,
    Grade,
    Memory,
    Sm2State,
    parameters_for,
)
from srs.review import Session
from srs.scheduler import parameters_of, scheduler_for
from srs.settings import Settings
from srs.store import Store

FSRS_SETTINGS = Settings(new_per_day=4, scheduler="fsrs")
DAY0 = dt.date(2026, 1, 5)

# ---------------------------------------------------------------- the pure scheduler


def test_default_parameters_are_fsrs6s():
    assert fsrs.DEFAULT_PARAMETERS == pyfsrs.scheduler.DEFAULT_PARAMETERS
    assert pytest.approx(tuple(rs.DEFAULT_PARAMETERS), abs=1e-6) == fsrs.DEFAULT_PARAMETERS


@pytest.mark.parametrize(("grade", "rating"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_grades_map_to_ratings(grade, rating):
    assert fsrs.rating(grade) == rating


# Fixed answer sequences: (days after the previous answer, grade), first answer on DAY0.
SEQUENCES = [
    [(0, 4), (3, 4), (10, 4), (30, 5)],
    [(0, 1), (1, 3), (2, 4), (8, 1), (1, 4), (5, 5)],
    [(0, 5), (15, 4), (40, 2), (2, 3), (4, 4)],
    [(0, 3), (1, 3), (1, 3), (3, 0), (1, 4), (9, 4), (200, 4)],
]


@pytest.mark.parametrize("sequence", SEQUENCES)
@pytest.mark.parametrize(
    ("parameters", "retention"),
    [(fsrs.DEFAULT_PARAMETERS, 0.9), (fsrs.DEFAULT_PARAMETERS, 0.8), (LEARNER_PARAMETERS, 0.95)],
)
def test_intervals_are_the_fsrs_packages(sequence, parameters, retention):
    """Each answer's interval and memory state, as the `fsrs` package computes them directly
    for the same ratings on the same days (no learning steps, no fuzz)."""
    ours = fsrs.FsrsScheduler(parameters, retention)
    theirs = pyfsrs.Scheduler(
        parameters, retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )
    state, card = CardState(), pyfsrs.Card(card_id=1)
    day = DAY0
    for gap, grade in sequence:
        day += dt.timedelta(days=gap)
        at = dt.datetime.combine(day, dt.time(0), dt.UTC)
        state = ours.answer(state, grade, day)
        card, _ = theirs.review_card(card, pyfsrs.Rating(fsrs.rating(grade)), at)
        assert state.due == card.due.date()
        assert state.memory == Memory(card.stability, card.difficulty)
        assert state.last_review == day


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_fsrs_rs_gives_the_same_memory_states(sequence):
    """fsrs-rs (which fits and replays) and py-fsrs (which schedules) agree."""
    state, day, reviews = CardState(), DAY0, []
    model = rs.FSRS(list(fsrs.DEFAULT_PARAMETERS))
    for gap, grade in sequence:
        day += dt.timedelta(days=gap)
        state = fsrs.FsrsScheduler().answer(state, grade, day)
        reviews.append(rs.FSRSReview(fsrs.rating(grade), gap))
        theirs = model.memory_state(rs.FSRSItem(reviews))
        assert state.memory.stability == pytest.approx(theirs.stability, rel=1e-4)
        assert state.memory.difficulty == pytest.approx(theirs.difficulty, rel=1e-4)


def test_sm2_state_is_kept_and_same_day_repeats_are_sm2s():
    scheduler = fsrs.FsrsScheduler()
    state, shadow = CardState(), CardState()
    for gap, grade in SEQUENCES[1]:
        day = (state.last_review or DAY0) + dt.timedelta(days=gap)
        state, shadow = scheduler.answer(state, grade, day), sm2.answer(shadow, grade, day)
        assert (state.sm2, state.lapses, state.repeat_today, state.last_review) == (
            shadow.sm2,
            shadow.lapses,
            shadow.repeat_today,
            shadow.last_review,
        )
        while state.needs_repeat(day):
            # A same-day repeat is SM-2's: memory and due stay, it comes back until graded 4.
            again = scheduler.answer(state, 1, day)
            assert again == sm2.answer(state, 1, day)
            assert (again.memory, again.due, again.repeat_today) == (state.memory, state.due, True)
            state = scheduler.answer(again, 4, day)
            assert state == sm2.answer(again, 4, day) and not state.needs_repeat(day)
        assert state.due is not None and state.due > day


@pytest.mark.parametrize(("ef", "interval"), [(250, 1), (250, 6), (130, 3), (280, 40), (200, 365)])
@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_memory_from_sm2_is_fsrs_rs(ef, interval, retention):
    ours = fsrs.memory_from_sm2(Sm2State(3, ef, interval), fsrs.DEFAULT_PARAMETERS, retention)
    theirs = rs.FSRS(list(fsrs.DEFAULT_PARAMETERS)).memory_state_from_sm2(
        ef / 100, interval, retention
    )
    assert ours.stability == pytest.approx(theirs.stability, rel=1e-4)
    assert ours.difficulty == pytest.approx(theirs.difficulty, rel=1e-4)


def test_a_studied_card_without_memory_starts_from_its_sm2_state():
    state = CardState(Sm2State(3, 230, 15), DAY0, DAY0 - dt.timedelta(days=15))
    after = fsrs.FsrsScheduler().answer(state, 4, DAY0)
    start = fsrs.memory_from_sm2(state.sm2, fsrs.DEFAULT_PARAMETERS)
    assert (
        after.memory
        == fsrs.FsrsScheduler()
        .answer(CardState(state.sm2, state.due, state.last_review, memory=start), 4, DAY0)
        .memory
    )


def test_unusable_parameters_are_one_clear_error():
    with pytest.raises(SrsError, match="unusable FSRS parameters .*run `srs optimize`"):
        fsrs.FsrsScheduler((0.0,) * 21)


def test_retrievability_and_its_inverse():
    for w in (fsrs.DEFAULT_PARAMETERS, LEARNER_PARAMETERS):
        assert fsrs.retrievability(10, 10, w) == pytest.approx(0.9)
        for r in (0.95, 0.8, 0.5):
            assert fsrs.retrievability(7, 7 * fsrs.elapsed_ratio(r, w), w) == pytest.approx(r)


def test_parameters_go_to_a_deck_its_parent_or_the_collection():
    def fitted(deck: str) -> FittedParameters:
        return FittedParameters(deck, (len(deck),) * 21, now_at(), 500, 0.3, 0.05)

    table = {d: fitted(d) for d in (COLLECTION, "Lang", "Lang::French::Verbs")}
    assert parameters_for("lang::french::verbs", table).deck == "Lang::French::Verbs"
    assert parameters_for("Lang::French", table).deck == "Lang"
    assert parameters_for("Lang::French::Verbs::Irregular", table).deck == "Lang::French::Verbs"
    assert parameters_for("Maths", table).deck == COLLECTION
    assert parameters_for("Maths", {"Lang": table["Lang"]}) is None
    assert scheduler_for(Settings(scheduler="sm2")).name == "sm2"
    assert scheduler_for(Settings(scheduler="fsrs")).name == "fsrs"


# ---------------------------------------------------------------- switching


def _states(store: Store) -> dict[int, CardState]:
    return {h.card_id: h.state for h in store.card_histories()}


def _review_rows(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()


def test_switching_there_and_back_loses_nothing(store):
    build(store)
    reviews, before = _review_rows(store), _states(store)
    refreshed = switch_scheduler(store, "fsrs")
    assert store.settings().scheduler == "fsrs"
    assert _review_rows(store) == reviews
    after = _states(store)
    assert refreshed.replayed == sum(not s.is_new for s in before.values())
    assert refreshed.from_sm2 == 0 and refreshed.new == sum(s.is_new for s in before.values())
    for card_id, state in before.items():
        # Everything but the memory stays, due dates first of all.
        assert after[card_id].sm2 == state.sm2 and after[card_id].due == state.due
        assert (after[card_id].memory is None) == state.is_new
    # Two more days of study under FSRS: SM-2's state goes on being updated.
    days = [TODAY + dt.timedelta(days=d) for d in (1, 3)]
    for day in days:
        session = Session(store, day, random.Random(0), settings=FSRS_SETTINGS)
        now = dt.datetime.combine(day, dt.time(9), dt.UTC)
        while (shown := session.next_card()) is not None:
            grade = 4 if shown.queue == "learning" or shown.card.id % 3 else 2
            log = session.grade(shown, grade, now=now, duration_ms=900)
            assert log.after.sm2 == sm2.answer(log.before, grade, day).sm2
    reviews = _review_rows(store)
    assert switch_scheduler(store, "sm2") is None
    assert store.settings().scheduler == "sm2"
    assert _review_rows(store) == reviews
    final = _states(store)
    assert all(s.due is not None for s in final.values() if not s.is_new)
    assert all(s.due is not None for c, s in final.items() if not before[c].is_new)
    # And SM-2 schedules again.
    day = days[-1] + dt.timedelta(days=2)
    session = Session(store, day, random.Random(0), settings=store.settings())
    shown = session.next_card()
    log = session.grade(shown, 4, now=now_at(), duration_ms=1)
    assert log.after == sm2.answer(log.before, 4, day)


def test_the_switch_is_one_transaction(store, monkeypatch):
    build(store)
    before = _states(store)

    def broken(key, value):
        raise SrsError("disk full")

    monkeypatch.setattr(store, "set_setting", broken)
    with pytest.raises(SrsError, match="disk full"):
        switch_scheduler(store, "fsrs")
    assert _states(store) == before  # no memory written either


def test_memory_is_replayed_from_history_or_inferred_from_sm2(store):
    build(store)
    ids = [h.card_id for h in store.card_histories() if not h.state.is_new]
    # A card whose log lacks its last answer: its history no longer explains its state.
    lost = ids[0]
    with store.atomic() as conn:
        conn.execute(
            "DELETE FROM reviews WHERE id = (SELECT max(id) FROM reviews WHERE card_id = ?"
            " AND kind != 'repeat')",
            [lost],
        )
    switch_scheduler(store, "fsrs")
    states = _states(store)
    assert states[lost].memory == pytest.approx(
        fsrs.memory_from_sm2(states[lost].sm2, fsrs.DEFAULT_PARAMETERS)
    )
    # Every other card's memory is its answers replayed by the scheduler itself.
    for history in store.card_histories():
        if history.card_id == lost or history.state.is_new:
            continue
        state = CardState()
        for answer in history.answers:
            if answer.kind in ("new", "review"):
                state = fsrs.FsrsScheduler().answer(state, answer.grade, answer.study_day)
        assert history.state.memory.stability == pytest.approx(state.memory.stability, rel=1e-4)
        assert history.state.memory.difficulty == pytest.approx(state.memory.difficulty, rel=1e-4)


def test_a_postpone_is_undone_across_a_switch(store):
    build(store)
    before = _states(store)
    store.postpone(None, 3, now_at(), TODAY)
    switch_scheduler(store, "fsrs")
    undone = store.undo_postpone(now_at())
    assert undone.kept == 0
    assert {c: s.due for c, s in _states(store).items()} == {c: s.due for c, s in before.items()}


def test_config_set_scheduler_switches(db_path):
    with Store.open(db_path) as store:
        build(store)
    proc = run_srs("config", "set", "scheduler", "fsrs", "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "scheduler = fsrs",
        "FSRS memory: 14 replayed from the review log, 0 from the SM-2 state, 0 cards new;"
        " due dates kept.",
    ]
    # Again: nothing to switch, nothing recomputed.
    again = cli("config", "set", "scheduler", "fsrs", db=db_path)
    assert again.stdout == "scheduler = fsrs (already)\n"
    result = cli("config", "set", "scheduler", "sm2", db=db_path)
    assert result.stdout.splitlines()[1].startswith("SM-2 schedules again")
    one_line_error(cli("config", "set", "scheduler", "anki", db=db_path), "one of sm2, fsrs")
    one_line_error(cli("config", "set", "desired_retention", "0.5", db=db_path), "0.7-0.99")
    # Under SM-2, a retention to aim at is FSRS's: the line says so.
    under_sm2 = cli("config", "set", "desired_retention", "0.85", db=db_path)
    assert under_sm2.stdout.splitlines() == [
        "desired_retention = 0.85",
        "(FSRS schedules by it; the scheduler is sm2: `srs config set scheduler fsrs`)",
    ]
    assert cli("config", "get", "desired_retention", db=db_path).stdout == "0.85\n"


def test_a_review_under_fsrs_uses_the_decks_parameters(store):
    build(store, [])
    fitted = FittedParameters("Lang", LEARNER_PARAMETERS, now_at(), 400, 0.3, 0.05)
    store.save_fitted_parameters(fitted)
    switch_scheduler(store, "fsrs")
    session = Session(store, TODAY, random.Random(0), settings=FSRS_SETTINGS)
    while (shown := session.next_card()) is not None:
        grade = 4 if shown.queue == "learning" else 1 + shown.card.id % 5
        session.grade(shown, grade, now=now_at(), duration_ms=900)
    for history in store.card_histories():
        if history.state.is_new:
            continue
        parameters = LEARNER_PARAMETERS if history.deck.startswith("Lang") else None
        first = history.answers[0]
        expected = fsrs.FsrsScheduler(parameters or fsrs.DEFAULT_PARAMETERS).answer(
            CardState(), first.grade, TODAY
        )
        assert history.state.memory == expected.memory
        assert history.state.due == expected.due


def test_an_import_under_fsrs_replays_with_the_decks_parameters(learner, tmp_path):
    """Another machine's export (srs's notes, their answers replayed) into a database on
    FSRS: each card's schedule comes from the parameters fitted for its deck, as a session's
    would, not from FSRS's defaults."""
    package = tmp_path / "p.apkg"
    assert cli("export", "--with-progress", "-o", str(package), db=learner).exit_code == 0
    db = tmp_path / "other.db"
    with Store.open(db) as store:
        fitted = FittedParameters("Lang", LEARNER_PARAMETERS, now_at(), 400, 0.3, 0.05)
        store.save_fitted_parameters(fitted)
        switch_scheduler(store, "fsrs")
    result = cli("import", str(package), db=db)
    assert result.exit_code == 0, result.output
    assert "FSRS memory of its decks: " in result.output
    scheduler = fsrs.FsrsScheduler(LEARNER_PARAMETERS)
    checked = 0
    with Store.open(db) as store:
        for history in store.card_histories():
            state = CardState()
            for answer in history.answers:
                state = scheduler.answer(state, answer.grade, answer.study_day)
            assert history.state.due == state.due
            if history.answers:  # the memory as the import's refresh computes it (fsrs-rs)
                got, want = history.state.memory, state.memory
                assert got.stability == pytest.approx(want.stability, rel=1e-5)
                assert got.difficulty == pytest.approx(want.difficulty, rel=1e-5)
                checked += 1
    assert checked > 300


def test_replay_batches_by_parameters(store):
    build(store)
    table = {"Maths": FittedParameters("Maths", LEARNER_PARAMETERS, now_at(), 1, 0, 0)}
    memories = {c: m for c, m, _ in replayed_memories(store.card_histories(), parameters_of(table))}
    for history in store.card_histories():
        if history.state.is_new:
            continue
        w = LEARNER_PARAMETERS if history.deck == "Maths" else fsrs.DEFAULT_PARAMETERS
        state = CardState()
        for a in history.answers:
            if a.kind in ("new", "review"):
                state = fsrs.FsrsScheduler(w).answer(state, a.grade, a.study_day)
        assert memories[history.card_id].stability == pytest.approx(
            state.memory.stability, rel=1e-4
        )


# ---------------------------------------------------------------- srs optimize


def test_optimize_fits_saves_and_then_keeps(learner):
    with Store.open(learner) as store:
        n = len(scorable(store.card_histories()))
    result = cli("optimize", db=learner)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Fitted FSRS to your collection on {n:,} reviews in ")
    assert lines[1].split() == ["log", "loss", "RMSE(bins)"]
    assert lines[2].split()[:3] == ["in", "use", "(default)"] and lines[3].split()[0] == "fitted"
    old, new = float(lines[2].split()[3]), float(lines[3].split()[1])
    assert new < old
    assert lines[-1].startswith("Saved the fitted parameters.")
    with Store.open(learner) as store:
        saved = store.fitted_parameters()[COLLECTION]
    assert saved.reviews == n and saved.log_loss == pytest.approx(new, abs=1e-4)
    assert saved.parameters != fsrs.DEFAULT_PARAMETERS
    # Fitted again on the same reviews: the same parameters, not better, so kept as they are.
    again = cli("optimize", db=learner)
    assert again.stdout.splitlines()[-1] == (
        "Kept the parameters in use: the fitted ones score no better."
    )
    assert "in use (collection)" in again.stdout


def test_optimize_a_deck_under_fsrs_recomputes_its_memories(learner):
    assert cli("config", "set", "scheduler", "fsrs", db=learner).exit_code == 0
    with Store.open(learner) as store:
        before = _states(store)
    result = cli("optimize", "--deck", "lang", db=learner)
    assert result.exit_code == 0, result.output
    assert "Fitted FSRS to Lang (and its sub-decks)" in result.stdout
    assert "recomputed the memory of 500 cards" in result.stdout
    with Store.open(learner) as store:
        fitted = store.fitted_parameters()
        assert set(fitted) == {"Lang"}
        after = _states(store)
        refresh_memories(store)  # the same replay again: nothing moves
        assert _states(store) == after
    assert all(after[c].due == s.due and after[c].sm2 == s.sm2 for c, s in before.items())
    assert any(after[c].memory != s.memory for c, s in before.items())


def test_optimize_with_too_few_reviews_says_how_many(store, db_path):
    build(store)
    n = len(scorable(store.card_histories()))
    store.close()
    proc = run_srs("optimize", "--db", str(db_path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (
        f"error: srs optimize needs at least 400 reviews to fit FSRS; your collection has {n}"
        " (first answers of a day to cards answered on an earlier day);"
        " keep studying over the coming days and run it again\n"
    )
    one_line_error(cli("optimize", "--deck", "Maths", db=db_path), "deck 'Maths' has")


# ---------------------------------------------------------------- stats and export under FSRS


def test_stats_under_fsrs(learner):
    assert cli("config", "set", "scheduler", "fsrs", db=learner).exit_code == 0
    result = cli("stats", "--json", db=learner)
    data = json.loads(result.stdout)["fsrs"]
    assert data["desired_retention"] == 0.9
    retention = json.loads(result.stdout)["retention"]
    true = data["true_retention"]
    assert true["reviews"] == retention["young"]["reviews"] + retention["mature"]["reviews"]
    assert true["passed"] == retention["young"]["passed"] + retention["mature"]["passed"]
    # Each card in the bucket its retrievability today falls in.
    with Store.open(learner) as store:
        expected = [0] * 7
        for h in store.card_histories():
            elapsed = (TODAY - h.state.last_review).days
            r = fsrs.retrievability(h.state.memory.stability, elapsed, fsrs.DEFAULT_PARAMETERS)
            expected[sum(r < edge for edge in (0.95, 0.9, 0.85, 0.8, 0.7, 0.5))] += 1
    assert [b["cards"] for b in data["retrievability"]] == expected
    assert [(b["from"], b["to"]) for b in data["retrievability"]][:2] == [(0.95, 1.0), (0.9, 0.95)]
    text = cli("stats", db=learner).stdout
    assert "True retention in the last 30 days  " in text and "(desired 90%" in text
    assert "Retrievability today" in text


@pytest.mark.parametrize("grade", [Grade.WRONG, Grade.HARD, Grade.GOOD, Grade.PERFECT])
def test_initial_difficulty_is_fsrs_s_after_a_first_answer(grade):
    parameters = (*fsrs.DEFAULT_PARAMETERS[:4], 7.0, 0.7, *fsrs.DEFAULT_PARAMETERS[6:])
    after = fsrs.FsrsScheduler(parameters).answer(CardState(), grade, TODAY)
    assert fsrs.initial_difficulty(fsrs.rating(grade), parameters) == pytest.approx(
        after.memory.difficulty
    )


def test_stats_under_fsrs_spread_and_rank_cards_by_difficulty(learner):
    """Under FSRS, `srs stats` speaks of difficulty, not of SM-2's EF: the scheduled cards'
    spread over it, and the hardest cards as the highest difficulty (less those with no
    lapse and no more difficulty than a first Good answer gives)."""
    assert cli("config", "set", "scheduler", "fsrs", db=learner).exit_code == 0
    data = json.loads(cli("stats", "--json", db=learner).stdout)
    with Store.open(learner) as store:
        scheduled = [
            (h.card_id, h.state)
            for h in store.card_histories()
            if h.state.due is not None and h.state.memory is not None
        ]
    difficulties = [state.memory.difficulty for _, state in scheduled]
    expected = [0] * 9
    for d in difficulties:
        expected[min(int(d), 9) - 1] += 1
    spread = data["fsrs"]["difficulty"]
    assert [b["cards"] for b in spread["buckets"]] == expected
    assert sum(expected) == len(scheduled) > 400 and len([n for n in expected if n]) > 2
    assert [(b["from"], b["to"]) for b in spread["buckets"]][::8] == [(1, 2), (9, 10)]
    assert spread["mean"] == pytest.approx(sum(difficulties) / len(difficulties), abs=0.006)
    first_good = fsrs.initial_difficulty(3, fsrs.DEFAULT_PARAMETERS)
    ranked = sorted(scheduled, key=lambda c: (-c[1].memory.difficulty, -c[1].lapses, c[0]))[:5]
    hard = [(i, s) for i, s in ranked if s.lapses or s.memory.difficulty > first_good]
    assert [(h["id"], h["difficulty"], h["lapses"]) for h in data["hardest"]] == [
        (i, round(s.memory.difficulty, 2), s.lapses) for i, s in hard
    ]
    assert hard
    text = cli("stats", db=learner).stdout
    assert "Difficulty spread  (mean " in text and "EF spread" not in text
    top = data["hardest"][0]
    assert f"#{top['id']:<5} D {top['difficulty']:4.1f}  lapses {top['lapses']:<3} " in text


def test_cards_answered_good_once_are_not_hardest_after_a_replay(store):
    """A memory replayed from the log (switching back to FSRS) must not make a card answered
    Good once look harder than a first Good answer leaves it."""
    from srs import stats

    store.import_questions([("D", "d.md", [basic(f"q {i}") for i in range(6)])], now_at())
    switch_scheduler(store, "fsrs")
    session = Session(store, TODAY, random.Random(0), settings=FSRS_SETTINGS)
    while (shown := session.next_card()) is not None:
        session.grade(shown, 4, now=now_at(), duration_ms=900)
    settings = store.settings()
    assert stats.gather(store, TODAY, settings, deck=None, days=7)["hardest"] == []
    switch_scheduler(store, "sm2")
    switch_scheduler(store, "fsrs")  # the memories replayed from the log
    assert stats.gather(store, TODAY, settings, deck=None, days=7)["hardest"] == []


def test_cards_under_fsrs_show_difficulty_in_place_of_ef(learner):
    assert cli("config", "set", "scheduler", "fsrs", db=learner).exit_code == 0
    listed = json.loads(cli("cards", "--json", db=learner).stdout)
    with Store.open(learner) as store:
        memories = {h.card_id: h.state.memory for h in store.card_histories()}
    assert len(listed) == len(memories) == 500
    for card in listed:
        memory = memories[card["id"]]
        assert (card["stability"], card["difficulty"]) == (
            round(memory.stability, 2),
            round(memory.difficulty, 2),
        )
    lines = cli("cards", db=learner).stdout.splitlines()
    assert lines[0].split()[:8] == ["id", "deck", "due", "ivl", "D", "reps", "laps", "state"]
    first = lines[1].split()
    assert first[4] == f"{memories[int(first[0])].difficulty:.1f}"
    assert cli("config", "set", "scheduler", "sm2", db=learner).exit_code == 0
    assert cli("cards", db=learner).stdout.split()[4] == "EF"


def test_the_cards_table_leaves_room_for_a_difficulty_of_ten():
    # The columns are sized on the first page; a "10.0" may come later in the stream.
    from srs.cli.tracking import _CardColumns

    page = [["1", "D", "2026-11-22", "3", "9.5", "1", "0", "young"]]
    layout = _CardColumns.fit(page, None, fsrs=True)
    late = layout.row(["2", "D", "2026-11-22", "3", "10.0", "1", "0", "young"], "q")
    assert layout.header().index(" D ") + 2 == late.index("10.0") + 4  # right edges meet


def test_retrievability_counts_of_one_deck_and_of_every_deck(store):
    """Every deck's cards are counted from a scan of the table, a deck's through its index:
    each count is the cards whose elapsed days per day of stability fall in its range."""
    build(store)
    store.set_suspended([1], True)
    switch_scheduler(store, "fsrs")
    ratios = [0.05, 0.2, 0.5, 1.0]
    expected: dict[int, list[int]] = {}
    names = {name: deck_id for deck_id, name in store.deck_names().items()}
    active = {row.id for row in store.list_cards(None) if not row.suspended}
    for h in store.card_histories():
        state = h.state
        if h.card_id not in active or state.due is None or not state.memory:
            continue
        x = max(0, (TODAY - state.last_review).days) / state.memory.stability
        counts = expected.setdefault(names[h.deck], [0] * (len(ratios) + 1))
        counts[next((i for i, r in enumerate(ratios) if x <= r), len(ratios))] += 1
    every = store.retrievability_counts(list(names.values()), TODAY, ratios)
    assert every == [sum(column) for column in zip(*expected.values(), strict=True)]
    for deck_id, counts in expected.items():
        assert store.retrievability_counts([deck_id], TODAY, ratios) == counts
    assert len(expected) == 2 and len([n for n in every if n]) >= 2
    assert sum(every) == len(active) - sum(1 for h in store.card_histories() if h.state.is_new)


def test_export_under_fsrs_carries_memory_into_an_fsrs_anki(learner, tmp_path):
    from anki_helpers import import_apkg, new_collection

    assert cli("config", "set", "scheduler", "fsrs", db=learner).exit_code == 0
    package = tmp_path / "p.apkg"
    result = cli("export", "--with-progress", "-o", str(package), db=learner)
    assert result.exit_code == 0, result.output
    col = new_collection(tmp_path / "fsrs.anki2")
    col.set_config("fsrs", True)
    import_apkg(col, package, with_scheduling=True)
    with Store.open(learner) as store:
        ours = {h.card_id: h.state for h in store.card_histories()}
        texts = {r.question: r.id for r in store.list_cards(None)}
    cards = [col.get_card(i) for i in col.find_cards("")]
    assert len(cards) == len(ours)
    for card in cards:
        state = ours[texts[card.note().fields[0]]]
        assert card.memory_state.stability == pytest.approx(state.memory.stability, abs=1e-3)
        assert card.memory_state.difficulty == pytest.approx(state.memory.difficulty, abs=2e-3)
        assert card.desired_retention == pytest.approx(0.9)
        assert card.decay == pytest.approx(fsrs.DEFAULT_PARAMETERS[20], abs=1e-3)
        assert card.ivl == (state.due - state.last_review).days
    # Under SM-2 the same export carries no memory state.
    assert cli("config", "set", "scheduler", "sm2", db=learner).exit_code == 0
    cli("export", "--with-progress", "-o", str(tmp_path / "sm2.apkg"), db=learner)
    col2 = new_collection(tmp_path / "sm2.anki2")
    import_apkg(col2, tmp_path / "sm2.apkg", with_scheduling=True)
    assert all(col2.get_card(i).memory_state is None for i in col2.find_cards(""))


def test_show_gives_the_memory_fsrs_keeps(db_path):
    with Store.open(db_path) as store:
        build(store)
    assert "FSRS memory" not in run_srs("show", "1", "--db", str(db_path)).stdout
    assert run_srs("config", "set", "scheduler", "fsrs", "--db", str(db_path)).returncode == 0
    with Store.open(db_path) as store:
        memory = store.card_state(1).memory
    assert memory is not None
    shown = run_srs("show", "1", "--db", str(db_path)).stdout
    assert f"FSRS memory: stability {memory.stability:.1f} days" in shown
    assert f"difficulty {memory.difficulty:.1f} (1-10)" in shown


def test_cards_and_show_give_the_interval_fsrs_set(db_path):
    with Store.open(db_path) as store:
        build(store, [])
        switch_scheduler(store, "fsrs")
        session = Session(store, TODAY, random.Random(0), settings=FSRS_SETTINGS)
        while (shown := session.next_card()) is not None:
            session.grade(shown, 5, now=now_at(), duration_ms=900)
        states = {c: store.card_state(c) for c in range(1, store.card_count() + 1)}
    # Easy on a new card: FSRS sets days apart from SM-2's first interval (1).
    card, state = next((c, s) for c, s in states.items() if s.due and s.memory)
    assert state.last_review is not None and state.due is not None
    chosen = (state.due - state.last_review).days
    assert chosen != state.sm2.interval
    (listed,) = [
        c for c in json.loads(cli("cards", "--json", db=db_path).stdout) if c["id"] == card
    ]
    assert listed["interval"] == chosen and listed["due"] == state.due.isoformat()
    shown = run_srs("show", str(card), "--db", str(db_path)).stdout
    assert f"  interval {chosen} (SM-2: {state.sm2.interval})  EF " in shown
    # Its answer in the history: the due date and the interval FSRS set with it.
    assert f"-> due {state.due}, interval {chosen}, EF " in shown
