"""The SQLite store: the only code that speaks SQL.

One class, :class:`Store` (in :mod:`.database`), put together from one part per area:

- :mod:`.connection`: open (check, create, migrate), transactions that nest, backup,
  tracing, settings and decks;
- :mod:`.counts`: what is due (the `srs due` fast path opens just this part);
- :mod:`.questions`: importing parsed questions, deleting questions and decks;
- :mod:`.study`: today's queue, a card to show, grading (compare-and-set), undo;
- :mod:`.control`: suspend, reset, postpone and its undo;
- :mod:`.figures`: the aggregates of `srs stats` and the card listings;
- :mod:`.export`: cards streamed to an exporter;
- :mod:`.memory`: FSRS's side: review histories, memory states, fitted parameters;
- :mod:`.anki_sync`: an Anki package in: notes, answers merged once, schedules replayed.

:mod:`.migrations` is the schema, as named append-only steps; :mod:`.sql` names the SQL that
several parts share; :mod:`.rows` maps rows to records. Every write is one transaction,
committed before it returns (a savepoint when inside another).

``from srs.store import Store`` loads every part; importing one part alone loads no other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from srs.store.database import Store

        return Store
    raise AttributeError(f"module 'srs.store' has no attribute {name!r}")


if TYPE_CHECKING:
    from srs.store.database import Store
