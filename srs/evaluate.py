"""`srs evaluate`: which scheduler predicts *your* recall better, scored on your review log.

Three predictors of each scorable review (a first-of-day answer to a card answered before:
not a card's first answer, not a same-day repeat, not cram):

- SM-2: retrievability ``0.9 ** (t / I)``, with ``t`` the days since the card's last review
  and ``I`` the interval SM-2 had set (as srs-benchmark scores SM-2);
- FSRS with its default parameters;
- FSRS fitted on your own reviews by a time-series split: the reviews, in the order they
  were given, are cut into SPLITS + 1 parts; the reviews of part k+1 are predicted by
  parameters fitted on parts 1..k (every one of them given strictly earlier), as
  srs-benchmark and fsrs-rs's ``evaluate_with_time_series_splits`` do. The first part only
  trains, so all three are scored on the reviews after it.

Metrics (:mod:`srs.metrics`): log loss, RMSE(bins), AUC, each with a 95% bootstrap interval
over cards, and a calibration table. Pure but for the fitting, which fsrs-rs does.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from srs import metrics
from srs.errors import SrsError
from srs.fsrs import DEFAULT_PARAMETERS
from srs.history import RunItems, Scorable, fsrs_items, scorable, stabilities_before
from srs.records import CardHistory

MIN_REVIEWS = 100  # fewer scorable reviews: refuse
ROUGH_BELOW = 400  # fewer: the figures are rough
SPLITS = 5


@dataclass(frozen=True)
class Score:
    """One predictor's scores on the scored reviews."""

    name: str  # "sm2", "fsrs_default", "fsrs_fitted"
    label: str
    reviews: int
    log_loss: float
    rmse_bins: float
    auc: float | None
    intervals: metrics.Bootstrap
    calibration: list[metrics.CalibrationBin]


@dataclass(frozen=True)
class Evaluation:
    deck: str | None
    scheduler: str  # the one in use
    scorable: int
    scored: int
    splits: int
    scores: list[Score]
    verdict: str

    @property
    def rough(self) -> bool:
        return self.scorable < ROUGH_BELOW

    def score(self, name: str) -> Score:
        return next(s for s in self.scores if s.name == name)

    def to_json(self) -> dict[str, Any]:
        def interval(i: metrics.Interval | None) -> list[float] | None:
            return None if i is None else [round(i.low, 6), round(i.high, 6)]

        return {
            "deck": self.deck,
            "scheduler": self.scheduler,
            "reviews": {"scorable": self.scorable, "scored": self.scored},
            "splits": self.splits,
            "rough": self.rough,
            "predictors": [
                {
                    "name": s.name,
                    "label": s.label,
                    "reviews": s.reviews,
                    "log_loss": round(s.log_loss, 6),
                    "log_loss_95": interval(s.intervals.log_loss),
                    "rmse_bins": round(s.rmse_bins, 6),
                    "rmse_bins_95": interval(s.intervals.rmse_bins),
                    "auc": None if s.auc is None else round(s.auc, 6),
                    "auc_95": interval(s.intervals.auc),
                    "calibration": [
                        {
                            "from": b.low,
                            "to": b.high,
                            "reviews": b.reviews,
                            "predicted": round(b.predicted, 6),
                            "observed": round(b.observed, 6),
                        }
                        for b in s.calibration
                    ],
                }
                for s in self.scores
            ],
            "verdict": self.verdict,
        }


# ---------------------------------------------------------------- predictions


def sm2_predictions(reviews: Sequence[Scorable]) -> np.ndarray:
    """SM-2's retrievability: 0.9 ** (elapsed days / the interval it set)."""
    elapsed = np.array([r.elapsed for r in reviews], dtype=float)
    interval = np.array([max(1, r.interval) for r in reviews], dtype=float)
    return 0.9 ** (elapsed / interval)


def fsrs_predictions(
    reviews: Sequence[Scorable], parameters: Sequence[float], made: RunItems | None = None
) -> np.ndarray:
    """FSRS's retrievability of each review, from the memory state before it."""
    stability = np.array(stabilities_before(reviews, parameters, made), dtype=float)
    elapsed = np.array([r.elapsed for r in reviews], dtype=float)
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * elapsed / stability) ** -decay


def fit(items: list, fallback: Sequence[float] = DEFAULT_PARAMETERS) -> tuple[float, ...]:
    """FSRS parameters fitted by fsrs-rs on training items (see srs.history.fsrs_items)."""
    from fsrs_rs_python import FSRS

    try:
        return tuple(
            FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items, enable_short_term=False)
        )
    except ValueError:  # fsrs-rs found the items unusable: not enough to fit on
        return tuple(fallback)


def fold_starts(reviews: Sequence[Scorable], splits: int = SPLITS) -> list[int]:
    """Where each test part starts. Parts are equal in size, as in fsrs-rs and scikit-learn,
    but a start moves past reviews given at the same moment as the one before it, so that
    every training review was given strictly earlier than every review it predicts."""
    n = len(reviews)
    size = n // (splits + 1)
    starts = []
    for k in range(1, splits + 1):
        start = k * size
        while 0 < start < n and reviews[start].at == reviews[start - 1].at:
            start += 1
        starts.append(start)
    return starts


