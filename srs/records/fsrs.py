"""FSRS parameters as `srs optimize` fitted and stored them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

COLLECTION = ""  # the scope of parameters fitted on every deck


@dataclass(frozen=True)
class FittedParameters:
    """Parameters fitted for a deck (and its sub-decks), or for the collection (``deck`` is
    ``COLLECTION``), with the scores they had on the reviews they were fitted on."""

    deck: str
    parameters: tuple[float, ...]
    fitted_at: dt.datetime  # UTC
    reviews: int  # the reviews they were fitted on
    log_loss: float
    rmse_bins: float


def parameters_for(deck: str, fitted: dict[str, FittedParameters]) -> FittedParameters | None:
    """The parameters that schedule a card of ``deck``: its deck's, else the nearest parent
    deck's (``A::B::C``, ``A::B``, ``A``), else the collection's; None if none was fitted.
    Deck names match case-insensitively, as everywhere in srs."""
    by_name = {name.casefold(): p for name, p in fitted.items()}
    parts = deck.casefold().split("::")
    for depth in range(len(parts), 0, -1):
        found = by_name.get("::".join(parts[:depth]))
        if found is not None:
            return found
    return by_name.get(COLLECTION)
