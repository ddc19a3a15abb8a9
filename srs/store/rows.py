"""Rows to records and back: how a CardState, a Question and a Review sit in their columns."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring as _json_string  # the ensure_ascii=False one
from typing import Any

from srs.records import CardState, Face, Markup, Memory, Question, Review, Sm2State


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- card state


def state_from_row(row: Sequence) -> CardState:
    """A CardState from the columns of sql.STATE_COLUMNS, in that order."""
    repetitions, ef, interval, due, last_review, lapses, repeat_today, stability, difficulty = row
    return CardState(
        sm2=Sm2State(repetitions, ef, interval),
        due=day(due),
        last_review=day(last_review),
        lapses=lapses,
        repeat_today=bool(repeat_today),
        memory=None if stability is None else Memory(stability, difficulty),
    )


def state_params(state: CardState) -> tuple:
    """A CardState as the values of sql.STATE_COLUMNS."""
    memory = state.memory
    return (
        state.sm2.repetitions,
        state.sm2.ef,
        state.sm2.interval,
        iso(state.due),
        iso(state.last_review),
        state.lapses,
        int(state.repeat_today),
        None if memory is None else memory.stability,
        None if memory is None else memory.difficulty,
    )


def state_to_json(state: CardState) -> str:
    """A CardState as the review log keeps it (``state_before``/``state_after``)."""
    return json.dumps(state.to_dict(), sort_keys=True)


def state_from_json(text: str) -> CardState:
    return CardState.from_dict(json.loads(text))


# ---------------------------------------------------------------- questions

QUESTION_COLUMNS = (
    "q.kind, q.text, q.title, q.options, q.answers, q.answer, q.explanation, q.tags,"
    " q.uid, q.source_line, q.markup, q.faces"
)
QUESTION_WIDTH = 12  # how many columns QUESTION_COLUMNS selects


@functools.lru_cache(maxsize=4096)
def _json_tuple(text: str) -> tuple:
    """A JSON list as a tuple, for the answers and tags columns: few distinct values, many
    rows (an export reads them all), so each is decoded once."""
    return tuple(json.loads(text))


def question_from_row(row: Sequence) -> Question:
    """A Question from the columns of QUESTION_COLUMNS."""
    kind, text, title, options, answers, answer, explanation, tags, uid, line, markup, faces = row
    return Question(
        text=text,
        kind=kind,
        options=tuple(json.loads(options)),
        answers=_json_tuple(answers),
        answer=answer,
        explanation=explanation,
        title=title,
        tags=_json_tuple(tags),
        id=uid[3:] if uid.startswith("id:") else None,
        line=line or 0,
        markup=markup_from_json(markup),
        faces=faces_from_json(faces),
    )


def markup_to_json(markup: Markup | None) -> str | None:
    if markup is None:
        return None
    return json.dumps([markup.text, markup.answer, markup.explanation], ensure_ascii=False)


def markup_from_json(text: str | None) -> Markup | None:
    return None if text is None else Markup(*json.loads(text))


def faces_to_json(faces: Sequence[Face]) -> str | None:
    if not faces:
        return None
    return json.dumps([[f.ord, f.front, f.back] for f in faces], ensure_ascii=False)


def faces_from_json(text: str | None) -> tuple[Face, ...]:
    return () if text is None else tuple(Face(*face) for face in json.loads(text))


_to_json = json.JSONEncoder(ensure_ascii=False).encode


def json_list(items: Iterable) -> str:
    """``json.dumps(list(items), ensure_ascii=False)``, byte for byte, without its per-call cost.

    The same bytes matter: re-import compares this with the JSON stored by older versions.
    Strings are joined directly with json's own string encoder, plain ints with their repr
    (as json writes them; a bool or anything else goes through the encoder).
    """
    items = list(items)
    if not items:  # most tags
        return "[]"
    if type(items[0]) is not str:
        for item in items:
            if type(item) is not int:
                return _to_json(items)
        return "[" + ", ".join(map(int.__repr__, items)) + "]"
    try:
        return "[" + ", ".join(map(_json_string, items)) + "]"
    except TypeError:  # not all strings
        return _to_json(items)


def content(question: Question) -> tuple:
    """What makes a question's content: a change here is an update (and a newer Anki note)."""
    return (
        question.kind,
        question.text,
        question.title,
        json_list(question.options),
        json_list(question.answers),
        question.answer,
        question.explanation,
        json_list(question.tags),
    )


# ---------------------------------------------------------------- reviews

# The columns of a Review, from `reviews r` (the schedule figures out of the state JSON).
REVIEW_COLUMNS = (
    "r.id, r.card_id, r.reviewed_at, r.study_day, r.kind, r.grade, r.duration_ms,"
    " r.interval_before, json_extract(r.state_after, '$.interval'),"
    " json_extract(r.state_after, '$.ef'), json_extract(r.state_after, '$.due'),"
    " r.options_shown, r.chosen, r.correct"
)


def moment(text: str) -> dt.datetime:
    """A UTC timestamp as the store keeps it, timezone-aware."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ints(text: str | None) -> tuple[int, ...] | None:
    return None if text is None else tuple(json.loads(text))


def review_from_row(row: Sequence[Any]) -> Review:
    """A Review from the columns of REVIEW_COLUMNS."""
    (
        review_id,
        card_id,
        reviewed_at,
        study_day,
        kind,
        grade,
        duration_ms,
        interval_before,
        interval_after,
        ef_after,
        due_after,
        options_shown,
        chosen,
        correct,
    ) = row
    return Review(
        id=review_id,
        card_id=card_id,
        reviewed_at=moment(reviewed_at),
        study_day=dt.date.fromisoformat(study_day),
        kind=kind,
        grade=grade,
        duration_ms=duration_ms,
        interval_before=interval_before or 0,
        interval_after=interval_after or 0,
        ef_after=ef_after,
        due_after=day(due_after),
        options_shown=_ints(options_shown),
        chosen=_ints(chosen),
        correct=None if correct is None else bool(correct),
    )


def dicts(cur: sqlite3.Cursor) -> list[dict]:
    """A cursor's rows as dicts keyed by column name."""
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur]
