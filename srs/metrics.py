"""How well predicted recall matches what happened: log loss, RMSE(bins), AUC, calibration,
and bootstrap intervals. Pure: arrays in, numbers out (numpy, imported with this module,
which only `srs evaluate` and `srs optimize` load).

The definitions follow srs-benchmark (and fsrs-rs, which computes the first two the same
way): log loss is the mean binary cross-entropy; RMSE(bins) groups reviews by elapsed days,
number of answers and lapses (``srs.history.Scorable.r_matrix_index``), and is the root of
the bins' squared differences between mean prediction and mean recall, weighted by their
sizes. Optional weights (fsrs-rs's recency weights) weight the loss and the bins' sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EPS = 1e-6  # predictions are clipped to [EPS, 1 - EPS]: a log loss stays finite
RESAMPLES = 1000
MAX_CLUSTERS = 1000  # cards are pooled into at most this many clusters for the bootstrap
AUC_LEVELS = 200  # prediction quantiles the bootstrap's AUC is counted on
# Edges of the predicted-recall bins of the calibration chart.
CALIBRATION_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)


def log_loss(p, y, weights=None) -> float:
    """Mean binary cross-entropy of predictions ``p`` for outcomes ``y`` (1 recalled)."""
    p, y = _clip(p), np.asarray(y, dtype=float)
    losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(np.average(losses, weights=weights))


def bin_codes(keys: Sequence) -> np.ndarray:
    """Dense integer codes (0..) for hashable bin keys."""
    codes: dict = {}
    return np.fromiter((codes.setdefault(k, len(codes)) for k in keys), dtype=np.int64)


def rmse_bins(p, y, bins, weights=None) -> float:
    """RMSE(bins): per bin, mean prediction against mean recall; the squared differences
    averaged with the bins' weights (their sizes, or their items' summed weights)."""
    p, y, bins = np.asarray(p, dtype=float), np.asarray(y, dtype=float), np.asarray(bins)
    w = np.ones_like(p) if weights is None else np.asarray(weights, dtype=float)
    n = np.bincount(bins)
    present = n > 0
    mean_p = np.bincount(bins, weights=p)[present] / n[present]
    mean_y = np.bincount(bins, weights=y)[present] / n[present]
    bin_w = np.bincount(bins, weights=w)[present]
    return float(np.sqrt(np.sum((mean_p - mean_y) ** 2 * bin_w) / np.sum(bin_w)))


def _ranks(p: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``p``, ties given their average rank."""
    values, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average = ends - (counts - 1) / 2
    return average[inverse]


def auc(p, y) -> float | None:
    """Area under the ROC curve (the chance that a recalled review was predicted higher than
    a forgotten one, ties counting half); None when every review had the same outcome."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    rank_sum = float(_ranks(p)[y].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    reviews: int
    predicted: float  # mean prediction
    observed: float  # share recalled


def calibration(p, y, edges: Sequence[float] = CALIBRATION_EDGES) -> list[CalibrationBin]:
    """Predicted against observed recall, by bins of predicted recall (empty bins left out)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    found = []
    for i in range(len(edges) - 1):
        mask = index == i
        n = int(mask.sum())
        if n:
            found.append(
                CalibrationBin(
                    edges[i], edges[i + 1], n, float(p[mask].mean()), float(y[mask].mean())
                )
            )
    return found


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True)
class Bootstrap:
    """95% intervals of one predictor's metrics."""

    log_loss: Interval
    rmse_bins: Interval
    auc: Interval | None


def clusters_of(cards: Sequence[int]) -> np.ndarray:
    """Cluster numbers for the bootstrap: reviews of one card stay together (they are not
    independent), and cards are pooled into at most MAX_CLUSTERS clusters."""
    codes = bin_codes(cards)
    return codes % MAX_CLUSTERS


