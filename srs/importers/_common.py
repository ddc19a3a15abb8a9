"""Pieces every layout shares: drafts of questions, answer marks, and the final checks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from srs.records import Kind, ParseResult, Problem, Question, normalise

NO_MARKS_HINT = (
    "no answer marked (nothing in this file is marked; "
    "use --first-option-correct if the first option is the right one)"
)

# A trailing "(word)" on an option line; whether the word means "correct" is decided below.
_MARK = re.compile(r"\s*\(([A-Za-z]+)\)$")


def split_lines(text: str) -> list[str]:
    """The file's lines with trailing white space removed; line N is ``lines[N - 1]``."""
    return [line.rstrip() for line in text.split("\n")]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; the strings here are single words, so O(len*len) is nothing."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Mark:
    """A ``(Correct)`` marker found at the end of an option."""

    text: str  # the option text without the marker
    marker: str  # the marker as written, e.g. "(Correc)"
    exact: bool  # False: a near miss, accepted with a warning


def read_mark(option: str) -> Mark | None:
    """The ``(Correct)`` marker at the end of ``option``, if any.

    A near miss (edit distance <= 2, e.g. "(Correc)") counts too, but only when the word is
    nearer to "correct" than to "incorrect": "(Incorrect)" must never mark the right answer.
    """
    option = option.rstrip()
    match = _MARK.search(option)
    if match is None:
        return None
    word = match.group(1).casefold()
    if word == "correct":  # the usual case: skip the edit distances (a 20 MB file has 100k)
        return Mark(option[: match.start()].rstrip(), match.group(0).strip(), True)
    distance = edit_distance(word, "correct")
    if distance > 2 or distance >= edit_distance(word, "incorrect"):
        return None
    return Mark(option[: match.start()].rstrip(), match.group(0).strip(), distance == 0)


def near_miss_warning(path: str, line: int, mark: Mark) -> Problem:
    """The warning for a misspelt marker that was accepted anyway."""
    return Problem(path, line, f'"{mark.marker}" read as "(Correct)"', "warning")


@dataclass(slots=True)
class Option:
    text: str
    line: int
    marked: bool = False


@dataclass(slots=True)
class Draft:
    """A question while its file is being read; :func:`finish` turns it into a Question."""

    text: str
    line: int
    options: list[Option] = field(default_factory=list)
    kind: Kind = "mcq"
    answer: str = ""
    explanation: str = ""
    title: str = ""
    tags: tuple[str, ...] = ()
    id: str | None = None
    reversed: bool = False  # canonical `reversed: yes`: a question/answer asked both ways
    multi_ok: bool = False  # several right answers allowed (canonical [x], "Answer: A, C")
    broken: bool = False  # an error was reported for it: it is not returned
    # Its options or answer line could not be read (an error says so): checking the options
    # and marks would only repeat that error in other words.
    unreadable: bool = False


# Options are answered by letter, and `q` and `u` are the session's quit and undo keys.
MAX_OPTIONS = 16


