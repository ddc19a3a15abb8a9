"""The study commands: import question banks, review, export to Anki."""

from __future__ import annotations

import os
import random
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from srs import clock
from srs.cli.options import DbOption, DeckOption, plural, shorten
from srs.errors import SrsError
from srs.runtime import (
    database_path,
    day_note,
    err,
    import_day,
    import_target,
    open_store,
    shown_path,
    today_of,
    unchanged_sources,
)

if TYPE_CHECKING:
    from srs.records import FileImport


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
            metavar="[PATH]...",
        ),
    ] = None,
    deck: Annotated[
        str | None,
        typer.Option("--deck", "-d", metavar="NAME", help="Deck for all questions ('::' nests)."),
    ] = None,
    first_option_correct: Annotated[
        bool,
        typer.Option(
            "--first-option-correct",
            help="In files with nothing marked, the first option is the right one.",
        ),
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Import the valid questions even if others have errors."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete questions that are no longer in their source file."),
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing if the database already has cards.")
    ] = False,
    bundled: Annotated[
        bool,
        typer.Option(
            "--bundled", help="Import the decks that ship with srs (MLOps basics, CI/CD)."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Import question banks and Anki packages (.apkg, .colpkg).

    Re-importing updates questions in place and keeps progress. A file you name is always
    read; in a folder, files that do not look like question banks (a README) are skipped
    and listed.
    """
    from srs.cli.packages import print_package_import
    from srs.importers import bundled_decks
    from srs.imports import paused_gc, plan_import, read_packages, write_imports

    if deck is not None and not deck.strip(" :"):
        raise SrsError("--deck needs a name")
    paths = [*(paths or []), *(bundled_decks() if bundled else [])]
    if not paths:
        raise typer.BadParameter("give files or folders to import, or --bundled")
    if if_empty and database_path(db).exists():
        with open_store(db, read_only=True) as store:
            count = store.card_count()
        if count:
            print(f"{count} cards already in the database; nothing imported.")
            return
    plan = plan_import(
        paths,
        deck=deck,
        first_option_correct=first_option_correct,
        prune=prune,
        unchanged=partial(unchanged_sources, db),
    )
    for file in plan.skipped:
        print(f"skipped {file}: no questions found (name the file to import it anyway)")
    for file in plan.skipped_packages:
        print(f"skipped {file}: an Anki package (name it to import it)")
    if plan.empty:
        raise SrsError("nothing to import: no file in the folder looks like a question bank")
    today = import_day(db)
    # Everything is read and parsed before anything is written: an import with an error
    # anywhere imports nothing (unless --skip-invalid), and creates no database.
    with paused_gc():
        packages, package_problems = read_packages(
            plan.packages, today=today.day, rollover_hour=today.settings.rollover_hour
        )
        errors = plan.errors + len(package_problems)
        if errors == 1 and package_problems and not skip_invalid:
            raise SrsError(package_problems[0])
        for result in plan.parsed:
            for problem in result.problems:
                err(str(problem))
        for line in package_problems:
            err(line)
        if errors and not skip_invalid:
            # The flag is worth naming only if it would import something.
            valid = packages or plan.has_valid_questions()
            hint = " (--skip-invalid imports the valid questions)" if valid else ""
            err(f"{plural(errors, 'error')}; nothing imported{hint}")
            raise typer.Exit(1)
        # A database made where the user named none: say where (it outlives this command).
        made_at = None
        if db is None and not os.environ.get("SRS_DB") and not dry_run:
            made_at = None if database_path(db).exists() else database_path(db)
        with import_target(db, dry_run=dry_run) as store:
            done, summaries = write_imports(
                store,
                packages,
                plan.batches,
                clock.now(),
                settings=today.settings,
                prune=prune,
                dry_run=dry_run,
            )
    for package in done:
        print_package_import(package, dry_run=dry_run)
    for name, s in zip(plan.names, summaries, strict=True):
        line = f"{name} -> {s.deck}: {s.added} added, {s.updated} updated, {s.unchanged} unchanged"
        if s.pruned:
            line += f", {s.pruned} pruned"
        print(line)
        _print_pairings(s)
        their = "its question" if s.cards_dropped == 1 else "their questions"
        if s.cards_dropped:
            print(
                f"  {plural(s.cards_dropped, 'card')} no longer made by {their} (a gap or"
                " `reversed:` removed): suspended, history kept"
            )
        if s.cards_back:
            their = "its question" if s.cards_back == 1 else "their questions"
            print(f"  {plural(s.cards_back, 'card')} made again by {their}: unsuspended")
        if s.gone and not s.pruned:
            print(f"  {len(s.gone)} no longer in the source (kept; --prune deletes them):")
            for text in s.gone:
                print(f"    - {shorten(text, 70)}")
    if errors:
        print(f"Skipped what has errors ({plural(errors, 'error')}, listed above).")
    if dry_run:
        print("Dry run: nothing written.")
    if made_at is not None:
        print(f"New database: {shown_path(made_at)} (SRS_DB or --db choose another)")


NO_CARDS = """\
No cards yet. Add some first:
  srs import FILE...     your own question banks (Markdown or text; see the README)
  srs import --bundled   the decks that ship with srs (MLOps basics, CI/CD for ML)"""


def _print_pairings(summary: FileImport) -> None:
    """Which questions were taken as edits of others, and which could not be told apart."""
    if summary.paired:
        n = len(summary.paired)
        their = "its card and history" if n == 1 else "their cards and history"
        print(f"  {plural(n, 'question')} edited (kept {their}):")
        for old, new in summary.paired:
            print(f'    "{shorten(old, 200)}"')
            print(f'    -> "{shorten(new, 200)}"')
    if summary.ambiguous:
        print(
            f"  {len(summary.ambiguous)} not paired with an edit, as more than one pairing"
            " fits (the new questions are added, the old ones kept):"
        )
        for old, candidates in summary.ambiguous:
            print(f'    "{shorten(old, 200)}"')
            for new in candidates:
                print(f'    ~ "{shorten(new, 200)}"')
    if summary.not_compared:
        print(
            f"  edits of a question's text not looked for: {summary.not_compared:,} pairs of"
            " questions to compare, too many (only questions in the same place were compared)"
        )


def review(
    deck: DeckOption = None,
    new: Annotated[
        int | None,
        typer.Option("--new", metavar="N", help="New cards this session (default: today's limit)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N cards.")
    ] = None,
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
        if not store.card_count():
            print(NO_CARDS)
            return
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
        run_session(session, Terminal(), started=time.monotonic(), day_note=day_note(today))


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def export(
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck", "-d", metavar="NAME", help="Export this deck and its sub-decks (repeatable)."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="The .apkg file, or a folder for <deck>.apkg. Default: <deck>.apkg here.",
        ),
    ] = None,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Studied cards go as review cards with their SM-2 state and history.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export decks as an Anki package (.apkg).

    Re-exporting updates the notes in Anki.
    """
    from srs.exporters.anki import write_apkg
    from srs.exports import apkg_path, fsrs_progress
    from srs.media import media_folder

    with open_store(db, read_only=True) as store:
        today = today_of(store)
        if not store.deck_names():
            raise SrsError("nothing to export: the database has no decks (run `srs import`)")
        names = deck or store.export_deck_names(deck)
        path = apkg_path(output, names)
        # Streamed: the cards go from the database to the package one at a time.
        cards = store.iter_export_cards(deck, history=with_progress)
        summary = write_apkg(
            cards,
            path,
            today=today.day,
            now=today.now,
            with_progress=with_progress,
            fsrs=fsrs_progress(store, today.settings) if with_progress else None,
            media_dir=media_folder(store.path),
        )
    print(
        f"Wrote {path}: {summary.notes} notes, {summary.cards} cards,"
        f" {plural(summary.decks, 'deck')}, {_size(summary.bytes)}"
        + (f", {plural(summary.media, 'media file')}" if summary.media else "")
        + (" (with progress)" if with_progress else "")
    )
