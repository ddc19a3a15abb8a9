"""Which layout a file is in: a few regular expressions, no parsing."""

from __future__ import annotations

import re
from pathlib import PurePath

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
