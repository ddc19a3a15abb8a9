"""The typer app: its root options and the command groups registered on it."""

from __future__ import annotations

from typing import Annotated

import typer

from srs import __version__
from srs.cli import control, memory, study, tracking

app = typer.Typer(
    name="srs",
    help="Spaced-repetition flashcards in the terminal (SM-2), with Anki export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"srs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Spaced-repetition flashcards in the terminal (SM-2), with Anki export."""


def register_commands(cli: typer.Typer) -> None:
    """Every command group, registered explicitly (as llm's plugins register theirs)."""
    study.register(cli)
    tracking.register(cli)
    control.register(cli)
    memory.register(cli)


register_commands(app)
