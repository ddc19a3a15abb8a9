"""Layout 2, "lettered": an optional title line, the question line, then ``- A. text`` options.

::

    Foundational Understanding
    What does MLOps primarily aim to achieve?
    - A. Automating deployment and monitoring
    - B. Faster internet
    Answer: A

The right option may end ``(Correct)`` or be named by an ``Answer: A`` line after the options
(``Answer: A, C`` for several). Blank lines are insignificant.
"""

from __future__ import annotations

import re

from srs.importers._common import Draft, Option, finish, near_miss_warning, read_mark, split_lines
from srs.records import ParseResult, Problem

LAYOUT = "lettered"

_OPTION = re.compile(r"\s*-\s+([A-Z])\.(?:\s+(.*))?")
_ANSWER = re.compile(r"\s*answer\s*:\s*(.*)", re.IGNORECASE)


def parse(text: str, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Parse a lettered-layout file; never raises, every flaw becomes a Problem."""
    problems: list[Problem] = []
    drafts: list[Draft] = []
    any_marked = False
    pending: list[tuple[int, str]] = []  # text lines not yet known to be title or question
    current: Draft | None = None  # the question whose options are being read
    letters: list[str] = []  # the letters of current's options, as written
    answer_line = 0  # line of current's "Answer:" line, 0 if none yet
    orphan_run = False  # inside a run of options already reported as having no question

    def error(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    def start_question() -> None:
        """Turn the pending text lines into a question: first line title, the rest the text."""
        nonlocal current, answer_line
        title = pending[0][1].strip() if len(pending) > 1 else ""
        body = pending[1:] if len(pending) > 1 else pending
        current = Draft("\n".join(t.strip() for _, t in body), body[0][0], title=title)
        drafts.append(current)
        pending.clear()
        letters.clear()
        answer_line = 0

    def read_answer(number: int, value: str) -> None:
        nonlocal answer_line, any_marked
        assert current is not None
        any_marked = True
        if answer_line:
            error(number, f"second Answer: line (first at line {answer_line})")
            current.broken = True
            return
        answer_line = number
        current.unreadable = True  # until the line is read without error
        names = [n.upper() for n in re.split(r"[\s,]+", value.strip()) if n]
        if not names:
            error(number, "Answer: line names no option")
            current.broken = True
            return
        chosen: set[int] = set()
        for name in names:
            if name not in letters:
                error(number, f'Answer: "{name}" is not an option')
                current.broken = True
                return
            chosen.add(letters.index(name))
        already = {i for i, option in enumerate(current.options) if option.marked}
        if already and already != chosen:
            error(number, "Answer: line disagrees with the option marked (Correct)")
            current.broken = True
            return
        for i in chosen:
            current.options[i].marked = True
        current.unreadable = False
        current.multi_ok = True  # an Answer: line naming several letters is deliberate

    for number, line in enumerate(split_lines(text), 1):
        if not line.strip():
            continue
        option_match = _OPTION.fullmatch(line)
        answer_match = _ANSWER.fullmatch(line)
        if option_match:
            if pending:
                start_question()
            elif current is None or answer_line:
                # Options at the top of the file or right after an Answer: line.
                if not orphan_run:
                    error(number, "options without a question")
                orphan_run = True
                continue
            assert current is not None
            letter, body = option_match.group(1), (option_match.group(2) or "").strip()
            expected = chr(ord("A") + len(current.options))
            if letter != expected:
                problems.append(
                    Problem(
                        path,
                        number,
                        f'option "{letter}" out of order (expected "{expected}")',
                        "warning",
                    )
                )
            option = Option(body, number)
            mark = read_mark(body)
            if mark is not None:
                any_marked = True
                option = Option(mark.text.strip(), number, marked=True)
                if not mark.exact:
                    problems.append(near_miss_warning(path, number, mark))
            if not option.text:
                error(number, "empty option")
                current.broken = True
            current.options.append(option)
            letters.append(letter)
            continue
        orphan_run = False
        if answer_match:
            if current is None or pending or not current.options:
                error(number, "Answer: line without options")
            else:
                read_answer(number, answer_match.group(1))
            continue
        if current is not None and current.options:
            current = None  # a text line after options starts the next question
        pending.append((number, line))

    if pending:
        start_question()  # text at the end with no options: reported by finish()

    return finish(
        path,
        LAYOUT,
        drafts,
        problems,
        first_option_correct=first_option_correct,
        any_marked=any_marked,
    )
