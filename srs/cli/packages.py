"""`srs import` of Anki packages (.apkg, .colpkg): read, place the media, import, report."""

from __future__ import annotations

import gc
from pathlib import Path

from srs import clock
from srs.cli.options import plural
from srs.runtime import import_target, today_of


def import_packages(paths: list[Path], db: Path | None, *, dry_run: bool) -> None:
    """Import each package in its own transaction and print what it did."""
    # Millions of small objects (a review log), none in reference cycles: the cyclic
    # collector's passes over the growing heap would take a third of a big import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _import_packages(paths, db, dry_run=dry_run)
    finally:
        if collecting:
            gc.enable()


def _import_packages(paths: list[Path], db: Path | None, *, dry_run: bool) -> None:
    from srs.importers.anki_notes import rename_media, to_import
    from srs.importers.anki_package import read_media, read_package
    from srs.media import media_folder, place_media
    from srs.scheduler import scheduler_for

    with import_target(db, dry_run=dry_run) as store:
        today = today_of(store)
        scheduler = scheduler_for(today.settings)
        rollover = today.settings.rollover_hour
        for path in paths:
            collection = read_package(path)
            package = to_import(collection, today=today.day, rollover_hour=rollover)
            del collection  # its rows are in `package` now: a big one is freed early
            by_name = {m.name: m for m in package.media}
            placed = place_media(
                list(by_name),
                lambda name, p=path, media=by_name: read_media(p, media[name]),
                media_folder(store.path),
                dry_run=dry_run,
            )
            package.notes = rename_media(package.notes, placed.renames)
            try:
                summary = store.import_anki(
                    package,
                    clock.now(),
                    answer=scheduler.answer,
                    rollover_hour=rollover,
                    dry_run=dry_run,
                )
            except BaseException:
                placed.remove_written()
                raise
            decks = ", ".join(summary.decks[:3]) + (", ..." if len(summary.decks) > 3 else "")
            line = (
                f"{path} -> {decks or 'no decks'}: {summary.added} added,"
                f" {summary.updated} updated, {summary.unchanged} unchanged"
            )
            if summary.kept:
                line += f", {summary.kept} kept (changed in srs since)"
            print(line)
            print(
                f"  {plural(summary.cards_added, 'card')} added,"
                f" {plural(summary.reviews_added, 'review')} added,"
                f" {plural(summary.schedules_changed, 'schedule')} changed"
                + (
                    f", {plural(len(placed.written), 'media file')}"
                    + (" to copy" if dry_run else " copied")
                    if placed.written
                    else ""
                )
            )
            if package.skipped_reviews:
                n = package.skipped_reviews
                print(
                    f"  {n} review log {'entry' if n == 1 else 'entries'} left out"
                    " (manual, rescheduled and filtered-deck entries are not answers)"
                )
