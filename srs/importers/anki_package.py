"""Read an Anki package (.apkg, .colpkg) into plain records: note types, decks, notes,
cards, the review log and the media list. Nothing here touches srs's database.

The three package versions Anki writes (rslib/src/import_export/package/meta.rs):

- legacy 1: ``collection.anki2`` (schema 11), no ``meta`` entry; what old Anki and genanki write;
- legacy 2: ``collection.anki21`` (schema 11), ``meta`` version 2 when a current Anki writes it;
- latest: ``collection.anki21b``, zstd-compressed SQLite at schema 18, ``meta`` version 3; the
  media map is a zstd-compressed protobuf and so is each media file. Such packages also
  hold a placeholder ``collection.anki2`` ("please update Anki"), which is ignored.

Schema 11 keeps note types and decks as JSON in ``col``; schema 18 has tables for them,
with a few protobuf blobs read by a minimal decoder here. The collection is read with
sqlite3 from a temporary file (Anki's file, never srs's database).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from srs.clock import QUARTER_MS, StudyDays
from srs.errors import SrsError
from srs.records.anki import (
    AnkiCard,
    AnkiCollection,
    AnkiMedia,
    AnkiNote,
    AnkiNoteType,
    AnkiTemplate,
    PackageVersion,
    ReviewIn,
)

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_VERSIONS: dict[int, PackageVersion] = {1: "legacy1", 2: "legacy2", 3: "latest"}
_FILE_OF: dict[PackageVersion, str] = {
    "legacy1": "collection.anki2",
    "legacy2": "collection.anki21",
    "latest": "collection.anki21b",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"


# --- protobuf, the little of it Anki's schema 18 and the package need ------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def proto_fields(data: bytes) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields: number -> values (ints for varints and fixed, bytes
    for length-delimited); ValueError if it is not a well-formed message."""
    fields: dict[int, list[int | bytes]] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        else:
            raise ValueError(f"unknown wire type {wire}")
        if pos > len(data) or number == 0:
            raise ValueError("malformed message")
        fields.setdefault(number, []).append(value)
    return fields


def _text(fields: dict[int, list[int | bytes]], number: int) -> str:
    values = fields.get(number)
    value = values[-1] if values else b""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _int(fields: dict[int, list[int | bytes]], number: int) -> int | None:
    values = fields.get(number)
    value = values[-1] if values else None
    if not isinstance(value, int):
        return None
    return value - (1 << 64) if value >= 1 << 63 else value  # int64 as two's complement


# --- the package ------------------------------------------------------------------------


class _Bad(Exception):
    """A damaged package: the entry and what is wrong with it."""


def read_package(path: str | Path, *, rollover_hour: int = 4) -> AnkiCollection:
    """Read an Anki package; SrsError with one line naming the entry if it is damaged.
    ``rollover_hour``: when srs's study day starts, which gives each answer its day."""
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, name, StudyDays(rollover_hour))
    except _Bad as e:
        raise SrsError(f"{name}: {e}") from None
    except zipfile.BadZipFile as e:
        raise SrsError(f"{name}: not an Anki package (not a readable zip file: {e})") from None
    except FileNotFoundError:
        raise SrsError(f"{name}: no such file") from None
    except OSError as e:
        raise SrsError(f"{name}: cannot read ({e.strerror or e})") from None


def _version(archive: zipfile.ZipFile, names: set[str]) -> PackageVersion:
    if "meta" in names:
        try:
            meta = proto_fields(archive.read("meta"))
        except (ValueError, zipfile.BadZipFile) as e:
            raise _Bad(f"meta: damaged ({e})") from None
        number = _int(meta, 1) or 0
        if number not in _VERSIONS:
            raise _Bad(
                f"meta: package version {number} is newer than srs reads"
                " (in Anki, export with 'Support older Anki versions')"
            )
        version = _VERSIONS[number]
        if _FILE_OF[version] not in names:
            raise _Bad(f"{_FILE_OF[version]}: missing (meta says package version {number})")
        return version
    if "collection.anki21b" in names:  # Anki writes it only with meta, which says how to read it
        raise _Bad("meta: missing (a package with collection.anki21b has one)")
    if "collection.anki21" in names:
        return "legacy2"
    if "collection.anki2" in names:
        return "legacy1"
    raise _Bad(
        "not an Anki package (a zip without collection.anki2, collection.anki21"
        " or collection.anki21b)"
    )


