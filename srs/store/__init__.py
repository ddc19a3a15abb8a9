"""The SQLite store: the only code that speaks SQL.

One class, :class:`Store`, put together from one part per area, each a module here:

- :mod:`.connection`: open (check, create, migrate), transactions that nest, backup,
  tracing, settings and decks;
- :mod:`.questions`: importing parsed questions, deleting questions and decks;
- :mod:`.study`: due counts, today's queue, a card to show, grading (compare-and-set), undo;
- :mod:`.control`: suspend, reset, postpone and its undo;
- :mod:`.figures`: the aggregates of `srs stats` and the card listings;
- :mod:`.export`: cards streamed to an exporter;
- :mod:`.anki_sync`: an Anki package in: notes, answers merged once, schedules replayed.

:mod:`.migrations` is the schema, as named append-only steps; :mod:`.sql` names the SQL that
several parts share; :mod:`.rows` maps rows to records.
Every write is one transaction, committed before it returns (a savepoint when inside another).
"""

from srs.store.anki_sync import AnkiSync
from srs.store.connection import BUSY_TIMEOUT_MS, default_path
from srs.store.control import MAX_POSTPONE, Control
from srs.store.export import Export
from srs.store.figures import Figures
from srs.store.questions import Questions
from srs.store.study import Study

__all__ = ["BUSY_TIMEOUT_MS", "MAX_POSTPONE", "Store", "default_path"]


class Store(Questions, Study, Control, Figures, Export, AnkiSync):
    """An open srs database."""
