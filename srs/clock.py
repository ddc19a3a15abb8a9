"""The one clock: what time it is, and which study day a moment belongs to.

Only `now()` reads the environment or the system clock; everything else takes
`now` as an argument, so tests (and a user asking "what is due on Friday?")
can pin it with `SRS_NOW`.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from itertools import repeat

from srs.errors import SrsError

DEFAULT_ROLLOVER_HOUR = 4  # as in Anki: a session at 01:00 still counts as the day before


def parse_moment(text: str, *, what: str = "date") -> dt.datetime:
    """Parse an ISO-8601 date or date-time; naive values are local time."""
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        # dateutil reads the ISO forms the standard library does not; it costs
        # ~50 ms to import, so only when needed.
        from dateutil import parser

        try:
            moment = parser.isoparse(text)
        except (ValueError, OverflowError):
            raise SrsError(f"{what} {text!r} is not an ISO-8601 date or date-time") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive means local time
    return moment


def now() -> dt.datetime:
    """The current moment, timezone-aware: `SRS_NOW` if set, else the system clock."""
    pinned = os.environ.get("SRS_NOW")
    if pinned:
        return parse_moment(pinned, what="SRS_NOW")
    return dt.datetime.now().astimezone()


def study_day(moment: dt.datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> dt.date:
    """The study day a moment belongs to: a day starts at the rollover hour, local time."""
    local = moment.astimezone() if moment.tzinfo else moment
    return (local - dt.timedelta(hours=rollover_hour)).date()


QUARTER_MS = 900_000
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class StudyDays:
    """Study days of millisecond timestamps in local time, with a rollover hour. Time zone
    offsets are whole quarter hours, so the day is looked up once a quarter hour of
    timestamps (an imported review log has a million)."""

    def __init__(self, rollover_hour: int) -> None:
        self.rollover = rollover_hour * 3600
        self._days: dict[int, dt.date] = {}

    def __call__(self, ms: int) -> dt.date:
        quarter = ms // QUARTER_MS
        day = self._days.get(quarter)
        if day is None:
            day = self._days[quarter] = dt.date.fromordinal(self.ordinal_of_quarter(quarter))
        return day

    def ordinal_of_quarter(self, quarter: int) -> int:
        """The study day (``date.toordinal()``) of the quarter hour ``ms // QUARTER_MS``."""
        return self._ordinal(quarter, time.localtime(quarter * 900).tm_gmtoff)

    def _ordinal(self, quarter: int, offset: int) -> int:
        return _EPOCH_ORDINAL + (quarter * 900 + offset - self.rollover) // 86400

    def quarter_ordinals(self, first: int, last: int) -> Iterator[tuple[int, int]]:
        """(quarter, its study day's ordinal) for each quarter hour from ``first`` to
        ``last``: ``ordinal_of_quarter`` of each, worked out a day at a time (years of them
        for an imported review log). A day with one offset at both ends has it throughout
        (a time zone changes its offset a few times a year, never twice in a day); its
        quarters then fall on two study days, split where the rollover hour comes."""
        start = first
        while start <= last:
            end = min(last + 1, start + 96)
            offset = time.localtime(start * 900).tm_gmtoff
            if time.localtime((end - 1) * 900).tm_gmtoff != offset:
                for quarter in range(start, end):
                    yield quarter, self.ordinal_of_quarter(quarter)
            else:
                day = self._ordinal(start, offset)
                # The first quarter of the next study day: (q*900 + offset - rollover) reaches
                # the next multiple of 86400.
                split = -((-((day - _EPOCH_ORDINAL + 1) * 86400 - offset + self.rollover)) // 900)
                split = max(start, min(end, split))
                yield from zip(range(start, split), repeat(day))
                yield from zip(range(split, end), repeat(day + 1))
            start = end


_DATE_TEXTS: dict[int, str] = {}


def date_text(ordinal: int) -> str:
    """``date.fromordinal(ordinal).isoformat()``, remembered: an imported review log has a
    million answers on a few thousand days."""
    text = _DATE_TEXTS.get(ordinal)
    if text is None:
        text = _DATE_TEXTS[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


def utc_text_of_ms(ms: int) -> str:
    """``utc_text`` of a time in ms since the epoch, without making a datetime."""
    seconds, milli = divmod(ms, 1000)
    number, rest = divmod(seconds, 86400)
    day = date_text(_EPOCH_ORDINAL + number)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{day}T{hours:02d}:{minutes:02d}:{secs:02d}.{milli:03d}Z"


def utc_text(moment: dt.datetime) -> str:
    """A moment as the UTC ISO-8601 text the store keeps."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_utc_text(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_day(text: str, today: dt.date) -> dt.date:
    """A study day from user input, relative to `today`.

    ISO dates ("2026-12-04"), "today", "tomorrow", "yesterday", weekday names
    ("friday" or "fri": the next such day after today) and "+3d" / "+2w". Only
    other ISO-8601 forms (a date-time, say) fall back to dateutil, which costs
    ~50 ms to import: this is on the fast `srs due --on` path.
    """
    import re

    word = text.strip().lower()
    fixed = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if word in fixed:
        return today + dt.timedelta(days=fixed[word])
    relative = re.fullmatch(r"\+(\d{1,5})([dw])", word)
    if relative:
        n = int(relative[1])
        return today + dt.timedelta(days=n * (7 if relative[2] == "w" else 1))
    for i, name in enumerate(_WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            # Strictly after today: on a Friday, "friday" means a week later.
            return today + dt.timedelta(days=(i - today.weekday() - 1) % 7 + 1)
    not_understood = SrsError(
        f"date {text!r} not understood (try 2026-12-04, friday, tomorrow, +3d, +2w)"
    )
    try:
        return dt.date.fromisoformat(word)
    except ValueError as e:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):  # the shape of a date, not a real one
            raise SrsError(f"date {text!r} does not exist ({e})") from None
        if not word[:1].isdigit():  # not ISO-8601 at all (which starts with a year)
            raise not_understood from None
    from dateutil import parser

    try:
        return parser.isoparse(word).date()
    except (ValueError, OverflowError):
        raise not_understood from None