def fitted_predictions(
    reviews: Sequence[Scorable], starts: Sequence[int], made: RunItems | None = None
) -> tuple[np.ndarray, list[tuple[float, ...]]]:
    """Predictions of reviews[starts[0]:], each part by parameters fitted on the reviews
    before it; with the parameters of every part."""
    made = made or RunItems()
    items = fsrs_items(reviews[: starts[-1]], made)
    parts = []
    fitted = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(reviews)
        parameters = fit(items[:start])
        fitted.append(parameters)
        if end > start:
            parts.append(fsrs_predictions(reviews[start:end], parameters, made))
    return np.concatenate(parts) if parts else np.zeros(0), fitted


# ---------------------------------------------------------------- evaluating


def score_all(
    reviews: Sequence[Scorable], predictions: dict[str, np.ndarray], rng: random.Random
) -> dict[str, tuple[float, float, float | None, metrics.Bootstrap]]:
    """Each predictor's log loss, RMSE(bins), AUC and their bootstrap intervals."""
    y = np.array([r.recalled for r in reviews], dtype=float)
    bins = metrics.bin_codes(r.bin for r in reviews)
    clusters = metrics.clusters_of([r.card_id for r in reviews])
    intervals = metrics.bootstrap(predictions, y, bins, clusters, rng.getrandbits(64))
    return {
        name: (
            metrics.log_loss(p, y),
            metrics.rmse_bins(p, y, bins),
            metrics.auc(p, y),
            intervals[name],
        )
        for name, p in predictions.items()
    }


LABELS = {"sm2": "SM-2", "fsrs_default": "FSRS default", "fsrs_fitted": "FSRS fitted"}


def evaluate(
    histories: Iterable[CardHistory],
    *,
    deck: str | None,
    scheduler: str,
    rng: random.Random,
    splits: int = SPLITS,
) -> Evaluation:
    """Score SM-2, default FSRS and fitted FSRS on the review log; SrsError below
    MIN_REVIEWS scorable reviews."""
    reviews = scorable(histories)
    if len(reviews) < MIN_REVIEWS:
        where = f"deck {deck!r}" if deck else "your collection"
        raise SrsError(
            f"srs evaluate needs at least {MIN_REVIEWS} scorable reviews; {where} has"
            f" {len(reviews)} (a scorable review is the first answer of a day to a card"
            " answered on an earlier day: not a card's first answer, not a same-day repeat,"
            " not cram); keep studying over the coming days and run it again"
        )
    starts = fold_starts(reviews, splits)
    made = RunItems()
    fitted, _ = fitted_predictions(reviews, starts, made)
    scored = reviews[starts[0] :]
    predictions = {
        "sm2": sm2_predictions(scored),
        "fsrs_default": fsrs_predictions(scored, DEFAULT_PARAMETERS, made),
        "fsrs_fitted": fitted,
    }
    y = np.array([r.recalled for r in scored], dtype=float)
    results = score_all(scored, predictions, rng)
    scores = [
        Score(
            name,
            LABELS[name],
            len(scored),
            loss,
            rmse,
            area,
            intervals,
            metrics.calibration(predictions[name], y),
        )
        for name, (loss, rmse, area, intervals) in results.items()
    ]
    evaluation = Evaluation(deck, scheduler, len(reviews), len(scored), splits, scores, "")
    return Evaluation(
        deck, scheduler, len(reviews), len(scored), splits, scores, verdict(evaluation)
    )


def verdict(e: Evaluation) -> str:
    """One line a person can act on."""
    sm2 = e.score("sm2")
    default, fitted = e.score("fsrs_default"), e.score("fsrs_fitted")
    fsrs = fitted if fitted.log_loss < default.log_loss else default
    n = f"On the {e.scored:,} reviews scored,"
    figures = f"log loss {fsrs.log_loss:.2f} vs {sm2.log_loss:.2f}"
    optimize = fsrs is fitted
    if fsrs.intervals.log_loss.overlaps(sm2.intervals.log_loss):
        return (
            f"{n} neither SM-2 nor FSRS predicts your recall clearly better"
            f" (log loss {sm2.log_loss:.2f} vs {fsrs.log_loss:.2f}, the intervals overlap);"
            " evaluate again after more reviews."
        )
    if fsrs.log_loss < sm2.log_loss:
        if e.scheduler == "fsrs":
            act = "you use it already" + ("; `srs optimize` fits it to you" if optimize else "")
        else:
            act = "`srs config set scheduler fsrs` to switch" + (
                ", then `srs optimize` to fit it to you" if optimize else ""
            )
        return f"{n} FSRS predicts your recall better: {figures}; {act}."
    act = "keep SM-2" if e.scheduler == "sm2" else "`srs config set scheduler sm2` to switch back"
    return (
        f"{n} SM-2 predicts your recall better: log loss {sm2.log_loss:.2f} vs"
        f" {fsrs.log_loss:.2f}; {act}."
    )
