"""The options' order in Anki: a fixed order per note in the fields, with the right option on
each letter in turn across a deck; a new shuffle at every review where the card's JavaScript
runs, the back in the front's order.

The templates' JavaScript is taken from the cards as the real Anki backend renders them and run
in V8 (mini-racer) against a minimal page: the option list and, per client, what survives from
the front to the back (desktop Anki keeps the page, AnkiDroid loads a new one).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from anki.collection import Collection
from anki_helpers import card, import_apkg, new_collection, review, studied
from helpers import DECKS, REPO, basic, mcq, run_srs
from py_mini_racer import MiniRacer
from srs.exporters import anki as exporter
from srs.exporters.anki import write_apkg
from srs.exporters.anki_options import SHUFFLE_SCRIPT, OptionOrders, hashed_shuffle

UTC = dt.UTC
NOW = dt.datetime.now(UTC)
TODAY = dt.date.today()
OLD_PACKAGE = REPO / "tests" / "data" / "anki" / "srs-export-2026-01.apkg"


# --- the fixed order ------------------------------------------------------------------------


def test_the_fixed_order_puts_the_right_option_on_each_letter_in_turn():
    orders = OptionOrders()
    for count in range(2, 17):
        for run in range(3):
            # A run of `count` notes with `count` options: the right one (first in the bank,
            # as in most banks) once on each letter; the others shuffled by the GUID.
            placed = [
                orders.order("Deck", f"g-{count}-{run}-{i}", count, (0,)) for i in range(count)
            ]
            assert all(sorted(order) == list(range(count)) for order in placed)
            assert sorted(order.index(0) for order in placed) == list(range(count))
    # Decks and option counts keep their own turns; several right options: the first one.
    mixed = OptionOrders()
    places = Counter()
    for i in range(400):
        deck, count = ("A", 4) if i % 3 else ("B", 5)
        answers = (2, 3) if i % 7 == 0 else (1,)
        places[deck, mixed.order(deck, f"g{i}", count, answers).index(answers[0])] += 1
    for deck, count in (("A", 4), ("B", 5)):
        spread = [places[deck, k] for k in range(count)]
        assert max(spread) - min(spread) <= 1, spread
    assert OptionOrders().order("Deck", "g", 1, (0,)) == [0]


def test_the_fixed_order_is_the_same_for_the_same_notes():
    def orders():
        made = OptionOrders()
        return [made.order("Deck", f"g{i}", 4, (0,)) for i in range(12)]

    assert orders() == orders()
    assert len({tuple(o) for o in orders()}) > 4
    assert hashed_shuffle("g", 5) == hashed_shuffle("g", 5)
    # Frozen: a change would give every exported note new fields.
    assert OptionOrders().order("MLOps::Basics", "mlops-aim", 5, (0,)) == [4, 3, 2, 0, 1]


def test_the_bundled_decks_do_not_give_the_answer_away_in_anki(tmp_path):
    db = tmp_path / "srs.db"
    assert run_srs("import", str(DECKS), "--db", str(db)).returncode == 0
    out = tmp_path / "all.apkg"
    assert run_srs("export", "--db", str(db), "-o", str(out)).returncode == 0
    col = new_collection(tmp_path / "collection.anki2")
    import_apkg(col, out)
    letters = Counter()
    for nid in col.find_notes(""):
        marks = re.findall(r'data-answer="(true|false)"', col.get_note(nid)["Answer"])
        letters["ABCDE"[marks.index("true")]] += 1
    col.close()
    # In the banks the right option is A for 17 questions of 35 (10 of 10 in Basics); 25
    # questions have 4 options, 10 have 5: A to D 8 or 9 times each, E twice.
    assert sum(letters.values()) == 35
    assert sorted(letters.values()) == [2, 8, 8, 8, 9], letters


# --- the shuffle at every review ---------------------------------------------------------------


class _Page(HTMLParser):
    """A rendered card side: the option list's items (text, data-answer) and the scripts."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list] = []
        self.scripts: list[str] = []
        self._in_list = self._in_item = self._in_script = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "ol" and "srs-options" in (attributes.get("class") or ""):
            self._in_list = True
        elif tag == "li" and self._in_list:
            self._in_item = True
            self.items.append(["", attributes.get("data-answer")])
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "ol":
            self._in_list = False
        elif tag == "li":
            self._in_item = False
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_item:
            self.items[-1][0] += data
        elif self._in_script:
            self.scripts[-1] += data


