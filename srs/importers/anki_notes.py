"""An Anki collection, read as srs questions: which note types are whose, each note as a
question, each card's schedule as SM-2 and its answers as grades. Pure: no I/O.

- srs's own note types (exported by `srs export`): the fields are read back into the
  question they came from (text, title, options, answer, explanation, its id).
- Anki's Basic (one template ``{{Front}}`` / ``{{Back}}``) as question/answer; "Basic (and
  reversed card)" (a second template the other way round) as a reversed question, two
  cards; a cloze note type as a cloze question, a card per gap number.
- Any other note type: each card's front and back rendered from its template (field
  substitution, ``{{FrontSide}}``, sections ``{{#F}}``/``{{^F}}``; filters reduced to their
  field; type-in, TTS and hints shown as text), as a question/answer.

The HTML is kept (``Question.markup``) and shown as text (srs/markup.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import replace

from srs.markup import html_to_text, split_answer
from srs.markup import rename_media as rename_refs
from srs.records import CardState, Face, Markup, Memory, Question, Sm2State, question_uid
from srs.records.anki import (
    SRS_NOTE_TYPES,
    AnkiCard,
    AnkiCollection,
    AnkiImport,
    AnkiNoteType,
    CardIn,
    NoteIn,
    ReviewIn,
)
from srs.records.card import INITIAL_EF
from srs.sm2 import MIN_EF

# --- note types ------------------------------------------------------------------------

_FIELD_REF = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_SRS_UID = re.compile(r'<span class="srs-uid">(.*?)</span>', re.S)
# The title as srs exports it (in an attribute, shown by CSS), or as it did before (a div).
_TITLE = re.compile(r'^<div class="srs-title"(?: data-title="([^"]*)"></div>|>(.*?)</div>)', re.S)
# A marked option; srs writes each with its place in the question (data-i), as the note
# holds the options in an order of its own.
_OPTION = re.compile(r'<li data-answer="(true|false)"(?: data-i="(\d+)")?>(.*?)</li>', re.S)
_TAG = re.compile(r"<(?!br>)[a-zA-Z/!]")


def srs_kind(notetype: AnkiNoteType) -> str | None:
    """ "mcq", "basic", "reversed" or "cloze" for srs's own note types, else None."""
    for candidate in (notetype.id, notetype.original_id):
        if candidate in SRS_NOTE_TYPES:
            return SRS_NOTE_TYPES[candidate][0]
    for kind, name in SRS_NOTE_TYPES.values():
        if notetype.name == name:
            return kind
    return None


def _only_field(template: str) -> str | None:
    """The field a template shows when it is just ``{{Field}}``, else None."""
    match = _FIELD_REF.fullmatch(template.strip())
    if match is None or match.group(1)[:1] in "#^/!" or ":" in match.group(1):
        return None
    return match.group(1)


def _shape(notetype: AnkiNoteType) -> tuple[str, tuple[str, ...]]:
    """How srs reads a note type: ("cloze", (cloze field, extra fields...)), ("basic",
    (front, back)), ("reversed", (front, back)) or ("faces", ())."""
    templates = notetype.templates
    if notetype.cloze:
        refs = [r for t in templates[:1] for r in _FIELD_REF.findall(t.front)]
        cloze_fields = [r.split(":")[-1].strip() for r in refs if r.startswith("cloze:")]
        text = cloze_fields[0] if cloze_fields else (notetype.fields[:1] or ("",))[0]
        extra = tuple(
            name
            for t in templates[:1]
            for name in dict.fromkeys(_field_names(t.back))
            if name != text and name in notetype.fields
        )
        return "cloze", (text, *extra)
    sides = []
    for template in templates:
        front = _only_field(template.front)
        answer = split_answer(template.back)
        back = _only_field(answer) if answer != template.back else None
        if front is None or back is None or "{{FrontSide}}" not in template.back.replace(" ", ""):
            return "faces", ()
        sides.append((front, back))
    if len(sides) == 1:
        return "basic", sides[0]
    if len(sides) == 2 and sides[1] == sides[0][::-1]:
        return "reversed", sides[0]
    return "faces", ()


def _field_names(template: str) -> list[str]:
    names = []
    for ref in _FIELD_REF.findall(template):
        if ref[:1] in "#^/!" or ref == "FrontSide":
            continue
        names.append(ref.split(":")[-1].strip())
    return names


# --- rendering templates -----------------------------------------------------------------

_SECTION = re.compile(r"\{\{\s*([#^])\s*([^{}]*?)\s*\}\}")
_SPECIAL = {"Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag"}


def _non_empty(html: str) -> bool:
    return bool(html_to_text(html).strip())


