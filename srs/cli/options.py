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
        # No checks here: Store.open says what is wrong with the path (a folder, a missing
        # file) in one line and exit 1, the same for every command and for `srs due`'s fast path.
        readable=False,
        metavar="PATH",
    ),
]
DeckOption = Annotated[
    str | None,
    typer.Option("--deck", "-d", metavar="NAME", help="Only this deck and its sub-decks."),
]


def card_id(text: str) -> int:
    """A card id as typed: `12`, or `#12` as the review screen and `srs show` print it."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdecimal()):
        raise typer.BadParameter(f"{text!r} is not a card id (a number: 12 or #12)")
    return int(digits)


CardId = Annotated[
    int,
    typer.Argument(parser=card_id, metavar="CARD", help="Card id: 12 or #12 (see `srs cards`)."),
]
CardIds = Annotated[
    list[int],
    typer.Argument(
        parser=card_id, metavar="CARD...", help="Card ids: 12 or #12 (see `srs cards`)."
    ),
]


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
