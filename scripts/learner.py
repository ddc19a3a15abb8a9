"""A simulated learner: two years of a learner who forgets as a known FSRS model says.

    python -m scripts.learner learner.db     (500 cards, seed 1, deck Lang::Sim)

What the FSRS tests (and the README's `srs evaluate` example) score the schedulers on: the
reviews are scheduled by SM-2, the recalls drawn from FSRS-6 with LEARNER_PARAMETERS, far
from FSRS's defaults. Seeded and clock-free: every machine writes the same collection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from srs.records import Question
from srs.store import Store

TODAY = dt.date(2026, 11, 22)


def basic(text: str, answer: str) -> Question:
    return Question(text=text, kind="basic", answer=answer)


# The memory of the simulated learner: FSRS-6 with these parameters (far from the defaults:
# stability grows slower than SM-2's intervals, and forgetting is steeper).
LEARNER_PARAMETERS = (
    0.3, 1.0, 2.5, 12.0, 7.0, 0.5, 1.5, 0.005, 1.1, 0.3, 1.2,
    1.5, 0.15, 0.35, 1.5, 0.5, 2.0, 0.5, 0.1, 0.05, 0.35,
)  # fmt: skip


def simulate_learner(
    store: Store,
    *,
    cards: int = 500,
    days: int = 730,
    seed: int = 1,
    deck: str = "Sim",
    until: dt.date = TODAY,
) -> int:
    """Two years (``days``) of daily study of ``cards`` cards, scheduled by SM-2, by a learner
    who forgets as FSRS with LEARNER_PARAMETERS says (seeded): each card starts on a random
    day; at each review the learner recalls it with the model's retrievability and grades
    3-5 if so, 0-2 if not (then repeats it the same day until graded 4); reviews are often
    a few days late. Written through the store as the session writes grades (one
    transaction). Returns the number of answers."""
    from srs import sm2
    from srs.fsrs import FsrsScheduler, retrievability
    from srs.records import CardState

    rng = random.Random(seed)
    truth = FsrsScheduler(LEARNER_PARAMETERS)
    store.import_questions(
        [(deck, f"{deck}.md", [basic(f"{deck} fact {i}", f"answer {i}") for i in range(cards)])],
        dt.datetime.combine(until - dt.timedelta(days=days + 1), dt.time(8), dt.UTC),
    )
    ids = store.queue(until, deck, new_limit=cards, review_limit=cards).new
    start = until - dt.timedelta(days=days)
    answers = 0
    with store.atomic():
        for card_id in ids:
            day = start + dt.timedelta(days=rng.randrange(days))
            state, memory = CardState(), CardState()
            while day < until:
                if state.is_new:
                    grade = rng.choices([1, 3, 4, 5], [0.25, 0.1, 0.55, 0.1])[0]
                else:
                    assert memory.memory is not None and memory.last_review is not None
                    elapsed = (day - memory.last_review).days
                    recalled = rng.random() < retrievability(
                        memory.memory.stability, elapsed, LEARNER_PARAMETERS
                    )
                    grade = rng.choices([3, 4, 5], [0.15, 0.7, 0.15])[0] if recalled else 1
                memory = truth.answer(memory, grade, day)
                at = dt.datetime.combine(day, dt.time(rng.randrange(6, 22)), dt.UTC)
                at += dt.timedelta(seconds=rng.randrange(3600))
                kind = "new" if state.is_new else "review"
                while True:
                    after = sm2.answer(state, grade, day)
                    log = store.record_review(
                        card_id, state, after, kind=kind, grade=grade, now=at,
                        today=day, duration_ms=3000,
                    )  # fmt: skip
                    assert log is not None
                    answers += 1
                    state = after
                    if not state.needs_repeat(day):
                        break
                    kind, grade, at = "repeat", 4, at + dt.timedelta(minutes=5)
                assert state.due is not None
                day = state.due + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 5, 12]))
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.learner", description=__doc__)
    parser.add_argument("database", type=Path, help="a new database file to write")
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deck", default="Lang::Sim")
    args = parser.parse_args(argv)
    if args.database.exists():
        print(f"{args.database}: already exists", file=sys.stderr)
        return 1
    with Store.open(args.database) as store:
        answers = simulate_learner(store, cards=args.cards, seed=args.seed, deck=args.deck)
    print(f"Wrote {args.database}: {args.cards} cards, {answers:,} answers over two years.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
