"""Cloze deletions, as Anki writes them: ``{{c1::Paris}} is the capital of {{c2::France}}``.

Pure text in, text out. The syntax follows Anki's own parser (rslib/src/cloze.rs): a gap
``{{cN::text}}`` or ``{{cN::text::hint}}``, several numbers in one gap (``{{c1,2::...}}``),
gaps inside gaps; a ``}}`` outside any gap and a gap never closed are plain text. Each cloze
number is one card: on card N the gaps numbered N are hidden (``[...]``, or ``[hint]``), the
others show their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# `{{c` + numbers separated by commas + `::`, as Anki's tokenizer reads an opening.
_OPEN = re.compile(r"\{\{c([\d,]+)::")
_TOKEN = re.compile(r"\{\{c[\d,]+::|\}\}")
# Anki stops nesting at 10 open gaps; deeper openings are dropped.
_MAX_DEPTH = 10
GAP = "[...]"


@dataclass
class _Gap:
    numbers: frozenset[int]
    nodes: list[str | _Gap] = field(default_factory=list)
    hint: str | None = None


def _parse(text: str) -> list[str | _Gap]:
    """Text and gaps, as a tree; an unclosed gap's opening is kept as text."""
    output: list[str | _Gap] = []
    open_gaps: list[tuple[_Gap, str]] = []  # with the opening as written
    position = 0

    def add_text(chunk: str) -> None:
        if not chunk:
            return
        if open_gaps:
            gap = open_gaps[-1][0]
            head, sep, tail = chunk.partition("::")
            if sep:
                chunk, gap.hint = head, tail
            gap.nodes.append(chunk)
        else:
            output.append(chunk)

    for token in _TOKEN.finditer(text):
        add_text(text[position : token.start()])
        position = token.end()
        mark = token.group(0)
        if mark == "}}":
            if open_gaps:
                gap, _ = open_gaps.pop()
                (open_gaps[-1][0].nodes if open_gaps else output).append(gap)
            else:
                add_text(mark)
            continue
        numbers = frozenset(int(n) for n in _OPEN.match(mark).group(1).split(",") if n)  # type: ignore[union-attr]
        if not numbers:
            add_text(mark)
        elif len(open_gaps) < _MAX_DEPTH:
            open_gaps.append((_Gap(numbers), mark))
    add_text(text[position:])
    # Gaps never closed: their opening and content go back in as text, as written.
    while open_gaps:
        gap, mark = open_gaps.pop()
        restored = [mark, *gap.nodes] + ([f"::{gap.hint}"] if gap.hint is not None else [])
        (open_gaps[-1][0].nodes if open_gaps else output).extend(restored)
    return output


def numbers(text: str) -> tuple[int, ...]:
    """The cloze numbers in ``text``, sorted (each is one card); () when it has no gap."""
    found: set[int] = set()

    def walk(nodes: list[str | _Gap]) -> None:
        for node in nodes:
            if isinstance(node, _Gap):
                found.update(node.numbers)
                walk(node.nodes)

    walk(_parse(text))
    return tuple(sorted(n for n in found if n > 0))


def has_cloze(text: str) -> bool:
    return "{{c" in text and bool(numbers(text))


def _plain(nodes: list[str | _Gap]) -> str:
    return "".join(node if isinstance(node, str) else _plain(node.nodes) for node in nodes)


def _render(nodes: list[str | _Gap], number: int, front: bool, open_: str, close: str) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif number in node.numbers:
            if front:
                out.append(f"[{node.hint}]" if node.hint is not None else GAP)
            else:
                out.append(open_ + _render(node.nodes, number, front, open_, close) + close)
        else:
            out.append(_render(node.nodes, number, front, open_, close))
    return "".join(out)


def front(text: str, number: int) -> str:
    """Card ``number``'s question: its gaps hidden, every other gap's text shown."""
    return _render(_parse(text), number, True, "", "")


def back(text: str, number: int, *, open_: str = "[", close: str = "]") -> str:
    """Card ``number``'s answer: the whole text, its gaps' text between ``open_`` and ``close``."""
    return _render(_parse(text), number, False, open_, close)


def plain(text: str) -> str:
    """The text with every gap's marks removed (``{{c1::Paris}}`` -> ``Paris``)."""
    return _plain(_parse(text))