@contextlib.contextmanager
def _extracted(archive: zipfile.ZipFile, entry: str, zstd: bool) -> Iterator[str]:
    """The entry as a temporary file (decompressed), removed afterwards."""
    fd, tmp = tempfile.mkstemp(prefix="srs-anki-", suffix=".db")
    try:
        with os.fdopen(fd, "wb") as out, archive.open(entry) as source:
            try:
                if zstd:
                    import zstandard

                    zstandard.ZstdDecompressor().copy_stream(source, out)
                else:
                    shutil.copyfileobj(source, out, 1 << 20)
            except zipfile.BadZipFile as e:
                raise _Bad(f"{entry}: damaged ({e})") from None
            except Exception as e:  # zstandard.ZstdError, zlib.error: the data is damaged
                if isinstance(e, OSError) and not str(e):
                    raise
                raise _Bad(f"{entry}: damaged ({type(e).__name__}: {e})") from None
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read(archive: zipfile.ZipFile, path: str, days: StudyDays) -> AnkiCollection:
    names = set(archive.namelist())
    version = _version(archive, names)
    entry = _FILE_OF[version]
    media = _media(archive, names, version)
    with _extracted(archive, entry, zstd=version == "latest") as tmp:
        with open(tmp, "rb") as f:
            if f.read(16) != _SQLITE_MAGIC:
                raise _Bad(f"{entry}: damaged (not an SQLite database)")
        try:
            db = sqlite3.connect(f"file:{tmp}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error as e:
            raise _Bad(f"{entry}: cannot open ({e})") from None
        try:
            # Schema 18 names are compared with Anki's "unicase"; reading needs no order.
            db.create_collation(
                "unicase",
                lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()),
            )
            return _collection(db, path, version, entry, media, days)
        except sqlite3.DatabaseError as e:
            raise _Bad(f"{entry}: not a usable Anki collection ({e})") from None
        finally:
            db.close()


def _collection(
    db: sqlite3.Connection,
    path: str,
    version: PackageVersion,
    entry: str,
    media: list[AnkiMedia],
    days: StudyDays,
) -> AnkiCollection:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = {"col", "notes", "cards", "revlog"} - tables
    if missing:
        raise _Bad(f"{entry}: not an Anki collection (no table {sorted(missing)[0]})")
    crt, conf_text, models_text, decks_text = db.execute(
        "SELECT crt, conf, models, decks FROM col"
    ).fetchone()
    if "notetypes" in tables:
        conf = {
            key: _json(val, f"{entry}: config {key}")
            for key, val in db.execute(
                "SELECT key, val FROM config WHERE key IN ('creationOffset', 'schedVer')"
            )
        }
        notetypes = _notetypes_18(db, entry)
        decks = {
            did: name.replace("\x1f", "::")
            for did, name in db.execute("SELECT id, name FROM decks")
        }
    else:
        conf = _json(conf_text or "{}", f"{entry}: col.conf")
        notetypes = _notetypes_11(_json(models_text or "{}", f"{entry}: col.models"), entry)
        decks = {
            int(did): str(deck.get("name", did))
            for did, deck in _json(decks_text or "{}", f"{entry}: col.decks").items()
        }
    offset = conf.get("creationOffset")
    if isinstance(offset, int):  # minutes west of UTC when the collection was made
        zone = dt.timezone(dt.timedelta(minutes=-max(-1380, min(1380, offset))))
        created = dt.datetime.fromtimestamp(crt, zone).date()
    else:
        created = dt.datetime.fromtimestamp(crt).astimezone().date()
    notes = [
        AnkiNote._make(row)
        for row in db.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
    ]
    # A card in a filtered deck belongs to its original deck, with its original due.
    cards = [
        AnkiCard._make(row)
        for row in db.execute(
            "SELECT id, nid, CASE WHEN odid != 0 THEN odid ELSE did END, ord, mod, type, queue,"
            " CASE WHEN odid != 0 THEN odue ELSE due END, ivl, factor, reps, lapses, data"
            " FROM cards"
        )
    ]
    # Scheduler v1 (schedVer 1) had other buttons while learning; v2 and v3 share a revlog.
    answers = _answers(db, days, v1=int(conf.get("schedVer") or 1) == 1)
    other_entries, resets, scheduled = _other_entries(db)
    return AnkiCollection(
        path=path,
        version=version,
        created=created,
        notetypes=notetypes,
        decks=decks,
        notes=notes,
        cards=cards,
        answers=answers,
        other_entries=other_entries,
        media=media,
        resets=resets,
        scheduled=scheduled,
    )


