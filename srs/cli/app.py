"""The typer app: its root options and the command groups registered on it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from srs import __version__
from srs.cli import control, memory, study, tracking
from srs.runtime import err

# click's exceptions as this typer raises them (typer 0.28 carries its own copy of click):
# BadParameter is a UsageError, which is a ClickException; found by name, not by place.
_CLICK = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
_UsageError, _ClickException = _CLICK["UsageError"], _CLICK["ClickException"]
_NoArgsIsHelp = getattr(sys.modules[_UsageError.__module__], "NoArgsIsHelpError", ())


class _UsageLine(_ClickException):
    """A usage error as one line and exit 1, like every other error srs reports."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        err(f"error: {self.message}")


class _Root(TyperGroup):
    """The `srs` group. A usage error anywhere below it (an unknown option or command, a
    missing or mistyped argument) is one line that names the command's help, not click's
    usage block and exit 2; `srs` alone, or a group alone, shows its help."""

    def make_context(self, info_name: str | None, args: list[str], *rest: Any, **kw: Any) -> Any:
        try:
            return super().make_context(info_name, args, *rest, **kw)
        except _NoArgsIsHelp as e:
            _help_and_exit(e)
        except _UsageError as e:
            raise _usage_line(e, info_name or "srs") from None

    def invoke(self, ctx: Any) -> Any:  # click's Context; whatever the command returns
        try:
            return super().invoke(ctx)
        except _NoArgsIsHelp as e:
            _help_and_exit(e)
        except _UsageError as e:
            # An option's missing value is raised without the command's context.
            command = ctx.invoked_subcommand
            where = f"{ctx.command_path} {command}" if command else ctx.command_path
            raise _usage_line(e, where) from None


def _help_and_exit(e: Any) -> None:
    """`srs` or a group (`srs config`) alone: its help on stdout (a pager can read it), and
    exit 0, as for --help."""
    print(e.ctx.get_help())
    raise typer.Exit(0)


def _usage_line(e: Any, where: str) -> _UsageLine:  # e: a click UsageError
    message = e.format_message().strip().rstrip(".")
    message = message.removeprefix("Invalid value: ")  # our own words, for no one parameter
    message = message[:1].lower() + message[1:]
    if e.ctx is not None and e.ctx.parent is not None:
        where = e.ctx.command_path
    # "no such command 'imprt'. Did you mean 'import'?" ends in its own question mark.
    joint = " See" if message.endswith("?") else "; see"
    return _UsageLine(f"{message}{joint} `{where} --help`")


app = typer.Typer(
    name="srs",
    cls=_Root,
    help="Spaced-repetition flashcards in the terminal (SM-2 or FSRS), to and from Anki.",
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


def _db_for_every_command(ctx: typer.Context, db: Path | None) -> None:
    """`srs --db PATH COMMAND`: PATH becomes the --db default of every command below (click's
    default_map), so it reads as `srs COMMAND --db PATH`; a --db after the command wins."""
    if db is None:
        return

    def defaults(group: Any) -> dict:  # a click group
        return {
            name: defaults(command) if hasattr(command, "commands") else {"db": db}
            for name, command in group.commands.items()
        }

    ctx.default_map = defaults(ctx.command)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file for the command (the same as the command's own --db).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Spaced-repetition flashcards in the terminal (SM-2 or FSRS), to and from Anki."""
    _db_for_every_command(ctx, db)


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
