"""Question-bank parsers: text in, questions and compiler-style problems out.

Nothing here touches a database. :func:`read_file` and :func:`parse_text` are the entry points;
the layouts live in :mod:`.blocks`, :mod:`.lettered` and :mod:`.canonical`.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from srs import __version__
from srs.errors import SrsError
from srs.importers import blocks, canonical, lettered
from srs.importers._common import reject_control_characters
from srs.importers.detect import LAYOUTS, PACKAGE_SUFFIXES, detect_layout
from srs.records import ParseResult, Problem

__all__ = [
    "LAYOUTS",
    "bundled_decks",
    "decode",
    "detect_layout",
    "expand_paths",
    "parse_bytes",
    "parse_text",
    "read_bytes",
    "read_file",
    "source_digest",
]

_PARSERS: dict[str, Callable[..., ParseResult]] = {
    blocks.LAYOUT: blocks.parse,
    lettered.LAYOUT: lettered.parse,
    canonical.LAYOUT: canonical.parse,
}

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS_WIDE = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

SUFFIXES = (".md", ".txt")


def parse_text(
    text: str, path: str, *, first_option_correct: bool = False, layout: str | None = None
) -> ParseResult:
    """Parse ``text`` (read from ``path``, used in messages and for detection).

    ``layout`` forces one of :data:`LAYOUTS`; by default it is detected. Raises SrsError only
    for an unknown ``layout``; every flaw in the text becomes a Problem.
    """
    if layout is not None and layout not in _PARSERS:
        raise SrsError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chosen = layout or detect_layout(text, path)
    # A parser allocates several objects a line and leaves no reference cycles: the cyclic
    # collector's passes over the growing heap cost a fifth of a big file's import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _PARSERS[chosen](text, path, first_option_correct=first_option_correct)
    finally:
        if collecting:
            gc.enable()
    reject_control_characters(result, text)
    return result


def read_file(path: str | Path, *, first_option_correct: bool = False) -> ParseResult:
    """Read, decode and parse one file.

    A file that cannot be read raises SrsError (``FILE: no such file``); one that is not text
    gives a result with a single file-level error instead, so a batch import can go on.
    """
    return parse_bytes(read_bytes(path), str(path), first_option_correct=first_option_correct)


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes; SrsError (``FILE: no such file``) when it cannot be read."""
    name = str(path)
    try:
        # A FIFO or a device would block or never end (`srs import /dev/zero`): regular files only.
        if not Path(path).is_dir() and not stat.S_ISREG(os.stat(path).st_mode):
            raise SrsError(f"{name}: not a regular file")
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise SrsError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise SrsError(f"{name}: is a directory") from None
    except PermissionError:
        raise SrsError(f"{name}: permission denied") from None
    except OSError as exc:
        raise SrsError(f"{name}: cannot read ({exc.strerror or exc})") from None


def parse_bytes(data: bytes, path: str, *, first_option_correct: bool = False) -> ParseResult:
    """Decode and parse a file's bytes (read from ``path``)."""
    text_or_problem = decode(data, path)
    if isinstance(text_or_problem, Problem):
        return ParseResult(path, "unknown", problems=[text_or_problem])
    return parse_text(text_or_problem, path, first_option_correct=first_option_correct)


# Part of every digest: a change to what any parser makes of the same bytes must change it,
# so that no import takes a file as unchanged on the word of an older parser.
# 2: `reversed:` metadata; near-miss option boxes and misspelt metadata keys are errors.
PARSER_REVISION = f"srs {__version__} parsers 2"


def source_digest(data: bytes, *, first_option_correct: bool, deck: str | None) -> str:
    """What a file's import depends on: its bytes, the options that change how they are
    read, and the parsers' revision. Equal digests parse to equal questions."""
    digest = hashlib.sha256()
    digest.update(f"{PARSER_REVISION}\0{first_option_correct}\0{deck}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def decode(data: bytes, path: str) -> str | Problem:
    """The text of a file's bytes: UTF-8 (BOM or not), or UTF-16/32 with a byte-order mark.

    Returns a file-level Problem instead for binary data or undecodable bytes.
    """
    for bom, encoding in _BOMS_WIDE:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                return Problem(path, 0, f"invalid {encoding[:6].upper()} text")
            break
    else:
        if b"\x00" in data:
            return Problem(path, 0, "not a text file (binary data)")
        start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = start + exc.start  # from the start of the file, as a hex dump shows it
            return Problem(path, _line_of(data, offset), f"invalid UTF-8 at byte {offset}")
    if "\x00" in text:
        return Problem(path, 0, "not a text file (binary data)")
    return text


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset``, counting CRLF, CR and LF as line ends."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory becomes its ``*.md`` and ``*.txt`` files, sorted by name.


    Only the directory itself is searched, not its subdirectories.
    """
    result: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found = (
                p
                for p in path.iterdir()
                # Dot files are editor backups and lock files, not decks.
                if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and p.is_file()
            )
            files = sorted(found, key=lambda p: p.name)
            if not files:
                # Importing nothing and saying nothing would look like success.
                hint = ""
                if packages_in(path):
                    hint = f" (Anki packages are imported by name: srs import {path}/*.apkg)"
                raise SrsError(f"{path}: no .md or .txt files in this folder{hint}")
            result.extend(files)
        elif not path.exists() and not path.is_symlink():
            # Named on the command line, it may have been meant as either.
            raise SrsError(f"{entry}: no such file or folder")
        else:
            result.append(path)
    return result


def packages_in(folder: Path) -> list[Path]:
    """The Anki packages (.apkg, .colpkg) in a folder, sorted by name: a folder's import
    leaves them out and lists them (a whole collection is imported only when named)."""
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix.lower() in PACKAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
        ),
        key=lambda p: p.name,
    )


def bundled_decks() -> list[Path]:
    """The decks that ship with srs (the repository's decks/, installed as srs.decks)."""
    from importlib.resources import files

    folder = Path(str(files("srs.decks")))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
