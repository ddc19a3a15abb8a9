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
from dataclasses import dataclass, field

from srs.importers._common import Draft, Option, finish, near_miss_warning, read_mark, split_lines
from srs.records import ParseResult, Problem

LAYOUT = "lettered"

_OPTION = re.compile(r"\s*-\s+([A-Z])\.(?:\s+(.*))?")
_ANSWER = re.compile(r"\s*answer\s*:\s*(.*)", re.IGNORECASE)
_LETTER_SEPARATOR = re.compile(r"[\s,]+")


@dataclass(slots=True)
class _State:
    """Everything :func:`parse` knows between two lines."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    any_marked: bool = False
    pending: list[tuple[int, str]] = field(default_factory=list)  # title or question: not known yet
    current: Draft | None = None  # the question whose options are being read
    letters: list[str] = field(default_factory=list)  # current's option letters, as written
    answer_line: int = 0  # line of current's "Answer:" line, 0 if none yet
    orphan_run: bool = False  # inside a run of options already reported as having no question

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def parse(text: str, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Parse a lettered-layout file; never raises, every flaw becomes a Problem."""
    state = _State(path)
    for number, line in enumerate(split_lines(text), 1):
        if not line:
            continue  # blank lines are insignificant (split_lines made white space only lines "")
        if (option := _OPTION.fullmatch(line)) is not None:
            _option(state, number, option)
        elif (answer := _ANSWER.fullmatch(line)) is not None:
            _answer_line(state, number, answer)
        else:
            _text(state, number, line)
    if state.pending:
        _start_question(state)  # text at the end with no options: reported by finish()

    return finish(
        path,
        LAYOUT,
        state.drafts,
        state.problems,
        first_option_correct=first_option_correct,
        any_marked=state.any_marked,
    )


def _text(state: _State, number: int, line: str) -> None:
    """A title or question line; which one is known when the options come."""
    state.orphan_run = False
    if state.current is not None and state.current.options:
        state.current = None  # a text line after options starts the next question
    state.pending.append((number, line))


def _start_question(state: _State) -> None:
    """Turn the pending text lines into a question: first line title, the rest the text."""
    pending = state.pending
    title = pending[0][1].strip() if len(pending) > 1 else ""
    body = pending[1:] if len(pending) > 1 else pending
    state.current = Draft("\n".join(t.strip() for _, t in body), body[0][0], title=title)
    state.drafts.append(state.current)
    pending.clear()
    state.letters.clear()
    state.answer_line = 0


def _option(state: _State, number: int, match: re.Match[str]) -> None:
    """``- A. text``, perhaps ending ``(Correct)``."""
    if state.pending:
        _start_question(state)
    elif state.current is None or state.answer_line:
        # Options at the top of the file or right after an Answer: line.
        if not state.orphan_run:  # one error for a whole list of options
            state.error(number, "options without a question")
        state.orphan_run = True
        return
    current = state.current
    assert current is not None
    letter, body = match.group(1), (match.group(2) or "").strip()
    expected = chr(ord("A") + len(current.options))
    if letter != expected:
        message = f'option "{letter}" out of order (expected "{expected}")'
        state.problems.append(Problem(state.path, number, message, "warning"))
    option = Option(body, number)
    mark = read_mark(body)
    if mark is not None:
        state.any_marked = True
        option = Option(mark.text.strip(), number, marked=True)
        if not mark.exact:
            state.problems.append(near_miss_warning(state.path, number, mark))
    if not option.text:
        state.error(number, "empty option")
        current.broken = True
    current.options.append(option)
    state.letters.append(letter)


def _answer_line(state: _State, number: int, answer: re.Match[str]) -> None:
    """``Answer: B`` (or ``Answer: A, C``) after the options."""
    state.orphan_run = False
    current = state.current
    if current is None or state.pending or not current.options:
        state.error(number, "Answer: line without options")
    else:
        _read_answer(state, current, number, answer.group(1))


def _read_answer(state: _State, current: Draft, number: int, value: str) -> None:
    """Mark the options an Answer: line names; any flaw in it breaks the question."""
    state.any_marked = True
    if state.answer_line:
        state.error(number, f"second Answer: line (first at line {state.answer_line})")
        current.broken = True
        return
    state.answer_line = number
    current.unreadable = True  # until the line is read without error
    names = [n.upper() for n in _LETTER_SEPARATOR.split(value.strip()) if n]
    if not names:
        state.error(number, "Answer: line names no option")
        current.broken = True
        return
    chosen: set[int] = set()
    for name in names:
        if name not in state.letters:
            state.error(number, f'Answer: "{name}" is not an option')
            current.broken = True
            return
        chosen.add(state.letters.index(name))
    already = {i for i, option in enumerate(current.options) if option.marked}
    if already and already != chosen:
        state.error(number, "Answer: line disagrees with the option marked (Correct)")
        current.broken = True
        return
    for i in chosen:
        current.options[i].marked = True
    current.unreadable = False
    current.multi_ok = True  # an Answer: line naming several letters is deliberate
