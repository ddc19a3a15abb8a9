"""Shared fixtures: a temporary database on disk, a pinned clock, the repo's paths."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from srs.model import Question
from srs.store import Store

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "data"  # the two real question banks, byte for byte
DECKS = REPO / "decks"
SRS = [sys.executable, "-m", "srs"]

NOW = "2026-11-22T09:00:00"  # a Sunday morning, local time


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


def now_at(text: str = NOW) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def mcq(text: str, options=("right", "wrong 1", "wrong 2"), answers=(0,), **kw) -> Question:
    return Question(text=text, kind="mcq", options=tuple(options), answers=tuple(answers), **kw)


def basic(text: str, answer: str = "the answer", **kw) -> Question:
    return Question(text=text, kind="basic", answer=answer, **kw)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(extra)
    return env


def run_srs(
    *args: str, input: str = "", cwd: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess:
    """`srs` as a real process, stdin a pipe; `env` adds environment variables."""
    return subprocess.run(
        [*SRS, *args],
        input=input,
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        cwd=cwd,
        timeout=timeout,
    )
