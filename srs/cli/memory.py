"""The FSRS commands: optimize (fit parameters) and evaluate (SM-2 against FSRS)."""

from __future__ import annotations

import json
import random
import textwrap
import time
from typing import Annotated

import typer

from srs.cli import options
from srs.cli.options import DbOption, DeckOption, plural
from srs.runtime import err, open_store, today_of


def register(app: typer.Typer) -> None:
    app.command()(optimize)
    app.command()(evaluate)


def _deck_name(store, deck: str) -> str:
    """The deck's name as created (``lang`` -> ``Lang``), also for a parent that is only a
    prefix of its sub-decks' names (``Lang`` of ``Lang::French``)."""
    wanted = deck.strip()
    for i in store.deck_ids(deck):  # an unknown deck is refused here
        name = store.deck_names()[i]
        if name.casefold() == wanted.casefold() or name.casefold().startswith(
            wanted.casefold() + "::"
        ):
            return name[: len(wanted)]
    return wanted


def optimize(deck: DeckOption = None, db: DbOption = None) -> None:
    """Fit FSRS's parameters to your own reviews.

    For all decks, or a deck and its sub-decks; the new parameters are kept only if they
    predict your reviews better than the ones in use.
    """
    from srs import memory
    from srs import optimize as fitting
    from srs.records import COLLECTION

    started = time.perf_counter()
    with open_store(db) as store:
        today = today_of(store)
        scope = COLLECTION if deck is None else _deck_name(store, deck)
        result = fitting.optimize(
            store.card_histories(deck),
            deck=scope,
            fitted=store.fitted_parameters(),
            now=today.now,
        )
        refreshed = None
        if result.better:
            with store.atomic():
                store.save_fitted_parameters(result.new)
                if today.settings.scheduler == "fsrs":
                    refreshed = memory.refresh_memories(store, deck)
    where = "your collection" if deck is None else f"{scope} (and its sub-decks)"
    took = time.perf_counter() - started
    print(f"Fitted FSRS to {where} on {result.reviews:,} reviews in {took:.1f} s.")
    label = f"in use ({result.old_source})"
    width = max(len(label), len("fitted"))
    print(f"  {'':<{width}}  {'log loss':>8}  {'RMSE(bins)':>10}")
    old, new = result.old_scores, result.new
    print(f"  {label:<{width}}  {old.log_loss:>8.4f}  {old.rmse_bins:>10.4f}")
    if result.usable:
        print(f"  {'fitted':<{width}}  {new.log_loss:>8.4f}  {new.rmse_bins:>10.4f}")
    if not result.better:
        why = "score no better" if result.usable else "are out of FSRS's bounds"
        print(f"Kept the parameters in use: the fitted ones {why}.")
        return
    line = "Saved the fitted parameters"
    if refreshed is not None:
        line += (
            f"; recomputed the memory of {plural(refreshed.replayed + refreshed.from_sm2, 'card')}"
        )
    print(line + ". `srs evaluate` scores them on reviews they were not fitted on.")


def _interval(i) -> str:
    return "" if i is None else f"({i.low:.3f}-{i.high:.3f})"


def evaluate(
    deck: DeckOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Score SM-2 against FSRS on your own review log.

    Which predicts your recall better: SM-2, FSRS with default parameters, or FSRS fitted
    to your earlier reviews.
    """
    from srs import charts
    from srs import evaluate as scoring

    with open_store(db) as store:
        today = today_of(store)
        result = scoring.evaluate(
            store.card_histories(deck),
            deck=deck,
            scheduler=today.settings.scheduler,
            rng=random.Random(0),  # the same log gives the same intervals
        )
    if result.rough:
        err(
            f"warning: only {result.scorable:,} scorable reviews (fewer than"
            f" {scoring.ROUGH_BELOW}); the figures are rough"
        )
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
        return
    trained = result.scorable - result.scored
    print(
        f"Scored {result.scored:,} of {result.scorable:,} reviews ({result.splits} time-series"
        " splits: each review is\npredicted by FSRS fitted on the reviews before it;"
        f" the first {trained:,} only train)."
    )
    print()
    print(f"  {'':<13} {'log loss':<20} {'RMSE(bins)':<20} AUC")
    for s in result.scores:
        auc = "-" if s.auc is None else f"{s.auc:.3f} {_interval(s.intervals.auc)}"
        print(
            f"  {s.label:<13} {s.log_loss:.3f} {_interval(s.intervals.log_loss):<14}"
            f" {s.rmse_bins:.3f} {_interval(s.intervals.rmse_bins):<14} {auc}"
        )
    print("  (95% bootstrap intervals; lower log loss and RMSE(bins) are better, higher AUC)")
    print()
    print("Calibration: observed recall (bar, 0-100%) against predicted (│, ┃ in the bar)")
    print(f"  {'predicted':>10} {'reviews':>7}  pred  obs")
    width = options.width()
    for s in result.scores:
        print(f"  {s.label}")
        rows = [(b.low, b.high, b.reviews, b.predicted, b.observed) for b in s.calibration]
        for line in charts.calibration(rows, width=width):
            print(line)
    print()
    print(textwrap.fill(result.verdict, 80))
