"""Export cards to an Anki package (.apkg) that Anki imports, updates and schedules correctly.

genanki builds the note types and decks into a legacy (schema 11) collection; this module
writes the notes and cards as genanki's Note would (the same rows and ids, batched: a test
holds them equal), adjusts the collection where genanki has no API (note mod times, the
scheduler settings, review progress, the review log) and zips it compressed.

What Anki does with the package (checked against the real backend in the tests):

* Notes are matched by GUID, which is ``CardExport.guid``, never derived from field text,
  so a fixed typo updates the note. Anki only takes the incoming copy when its mod time
  is newer than its own, so each note's mod is ``content_changed_at`` (which the store
  moves on by at least a second with every change) plus ``FIELDS_REVISION``.
* The note types carry hard-coded ids, and every field and template a permanent ``id``:
  Anki matches fields and templates by id, so renaming one never splits the note type.
* Tags: Anki tags cannot hold white space, so every run of white space in a tag becomes
  ``_`` ("exam prep" is exported as ``exam_prep``).
* Field text shows as typed (anki_html): HTML and Anki's own markup escaped, code as
  monospace, control characters replaced. The options go in an order of their own, shuffled
  again at every review where the templates' JavaScript runs (anki_options).
* Progress (``with_progress=True``) only applies to notes new to the collection, and only
  when "Import any learning progress" is ticked (``with_scheduling`` in the import API).
  Cards carry what Anki's Check Database would otherwise add (the last review time), and a
  card waiting for its same-day repeat arrives as a learning or relearning card due today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
import os
import re
import secrets
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import genanki
from srs.exporters.anki_html import attribute, clean, cloze_html, text_to_html
from srs.exporters.anki_options import OptionOrders, shuffle_script

from srs.errors import SrsError, why_not_written
from srs.markup import media_files
from srs.records import CardExport, FsrsProgress, Question, Review
from srs.records.export import ScheduleSet, note_mod

# --- Note types. Ids, field names and order, template names: fixed forever. -----------

MCQ_MODEL_ID = 1_531_240_501
QA_MODEL_ID = 1_531_240_502

# When the templates or CSS change, set this to the time of the change: Anki replaces its
# copy of a note type only when the incoming one is newer (and leaves a user's own
# tweaks alone otherwise). A constant on purpose: the export time would rewrite the note
# type on every import.
TEMPLATES_REVISED_AT = 1_795_392_000  # 2026-11-23T00:00:00Z: options shuffled per review

MCQ_FIELDS = (
    ("Question", 8_301_531_240_001),  # the question, its title folded in on top
    ("Options", 8_301_531_240_002),  # the options as a list, no marks: the front
    ("Answer", 8_301_531_240_003),  # the same list, right options marked: the back
    ("Explanation", 8_301_531_240_004),
    ("Source", 8_301_531_240_005),  # "path:line" in the srs deck files
)
MCQ_TEMPLATE = ("Multiple choice", 8_301_531_240_101)

QA_FIELDS = (
    ("Question", 8_301_531_240_201),
    ("Answer", 8_301_531_240_202),
    ("Explanation", 8_301_531_240_203),
    ("Source", 8_301_531_240_204),
)
QA_TEMPLATE = ("Question/answer", 8_301_531_240_301)

# A question asked both ways (Anki's "Basic (and reversed card)", imported): two templates.
REVERSED_MODEL_ID = 1_531_240_503
REVERSED_FIELDS = (
    ("Question", 8_301_531_240_401),
    ("Answer", 8_301_531_240_402),
    ("Explanation", 8_301_531_240_403),
    ("Source", 8_301_531_240_404),
)
REVERSED_TEMPLATES = (
    ("Question/answer", 8_301_531_240_501),
    ("Answer/question", 8_301_531_240_502),
)

# Cloze questions (srs's Markdown `{{c1::...}}`, or Anki's cloze notes): a cloze note type.
CLOZE_MODEL_ID = 1_531_240_504
CLOZE_FIELDS = (
    ("Text", 8_301_531_240_601),
    ("Back Extra", 8_301_531_240_602),
    ("Source", 8_301_531_240_603),
)
CLOZE_TEMPLATE = ("Cloze", 8_301_531_240_701)

# The marks live only in the Answer field, so the front's HTML never holds the answer; the
# back needs no JavaScript, just this CSS. Where JavaScript runs, both sides shuffle the
# options at every review, the back in the front's order (anki_options).
CSS = """\
.card { font-family: sans-serif; font-size: 20px; text-align: left; color: #1f2328;
  background-color: #fff; line-height: 1.4; }
.nightMode.card, .night_mode .card { color: #e6edf3; background-color: #0d1117; }
.srs-title { font-weight: bold; margin-bottom: .4em; }
.srs-title::before { content: attr(data-title); }
.srs pre { font-size: 85%; padding: .5em .7em; overflow-x: auto; border-radius: 4px;
  background-color: rgba(127, 127, 127, .12); }
.srs code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 90%; }
.srs pre code { font-size: 100%; }
.srs-options li { margin: .3em 0; }
.srs-choose { font-weight: bold; margin-top: .6em; }
.srs-options li[data-answer="true"] { font-weight: bold; color: #1a7f37; }
.srs-options li[data-answer="true"]::after { content: " \\2714"; }
.nightMode .srs-options li[data-answer="true"] { color: #3fb950; }
.srs-options li[data-answer="false"] { opacity: .65; }
.srs-explanation { margin-top: 1em; }
.srs-source { margin-top: 1.5em; font-size: 60%; opacity: .6; }
.cloze { font-weight: bold; color: #0969da; }
.nightMode .cloze { color: #58a6ff; }
"""

_BACK_TAIL = """
{{#Explanation}}<div class="srs-explanation">{{Explanation}}</div>{{/Explanation}}
{{#Source}}<div class="srs-source">{{Source}}</div>{{/Source}}
</div>"""

MCQ_FRONT = """<div class="srs srs-mcq mathjax_ignore tex2jax_ignore">
<div class="srs-question">{{Question}}</div>
{{Options}}
</div>
""" + shuffle_script("front")
MCQ_BACK = (
    """<div class="srs srs-mcq mathjax_ignore tex2jax_ignore">
<div class="srs-question">{{Question}}</div>
<hr id="answer">
{{Answer}}"""
    + _BACK_TAIL
    + "\n"
    + shuffle_script("back")
)

QA_FRONT = """<div class="srs srs-qa mathjax_ignore tex2jax_ignore">
<div class="srs-question">{{Question}}</div>
</div>"""
QA_BACK = (
    """<div class="srs srs-qa mathjax_ignore tex2jax_ignore">
<div class="srs-question">{{Question}}</div>
<hr id="answer">
<div class="srs-answer">{{Answer}}</div>"""
    + _BACK_TAIL
)


REVERSED_FRONT = """<div class="srs srs-qa">
<div class="srs-question">{{Answer}}</div>
</div>"""
REVERSED_BACK = (
    """<div class="srs srs-qa">
<div class="srs-question">{{Answer}}</div>
<hr id="answer">
<div class="srs-answer">{{Question}}</div>"""
    + _BACK_TAIL
)

CLOZE_FRONT = """<div class="srs srs-cloze">{{cloze:Text}}</div>"""
CLOZE_BACK = """<div class="srs srs-cloze">{{cloze:Text}}
{{#Back Extra}}<div class="srs-explanation">{{Back Extra}}</div>{{/Back Extra}}
{{#Source}}<div class="srs-source">{{Source}}</div>{{/Source}}
</div>"""

# --- Scheduling ------------------------------------------------------------------------

# The package's collection counts days from 2000-01-01 (its crt, with a creation offset of
# UTC) and rolls over at 4 am local time, Anki's default. On import Anki shifts every
# review card's due by (this collection's day number - the target's), both computed at
# import time in the same local time zone, so "due in N days" survives the trip, even
# when the import happens days after the export.
ANKI_CRT = 946_728_000  # 2000-01-01T12:00:00Z
_CRT_DATE = dt.date(2000, 1, 1)
ROLLOVER_HOUR = 4

# Anki caps the time taken per answer at the deck's "maximum answer seconds" (60 by default).
MAX_ANSWER_MS = 60_000

# Revlog types: 0 learn, 1 review, 2 relearn, 3 filtered (cram).
_REVLOG_TYPES = {"new": 0, "review": 1, "cram": 3}

# Deflate level 1: most of level 9's shrink on a collection (~9x vs ~12x on text) at a
# fraction of its time, which keeps the export near plain genanki's speed.
_ZIP_LEVEL = 1


@dataclass(frozen=True)
class ExportSummary:
    """What was written: notes, cards, the file's size in bytes, decks holding cards."""

    notes: int
    cards: int
    bytes: int
    decks: int
    media: int = 0  # media files carried


# --- Text -------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def anki_tag(tag: str) -> str:
    """A tag Anki accepts: white space is invalid in Anki tags, so each run becomes ``_``.

    ``"exam prep"`` -> ``"exam_prep"``; leading and trailing white space is dropped.
    """
    return clean(_SPACE.sub("_", tag.strip()))


def anki_tags(tags: Iterable[str]) -> list[str]:
    """Tags for one note: made valid for Anki, empty ones dropped, duplicates removed."""
    return list(dict.fromkeys(t for t in map(anki_tag, tags) if t))


@functools.lru_cache(maxsize=4096)
def _tags_field(tags: tuple[str, ...]) -> str:
    """A note's tags column as genanki writes it, " tag1 tag2 " (few distinct tag sets)."""
    return f" {' '.join(anki_tags(tags))} "


def deck_name(name: str) -> str:
    """A deck name as Anki stores it: ``::``-separated parts, each trimmed, none empty."""
    parts = [p.strip() for p in clean(name).split("::")]
    return "::".join(p for p in parts if p) or "Default"


def deck_id(name: str) -> int:
    """A stable id for a deck name: a hash of it, as a positive 31-bit int (never 1, Default)."""
    value = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFF_FFFF
    return value if value > 1 else value + 2


def _question_html(q: Question) -> str:
    body = text_to_html(q.text)
    if q.title:
        # The title is shown by CSS from an attribute, so the Question field's text (Anki's
        # sort field, HTML stripped) is the question alone: the browser sorts by question.
        return f'<div class="srs-title" data-title="{attribute(q.title)}"></div>{body}'
    # A note without a front makes no card in Anki; a question is never empty in practice.
    return body or "&nbsp;"


def _source_html(card: CardExport) -> str:
    """The Source field: where the question came from, and its identity in srs unless that
    is a hash of its text (another srs database reads it back from there)."""
    source = text_to_html(card.source)
    if card.uid and not card.uid.startswith("text:"):
        source += f' <span class="srs-uid">{text_to_html(card.uid)}</span>'
    return source


def _fields(card: CardExport, orders: OptionOrders) -> list[str]:
    q = card.question
    source = _source_html(card)
    markup = q.markup  # a note imported from Anki: its HTML as it was
    explanation = markup.explanation if markup else text_to_html(q.explanation)
    if q.kind == "cloze":
        return [markup.text if markup else cloze_html(q.text), explanation, source]
    if q.kind in ("basic", "reversed"):
        if markup:
            return [markup.text or "&nbsp;", markup.answer, explanation, source]
        return [_question_html(q), text_to_html(q.answer), explanation, source]
    if not q.options:
        return [_question_html(q), "", "", explanation, source]
    # The options as an ordered list, front (plain) and back (marked), each escaped once,
    # in the note's own fixed order: the source order would give the answer away.
    right = set(q.answers)
    order = orders.order(card.deck, card.guid, len(q.options), q.answers)
    options = [text_to_html(q.options[i]) for i in order]
    front = "".join([f"<li>{o}</li>" for o in options])
    back = "".join(
        [
            f'<li data-answer="{"true" if i in right else "false"}" data-i="{i}">{o}</li>'
            for i, o in zip(order, options, strict=True)
        ]
    )
    # As srs asks it: with more than one right option, how many to choose (or the count
    # alone would give nothing away, but its absence would mislead).
    choose = f'<div class="srs-choose">Choose {len(right)}:</div>' if len(right) > 1 else ""
    return [
        _question_html(q),
        f'{choose}<ol class="srs-options" type="A">{front}</ol>',
        f'<ol class="srs-options" type="A">{back}</ol>',
        explanation,
        source,
    ]


# --- genanki, with what it lacks ----------------------------------------------------------


class _Model(genanki.Model):
    """A genanki model whose notetype mtime is TEMPLATES_REVISED_AT, not the export time."""

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data = super().to_json(timestamp, deck_id)
        data["mod"] = TEMPLATES_REVISED_AT
        return data


@dataclass(slots=True)
class _Note:
    """A note as genanki would write it (genanki's Note, without its per-note checks and
    one-row-at-a-time inserts), until its cards have all come."""

    model: _Model
    fields: list[str]
    tags: str  # as genanki formats them: " tag1 tag2 "
    guid: str
    due: int  # new-card order
    # Its own mod time: Anki decides whether to update its copy of a note by this stamp
    # (genanki would stamp every note with the one package timestamp).
    mod: int
    ords: tuple[int, ...] = (0,)  # its cards' numbers
    deck_id: int = 0


def _card_ords(model: _Model, fields: list[str]) -> list[int]:
    """The cards a note makes, as genanki's Note.cards works them out for its note type."""
    return [
        card_ord
        for card_ord, any_or_all, required in model._req
        if (any if any_or_all == "any" else all)(fields[i] for i in required)
    ]


_Ids = tuple[tuple[str, int], ...]


def _model(
    model_id: int,
    name: str,
    fields: _Ids,
    template: tuple[str, int],
    front: str,
    back: str,
    *more: tuple[tuple[str, int], str, str],
    model_type: int = genanki.Model.FRONT_BACK,
) -> _Model:
    templates = [(template, front, back), *more]
    return _Model(
        model_id,
        name,
        fields=[{"name": n, "id": i} for n, i in fields],
        templates=[
            {"name": t[0], "id": t[1], "qfmt": qfmt, "afmt": afmt} for t, qfmt, afmt in templates
        ],
        css=CSS,
        model_type=model_type,
    )


def _models() -> dict[str, _Model]:
    return {
        "mcq": _model(
            MCQ_MODEL_ID, "srs multiple choice", MCQ_FIELDS, MCQ_TEMPLATE, MCQ_FRONT, MCQ_BACK
        ),
        "basic": _model(
            QA_MODEL_ID, "srs question/answer", QA_FIELDS, QA_TEMPLATE, QA_FRONT, QA_BACK
        ),
        "reversed": _model(
            REVERSED_MODEL_ID,
            "srs question/answer (and reversed)",
            REVERSED_FIELDS,
            REVERSED_TEMPLATES[0],
            QA_FRONT,
            QA_BACK,
            (REVERSED_TEMPLATES[1], REVERSED_FRONT, REVERSED_BACK),
        ),
        "cloze": _model(
            CLOZE_MODEL_ID,
            "srs cloze",
            CLOZE_FIELDS,
            CLOZE_TEMPLATE,
            CLOZE_FRONT,
            CLOZE_BACK,
            model_type=genanki.Model.CLOZE,
        ),
    }


# --- Scheduling helpers --------------------------------------------------------------------


def anki_day_number(now: dt.datetime) -> int:
    """The day number Anki computes for the package's collection at ``now`` (local time)."""
    local = now.astimezone()
    day = local.date() if local.hour >= ROLLOVER_HOUR else local.date() - dt.timedelta(days=1)
    return (day - _CRT_DATE).days


def anki_ease(grade: int) -> int:
    """SM-2 grade 0-5 as Anki's answer button 1-4: 0-2 again, 3 hard, 4 good, 5 easy."""
    return max(1, grade - 1)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _revlog_rows(
    card_id: int,
    reviews: Iterable[Review],
    now_ms: int,
    resets: Iterable[dt.datetime] = (),
    scheduled: Iterable[ScheduleSet] = (),
) -> list[list[int]]:
    """A card's review log as revlog rows; its resets as Anki's Forget entries (manual, no
    interval, no ease factor: Anki's FSRS starts the card's history again after one); and,
    if its schedule was last given otherwise than by an answer (taken from Anki, postponed),
    that as a manual entry like "Set due date"'s, which an import takes the card's schedule
    from (only the last: one row, not the card's every such change, in Anki's log). Ids are
    the times in ms, not yet unique."""
    rows = []
    resets = [_utc(at) for at in resets]
    # The schedule last given otherwise than by an answer, if it is still the card's.
    latest = max(scheduled, key=lambda s: _utc(s.at), default=None)
    later = [_utc(r.reviewed_at) for r in reviews if r.kind != "cram"] + resets
    if latest is not None and any(at >= _utc(latest.at) for at in later):
        latest = None
    reviewed = False  # a same-day repeat is learning until the card's first real review
    interval = 0  # the card's interval, for a reset's "interval before"
    # In time order; at one moment, a change before an answer (as srs replays them).
    events: list[tuple[dt.datetime, int, Any]] = [(at, 0, None) for at in resets]
    if latest is not None:
        events.append((_utc(latest.at), 1, latest))
    events += [(_utc(r.reviewed_at), 2, r) for r in reviews]
    events.sort(key=lambda e: (e[0], e[1]))
    for at, rank, item in events:
        if rank == 0:
            rows.append(_reset_row(card_id, at, interval, now_ms))
            reviewed, interval = False, 0
            continue
        if rank == 1:
            rows.append(
                # id, cid, usn, ease, ivl, lastIvl, factor, time, type (4: manual)
                [_ms_at(at, now_ms), card_id, -1, 0, item.interval, item.interval_before]
                + [item.ef * 10, 0, 4]
            )
            interval = item.interval
            continue
        r = item
        if r.kind != "cram":
            interval = r.interval_after
        if r.kind == "repeat":
            kind = 2 if reviewed else 0
        else:
            kind = _REVLOG_TYPES.get(r.kind, 1)
            reviewed = reviewed or r.kind == "review"
        rows.append(
            [
                _ms_at(at, now_ms),
                card_id,
                -1,  # usn
                anki_ease(r.grade),
                r.interval_after,
                r.interval_before,
                # Cramming leaves the schedule alone: Anki's mark for it is ease factor 0
                # on a filtered review, which keeps it out of scheduling (and FSRS).
                0 if r.kind == "cram" else r.ef_after * 10,
                min(max(r.duration_ms, 0), MAX_ANSWER_MS),
                kind,
            ]
        )
    return rows


def _ms_at(at: dt.datetime, now_ms: int) -> int:
    # Anki rejects ids more than a day ahead: never in the future.
    return min(int(_utc(at).timestamp() * 1000), now_ms)


def _reset_row(card_id: int, at: dt.datetime, interval: int, now_ms: int) -> list[int]:
    # id, cid, usn, ease, ivl, lastIvl, factor, time, type (4: manual)
    return [_ms_at(at, now_ms), card_id, -1, 0, 0, interval, 0, 0, 4]


# --- Writing ----------------------------------------------------------------------------------


def write_apkg(
    cards: Iterable[CardExport],
    path: Path,
    *,
    today: dt.date,
    now: dt.datetime,
    with_progress: bool = False,
    fsrs: FsrsProgress | None = None,
    media_dir: Path | None = None,
) -> ExportSummary:
    """Write ``cards`` to the Anki package ``path``, replacing it atomically.

    ``cards`` come deck by deck, a question's cards in a row (as the store streams them);
    they are written as they come, into a collection file beside ``path``, so memory stays
    bounded however large the export. ``today`` is the user's study day (a card due in N
    days is due in N days in Anki); ``now`` the current time (timezone-aware; naive means
    UTC). With ``with_progress``, studied cards go as review cards with their interval,
    ease, counts and review log; the others stay new. With ``fsrs`` (an export under FSRS),
    a card with a memory state carries it as Anki stores it (see ``fsrs_memory``). Media
    files the notes show (notes imported from Anki) are taken from ``media_dir``.
    Raises SrsError when there is nothing to export or the file cannot be written.
    """
    # Several objects a card, none in reference cycles: the cyclic collector's passes over
    # the heap would only add time.
    collecting = gc.isenabled()
    gc.disable()
    path = Path(path)
    collection = path.with_name(f".{path.name}.{secrets.token_hex(4)}.anki2")
    try:
        try:
            # Made here first: the reason it cannot be (no folder, no permission) is the
            # system's, which SQLite would only give as "unable to open database file".
            os.close(os.open(collection, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            conn = sqlite3.connect(collection, isolation_level=None)
        except OSError as e:
            raise SrsError(f"cannot write {path}: {why_not_written(path, e)}") from None
        except sqlite3.Error as e:
            raise SrsError(f"cannot write {path}: {e}") from None
        reading: list[sqlite3.Error] = []  # an error reading the cards: the database's

        def read() -> Iterable[CardExport]:
            try:
                yield from cards
            except sqlite3.Error as e:
                reading.append(e)
                raise

        try:
            writer = _CollectionWriter(
                conn, today=today, now=_utc(now), with_progress=with_progress, fsrs=fsrs
            )
            for card in read():
                writer.add(card)
            if not writer.cards:
                raise SrsError("nothing to export: no cards selected")
            writer.finish()
        except sqlite3.OperationalError as e:  # a full disk, say
            if reading:
                raise  # not the package's: the command says what is wrong with the database
            raise SrsError(f"cannot write {path}: {e}") from None
        finally:
            conn.close()
        files = [
            media_dir / name
            for name in writer.media
            if media_dir is not None and (media_dir / name).is_file()
        ]
        size = _write_atomically(path, lambda fh: _zip(fh, collection, _utc(now), files))
        return ExportSummary(
            notes=writer.notes,
            cards=writer.cards,
            bytes=size,
            decks=writer.deck_count,
            media=len(files),
        )
    finally:
        for leftover in (collection, Path(f"{collection}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if collecting:
            gc.enable()


# Rows are written this many notes at a time: executemany's speed, in bounded memory.
_BATCH = 2000


class _CollectionWriter:
    """The package's collection, written as the cards come: genanki's schema, decks and note
    types, the notes and cards as genanki's Note writes them (the same rows and ids: a test
    holds them equal), then what genanki has no API for (note mod times, the scheduler
    settings, review progress, the review log)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        today: dt.date,
        now: dt.datetime,
        with_progress: bool,
        fsrs: FsrsProgress | None,
    ) -> None:
        self.conn = conn
        self.cursor = conn.cursor()
        conn.execute("PRAGMA journal_mode = OFF")  # a file of our own, thrown away on failure
        conn.execute("PRAGMA synchronous = OFF")
        self.today, self.now, self.with_progress, self.fsrs = today, now, with_progress, fsrs
        self.now_ms = int(now.timestamp() * 1000)
        self.now_s = int(now.timestamp())
        self.day0 = anki_day_number(now)
        # Note and card ids: ms timestamps counting up from now, as genanki does.
        self.ids = itertools.count(self.now_ms)
        # genanki writes the schema and the col row; the decks and note types go in last.
        genanki.Package([]).write_to_db(self.cursor, now.timestamp(), self.ids)
        conn.execute("BEGIN")  # after genanki: its executescript commits whatever is open
        # The review log as it comes, its ids made unique at the end (a temporary table:
        # never part of the collection file).
        conn.execute(
            "CREATE TEMP TABLE pending_revlog (id INTEGER, cid INTEGER, usn INTEGER,"
            " ease INTEGER, ivl INTEGER, lastIvl INTEGER, factor INTEGER, time INTEGER,"
            " type INTEGER)"
        )
        self.models = _models()
        self.orders = OptionOrders()
        self.decks: dict[str, genanki.Deck] = {}
        self._deck_of: dict[str, genanki.Deck] = {}  # card.deck -> its deck: deck_name() once
        self.media: dict[str, None] = {}  # files the notes show, in order
        self.cards = self.notes = 0
        self._note: _Note | None = None  # the note whose cards are still coming
        # (ord, card) of self._note: the cards with progress or a history to take along
        self._studied: list[tuple[int, CardExport]] = []
        self._suspended: set[int] = set()  # ords of self._note suspended in srs (with progress)
        self._note_rows: list[tuple] = []
        self._card_rows: list[tuple] = []
        self._revlog: list[list[int]] = []

    @property
    def deck_count(self) -> int:
        """Decks holding cards (their parents, added at the end, not counted)."""
        return len(self._deck_of and {d.deck_id for d in self._deck_of.values()})

    def add(self, card: CardExport) -> None:
        kind = card.question.kind
        several = kind in ("cloze", "reversed")  # note types with a card per ord
        self.cards += 1
        note = self._note
        if note is not None and card.guid == note.guid:
            # Another card of the same question: the store hands them over in a row.
            if not several:
                self.cards -= 1
                return  # a note of another Anki note type goes back as its first card
            note.ords = (*note.ords, card.ord)
            if self.with_progress and (not card.state.is_new or card.reviews):
                self._studied.append((card.ord, card))
            if self.with_progress and card.suspended:
                self._suspended.add(card.ord)
            return
        self._emit()
        deck = self._deck_of.get(card.deck)
        if deck is None:
            name = deck_name(card.deck)
            deck = self.decks.get(name)
            if deck is None:
                deck = self.decks[name] = genanki.Deck(deck_id(name), name)
            self._deck_of[card.deck] = deck
        model = self.models[kind if kind in self.models else "mcq"]
        deck.add_model(model)  # genanki writes the note types its decks' notes use
        self._note = _Note(
            model=model,
            fields=_fields(card, self.orders),
            tags=_tags_field(card.question.tags),
            guid=card.guid,
            due=self.cards,  # new-card order: the export order
            mod=note_mod(card.content_changed_at),
            ords=(card.ord,),
            deck_id=deck.deck_id,
        )
        self.notes += 1
        markup = card.question.markup
        if markup is not None:
            for part in (markup.text, markup.answer, markup.explanation):
                self.media.update(dict.fromkeys(media_files(part)))
        if self.with_progress and (not card.state.is_new or card.reviews):
            self._studied.append((card.ord if several else 0, card))
        if self.with_progress and card.suspended:
            self._suspended.add(card.ord if several else 0)

    def _emit(self) -> None:
        """Write the note whose cards have all come: its row, its cards' (each scheduled
        when studied), and their review log."""
        note = self._note
        if note is None:
            return
        self._note = None
        note_id = next(self.ids)
        model, fields = note.model, note.fields
        self._note_rows.append(
            (note_id, note.guid, model.model_id, note.mod, -1, note.tags, "\x1f".join(fields))
            + (fields[model.sort_field_index], 0, 0, "")  # sfld, csum, flags, data
        )
        # A cloze note's cards are its gaps' numbers; another note type's, as genanki
        # works them out from its templates.
        ords = note.ords if model.model_type == genanki.Model.CLOZE else _card_ords(model, fields)
        studied = dict(self._studied)
        self._studied = []
        suspended, self._suspended = self._suspended, set()
        for card_ord in ords:
            card_id = next(self.ids)
            card = studied.get(card_ord)
            if card is not None:
                revlog = _revlog_rows(
                    card_id, card.reviews, self.now_ms, card.resets, card.scheduled
                )
                self._revlog.extend(revlog)
            if card is None or card.state.is_new:
                # New (never studied, or reset since: its history goes along): type 0,
                # queue 0, due its place among new cards.
                schedule: tuple = (0, 0, note.due, 0, 0, 0, 0, 0, "", note.mod)
            else:
                last = _last_review_times(revlog).get(card_id)
                schedule = _scheduled_card(
                    note,
                    card,
                    today=self.today,
                    day0=self.day0,
                    now_s=self.now_s,
                    last_review=last,
                    fsrs=self.fsrs,
                )
            type_, queue, due, ivl, factor, reps, lapses, left, data, mod = schedule
            if card_ord in suspended:
                queue = -1  # Anki's suspended queue; the card keeps its type and due
            # id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left,
            # odue, odid, flags, data
            self._card_rows.append(
                (card_id, note_id, note.deck_id, card_ord, mod, -1, type_, queue, due, ivl)
                + (factor, reps, lapses, left, 0, 0, 0, data)
            )
        if len(self._note_rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", self._note_rows)
        self.cursor.executemany(
            "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self._card_rows
        )
        self.cursor.executemany(
            "INSERT INTO temp.pending_revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._revlog
        )
        self._note_rows, self._card_rows, self._revlog = [], [], []

    def finish(self) -> None:
        """The last note, the decks and note types, the scheduler settings, the review log
        with unique ids (and each card's last review time from it); committed."""
        self._emit()
        self._flush()
        # Anki creates missing parent decks itself, but ours get stable ids and names.
        for name in list(self.decks):
            parts = name.split("::")
            for depth in range(1, len(parts)):
                parent = "::".join(parts[:depth])
                if parent not in self.decks:
                    self.decks[parent] = genanki.Deck(deck_id(parent), parent)
        for deck in self.decks.values():  # no genanki notes: their JSON only
            deck.write_to_db(self.cursor, self.now.timestamp(), self.ids)
        (conf_json,) = self.cursor.execute("SELECT conf FROM col").fetchone()
        conf = json.loads(conf_json)
        # Scheduler v2 with the new day-cutoff code: no upgrade on import (which would
        # rewrite the review log), and a day number anki_day_number() can predict.
        conf.update(schedVer=2, rollover=ROLLOVER_HOUR, creationOffset=0, nextPos=self.cards + 1)
        self.cursor.execute(
            "UPDATE col SET crt = ?, mod = ?, conf = ?", (ANKI_CRT, self.now_ms, json.dumps(conf))
        )
        self._finish_revlog()
        self.conn.execute("COMMIT")

    def _finish_revlog(self) -> None:
        """The review log into the collection, each id (a time in ms) bumped past the one
        before when they meet: Anki skips an id it has. In time order, streamed."""
        # The log's indexes (by card, by usn) are made again after the rows: millions of
        # inserts in time order would land all over the card index, whose pages outgrow the
        # cache (the time per row grew with the collection); one sort at the end does not.
        indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'revlog'"
            " AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        rows = self.conn.execute("SELECT * FROM temp.pending_revlog ORDER BY id, rowid")
        batch: list[tuple] = []
        last = -1
        for row in rows:
            row_id = row[0] if row[0] > last else last + 1
            last = row_id
            batch.append((row_id, *row[1:]))
            if len(batch) >= 10 * _BATCH:
                self.cursor.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", batch)
                batch = []
        self.cursor.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", batch)
        self.conn.execute("DROP TABLE temp.pending_revlog")
        for _, statement in indexes:
            self.conn.execute(statement)
        # A bumped id may move a card's last review time by a second: what Check Database
        # computes from the log is what the card says.
        self.conn.execute(
            "UPDATE cards SET data = json_set(data, '$.lrt', ("
            f"SELECT max(r.id) / 1000 FROM revlog r WHERE r.cid = cards.id AND {_COUNTS})"
            f") WHERE data LIKE '%\"lrt\"%' AND EXISTS (SELECT 1 FROM revlog r"
            f" WHERE r.cid = cards.id AND {_COUNTS})"
        )


# A review log entry that counts for scheduling: rated, and not cramming (a filtered review
# with ease factor 0), as Anki's Check Database reads it.
_COUNTS = "r.ease > 0 AND NOT (r.type = 3 AND r.factor = 0)"


# Anki's card types (and the queues they sit in).
_LEARNING, _REVIEW, _RELEARNING = 1, 2, 3
_LEARNING_QUEUE, _REVIEW_QUEUE = 1, 2


def _last_review_times(revlog: list[list[int]]) -> dict[int, int]:
    """Each card's last answer that counts for scheduling, in seconds, worked out as Anki's
    Check Database does (it fills in the card's ``lrt`` from it): the latest rated entry
    that is not cramming (a filtered review with ease factor 0). ``revlog`` sorted by id."""
    times = {}
    for row_id, card_id, _, ease, _, _, factor, _, kind in revlog:
        if ease > 0 and not (kind == 3 and factor == 0):
            times[card_id] = row_id // 1000
    return times


def _first_studied_today(card: CardExport, today: dt.date) -> bool:
    return not any(r.kind != "cram" and r.study_day < today for r in card.reviews)


def _scheduled_card(
    note: _Note,
    card: CardExport,
    *,
    today: dt.date,
    day0: int,
    now_s: int,
    last_review: int | None,
    fsrs: FsrsProgress | None,
) -> tuple:
    """A studied card's scheduling columns: type, queue, due, ivl, factor, reps, lapses,
    left, data, mod. Under FSRS (``fsrs``) the data carries the card's
    memory state and the interval is the one FSRS set (Anki counts the days since the last
    review from the due date and the interval)."""
    state = card.state
    reps = len(card.reviews) or max(1, state.sm2.repetitions)
    data: dict[str, float] = {} if last_review is None else {"lrt": last_review}
    memory = fsrs_memory(card, fsrs) if fsrs is not None else None
    interval = max(1, state.sm2.interval)
    if memory is not None and state.due is not None and state.last_review is not None:
        data.update(memory)
        interval = max(1, (state.due - state.last_review).days)
    ease = state.sm2.ef * 10  # hundredths -> Anki's permille: 2.50 -> 2500
    if state.needs_repeat(today):
        # Answered below 4 today and not yet repeated: due again today in Anki too, with
        # one step left, so "good" ends it as a 4 does in srs. A learning card if today's
        # answers were its first, else relearning; due (a time) since its last answer.
        due = min(last_review or now_s, now_s)
        if _first_studied_today(card, today):
            data["pos"] = note.due  # its place among new cards, as Anki keeps it
            kind, interval, ease = _LEARNING, 0, 0
        else:
            kind = _RELEARNING
        columns = (kind, _LEARNING_QUEUE, due, interval, ease)
    else:
        due_day = state.due
        if due_day is None:  # not expected for a studied card; derive it from the last review
            assert state.last_review is not None
            due_day = state.last_review + dt.timedelta(days=state.sm2.interval)
        days = (due_day - today).days
        columns = (_REVIEW, _REVIEW_QUEUE, day0 + days, interval, ease)
    left = 1 if columns[1] == _LEARNING_QUEUE else 0
    card_data = json.dumps(data, separators=(",", ":")) if data else ""
    return (*columns, reps, state.lapses, left, card_data, now_s)


def fsrs_memory(card: CardExport, fsrs: FsrsProgress) -> dict[str, float] | None:
    """The card's memory state as Anki keeps it in the card's ``data`` column (rslib
    ``CardData``): stability ``s``, difficulty ``d``, desired retention ``dr`` and the
    forgetting curve's ``decay``, rounded as Anki rounds them; None without a memory state."""
    memory = card.state.memory
    if memory is None:
        return None
    data = {
        "s": round(memory.stability, 4),
        "d": round(memory.difficulty, 3),
        "dr": round(fsrs.desired_retention, 2),
    }
    decay = fsrs.decays.get(card.deck)
    if decay is not None:
        data["decay"] = round(decay, 3)
    return data


def _zip(fh: BinaryIO, collection: Path, now: dt.datetime, media: list[Path]) -> None:
    """The package: the collection file, the media map and the media files, each deflated
    (genanki stores the collection uncompressed; text deflates several fold), the files
    read in chunks. Media as Anki's legacy packages hold them: files "0", "1", ... and a
    JSON map."""
    mapping = json.dumps({str(i): path.name for i, path in enumerate(media)}).encode()
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as archive:
        archive.write(collection, "collection.anki2")
        info = zipfile.ZipInfo("media", date_time=now.astimezone().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped by hand
        archive.writestr(info, mapping)
        for i, path in enumerate(media):
            archive.write(path, str(i))


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> int:
    """Write via a temporary file in the same directory, then rename: never a partial file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o666)  # 0o666 so the umask applies, as for any new file
    except OSError as e:
        raise SrsError(f"cannot write {path}: {why_not_written(path, e)}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            size = fh.tell()
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise SrsError(f"cannot write {path}: {e.strerror or e}") from None
        raise
    return size