# --- the review log, as srs's answers -------------------------------------------------------

# Anki's buttons as SM-2 grades: Again 1, Hard 3, Good 4, Easy 5 (README: the mapping).
GRADES = {1: 1, 2: 3, 3: 4, 4: 5}
# Scheduler v1 had three buttons while learning: Again, Good, Easy.
V1_LEARNING_GRADES = {1: 1, 2: 4, 3: 5}
# Review log kinds that are answers: learning (0), review (1), relearning (2). Filtered-deck
# (3), manual (4) and rescheduled (5) entries are not added. Nor is a row without a button.
_IS_ANSWER = "type IN (0, 1, 2) AND ease BETWEEN 1 AND 4"
# Forget (reset to new) logs a manual entry with no interval and no ease factor; Anki's own
# FSRS starts a card's history again after it. ("Set due date" logs a manual entry too,
# with the interval it set.)
_IS_RESET = "type = 4 AND ivl = 0 AND factor = 0"


def _grade_sql(grades: dict[int, int], otherwise: int) -> str:
    cases = " ".join(f"WHEN {ease} THEN {grade}" for ease, grade in grades.items())
    return f"CASE ease {cases} ELSE {otherwise} END"


def _answers(db: sqlite3.Connection, days: StudyDays, *, v1: bool) -> dict[int, list[ReviewIn]]:
    """The review log's answers by card, in time order, each as a ReviewIn: graded, its
    figures clamped, its study day looked up by the quarter hour. A million rows: SQLite
    does the per-row work, and each row becomes a ReviewIn as it is read."""
    grade = _grade_sql(GRADES, 5)
    if v1:
        grade = f"CASE WHEN type = 1 THEN {grade} ELSE {_grade_sql(V1_LEARNING_GRADES, 1)} END"
    # (Each from its end of the table: min and max in one SELECT would scan it.)
    first, last = db.execute(
        f"SELECT (SELECT min(id) FROM revlog) / {QUARTER_MS},"
        f" (SELECT max(id) FROM revlog) / {QUARTER_MS}"
    ).fetchone()
    answers: dict[int, list[ReviewIn]] = {}
    if first is not None:
        db.execute("CREATE TEMP TABLE study_days (quarter INTEGER PRIMARY KEY, day INTEGER)")
        # Every quarter hour from the first entry to the last (35,000 a year); over a longer
        # span (a stray timestamp decades away), those that have entries.
        if last - first <= _MAX_QUARTERS:
            quarter_days: Iterable[tuple[int, int]] = days.quarter_ordinals(first, last)
        else:
            listed = db.execute(f"SELECT DISTINCT id / {QUARTER_MS} FROM revlog").fetchall()
            quarter_days = [(q, days.ordinal_of_quarter(q)) for (q,) in listed]
        db.executemany("INSERT INTO study_days VALUES (?, ?)", quarter_days)
        # In the table's order (by id, so by time: ORDER BY the rowid costs no sort).
        # ORDER BY cid would read the table in the index's order, a random access per row.
        rows = db.execute(
            f"SELECT id, d.day, {grade}, max(time, 0), max(lastIvl, 0), max(ivl, 0),"
            f" factor / 10, cid FROM revlog JOIN temp.study_days d"
            f" ON d.quarter = id / {QUARTER_MS} WHERE {_IS_ANSWER} ORDER BY id"
        )
        for review in map(_new_review, rows):
            found = answers.get(review[7])
            if found is None:
                answers[review[7]] = [review]
            else:
                found.append(review)
    return answers