def finish(
    path: str,
    layout: str,
    drafts: Sequence[Draft | Question],
    problems: list[Problem],
    *,
    first_option_correct: bool,
    any_marked: bool,
    deck: str | None = None,
    looks_like_deck: bool = True,
) -> ParseResult:
    """Check the drafts (options, marks, duplicates) and build the result. A Question among
    them is one its parser made, having checked it as this would: only duplicates stop it.

    ``any_marked`` says whether anything in the file marks an answer: only a file with no
    marks at all may fall back to ``first_option_correct``. ``looks_like_deck`` is the
    parser's word on whether the file is a question bank at all (see ParseResult).
    """
    questions: list[Question] = []
    seen_text: dict[str, int] = {}
    seen_id: dict[str, int] = {}

    def error(line: int, message: str, draft: Draft) -> None:
        problems.append(Problem(path, line, message))
        draft.broken = True

    def repeated(key: str, id: str | None, line: int) -> bool:
        """Report a text or an id seen before in the file; whether there was one."""
        found = key in seen_text
        if found:
            message = f"duplicate question (first at line {seen_text[key]})"
            problems.append(Problem(path, line, message))
        else:
            seen_text[key] = line
        if id is not None:
            if id in seen_id:
                message = f'duplicate id "{id}" (first at line {seen_id[id]})'
                problems.append(Problem(path, line, message))
                found = True
            else:
                seen_id[id] = line
        return found

    for draft in drafts:
        if type(draft) is Question:  # checked by its parser: only duplicates can stop it
            if not repeated(draft.normalised, draft.id, draft.line):
                questions.append(draft)
            continue
        key = normalise(draft.text)
        if repeated(key, draft.id, draft.line):
            draft.broken = True

        answers: tuple[int, ...] = ()
        options = draft.options
        if draft.kind == "mcq" and not draft.unreadable:
            marked = [i for i, option in enumerate(options) if option.marked]
            count = len(options)
            if count == 0:
                error(draft.line, "question has no options", draft)
            elif count == 1:
                error(draft.line, "question has only 1 option", draft)
            elif count > MAX_OPTIONS:
                error(draft.line, f"question has {count} options; at most {MAX_OPTIONS}", draft)
            elif len(marked) == count:
                error(draft.line, "every option is marked correct", draft)
            elif len(marked) > 1 and not draft.multi_ok:
                message = f"{len(marked)} options marked correct; this layout allows one"
                error(draft.options[marked[1]].line, message, draft)
            elif marked:
                answers = tuple(marked)
            elif any_marked:
                error(draft.line, "no answer marked", draft)
            elif first_option_correct:
                answers = (0,)
            else:
                error(draft.line, NO_MARKS_HINT, draft)

        if not draft.broken:
            texts = tuple([option.text for option in options])
            questions.append(question_of(draft, texts, answers, key))

    if not questions and not any(p.severity == "error" for p in problems):
        problems.append(Problem(path, 0, "no questions found"))
    # Compiler order: file-level problems first, then by line; stable for equal lines.
    problems.sort(key=lambda p: p.line)
    return ParseResult(path, layout, deck, questions, problems, looks_like_deck)


def question_of(
    draft: Draft, options: tuple[str, ...], answers: tuple[int, ...], key: str
) -> Question:
    """The question a draft that passed the checks makes; ``key`` is normalise(its text)."""
    question = Question(
        draft.text,
        draft.kind,
        options,
        answers,
        draft.answer,
        draft.explanation,
        draft.title,
        draft.tags,
        draft.id,
        draft.line,
    )
    # question_uid needs the same key: spare it a second normalise(). (Straight into the
    # frozen instance, as its __init__ does.)
    question.__dict__["normalised"] = key
    return question


# Control characters (Unicode category Cc) but tab and newline: invisible, and U+001F is
# Anki's field separator (one in a note would make Anki refuse the whole package).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The ASCII ones, as bytes.translate deletes all but them.
_ALL_BUT_ASCII_CONTROL = bytes(range(256)).translate(None, bytes([*range(9), *range(11, 32), 127]))


def has_control_character(text: str) -> bool:
    """Whether CONTROL is found in ``text``; for ASCII text (most files), a quarter of
    the regular expression's time."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ALL_BUT_ASCII_CONTROL))
    return CONTROL.search(text) is not None


def _control_character(question: Question) -> str | None:
    """The first control character in any of the question's texts, if there is one."""
    texts = (question.text, question.title, question.answer, question.explanation)
    for text in (*texts, *question.options, *question.tags):
        found = CONTROL.search(text)
        if found is not None:
            return found.group()
    return None


def reject_control_characters(result: ParseResult, text: str) -> None:
    """Turn each question holding a control character into an error at the line where it
    stands (``control character U+001F in text``), as any other error; likewise a deck name."""
    if not has_control_character(text):  # the usual case: one scan of the file
        return
    lines = text.split("\n")

    def line_of(char: str, start: int) -> int:
        return next((n for n in range(start, len(lines) + 1) if char in lines[n - 1]), start)

    def problem(char: str, line: int) -> Problem:
        return Problem(result.path, line, f"control character U+{ord(char):04X} in text")

    kept = []
    for question in result.questions:
        char = _control_character(question)
        if char is None:
            kept.append(question)
        else:
            result.problems.append(problem(char, line_of(char, question.line)))
    result.questions = kept
    if result.deck is not None and (found := CONTROL.search(result.deck)) is not None:
        result.problems.append(problem(found.group(), line_of(found.group(), 1)))
        result.deck = None
    result.problems.sort(key=lambda p: p.line)
