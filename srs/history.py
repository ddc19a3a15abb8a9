"""What FSRS reads of the review log, and the memory states replayed from it.

Pure: card histories in (:class:`srs.records.CardHistory`, from the store), FSRS's inputs
and memory states out. What FSRS is fed, in fitting, evaluating and replaying alike:

- only the first grade of each study day (kinds ``new`` and ``review``): same-day repeats
  change no memory state under srs's FSRS (see :mod:`srs.fsrs`), so they are not fed to the
  fitter either (it runs with ``enable_short_term=False``); cram changes no schedule;
- a card's history starts again at each ``new`` answer (its first, and the first after a
  reset), as Anki starts again at a card's last learning steps; answers before a card's
  first ``new`` (a truncated log) are not used;
- elapsed time in whole study days between first-of-day answers.

The heavy part (fsrs-rs through ``fsrs_rs_python``) is imported by the functions that use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from srs.errors import SrsError
from srs.fsrs import memory_from_sm2, rating
from srs.records import CardHistory, Memory

# The answers FSRS reads: a card's first answer, and the first answer of a later day.
FIRST_OF_DAY = ("new", "review")


@dataclass(frozen=True, slots=True)
class Step:
    """One first-of-day answer in a card's run."""

    rating: int  # FSRS rating 1-4
    elapsed: int  # study days since the previous answer of the run (0 for the first)
    recalled: bool  # graded 3 or more
    interval: int  # the SM-2 interval the card had when asked
    at: str  # UTC time, ISO text (sorts in time order)
    review_id: int
    day: dt.date  # its study day


@dataclass(frozen=True, slots=True)
class Run:
    """A card's first-of-day answers from a ``new`` answer on (its first answer, or its
    first after a reset)."""

    card_id: int
    deck: str
    steps: tuple[Step, ...]


def runs_of(history: CardHistory) -> list[Run]:
    """The card's runs, oldest first; the last one is what its current memory grew from."""
    found: list[Run] = []
    steps: list[Step] = []
    last_day = None
    for answer in history.answers:
        if answer.kind not in FIRST_OF_DAY:
            continue
        if answer.kind == "new":
            if steps:
                found.append(Run(history.card_id, history.deck, tuple(steps)))
            steps, last_day = [], None
        elif last_day is None or answer.study_day <= last_day:
            # No `new` before it (a truncated log), or a clock gone back: not usable.
            continue
        elapsed = 0 if last_day is None else (answer.study_day - last_day).days
        steps.append(
            Step(
                rating(answer.grade),
                elapsed,
                answer.grade >= 3,
                answer.interval_before,
                answer.reviewed_at,
                answer.id,
                answer.study_day,
            )
        )
        last_day = answer.study_day
    if steps:
        found.append(Run(history.card_id, history.deck, tuple(steps)))
    return found


def current_run(history: CardHistory) -> Run | None:
    """The run the card's current state grew from; None if its history cannot be
    replayed (never studied, reset since, or answers missing from the log)."""
    state = history.state
    if state.is_new:
        return None
    found = runs_of(history)
    if not found:
        return None
    last = found[-1]
    # The card's last review must be the run's last answer: else the log is missing
    # answers (or the card was scheduled by other means) and replaying it would mislead.
    return last if last.steps[-1].day == state.last_review else None


# ---------------------------------------------------------------- fsrs-rs


def fsrs_reviews(run: Run) -> list:
    """The run as fsrs-rs reviews (rating, elapsed days)."""
    from fsrs_rs_python import FSRSReview

    return [FSRSReview(step.rating, step.elapsed) for step in run.steps]


def replayed_memories(
    histories: Iterable[CardHistory], parameters_of
) -> Iterable[tuple[int, Memory | None, bool]]:
    """(card id, memory, replayed) for every card: replayed from its history with the
    parameters of its deck (``parameters_of(deck)``), else inferred from its SM-2 state
    (``replayed`` False), else None for a new card. Cards are replayed in batches of one
    parameter set, as Anki does (fsrs-rs batches are fastest with even lengths)."""
    from fsrs_rs_python import FSRS, FSRSItem

    batch: dict[tuple[float, ...], list[tuple[int, Run]]] = {}
    for history in histories:
        parameters = tuple(parameters_of(history.deck))
        if history.state.is_new:
            yield history.card_id, None, False
            continue
        run = current_run(history)
        if run is None:
            yield history.card_id, memory_from_sm2(history.state.sm2, parameters), False
            continue
        batch.setdefault(parameters, []).append((history.card_id, run))
    for parameters, cards in batch.items():
        cards.sort(key=lambda c: len(c[1].steps))
        model = FSRS(list(parameters))
        for start in range(0, len(cards), 1000):
            chunk = cards[start : start + 1000]
            try:
                states = model.memory_state_batch([FSRSItem(fsrs_reviews(s)) for _, s in chunk])
            except ValueError as e:  # a history fsrs-rs cannot use
                raise SrsError(f"FSRS cannot compute memory states ({e})") from None
            for (card_id, _), m in zip(chunk, states, strict=True):
                yield card_id, Memory(m.stability, m.difficulty), True


