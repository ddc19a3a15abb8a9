"""Every card's FSRS memory, replayed from the review log: when the scheduler is switched
to FSRS, when `srs optimize` keeps new parameters, and after an import under FSRS.

A card's memory comes from replaying its history (srs.history) with the parameters of its
deck; a studied card whose history cannot be replayed gets one inferred from its SM-2 state,
as Anki does when FSRS is turned on. Due dates are never moved: new intervals start with
each card's next answer. SM-2's state is never touched, so switching back loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.scheduler import parameters_of
from srs.store import Store


@dataclass(frozen=True)
class Refreshed:
    """What a replay did: cards replayed from history, inferred from SM-2, left new."""

    replayed: int = 0
    from_sm2: int = 0
    new: int = 0


def refresh_memories(store: Store, deck: str | None = None) -> Refreshed:
    """Recompute the memory of every card of ``deck`` (all for None), in one transaction."""
    from srs.history import replayed_memories

    with store.atomic():
        of = parameters_of(store.fitted_parameters())
        counts = {True: 0, False: 0}
        new = 0
        updates = []
        # Computed in full before writing: the histories are read from `cards` as they go.
        for card_id, memory, replayed in replayed_memories(store.card_histories(deck), of):
            updates.append((card_id, memory))
            if memory is None:
                new += 1
            else:
                counts[replayed] += 1
        store.set_memories(updates)
    return Refreshed(counts[True], counts[False], new)


def switch_scheduler(store: Store, name: str) -> Refreshed | None:
    """Set the ``scheduler`` setting; switching to FSRS computes every card's memory first,
    in the same transaction (all or nothing)."""
    with store.atomic():
        refreshed = refresh_memories(store) if name == "fsrs" else None
        store.set_setting("scheduler", name)
    return refreshed
