"""Edits to questions without an ``id:``: on re-importing a file, a question that left it and
one that appeared in it are the same question, edited, when they are near-identical.

A question is recognised by its normalised text, so fixing a typo in its text makes it a
different question. :func:`pair_edits` pairs such a question that disappeared from a file
with one that appeared in the same file, so the store updates it in place (same card, same
history, same Anki note) instead of adding a new one. A pair needs the same answers (for
multiple choice: the same options, the same marked right; for a question/answer card: the
same answer), and either

* a text similarity of at least ``SIMILARITY`` (difflib's ratio, on the normalised texts), or
* the same position in the file (the k-th question before and after), where those answers
  are the only ones of their kind in the file, old or new (many true/false questions share
  their options: there, the position says nothing).

Each question may have one partner only: a question with two possible partners, or whose
partner has another one, is not paired (it is *ambiguous*: imported as new, the old one
kept), and the caller says so. Two explicit ``id:`` are two questions, never paired.

Comparing texts costs time for every pair of a question that left and one that came with
the same answers: a file rewritten wholesale (thousands of true/false questions reworded)
would take minutes. Beyond ``MAX_COMPARISONS`` pairs, texts are not compared (the position
rule still holds) and the result says so.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

SIMILARITY = 0.9
MAX_COMPARISONS = 20_000


@dataclass(frozen=True)
class Side:
    """A question on one side of a pairing: ``key`` what must be equal (kind and answers),
    ``text`` its normalised text, ``position`` its index among its file's questions."""

    key: Hashable
    text: str
    position: int
    explicit_id: bool = False


@dataclass(frozen=True)
class Pairing:
    """Pairs of (gone, new) indexes into the two lists, and the gone ones left ambiguous
    with the new ones they might have been."""

    pairs: list[tuple[int, int]]
    ambiguous: list[tuple[int, list[int]]]
    not_compared: int = 0  # pairs of texts left uncompared (more than MAX_COMPARISONS)


def similar(a: str, b: str, matcher: difflib.SequenceMatcher | None = None) -> bool:
    """Whether two normalised texts are at least SIMILARITY alike (cheap bounds first).

    ``matcher``: one that already has ``b`` as its second sequence (it caches its work on it).
    """
    if 2 * min(len(a), len(b)) < SIMILARITY * (len(a) + len(b)):  # real_quick_ratio
        return False
    if matcher is None:
        matcher = difflib.SequenceMatcher(None, b=b, autojunk=False)
    matcher.set_seq1(a)
    return matcher.quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY


def pair_edits(gone: Sequence[Side], new: Sequence[Side], shared: set[Hashable]) -> Pairing:
    """Pair questions that left a file (``gone``) with questions new to it (``new``).

    ``shared``: the keys that more than one question of the file has, in its old version
    (as stored) or in its new one; the position says nothing for those.
    """
    new_by_key: dict[Hashable, list[int]] = defaultdict(list)
    for n, side in enumerate(new):
        new_by_key[side.key].append(n)
    work = sum(len(new_by_key.get(old.key, ())) for old in gone)
    compare_texts = work <= MAX_COMPARISONS
    matchers: dict[int, difflib.SequenceMatcher] = {}
    candidates: dict[int, list[int]] = {}
    partners: dict[int, list[int]] = defaultdict(list)  # new -> gone candidates
    for g, old in enumerate(gone):
        found = []
        for n in new_by_key.get(old.key, ()):
            if old.explicit_id and new[n].explicit_id:
                continue
            if old.position == new[n].position and old.key not in shared:
                found.append(n)
            elif compare_texts:
                matcher = matchers.get(n)
                if matcher is None:
                    matcher = matchers[n] = difflib.SequenceMatcher(
                        None, b=new[n].text, autojunk=False
                    )
                if similar(old.text, new[n].text, matcher):
                    found.append(n)
        if found:
            candidates[g] = found
            for n in found:
                partners[n].append(g)
    pairs = []
    ambiguous = []
    for g, found in candidates.items():
        if len(found) == 1 and partners[found[0]] == [g]:
            pairs.append((g, found[0]))
        else:
            ambiguous.append((g, found))
    return Pairing(pairs, ambiguous, 0 if compare_texts else work)
