"""A review session: the queue, judging answers, grading, undo. No terminal code.

The CLI shows what `next_card` returns and passes the user's keys back in;
a grade goes session -> scheduler -> store, and is committed before the next card.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

from srs import card_faces
from srs.errors import SrsError
from srs.records import (
    CardState,
    CommittedGrade,
    DueCounts,
    Grade,
    ReviewKind,
    StudyCard,
)
from srs.scheduler import Scheduler, scheduler_by_deck
from srs.settings import Settings
from srs.store import Store

LETTERS = string.ascii_lowercase
# A card graded below 4 comes back after this many other cards (or at the end).
REPEAT_GAP = 3
# How far down the line a card is looked for to go before a sibling of the card just shown
# (a cloze of many gaps queues them together).
SIBLING_LOOKAHEAD = 50


@dataclass(frozen=True)
class Shown:
    """A card as presented: for multiple-choice, the option order shown (indexes into options)."""

    card: StudyCard
    order: tuple[int, ...]
    queue: str  # "learning" | "review" | "new"

    @property
    def is_mcq(self) -> bool:
        return self.card.question.kind == "mcq"

    @property
    def choose(self) -> int:
        """How many options to choose: the number of right ones."""
        return len(self.card.question.answers)

    def front(self) -> str:
        """What the card asks: the question (a reversed card's answer, a cloze with its gap)."""
        return card_faces.front(self.card.question, self.card.ord)

    def back(self) -> str:
        """What the card answers (a cloze's whole text, the gap's words in brackets)."""
        return card_faces.back(self.card.question, self.card.ord)

    def options(self) -> list[tuple[str, str]]:
        """(letter, text) pairs in the order shown."""
        opts = self.card.question.options
        return [(LETTERS[i], opts[j]) for i, j in enumerate(self.order)]

    def right_letters(self) -> str:
        answers = set(self.card.question.answers)
        return "".join(LETTERS[i] for i, j in enumerate(self.order) if j in answers)

    def parse_choice(self, text: str) -> tuple[int, ...]:
        """Letters typed (e.g. "b" or "a c") as option indexes; ValueError if not valid."""
        letters = [ch for ch in text.lower() if not ch.isspace() and ch != ","]
        if not letters:
            raise ValueError("type a letter")
        valid = LETTERS[: len(self.order)]
        for ch in letters:
            if ch not in valid:
                raise ValueError(f"choose from {valid[0]}-{valid[-1]}")
        return tuple(sorted({self.order[valid.index(ch)] for ch in letters}))


@dataclass(frozen=True)
class Judgement:
    correct: bool
    suggested: Grade
    right_letters: str

    @property
    def max_grade(self) -> Grade:
        """A wrong answer cannot be graded as a pass."""
        return Grade.PERFECT if self.correct else Grade.WRONG_EASY_RECALL


def judge(shown: Shown, chosen: tuple[int, ...]) -> Judgement:
    right = set(shown.card.question.answers)
    correct = set(chosen) == right
    return Judgement(
        correct=correct,
        suggested=Grade.GOOD if correct else Grade.WRONG,
        right_letters=shown.right_letters(),
    )


@dataclass
class Tally:
    reviewed: int = 0
    right: int = 0  # multiple-choice answered right, other cards graded 3 or more


@dataclass
class Session:
    """One sitting of reviews for a deck (or all decks) on one study day."""

    store: Store
    today: dt.date
    rng: random.Random
    deck: str | None = None
    settings: Settings = field(default_factory=Settings)
    new_limit: int | None = None  # overrides what is left of today's new-card limit
    limit: int | None = None  # at most this many cards this session
    cram: bool = False  # practise any card: logged as 'cram', the schedule left untouched
    scheduler: Scheduler | None = None  # default: the settings' choice (per deck under FSRS)
    _queue: deque[tuple[int, str]] = field(default_factory=deque)
    _repeats: list[tuple[int, int]] = field(default_factory=list)  # (due after n answers, card)
    _history: list[tuple[CommittedGrade, Shown, Judgement | None]] = field(default_factory=list)
    _answered: int = 0
    tally: Tally = field(default_factory=Tally)
    _scheduler_by_deck: Callable[[str], Scheduler] | None = None
    _last_shown: tuple[int, int | None] | None = None  # (card, its question): siblings wait
    _question_ids: dict[int, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cram:
            self._cram_queue()
            return
        reviews_left, new_left = self.store.day_budget(self.today, self.settings)
        if self.new_limit is not None:
            if self.new_limit < 0:
                raise SrsError(f"--new must be 0 or more, not {self.new_limit}")
            new_left = self.new_limit
        if self.limit is not None:
            if self.limit < 0:
                raise SrsError(f"--limit must be 0 or more, not {self.limit}")
            reviews_left = min(reviews_left, self.limit)
        today = self.store.queue(
            self.today, self.deck, new_limit=new_left, review_limit=reviews_left
        )
        queued = (
            [(c, "learning") for c in today.learning]
            + [(c, "review") for c in today.review]
            + [(c, "new") for c in today.new]
        )
        if self.limit is not None:
            queued = queued[: self.limit]
        self._queue.extend(queued)

    def _cram_queue(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise SrsError(f"--limit must be 0 or more, not {self.limit}")
        ids = self.store.cram_cards(self.deck)
        self.rng.shuffle(ids)
        if self.limit is not None:
            ids = ids[: self.limit]
        self._queue.extend((c, "review") for c in ids)

    # ------------------------------------------------------------ what is left

    def remaining(self) -> dict[str, int]:
        """Cards left in this session as new / learning / review."""
        left = {"new": 0, "learning": len(self._repeats), "review": 0}
        for _, queue in self._queue:
            left[queue] += 1
        return left

    def next_card(self) -> Shown | None:
        """The next card to show, with a fresh option order; None when done."""
        while True:
            card_id, queue = self._pop()
            if card_id is None:
                return None
            card = self.store.study_card(card_id)
            if not self._still_due(card, queue):
                continue  # another session graded it meanwhile
            order = list(range(len(card.question.options)))
            self.rng.shuffle(order)
            self._last_shown = (card_id, self._question_of(card_id))
            return Shown(card=card, order=tuple(order), queue=queue)

    def _pop(self) -> tuple[int | None, str]:
        """The next card in line. A sibling of the card shown last (the other side of its
        question, another gap of its cloze) lets one other card go first, if there is one
        in line: back to back, the first would give the second away."""
        line = self._in_line()
        first = next(line, None)
        if first is None:
            return None, ""
        chosen = first
        if self._is_sibling(first[2]):
            others = (c for c in islice(line, SIBLING_LOOKAHEAD) if not self._same_question(c[2]))
            chosen = next(others, first)
        source, index, card_id, queue = chosen
        if source == "repeat":
            del self._repeats[index]
        else:
            del self._queue[index]
        return card_id, queue

    def _in_line(self) -> Iterator[tuple[str, int, int, str]]:
        """(where, index there, card, queue) in the order cards are asked: same-day repeats
        that are due, then the queue; repeats not due yet only once the queue is empty."""
        for index, (after, card_id) in enumerate(self._repeats):
            if after <= self._answered or not self._queue:
                yield "repeat", index, card_id, "learning"
        for index, (card_id, queue) in enumerate(self._queue):
            yield "queue", index, card_id, queue

    def _is_sibling(self, card_id: int) -> bool:
        """Another card of the question shown last."""
        last = self._last_shown
        return last is not None and card_id != last[0] and self._same_question(card_id)

    def _same_question(self, card_id: int) -> bool:
        """The card shown last, or another card of its question."""
        last = self._last_shown
        if last is None:
            return False
        return card_id == last[0] or (last[1] is not None and self._question_of(card_id) == last[1])

    def _question_of(self, card_id: int) -> int | None:
        if card_id not in self._question_ids:
            # Read with those of the next cards in line: one query for many cards shown.
            known = self._question_ids
            ahead = [c for c, _ in islice(self._queue, SIBLING_LOOKAHEAD) if c not in known]
            wanted = [card_id, *ahead]
            found = self.store.question_ids(wanted)
            for c in wanted:
                known[c] = found.get(c)
        return self._question_ids[card_id]

    def _still_due(self, card: StudyCard, queue: str) -> bool:
        state = card.state
        if self.cram:
            return True
        if queue == "learning":
            return state.needs_repeat(self.today)
        if queue == "new":
            return state.is_new
        return state.due is not None and state.due <= self.today

    # ------------------------------------------------------------ answering

    def grade(
        self,
        shown: Shown,
        grade: int,
        *,
        now: dt.datetime,
        duration_ms: int,
        chosen: tuple[int, ...] | None = None,
        judgement: Judgement | None = None,
    ) -> CommittedGrade | None:
        """Grade the shown card and commit it; None if another session already did.

        The grade and what follows from it (a leech suspended) are one commit.
        """
        q = Grade.parse(grade)
        if judgement is not None and q > judgement.max_grade:
            raise ValueError(f"a wrong answer can be graded 0-{int(judgement.max_grade)}")
        scheduler = self.scheduler_of(shown.card.deck)
        # The state read when the card was shown; record_review checks it inside the write
        # transaction, and only a conflict (another session) costs a fresh read.
        before = shown.card.state
        for _ in range(5):
            if not self._still_due(replace(shown.card, state=before), shown.queue):
                return None
            if self.cram:
                after, kind = before, "cram"  # state_before == state_after: nothing rescheduled
            else:
                after = scheduler.answer(before, q, self.today)
                kind = self._kind(before)
            with self.store.atomic():
                log = self.store.record_review(
                    shown.card.id,
                    before,
                    after,
                    kind=kind,
                    grade=int(q),
                    now=now,
                    today=self.today,
                    duration_ms=duration_ms,
                    options_shown=shown.order if shown.is_mcq else None,
                    chosen=chosen,
                    correct=None if judgement is None else judgement.correct,
                )
                suspend = (
                    log is not None
                    and self.became_leech(log)
                    and bool(self.settings.suspend_leeches)
                )
                if suspend:
                    self.store.set_suspended([shown.card.id], True)
            if log is not None:
                break
            before = self.store.card_state(shown.card.id)
        else:
            raise SrsError("the card kept changing under this session; try again")
        self._answered += 1
        self._history.append((log, shown, judgement))
        self._count(log, judgement, +1)
        if after.needs_repeat(self.today) and not self.cram and not suspend:
            self._repeats.append((self._answered + REPEAT_GAP, shown.card.id))
        return log

    def scheduler_of(self, deck: str) -> Scheduler:
        """The scheduler for a card of ``deck``: ``scheduler`` if one was given, else the one
        the settings choose, with the FSRS parameters fitted for the deck (or a parent deck,
        or the collection), made once a deck."""
        if self.scheduler is not None:
            return self.scheduler
        if self._scheduler_by_deck is None:
            fsrs = self.settings.scheduler == "fsrs"
            fitted = self.store.fitted_parameters() if fsrs else {}
            self._scheduler_by_deck = scheduler_by_deck(self.settings, fitted)
        return self._scheduler_by_deck(deck)

    def _kind(self, before: CardState) -> ReviewKind:
        if before.is_new:
            return "new"
        if before.last_review is not None and before.last_review >= self.today:
            return "repeat"
        return "review"

    def _count(self, log: CommittedGrade, judgement: Judgement | None, sign: int) -> None:
        right = judgement.correct if judgement is not None else log.grade >= Grade.HARD
        self.tally.reviewed += sign
        self.tally.right += sign * right

    def became_leech(self, log: CommittedGrade) -> bool:
        """Whether this grade took the card's lapses to the leech threshold."""
        threshold = self.settings.leech_threshold
        return log.before.lapses < threshold <= log.after.lapses

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self, pending: Shown | None = None) -> Shown | None:
        """Take back the last grade; the card is shown again next. `pending` goes back in line."""
        if not self._history:
            return None
        log, shown, judgement = self._history[-1]
        with self.store.atomic():
            if not self.store.undo_review(log):
                raise SrsError("that card was graded again in another session")
            if self.became_leech(log) and self.settings.suspend_leeches:
                self.store.set_suspended([log.card_id], False)  # the leech's suspension too
        self._history.pop()
        self._answered -= 1
        self._count(log, judgement, -1)
        self._repeats = [(n, c) for n, c in self._repeats if c != log.card_id]
        self._last_shown = None  # the card taken back is next, whatever was shown before it
        if pending is not None:
            self._queue.appendleft((pending.card.id, pending.queue))
        self._queue.appendleft((shown.card.id, shown.queue))
        return shown

    def left_today(self) -> DueCounts:
        """What is still to study today, under the day's limits (as `srs due` counts it)."""
        return self.store.due_counts(self.today, self.deck, self.settings)[0]

    def due_tomorrow(self) -> DueCounts:
        """What tomorrow holds: reviews due by then (today's left over too), and new cards."""
        tomorrow = self.today + dt.timedelta(days=1)
        return self.store.due_counts(tomorrow, self.deck, self.settings)[0]
