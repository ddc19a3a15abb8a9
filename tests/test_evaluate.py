"""`srs evaluate` and its metrics: checked against fsrs-rs's own evaluation on the same log,
against brute force, and on a simulated learner whose memory is known."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random

import fsrs_rs_python as rs
import numpy as np
import pytest
from helpers import basic, cli, one_line_error, run_srs, simulate_learner

from srs import evaluate, metrics
from srs.fsrs import DEFAULT_PARAMETERS
from srs.history import fsrs_items, runs_of, scorable
from srs.records import CardHistory, CardState, LoggedAnswer
from srs.store import Store


@pytest.fixture(scope="module")
def learner_reviews(learner_db):
    with Store.open(learner_db) as store:
        return scorable(list(store.card_histories()))


# ---------------------------------------------------------------- against fsrs-rs


def test_metrics_agree_with_fsrs_rs_evaluate(learner_reviews):
    """fsrs-rs's `evaluate` scores parameters on items with recency weights: the same
    predictions, weights and bins give the same log loss and RMSE(bins)."""
    reviews = learner_reviews
    items = fsrs_items(reviews)
    y = [r.step.recalled for r in reviews]
    bins = metrics.bin_codes(r.r_matrix_index() for r in reviews)
    n = len(reviews)
    weights = [0.25 + 0.75 * (i / (n - 1)) ** 3 for i in range(n)]  # fsrs-rs's recency weights
    for parameters in (DEFAULT_PARAMETERS, evaluate.fit(items)):
        theirs = rs.FSRS(list(parameters)).evaluate(items)
        p = evaluate.fsrs_predictions(reviews, parameters)
        assert metrics.log_loss(p, y, weights) == pytest.approx(theirs.log_loss, abs=1e-3)
        assert metrics.rmse_bins(p, y, bins, weights) == pytest.approx(theirs.rmse_bins, abs=1e-3)


def test_fitted_predictor_agrees_with_fsrs_rs_time_series_splits(learner_reviews):
    """The fitted predictor is fsrs-rs's `evaluate_with_time_series_splits`, reproduced:
    same splits (no two reviews share a moment here), same fits, same metrics."""
    reviews = learner_reviews
    assert len({r.at for r in reviews}) == len(reviews)
    theirs = rs.evaluate_with_time_series_splits(fsrs_items(reviews), enable_short_term=False)
    starts = evaluate.fold_starts(reviews)
    assert starts == [k * (len(reviews) // 6) for k in range(1, 6)]
    p, _ = evaluate.fitted_predictions(reviews, starts)
    scored = reviews[starts[0] :]
    y = [r.step.recalled for r in scored]
    bins = metrics.bin_codes(r.r_matrix_index() for r in scored)
    assert metrics.log_loss(p, y) == pytest.approx(theirs.log_loss, abs=1e-3)
    assert metrics.rmse_bins(p, y, bins) == pytest.approx(theirs.rmse_bins, abs=1e-3)


# ---------------------------------------------------------------- the metrics by hand


def test_log_loss_and_rmse_bins_by_hand():
    p, y = [0.9, 0.8, 0.6, 0.3], [1, 0, 1, 0]
    expected = -(np.log(0.9) + np.log(0.2) + np.log(0.6) + np.log(0.7)) / 4
    assert metrics.log_loss(p, y) == pytest.approx(expected)
    # Bins {0, 1} and {2, 3}: means (0.85, 0.5) and (0.45, 0.5), two reviews each.
    expected = np.sqrt((2 * 0.35**2 + 2 * 0.05**2) / 4)
    assert metrics.rmse_bins(p, y, [0, 0, 1, 1]) == pytest.approx(expected)
    # Weighted bins: bin 0 weighs 3, bin 1 weighs 1; means stay unweighted (as fsrs-rs).
    expected = np.sqrt((3 * 0.35**2 + 1 * 0.05**2) / 4)
    assert metrics.rmse_bins(p, y, [0, 0, 1, 1], [1, 2, 0.5, 0.5]) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_auc_is_the_share_of_rightly_ordered_pairs(seed):
    rng = random.Random(seed)
    p = [rng.choice([0.2, 0.5, 0.7, 0.9, rng.random()]) for _ in range(60)]  # with ties
    y = [rng.random() < q for q in p]
    pairs = [(a, b) for a, b in itertools.product(range(60), repeat=2) if y[a] and not y[b]]
    brute = sum(1 if p[a] > p[b] else 0.5 if p[a] == p[b] else 0 for a, b in pairs) / len(pairs)
    assert metrics.auc(p, y) == pytest.approx(brute)
    assert metrics.auc(p, [True] * 60) is None


def test_calibration_bins():
    bins = metrics.calibration([0.3, 0.55, 0.58, 0.97, 1.0], [0, 1, 0, 1, 1])
    assert [(b.low, b.high, b.reviews) for b in bins] == [
        (0.0, 0.5, 1),
        (0.5, 0.6, 2),
        (0.95, 1.0, 2),
    ]
    assert bins[1].predicted == pytest.approx(0.565) and bins[1].observed == 0.5


def test_bootstrap_is_seeded_and_around_the_estimates(learner_reviews):
    reviews = learner_reviews[:800]
    y = np.array([r.step.recalled for r in reviews], dtype=float)
    bins = metrics.bin_codes(r.r_matrix_index() for r in reviews)
    clusters = metrics.clusters_of([r.card_id for r in reviews])
    p = {
        "a": evaluate.sm2_predictions(reviews),
        "b": evaluate.fsrs_predictions(reviews, DEFAULT_PARAMETERS),
    }
    once = metrics.bootstrap(p, y, bins, clusters, 3, resamples=300)
    assert once == metrics.bootstrap(p, y, bins, clusters, 3, resamples=300)
    for name, intervals in once.items():
        assert intervals.log_loss.low < metrics.log_loss(p[name], y) < intervals.log_loss.high
        assert (
            intervals.rmse_bins.low < metrics.rmse_bins(p[name], y, bins) < intervals.rmse_bins.high
        )
        assert intervals.auc.low < metrics.auc(p[name], y) < intervals.auc.high
        assert intervals.log_loss.high - intervals.log_loss.low < 0.2


# ---------------------------------------------------------------- what is scored


def _answer(i: int, day: int, kind: str, grade: int, interval: int = 1) -> LoggedAnswer:
    study_day = dt.date(2026, 1, 1) + dt.timedelta(days=day)
    return LoggedAnswer(i, f"{study_day}T09:00:{i:02d}.000Z", study_day, kind, grade, interval)


def test_only_first_of_day_answers_after_a_cards_first_are_scored():
    history = CardHistory(
        1,
        "D",
        CardState(),
        (
            _answer(1, 0, "new", 1),
            _answer(2, 0, "repeat", 4),  # same day: not fed, not scored
            _answer(3, 1, "review", 4),
            _answer(4, 3, "cram", 1),  # not in a history (the store leaves cram out) ...
            _answer(5, 7, "review", 2, interval=6),
            _answer(6, 7, "repeat", 4),
            _answer(7, 9, "new", 5),  # a reset: a new run starts
            _answer(8, 12, "review", 4),
        ),
    )
    runs = runs_of(history)
    assert [[(s.rating, s.elapsed) for s in run.steps] for run in runs] == [
        [(1, 0), (3, 1), (1, 6)],
        [(4, 0), (3, 3)],
    ]
    reviews = scorable([history])
    assert [r.review_id for r in reviews] == [3, 5, 8]
    assert [r.step.interval for r in reviews] == [1, 6, 1]
    # The bins of RMSE(bins): elapsed days, answers so far, lapses before.
    assert reviews[1].r_matrix_index() == (round(2.48 * 3.62 * 100), round(1.99 * 1.89), 0)


def test_fold_starts_never_split_a_moment():
    class Review:
        def __init__(self, at: str) -> None:
            self.at = at

    reviews = [Review(f"t{i // 4:03d}") for i in range(60)]  # four reviews a moment
    starts = evaluate.fold_starts(reviews)
    assert starts == [12, 20, 32, 40, 52]
    for s in starts:
        assert reviews[s - 1].at < reviews[s].at


# ---------------------------------------------------------------- the command


def test_simulated_learner_fitted_fsrs_beats_sm2_and_the_defaults(learner):
    proc = run_srs("evaluate", "--json", "--db", str(learner))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # more than 400 reviews: no warning
    data = json.loads(proc.stdout)
    by = {p["name"]: p for p in data["predictors"]}
    sm2, default, fitted = by["sm2"], by["fsrs_default"], by["fsrs_fitted"]
    # Fitted FSRS beats SM-2 on log loss, and their intervals do not overlap.
    assert fitted["log_loss_95"][1] < sm2["log_loss_95"][0]
    # The fitted parameters predict better than the defaults.
    assert fitted["log_loss"] < default["log_loss"]
    assert fitted["rmse_bins"] < sm2["rmse_bins"]
    assert data["splits"] == 5 and data["rough"] is False
    assert data["reviews"]["scored"] == fitted["reviews"] == sm2["reviews"]
    assert (
        data["reviews"]["scored"] == data["reviews"]["scorable"] - data["reviews"]["scorable"] // 6
    )
    assert data["verdict"].startswith(
        f"On the {data['reviews']['scored']:,} reviews scored, FSRS predicts"
    )
    assert "`srs config set scheduler fsrs` to switch" in data["verdict"]
    for p in by.values():
        lo, hi = p["log_loss_95"]
        assert lo < p["log_loss"] < hi
        assert sum(b["reviews"] for b in p["calibration"]) == p["reviews"]


def test_terminal_report_has_the_table_the_chart_and_the_verdict(learner):
    result = cli("evaluate", db=learner)
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0].startswith("Scored ") and "(5 time-series splits" in out[0]
    for label in ("SM-2", "FSRS default", "FSRS fitted"):
        assert any(line.startswith(f"  {label} ") for line in out)
    assert any("Calibration" in line for line in out)
    assert sum("▕" in line for line in out) >= 6  # bins of predicted recall, three predictors
    # The verdict, wrapped like the rest, after the chart's blank line.
    verdict = out[len(out) - out[::-1].index("") :]
    assert all(len(line) <= 80 for line in verdict) and len(verdict) > 1
    assert " ".join(verdict).startswith("On the ") and "FSRS predicts your recall" in verdict[0]


def test_deck_option_scores_that_deck(learner):
    with Store.open(learner) as store:
        store.import_questions(
            [("Other", "o.md", [basic("q")])], dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    result = cli("evaluate", "--deck", "Other", db=learner)
    one_line_error(result, "deck 'Other' has 0 (a scorable review")
    one_line_error(cli("evaluate", "--deck", "Nope", db=learner), "no deck named 'Nope'")
    assert cli("evaluate", "--deck", "lang::sim", "--json", db=learner).exit_code == 0


def test_too_few_reviews_is_refused_and_few_are_rough(db_path):
    with Store.open(db_path) as store:
        simulate_learner(store, cards=8, seed=2)
        n = len(scorable(store.card_histories()))
    assert n < evaluate.MIN_REVIEWS
    proc = run_srs("evaluate", "--db", str(db_path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == proc.stderr.strip().splitlines()[0]  # one line
    assert f"needs at least 100 scorable reviews; your collection has {n} " in proc.stderr
    assert proc.stderr.endswith("; keep studying over the coming days and run it again\n")
    with Store.open(db_path) as store:
        simulate_learner(store, cards=25, seed=3, deck="More")
        n = len(scorable(store.card_histories()))
    assert evaluate.MIN_REVIEWS <= n < evaluate.ROUGH_BELOW
    proc = run_srs("evaluate", "--json", "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stderr
        == f"warning: only {n:,} scorable reviews (fewer than 400); the figures are rough\n"
    )
    assert json.loads(proc.stdout)["rough"] is True


def test_verdicts():
    def score(name: str, loss: float, low: float, high: float) -> evaluate.Score:
        interval = metrics.Interval(low, high)
        return evaluate.Score(
            name, name, 500, loss, 0.05, 0.7, metrics.Bootstrap(interval, interval, None), []
        )

    def verdict(scheduler: str, sm2, default, fitted) -> str:
        e = evaluate.Evaluation(None, scheduler, 600, 500, 5, [sm2, default, fitted], "")
        return evaluate.verdict(e)

    sm2 = score("sm2", 0.52, 0.50, 0.54)
    default, fitted = (
        score("fsrs_default", 0.35, 0.33, 0.37),
        score("fsrs_fitted", 0.31, 0.29, 0.33),
    )
    assert verdict("sm2", sm2, default, fitted) == (
        "On the 500 reviews scored, FSRS predicts your recall better: log loss 0.31 vs 0.52;"
        " `srs config set scheduler fsrs` to switch, then `srs optimize` to fit it to you."
    )
    assert verdict("fsrs", sm2, default, fitted).endswith(
        "0.31 vs 0.52; you use it already; `srs optimize` fits it to you."
    )
    better_default = score("fsrs_default", 0.31, 0.29, 0.33)
    worse_fitted = score("fsrs_fitted", 0.35, 0.33, 0.37)
    assert verdict("fsrs", sm2, better_default, worse_fitted).endswith(
        "0.31 vs 0.52; you use it already."
    )
    assert verdict("sm2", sm2, better_default, worse_fitted).endswith(
        "`srs config set scheduler fsrs` to switch."
    )
    good_sm2 = score("sm2", 0.2, 0.18, 0.22)
    assert verdict("fsrs", good_sm2, default, fitted) == (
        "On the 500 reviews scored, SM-2 predicts your recall better: log loss 0.20 vs 0.31;"
        " `srs config set scheduler sm2` to switch back."
    )
    assert verdict("sm2", good_sm2, default, fitted).endswith("; keep SM-2.")
    close = score("fsrs_default", 0.51, 0.49, 0.53), score("fsrs_fitted", 0.51, 0.49, 0.53)
    assert "neither SM-2 nor FSRS predicts your recall clearly better" in verdict(
        "sm2", sm2, *close
    )


def test_the_fit_uses_no_later_review(learner_reviews):
    """Each part is predicted by parameters fitted on exactly the reviews before it."""
    reviews = learner_reviews[:1200]
    starts = evaluate.fold_starts(reviews)
    _, fitted = evaluate.fitted_predictions(reviews, starts)
    items = fsrs_items(reviews)
    assert fitted[2] == evaluate.fit(items[: starts[2]])
    assert fitted[2] != evaluate.fit(items[: starts[2] + 100])
