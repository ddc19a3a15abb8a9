"""A question as a parser read it, the problems found on the way, and what identifies it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

# "reversed": a question/answer asked both ways (two cards); "cloze": a text with gaps
# ``{{c1::...}}``, a card per gap number (srs/cloze.py).
Kind = Literal["mcq", "basic", "reversed", "cloze"]


@dataclass(frozen=True)
class Markup:
    """A question's HTML as Anki had it: kept for the export back to Anki, while
    ``Question.text``/``answer``/``explanation`` hold the text the terminal shows."""

    text: str
    answer: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class Face:
    """One card of a note of another Anki note type: its front and back, rendered from
    the note type's template as text."""

    ord: int
    front: str
    back: str


@dataclass(frozen=True, init=False)
class Question:
    """One question as a parser read it; nothing here knows about scheduling.

    For ``kind == "mcq"``: ``options`` in source order, ``answers`` the indexes of
    the right ones. For ``kind == "basic"`` and ``"reversed"``: ``answer`` holds the back
    of the card. For ``kind == "cloze"``: ``text`` holds the gaps, ``explanation`` what is
    shown with the answer. ``markup`` and ``faces`` come only from Anki packages.
    """

    text: str
    kind: Kind = "mcq"
    options: tuple[str, ...] = ()
    answers: tuple[int, ...] = ()
    answer: str = ""
    explanation: str = ""
    title: str = ""
    tags: tuple[str, ...] = ()
    id: str | None = None  # an explicit id from the canonical format
    line: int = 0  # 1-based line where the question starts in its file
    markup: Markup | None = None  # the HTML an Anki note had
    faces: tuple[Face, ...] = ()  # the cards of a note of another Anki note type
    # normalise(text) when a parser has computed it already, so question_uid need not: not
    # part of the value (never compared), and dataclasses.replace() leaves it empty.
    normalised: str = field(default="", init=False, repr=False, compare=False)

    def __init__(
        self,
        text: str,
        kind: Kind = "mcq",
        options: tuple[str, ...] = (),
        answers: tuple[int, ...] = (),
        answer: str = "",
        explanation: str = "",
        title: str = "",
        tags: tuple[str, ...] = (),
        id: str | None = None,
        line: int = 0,
        markup: Markup | None = None,
        faces: tuple[Face, ...] = (),
    ) -> None:
        # The frozen dataclass's own __init__ sets each field through object.__setattr__,
        # half of what a parser spends on a question (they come by the ten thousand); this
        # writes them straight into the instance. The signature is the fields'
        # (tests/test_records.py holds the two together).
        fields = self.__dict__
        fields["text"] = text
        fields["kind"] = kind
        fields["options"] = options
        fields["answers"] = answers
        fields["answer"] = answer
        fields["explanation"] = explanation
        fields["title"] = title
        fields["tags"] = tags
        fields["id"] = id
        fields["line"] = line
        fields["markup"] = markup
        fields["faces"] = faces


@dataclass(frozen=True)
class Problem:
    """A compiler-style diagnostic: ``FILE:LINE: message`` (line 0: the whole file)."""

    path: str
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


@dataclass
class ParseResult:
    """What a parser returns: the questions it could read and every problem it saw."""

    path: str
    layout: str
    deck: str | None = None  # the deck name the file itself declares, if any
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # False when nothing in the file marks it as a question bank (no options, answer marks or
    # question metadata): a folder import skips such a file (a README, notes) and says so.
    looks_like_deck: bool = True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text a question is recognised by: case-folded, white space collapsed."""
    # The same as _SPACE.sub(" ", text).strip().casefold() (str.split and \s agree on
    # white space for every code point), several times faster.
    return " ".join(text.split()).casefold()


def split_deck_name(name: str) -> list[str]:
    """A deck name's `::` parts, each trimmed (`"A :: B"` -> `["A", "B"]`); parts may be empty."""
    return [part.strip() for part in name.split("::")]


def normalise_deck(name: str) -> str:
    """A deck name with each `::` part trimmed; ValueError for an empty name or part."""
    parts = split_deck_name(name)
    if not any(parts):
        raise ValueError("a deck needs a name")
    if not all(parts):
        raise ValueError(f"deck name {name!r} has an empty part between '::'")
    return "::".join(parts)


def question_uid(question: Question) -> str:
    """A question's identity within its deck: its explicit id, else its normalised text."""
    if question.id:
        return "id:" + question.id
    key = question.normalised or normalise(question.text)
    return "text:" + hashlib.sha1(key.encode()).hexdigest()


def question_guid(deck: str, uid: str, attempt: int = 0) -> str:
    """A new question's note identity in Anki (32 hex digits), from its identity in srs.

    Derived from the deck (case ignored) and the uid, so the same files imported into any
    database give the same GUIDs and Anki recognises its notes. ``attempt`` > 0 derives
    another one, for the rare case where that GUID is taken (a question whose text was
    edited keeps the GUID of its first text, which a new question may then have).
    """
    return guid_in_deck(deck_key(deck), uid, attempt)


def deck_key(deck: str) -> str:
    """The part of a GUID's key that comes from the deck (see question_guid)."""
    return normalise_deck(deck).casefold() + "\x1f"


def guid_in_deck(key: str, uid: str, attempt: int = 0) -> str:
    """question_guid with the deck's part of the key worked out once (an import makes a GUID
    for every new question of a deck)."""
    text = key + uid if not attempt else f"{key}{uid}\x1f{attempt}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
