"""The study commands: import question banks, review, export to Anki."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Annotated

import typer

from srs import clock
from srs.cli.options import DbOption, DeckOption, plural, shorten
from srs.errors import SrsError
from srs.runtime import err, open_store, today_of


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(review)
    app.command()(export)


def import_(
    paths: Annotated[
        list[Path] | None,
        # readable=False: read_file reports an unreadable file as one line, exit 1, not click.
        typer.Argument(
            help="Question files, folders of them, or Anki packages (.apkg, .colpkg).",
            readable=False,
        ),
    ] = None,
    deck: Annotated[
        str | None, typer.Option("--deck", "-d", help="Deck for all questions ('::' nests).")
    ] = None,
    first_option_correct: Annotated[
        bool,
        typer.Option(help="In files with nothing marked, the first option is the right one."),
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the valid questions even if others have errors.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Report what would change; write nothing.")] = False,
    prune: Annotated[
        bool, typer.Option(help="Delete questions that are no longer in their source file.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing if the database already has cards.")
    ] = False,
    bundled: Annotated[
        bool, typer.Option(help="Import the decks that ship with srs (MLOps basics, CI/CD).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import question banks and Anki packages (.apkg, .colpkg); re-importing updates
    questions in place and keeps progress."""
    from srs.importers import bundled_decks, expand_paths, read_file
    from srs.importers.anki_package import is_package

    if deck is not None and not deck.strip(" :"):
        raise SrsError("--deck needs a name")
    paths = [*(paths or []), *(bundled_decks() if bundled else [])]
    if not paths:
        raise typer.BadParameter("give files or folders to import, or --bundled")
    if if_empty:
        with open_store(db) as store:
            count = store.card_count()
        if count:
            print(f"{count} cards already in the database; nothing imported.")
            return
    files = expand_paths(paths)
    packages = [p for p in files if is_package(p)]
    if packages:
        if deck is not None or prune:
            raise SrsError("--deck and --prune are for question files, not Anki packages")
        from srs.cli.packages import import_packages

        import_packages(packages, db, dry_run=dry_run)
        files = [p for p in files if p not in packages]
        if not files:
            if dry_run:
                print("Dry run: nothing written.")
            return
    results = [read_file(p, first_option_correct=first_option_correct) for p in files]
    errors = 0
    for result in results:
        for problem in result.problems:
            err(str(problem))
        errors += len(result.errors)
    if errors and not skip_invalid:
        hint = "--skip-invalid imports the valid questions"
        err(f"{plural(errors, 'error')}; nothing imported ({hint})")
        raise typer.Exit(1)
    batches = [
        (deck or r.deck or Path(r.path).stem, str(Path(r.path).resolve()), r.questions)
        for r in results
    ]
    with open_store(db) as store:
        summaries = store.import_questions(batches, clock.now(), prune=prune, dry_run=dry_run)
    for result, s in zip(results, summaries, strict=True):
        line = (
            f"{result.path} -> {s.deck}: {s.added} added, {s.updated} updated,"
            f" {s.unchanged} unchanged"
        )
        if s.pruned:
            line += f", {s.pruned} pruned"
        print(line)
        if s.gone and not s.pruned:
            print(f"  {len(s.gone)} no longer in the source (kept; --prune deletes them):")
            for text in s.gone:
                print(f"    - {shorten(text, 70)}")
    if errors:
        print(f"Skipped what has errors ({plural(errors, 'error')}, listed above).")
    if dry_run:
        print("Dry run: nothing written.")


def review(
    deck: DeckOption = None,
    new: Annotated[
        int | None, typer.Option("--new", help="New cards this session (default: today's limit).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N cards.")] = None,
    cram: Annotated[
        bool, typer.Option("--cram", help="Practise any cards; their schedule is not changed.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Study what is due: repeats, due reviews, then new cards."""
    from srs.cli.screen import Terminal, run_session
    from srs.review import Session

    seed = os.environ.get("SRS_SEED")  # a fixed option shuffle, for tests and demos
    if seed and not seed.strip().lstrip("-").isdecimal():
        raise SrsError(f"SRS_SEED must be an integer, not {seed!r}")
    rng = random.Random(int(seed)) if seed else random.Random()
    with open_store(db) as store:
        today = today_of(store)
        session = Session(
            store,
            today.day,
            rng,
            deck=deck,
            settings=today.settings,
            new_limit=new,
            limit=limit,
            cram=cram,
        )
        run_session(session, Terminal(), started=time.monotonic())


def _default_apkg_name(decks: list[str]) -> str:
    """`<deck>.apkg` for one deck tree, else `srs.apkg`; `::` becomes `-`, unsafe characters `_`."""
    roots = {name.split("::")[0] for name in decks}
    name = decks[0] if len(decks) == 1 else (roots.pop() if len(roots) == 1 else "srs")
    safe = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in name.replace("::", "-"))
    return safe.strip(" .") + ".apkg"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def export(
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", "-d", help="Export this deck and its sub-decks (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The .apkg file. Default: <deck>.apkg here."),
    ] = None,
    with_progress: Annotated[
        bool,
        typer.Option(help="Studied cards go as review cards with their SM-2 state and history."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export decks as an Anki package (.apkg); re-exporting updates the notes in Anki."""
    from srs.exporters.anki import write_apkg
    from srs.media import media_folder

    with open_store(db) as store:
        today = today_of(store)
        if not store.deck_names():
            raise SrsError("nothing to export: the database has no decks (run `srs import`)")
        names = deck or store.export_deck_names(deck)
        path = output or Path(_default_apkg_name(names))
        # Streamed: the cards go from the database to the package one at a time.
        cards = store.iter_export_cards(deck, history=with_progress)
        summary = write_apkg(
            cards,
            path,
            today=today.day,
            now=today.now,
            with_progress=with_progress,
            media_dir=media_folder(store.path),
        )
    print(
        f"Wrote {path}: {summary.notes} notes, {summary.cards} cards,"
        f" {plural(summary.decks, 'deck')}, {_size(summary.bytes)}"
        + (f", {plural(summary.media, 'media file')}" if summary.media else "")
        + (" (with progress)" if with_progress else "")
    )