def bootstrap(
    predictions: dict[str, np.ndarray],
    y,
    bins,
    clusters,
    seed: int,
    resamples: int = RESAMPLES,
) -> dict[str, Bootstrap]:
    """95% percentile intervals of each predictor's log loss, RMSE(bins) and AUC, from
    ``resamples`` resamples of whole clusters of cards (with replacement), drawn by a
    generator seeded with ``seed`` (the caller's randomness, passed in).

    Every metric is a function of per-cluster sums, so a resample is a matrix product:
    counts of each cluster drawn (resamples x clusters) times each cluster's sums. AUC is
    counted on AUC_LEVELS quantiles of the predictions, and its interval shifted by the
    difference between the exact AUC and the one counted on quantiles. Each interval is
    centred on its estimate (see ``_interval``).
    """
    y = np.asarray(y, dtype=float)
    bins, clusters = np.asarray(bins), np.asarray(clusters)
    groups = int(clusters.max()) + 1
    generator = np.random.default_rng(seed)
    draws = generator.multinomial(groups, np.full(groups, 1 / groups), size=resamples).astype(float)
    n_bins = int(bins.max()) + 1
    cell = clusters * n_bins + bins

    def per_cluster(values, codes, width) -> np.ndarray:
        sums = np.bincount(codes, weights=values, minlength=groups * width)
        return sums.reshape(groups, width)

    count = draws @ per_cluster(np.ones_like(y), clusters, 1)[:, 0]
    bin_n = draws @ per_cluster(np.ones_like(y), cell, n_bins)
    bin_y = draws @ per_cluster(y, cell, n_bins)
    recalled = y > 0.5
    out = {}
    for name, p in predictions.items():
        p = _clip(p)
        losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        loss = (draws @ per_cluster(losses, clusters, 1)[:, 0]) / count
        bin_p = draws @ per_cluster(p, cell, n_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            squared = np.where(bin_n > 0, (bin_p - bin_y) ** 2 / bin_n, 0.0)
        rmse = np.sqrt(squared.sum(axis=1) / bin_n.sum(axis=1))
        exact = auc(p, y)
        auc_interval = None
        if exact is not None:
            _, dense = np.unique(p, return_inverse=True)
            level = dense * AUC_LEVELS // (int(dense.max()) + 1)
            cell_level = clusters * AUC_LEVELS + level
            pos = draws @ per_cluster(recalled.astype(float), cell_level, AUC_LEVELS)
            neg = draws @ per_cluster((~recalled).astype(float), cell_level, AUC_LEVELS)
            below = np.cumsum(neg, axis=1) - neg
            with np.errstate(invalid="ignore", divide="ignore"):
                counted = (pos * (below + neg / 2)).sum(axis=1) / (
                    pos.sum(axis=1) * neg.sum(axis=1)
                )
            full_pos = np.bincount(level[recalled], minlength=AUC_LEVELS).astype(float)
            full_neg = np.bincount(level[~recalled], minlength=AUC_LEVELS).astype(float)
            full_below = np.cumsum(full_neg) - full_neg
            full = (full_pos * (full_below + full_neg / 2)).sum() / (
                full_pos.sum() * full_neg.sum()
            )
            counted = counted[np.isfinite(counted)]
            if counted.size:
                auc_interval = _interval(counted, full)
        out[name] = Bootstrap(
            _interval(loss, log_loss(p, y)),
            _interval(rmse, rmse_bins(p, y, bins)),
            None if auc_interval is None else _shift(auc_interval, exact - full),
        )
    return out


def _interval(values: np.ndarray, estimate: float) -> Interval:
    """The 2.5th to 97.5th percentile of the resampled values, moved by the resamples'
    median bias (RMSE(bins) of a resample with repeated reviews runs high), so that the
    interval is around the estimate."""
    low, median, high = np.percentile(values, [2.5, 50, 97.5])
    shift = estimate - median
    return Interval(max(0.0, float(low + shift)), float(high + shift))


def _shift(interval: Interval, by: float) -> Interval:
    return Interval(interval.low + by, interval.high + by)
