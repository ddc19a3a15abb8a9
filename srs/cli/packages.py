"""What `srs import` prints for an Anki package (.apkg, .colpkg) it imported (srs.imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from srs.cli.options import plural

if TYPE_CHECKING:
    from srs.imports import PackageImport


def print_package_import(done: PackageImport, *, dry_run: bool) -> None:
    """The package's line: its decks and notes; then its cards, answers and media."""
    summary = done.summary
    decks = ", ".join(summary.decks[:3]) + (", ..." if len(summary.decks) > 3 else "")
    line = (
        f"{done.path} -> {decks or 'no decks'}: {summary.added} added,"
        f" {summary.updated} updated, {summary.unchanged} unchanged"
    )
    if summary.kept:
        line += f", {summary.kept} kept (srs's copy is newer)"
    print(line)
    print(
        f"  {plural(summary.cards_added, 'card')} added,"
        f" {plural(summary.reviews_added, 'review')} added,"
        + (f" {plural(summary.resets_added, 'reset')} added," if summary.resets_added else "")
        + f" {plural(summary.schedules_changed, 'schedule')} changed"
        + (
            f", {plural(done.media_written, 'media file')}" + (" to copy" if dry_run else " copied")
            if done.media_written
            else ""
        )
    )
    if done.memories is not None:
        m = done.memories
        print(
            f"  FSRS memory of its decks: {m.replayed} replayed from the review log,"
            f" {m.from_sm2} from the SM-2 state, {plural(m.new, 'card')} new"
        )
    if done.skipped_reviews:
        n = done.skipped_reviews
        what = "entry is not an answer" if n == 1 else "entries are not answers"
        print(
            f"  {n} review log {what} (manual, rescheduled, filtered-deck), not added to the"
            " log; a due date set by hand after a card's last answer is its schedule"
        )
