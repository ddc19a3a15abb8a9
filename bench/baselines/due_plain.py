"""Baseline for `srs due`: a plain python3 script (site loaded, as a console script has it),
sqlite3 and the same capped counts on the same index. argv: db, day, and ``--typer`` to import
the CLI framework first (its import cost is then part of the baseline)."""

import sqlite3
import sys

if sys.argv[3:] == ["--typer"]:
    import typer  # noqa: F401

conn = sqlite3.connect(sys.argv[1])
day, cap = sys.argv[2], 200
decks = dict(conn.execute("SELECT id, name FROM decks ORDER BY name"))
done = dict(
    conn.execute(
        "SELECT kind, count(*) FROM reviews WHERE kind IN ('new', 'review', 'repeat', 'cram')"
        " AND study_day = ? GROUP BY kind",
        [day],
    )
)
for ids in [[d] for d in decks] + [list(decks)]:
    marks = ",".join("?" * len(ids))
    new = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN ({marks})"
        " AND suspended = 0 AND due IS NULL LIMIT ?)",
        [*ids, cap],
    ).fetchone()[0]
    review = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id IN ({marks})"
        " AND suspended = 0 AND due <= ? LIMIT ?)",
        [*ids, day, cap],
    ).fetchone()[0]
    learning = conn.execute(
        "SELECT count(*) FROM cards WHERE last_review = ? AND repeat_today = 1"
        f" AND suspended = 0 AND deck_id IN ({marks})",
        [day, *ids],
    ).fetchone()[0]
    print(ids[0] if len(ids) == 1 else "total", new, learning, review)
