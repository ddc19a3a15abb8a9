"""What `srs import` makes of the paths it is given, without a terminal: which are Anki
packages, which files are read and parsed, which are left unread (unchanged since their
last clean import) or skipped (in a folder, and not a question bank), and the batches the
store then takes. The command prints what this finds and writes the batches."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from srs.errors import SrsError
from srs.importers import expand_paths, parse_bytes, read_bytes, source_digest
from srs.importers.detect import is_package
from srs.records import ParseResult
from srs.store.questions import Batch

if TYPE_CHECKING:
    from srs.records.anki import AnkiImportSummary
    from srs.settings import Settings
    from srs.store import Store

# {resolved path: digest} of the files read -> those of them imported cleanly with that
# digest, by deck name (Store.unchanged_sources, through the command's database).
Unchanged = Callable[[dict[str, str]], dict[str, str]]


@dataclass
class ImportPlan:
    packages: list[Path] = field(default_factory=list)  # Anki packages, named as such
    batches: list[Batch] = field(default_factory=list)  # the question files, for the store
    names: list[str] = field(default_factory=list)  # each batch's file as given
    parsed: list[ParseResult] = field(default_factory=list)  # the files read and parsed
    skipped: list[Path] = field(default_factory=list)  # in a folder, and not a question bank

    @property
    def empty(self) -> bool:
        """Nothing to import: every file found in a folder was skipped."""
        return not self.batches and not self.packages

    @property
    def errors(self) -> int:
        return sum(len(result.errors) for result in self.parsed)

    def has_valid_questions(self) -> bool:
        """Whether --skip-invalid would import anything (a file left unread counts)."""
        return any(batch.questions for batch in self.batches)


def plan_import(
    paths: Sequence[Path],
    *,
    deck: str | None,
    first_option_correct: bool,
    prune: bool,
    unchanged: Unchanged,
) -> ImportPlan:
    """Sort, read and parse the paths (folders give their files). SrsError for a path that
    cannot be read, and for --deck or --prune with a package."""
    plan = ImportPlan()
    files: list[tuple[Path, bool]] = []  # (file, found in a folder)
    for path in paths:
        in_folder = path.is_dir()
        for file in expand_paths([path]):
            if not in_folder and is_package(file):
                plan.packages.append(file)
            else:
                files.append((file, in_folder))
    if plan.packages and (deck is not None or prune):
        raise SrsError("--deck and --prune are for question files, not Anki packages")
    # Files whose import is recorded with the same digest are not parsed again.
    data = [read_bytes(file) for file, _ in files]
    sources = [str(file.resolve()) for file, _ in files]
    digests = [source_digest(d, first_option_correct=first_option_correct, deck=deck) for d in data]
    known = unchanged(dict(zip(sources, digests, strict=True)))
    for (file, in_folder), content, source, digest in zip(
        files, data, sources, digests, strict=True
    ):
        parse = partial(parse_bytes, content, str(file), first_option_correct=first_option_correct)
        if source in known:
            # Parsed only if a question of it changes before the import writes (see Batch).
            plan.names.append(str(file))
            plan.batches.append(Batch(known[source], source, lambda p=parse: p().questions, digest))
            continue
        result = parse()
        if in_folder and not result.looks_like_deck:
            plan.skipped.append(file)
            continue
        plan.parsed.append(result)
        plan.names.append(str(file))
        clean = not result.problems and result.looks_like_deck
        name = deck or result.deck or file.stem
        plan.batches.append(Batch(name, source, result.questions, digest if clean else None))
    return plan


@dataclass
class PackageImport:
    """What one Anki package's import did, for the command to report."""

    summary: AnkiImportSummary
    media_written: int  # files copied next to the database (to copy, on a dry run)
    skipped_reviews: int  # log entries that are not answers (manual, rescheduled, filtered)


def import_package(
    store: Store,
    path: Path,
    now: dt.datetime,
    *,
    today: dt.date,
    settings: Settings,
    dry_run: bool,
) -> PackageImport:
    """Read an Anki package, copy its media next to the database, and import its notes,
    cards and answers in one transaction; on failure the media it copied are removed.
    ``settings``: the store's, as the command read them with ``today``."""
    from srs.importers.anki_notes import rename_media, to_import
    from srs.importers.anki_package import read_media, read_package
    from srs.media import media_folder, place_media
    from srs.scheduler import scheduler_for

    rollover = settings.rollover_hour
    # Millions of small objects (a review log), none in reference cycles: the cyclic
    # collector's passes over the growing heap would take a third of a big import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        collection = read_package(path)
        package = to_import(collection, today=today, rollover_hour=rollover)
        del collection  # its rows are in `package` now: a big one is freed early
        by_name = {m.name: m for m in package.media}
        placed = place_media(
            list(by_name),
            lambda name: read_media(path, by_name[name]),
            media_folder(store.path),
            dry_run=dry_run,
        )
        package.notes = rename_media(package.notes, placed.renames)
        try:
            summary = store.import_anki(
                package,
                now,
                answer=scheduler_for(settings).answer,
                rollover_hour=rollover,
                dry_run=dry_run,
            )
        except BaseException:
            placed.remove_written()
            raise
        return PackageImport(summary, len(placed.written), package.skipped_reviews)
    finally:
        if collecting:
            gc.enable()
