"""Progress figures for `srs stats`: computed from the store's aggregate queries.

The functions below `gather` are pure: query results and `today` in, figures
out. `gather` runs the queries (all GROUP BY in SQL, on indexes) and returns
the figures as one JSON-ready dict, which is exactly what `srs stats --json`
prints:

    {
      "day": "2026-11-22",              # today's study day
      "deck": null,                     # --deck, or null for all decks
      "days": 30,                       # --days: the forecast / history window
      "forecast": {
        "overdue": 3,                   # due before today (not counted below)
        "days": [{"day": "2026-11-22", "due": 5}, ...]   # today .. today+days-1
      },
      "history": {
        "total": 120,                   # answers in the window (every kind)
        "days": [{"day": "2026-10-24", "reviews": 0}, ...]  # ..., today
      },
      "calendar": {"from": "2025-11-24", "to": "2026-11-22",
                   "reviews": [0, 4, ...]},   # one count per day, 52 weeks + this one
      "cards": {"total": 35, "new": 10, "learning": 1, "young": 20, "mature": 2,
                "suspended": 2, "leeches": 0},
      "retention": {                    # first-of-day grades of due cards, grade >= 3
        "young": {"reviews": 40, "passed": 34, "rate": 0.85},
        "mature": {"reviews": 0, "passed": 0, "rate": null}
      },
      "streak": 4,                      # consecutive study days with an answer
      "ef": {"mean": 2.41, "buckets": [{"from": 1.3, "to": 1.5, "cards": 2}, ...,
                                       {"from": 2.7, "to": null, "cards": 0}]},
      "hardest": [{"id": 7, "deck": "...", "question": "...", "ef": 1.3,
                   "difficulty": null, "lapses": 3, "interval": 1}, ...],
                                        # (difficulty: FSRS's, null for a card without)
                                        # lowest EF, then most lapses; under FSRS the
                                        # highest difficulty (1-10), then most lapses
      "fsrs": null                      # under FSRS (scheduler fsrs):
              {"desired_retention": 0.9,
               "difficulty": {"mean": 5.2, "buckets": [{"from": 1, "to": 2, "cards": 4},
                                                      ..., {"from": 9, "to": 10, ...}]},
               "true_retention": {"reviews": 40, "passed": 35, "rate": 0.875},
               "retrievability": [{"from": 0.95, "to": 1.0, "cards": 12}, ...,
                                  {"from": 0.0, "to": 0.5, "cards": 1}]}
    }

Under FSRS, true retention is the share of first-of-day grades of due cards graded 3 or
more in the window (young and mature together), against the desired retention; the
retrievability of each scheduled, active card with a memory state is its predicted recall
today, with the parameters of its deck. The difficulty spread counts the scheduled cards
with a memory (suspended too, as the EF spread). The hardest cards are those of highest
difficulty, less those with no lapse and no more difficulty than a first Good answer gives.

States exclude each other (suspended, then new, learning = a same-day repeat
pending, young = interval < 21 days, mature); leeches (lapses >= leech_threshold)
overlap them. The streak ends today, or yesterday if nothing was answered today yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srs.records import CardRow, StateCounts
from srs.records.card import INITIAL_EF

if TYPE_CHECKING:
    from srs.settings import Settings
    from srs.store import Store

CALENDAR_WEEKS = 53
HARDEST = 5
MAX_DAYS = 3650  # --days: ten years (a bound, so dates stay in range)
# EF bucket edges in hundredths; the last bucket is open-ended.
EF_EDGES = (130, 150, 170, 190, 210, 230, 250, 270)


def _day(d: dt.date) -> str:
    return d.isoformat()


def forecast(due_by_day: Mapping[str, int], today: dt.date, days: int) -> dict[str, Any]:
    """Reviews due on each of the next `days` days, with the overdue apart."""
    overdue = sum(n for day, n in due_by_day.items() if day < _day(today))
    return {
        "overdue": overdue,
        "days": [
            {"day": _day(d), "due": due_by_day.get(_day(d), 0)}
            for d in (today + dt.timedelta(days=i) for i in range(days))
        ],
    }


def history(per_day: Mapping[str, int], today: dt.date, days: int) -> dict[str, Any]:
    """Answers per day over the last `days` days, today last."""
    rows = [
        {"day": _day(d), "reviews": per_day.get(_day(d), 0)}
        for d in (today - dt.timedelta(days=days - 1 - i) for i in range(days))
    ]
    return {"total": sum(r["reviews"] for r in rows), "days": rows}


def calendar_start(today: dt.date) -> dt.date:
    """The Monday that starts the heatmap: 52 full weeks before this week's."""
    return today - dt.timedelta(days=today.weekday() + 7 * (CALENDAR_WEEKS - 1))


