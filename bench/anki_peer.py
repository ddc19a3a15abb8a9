"""Anki's own backend as the peer in `make bench`: what a user would otherwise run.

The same collections as srs's (bench/build.py) are written into Anki collections: notes
and cards with the same decks, intervals, eases, due days and review logs, into a file
that Anki itself created (its schema, its note types), then opened once by Anki. Each
measure is a whole process, like srs's: `python -c` a script below with the venv's
`anki` package (the `anki` backend is a test dependency of srs).

Anki reads the real clock; srs runs with SRS_NOW pinned. Due days are written relative
to the day Anki sees when the collection is built, so the counts are alike either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import time
from pathlib import Path

from bench import build

# Anki's revlog types: 0 learning, 1 review; buttons 1-4 from SM-2 grades 0-5.
_EASE = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


def collection_path(size: int) -> Path:
    return build.CACHE / f"anki-{size}-{build.schema_key()}.anki2"


def _checksum(text: str) -> int:
    """Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def build_collection(size: int, *, log=print) -> float:
    """Write the srs bench collection of `size` cards into an Anki collection (cached)."""
    path = collection_path(size)
    if path.exists():
        return 0.0
    from anki.collection import Collection

    source = build.db_path(size)
    build.build(size, log=log)
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    col = Collection(str(tmp))
    basic = col.models.by_name("Basic")
    assert basic is not None
    model_id = basic["id"]
    src = sqlite3.connect(source)
    deck_ids = {
        srs_id: col.decks.id(name)
        for srs_id, name in src.execute("SELECT id, name FROM decks").fetchall()
    }
    today = col.sched.today
    col.close()

    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    day0 = build.TODAY.toordinal()
    base_id = 1_600_000_000_000  # note and card ids: ms timestamps, distinct
    rows = src.execute(
        "SELECT c.id, c.deck_id, q.text, q.options, q.answer, c.interval, c.ef, c.due,"
        " c.repetitions, c.lapses FROM cards c JOIN questions q ON q.id = c.question_id"
        " ORDER BY c.id"
    )
    notes, cards = [], []
    for card_id, deck, text, options, answer, ivl, ef, due, reps, lapses in rows:
        nid = cid = base_id + card_id
        back = answer or options
        notes.append(
            (nid, f"b{card_id:x}", model_id, 0, -1, " bench ", f"{text}\x1f{back}", text)
            + (_checksum(text), 0, "")
        )
        if due is None:  # new
            cards.append((cid, nid, deck_ids[deck], 0, 0, -1, 0, 0, card_id, 0, 0, 0, 0))
        else:
            days = dt.date.fromisoformat(due).toordinal() - day0
            cards.append(
                (cid, nid, deck_ids[deck], 0, 0, -1, 2, 2, today + days, max(1, ivl), ef * 10)
                + (reps, lapses)
            )
        if len(notes) >= 100_000:
            _flush(db, notes, cards)
    _flush(db, notes, cards)
    revlog = []
    seen: set[int] = set()
    # Where each millisecond's run of taken ids ends: the bench's answers of a day share
    # their time, and probing from the start of the run every time would be quadratic.
    run_end: dict[int, int] = {}
    for card_id, at, grade, ms, kind, ivl_before, ivl_after, ef_after in src.execute(
        "SELECT card_id, reviewed_at, grade, duration_ms, kind, interval_before,"
        " json_extract(state_after, '$.interval'), json_extract(state_after, '$.ef')"
        " FROM reviews ORDER BY id"
    ):
        moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        wanted = int(moment.timestamp() * 1000)
        rid = run_end.get(wanted, wanted)
        while rid in seen:  # revlog ids are unique ms timestamps
            rid += 1
        seen.add(rid)
        run_end[wanted] = rid + 1
        revlog.append(
            (rid, base_id + card_id, -1, _EASE[grade], ivl_after, ivl_before or 0, ef_after * 10)
            + (min(ms, 60_000), 0 if kind == "new" else 1)
        )
        if len(revlog) >= 200_000:
            db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)
            revlog.clear()
    db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)
    db.execute("COMMIT")
    db.close()
    src.close()
    col = Collection(str(tmp))  # Anki opens it: the schema and the counts are its own
    assert col.card_count() == size, col.card_count()
    col.close()
    tmp.rename(path)
    return time.perf_counter() - started


def _flush(db: sqlite3.Connection, notes: list, cards: list) -> None:
    db.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
    db.executemany(
        "INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps,"
        " lapses, left, odue, odid, flags, data) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?, 0, 0, 0, 0, '')",
        [c if len(c) == 13 else c + (0,) * (13 - len(c)) for c in cards],
    )
    notes.clear()
    cards.clear()


def working_copy(size: int) -> Path:
    """A copy to change (answers), made fresh before each timed run."""
    work = build.CACHE / f"anki-work-{size}.anki2"
    shutil.copy(collection_path(size), work)
    return work


# ---------------------------------------------------------------- the scripts timed

# What `srs due` shows: every deck's new / learning / review counts.
DUE = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
tree = col.sched.deck_due_tree()
print(tree.new_count, tree.learn_count, tree.review_count)
col.close()
"""

# Answer N due cards "Good", each committed before the next is fetched. argv: the
# collection, N, a file to which the seconds they took are added (timed in the process: a
# difference of two whole processes is lost in their noise).
ANSWER = """
import sys, time
from anki.collection import Collection
from anki.cards import Card
col = Collection(sys.argv[1])
col.decks.select(col.decks.id("Bench"))  # every deck, as `srs review` takes them
n = int(sys.argv[2])
started = time.perf_counter()
for _ in range(n):
    queued = col.sched.get_queued_cards(fetch_limit=1)
    top = queued.cards[0]
    card = Card(col, backend_card=top.card)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=top.states, rating=3)
    col.sched.answer_card(answer)
took = time.perf_counter() - started
col.close()
with open(sys.argv[3], "a") as out:
    out.write(f"{took}\\n")
"""

# The figures of Anki's statistics screen for the whole collection over a year.
STATS = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col._backend.graphs(search="", days=365)
col.close()
"""

# Anki's text import: a tab-separated file of Front/Back notes into the Basic note type.
IMPORT_CSV = """
import sys
from anki.collection import Collection, ImportCsvRequest
col = Collection(sys.argv[1])
metadata = col.get_csv_metadata(path=sys.argv[2], delimiter=None)
metadata.global_notetype.id = col.models.by_name("Basic")["id"]
col.import_csv(ImportCsvRequest(path=sys.argv[2], metadata=metadata))
col.close()
"""


def csv_of(questions_md: Path) -> Path:
    """The import bench's questions as Anki's text import takes them: Front<TAB>Back."""
    out = questions_md.with_suffix(".tsv")
    if out.exists():
        return out
    from srs.importers import read_file

    lines = ["#separator:tab", "#html:false", "#columns:Front\tBack"]
    for q in read_file(questions_md).questions:
        back = q.answer or " / ".join(q.options[i] for i in q.answers)
        lines.append(f"{q.text}\t{back}".replace("\n", " "))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def empty_collection() -> Path:
    """An empty Anki collection, copied before each import run."""
    path = build.CACHE / "anki-empty.anki2"
    if not path.exists():
        from anki.collection import Collection

        Collection(str(path)).close()
    return path
