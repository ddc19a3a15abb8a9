"""The canonical Markdown layout (``docs/deck-format.md`` is its full description).

::

    # MLOps::CI-CD for ML

    ## Which Git command uploads local commits to the remote?
    id: git-push
    tags: git aws

    - [ ] git merge
    - [x] git push

    > Optional explanation.

    ## What does SM-2 stand for?
    SuperMemo 2.

    ## {{c1::Paris}} is the capital of {{c2::France}}.
    > A cloze: a card per gap number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from srs import cloze
from srs.importers._common import MAX_OPTIONS, Draft, Option, finish, question_of, split_lines
from srs.records import ParseResult, Problem, Question, normalise, split_deck_name
from srs.settings import yes_or_no

LAYOUT = "canonical"

_H1 = re.compile(r" {0,3}#(?:\s+(.*))?")
_H2 = re.compile(r" {0,3}##(?:\s+(.*))?")
# Lower case only: "Title: X" in an answer is text.
_META = re.compile(r"(id|tags|title|reversed):(.*)")
_OPTION = re.compile(r" {0,3}[-*+]\s+\[([ xX])\](?:\s+(.*))?")
# Near misses of an option get their own error: "- []", "-[x]", "- [ x]", "- [v]", "- [y]",
# "- [xx]", "- [-]", "- [x]text", "- (x)", "1. [x]". A box holds at most two marks, not
# digits ("- [1] Smith" in a body is a list) nor a link's text ("- [a](url)").
_BAD_OPTION = re.compile(
    r" {0,3}(?:[-*+]|\d{1,3}[.)])\s*"
    r"(?:\[\s*[^\]\s\d]{0,2}\s*\](?!\()|\(\s*[xX✓✔*]?\s*\)(?=\s)).*"
)
_QUOTE = re.compile(r" {0,3}>\s?(.*)")
_RULE = re.compile(r" {0,3}(?:-{3,}|\*{3,}|_{3,})")  # a thematic break between questions
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CLOSING_HASHES = re.compile(r"(?:^|\s+)#+$")
_TAG_SEPARATOR = re.compile(r"[\s,]+")

# Each pattern above (but _META, never indented) starts, after at most 3 spaces, with one of
# a few characters: a line is only tried against the patterns its first character allows.
_FENCE_START = frozenset("`~")
_RULE_START = frozenset("-*_")
_OPTION_START = frozenset("-*+")  # _OPTION
_BAD_OPTION_START = _OPTION_START | frozenset("0123456789")  # _BAD_OPTION
# A numbered line with a box, in a body the whole-question pattern lets through.
_NUMBERED_BOX = re.compile(r"^ {0,3}\d{1,3}[.)]\s*[\[(]", re.MULTILINE)
_META_START = ("i", "t", "r")


@dataclass(slots=True)
class _Question:
    """The question being read, with what only the canonical layout needs about it."""

    draft: Draft
    # The rest starts empty: init=False makes __init__ take the draft alone, and quicker.
    body: list[str] = field(init=False, default_factory=list)  # text before the options
    explanation: list[str] = field(init=False, default_factory=list)
    meta_seen: set[str] = field(init=False, default_factory=set)
    # The kind of the previous line: "option", "quote", "blank" or "text". Metadata lines
    # leave it "heading", so "heading" also means that metadata may still come.
    last: str = field(init=False, default="heading")
    text_after_options: bool = field(init=False, default=False)  # reported once, not a line each


@dataclass(slots=True)
class _State:
    """Everything :func:`parse` knows between two lines."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    drafts: list[Draft | Question] = field(default_factory=list)
    deck: str | None = None
    deck_line: int = 0
    any_marked: bool = False
    current: _Question | None = None
    skipping: bool = False  # inside a question whose heading was unusable
    orphan_run: bool = False  # inside a run of options already reported as having no question
    fence: str = ""  # the open code fence's marker, "" outside fences
    fence_line: int = 0
    # An option or a metadata line: what a question bank has, a README not.
    deck_signs: bool = False

    def error(self, line: int, message: str, *, broken: bool = True) -> None:
        """Report an error; ``broken``: the question being read is not imported."""
        self.problems.append(Problem(self.path, line, message))
        if broken and self.current is not None:
            self.current.draft.broken = True