# ---------------------------------------------------------------- scorable reviews


@functools.lru_cache(maxsize=65536)
def r_matrix_bin(elapsed: int, length: int, lapses: int) -> tuple[int, int, int]:
    """The bin RMSE(bins) puts a review in, as srs-benchmark and fsrs-rs bin it
    (fsrs-rs ``r_matrix_index``): by elapsed days, the number of answers after the first
    plus one, and the lapses before it, each on a log scale."""
    elapsed_bin = round(2.48 * 3.62 ** math.floor(math.log(elapsed, 3.62)) * 100)
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    if not lapses:
        return elapsed_bin, length_bin, 0
    return elapsed_bin, length_bin, round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))


@dataclass(frozen=True, slots=True)
class Scorable:
    """A review a predictor can be scored on: a first-of-day answer to a card with history.
    The figures the metrics read are copied out of its step: a log holds millions."""

    at: str  # UTC time, ISO text
    review_id: int
    card_id: int
    run: Run
    index: int  # of the answer in the run (>= 1)
    elapsed: int  # days since the answer before it
    interval: int  # the SM-2 interval the card had
    recalled: bool
    bin: tuple[int, int, int]  # see r_matrix_bin

    @property
    def step(self) -> Step:
        return self.run.steps[self.index]

    def r_matrix_index(self) -> tuple[int, int, int]:
        return self.bin


def scorable(histories: Iterable[CardHistory]) -> list[Scorable]:
    """Every scorable review (not a card's first, not a same-day repeat, not cram), in the
    order they were given, with the runs they belong to."""
    found = []
    for history in histories:
        for run in runs_of(history):
            lapses = 0
            steps = run.steps
            for index in range(1, len(steps)):
                step = steps[index]
                found.append(
                    Scorable(
                        step.at,
                        step.review_id,
                        run.card_id,
                        run,
                        index,
                        step.elapsed,
                        step.interval,
                        step.recalled,
                        r_matrix_bin(step.elapsed, index + 1, lapses),
                    )
                )
                lapses += step.rating == 1
    found.sort(key=lambda s: (s.at, s.review_id))
    return found


class RunItems:
    """Each run's fsrs-rs reviews and item, made once and shared by every parameter set and
    every training item (srs evaluate predicts with six parameter sets)."""

    def __init__(self) -> None:
        self._reviews: dict[int, list] = {}
        self._items: dict[int, object] = {}

    def reviews(self, run: Run) -> list:
        found = self._reviews.get(id(run))
        if found is None:
            found = self._reviews[id(run)] = fsrs_reviews(run)
        return found

    def item(self, run: Run):
        from fsrs_rs_python import FSRSItem

        found = self._items.get(id(run))
        if found is None:
            found = self._items[id(run)] = FSRSItem(self.reviews(run))
        return found


def stabilities_before(
    reviews: Sequence[Scorable], parameters: Sequence[float], made: RunItems | None = None
) -> list[float]:
    """Each review's stability before it (after the answers before it in its run), by fsrs-rs."""
    from fsrs_rs_python import FSRS

    made = made or RunItems()
    runs = list({id(r.run): r.run for r in reviews}.values())
    try:
        states = FSRS(list(parameters)).historical_memory_state_batch(
            [made.item(run) for run in runs]
        )
    except ValueError as e:  # parameters or a history fsrs-rs cannot use
        raise SrsError(f"FSRS cannot compute memory states ({e})") from None
    by_run = dict(zip((id(run) for run in runs), states, strict=True))
    return [by_run[id(r.run)][r.index - 1].stability for r in reviews]


def fsrs_items(reviews: Sequence[Scorable], made: RunItems | None = None) -> list:
    """fsrs-rs training items: each review with the answers before it in its run."""
    from fsrs_rs_python import FSRSItem

    made = made or RunItems()
    return [FSRSItem(made.reviews(r.run)[: r.index + 1]) for r in reviews]
