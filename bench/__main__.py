"""`python -m bench`: whole-process benchmarks against minimal baselines; writes bench/RESULTS.md.

Collections are built once and cached in bench/cache/ (keyed by the schema's migrations).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import anki_peer, build
from bench.timing import PYTHON, SRS, Variant, env, interleave, run

HERE = Path(__file__).resolve().parent
BASE = HERE / "baselines"
CACHE = build.CACHE
DAY = build.TODAY.isoformat()
ANSWERS = 500
IMPORT_QUESTIONS = 50_000


@dataclass
class Row:
    what: str
    ours: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None  # None: no target (informational) or not available


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def has_command(name: str) -> bool:
    cmd = [SRS, name, "--help"]
    return subprocess.run(cmd, capture_output=True, env=env()).returncode == 0


# ---------------------------------------------------------------- cold start


def bench_help(runs: int) -> list[Row]:
    ours = Variant("srs --help", [SRS, "--help"])
    base = Variant("import typer", [PYTHON, "-c", "import typer"])
    interleave([ours, base], runs)
    ratio = ours.median / base.median
    return [
        Row(
            "`srs --help` cold start",
            ms(ours.median),
            ms(base.median),
            ratio,
            "<= 1.5x",
            ratio <= 1.5,
        )
    ]


# ---------------------------------------------------------------- due


def bench_due(sizes: list[int], runs: int) -> list[Row]:
    big, small = max(sizes), min(sizes)
    variants = {s: Variant(f"due {s}", [SRS, "due", "--db", str(build.db_path(s))]) for s in sizes}
    day_args = [str(build.db_path(big)), DAY]
    plain = [PYTHON, str(BASE / "due_plain.py"), *day_args]
    typer_base = Variant("due typer", [*plain, "--typer"])
    plain_base = Variant("due plain", plain)
    anki = Variant("anki due", [PYTHON, "-c", anki_peer.DUE, str(anki_peer.collection_path(big))])
    interleave([*variants.values(), typer_base, plain_base, anki], runs)
    rows = []
    for s in sorted(sizes):
        rows.append(
            Row(f"`srs due` on {build.label(s)} cards", ms(variants[s].median), "", None, "", None)
        )
    label = build.label(big)
    ours = variants[big].median
    for what, base, target, limit in (
        ("minimal typer+sqlite3 script", typer_base, "<= 1.5x", 1.5),
        ("plain python3+sqlite3 script, the same counts", plain_base, "<= 2x", 2.0),
    ):
        ratio = ours / base.median
        rows.append(
            Row(
                f"`srs due` {label} vs {what}",
                ms(ours),
                ms(base.median),
                ratio,
                target,
                ratio <= limit,
            )
        )
    rows.append(
        Row(
            f"`srs due` {label} vs Anki's due counts (deck_due_tree, same cards)",
            ms(ours),
            ms(anki.median),
            ours / anki.median,
            "",
            None,
        )
    )
    r2 = ours / variants[small].median
    rows.append(
        Row(
            f"`srs due` {label} vs {build.label(small)}",
            ms(ours),
            ms(variants[small].median),
            r2,
            "<= 1.2x",
            r2 <= 1.2,
        )
    )
    return rows


# ---------------------------------------------------------------- review


class ReviewDb:
    """The cached collection set up for reviewing, and put back exactly after every session."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.mark = self.conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
        self.old = self.conn.execute(
            "SELECT value FROM settings WHERE key = 'reviews_per_day'"
        ).fetchone()
        # Without this the daily limit (200) would stop the session before 500 answers.
        self._set("1000000")

    def _set(self, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM settings WHERE key = 'reviews_per_day'")
        else:
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('reviews_per_day', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [value],
            )

    def revert(self) -> None:
        """Each touched card back to the state before its first new review; the new reviews gone."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute(
            "UPDATE cards SET repetitions = json_extract(r.state_before, '$.repetitions'),"
            " ef = json_extract(r.state_before, '$.ef'),"
            " interval = json_extract(r.state_before, '$.interval'),"
            " due = json_extract(r.state_before, '$.due'),"
            " last_review = json_extract(r.state_before, '$.last_review'),"
            " lapses = json_extract(r.state_before, '$.lapses'),"
            " repeat_today = json_extract(r.state_before, '$.repeat_today'),"
            " stability = json_extract(r.state_before, '$.stability'),"
            " difficulty = json_extract(r.state_before, '$.difficulty')"
            " FROM (SELECT card_id, min(id) AS id FROM reviews WHERE id > ? GROUP BY card_id) f"
            " JOIN reviews r ON r.id = f.id WHERE cards.id = f.card_id",
            [self.mark],
        )
        c.execute("DELETE FROM reviews WHERE id > ?", [self.mark])
        c.execute("COMMIT")

    def close(self) -> None:
        self.revert()
        self._set(self.old[0] if self.old else None)
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


def bench_review(size: int, runs: int) -> list[Row]:
    path = build.db_path(size)
    db = ReviewDb(path)
    try:
        # Per card: a letter, Enter (the suggested grade), then "4". A multiple-choice card
        # takes the letter and Enter and rejects the "4" as an answer to the next card (one
        # extra prompt); a question/answer card takes the letter to show the answer, rejects
        # Enter and takes the 4. Either way exactly one grade per three lines.
        answers = b"a\n\n4\n" * ANSWERS
        cmd = [SRS, "review", "--db", str(path), "--new", "0", "--limit", str(ANSWERS)]
        full = Variant("srs review 500", cmd, answers, after=db.revert)
        quit_ = Variant("srs review q", cmd, b"q\n", after=db.revert)
        bcmd = [PYTHON, str(BASE / "review_min.py"), str(path), DAY]
        bfull = Variant("baseline 500", [*bcmd, str(ANSWERS)], after=db.revert)
        bquit = Variant("baseline 0", [*bcmd, "0"], after=db.revert)
        graded = _count_graded(db, cmd, answers)
        interleave([full, quit_, bfull, bquit], runs)
    finally:
        db.close()
    ours = (full.median - quit_.median) / ANSWERS
    base = (bfull.median - bquit.median) / ANSWERS
    ratio = ours / base
    note = "" if graded == ANSWERS else f" (only {graded} graded!)"
    return [
        Row(
            f"one graded answer, `srs review` on {build.label(size)} (500 piped){note}",
            ms(ours),
            ms(base),
            ratio,
            "<= 2x",
            ratio <= 2 and graded == ANSWERS,
        ),
        Row(
            f"`srs review` start+quit / 500 answers, {build.label(size)}",
            f"{ms(quit_.median)} / {ms(full.median)}",
            f"{ms(bquit.median)} / {ms(bfull.median)}",
            None,
            "",
            None,
        ),
    ]


def bench_anki_answer(size: int, runs: int) -> list[Row]:
    """One answer in Anki's backend (v3 scheduler, "Good"), on the same cards: 100 answers
    timed in the process, each run on a fresh copy of the collection."""
    n = 100
    copy = lambda: anki_peer.working_copy(size)  # noqa: E731
    work = build.CACHE / f"anki-work-{size}.anki2"
    times = build.CACHE / "anki-answer-seconds.txt"
    times.unlink(missing_ok=True)
    cmd = [PYTHON, "-c", anki_peer.ANSWER, str(work), str(n), str(times)]
    interleave([Variant("anki 100", cmd, before=copy)], runs)
    took = [float(line) for line in times.read_text().split()]
    times.unlink()
    per = statistics.median(took[-runs:]) / n  # not the warm-up round's
    return [
        Row(
            f"one answer in Anki's backend on {build.label(size)}"
            " (100 answers timed in the process, same cards)",
            ms(per),
            "",
            None,
            "",
            None,
        )
    ]


def _count_graded(db: ReviewDb, cmd: list[str], answers: bytes) -> int:
    """A check run: the piped answers must give exactly 500 grades."""
    run(cmd, answers)
    n = db.conn.execute("SELECT count(*) FROM reviews WHERE id > ?", [db.mark]).fetchone()[0]
    db.revert()
    return n


# ---------------------------------------------------------------- import


def _import_file() -> tuple[Path, Path, Path]:
    """The 50,000-question canonical deck, its rows as the store inserts them, an empty db."""
    md = CACHE / f"import-{IMPORT_QUESTIONS}.md"
    if not md.exists():
        lines = ["# Bench::Import", ""]
        for i in range(IMPORT_QUESTIONS):
            lines += [f"## Imported question {i}: which statement about item {i} holds?", ""]
            if i % 10 == 0:
                lines += [f"The answer to question {i}.", ""]
            else:
                for k in range(4):
                    mark = "x" if k == i % 4 else " "
                    lines.append(f"- [{mark}] option {k} for question {i}, of an ordinary length")
                lines.append("")
            if i % 3 == 0:
                lines += ["> An explanation sentence of ordinary length.", ""]
        md.write_text("\n".join(lines), encoding="utf-8")
    empty = CACHE / f"empty-{build.schema_key()}.db"
    if not empty.exists():
        from srs.store import Store

        Store.open(empty).close()
    rows_path = CACHE / f"import-{IMPORT_QUESTIONS}-{build.schema_key()}.pickle"
    if not rows_path.exists():
        import uuid

        from srs import clock
        from srs.importers import read_file
        from srs.records import question_uid
        from srs.store.rows import content

        result = read_file(md)
        assert not result.errors, result.errors[:3]
        stamp = clock.utc_text(dt.datetime.now(dt.UTC))
        source = str(md.resolve())
        rows = [
            (question_uid(q), uuid.uuid4().hex, *content(q), source, q.line, stamp)
            for q in result.questions
        ]
        with open(rows_path, "wb") as f:
            pickle.dump((result.deck, rows), f)
    return md, rows_path, empty


def bench_import(runs: int) -> list[Row]:
    md, rows, empty = _import_file()
    work = CACHE / "import-work.db"
    anki_work = CACHE / "anki-import-text.anki2"
    tsv = anki_peer.csv_of(md)
    anki_empty = anki_peer.empty_collection()

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(empty, work)

    def fresh_anki() -> None:
        shutil.copy(anki_empty, anki_work)

    ours = Variant("srs import", [SRS, "import", str(md), "--db", str(work)], before=fresh)
    base = Variant(
        "executemany", [PYTHON, str(BASE / "import_min.py"), str(rows), str(work)], before=fresh
    )
    anki = Variant(
        "anki text import",
        [PYTHON, "-c", anki_peer.IMPORT_CSV, str(anki_work), str(tsv)],
        before=fresh_anki,
    )
    interleave([ours, base, anki], runs)
    # Again, unchanged: into the database the last run of `ours` left.
    fresh()
    run([SRS, "import", str(md), "--db", str(work)])
    again = Variant("srs import again", [SRS, "import", str(md), "--db", str(work)])
    interleave([again], runs)
    what = f"`srs import` of {IMPORT_QUESTIONS:,} questions (canonical .md)"
    r_base, r_anki = ours.median / base.median, ours.median / anki.median
    r_again = again.median / ours.median
    return [
        Row(
            f"{what} vs executemany",
            ms(ours.median),
            ms(base.median),
            r_base,
            "<= 1.5x",
            r_base <= 1.5,
        ),
        Row(
            f"{what} vs Anki's text import of the same questions",
            ms(ours.median),
            ms(anki.median),
            r_anki,
            "<= 0.7x",
            r_anki <= 0.7,
        ),
        Row(
            f"{what} again, unchanged, vs the first import",
            ms(again.median),
            ms(ours.median),
            r_again,
            "<= 0.5x",
            r_again <= 0.5,
        ),
    ]


# ---------------------------------------------------------------- Anki package import


def bench_anki_import(runs: int) -> list[Row]:
    """`srs import` of an Anki package (100k notes, 1M answers) beside Anki's own import of
    the same package; time and peak RSS, each into an empty database/collection."""
    package = build.anki_package_path()
    work = CACHE / "anki-import-work"

    def fresh() -> None:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()

    ours = Variant(
        "srs import .apkg",
        [SRS, "import", str(package), "--db", str(work / "srs.db")],
        before=fresh,
    )
    base = Variant(
        "anki import",
        [PYTHON, str(BASE / "anki_import_min.py"), str(package), str(work)],
        before=fresh,
    )
    interleave([ours, base], runs, warmup=0)
    shutil.rmtree(work, ignore_errors=True)
    ratio = ours.median / base.median
    what = f"{build.ANKI_NOTES:,} notes, {build.ANKI_REVLOG:,} answers"
    return [
        Row(
            f"`srs import` of an Anki package ({what}) vs Anki's own import",
            ms(ours.median),
            ms(base.median),
            ratio,
            "<= 2x",
            ratio <= 2,
        ),
        Row(
            "peak RSS, `srs import` of that package",
            f"{ours.peak_mb:.0f} MB",
            f"{base.peak_mb:.0f} MB (Anki)",
            None,
            "< 1 GB",
            ours.peak_mb < 1024,
        ),
    ]


# ---------------------------------------------------------------- export


def bench_export(runs: int, sizes: list[int]) -> list[Row]:
    if not has_command("export"):
        return [Row("`srs export`", "not available", "", None, "<= 1.2x", None)]
    out = CACHE / "export-work.apkg"
    rows = []
    if 10_000 in sizes:
        db = str(build.db_path(10_000))
        ours = Variant("srs export", [SRS, "export", "--db", db, "-o", str(out)])
        base = Variant("genanki", [PYTHON, str(BASE / "export_min.py"), db, str(out)])
        interleave([ours, base], runs)
        ratio = ours.median / base.median
        rows.append(
            Row(
                "`srs export` of 10,000 questions",
                ms(ours.median),
                ms(base.median),
                ratio,
                "<= 1.2x",
                ratio <= 1.2,
            )
        )
    if 100_000 in sizes:
        db = str(build.db_path(100_000))
        cmd = [SRS, "export", "--db", db, "-o", str(out)]
        ours, ours_mb = peak_rss(cmd)
        base, base_mb = peak_rss([PYTHON, str(BASE / "export_min.py"), db, str(out)])
        rows.append(
            Row(
                "peak RSS, `srs export` of 100,000 questions",
                f"{ours_mb:.0f} MB",
                f"{base_mb:.0f} MB (genanki)",
                None,
                "< 1 GB",
                ours_mb < 1024,
            )
        )
        rows.append(
            Row(
                "`srs export` of 100,000 questions (time, 1 run)",
                ms(ours),
                ms(base),
                ours / base,
                "",
                None,
            )
        )
        wp, wp_mb = peak_rss([*cmd, "--with-progress"])
        rows.append(
            Row(
                "`srs export --with-progress` of 100,000 (~490k reviews), 1 run",
                f"{ms(wp)}, {wp_mb:.0f} MB",
                "",
                None,
                "",
                None,
            )
        )
    if 1_000_000 in sizes:
        db = str(build.db_path(1_000_000))
        cmd = [SRS, "export", "--db", db, "-o", str(out)]
        big, big_mb = peak_rss(cmd)
        big_wp, big_wp_mb = peak_rss([*cmd, "--with-progress"])
        for what, seconds, mb in (("", big, big_mb), (" --with-progress", big_wp, big_wp_mb)):
            rows.append(
                Row(
                    f"peak RSS, `srs export{what}` of 1,000,000 questions ({ms(seconds)}, 1 run)",
                    f"{mb:.0f} MB",
                    "",
                    None,
                    "< 300 MB",
                    mb < 300,
                )
            )
        if 100_000 in sizes:
            for what, seconds, base in (("", big, ours), (" --with-progress", big_wp, wp)):
                ratio = seconds / base
                rows.append(
                    Row(
                        f"`srs export{what}` time, 1M vs 100k questions",
                        ms(seconds),
                        ms(base),
                        ratio,
                        "<= 11x",
                        ratio <= 11,
                    )
                )
    out.unlink(missing_ok=True)
    return rows


_PEAK = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "t = time.perf_counter() - t\n"
    "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_rss(cmd: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one run, measured by a small wrapper process.

    Not from the benchmark process itself: on Linux a child's ru_maxrss starts from its
    parent's RSS at fork, and this process may be large.
    """
    out = subprocess.run(
        [PYTHON, "-c", _PEAK, *cmd], check=True, capture_output=True, text=True, env=env()
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


# ---------------------------------------------------------------- stats


def bench_stats(size: int, runs: int) -> list[Row]:
    what = f"`srs stats` on {build.label(size)} cards"
    if not has_command("stats"):
        return [Row(what, "not available", "", None, "< 1 s", None)]
    ours = Variant("srs stats", [SRS, "stats", "--db", str(build.db_path(size))])
    anki = Variant(
        "anki stats", [PYTHON, "-c", anki_peer.STATS, str(anki_peer.collection_path(size))]
    )
    interleave([ours, anki], runs)
    return [
        Row(what, ms(ours.median), "", None, "< 1 s", ours.median < 1),
        Row(
            f"{what} vs Anki's statistics (a year of graphs, same cards and reviews)",
            ms(ours.median),
            ms(anki.median),
            ours.median / anki.median,
            "",
            None,
        ),
    ]


# ---------------------------------------------------------------- cards

_FIRST_LINES = (
    "import subprocess, sys\np = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)\n"
    "for _ in range(10):\n    p.stdout.readline()\np.kill()\np.wait()\n"
)


def bench_cards(sizes: list[int], runs: int) -> list[Row]:
    """The first ten lines of `srs cards --due` (and of its JSON), as `| head` reads them."""
    big, small = max(sizes), min(sizes)
    variants = {}
    for s in (small, big):
        db = str(build.db_path(s))
        variants[s] = Variant(
            f"cards {s}", [PYTHON, "-c", _FIRST_LINES, SRS, "cards", "--due", "--db", db]
        )
        variants[("json", s)] = Variant(
            f"cards json {s}",
            [PYTHON, "-c", _FIRST_LINES, SRS, "cards", "--due", "--json", "--db", db],
        )
    interleave(list(variants.values()), runs)
    rows = []
    for key, what in (
        (big, "`srs cards --due | head`"),
        (("json", big), "`srs cards --due --json | head`"),
    ):
        small_key = small if key == big else ("json", small)
        ratio = variants[key].median / variants[small_key].median
        rows.append(
            Row(
                f"{what} on {build.label(big)} vs {build.label(small)} cards",
                ms(variants[key].median),
                ms(variants[small_key].median),
                ratio,
                "<= 1.5x",
                ratio <= 1.5,
            )
        )
    return rows


# ---------------------------------------------------------------- FSRS

OPTIMIZE_CARDS = 21_000  # about 100k reviews in the synthetic collections
EVALUATE_CARDS = 205_000  # about 1M reviews


def _review_count(path: Path) -> int:
    return build.counts(path)[1]


def fsrs_db(size: int) -> Path:
    """A copy of the collection of ``size`` cards switched to FSRS (made once, cached)."""
    path = build.db_path(size).with_name(build.db_path(size).stem + "-fsrs.db")
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        shutil.copy(build.db_path(size), tmp)
        run([SRS, "config", "set", "scheduler", "fsrs", "--db", str(tmp)])
        tmp.rename(path)
    return path


def bench_fsrs(sizes: list[int], runs: int) -> list[Row]:
    rows = []
    # srs optimize on ~100k reviews, on a fresh copy each run (it may save parameters).
    source = build.db_path(OPTIMIZE_CARDS)
    work = CACHE / "optimize-work.db"

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(source, work)

    opt = Variant("srs optimize", [SRS, "optimize", "--db", str(work)], before=fresh)
    interleave([opt], runs)
    rows.append(
        Row(
            f"`srs optimize` on {_review_count(source):,} reviews",
            ms(opt.median),
            "",
            None,
            "< 10 s",
            opt.median < 10,
        )
    )
    # srs evaluate on ~1M reviews (read-only).
    path = build.db_path(EVALUATE_CARDS)
    ev = Variant("srs evaluate", [SRS, "evaluate", "--db", str(path)])
    interleave([ev], max(1, runs // 2), warmup=0)
    rows.append(
        Row(
            f"`srs evaluate` on {_review_count(path):,} reviews (peak {ev.peak_mb:.0f} MB)",
            ms(ev.median),
            "",
            None,
            "< 60 s",
            ev.median < 60,
        )
    )
    # One graded answer under FSRS against one under SM-2, and `srs due`, on the largest.
    size = max(sizes)
    started = time.perf_counter()
    fsrs_path = fsrs_db(size)
    switched = time.perf_counter() - started
    if switched > 1:
        rows.append(
            Row(
                f"`srs config set scheduler fsrs` on {build.label(size)} cards, 1 run"
                " (copy included)",
                ms(switched),
                "",
                None,
                "",
                None,
            )
        )
    sm2_db, fsrs_review = ReviewDb(build.db_path(size)), ReviewDb(fsrs_path)
    try:
        answers = b"a\n\n4\n" * ANSWERS
        variants = []
        for db in (sm2_db, fsrs_review):
            cmd = [SRS, "review", "--db", str(db.path), "--new", "0", "--limit", str(ANSWERS)]
            variants += [
                Variant(f"{db.path.name} 500", cmd, answers, after=db.revert),
                Variant(f"{db.path.name} q", cmd, b"q\n", after=db.revert),
            ]
        graded = _count_graded(fsrs_review, variants[2].cmd, answers)
        interleave(variants, runs)
    finally:
        sm2_db.close()
        fsrs_review.close()
    sm2_answer = (variants[0].median - variants[1].median) / ANSWERS
    fsrs_answer = (variants[2].median - variants[3].median) / ANSWERS
    ratio = fsrs_answer / sm2_answer
    note = "" if graded == ANSWERS else f" (only {graded} graded!)"
    rows.append(
        Row(
            f"one graded answer under FSRS vs SM-2, {build.label(size)} (500 piped){note}",
            ms(fsrs_answer),
            ms(sm2_answer),
            ratio,
            "<= 1.2x",
            ratio <= 1.2 and graded == ANSWERS,
        )
    )
    due_fsrs = Variant("due fsrs", [SRS, "due", "--db", str(fsrs_path)])
    due_sm2 = Variant("due sm2", [SRS, "due", "--db", str(build.db_path(size))])
    interleave([due_fsrs, due_sm2], runs * 2)
    ratio = due_fsrs.median / due_sm2.median
    rows.append(
        Row(
            f"`srs due` on {build.label(size)} under FSRS vs SM-2",
            ms(due_fsrs.median),
            ms(due_sm2.median),
            ratio,
            "<= 1.1x",
            ratio <= 1.1,
        )
    )
    # Under FSRS `srs stats` adds true retention, retrievability and the difficulty spread.
    stats_fsrs = Variant("stats fsrs", [SRS, "stats", "--db", str(fsrs_path)])
    stats_sm2 = Variant("stats sm2", [SRS, "stats", "--db", str(build.db_path(size))])
    interleave([stats_fsrs, stats_sm2], max(3, runs // 2))
    rows.append(
        Row(
            f"`srs stats` on {build.label(size)} under FSRS vs SM-2",
            ms(stats_fsrs.median),
            ms(stats_sm2.median),
            stats_fsrs.median / stats_sm2.median,
            "",
            None,
        )
    )
    return rows


# ---------------------------------------------------------------- report


def write_report(rows: list[Row], builds: dict[int | str, str], args: argparse.Namespace) -> str:
    uname = " ".join(platform.uname())
    lines = [
        "# Benchmark results",
        "",
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: `{uname}`, nproc {os.cpu_count()}",
        f"- python: {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}",
        f"- command: `python -m bench {' '.join(sys.argv[1:])}`".replace("  ", " "),
        f"- runs per variant: {args.runs} (median; variants interleaved, 1 warm-up round)",
        f"- every srs run: fresh process, `--db`, `SRS_NOW={build.NOW}`, `TZ=UTC`",
        "",
        "Collections (cached in bench/cache/): "
        + "; ".join(
            f"{build.label(s) if isinstance(s, int) else s}: {b}"
            for s, b in sorted(builds.items(), key=lambda item: str(item[0]))
        ),
        "",
        "| what | ours | baseline | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        result = {True: "pass", False: "**FAIL**", None: ""}[r.ok]
        lines.append(f"| {r.what} | {r.ours} | {r.baseline} | {ratio} | {r.target} | {result} |")
    text = "\n".join(lines) + "\n"
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    return text


def _build(what: str) -> float:
    """`python -m bench.build WHAT` in a separate process (the build's memory must not
    inflate the parent: a child's ru_maxrss starts from its parent's RSS at fork on Linux);
    the seconds it took, 0 if it found its result cached."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.build", what],
        check=True,
        env=env(),
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k,1M", help="collections, e.g. 10k,100k,1M")
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer runs")
    parser.add_argument("--runs", type=int, help="runs per variant (default 9, quick 3)")
    parser.add_argument(
        "--only",
        default="help,due,review,cards,import,anki,export,stats,fsrs",
        help="benchmarks to run",
    )
    args = parser.parse_args()
    sizes = sorted({_size(s) for s in args.sizes.split(",")})
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000] or [10_000, 100_000]
    args.runs = args.runs or (3 if args.quick else 9)
    heavy = max(3, args.runs // 2)  # import/export/stats runs take seconds each
    only = set(args.only.split(","))
    os.environ["TZ"] = "UTC"
    time.tzset()

    builds: dict[int | str, str] = {}
    extra = {OPTIMIZE_CARDS, EVALUATE_CARDS} if "fsrs" in only else set()
    for s in sorted(set(sizes) | {10_000, 100_000} | extra):
        log(f"collection {build.label(s)}...")
        took = 0.0
        if not build.db_path(s).exists():
            took = _build(str(s))
        cards, reviews = build.counts(build.db_path(s))
        meta = build.db_path(s).with_suffix(".json")
        if took:
            meta.write_text(json.dumps({"build_seconds": took}))
        took = json.loads(meta.read_text())["build_seconds"] if meta.exists() else took
        builds[s] = f"{cards:,} cards / {reviews:,} reviews, built in {took:.0f} s"
    if "anki" in only:
        log("anki package...")
        took = _build("anki")
        if took:
            builds["anki"] = f"Anki package built by Anki in {took:.0f} s"

    if only & {"due", "review", "stats"}:
        # Anki's backend as the peer: the largest collection, in Anki's own format.
        log(f"anki collection {build.label(max(sizes))}...")
        took = anki_peer.build_collection(max(sizes), log=log)
        if took:
            builds[f"anki-{max(sizes)}"] = (
                f"{build.label(max(sizes))} in an Anki collection, written in {took:.0f} s"
            )

    rows: list[Row] = []
    steps = [
        ("help", lambda: bench_help(args.runs * 2)),
        ("due", lambda: bench_due(sizes, args.runs)),
        ("review", lambda: bench_review(max(sizes), heavy)),
        ("review", lambda: bench_anki_answer(max(sizes), heavy)),
        ("cards", lambda: bench_cards(sizes, args.runs)),
        ("import", lambda: bench_import(heavy)),
        ("anki", lambda: bench_anki_import(max(1, args.runs // 3))),
        ("stats", lambda: bench_stats(max(sizes), heavy)),
        ("fsrs", lambda: bench_fsrs(sizes, heavy)),
        ("export", lambda: bench_export(heavy, sizes)),  # last: the exporter is the newest code
    ]
    for name, step in steps:
        if name not in only:
            continue
        log(f"bench {name}...")
        try:
            rows += step()
        except Exception as e:  # one broken command must not lose the other figures
            log(f"  {name} failed: {e}")
            rows.append(Row(f"{name}: error", str(e).splitlines()[0][:120], "", None, "", False))
        write_report(rows, builds, args)
    print(write_report(rows, builds, args))


def _size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


if __name__ == "__main__":
    main()