def parse(text: str, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Parse a canonical Markdown deck; never raises, every flaw becomes a Problem."""
    # A fence anywhere (even one that would not open): line by line, where "## " can be text.
    whole = "\r" not in text and "```" not in text and "~~~" not in text
    return read(text, path, first_option_correct=first_option_correct, whole_questions=whole)


def read(text: str, path: str, *, first_option_correct: bool, whole_questions: bool) -> ParseResult:
    """:func:`parse`, reading common questions whole (only for text without code fences or
    carriage returns) or every line one at a time: the two agree."""
    state = _State(path)
    if whole_questions:
        _read_questions(state, text)
    else:
        _read_lines(state, split_lines(text), 1)
    if state.fence:
        state.error(state.fence_line, "code fence not closed")
    _close_question(state)
    return finish(
        path,
        LAYOUT,
        state.drafts,
        state.problems,
        first_option_correct=first_option_correct,
        any_marked=state.any_marked,
        deck=state.deck,
        # Any Markdown with "## " headings reads as question/answer cards: a question bank
        # shows itself by options, metadata, or headings that ask something.
        looks_like_deck=state.deck_signs or any(_asks(d.text) for d in state.drafts),
    )


def _read_lines(state: _State, lines: list[str], number: int) -> None:
    """Read ``lines`` (the first is line ``number``) one at a time: the whole layout."""
    for number, line in enumerate(lines, number):  # noqa: B020 (the start, then each line)
        if not line:  # the commonest line: no pattern to try, and the same in a code fence
            _blank(state)
            continue
        if state.fence:
            _code_line(state, number, line)
            continue
        # A line is only tried against the patterns its first character (after the indent)
        # allows: the character tests cost far less than the regular expressions.
        first = line[:1]
        if first == " ":
            first = _first_after_indent(line)
        if first in _FENCE_START and (fence := _FENCE.match(line)) is not None:
            _fence_open(state, number, line, fence)
        elif first == "#" and (heading := _H2.fullmatch(line)) is not None:
            _question_heading(state, number, heading)
        elif first == "#" and (title := _H1.fullmatch(line)) is not None:
            _deck_title(state, number, title)
        elif first in _RULE_START and line[-1] == first and _RULE.fullmatch(line):
            pass  # a thematic break between questions: nothing to read
        elif (q := state.current) is None:
            _outside_question(state, number, line, first)
        # Metadata only right under the heading, and never indented: line[:1], not first.
        elif q.last == "heading" and line[:1] in _META_START and (meta := _META.fullmatch(line)):
            _metadata(state, q, number, meta)
        elif q.last == "heading" and (key := _misspelt_key(line)) is not None:
            typed = line.partition(":")[0]
            state.error(number, f'"{typed}:" is not a metadata key; write "{key}:"')
        elif first in _OPTION_START and (option := _OPTION.fullmatch(line)) is not None:
            _option(state, q, number, option)
        elif first in _BAD_OPTION_START and _BAD_OPTION.fullmatch(line):
            _malformed_option(state, q, number)
        elif first == ">" and (quote := _QUOTE.fullmatch(line)) is not None:
            _quote(q, quote)
        else:
            _text(state, q, number, line)


# ---------------------------------------------------------------- a question at a time
#
# Most questions have one shape: a heading, metadata, a body, options, an explanation,
# nothing indented, nothing wrong. In a file without code fences (where "## " is text), a
# line starting "## " always begins a question, so the file splits into questions at those
# lines, and a question of that shape is read whole, from one match, as the line-by-line
# reading would read it. Any other question is read line by line (_read_lines), with the
# same state: the two readings agree on every file (tests/test_importers.py checks).

_SIMPLE_QUESTION = re.compile(
    r"(?P<heading>[^\s#][^\n]*)\n"
    r"(?P<meta>(?:(?:id|tags|title|reversed):[^\n]*\n)*+)"
    # Blank lines, and lines no other pattern reads (nor metadata, wherever it stands).
    r"(?P<body>(?:[ \t]*\n|(?!(?:id|tags|title|reversed):)[^\s#>*+\-_~`][^\n]*\n)*+)"
    r"(?P<options>(?:- \[[ xX]\] [^\n]*\n)*+)"
    r"(?P<explanation>(?:[ \t]*\n|>[^\n]*\n)*+)"
)
_OPTION_PARTS = re.compile(r"- \[(.)\] ([^\n]*)\n")


def _read_questions(state: _State, text: str) -> None:
    """Read a file without code fences: each question of the common shape whole, the rest
    (the description, any other question) line by line."""
    if not text.endswith("\n"):
        text += "\n"  # one blank line more at the end, which changes nothing
    # Each part but the first: a question without its "## ", and (but the last) without
    # its final newline; the first: a newline, then what comes before the first question.
    parts = ("\n" + text).split("\n## ")
    _read_lines(state, split_lines(parts[0][1:]), 1)
    number = parts[0].count("\n") + 1
    last = len(parts) - 1
    for k in range(1, len(parts)):
        part = parts[k] if k == last else parts[k] + "\n"
        match = _SIMPLE_QUESTION.fullmatch(part)
        if match is None or not _read_simple(state, match, number):
            _read_lines(state, split_lines("## " + part), number)
        number += part.count("\n")


def _read_simple(state: _State, match: re.Match[str], number: int) -> bool:
    """A question of the common shape, read whole; False (nothing done) for one that the
    line-by-line reading would report a problem in. One that finish() has nothing to say
    about but duplicates goes to it as a Question, the rest as a Draft."""
    heading, meta, body, options, explanation = match.group(
        "heading", "meta", "body", "options", "explanation"
    )
    text = _heading_text(heading)
    if not text:
        return False  # "empty question heading"
    draft = Draft(text, number, multi_ok=True)
    if meta and not _read_metadata(draft, meta):
        return False
    if body[:1] not in ("", "\n", " ", "\t") and _misspelt_key(body) is not None:
        return False  # "unknown metadata key"
    if _NUMBERED_BOX.search(body) and any(_BAD_OPTION.fullmatch(line) for line in body.split("\n")):
        return False  # "malformed option"
    if body.isspace() or not body:  # the usual body: a blank line between heading and options
        body_text, body_lines = "", body.count("\n")
    else:
        lines = [line.rstrip() for line in body.split("\n")]
        body_text, body_lines = "\n".join(lines).strip("\n"), len(lines) - 1
    texts: list[str] = []
    marks: list[bool] = []
    if options:
        found = _OPTION_PARTS.findall(options)
        texts = [option.strip() for _, option in found]
        if "" in texts:
            return False  # "empty option"
        marks = [mark != " " for mark, _ in found]
    if _settle_kind(draft, body_text, options=bool(texts)) is not None:
        return False  # "question has no options and no answer", or a reversed one that cannot be
    if ">" in explanation:
        draft.explanation = _explanation(explanation)
    if state.current is not None:
        _close_question(state)  # the question before, read line by line
    state.skipping = state.orphan_run = False
    if options or meta:
        state.deck_signs = True
    answers = tuple([i for i, mark in enumerate(marks) if mark])
    if answers:
        state.any_marked = True
    if not options or (answers and len(answers) < len(texts) and 2 <= len(texts) <= MAX_OPTIONS):
        state.drafts.append(question_of(draft, tuple(texts), answers, normalise(draft.text)))
    else:  # finish() reports it (or, in a file without marks, may take the first option)
        line = number + 1 + meta.count("\n") + body_lines
        draft.options = list(map(Option, texts, range(line, line + len(texts)), marks))
        state.drafts.append(draft)
    return True


def _read_metadata(draft: Draft, meta: str) -> bool:
    """Metadata lines as _metadata reads them; False for one it would report."""
    seen = set()
    for line in meta.split("\n")[:-1]:
        key, _, value = line.partition(":")
        if key in seen or _set_metadata(draft, key, value.strip()) is not None:
            return False
        seen.add(key)
    return True


_META_KEYS = ("id", "tags", "title", "reversed")
_KEY_LIKE = re.compile(r"([a-z]+)[ \t]*:")


def _misspelt_key(line: str) -> str | None:
    """The metadata key that a line right under a heading seems to misspell ("tag:",
    "titel:", "tags :"), if any: such a line would be read as text, and its question's tags
    or title silently lost. Words less like a key ("time:", "note:") are text. (A key
    written right never comes here: it is metadata.)"""
    found = _KEY_LIKE.match(line)
    if found is None:
        return None
    import difflib

    close = difflib.get_close_matches(found.group(1), _META_KEYS, n=1, cutoff=0.75)
    return close[0] if close else None


def _explanation(lines: str) -> str:
    """Blank and ``> `` lines as _quote reads them: a blank line between quotes starts a
    paragraph."""
    paragraphs: list[str] = []
    last_quote = False
    for line in lines.split("\n")[:-1]:
        line = line.rstrip()
        if not line:
            last_quote = False
            continue
        if paragraphs and not last_quote:
            paragraphs.append("")
        quote = _QUOTE.fullmatch(line)
        assert quote is not None  # _SIMPLE_QUESTION lets only "> " lines here
        paragraphs.append(quote.group(1))
        last_quote = True
    return "\n".join(paragraphs).strip("\n")


def _asks(heading: str) -> bool:
    return heading.rstrip().endswith(("?", "\uff1f"))


def _first_after_indent(line: str) -> str:
    """The first character after the leading spaces; "" for an indent of 4 or more, which
    none of the patterns allow."""
    head = line.lstrip(" ")
    return head[:1] if len(line) - len(head) <= 3 else ""


def _blank(state: _State) -> None:
    """A blank line: it ends the metadata, is kept in a body before the options, and
    changes nothing else."""
    q = state.current
    if q is not None:
        if not q.draft.options:
            q.body.append("")
        q.last = "blank"


def _fence_open(state: _State, number: int, line: str, fence: re.Match[str]) -> None:
    """A line opening a code fence; it is text itself."""
    state.fence, state.fence_line = fence.group(1), number
    _code_text(state, number, line)


def _code_line(state: _State, number: int, line: str) -> None:
    """A line inside a code fence, or its closing line: text, even "## " or "- [x]"."""
    stripped = line.strip()
    if stripped.startswith(state.fence) and not stripped.strip(state.fence[0]):
        state.fence = ""
    _code_text(state, number, line)


def _code_text(state: _State, number: int, line: str) -> None:
    """A code line is plain text: the question's, or the description's."""
    q = state.current
    if q is None:
        state.orphan_run = False
    else:
        _text(state, q, number, line, in_code=True)


def _question_heading(state: _State, number: int, heading: re.Match[str]) -> None:
    """``## Question``: ends the question before and starts the next."""
    _close_question(state)
    text = _heading_text(heading.group(1) or "")
    state.skipping = not text
    state.orphan_run = False
    if text:
        state.current = _Question(Draft(text, number, multi_ok=True))
    else:
        state.error(number, "empty question heading")


def _heading_text(heading: str) -> str:
    """A question heading's text, without closing hashes (``## Question ##``)."""
    text = heading.strip()
    if text.endswith("#"):  # else _CLOSING_HASHES cannot match
        text = _CLOSING_HASHES.sub("", text).strip()
    return text


def _close_question(state: _State) -> None:
    """Finish the question being read, if any: its body is more question or the answer."""
    q = state.current
    if q is None:
        return
    draft = q.draft
    # Each as one string, without leading and trailing blank lines.
    if q.explanation:  # most questions have none
        draft.explanation = "\n".join(q.explanation).strip("\n")
    problem = _settle_kind(draft, "\n".join(q.body).strip("\n"), options=bool(draft.options))
    if problem is not None:
        state.error(draft.line, problem)
    state.drafts.append(draft)
    state.current = None


def _settle_kind(draft: Draft, body: str, *, options: bool) -> str | None:
    """The question's kind, text and answer, from whether it has options, from ``body``
    (the text under its heading, before any options) and from ``reversed:``; what is wrong
    with it, if anything."""
    if options:
        if body:
            draft.text = f"{draft.text}\n{body}"
        if draft.reversed:
            return "reversed: a multiple-choice question has no answer to ask back"
    elif cloze.has_cloze(draft.text) or cloze.has_cloze(body):
        # A cloze: the heading and the text under it, gaps and all, are the card.
        draft.kind = "cloze"
        if body:
            draft.text = f"{draft.text}\n{body}"
        if draft.reversed:
            return "reversed: a cloze has a card per gap, not a reversed one"
    elif body:
        draft.kind, draft.answer = "reversed" if draft.reversed else "basic", body
    else:
        draft.kind = "basic"
        return "question has no options and no answer"
    return None


def _deck_title(state: _State, number: int, title: re.Match[str]) -> None:
    """``# Name``: the deck name, once, before the first question."""
    name = _CLOSING_HASHES.sub("", (title.group(1) or "").strip()).strip()
    # None of these errors is the current question's fault: it stays.
    if state.drafts or state.current is not None or state.skipping:
        state.error(number, "deck name must come before the first question", broken=False)
    elif state.deck is not None:
        state.error(number, f"second deck name (first at line {state.deck_line})", broken=False)
    elif not name:
        state.error(number, "empty deck name", broken=False)
    else:
        parts = split_deck_name(name)
        if not all(parts):
            state.error(number, f'empty part in deck name "{name}"', broken=False)
        else:
            state.deck, state.deck_line = "::".join(parts), number


def _outside_question(state: _State, number: int, line: str, first: str) -> None:
    """A line before the first question (the description) or under an unusable heading."""
    if not state.skipping and first in _OPTION_START and _OPTION.fullmatch(line):
        if not state.orphan_run:  # one error for a whole list of options
            state.error(number, "options without a question", broken=False)
        state.orphan_run = True
    else:
        state.orphan_run = False


def _metadata(state: _State, q: _Question, number: int, meta: re.Match[str]) -> None:
    """``id:``, ``tags:``, ``title:`` or ``reversed:`` right under the heading."""
    state.deck_signs = True
    key, value = meta.group(1), meta.group(2).strip()
    if key in q.meta_seen:
        state.error(number, f"{key}: given twice")
        return
    q.meta_seen.add(key)
    problem = _set_metadata(q.draft, key, value)
    if problem is not None:
        state.error(number, problem)


def _set_metadata(draft: Draft, key: str, value: str) -> str | None:
    """The draft's id, tags, title or reversed from a metadata line; what is wrong with it,
    if anything."""
    if key == "id":
        if not value:
            return "empty id"
        if not _ID.fullmatch(value):
            return f'bad id "{value}": use letters, digits, "-", "_" and "."'
        draft.id = value
    elif key == "tags":
        draft.tags = tuple(dict.fromkeys(t for t in _TAG_SEPARATOR.split(value) if t))
    elif key == "reversed":
        yes = yes_or_no(value)  # the words `srs config set` takes for a yes/no setting
        if yes is None:
            return f'reversed: yes or no, not "{value}"'
        draft.reversed = yes
    else:
        draft.title = value
    return None


def _option(state: _State, q: _Question, number: int, option: re.Match[str]) -> None:
    """``- [ ] text`` or ``- [x] text``."""
    state.deck_signs = True
    mark, text = option.group(1, 2)
    text = (text or "").strip()
    marked = mark != " "
    if marked:
        state.any_marked = True
    if not text:
        state.error(number, "empty option")
    q.draft.options.append(Option(text, number, marked))
    q.last = "option"


def _malformed_option(state: _State, q: _Question, number: int) -> None:
    """A near miss of an option such as ``- []`` or ``-[x]``."""
    state.deck_signs = True
    state.error(number, 'malformed option; write "- [ ] text" or "- [x] text"')
    # The options cannot be checked without this one: finish() must not add errors of its own.
    q.draft.unreadable = True
    q.last = "text"


def _quote(q: _Question, quote: re.Match[str]) -> None:
    """``> text``: the explanation."""
    if q.explanation and q.last != "quote":
        q.explanation.append("")  # a second blockquote: keep it a separate paragraph
    q.explanation.append(quote.group(1))
    q.last = "quote"


def _text(state: _State, q: _Question, number: int, line: str, *, in_code: bool = False) -> None:
    """Any other line in a question: its text before the options, an error after them."""
    options = q.draft.options
    if not options:
        q.body.append(line)
        q.last = "text"
    elif q.last == "option" and not in_code and line.startswith("  "):
        # An indented line right under an option continues it (a wrapped long option).
        last = options[-1]
        last.text = f"{last.text} {line.strip()}".strip()
    else:
        if not q.text_after_options:
            state.error(number, 'text after the options; start an explanation with "> "')
        q.text_after_options = True
        q.last = "text"