def calendar(per_day: Mapping[str, int], today: dt.date) -> dict[str, Any]:
    """One count per day from `calendar_start` to today (for the heatmap)."""
    start = calendar_start(today)
    n = (today - start).days + 1
    return {
        "from": _day(start),
        "to": _day(today),
        "reviews": [per_day.get(_day(start + dt.timedelta(days=i)), 0) for i in range(n)],
    }


def card_counts(states: StateCounts) -> dict[str, int]:
    """State counts from `Store.state_counts`, with the total."""
    return {
        "total": states.total,
        "new": states.new,
        "learning": states.learning,
        "young": states.young,
        "mature": states.mature,
        "suspended": states.suspended,
        "leeches": states.leeches,
    }


def ef_spread(rows: Iterable[Sequence[int]]) -> dict[str, Any]:
    """EF histogram of scheduled cards from `Store.ef_counts` rows: (EF in hundredths, cards)."""
    buckets = [0] * len(EF_EDGES)
    weighted = count = 0
    for ef, scheduled in rows:
        if not scheduled:
            continue
        tenths = ef // 10
        i = max(j for j, edge in enumerate(EF_EDGES) if j == 0 or tenths * 10 >= edge)
        buckets[i] += scheduled
        weighted += ef * scheduled
        count += scheduled
    return {
        "mean": round(weighted / count / 100, 2) if count else None,
        "buckets": [
            {
                "from": edge / 100,
                "to": EF_EDGES[i + 1] / 100 if i + 1 < len(EF_EDGES) else None,
                "cards": buckets[i],
            }
            for i, edge in enumerate(EF_EDGES)
        ],
    }


