"""srs.imports.plan_import: what `srs import` makes of its paths, without a terminal."""

from __future__ import annotations

import shutil

import pytest
from helpers import DECKS, TODAY

from srs.errors import SrsError
from srs.imports import plan_import


def plan(paths, unchanged=lambda digests: {}, **kw):
    options = {"deck": None, "first_option_correct": False, "prune": False, **kw}
    return plan_import(paths, unchanged=unchanged, **options)


def test_a_folder_gives_its_decks_and_skips_what_is_not_one(tmp_path):
    for deck in DECKS.glob("*.md"):
        shutil.copy(deck, tmp_path)
    (tmp_path / "README.md").write_text("# Notes\n\nNothing to study here.\n")
    got = plan([tmp_path])
    assert got.skipped == [tmp_path / "README.md"]
    assert got.names == [str(tmp_path / "mlops-basics.md"), str(tmp_path / "mlops-cicd.md")]
    assert [(b.deck, len(b.questions)) for b in got.batches] == [
        ("MLOps::Basics", 10),
        ("MLOps::CI-CD for ML", 25),
    ]
    assert all(b.digest for b in got.batches) and not got.packages and got.errors == 0
    # Named, the same README is read as asked: a file you name is always imported.
    named = plan([tmp_path / "README.md"])
    assert named.skipped == [] and len(named.batches) == 1


def test_a_file_unchanged_since_its_last_import_is_not_parsed(tmp_path):
    deck = tmp_path / "d.md"
    shutil.copy(DECKS / "mlops-basics.md", deck)
    first = plan([deck])
    seen: list[dict[str, str]] = []

    def unchanged(digests: dict[str, str]) -> dict[str, str]:
        seen.append(digests)
        return {source: "Kept::Name" for source in digests}

    again = plan([deck], unchanged=unchanged)
    assert seen == [{str(deck.resolve()): first.batches[0].digest}]
    (batch,) = again.batches
    assert again.parsed == [] and batch.deck == "Kept::Name" and callable(batch.questions)
    assert list(batch.questions()) == list(first.batches[0].questions)


def test_errors_are_counted_and_valid_questions_noticed(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("# D\n\n## Fine?\n\n- [x] a\n- [ ] b\n\n## No options?\n\n")
    got = plan([bad])
    assert got.errors == 1 and got.has_valid_questions()
    assert got.batches[0].digest is None  # a file with a problem is read again next time


def test_packages_take_no_deck_or_prune(tmp_path):
    package = tmp_path / "x.apkg"
    package.write_bytes(b"PK\x03\x04")
    assert plan([package]).packages == [package]
    for option in ({"deck": "D"}, {"prune": True}):
        with pytest.raises(SrsError, match="--deck and --prune are for question files"):
            plan([package], **option)


def test_a_damaged_package_is_its_line_and_the_collector_comes_back(tmp_path):
    import gc

    from srs.imports import paused_gc, read_packages

    package = tmp_path / "broken.apkg"
    package.write_bytes(b"PK\x03\x04 not really a zip")
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        reads, problems = read_packages([package], today=TODAY, rollover_hour=4)
    assert gc.isenabled()
    assert reads == []
    (problem,) = problems
    assert problem.startswith(f"{package}: not an Anki package")


def test_packages_in_a_folder_are_listed_not_imported(tmp_path):
    shutil.copy(DECKS / "mlops-basics.md", tmp_path)
    (tmp_path / "collection.colpkg").write_bytes(b"PK\x03\x04")
    (tmp_path / "deck.apkg").write_bytes(b"PK\x03\x04")
    got = plan([tmp_path])
    assert got.packages == []
    assert got.skipped_packages == [tmp_path / "collection.colpkg", tmp_path / "deck.apkg"]
    assert got.names == [str(tmp_path / "mlops-basics.md")]
    (tmp_path / "mlops-basics.md").unlink()
    with pytest.raises(SrsError, match=r"no \.md or \.txt files in this folder \(Anki packages"):
        plan([tmp_path])
