"""SQL written once: placeholders, the card-state columns, and the conditions that say which
cards are new, learning or due. Every module of the store builds its statements from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Ids per `IN (...)`: well under SQLite's limit on bound variables.
CHUNK = 500
# SQLite's INTEGER range: a larger number cannot be a row id.
MAX_ID = 2**63 - 1

# Every kind of answer (records.ReviewKind; tests/test_store.py holds them equal). A day's
# answers are read as `ANY_KIND AND study_day ...`, or a kind at a time: the (kind,
# study_day, ...) index then serves them, a range per kind, and the log needs no index of
# its own by day.
KINDS = ("new", "review", "repeat", "cram")
ANY_KIND = f"kind IN ({', '.join(repr(kind) for kind in KINDS)})"


def marks(n: int) -> str:
    """``?,?,?`` for ``n`` values, as in ``IN (...)``."""
    return ",".join("?" * n)


def in_list(column: str, values: list) -> str:
    """``column IN (?,?,...)`` with a placeholder per value."""
    return f"{column} IN ({marks(len(values))})"


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The distinct ids that could be rows (1 .. 2**63-1), in chunks for ``IN (...)``."""
    valid = [i for i in dict.fromkeys(ids) if 1 <= i <= MAX_ID]
    for start in range(0, len(valid), CHUNK):
        yield valid[start : start + CHUNK]


def utc_text_of_ms(expression: str) -> str:
    """SQL making ``clock.utc_text_of_ms`` of a time in ms (an Anki review log id), so that
    a million of them need not be made in Python."""
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {expression} / 1000.0, 'unixepoch')"


# ---------------------------------------------------------------- a card's schedule

# The columns that make a CardState, in the order rows.state_from_row reads them.
STATE_COLUMNS = (
    "repetitions",
    "ef",
    "interval",
    "due",
    "last_review",
    "lapses",
    "repeat_today",
    "stability",
    "difficulty",
)


def state_columns(alias: str = "c.") -> str:
    """The CardState columns for a SELECT, prefixed with a table alias."""
    return ", ".join(alias + column for column in STATE_COLUMNS)


CARD_STATE = state_columns()  # with the usual alias `c`
UPDATE_CARD_STATE = (
    "UPDATE cards SET " + ", ".join(f"{c} = ?" for c in STATE_COLUMNS) + " WHERE id = ?"
)

# ---------------------------------------------------------------- which cards (table `cards`)
# Each takes the study day as its one parameter, where it has one.

ACTIVE = "suspended = 0"
# cards.suspended: 0 studied; 1 suspended (by the user, or as a leech); NOT_MADE suspended by
# an import as its question no longer makes it (a cloze gap or `reversed:` removed), which
# the import that makes it again undoes.
NOT_MADE = 2
IS_SUSPENDED = "suspended IN (1, 2)"
IS_NEW = "due IS NULL"
IS_SCHEDULED = "due IS NOT NULL"
HAS_DIFFICULTY = "difficulty IS NOT NULL"  # an FSRS memory (with IS_SCHEDULED: an index)
IS_DUE = "due <= ?"  # a review due today or overdue
IS_LEARNING = "last_review = ? AND repeat_today = 1"  # a same-day repeat pending