# The page around a card: its option list, and sessionStorage where the client has one.
_PAGE = """
var window = globalThis;
var __kept = %(kept)s;
if (__kept !== null) {
  window.sessionStorage = {
    getItem: function (k) {
      return Object.prototype.hasOwnProperty.call(__kept, k) ? __kept[k] : null;
    },
    setItem: function (k, v) { __kept[k] = String(v); }
  };
} else {
  delete window.sessionStorage;
}
var __list = {
  children: %(items)s.map(function (it) { return { textContent: it[0], answer: it[1] }; }),
  appendChild: function (el) {
    this.children.splice(this.children.indexOf(el), 1);
    this.children.push(el);
  }
};
window.document = {
  querySelectorAll: function (s) { return s === "ol.srs-options" ? [__list] : []; }
};
"""


class Client:
    """A card client's web view. ``reloads``: each side is a new page (AnkiDroid), else one
    page whose content is replaced (desktop Anki, AnkiMobile). ``storage``: the session's
    sessionStorage (shared by its pages), None where there is none."""

    def __init__(self, *, reloads: bool, storage: bool) -> None:
        self.reloads = reloads
        self.kept: dict[str, str] | None = {} if storage else None
        self.view = MiniRacer()

    def show(self, page: str) -> list[tuple[str, str | None]]:
        """Render one side: run its scripts; the options as the user sees them."""
        if self.reloads:
            self.view = MiniRacer()
        parsed = _Page(page)
        kept = json.dumps(self.kept)
        self.view.eval(_PAGE % {"kept": kept, "items": json.dumps(parsed.items)})
        for script in parsed.scripts:
            self.view.eval(script)
        shown = self.view.eval(
            "JSON.stringify(__list.children.map(function (c) {"
            " return [c.textContent, c.answer]; }))"
        )
        if self.kept is not None:
            self.kept = json.loads(self.view.eval("JSON.stringify(__kept)"))
        return [tuple(item) for item in json.loads(shown)]


CLIENTS = {
    "desktop": dict(reloads=False, storage=True),
    "desktop without sessionStorage": dict(reloads=False, storage=False),
    "AnkiDroid": dict(reloads=True, storage=True),
    "reloading, without sessionStorage": dict(reloads=True, storage=False),
}
OPTIONS = ("right", "wrong 1", "wrong 2", "wrong 3", "wrong 4")


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    """The front and back HTML of a five-option card and of a question/answer card, as the
    real Anki backend renders them after importing our package."""
    tmp = tmp_path_factory.mktemp("sides")
    cards = [
        card(mcq("Pick the right one", OPTIONS, (0,)), "g-five"),
        card(mcq("And here?", ("x", "y", "z"), (2,)), "g-three"),
        card(basic(), "g-qa"),
    ]
    write_apkg(cards, tmp / "p.apkg", today=TODAY, now=NOW)
    col = new_collection(tmp / "col.anki2")
    import_apkg(col, tmp / "p.apkg")
    rendered = {}
    for guid in ("g-five", "g-three", "g-qa"):
        (nid,) = col.db.list("SELECT id FROM notes WHERE guid = ?", guid)
        c = col.get_note(nid).cards()[0]
        rendered[guid] = (c.question(), c.answer())
    col.close()
    return rendered


@pytest.mark.parametrize("client", list(CLIENTS))
def test_the_back_shows_the_fronts_order_in_every_client(sides, client):
    front, back = sides["g-five"]
    view = Client(**CLIENTS[client])
    for _ in range(25):
        shown_front = view.show(front)
        shown_back = view.show(back)
        assert sorted(text for text, _ in shown_front) == sorted(OPTIONS)
        assert [text for text, _ in shown_back] == [text for text, _ in shown_front]
        # The marks travel with their options: the back marks the right one, wherever it is.
        assert [text for text, mark in shown_back if mark == "true"] == ["right"]
        assert all(mark is None for _, mark in shown_front)


@pytest.mark.parametrize("client", ["desktop", "AnkiDroid"])
def test_every_review_shuffles_where_the_order_can_be_kept(sides, client):
    front, back = sides["g-five"]
    view = Client(**CLIENTS[client])
    orders = [tuple(text for text, _ in view.show(front)) for _ in range(60)]
    assert len(set(orders)) > 20
    assert {order.index("right") for order in orders} == set(range(5))


def test_without_storage_both_sides_derive_the_same_order(sides):
    # No sessionStorage and a new page per side: the front cannot hand its order over, so
    # it takes the one the back derives too (from the options and the date).
    front, back = sides["g-five"]
    orders = set()
    for _ in range(10):
        view = Client(reloads=True, storage=False)
        orders.add(tuple(view.show(front)))
        assert [t for t, _ in view.show(back)] == [t for t, _ in next(iter(orders))]
    assert len(orders) == 1


