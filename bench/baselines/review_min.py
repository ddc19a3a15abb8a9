"""Baseline for one graded answer: pick the same due cards, then per card UPDATE + INSERT + COMMIT.

argv: db, study day, number of answers (0: start and quit).
The same 500 cards are selected either way, so the difference of the two runs is the answers alone.
"""

import json
import sqlite3
import sys

conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA busy_timeout = 10000")
assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
day, n = sys.argv[2], int(sys.argv[3])
cards = conn.execute(
    "SELECT id, repetitions, ef, interval, due, last_review, lapses FROM cards"
    " WHERE suspended = 0 AND due <= ? ORDER BY due, id LIMIT ?",
    [day, 500],
).fetchall()[:n]
for card_id, rep, ef, ivl, due, last, lapses in cards:
    before = {"repetitions": rep, "ef": ef, "interval": ivl, "due": due, "last_review": last}
    before.update(lapses=lapses, repeat_today=False)
    after = dict(before, repetitions=rep + 1, interval=ivl * 2 or 1, due="2027-01-01")
    after["last_review"] = day
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "UPDATE cards SET repetitions = ?, ef = ?, interval = ?, due = ?,"
        " last_review = ?, lapses = ?, repeat_today = ? WHERE id = ?",
        [rep + 1, ef, after["interval"], after["due"], day, lapses, 0, card_id],
    )
    conn.execute(
        "INSERT INTO reviews (card_id, reviewed_at, study_day, kind, grade, duration_ms,"
        " options_shown, chosen, correct, state_before, state_after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            card_id,
            day + "T09:00:00.000Z",
            day,
            "review",
            4,
            1000,
            "[2, 0, 3, 1]",
            "[0]",
            1,
            json.dumps(before, sort_keys=True),
            json.dumps(after, sort_keys=True),
        ],
    )
    conn.execute("COMMIT")
print(len(cards))
