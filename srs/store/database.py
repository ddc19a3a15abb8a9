"""The whole store: every part in one class."""

from __future__ import annotations

from srs.store.anki_sync import AnkiSync
from srs.store.control import Control
from srs.store.export import Export
from srs.store.figures import Figures
from srs.store.memory import MemoryStates
from srs.store.questions import Questions
from srs.store.study import Study


class Store(Questions, Study, Control, Figures, Export, MemoryStates, AnkiSync):
    """An open srs database."""
