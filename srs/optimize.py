"""`srs optimize`: FSRS parameters fitted on the user's review log, for the collection or a
deck, compared with the parameters in use and kept only if they score better."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from srs import metrics
from srs.errors import SrsError
from srs.evaluate import fit, fsrs_predictions
from srs.fsrs import DEFAULT_PARAMETERS, FsrsScheduler
from srs.history import RunItems, Scorable, fsrs_items, scorable
from srs.records import COLLECTION, CardHistory, FittedParameters, parameters_for

MIN_REVIEWS = 400  # as Anki's optimizer


@dataclass(frozen=True)
class Scores:
    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Fitting:
    """A fit: the parameters in use and their scores, the new ones and theirs."""

    deck: str  # COLLECTION ('') or a deck name
    reviews: int
    old: tuple[float, ...]
    old_source: str  # "default", "collection", or the deck whose parameters were in use
    old_scores: Scores
    new: FittedParameters
    usable: bool  # the new parameters are valid for the scheduler

    @property
    def better(self) -> bool:
        """Whether to keep the new parameters: usable and a lower log loss."""
        return self.usable and self.new.log_loss < self.old_scores.log_loss


def scores(
    reviews: list[Scorable], parameters: tuple[float, ...], made: RunItems | None = None
) -> Scores:
    y = np.array([r.recalled for r in reviews], dtype=float)
    p = fsrs_predictions(reviews, parameters, made)
    bins = metrics.bin_codes(r.bin for r in reviews)
    return Scores(metrics.log_loss(p, y), metrics.rmse_bins(p, y, bins))


def optimize(
    histories: Iterable[CardHistory],
    *,
    deck: str,
    fitted: dict[str, FittedParameters],
    now: dt.datetime,
) -> Fitting:
    """Fit parameters for ``deck`` (COLLECTION for all) on its histories; both parameter
    sets are scored on every scorable review (log loss decides). SrsError below
    MIN_REVIEWS."""
    reviews = scorable(histories)
    if len(reviews) < MIN_REVIEWS:
        where = f"deck {deck!r}" if deck != COLLECTION else "your collection"
        raise SrsError(
            f"srs optimize needs at least {MIN_REVIEWS} reviews to fit FSRS; {where} has"
            f" {len(reviews)} (first answers of a day to cards answered on an earlier day);"
            " keep studying over the coming days and run it again"
        )
    in_use = parameters_for(deck, fitted) if deck != COLLECTION else fitted.get(COLLECTION)
    old = in_use.parameters if in_use else DEFAULT_PARAMETERS
    source = "default" if in_use is None else (in_use.deck or "collection")
    made = RunItems()
    new = fit(fsrs_items(reviews, made), fallback=old)
    try:
        FsrsScheduler(new)
        usable = True
    except SrsError:
        usable = False
    new_scores = scores(reviews, new, made) if usable else Scores(float("inf"), float("inf"))
    return Fitting(
        deck=deck,
        reviews=len(reviews),
        old=old,
        old_source=source,
        old_scores=scores(reviews, old, made),
        new=FittedParameters(
            deck, new, now, len(reviews), new_scores.log_loss, new_scores.rmse_bins
        ),
        usable=usable,
    )
