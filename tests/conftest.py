"""Fixtures: a pinned clock and time zone for every test, a temporary database on disk.

Shared helpers live in helpers.py; test modules import from there, never from each other.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from helpers import NOW, simulate_learner

from srs.store import Store


@pytest.fixture(autouse=True)
def pinned_env(monkeypatch, tmp_path):
    """Every test: UTC local time, a pinned SRS_NOW, and no way to touch the user's own data."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("SRS_NOW", NOW)
    monkeypatch.setenv("SRS_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SRS_SEED", raising=False)
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "srs.db"


@pytest.fixture
def store(db_path):
    with Store.open(db_path) as s:
        yield s


@pytest.fixture(scope="session")
def learner_db(tmp_path_factory) -> Path:
    """Two years of a simulated learner (500 cards of deck Lang::Sim, ~6,900 answers; see
    helpers.simulate_learner), built once for the FSRS tests: copy it (``learner``) to change it."""
    path = tmp_path_factory.mktemp("learner") / "learner.db"
    with Store.open(path) as store:
        simulate_learner(store, cards=500, seed=1, deck="Lang::Sim")
    return path


@pytest.fixture
def learner(learner_db, tmp_path) -> Path:
    """A copy of the simulated learner's database, free to change."""
    path = tmp_path / "learner.db"
    shutil.copy(learner_db, path)
    return path
