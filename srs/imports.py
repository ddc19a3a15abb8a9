"""`srs import` without a terminal: which paths are Anki packages, which files are read
and parsed, which are left unread (unchanged since their last clean import) or skipped (in
a folder, and not a question bank); the packages read before anything is written; then all
of it written in one transaction. The command prints what this finds and did."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from srs.errors import SrsError
from srs.importers import expand_paths, packages_in, parse_bytes, read_bytes, source_digest
from srs.importers.detect import is_package
from srs.records import ParseResult
from srs.store.questions import Batch

if TYPE_CHECKING:
    from srs.memory import Refreshed
    from srs.records import FileImport
    from srs.records.anki import AnkiImport, AnkiImportSummary
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
    # In a folder: Anki packages, which are imported only when named (a whole collection).
    skipped_packages: list[Path] = field(default_factory=list)

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
        if in_folder:
            plan.skipped_packages += packages_in(path)
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
class PackageRead:
    """An Anki package read and parsed, not yet written."""

    path: Path
    package: AnkiImport


@dataclass
class PackageImport:
    """What one Anki package's import did, for the command to report."""

    path: Path
    summary: AnkiImportSummary
    media_written: int  # files copied next to the database (to copy, on a dry run)
    skipped_reviews: int  # log entries that are not answers (manual, rescheduled, filtered)
    memories: Refreshed | None = None  # under FSRS: the memories of its decks' cards


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused meanwhile. A package brings millions of small
    objects (a review log), none in reference cycles: the collector's passes over the
    growing heap would take a third of a big import."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def read_packages(
    paths: Sequence[Path], *, today: dt.date, rollover_hour: int
) -> tuple[list[PackageRead], list[str]]:
    """Each package read and parsed, before anything is written; one that cannot be read
    gives its line (``FILE: what is wrong``) instead."""
    from srs.importers.anki_notes import to_import
    from srs.importers.anki_package import read_package

    reads: list[PackageRead] = []
    problems: list[str] = []
    for path in paths:
        try:
            collection = read_package(path, rollover_hour=rollover_hour)
        except SrsError as e:
            problems.append(str(e))
            continue
        package = to_import(collection, today=today)
        del collection  # its rows are in `package` now: a big one is freed early
        reads.append(PackageRead(path, package))
    return reads, problems


def write_imports(
    store: Store,
    packages: Sequence[PackageRead],
    batches: Sequence[Batch],
    now: dt.datetime,
    *,
    settings: Settings,
    prune: bool,
    dry_run: bool,
) -> tuple[list[PackageImport], list[FileImport]]:
    """The packages (media copied next to the database, then notes, cards and answers),
    then the question files, in one transaction: all of it or nothing. On failure the
    media copied are removed. ``settings``: the store's, as the packages were read with."""
    from srs.importers.anki_notes import rename_media
    from srs.importers.anki_package import read_media
    from srs.media import Placed, media_folder, place_media
    from srs.scheduler import scheduler_by_deck

    fitted = store.fitted_parameters() if settings.scheduler == "fsrs" else {}
    scheduler_of = scheduler_by_deck(settings, fitted)
    placed_all: list[Placed] = []
    done: list[PackageImport] = []
    try:
        # One transaction around them all when there are several, or when FSRS memories
        # are refreshed after a package: each part's own is then a savepoint in it. (Not for
        # one alone: a savepoint's journal costs a fifth of a big import.)
        refresh = settings.scheduler == "fsrs" and not dry_run
        several = len(packages) + bool(batches) > 1 or (refresh and bool(packages))
        with store.atomic(dry_run=dry_run) if several else contextlib.nullcontext():
            for read in packages:
                package, path = read.package, read.path
                by_name = {m.name: m for m in package.media}
                placed = place_media(
                    list(by_name),
                    lambda name, path=path, by_name=by_name: read_media(path, by_name[name]),
                    media_folder(store.path),
                    dry_run=dry_run,
                )
                placed_all.append(placed)
                package.notes = rename_media(package.notes, placed.renames)
                summary = store.import_anki(
                    package,
                    now,
                    answer_for=lambda deck: scheduler_of(deck).answer,
                    rollover_hour=settings.rollover_hour,
                    dry_run=dry_run,
                )
                memories = None
                if refresh:
                    # Cards that keep Anki's schedule come without srs's FSRS memory: their
                    # decks' are replayed from the log, as switching to FSRS does.
                    memories = _refresh(store, summary.decks)
                done.append(
                    PackageImport(
                        path, summary, len(placed.written), package.skipped_reviews, memories
                    )
                )
            files = (
                store.import_questions(batches, now, prune=prune, dry_run=dry_run)
                if batches
                else []
            )
    except BaseException:
        for placed in placed_all:
            placed.remove_written()
        raise
    return done, files


def _refresh(store: Store, decks: Sequence[str]) -> Refreshed:
    """refresh_memories of each deck (a deck's sub-decks are in it), added up."""
    from srs.memory import Refreshed, refresh_memories

    total = Refreshed()
    names = [
        d for d in decks if not any(d.casefold().startswith(p.casefold() + "::") for p in decks)
    ]
    for deck in names:
        one = refresh_memories(store, deck)
        total = Refreshed(
            total.replayed + one.replayed, total.from_sm2 + one.from_sm2, total.new + one.new
        )
    return total