def render(
    template: str,
    fields: dict[str, str],
    *,
    front_side: str = "",
    extra: dict[str, str] | None = None,
    back: bool = False,
) -> str:
    """A card template with the note's fields (HTML out): ``{{Field}}``, ``{{FrontSide}}``,
    sections ``{{#Field}}...{{/Field}}`` (shown when the field is not empty) and
    ``{{^Field}}...{{/Field}}``; a filter (``{{text:F}}``, ``{{hint:F}}``...) gives the field;
    ``{{type:F}}`` gives nothing on the front (Anki's box to type in) and the field on the
    ``back`` (where Anki shows the right answer); ``{{tts ...}}`` and unknown fields give
    nothing."""
    values = dict(extra or {}, **fields)

    def expand(text: str) -> str:
        out = []
        pos = 0
        while True:
            section = _SECTION.search(text, pos)
            end = section.start() if section else len(text)
            out.append(_FIELD_REF.sub(substitute, text[pos:end]))
            if section is None:
                return "".join(out)
            name = section.group(2)
            close = re.compile(r"\{\{\s*/\s*" + re.escape(name) + r"\s*\}\}")
            # The matching close, counting sections of the same name opened inside.
            depth, scan, inner_end, after = 1, section.end(), None, None
            opener = re.compile(r"\{\{\s*[#^]\s*" + re.escape(name) + r"\s*\}\}")
            while depth:
                next_close = close.search(text, scan)
                if next_close is None:
                    break
                next_open = opener.search(text, scan, next_close.start())
                if next_open is not None:
                    depth += 1
                    scan = next_open.end()
                    continue
                depth -= 1
                scan = next_close.end()
                if not depth:
                    inner_end, after = next_close.start(), next_close.end()
            if inner_end is None:  # never closed: the rest is the section's
                inner_end, after = len(text), len(text)
            shown = _non_empty(values.get(name, ""))
            if (section.group(1) == "#") == shown:
                out.append(expand(text[section.end() : inner_end]))
            pos = after

    def substitute(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref == "FrontSide":
            return front_side
        if ref[:1] in "!/" or ref.startswith("tts"):
            return ""
        *filters, name = [part.strip() for part in ref.split(":")]
        if "type" in filters and not back:
            return ""
        return values.get(name, "")

    return expand(template)


# --- time ---------------------------------------------------------------------------------


# --- the collection, as questions -----------------------------------------------------------


def to_import(collection: AnkiCollection, *, today: dt.date) -> AnkiImport:
    """The collection's notes as questions with their cards, schedules and answers (read
    as srs grades them: see anki_package)."""
    cards_of: dict[int, list[AnkiCard]] = {}
    for card in collection.cards:
        cards_of.setdefault(card.note_id, []).append(card)
    for note_cards in cards_of.values():
        if len(note_cards) > 1:
            note_cards.sort(key=lambda c: c.ord)
    shapes = {ntid: _shape(nt) for ntid, nt in collection.notetypes.items()}
    kinds = {ntid: srs_kind(nt) for ntid, nt in collection.notetypes.items()}
    result = AnkiImport(
        path=collection.path, version=collection.version, notes=[], media=collection.media
    )
    answers_of, other_entries, resets_of, scheduled_of = (
        collection.answers,
        collection.other_entries,
        collection.resets,
        collection.scheduled,
    )
    for note in collection.notes:
        cards = cards_of.get(note.id)
        notetype = collection.notetypes.get(note.notetype_id)
        if not cards or notetype is None:
            continue  # a note without cards shows nothing (Anki's "empty cards")
        result.notetypes[notetype.name] = result.notetypes.get(notetype.name, 0) + 1
        deck = collection.decks.get(cards[0].deck_id, "Default")
        names = notetype.fields
        values = note.fields.split("\x1f")
        fields = {name: (values[i] if i < len(values) else "") for i, name in enumerate(names)}
        tags = tuple(note.tags.split())
        own = kinds[note.notetype_id]
        if own is not None:
            question, uid, source = _srs_question(own, fields, tags)
            origin = "srs"
        else:
            question = _anki_question(shapes[note.notetype_id], notetype, fields, tags, cards, deck)
            uid, source, origin = "anki:" + note.guid, "", "anki"
        card_ins = []
        for card in cards:
            reviews = answers_of.get(card.id, ())
            skipped, last_other_ms = other_entries.get(card.id, (0, 0))
            result.skipped_reviews += skipped
            resets = resets_of.get(card.id, ())
            last_ms = max(
                reviews[-1].anki_id if reviews else 0,
                last_other_ms,
                resets[-1] if resets else 0,
            )
            card_ins.append(
                CardIn(
                    ord=card.ord,
                    anki_id=card.id,
                    state=anki_state(
                        card, collection.created, today, reviews, resets[-1] if resets else 0
                    ),
                    suspended=card.queue == -1,
                    reviews=tuple(reviews),
                    # Just after the card's last log entry: the schedule is what that left.
                    taken_at_ms=max(card.mod * 1000, last_ms + 1) if last_ms else card.mod * 1000,
                    resets=tuple(resets),
                    scheduled_at_ms=_set_by_hand(
                        scheduled_of.get(card.id, 0), reviews, resets, card.type
                    ),
                )
            )
        result.notes.append(
            NoteIn(
                guid=note.guid,
                deck=deck,
                uid=uid,
                question=question,
                origin=origin,
                changed_at=dt.datetime.fromtimestamp(note.mod, dt.UTC),
                cards=tuple(card_ins),
                source=source,
            )
        )
    return result


def anki_state(
    card: AnkiCard,
    created: dt.date,
    today: dt.date,
    reviews: list[ReviewIn],
    last_reset_ms: int = 0,
) -> CardState:
    """Anki's schedule of a card as SM-2: the interval, the ease as EF (permille to hundredths,
    at least 1.3), the lapses, the due date (Anki's day number from the collection's day 0);
    a card in learning is due today. ``last_reset_ms``: the time of its last Forget (0 for
    none): answers before it are not its passes."""
    memory = _memory(card.data)
    last_answer = dt.date.fromordinal(reviews[-1].day) if reviews else None
    if card.type == 0:
        return CardState(memory=memory)
    ef = max(MIN_EF, card.factor // 10) if card.factor else INITIAL_EF
    if card.type == 2:
        interval = max(1, card.interval)
        due = created + dt.timedelta(days=card.due)
        # SM-2's n: the passes since the last lapse (first answer of each day), at least what
        # the interval implies (n = 1 means "6 days next", n >= 2 "interval x EF").
        passes = 0
        seen: set[int] = set()
        for review in reversed(reviews):
            if review.grade < 3 or review.anki_id < last_reset_ms:
                break
            if review.day not in seen:
                seen.add(review.day)
                passes += 1
        repetitions = max(passes, 1 if interval < 6 else 2)
        return CardState(
            sm2=Sm2State(repetitions, ef, interval),
            due=due,
            last_review=last_answer or due - dt.timedelta(days=interval),
            lapses=card.lapses,
            memory=memory,
        )
    # Learning (1) or relearning (3). Answered today: a same-day repeat, as after a grade
    # below 4 in srs (due tomorrow once passed). Else due today, or on its day if later.
    if last_answer == today:
        return CardState(
            sm2=Sm2State(0, ef, 1),
            due=today + dt.timedelta(days=1),
            last_review=today,
            lapses=card.lapses,
            repeat_today=True,
            memory=memory,
        )
    due = today
    if card.queue == 3:
        due = max(today, created + dt.timedelta(days=card.due))
    return CardState(
        sm2=Sm2State(0, ef, 1),
        due=due,
        last_review=last_answer,
        lapses=card.lapses,
        memory=memory,
    )


def _set_by_hand(at_ms: int, reviews: list[ReviewIn], resets: Sequence[int], kind: int) -> int:
    """``at_ms`` (the card's last "Set due date" or reschedule) if its schedule is still the
    one that set, and a schedule: after the last answer and reset, on a card not new; else 0."""
    if not at_ms or kind == 0:
        return 0
    if (reviews and reviews[-1].anki_id > at_ms) or (resets and resets[-1] > at_ms):
        return 0
    return at_ms


def _memory(data: str) -> Memory | None:
    if not data or '"s"' not in data:
        return None
    try:
        values = json.loads(data)
        return Memory(float(values["s"]), float(values["d"]))
    except (ValueError, KeyError, TypeError):
        return None


# --- the note, as a question ---------------------------------------------------------------


def _anki_question(
    shape: tuple[str, tuple[str, ...]],
    notetype: AnkiNoteType,
    fields: dict[str, str],
    tags: tuple[str, ...],
    cards: list[AnkiCard],
    deck: str,
) -> Question:
    kind, names = shape
    ords = [card.ord for card in cards]
    if kind == "cloze":
        text_html = fields.get(names[0], "")
        extra_html = "<br>".join(fields[n] for n in names[1:] if fields.get(n, "").strip())
        return Question(
            text=_nonempty(html_to_text(text_html)),
            kind="cloze",
            explanation=html_to_text(extra_html),
            tags=tags,
            markup=Markup(text_html, "", extra_html),
        )
    if kind in ("basic", "reversed"):
        front, back = fields.get(names[0], ""), fields.get(names[1], "")
        # A reversed note with one card (the other side empty) is a question/answer.
        if kind == "reversed" and sorted(ords) != [0, 1]:
            if ords == [1]:
                front, back = back, front
            kind = "basic"
        return Question(
            text=_nonempty(html_to_text(front)),
            kind=kind,  # type: ignore[arg-type]
            answer=html_to_text(back),
            tags=tags,
            markup=Markup(front, back),
        )
    special = {
        "Tags": " ".join(tags),
        "Deck": deck,
        "Subdeck": deck.split("::")[-1],
        "Type": notetype.name,
    }
    faces = []
    first_html: tuple[str, str] | None = None
    for card in cards:
        if card.ord >= len(notetype.templates):
            continue
        template = notetype.templates[card.ord]
        extra = dict(special, Card=template.name)
        front_html = render(template.front, fields, extra=extra)
        back_html = split_answer(
            render(template.back, fields, front_side=front_html, extra=extra, back=True)
        )
        if first_html is None:
            first_html = (front_html, back_html)
        faces.append(Face(card.ord, _nonempty(html_to_text(front_html)), html_to_text(back_html)))
    if not faces:
        faces.append(Face(cards[0].ord, "(empty)", ""))
        first_html = ("", "")
    assert first_html is not None
    return Question(
        text=faces[0].front,
        kind="basic",
        answer=faces[0].back,
        tags=tags,
        markup=Markup(*first_html),
        # One card, numbered 0: a plain question/answer; else each card as rendered.
        faces=tuple(faces) if [f.ord for f in faces] != [0] else (),
    )


def _nonempty(text: str) -> str:
    return text if text.strip() else "(empty)"


def _plain(html: str) -> tuple[str, bool]:
    """The text of a field srs wrote, and whether it was plain text (escaped, ``<br>``)."""
    return html_to_text(html, media=False), _TAG.search(html) is None


def _srs_question(
    kind: str, fields: dict[str, str], tags: tuple[str, ...]
) -> tuple[Question, str, str]:
    """A question from one of srs's own note types; with its uid and source file."""
    question_html = fields.get("Question", fields.get("Text", ""))
    title = ""
    match = _TITLE.match(question_html)
    if match:
        title = html_to_text(match.group(1) or match.group(2) or "", media=False)
        question_html = question_html[match.end() :]
    text, plain = _plain(question_html)
    explanation_html = fields.get("Explanation", fields.get("Back Extra", ""))
    explanation, plain_explanation = _plain(explanation_html)
    answer_html = fields.get("Answer", "")
    source_html = fields.get("Source", "")
    uid_match = _SRS_UID.search(source_html)
    uid = html_to_text(uid_match.group(1), media=False) if uid_match else ""
    source = html_to_text(_SRS_UID.sub("", source_html), media=False).strip()
    path, line = _source(source)
    options: tuple[str, ...] = ()
    answers: tuple[int, ...] = ()
    answer = ""
    plain_answer = True
    if kind == "mcq":
        items = _OPTION.findall(answer_html)
        places = [place for _, place, _ in items]
        if all(places) and sorted(map(int, places)) == list(range(len(items))):
            items = sorted(items, key=lambda item: int(item[1]))  # the question's own order
        options = tuple(html_to_text(o, media=False) for _, _, o in items)
        answers = tuple(i for i, (mark, _, _) in enumerate(items) if mark == "true")
        if not items:
            kind = "basic"
    else:
        answer, plain_answer = _plain(answer_html)
    markup = None
    if not (plain and plain_answer and plain_explanation):
        markup = Markup(question_html, answer_html if kind != "mcq" else "", explanation_html)
        text = html_to_text(question_html)
        answer = html_to_text(answer_html) if kind != "mcq" else ""
        explanation = html_to_text(explanation_html)
    question = Question(
        text=_nonempty(text),
        kind=kind,  # type: ignore[arg-type]
        options=options,
        answers=answers,
        answer=answer,
        explanation=explanation,
        title=title,
        tags=tags,
        id=uid[3:] if uid.startswith("id:") else None,
        line=line,
        markup=markup,
    )
    return question, uid or question_uid(question), path


def _source(source: str) -> tuple[str, int]:
    path, sep, line = source.rpartition(":")
    if sep and line.isdecimal():
        return path, int(line)
    return source, 0


def rename_media(notes: list[NoteIn], renames: dict[str, str]) -> list[NoteIn]:
    """The notes with their references to renamed media files pointing at the new names."""
    if not renames:
        return notes

    def text(value: str) -> str:
        for old, new in renames.items():
            value = value.replace(f"[image: {old}]", f"[image: {new}]")
            value = value.replace(f"[sound: {old}]", f"[sound: {new}]")
        return value

    out = []
    for note in notes:
        q = note.question
        markup = q.markup
        if markup is not None:
            markup = Markup(
                *(
                    rename_refs(part, renames)
                    for part in (markup.text, markup.answer, markup.explanation)
                )
            )
        question = replace(
            q,
            text=text(q.text),
            answer=text(q.answer),
            explanation=text(q.explanation),
            markup=markup,
            faces=tuple(Face(f.ord, text(f.front), text(f.back)) for f in q.faces),
        )
        out.append(replace(note, question=question))
    return out
