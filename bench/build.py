"""Build the synthetic collections once, fast: the real schema (`Store.open`), then raw SQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sqlite3
import time
from pathlib import Path

from srs.store import Store, migrations

CACHE = Path(__file__).resolve().parent / "cache"
TODAY = dt.date(2026, 11, 22)
NOW = "2026-11-22T09:00:00"  # SRS_NOW for every run; TZ=UTC
DECKS = 20
STUDIED = 0.7  # share of cards with history
BUILD_VERSION = 2  # bump to rebuild the cache

_OPTIONS = [
    json.dumps([f"option {c} of a realistic length, number {k}" for c in "ABCD"]) for k in range(50)
]
_CHUNK = 100_000


def schema_key() -> str:
    """Changes with the migrations, so a new schema step rebuilds the cache."""
    names = ",".join(migrations.NAMES)
    return hashlib.sha1(f"{BUILD_VERSION}:{names}".encode()).hexdigest()[:8]


def db_path(size: int) -> Path:
    return CACHE / f"cards-{size}-{schema_key()}.db"


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _state(rep: int, ef: int, ivl: int, due: str | None, last: str | None, lapses: int) -> str:
    return json.dumps(
        {
            "due": due,
            "ef": ef,
            "interval": ivl,
            "lapses": lapses,
            "last_review": last,
            "repeat_today": False,
            "repetitions": rep,
        },
        sort_keys=True,
    )


def build(size: int, *, log=print) -> float:
    """Create the collection of `size` cards unless cached; returns the build time (0 if cached)."""
    path = db_path(size)
    if path.exists():
        return 0.0
    CACHE.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    Store.open(tmp).close()  # the real schema, migrated by the real code
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    indexes = [
        r[0]
        for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql NOT NULL")
    ]
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
    conn.execute("BEGIN")
    for name in names:
        if not name.startswith("sqlite_autoindex"):
            conn.execute(f"DROP INDEX [{name}]")
    stamp = "2024-11-01T10:00:00.000Z"
    conn.executemany(
        "INSERT INTO decks (id, name, created_at) VALUES (?, ?, ?)",
        [(d + 1, f"Bench::Deck {d + 1:02d}", stamp) for d in range(DECKS)],
    )
    rng = random.Random(size)
    today_ord = TODAY.toordinal()
    for lo in range(0, size, _CHUNK):
        ids = range(lo + 1, min(size, lo + _CHUNK) + 1)
        conn.executemany(
            "INSERT INTO questions (id, deck_id, uid, guid, kind, text, title, options, answers,"
            " answer, explanation, tags, source_file, source_line, created_at, content_changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, '[\"bench\"]', ?, ?, ?, ?)",
            (
                (
                    i,
                    i % DECKS + 1,
                    f"id:q{i}",
                    f"{i:032x}",
                    "basic" if i % 10 == 0 else "mcq",
                    f"Synthetic question number {i}: which of these statements is correct?",
                    "[]" if i % 10 == 0 else _OPTIONS[i % 50],
                    "[]" if i % 10 == 0 else f"[{i % 4}]",
                    f"The answer to {i}" if i % 10 == 0 else "",
                    "An explanation sentence of ordinary length." if i % 3 == 0 else "",
                    f"/decks/bench-{i % DECKS + 1:02d}.md",
                    i,
                    stamp,
                    stamp,
                )
                for i in ids
            ),
        )
        cards: list[tuple] = []
        reviews: list[tuple] = []
        for i in ids:
            deck = i % DECKS + 1
            if rng.random() >= STUDIED:
                cards.append((i, i, deck, 0, 250, 0, None, None, 0, 0))
                continue
            n = rng.randint(3, 11)
            # Reviews spread over two years; the last one sets the card's state.
            days = sorted(rng.sample(range(today_ord - 730, today_ord), n))
            rep, ef, ivl, lapses = 0, 250, 0, 0
            before = _state(0, 250, 0, None, None, 0)
            for k, day in enumerate(days):
                ivl_before = ivl
                grade = rng.choice((1, 3, 4, 4, 4, 5, 5))
                if grade >= 3:  # SM-2: EF from the grade, interval from the EF before it
                    rep += 1
                    ivl = 1 if rep == 1 else 6 if rep == 2 else min(-(-ivl * ef // 100), 365)
                    ef = max(130, ef + 10 - (5 - grade) * (8 + (5 - grade) * 2))
                else:
                    rep, ivl, lapses = 0, 1, lapses + 1
                d = dt.date.fromordinal(day)
                iso = d.isoformat()
                due = dt.date.fromordinal(day + ivl).isoformat()
                after = _state(rep, ef, ivl, due, iso, lapses)
                reviews.append(
                    (
                        i,
                        f"{iso}T12:00:00.000Z",
                        iso,
                        "new" if k == 0 else "review",
                        grade,
                        rng.randint(2000, 30000),
                        "[2, 0, 3, 1]" if i % 10 else None,
                        "[0]" if i % 10 else None,
                        (1 if grade >= 3 else 0) if i % 10 else None,
                        before,
                        after,
                        ivl_before,
                    )
                )
                before = after
            # Due spread around today: a few % overdue, the rest ahead.
            due_day = today_ord + rng.randint(-40, 400)
            last = min(days[-1], today_ord - 1)
            repeat = 0
            if rng.random() < 0.0005:  # a same-day repeat pending
                last, repeat = today_ord, 1
            cards.append(
                (
                    i,
                    i,
                    deck,
                    rep,
                    ef,
                    ivl,
                    dt.date.fromordinal(due_day).isoformat(),
                    dt.date.fromordinal(last).isoformat(),
                    lapses,
                    repeat,
                )
            )
        conn.executemany(
            "INSERT INTO cards (id, question_id, deck_id, repetitions, ef, interval, due,"
            " last_review, lapses, repeat_today) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            cards,
        )
        conn.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
            " options_shown, chosen, correct, state_before, state_after, interval_before)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reviews,
        )
        log(f"  {label(size)}: {lo + len(ids):,} cards")
    for sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)
    return time.perf_counter() - started


# ---------------------------------------------------------------- an Anki collection

ANKI_NOTES = int(os.environ.get("BENCH_ANKI_NOTES", 100_000))
ANKI_REVLOG = int(os.environ.get("BENCH_ANKI_REVLOG", 1_000_000))
ANKI_VERSION = 1  # bump to rebuild the package


def anki_package_path() -> Path:
    return CACHE / f"anki-{ANKI_NOTES}-{ANKI_REVLOG}-v{ANKI_VERSION}.apkg"


def _anki_card(
    cid: int,
    nid: int,
    did: int,
    ord_: int,
    now_ms: int,
    kind: int,
    due: int,
    ivl: int = 0,
    reps: int = 0,
    lapses: int = 0,
) -> tuple:
    """A row of Anki's cards table: type and queue ``kind`` (0 new, 2 review), ease 250%
    for a review card, no flags, empty data."""
    factor = 2500 if kind == 2 else 0
    mod = now_ms // 1000
    return (
        cid,
        nid,
        did,
        ord_,
        mod,
        -1,
        kind,
        kind,
        due,
        ivl,
        factor,
        reps,
        lapses,
        0,
        0,
        0,
        0,
        "{}",
    )


def build_anki_package(*, log=print) -> float:
    """An Anki package of ANKI_NOTES notes (Basic, reversed, cloze) with ANKI_REVLOG answers
    over two years, exported by Anki itself (current format); cached. The collection is made
    by Anki, filled with raw SQL (Anki's own calls take minutes for this), and exported by
    Anki. Returns the build time (0 if cached)."""
    import tempfile

    from anki.collection import Collection, ExportAnkiPackageOptions

    out = anki_package_path()
    if out.exists():
        return 0.0
    CACHE.mkdir(exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        path = str(Path(folder) / "collection.anki2")
        col = Collection(path)
        models = [
            col.models.by_name(n)["id"] for n in ("Basic", "Basic (and reversed card)", "Cloze")
        ]
        decks = [col.decks.id(f"Anki bench::Deck {d + 1:02d}") for d in range(DECKS)]
        col.crt -= 800 * 86_400  # two years of history: day numbers stay positive
        col.close()
        col = Collection(path)
        today = col.sched.today
        col.close()
        rng = random.Random(12)
        now_ms = int(time.time() * 1000)
        start_ms = now_ms - 730 * 86_400_000
        cards: list[tuple[int, int, int, int]] = []  # (card id, note id, deck, ord)
        notes = []
        for i in range(ANKI_NOTES):
            nid = start_ms + i
            kind = 0 if i % 20 < 18 else 1 if i % 20 == 18 else 2
            if kind == 2:
                fields = (
                    f"Bench sentence {i}: {{{{c1::first}}}} and {{{{c2::second}}}} gap\x1fextra"
                )
            else:
                fields = f"Synthetic front number {i} of an ordinary length\x1fIts back, {i}"
            notes.append(
                (
                    nid,
                    f"b{i:09d}",
                    models[kind],
                    now_ms // 1000,
                    -1,
                    " bench ",
                    fields,
                    fields[:20],
                    0,
                    0,
                    "",
                )
            )
            for ord_ in range(1 if kind == 0 else 2):
                cards.append((start_ms - 10**9 + len(cards), nid, decks[i % DECKS], ord_))
        studied = [c for c in cards if rng.random() < 0.9]
        per_card = ANKI_REVLOG // len(studied)
        extra = ANKI_REVLOG - per_card * len(studied)
        card_rows = []
        revlog = []
        studied_ids = {c[0] for c in studied}
        for index, (cid, nid, did, ord_) in enumerate(cards):
            if cid not in studied_ids:  # new: type and queue 0, due its position
                card_rows.append(_anki_card(cid, nid, did, ord_, now_ms, 0, index))
                continue
            n = per_card + (1 if extra > 0 else 0)
            extra -= 1
            stamps = sorted(rng.sample(range(0, 729 * 86_400_000, 1000), n))
            ivl, lapses = 0, 0
            for k, offset in enumerate(stamps):
                ease = rng.choice((1, 3, 3, 3, 4, 2))
                kind = 0 if k == 0 else (2 if ease == 1 else 1)
                last, ivl = ivl, (1 if ease == 1 else max(1, min(365, ivl * 2 + 1)))
                lapses += ease == 1 and k > 0
                revlog.append(
                    (start_ms + offset + cid % 997, cid, -1, ease, ivl, last, 2500, 8000, kind)
                )
            due = today + rng.randint(-20, ivl)
            card_rows.append(_anki_card(cid, nid, did, ord_, now_ms, 2, due, ivl, n, lapses))
        db = sqlite3.connect(path)
        db.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
        db.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows)
        db.executemany("INSERT OR IGNORE INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)
        db.commit()
        db.close()
        log(f"  anki: {len(notes):,} notes, {len(card_rows):,} cards, {len(revlog):,} answers")
        col = Collection(path)
        if os.environ.get("BENCH_ANKI_CHECK"):
            print(col.fix_integrity())
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=True, legacy=False
        )
        tmp = out.with_suffix(".tmp")
        col.export_anki_package(out_path=str(tmp), options=options, limit=None)
        col.close()
        tmp.rename(out)
    return time.perf_counter() - started


def counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
        reviews = conn.execute("SELECT max(id) FROM reviews").fetchone()[0] or 0
    finally:
        conn.close()
    return cards, reviews


if __name__ == "__main__":
    import sys

    # Run apart from the benchmark process, so its memory never shows in a child's peak RSS.
    if sys.argv[1] == "anki":
        print(build_anki_package())
    else:
        print(build(int(sys.argv[1])))
