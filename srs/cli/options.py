"""What the commands share: the `--db` and `--deck` options, card ids, and output helpers."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file. Default: $SRS_DB, else the user data dir (~/.local/share/srs/srs.db).",
        show_default=False,
        dir_okay=False,
        readable=False,  # Store.open says what is wrong with the file, in one line
    ),
]
DeckOption = Annotated[
    str | None, typer.Option("--deck", "-d", help="Only this deck and its sub-decks.")
]
CardIds = Annotated[list[int], typer.Argument(help="Card ids (see `srs cards`).")]


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def color() -> bool:
    """Whether to print ANSI colours: stdout is a terminal and NO_COLOR is unset."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def width() -> int:
    """The terminal's width in columns (80 when not a terminal)."""
    return shutil.get_terminal_size((80, 24)).columns


def plural(n: int, word: str) -> str:
    """``1 card``, ``2 cards``."""
    return f"{n} {word}{'s' * (n != 1)}"