def test_another_cards_kept_order_is_not_used(sides):
    # The front of one card, then the back of another (a preview): the back does not take
    # the first card's order, and still shows each of its options once.
    view = Client(reloads=True, storage=True)
    view.show(sides["g-five"][0])
    shown = view.show(sides["g-three"][1])
    assert sorted(t for t, _ in shown) == ["x", "y", "z"]
    assert [t for t, mark in shown if mark == "true"] == ["z"]


def test_question_answer_cards_are_left_alone(sides):
    front, back = sides["g-qa"]
    assert "<script" not in front + back


def test_the_script_holds_no_template_or_mathjax_markers(sides):
    assert "{{" not in SHUFFLE_SCRIPT and "}}" not in SHUFFLE_SCRIPT
    assert "\\" not in SHUFFLE_SCRIPT and "[" + "sound:" not in SHUFFLE_SCRIPT
    front, back = sides["g-five"]
    assert front.count("<script>") == 1 and back.count("<script>") == 1


# --- over a package written before the shuffle ------------------------------------------------


def old_package_cards():
    """The cards tests/data/anki/srs-export-2026-01.apkg was written from (by the exporter
    before options were shuffled: TEMPLATES_REVISED_AT 2026-01-01, mod = content stamp)."""
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    changed = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return [
        card(
            mcq(
                "Which are primes?",
                ("4", "7", "11"),
                (1, 2),
                title="Primes",
                explanation="7 and 11 have no divisors but 1 and themselves.",
                tags=("maths",),
            ),
            "old-primes",
            deck="Maths::Arithmetic",
            changed_at=changed,
            state=studied(now.date(), due_in=3, interval=6),
            reviews=(
                review(now - dt.timedelta(days=3), 4, "new", before=0, after=1),
                review(now - dt.timedelta(days=2), 4, "review", before=1, after=6),
            ),
        ),
        card(
            mcq("2 + 2?", ("4", "3", "5"), (0,)),
            "old-sum",
            deck="Maths::Arithmetic",
            changed_at=changed,
        ),
        card(
            basic("Capital of France?", "Paris"), "old-paris", deck="Geography", changed_at=changed
        ),
    ]


def test_anki_takes_the_new_note_types_and_fields_over_an_old_import(tmp_path):
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, OLD_PACKAGE, with_scheduling=True)
    notetypes = {nt.id: nt.name for nt in col.models.all_names_and_ids()}
    old_mcq = col.models.get(exporter.MCQ_MODEL_ID)
    assert "<script" not in old_mcq["tmpls"][0]["qfmt"]  # the fixture is from before
    (primes_id,) = col.db.list("SELECT id FROM notes WHERE guid = 'old-primes'")
    (card_id,) = col.get_note(primes_id).card_ids()
    before = col.get_card(card_id)

    write_apkg(old_package_cards(), tmp_path / "new.apkg", today=TODAY, now=NOW)
    log = import_apkg(col, tmp_path / "new.apkg")
    col.close()  # reopened: the Python side caches note types
    col = Collection(str(tmp_path / "col.anki2"))
    # Every note takes the new fields (their mod moved on by FIELDS_REVISION)...
    assert (len(log.updated), len(log.new), len(log.conflicting)) == (3, 0, 0)
    # ...and both note types the new templates, in place: same ids, fields and templates.
    assert {nt.id: nt.name for nt in col.models.all_names_and_ids()} == notetypes
    mcq_type = col.models.get(exporter.MCQ_MODEL_ID)
    assert mcq_type["mod"] == exporter.TEMPLATES_REVISED_AT
    assert "<script>" in mcq_type["tmpls"][0]["qfmt"] + mcq_type["tmpls"][0]["afmt"]
    assert [(f["name"], f["id"]) for f in mcq_type["flds"]] == list(exporter.MCQ_FIELDS)
    assert [(t["name"], t["id"]) for t in mcq_type["tmpls"]] == [exporter.MCQ_TEMPLATE]
    primes = col.get_note(primes_id)
    order = OptionOrders().order("Maths::Arithmetic", "old-primes", 3, (1, 2))
    assert re.findall(r"<li>(\d+)</li>", primes["Options"]) == [("4", "7", "11")[i] for i in order]
    assert primes["Question"].startswith('<div class="srs-title" data-title="Primes"></div>')
    after = col.get_card(card_id)
    assert primes.card_ids() == [card_id]
    assert (after.type, after.queue, after.due, after.ivl, after.reps) == (
        before.type,
        before.queue,
        before.due,
        before.ivl,
        before.reps,
    )
    # Imported again: nothing changes.
    again = import_apkg(col, tmp_path / "new.apkg")
    assert (len(again.updated), len(again.duplicate)) == (0, 3)
    col.close()
