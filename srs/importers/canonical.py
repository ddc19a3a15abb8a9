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

from srs import cloze
from srs.importers._common import Draft, Option, finish, split_lines
from srs.records import ParseResult, Problem

LAYOUT = "canonical"

_H1 = re.compile(r" {0,3}#(?:\s+(.*))?")
_H2 = re.compile(r" {0,3}##(?:\s+(.*))?")
_META = re.compile(r"(id|tags|title):(.*)")  # lower case only: "Title: X" in an answer is text
_OPTION = re.compile(r" {0,3}[-*+]\s+\[([ xX])\](?:\s+(.*))?")
# Near misses of an option ("- []", "-[x]", "- [ x]", "- [v]", "- [x]text") get their own error.
_BAD_OPTION = re.compile(r" {0,3}[-*+]\s*\[\s*[xXvV*✓✔]?\s*\].*")
_QUOTE = re.compile(r" {0,3}>\s?(.*)")
_RULE = re.compile(r" {0,3}(?:-{3,}|\*{3,}|_{3,})")  # a thematic break between questions
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CLOSING_HASHES = re.compile(r"(?:^|\s+)#+$")

# Each pattern above (but _META, never indented) starts, after at most 3 spaces, with one of
# a few characters: a line is only tried against the patterns its first character allows.
_FENCE_START = frozenset("`~")
_RULE_START = frozenset("-*_")
_OPTION_START = frozenset("-*+")  # _OPTION and _BAD_OPTION
_META_START = ("i", "t")


def _paragraphs(lines: list[str]) -> str:
    """Body lines as one string, without leading and trailing blank lines."""
    return "\n".join(lines).strip("\n") if lines else ""


class _Question:
    """The question being read, with the state only the canonical layout needs."""

    __slots__ = (
        "draft",
        "in_meta",
        "meta_seen",
        "body",
        "explanation",
        "last",
        "text_after_options",
    )

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.in_meta = True  # metadata lines may follow the heading directly
        self.meta_seen: set[str] = set()
        self.body: list[str] = []  # text before the options
        self.explanation: list[str] = []
        self.last = ""  # what the previous line was: "option", "quote", "blank", "text"
        self.text_after_options = False


