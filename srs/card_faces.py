"""What each card of a question shows: which cards a question has, and each one's front
and back as text. Pure.

- multiple choice and question/answer: one card (0);
- reversed: card 0 asks the question, card 1 the answer;
- cloze: a card per gap number N, numbered N - 1 as Anki does (srs/cloze.py);
- a note of another Anki note type: its cards as rendered at import (``Question.faces``).
"""

from __future__ import annotations

from srs import cloze
from srs.records import Question


def ords(question: Question) -> tuple[int, ...]:
    """The card numbers a question has, sorted."""
    if question.faces:
        return tuple(sorted({face.ord for face in question.faces}))
    if question.kind == "reversed":
        return (0, 1)
    if question.kind == "cloze":
        return tuple(n - 1 for n in cloze.numbers(question.text)) or (0,)
    return (0,)


def front(question: Question, ord: int = 0) -> str:
    """The question side of card ``ord`` (multiple choice: the question, without options)."""
    for face in question.faces:
        if face.ord == ord:
            return face.front
    if question.kind == "reversed" and ord == 1:
        return question.answer
    if question.kind == "cloze":
        return cloze.front(question.text, ord + 1)
    return question.text


def back(question: Question, ord: int = 0) -> str:
    """The answer side of card ``ord``: a cloze's whole text, its gap's words in brackets."""
    for face in question.faces:
        if face.ord == ord:
            return face.back
    if question.kind == "reversed" and ord == 1:
        return question.text
    if question.kind == "cloze":
        return cloze.back(question.text, ord + 1)
    return question.answer
