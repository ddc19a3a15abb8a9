"""Two scripted weeks on the bundled decks: the collection the README's `srs stats` shows.

    python -m scripts.demo demo.db      (or `make demo`, which writes demo.db)

Imports the bundled decks into a new database and studies them as a fixed script would, 4
new cards a day: on 12 of the 14 days up to 2026-11-22, at 09:00, every card the session
offers is answered, right or wrong by a seeded random draw, and graded as a user taking the
suggested grade mostly would. Seeded and clock-free: every machine writes the same collection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from srs.importers import bundled_decks, read_file
from srs.review import Session, judge
from srs.store import Store

FIRST_DAY = dt.date(2026, 11, 9)
LAST_DAY = dt.date(2026, 11, 22)
SKIPPED = {dt.date(2026, 11, 13), dt.date(2026, 11, 17)}
NEW_PER_DAY = 4
SEED = 2026
RIGHT_FIRST_TIME = 0.8  # a card seen again after days
RIGHT_AGAIN = 0.95  # a same-day repeat, just seen


def study_days() -> list[dt.date]:
    days = (FIRST_DAY + dt.timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1))
    return [day for day in days if day not in SKIPPED]


def answer_day(store: Store, day: dt.date, rng: random.Random) -> int:
    """Everything the session offers on `day`, answered by the script; returns how many."""
    session = Session(store, day, random.Random(day.toordinal()), settings=store.settings())
    now = dt.datetime.combine(day, dt.time(9), dt.UTC)
    answered = 0
    while (shown := session.next_card()) is not None:
        right = rng.random() < (RIGHT_AGAIN if shown.queue == "learning" else RIGHT_FIRST_TIME)
        chosen, judgement = None, None
        if shown.is_mcq:
            answers = shown.card.question.answers
            wrong = [i for i in range(len(shown.card.question.options)) if i not in answers]
            chosen = tuple(sorted(answers)) if right else (rng.choice(wrong),)
            judgement = judge(shown, chosen)
        # Right: mostly the suggested 4, now and then easy or hard; wrong: the suggested 1.
        grade = rng.choices([3, 4, 5], weights=[2, 6, 2])[0] if right else 1
        seconds = rng.uniform(4, 25)
        now += dt.timedelta(seconds=seconds)
        session.grade(
            shown,
            grade,
            now=now,
            duration_ms=int(seconds * 1000),
            chosen=chosen,
            judgement=judgement,
        )
        answered += 1
    return answered


def build(path: Path) -> str:
    """Write the collection to `path` (which must not exist); returns a line saying what."""
    if path.exists():
        raise SystemExit(f"{path}: already exists; remove it first")
    rng = random.Random(SEED)
    with Store.open(path, create=True) as store:
        results = [read_file(p) for p in bundled_decks()]
        store.import_questions(
            [(r.deck, f"decks/{Path(r.path).name}", r.questions) for r in results],
            dt.datetime.combine(FIRST_DAY, dt.time(8), dt.UTC),
        )
        store.set_setting("new_per_day", NEW_PER_DAY)
        days = study_days()
        answers = sum(answer_day(store, day, rng) for day in days)
        cards = store.card_count()
    return (
        f"Wrote {path}: {cards} cards studied on {len(days)} of the 14 days"
        f" up to {LAST_DAY}, {answers} answers."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.demo", description=__doc__)
    parser.add_argument("database", type=Path, help="the new database to write")
    print(build(parser.parse_args(argv).database))


if __name__ == "__main__":
    main(sys.argv[1:])