def _other_entries(
    db: sqlite3.Connection,
) -> tuple[dict[int, tuple[int, int]], dict[int, list[int]], dict[int, int]]:
    """The log entries that are not answers, by card: Forget's (their times, in order); the
    others (how many, and the time of the last); and the time of the last that set the
    card's schedule ("Set due date", a reschedule)."""
    other_entries: dict[int, tuple[int, int]] = {}
    resets: dict[int, list[int]] = {}
    scheduled: dict[int, int] = {}
    # NOT INDEXED: a scan of the table, not its rows in card order (a random read each).
    for cid, entry_id, reset, sets_schedule in db.execute(
        f"SELECT cid, id, {_IS_RESET}, type IN (4, 5) FROM revlog NOT INDEXED"
        f" WHERE NOT ({_IS_ANSWER}) ORDER BY id"
    ):
        if reset:
            resets.setdefault(cid, []).append(entry_id)
            continue
        count, _ = other_entries.get(cid, (0, 0))
        other_entries[cid] = (count + 1, entry_id)
        if sets_schedule:
            scheduled[cid] = entry_id
    return other_entries, resets, scheduled


# tuple.__new__: the fastest way to make a NamedTuple of a row (a million of them).
_new_review = functools.partial(tuple.__new__, ReviewIn)
# Quarter hours listed one by one up to this span (about 30 years).
_MAX_QUARTERS = 1_000_000


def _json(value: str | bytes, where: str):
    try:
        return json.loads(value)
    except (ValueError, TypeError) as e:
        raise _Bad(f"{where}: damaged JSON ({e})") from None


def _notetypes_11(models: dict, entry: str) -> dict[int, AnkiNoteType]:
    notetypes = {}
    try:
        for key, model in models.items():
            fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
            templates = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
            notetypes[int(key)] = AnkiNoteType(
                id=int(model.get("id", key)),
                name=str(model.get("name", "")),
                cloze=model.get("type") == 1,
                fields=tuple(str(f["name"]) for f in fields),
                templates=tuple(
                    AnkiTemplate(
                        str(t.get("name", "")), str(t.get("qfmt", "")), str(t.get("afmt", ""))
                    )
                    for t in templates
                ),
                original_id=model.get("originalId"),
            )
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise _Bad(f"{entry}: col.models: damaged note type ({e})") from None
    return notetypes


def _notetypes_18(db: sqlite3.Connection, entry: str) -> dict[int, AnkiNoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[AnkiTemplate]] = {}
    try:
        for ntid, name, config in db.execute(
            "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"
        ):
            conf = proto_fields(config)
            templates.setdefault(ntid, []).append(
                AnkiTemplate(name, _text(conf, 1), _text(conf, 2))
            )
        notetypes = {}
        for ntid, name, config in db.execute("SELECT id, name, config FROM notetypes"):
            conf = proto_fields(config)
            notetypes[ntid] = AnkiNoteType(
                id=ntid,
                name=name,
                cloze=_int(conf, 1) == 1,
                fields=tuple(fields.get(ntid, ())),
                templates=tuple(templates.get(ntid, ())),
                original_id=_int(conf, 10),
            )
    except ValueError as e:
        raise _Bad(f"{entry}: damaged note type ({e})") from None
    return notetypes


def _media(archive: zipfile.ZipFile, names: set[str], version: PackageVersion) -> list[AnkiMedia]:
    if "media" not in names:
        return []
    try:
        data = archive.read("media")
    except zipfile.BadZipFile as e:
        raise _Bad(f"media: damaged ({e})") from None
    if version == "latest":
        try:
            import zstandard

            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
            entries = proto_fields(data).get(1, [])
            media = []
            for index, raw in enumerate(entries):
                if not isinstance(raw, bytes):
                    raise ValueError("media entry is not a message")
                media.append(AnkiMedia(_text(proto_fields(raw), 1), str(index), zstd=True))
        except Exception as e:  # zstandard.ZstdError, ValueError: damaged
            raise _Bad(f"media: damaged ({type(e).__name__}: {e})") from None
    else:
        mapping = _json(data or b"{}", "media")
        if not isinstance(mapping, dict):
            raise _Bad("media: damaged (not a JSON object)")
        media = [AnkiMedia(str(name), str(entry), zstd=False) for entry, name in mapping.items()]
    for item in media:
        if item.entry not in names:
            raise _Bad(f"media: file {item.entry} ({item.name}) missing from the package")
    return media


def read_media(path: str | Path, media: AnkiMedia) -> bytes:
    """One media file's bytes, decompressed; SrsError if the entry is damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read(media.entry)
        if media.zstd:
            import zstandard

            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        return data
    except Exception as e:  # BadZipFile, ZstdError, OSError
        raise SrsError(f"{path}: media file {media.entry} ({media.name}): damaged ({e})") from None
