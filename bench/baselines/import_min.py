"""Baseline for `srs import`: the same rows, executemany in one transaction. argv: rows, db."""

import pickle
import sqlite3
import sys

with open(sys.argv[1], "rb") as f:
    deck, rows = pickle.load(f)
conn = sqlite3.connect(sys.argv[2], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
deck_id = conn.execute(
    "INSERT INTO decks (name, created_at) VALUES (?, ?)", [deck, rows[0][-1]]
).lastrowid
conn.executemany(
    "INSERT INTO questions (deck_id, uid, guid, kind, text, title, options, answers,"
    " answer, explanation, tags, source_file, source_line, created_at,"
    " content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?14)",
    [(deck_id, *r) for r in rows],
)
conn.execute(
    "INSERT INTO cards (question_id, deck_id) SELECT id, deck_id FROM questions ORDER BY id"
)
conn.execute("COMMIT")
print(len(rows))
