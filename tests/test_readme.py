"""The README cannot drift: every console block in it is run and its output compared.

`scripts/readme.py` does the work (`make readme` writes the real output in); see its
docstring for how a block is run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO

from scripts import readme

TEXT = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = readme.blocks(TEXT)


def test_the_readme_has_its_console_blocks():
    commands = [c.line for block in BLOCKS for c in block.commands]
    for expected in ("srs import decks/", "srs review --deck MLOps::Basics", "srs stats"):
        assert expected in commands
    # Every block is pinned: the clock is set before the first srs command.
    first_srs = next(i for i, c in enumerate(commands) if c.startswith("srs "))
    assert any(c.startswith("export SRS_NOW=") for c in commands[:first_srs])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[list[list[str]]]:
    return readme.run_all(BLOCKS, tmp_path_factory.mktemp("readme"))


@pytest.mark.parametrize(
    "where",
    [(b, c) for b, block in enumerate(BLOCKS) for c in range(len(block.commands))],
    ids=[c.line for block in BLOCKS for c in block.commands],
)
def test_each_console_command_prints_what_the_readme_shows(outputs, where):
    b, c = where
    command = BLOCKS[b].commands[c]
    expected, actual = readme.comparable(command.expected), readme.comparable(outputs[b][c])
    assert readme.matches(expected, actual), (
        f"README.md:{command.number} `{command.line}` drifted; `make readme` writes it in"
    )


def test_a_drifted_block_is_caught(tmp_path: Path):
    text = (
        "```console\n$ export SRS_NOW=2026-11-22T09:00\n$ srs import decks/\n"
        "decks/mlops-basics.md -> MLOps::Basics: 10 added, 0 updated, 0 unchanged\n"
        "decks/mlops-cicd.md -> MLOps::CI-CD for ML: 24 added, 0 updated, 0 unchanged\n```\n"
    )
    (diff,) = readme.differences(text, tmp_path)
    assert "-decks/mlops-cicd.md -> MLOps::CI-CD for ML: 24 added" in diff
    assert "+decks/mlops-cicd.md -> MLOps::CI-CD for ML: 25 added" in diff


def test_a_review_transcript_is_fed_what_it_shows_typed():
    command = readme.Command(
        "srs review",
        ["", "[1 new]  D  #1", "answer> b", "Wrong. The answer: a) x", "grade 0-2 [1]>", "",
         "(Enter shows the answer)> ", "grade 0-5> 4", "answer> q"],
    )  # fmt: skip
    assert command.typed() == "b\n\n\n4\nq\n"
    took = ["Session done: 2 reviewed, 50% right, 1m 02s."]
    assert readme.comparable(took) == readme.comparable(
        ["Session done: 2 reviewed, 50% right, 0s."]
    )


@pytest.mark.parametrize(
    ("shown", "output", "same"),
    [
        (["a", "...", "d"], ["a", "b", "c", "d"], True),
        (["a", "..."], ["a"], True),
        (["...", "c", "..."], ["a", "c", "e"], True),
        (["a", "...", "d"], ["a", "b", "c"], False),
        (["...", "x", "..."], ["a", "b"], False),
        (["a", "b"], ["a", "b", "c"], False),
    ],
)
def test_an_elided_output_matches_what_it_leaves_out(shown, output, same):
    assert readme.matches(shown, output) is same
