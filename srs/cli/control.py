"""The control commands: suspend, unsuspend, reset, forget, config, postpone, backup."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.options import CardIds, DbOption, DeckOption, plural
from srs.runtime import err, open_store, today_of

config_app = typer.Typer(help="Read or change settings.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(suspend)
    app.command()(unsuspend)
    app.command()(reset)
    app.command()(forget)
    app.add_typer(config_app, name="config")
    config_app.command("get")(config_get)
    # ignore_unknown_options: "-1" is a (rejected) value, not an unknown option.
    config_app.command("set", context_settings={"ignore_unknown_options": True})(config_set)
    app.command(context_settings={"ignore_unknown_options": True})(postpone)
    app.command()(backup)


def suspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Take cards out of reviews until unsuspended.

    They leave the due counts too.
    """
    with open_store(db) as store:
        n = store.set_suspended(card_ids, True)
    print(_suspend_report("Suspended", n, card_ids, "already suspended"))


def unsuspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Bring suspended cards back, with the schedule they had."""
    with open_store(db) as store:
        n = store.set_suspended(card_ids, False)
    print(_suspend_report("Unsuspended", n, card_ids, "not suspended"))


def _suspend_report(done: str, changed: int, ids: list[int], unchanged: str) -> str:
    """`Suspended 2 cards.`, and which were left as they were, so 0 is never a puzzle."""
    ids = list(dict.fromkeys(ids))
    left = len(ids) - changed
    if not changed:
        cards = ", ".join(f"#{i}" for i in ids)
        return f"{cards}: {unchanged}; nothing changed."
    if left:
        return f"{done} {plural(changed, 'card')}; {left} {unchanged}."
    return f"{done} {plural(changed, 'card')}."


def reset(card_ids: CardIds, db: DbOption = None) -> None:
    """Make cards new again (history kept, the reset logged)."""
    with open_store(db) as store:
        today = today_of(store)
        n = store.reset_cards(card_ids, today.now, today.day)
    already = len(set(card_ids)) - n
    print(f"Reset {plural(n, 'card')} to new" + (f" ({already} new already)." if already else "."))


def forget(
    deck: Annotated[
        str, typer.Option("--deck", "-d", metavar="NAME", help="The deck (and its sub-decks).")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a deck: its questions, cards and review history. Asks first."""
    with open_store(db) as store:
        ids = store.deck_ids(deck)
        names = [store.deck_names()[i] for i in ids]
        if not yes and not _confirmed(f"Delete {', '.join(names)} with all cards and history?"):
            err("Nothing deleted.")
            raise typer.Exit(1)
        names, count = store.forget_deck(deck)
    print(f"Deleted {', '.join(names)}: {plural(count, 'card')}.")


def _confirmed(question: str) -> bool:
    """Asked on stderr; Ctrl-C or the end of input is a no (on a line of its own)."""
    try:
        return typer.confirm(question, err=True)
    except typer.Abort:
        err("")
        return False


def config_get(
    key: Annotated[
        str | None, typer.Argument(help="One setting; all if omitted.", metavar="[KEY]")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show settings (with what each does)."""
    from srs.settings import SETTINGS, setting

    if key is not None:
        setting(key)  # an unknown one is refused before the database is opened
    with open_store(db, read_only=True) as store:
        current = store.settings()
    if key is not None:
        print(setting(key).show(getattr(current, key)))
        return
    width = max(len(k) for k in SETTINGS)
    for name, spec in SETTINGS.items():
        print(f"{name:<{width}}  {spec.show(getattr(current, name)):>6}  {spec.help}")


def config_set(
    key: Annotated[str, typer.Argument(help="Setting name (see `srs config get`).", metavar="KEY")],
    value: Annotated[
        str, typer.Argument(help="The new value (see `srs config get`).", metavar="VALUE")
    ],
    db: DbOption = None,
) -> None:
    """Change a setting."""
    from srs.settings import setting

    spec = setting(key)
    parsed = spec.parse(value)
    with open_store(db) as store:
        scheduler = store.settings().scheduler
        if key == "scheduler" and parsed == scheduler:
            print(f"{key} = {spec.show(parsed)} (already)")
            return
        if key == "scheduler":
            from srs.memory import switch_scheduler

            refreshed = switch_scheduler(store, parsed)
        else:
            store.set_setting(key, parsed)
            refreshed = None
    print(f"{key} = {spec.show(parsed)}")
    if key == "desired_retention" and scheduler != "fsrs":
        print("(FSRS schedules by it; the scheduler is sm2: `srs config set scheduler fsrs`)")
    if refreshed is not None:
        print(
            f"FSRS memory: {refreshed.replayed} replayed from the review log,"
            f" {refreshed.from_sm2} from the SM-2 state, {plural(refreshed.new, 'card')} new;"
            " due dates kept."
        )
    elif key == "scheduler":
        print("SM-2 schedules again, from the SM-2 state every card kept; due dates kept.")


def postpone(
    days: Annotated[
        int | None,
        typer.Argument(help="Move due dates this many days later.", metavar="DAYS"),
    ] = None,
    deck: DeckOption = None,
    undo: Annotated[bool, typer.Option("--undo", help="Revert the last postpone.")] = False,
    db: DbOption = None,
) -> None:
    """Move due dates later (a holiday), as one undoable step.

    Every scheduled card's due date moves (a card failed today is not asked again today);
    new cards stay as they are.
    """
    # Usage first: a missing DAYS is a usage error whatever the database.
    if undo and (days is not None or deck is not None):
        raise typer.BadParameter("--undo takes no DAYS or --deck")
    if not undo and days is None:
        raise typer.BadParameter("say how many days: `srs postpone DAYS` (or --undo)")
    with open_store(db) as store:
        today = today_of(store)
        if undo:
            undone = store.undo_postpone(today.now)
            line = (
                f"Undid a postpone by {plural(undone.days, 'day')}:"
                f" {plural(undone.restored, 'card')} restored"
            )
            if undone.kept:
                line += f", {undone.kept} reviewed since kept their new schedule"
            print(line + ".")
            return
        assert days is not None
        n = store.postpone(deck, days, today.now, today.day)
    print(f"Postponed {plural(n, 'card')} by {plural(days, 'day')}.")


def backup(
    path: Annotated[
        str | None,  # as typed: a trailing "/" names a folder (a Path would drop it)
        typer.Argument(
            help="The copy: a new file, or a folder to write it into."
            " Default: next to the database, with a timestamp.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Copy the database (safe while a review runs).

    Prints the path written. PATH may be a file or a folder; by default the copy goes next
    to the database, named after it and the time.
    """
    with open_store(db, read_only=True) as store:
        written = store.backup(path, now=today_of(store).now)
    print(written)
