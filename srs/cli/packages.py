"""`srs import` of Anki packages (.apkg, .colpkg): each imported (srs.imports), then reported."""

from __future__ import annotations

from pathlib import Path

from srs import clock
from srs.cli.options import plural
from srs.runtime import import_target, today_of


def import_packages(paths: list[Path], db: Path | None, *, dry_run: bool) -> None:
    """Import each package in its own transaction and print what it did."""
    from srs.imports import import_package

    with import_target(db, dry_run=dry_run) as store:
        today = today_of(store)
        for path in paths:
            done = import_package(
                store,
                path,
                clock.now(),
                today=today.day,
                settings=today.settings,
                dry_run=dry_run,
            )
            summary = done.summary
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
                    f", {plural(done.media_written, 'media file')}"
                    + (" to copy" if dry_run else " copied")
                    if done.media_written
                    else ""
                )
            )
            if done.skipped_reviews:
                n = done.skipped_reviews
                print(
                    f"  {n} review log {'entry' if n == 1 else 'entries'} left out"
                    " (manual, rescheduled and filtered-deck entries are not answers)"
                )
