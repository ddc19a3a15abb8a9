"""Which layout a file is in: a few regular expressions, no parsing; and whether it is an
Anki package (read by srs.importers.anki_package, which a text import never loads)."""

from __future__ import annotations

import re
from pathlib import Path, PurePath

CANONICAL, LETTERED, BLOCKS = "canonical", "lettered", "blocks"
LAYOUTS = (CANONICAL, LETTERED, BLOCKS)

_HEADING = re.compile(r"^ {0,3}## ", re.MULTILINE)
_CHECKBOX = re.compile(r"^ {0,3}[-*+] \[[ xX]\]", re.MULTILINE)
_LETTERED = re.compile(r"^- [A-Z]\. ", re.MULTILINE)


def detect_layout(text: str, path: str = "") -> str:
    """The layout of ``text``: ``.md`` files and ``## `` + ``- [ ]`` files are canonical,
    files with ``- A. `` options lettered, anything else blocks."""
    if PurePath(path).suffix.lower() == ".md":
        return CANONICAL
    if _HEADING.search(text) and _CHECKBOX.search(text):
        return CANONICAL
    if _LETTERED.search(text):
        return LETTERED
    return BLOCKS


_ZIP_MAGIC = b"PK\x03\x04"
PACKAGE_SUFFIXES = (".apkg", ".colpkg")


def is_package(path: str | Path) -> bool:
    """Whether to read a file as an Anki package: a zip file (by content, whatever its
    name), or a file named .apkg/.colpkg (which then must be one)."""
    if not Path(path).is_file():  # a FIFO would block: read_file says what it is
        return False
    if Path(path).suffix.lower() in PACKAGE_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) == _ZIP_MAGIC
    except OSError:
        return False
