"""Cloze questions in srs's own Markdown decks: read, a card per gap, reviewed with the gap
hidden, exported as a cloze note that real Anki makes the same cards of."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from anki_helpers import card, import_apkg, new_collection
from helpers import cli, now_at, run_srs
from srs.exporters.anki import write_apkg

from srs.importers import parse_text

DECK = """\
# Geography

## {{c1::Paris}} is the capital of {{c2::France}}.
> since 508

## Capitals
id: italy
The capital of Italy is {{c1::Rome::city}}.

## Not a cloze
Only {{braces}} here.
"""


def test_markdown_cloze_is_read():
    result = parse_text(DECK, "geo.md")
    assert not result.problems
    paris, italy, plain = result.questions
    assert (paris.kind, paris.text, paris.explanation) == (
        "cloze",
        "{{c1::Paris}} is the capital of {{c2::France}}.",
        "since 508",
    )
    assert (italy.kind, italy.id, italy.text) == (
        "cloze",
        "italy",
        "Capitals\nThe capital of Italy is {{c1::Rome::city}}.",
    )
    assert (plain.kind, plain.answer) == ("basic", "Only {{braces}} here.")


def _cards(store) -> list[tuple[str, int]]:
    return store.conn.execute(
        "SELECT q.text, c.ord FROM cards c JOIN questions q ON q.id = c.question_id"
        " ORDER BY q.id, c.ord"
    ).fetchall()


def test_a_card_per_gap_and_a_new_gap_adds_a_card(store):
    questions = parse_text(DECK, "geo.md").questions
    store.import_questions([("Geo", "/geo.md", questions)], now_at())
    texts = [t for t, _ in _cards(store)]
    assert [o for _, o in _cards(store)] == [0, 1, 0, 0]
    assert texts[0] == texts[1]
    edited = parse_text(
        DECK.replace("Rome::city}}.", "Rome::city}} on the {{c3::Tiber}}."), "geo.md"
    )
    store.import_questions([("Geo", "/geo.md", edited.questions)], now_at())
    assert [o for _, o in _cards(store)] == [0, 1, 0, 2, 0]
    # A cloze without gap 1 has no card 0.
    only_two = parse_text("## It is {{c2::late}}.\n", "late.md").questions
    store.import_questions([("Late", "/late.md", only_two)], now_at())
    assert _cards(store)[-1] == ("It is {{c2::late}}.", 1)


def test_review_hides_the_gap_then_reveals_it(tmp_path):
    deck = tmp_path / "geo.md"
    deck.write_text(DECK)
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    done = run_srs("review", "--db", str(db), input="\n4\n\n5\nq\n", SRS_SEED="1")
    out = done.stdout
    assert "[...] is the capital of France.\n(Enter shows the answer)>" in out
    assert "Answer: [Paris] is the capital of France.\nsince 508" in out
    assert "Capitals\nThe capital of Italy is [city].\n" in out
    assert "Answer: Capitals\nThe capital of Italy is [Rome]." in out


def test_cards_and_show_give_each_card_its_own_gap(tmp_path):
    deck = tmp_path / "geo.md"
    deck.write_text(DECK)
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    listed = run_srs("cards", "--db", str(db)).stdout.splitlines()[1:]
    gaps = {
        line.split()[0]: line for line in listed if "capital of" in line and "Italy" not in line
    }
    assert sorted(line.split("new   ")[1] for line in gaps.values()) == [
        "Paris is the capital of [...].",
        "[...] is the capital of France.",
    ]
    (second,) = [card for card, line in gaps.items() if line.endswith("capital of [...].")]
    shown = run_srs("show", second, "--db", str(db)).stdout.splitlines()
    assert shown[1:3] == [
        "Paris is the capital of [...].",
        "Answer: Paris is the capital of [France].",
    ]


def test_anki_makes_the_same_cards_of_the_export(tmp_path):
    questions = parse_text(DECK, "geo.md").questions
    paris, italy = questions[0], questions[1]
    first = card(paris, "g-paris", deck="Geo")
    cards = [first, replace(first, ord=1), card(italy, "g-italy", deck="Geo")]
    path = tmp_path / "geo.apkg"
    today = dt.date.today()
    summary = write_apkg(cards, path, today=today, now=dt.datetime.now(dt.UTC))
    assert (summary.notes, summary.cards) == (2, 3)
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, path)
    (nid,) = col.find_notes("Paris")
    note = col.get_note(nid)
    assert note.note_type()["type"] == 1  # Anki's cloze kind
    assert note["Text"] == "{{c1::Paris}} is the capital of {{c2::France}}."
    assert note["Back Extra"] == "since 508"
    fronts = sorted(col.get_card(c).render_output().question_text for c in note.card_ids())
    assert "[...]</span> is the capital of" in fronts[0] and "France" in fronts[0]
    assert "capital of <span" in fronts[1] and "Paris" in fronts[1]
    (nid,) = col.find_notes("Italy")
    (only,) = col.get_note(nid).card_ids()
    assert "[city]" in col.get_card(only).render_output().question_text
    col.close()
