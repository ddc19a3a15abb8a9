"""Terminal charts for `srs stats`: column bars, a calendar heatmap, a histogram.

Pure text in, lines out; every line fits `width` columns. Colour (ANSI) only
when the caller says so (stdout a TTY and NO_COLOR unset).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

BLOCKS = " ▁▂▃▄▅▆▇█"
SHADES = "·░▒▓█"  # the heatmap: nothing, then four levels
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color and text.strip() else text


def _buckets(values: Sequence[int], slots: int) -> tuple[list[int], int]:
    """Sum `values` into at most `slots` consecutive groups; returns (sums, days per group)."""
    per = max(1, math.ceil(len(values) / max(1, slots)))
    return [sum(values[i : i + per]) for i in range(0, len(values), per)], per


def columns(
    values: Sequence[int],
    *,
    first: str,
    last: str,
    height: int = 6,
    width: int = 80,
    color: bool = False,
) -> list[str]:
    """A column chart, one column per value (grouped if too many), y scale on the left."""
    top = max(values, default=0)
    label = len(str(top))
    slots = max(1, (width - label - 2) // 2)
    sums, per = _buckets(list(values), slots)
    top = max(sums, default=0)
    lines = []
    for row in range(height, 0, -1):
        cells = []
        for v in sums:
            eighths = 0 if top == 0 else round(v * height * 8 / top) - (row - 1) * 8
            cells.append(BLOCKS[max(0, min(8, eighths))])
        axis = str(top) if row == height else ""
        bar = " ".join(cells)
        lines.append((f"{axis:>{label}} │" + _paint(bar.rstrip(), "36", color)).rstrip())
    span = 2 * len(sums) - 1
    foot = first + last.rjust(max(1, span - len(first)))
    lines.append(" " * label + " └" + "─" * span)
    lines.append(" " * (label + 2) + foot)
    if per > 1:
        lines.append(" " * (label + 2) + f"(each column: {per} days)")
    return lines


def heatmap(
    counts: Sequence[int], start: dt.date, *, width: int = 80, color: bool = False
) -> list[str]:
    """GitHub-style: 7 rows (Mon-Sun), one column per week, `start` being a Monday.

    Shading is relative to the busiest day shown; old weeks are dropped to fit `width`.
    """
    weeks = math.ceil(len(counts) / 7)
    keep = max(1, min(weeks, width - 4))
    skip = weeks - keep
    start = start + dt.timedelta(weeks=skip)
    counts = counts[skip * 7 :]
    top = max(counts, default=0)

    def shade(c: int) -> str:
        # Four levels in proportion to the busiest day: any answer at all shows.
        return SHADES[0] if c == 0 else SHADES[max(1, math.ceil(4 * c / top))]

    header = [" "] * keep
    for w in range(keep):
        monday = start + dt.timedelta(weeks=w)
        if monday.day <= 7 and w + 3 <= keep:
            header[w : w + 3] = MONTHS[monday.month - 1]
    lines = ["    " + "".join(header).rstrip()]
    for wd, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        row = []
        for w in range(keep):
            i = w * 7 + wd
            if i >= len(counts):
                row.append(" ")
                continue
            cell = shade(counts[i])
            row.append(_paint(cell, "32", color) if counts[i] else cell)
        lines.append(f"{name:<4}" + "".join(row).rstrip())
    lines.append("    less " + " ".join(SHADES) + " more")
    return lines


def histogram(
    rows: Sequence[tuple[str, int]], *, width: int = 80, color: bool = False
) -> list[str]:
    """Horizontal bars: one labelled row each, scaled to the largest."""
    if not rows:
        return []
    label = max(len(r[0]) for r in rows)
    top = max(n for _, n in rows)
    digits = len(str(top))
    room = max(1, width - label - digits - 3)
    out = []
    for name, n in rows:
        bar = "█" * (0 if top == 0 else max(1 if n else 0, round(n * room / top)))
        out.append((f"{name:<{label}} {n:>{digits}} " + _paint(bar, "35", color)).rstrip())
    return out


def ef_rows(buckets: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """`stats.ef_spread` buckets as histogram rows."""
    rows = []
    for b in buckets:
        name = f"{b['from']:.1f}-{b['to']:.1f}" if b["to"] is not None else f"{b['from']:.1f}+"
        rows.append((name, b["cards"]))
    return rows


def calibration(
    rows: Sequence[tuple[float, float, int, float, float]], *, width: int = 80
) -> list[str]:
    """Predicted against observed recall, one line a bin of predicted recall: rows are
    (from, to, reviews, predicted, observed). The bar fills up to the observed recall on a
    0-100% scale and ``│`` marks the predicted one: on a well-calibrated line they meet."""
    bar = max(10, min(50, width - 34))
    lines = []
    for low, high, n, predicted, observed in rows:
        cells = [" "] * bar
        filled = round(observed * bar)
        for i in range(filled):
            cells[i] = "█"
        mark = min(bar - 1, max(0, round(predicted * bar) - 1))
        cells[mark] = "│" if mark >= filled else "┃"
        span = f"{100 * low:.0f}-{100 * high:.0f}%"
        lines.append(
            f"  {span:>10} {n:>7,}  {100 * predicted:>3.0f}% {100 * observed:>3.0f}%"
            f"  ▕{''.join(cells)}▏"
        )
    return lines
