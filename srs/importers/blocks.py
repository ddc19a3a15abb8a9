"""Layout 1, "blocks": questions separated by ``---`` lines, the right option ends ``(Correct)``.

::

    Which Git command uploads local commits?

    git push (Correct)

    git pull
    ---
    Next question...

In a block the first non-blank line is the question and every further non-blank line an option.
"""

from __future__ import annotations

import re

from srs.importers._common import Draft, Option, finish, near_miss_warning, read_mark, split_lines
from srs.records import ParseResult, Problem

LAYOUT = "blocks"

_SEPARATOR = re.compile(r"-{3,}")


def parse(text: str, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Parse a blocks-layout file; never raises, every flaw becomes a Problem."""
    problems: list[Problem] = []
    drafts: list[Draft] = []
    any_marked = False
    block: list[tuple[int, str]] = []

    def close_block() -> None:
        nonlocal any_marked
        if not block:
            return  # "---" right after "---" (or at the ends): nothing to read
        (line, question), *rest = block
        block.clear()
        if read_mark(question) is not None:
            # The block starts with a marked line: its question is missing.
            problems.append(Problem(path, line, "options without a question"))
            any_marked = True
            return
        draft = Draft(question.strip(), line)
        for option_line, raw in rest:
            mark = read_mark(raw)
            option = Option(raw.strip(), option_line)
            if mark is not None:
                any_marked = True
                option = Option(mark.text.strip(), option_line, marked=True)
                if not mark.exact:
                    problems.append(near_miss_warning(path, option_line, mark))
            if not option.text:
                problems.append(Problem(path, option_line, "empty option"))
                draft.broken = True
            draft.options.append(option)
        drafts.append(draft)

    for number, line in enumerate(split_lines(text), 1):
        if _SEPARATOR.fullmatch(line.strip()):
            close_block()
        elif line.strip():
            block.append((number, line))
    close_block()

    return finish(
        path,
        LAYOUT,
        drafts,
        problems,
        first_option_correct=first_option_correct,
        any_marked=any_marked,
        # Any text splits into blocks of lines: only an answer mark (or the flag that says
        # there are none) shows that it is meant as questions.
        looks_like_deck=any_marked or first_option_correct,
    )
