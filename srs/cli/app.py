"""The typer app: its root options and the command groups registered on it."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperCommand

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


class Command(TyperCommand):
    """A command whose usage line names its arguments plainly: `srs show [OPTIONS] CARD`
    (typer writes a required one as `{CARD}`)."""

    def collect_usage_pieces(self, ctx) -> list[str]:  # noqa: ANN001 (click's Context)
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


def _plain_usage(cli: typer.Typer) -> None:
    for info in cli.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command
    for group in cli.registered_groups:
        if group.typer_instance is not None:
            _plain_usage(group.typer_instance)


def register_commands(cli: typer.Typer) -> None:
    """Every command group, registered explicitly (as llm's plugins register theirs)."""
    study.register(cli)
    tracking.register(cli)
    control.register(cli)
    memory.register(cli)
    _plain_usage(cli)


register_commands(app)
