"""The order of a multiple-choice note's options in Anki, so that it never gives the answer away.

Most banks put the right option first. srs shuffles them at every review; in Anki:

* The fields hold the options in a fixed order of their own, what a client that runs no
  JavaScript shows (:class:`OptionOrders`). Over a deck the right option is on every
  letter equally often: among a deck's notes with N options, in export order, each run
  of N notes puts it once on each letter, in an order drawn from the deck's name; the
  other options are shuffled by the note's GUID. A shuffle drawn from each GUID alone
  would be even only on average: on the bundled decks it put the right option on D for
  16 notes of 35. The same notes in the same order give the same fields at every export;
  an order that changed without its note changing (a question deleted before it) never
  reaches a collection that has the note, as its mod time did not move.
* Where JavaScript runs, the card template shuffles them again at every review
  (:data:`SHUFFLE_SCRIPT`). The back must show the order the front showed: desktop Anki
  and AnkiMobile keep one page and replace its content (a ``window`` variable survives
  from front to back), AnkiDroid loads the back as a new page (``sessionStorage``
  survives). The front keeps its order in both; where it cannot keep it in
  ``sessionStorage``, it uses an order derived from the options and the date instead of
  a random one, and the back, finding nothing kept, derives the same.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

# Every order of up to 6 things, by count: a shuffle is then one lookup (most notes have 4
# or 5 options, so their other options number 3 or 4).
_ORDERS = {count: list(itertools.permutations(range(count))) for count in range(7)}


def hashed_shuffle(key: str, count: int) -> list[int] | tuple[int, ...]:
    """A fixed shuffle of ``range(count)`` (``count`` at most 16) drawn from ``key``."""
    number = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest())
    orders = _ORDERS.get(count)
    if orders is not None:
        return orders[number % len(orders)]
    order = list(range(count))
    # Fisher-Yates, each draw a digit of the 64-bit hash in a mixed radix (16! < 2**45).
    for i in range(count - 1, 0, -1):
        number, j = divmod(number, i + 1)
        order[i], order[j] = order[j], order[i]
    return order


class OptionOrders:
    """The fixed option orders of the notes of an export, asked for in export order."""

    def __init__(self) -> None:
        # (deck, number of options) -> the letters still to hand out in the current run
        self._left: dict[tuple[str, int], list[int]] = {}
        self._runs: dict[tuple[str, int], int] = {}  # -> how many runs were started

    def _next_place(self, deck: str, count: int) -> int:
        left = self._left.get((deck, count))
        if not left:
            runs = self._runs.get((deck, count), 0)
            run = hashed_shuffle(f"{deck}\x1f{count}\x1f{runs}", count)
            left = self._left[deck, count] = list(run)
            self._runs[deck, count] = runs + 1
        return left.pop()

    def order(self, deck: str, guid: str, count: int, answers: Sequence[int]) -> list[int]:
        """The next note's order: entry ``k`` is the source index of the option shown
        ``k``-th. Its (first) right option goes on the deck's next letter."""
        if count < 2 or not answers:
            return list(range(count))
        right = answers[0]
        # The others, shuffled: the indexes of range(count) without `right`.
        order = [i + (i >= right) for i in hashed_shuffle(guid, count - 1)]
        order.insert(self._next_place(deck, count), right)
        return order


# ES5 (old Android WebViews), no "{{" or "}}" (Anki's template markers) and no backslash
# (desktop Anki loads MathJax for a card whose HTML holds a backslash and a bracket).
# `side` is "front" or "back". Runs after its card's HTML is in the page.
SHUFFLE_SCRIPT = """<script>
(function (side) {
  var lists = document.querySelectorAll("ol.srs-options");
  var list = lists[lists.length - 1];
  if (!list) return;
  var items = [], texts = [], i;
  for (i = 0; i < list.children.length; i++) {
    items.push(list.children[i]);
    texts.push(list.children[i].textContent);
  }
  var n = items.length;
  if (n < 2) return;
  var key = texts.join(String.fromCharCode(31));
  var STORE = "srs-option-order";

  function isOrder(order) {
    if (!order || order.length !== n) return false;
    var seen = [];
    for (var k = 0; k < n; k++) {
      var v = order[k];
      if (typeof v !== "number" || v < 0 || v >= n || seen[v]) return false;
      seen[v] = true;
    }
    return true;
  }
  function shuffled(random) {
    var order = [];
    for (var k = 0; k < n; k++) order.push(k);
    for (var j = n - 1; j > 0; j--) {
      var r = Math.floor(random() * (j + 1));
      var t = order[j];
      order[j] = order[r];
      order[r] = t;
    }
    return order;
  }
  function derived() {
    var d = new Date();
    var text = key + "|" + d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
    var h = 2166136261;
    for (var k = 0; k < text.length; k++) {
      h ^= text.charCodeAt(k);
      h = Math.imul(h, 16777619);
    }
    return shuffled(function () {
      h = (h + 0x6d2b79f5) | 0;
      var t = Math.imul(h ^ (h >>> 15), 1 | h);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    });
  }
  function kept() {
    var saved = window.srsOptionOrder;
    if (!saved || saved.key !== key) {
      try {
        saved = JSON.parse(window.sessionStorage.getItem(STORE));
      } catch (e) {
        saved = null;
      }
    }
    return saved && saved.key === key && isOrder(saved.order) ? saved.order : null;
  }
  function keep(order) {
    window.srsOptionOrder = { key: key, order: order };
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(window.srsOptionOrder));
      return JSON.parse(window.sessionStorage.getItem(STORE)).key === key;
    } catch (e) {
      return false;
    }
  }

  var order;
  if (side === "front") {
    order = shuffled(Math.random);
    if (!keep(order)) {
      order = derived();
      window.srsOptionOrder = { key: key, order: order };
    }
  } else {
    order = kept() || derived();
  }
  for (i = 0; i < n; i++) list.appendChild(items[order[i]]);
})("SIDE");
</script>"""


def shuffle_script(side: str) -> str:
    """The script for the front or the back template."""
    assert side in ("front", "back")
    return SHUFFLE_SCRIPT.replace('"SIDE"', f'"{side}"')