def retention(counts: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    out = {}
    for group in ("young", "mature"):
        n, passed = counts.get(group, (0, 0))
        out[group] = {"reviews": n, "passed": passed, "rate": round(passed / n, 3) if n else None}
    return out


def streak(studied: Callable[[dt.date], bool], today: dt.date) -> int:
    """Consecutive study days with an answer, ending today (or yesterday, if not yet today)."""
    day = today if studied(today) else today - dt.timedelta(days=1)
    n = 0
    while studied(day):
        n += 1
        day -= dt.timedelta(days=1)
    return n


def hardest(
    cards: Iterable[CardRow], first_good: Callable[[str], float] | None = None
) -> list[dict[str, Any]]:
    """The hardest cards as listed, less those with nothing hard about them: no lapse and
    the EF a card starts with, or more (early on, every card: a list of them would name
    cards answered right). Under FSRS (``first_good``: the difficulty after a first Good
    answer in a deck, with its parameters), no lapse and that difficulty or less."""

    def hard(card: CardRow) -> bool:
        if card.state.lapses > 0:
            return True
        if first_good is None:
            return card.state.sm2.ef < INITIAL_EF
        memory = card.state.memory
        # (A memory replayed from the log differs from the live one in the 8th decimal.)
        return memory is not None and memory.difficulty > first_good(card.deck) + 1e-4

    return [
        {
            "id": card.id,
            "deck": card.deck,
            "question": card.question,
            "ef": card.state.sm2.ef / 100,
            "difficulty": None
            if card.state.memory is None
            else round(card.state.memory.difficulty, 2),
            "lapses": card.state.lapses,
            "interval": card.state.sm2.interval,
        }
        for card in cards
        if hard(card)
    ]


def difficulty_spread(rows: Iterable[Sequence[float]]) -> dict[str, Any]:
    """FSRS difficulty histogram of scheduled cards from `Store.difficulty_counts` rows:
    (whole difficulty 1-9, cards, their difficulties' sum); buckets 1-2 ... 9-10."""
    buckets = dict.fromkeys(range(1, 10), 0)
    total = count = 0.0
    for whole, cards, summed in rows:
        buckets[max(1, min(9, int(whole)))] += int(cards)
        total += summed
        count += cards
    return {
        "mean": round(total / count, 2) if count else None,
        "buckets": [{"from": d, "to": d + 1, "cards": n} for d, n in buckets.items()],
    }


def gather(
    store: Store, today: dt.date, settings: Settings, *, deck: str | None, days: int
) -> dict[str, Any]:
    """Every figure of `srs stats`, in the shape documented above."""
    from srs.errors import SrsError

    if not 1 <= days <= MAX_DAYS:
        raise SrsError(f"--days must be 1 or more (at most {MAX_DAYS}), not {days}")
    last = today + dt.timedelta(days=days - 1)
    cal_from = calendar_start(today)
    since = min(cal_from, today - dt.timedelta(days=days - 1))
    per_day = store.reviews_by_day(deck, since, today)
    return {
        "day": _day(today),
        "deck": deck,
        "days": days,
        "forecast": forecast(store.due_by_day(deck, last), today, days),
        "history": history(per_day, today, days),
        "calendar": calendar(per_day, today),
        "cards": card_counts(store.state_counts(deck, today, settings.leech_threshold)),
        "retention": retention(
            store.retention_counts(deck, today - dt.timedelta(days=days - 1), today)
        ),
        # Days since `since` from the history already counted; older ones one probe each.
        "streak": streak(
            lambda d: per_day.get(_day(d), 0) > 0 if d >= since else store.studied_on(deck, d),
            today,
        ),
        "ef": ef_spread(store.ef_counts(deck)),
        "hardest": _hardest(store, settings, deck),
        "fsrs": fsrs(store, today, settings, deck=deck, days=days)
        if settings.scheduler == "fsrs"
        else None,
    }


def _hardest(store: Store, settings: Settings, deck: str | None) -> list[dict[str, Any]]:
    """Under SM-2 the lowest EF; under FSRS the highest difficulty."""
    if settings.scheduler != "fsrs":
        return hardest(store.hardest_cards(deck, HARDEST))
    from srs.fsrs import initial_difficulty
    from srs.scheduler import parameters_of

    of = parameters_of(store.fitted_parameters())
    return hardest(
        store.hardest_cards(deck, HARDEST, by_difficulty=True),
        lambda name: initial_difficulty(3, of(name)),
    )


# Retrievability buckets of `srs stats` under FSRS, from the top.
RETRIEVABILITY_EDGES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.5, 0.0)


def fsrs(
    store: Store, today: dt.date, settings: Settings, *, deck: str | None, days: int
) -> dict[str, Any]:
    """True retention against the desired one, and today's retrievability of the cards."""
    from srs.fsrs import elapsed_ratio
    from srs.scheduler import parameters_of

    of = parameters_of(store.fitted_parameters())
    names = store.deck_names()
    # Cards are counted per decay (the forgetting curve's shape), a query each.
    by_decay: dict[float, list[int]] = {}
    for deck_id in store.deck_ids(deck):
        by_decay.setdefault(of(names[deck_id])[20], []).append(deck_id)
    cuts = RETRIEVABILITY_EDGES[1:-1]
    counts = [0] * (len(cuts) + 1)
    for decay, ids in by_decay.items():
        ratios = [elapsed_ratio(r, [0.0] * 20 + [decay]) for r in cuts]
        for i, n in enumerate(store.retrievability_counts(ids, today, ratios)):
            counts[i] += n
    young, mature = retention(
        store.retention_counts(deck, today - dt.timedelta(days=days - 1), today)
    ).values()
    reviews, passed = young["reviews"] + mature["reviews"], young["passed"] + mature["passed"]
    return {
        "desired_retention": settings.desired_retention,
        "difficulty": difficulty_spread(store.difficulty_counts(deck)),
        "true_retention": {
            "reviews": reviews,
            "passed": passed,
            "rate": round(passed / reviews, 3) if reviews else None,
        },
        "retrievability": [
            {"from": low, "to": high, "cards": n}
            for high, low, n in zip(
                RETRIEVABILITY_EDGES[:-1], RETRIEVABILITY_EDGES[1:], counts, strict=True
            )
        ],
    }
