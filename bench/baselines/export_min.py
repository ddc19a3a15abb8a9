"""Baseline for `srs export`: plain genanki writing the same notes. argv: db, out.apkg."""

import html
import json
import sqlite3
import sys

import genanki

conn = sqlite3.connect(sys.argv[1])
mcq = genanki.Model(
    1_607_392_319,
    "Bench MCQ",
    fields=[{"name": n} for n in ("Question", "Options", "Answer", "Explanation", "Source")],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}{{Options}}", "afmt": "{{Answer}}"}],
)
basic = genanki.Model(
    1_607_392_320,
    "Bench Basic",
    fields=[{"name": n} for n in ("Question", "Answer", "Explanation", "Source")],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{Answer}}"}],
)
decks: dict[str, genanki.Deck] = {}
rows = conn.execute(
    "SELECT d.name, q.guid, q.kind, q.text, q.options, q.answers, q.answer, q.explanation,"
    " q.tags, q.source_file, q.source_line FROM cards c JOIN questions q ON q.id = c.question_id"
    " JOIN decks d ON d.id = c.deck_id ORDER BY d.name, c.id"
)
for name, guid, kind, text, options, answers, answer, expl, tags, src, line in rows:
    deck = decks.get(name)
    if deck is None:
        deck = decks[name] = genanki.Deck(abs(hash(name)) % (1 << 31), name)
    source = f"{src}:{line}"
    if kind == "basic":
        fields = [html.escape(text), html.escape(answer), html.escape(expl), source]
        model = basic
    else:
        opts = json.loads(options)
        right = set(json.loads(answers))
        front = "".join(f"<li>{html.escape(o)}</li>" for o in opts)
        back = "".join(
            f'<li data-answer="{i in right}">{html.escape(o)}</li>' for i, o in enumerate(opts)
        )
        fields = [html.escape(text), f"<ol>{front}</ol>", f"<ol>{back}</ol>", html.escape(expl)]
        fields.append(source)
        model = mcq
    deck.add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=json.loads(tags)))
genanki.Package(list(decks.values())).write_to_file(sys.argv[2])
