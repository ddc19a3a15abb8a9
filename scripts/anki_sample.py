"""How tests/data/anki/french.colpkg was made: a small Anki collection, studied once.

    faketime '2026-11-20 10:00:00' python -m scripts.anki_sample tests/data/anki/french.colpkg

Made by Anki itself (the `anki` backend, a test dependency): a Basic note, a "Basic (and
reversed card)" note, a Cloze note with two gaps and a note showing an image, in
Lang::French; the first three cards answered once, on 2026-11-20 (Anki reads the clock:
faketime pins it, so the README's `srs import` of it, with SRS_NOW two days later, prints
the same every time). The README's "Coming back from Anki" example imports it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

# A 1x1 red PNG.
HEART = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def make(out: Path) -> None:
    from anki.collection import Collection

    with tempfile.TemporaryDirectory() as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        deck = col.decks.id("Lang::French")

        def add(kind: str, **fields: str) -> None:
            note = col.new_note(col.models.by_name(kind))
            for name, value in fields.items():
                note[name] = value
            note.tags = ["french"]
            col.add_note(note, deck)

        add("Basic", Front="<b>Bonjour</b>", Back="Hello")
        add("Basic (and reversed card)", Front="le chat", Back="the cat")
        add("Cloze", Text="{{c1::Paris}} is the capital of {{c2::France}}")
        image = Path(folder) / "heart.png"
        image.write_bytes(HEART)
        col.media.add_file(str(image))
        add("Basic", Front='le cœur <img src="heart.png">', Back="the heart")
        col.decks.select(deck)
        for ease in (3, 4, 1):  # Good, Easy, Again
            card = col.sched.getCard()
            col.sched.answerCard(card, ease)
        col.export_collection_package(str(out), include_media=True, legacy=False)


if __name__ == "__main__":
    make(Path(sys.argv[1]))