def parse(text: str, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Parse a canonical Markdown deck; never raises, every flaw becomes a Problem."""
    problems: list[Problem] = []
    drafts: list[Draft] = []
    deck: str | None = None
    deck_line = 0
    any_marked = False
    current: _Question | None = None
    skipping = False  # inside a question whose heading was unusable
    orphan_run = False
    fence = ""  # the open code fence's marker, "" outside fences
    fence_line = 0

    def error(line: int, message: str, broken: bool = True) -> None:
        problems.append(Problem(path, line, message))
        if broken and current is not None:
            current.draft.broken = True

    def close_question() -> None:
        if current is None:
            return
        draft = current.draft
        draft.explanation = _paragraphs(current.explanation)
        body = _paragraphs(current.body)
        if draft.options:
            if body:
                draft.text = f"{draft.text}\n{body}"
        elif cloze.has_cloze(draft.text) or cloze.has_cloze(body):
            # A cloze: the heading and the text under it, gaps and all, are the card.
            draft.kind = "cloze"
            if body:
                draft.text = f"{draft.text}\n{body}"
        elif body:
            draft.kind, draft.answer = "basic", body
        else:
            draft.kind = "basic"
            error(draft.line, "question has no options and no answer")
        drafts.append(draft)

    def read_meta(number: int, key: str, value: str) -> None:
        assert current is not None
        draft = current.draft
        if key in current.meta_seen:
            error(number, f"{key}: given twice")
            return
        current.meta_seen.add(key)
        if key == "id":
            if not value:
                error(number, "empty id")
            elif not _ID.fullmatch(value):
                error(number, f'bad id "{value}": use letters, digits, "-", "_" and "."')
            else:
                draft.id = value
        elif key == "tags":
            draft.tags = tuple(dict.fromkeys(t for t in re.split(r"[\s,]+", value) if t))
        else:
            draft.title = value

    for number, line in enumerate(split_lines(text), 1):
        if not line and not fence:
            # A blank line (the commonest), read as the branches below would: it ends the
            # metadata, is kept in a body before the options, and changes nothing else.
            if current is not None:
                current.in_meta = False
                if not current.draft.options:
                    current.body.append("")
                current.last = "blank"
            continue
        # The first character after the indent; "" for a blank line or an indent of 4 or
        # more, which none of the patterns allow.
        first = line[:1]
        if first == " ":
            head = line.lstrip(" ")
            first = head[:1] if len(line) - len(head) <= 3 else ""
        # Inside a code fence (and on its fence lines) every line is plain text, even "## ".
        in_code = bool(fence)
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
        elif first in _FENCE_START and (fence_match := _FENCE.match(line)) is not None:
            fence, fence_line, in_code = fence_match.group(1), number, True
        elif first == "#" and (h2 := _H2.fullmatch(line)) is not None:
            close_question()
            current = None
            heading = (h2.group(1) or "").strip()
            if heading.endswith("#"):  # else _CLOSING_HASHES cannot match
                heading = _CLOSING_HASHES.sub("", heading).strip()
            skipping = not heading
            orphan_run = False
            if skipping:
                error(number, "empty question heading")
            else:
                current = _Question(Draft(heading, number, multi_ok=True))
            continue
        elif first == "#" and (h1 := _H1.fullmatch(line)) is not None:
            name = _CLOSING_HASHES.sub("", (h1.group(1) or "").strip()).strip()
            if drafts or current is not None or skipping:
                error(number, "deck name must come before the first question", broken=False)
            elif deck is not None:
                error(number, f"second deck name (first at line {deck_line})", broken=False)
            elif not name:
                error(number, "empty deck name", broken=False)
            else:
                parts = [part.strip() for part in name.split("::")]
                if not all(parts):
                    error(number, f'empty part in deck name "{name}"', broken=False)
                else:
                    deck, deck_line = "::".join(parts), number
            continue
        elif first in _RULE_START and line[-1] == first and _RULE.fullmatch(line):
            continue

        if current is None:
            # The description before the first question, or the body of a broken heading.
            option_like = not in_code and not skipping and first in _OPTION_START
            if option_like and _OPTION.fullmatch(line):
                if not orphan_run:
                    error(number, "options without a question", broken=False)
                orphan_run = True
            elif line.strip():
                orphan_run = False
            continue

        q = current
        if q.in_meta:
            meta = _META.fullmatch(line) if not in_code and line[:1] in _META_START else None
            if meta is not None:
                read_meta(number, meta.group(1), meta.group(2).strip())
                continue
            q.in_meta = False

        option = _OPTION.fullmatch(line) if not in_code and first in _OPTION_START else None
        quote = _QUOTE.fullmatch(line) if not in_code and first == ">" else None
        if option is not None:
            body = (option.group(2) or "").strip()
            marked = option.group(1) != " "
            any_marked = any_marked or marked
            if not body:
                error(number, "empty option")
            q.draft.options.append(Option(body, number, marked))
            q.last = "option"
        elif not in_code and first in _OPTION_START and _BAD_OPTION.fullmatch(line):
            error(number, 'malformed option; write "- [ ] text" or "- [x] text"')
            q.draft.unreadable = True
            q.last = "text"
        elif quote is not None:
            if q.explanation and q.last != "quote":
                q.explanation.append("")  # a second blockquote: keep it a separate paragraph
            q.explanation.append(quote.group(1))
            q.last = "quote"
        elif not line.strip():
            if not q.draft.options:
                q.body.append("")
            q.last = "blank"
        elif not q.draft.options:
            q.body.append(line)
            q.last = "text"
        elif q.last == "option" and line.startswith("  ") and not in_code:
            # An indented line right under an option continues it (a wrapped long option).
            last = q.draft.options[-1]
            last.text = f"{last.text} {line.strip()}".strip()
        else:
            if not q.text_after_options:
                error(number, 'text after the options; start an explanation with "> "')
            q.text_after_options = True
            q.last = "text"

    if fence:
        error(fence_line, "code fence not closed")
    close_question()

    return finish(
        path,
        LAYOUT,
        drafts,
        problems,
        first_option_correct=first_option_correct,
        any_marked=any_marked,
        deck=deck,
    )
