"""Card text on a terminal (with rich): wrapped at its width, code shown as code.

Decks write code the Markdown way: fenced blocks (```python ... ```) and inline `code`.
Nothing else in a card's text is read as Markdown: `*`, `_` and `[x]` stay as typed.

- On a terminal, text wraps at the terminal's width (each option indented under its own
  text); fenced code is a block indented by four spaces, indentation kept, highlighted when
  colour is on; inline code is shown without its backticks, in its own colour.
- Without colour (a pipe, `NO_COLOR`), inline code keeps its backticks, the only mark left;
  through a pipe, lines are not wrapped, so scripts read each option on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

CODE_STYLE = "cyan"
CODE_INDENT = "    "
SYNTAX_THEME = "ansi_dark"  # the terminal's own 16 colours: readable on its background

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_INLINE_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")


@dataclass(frozen=True)
class Part:
    """A stretch of a card's text: prose, or a fenced code block (with its language)."""

    text: str
    code: bool = False
    language: str = ""


def parts(text: str) -> list[Part]:
    """Prose and fenced code blocks, in order; the fence lines themselves are dropped."""
    found: list[Part] = []
    prose: list[str] = []
    lines = iter(text.split("\n"))
    for line in lines:
        fence = _FENCE.fullmatch(line.rstrip())
        if fence is None:
            prose.append(line)
            continue
        if prose:
            found.append(Part("\n".join(prose).strip("\n")))
            prose = []
        marker, code = fence.group(1), []
        for inner in lines:
            stripped = inner.strip()
            if stripped.startswith(marker) and not stripped.strip(marker[0]):
                break
            code.append(inner)
        found.append(Part("\n".join(code), code=True, language=fence.group(2)))
    if prose:
        found.append(Part("\n".join(prose).strip("\n")))
    return [p for p in found if p.code or p.text]


class Renderer:
    """Prints card text on one console: wrapped on a terminal, whole into a pipe."""

    def __init__(self, console: Console, *, wrap: bool, color: bool) -> None:
        self.console = console
        self.wrap = wrap
        self.color = color

    def prose(self, text: str, style: str = "") -> Text:
        """Text with its inline code styled (backticks dropped), or as typed without colour."""
        if not self.color:
            return Text(text, style=style)
        out = Text(style=style)
        last = 0
        for match in _INLINE_CODE.finditer(text):
            out.append(text[last : match.start()])
            out.append(match.group(2), style=CODE_STYLE)
            last = match.end()
        out.append(text[last:])
        return out

    def code(self, part: Part) -> Text:
        if not self.color:
            return Text(part.text)
        syntax = Syntax(part.text, part.language or "text", theme=SYNTAX_THEME)
        highlighted = syntax.highlight(part.text)
        highlighted.rstrip()  # the newline highlight() ends with
        return highlighted

    def lines(self, text: Text, first: str = "", rest: str | None = None) -> list[Text]:
        """``text`` as printed lines: the first after ``first``, the others after ``rest``
        (as wide as ``first`` by default), wrapped to the terminal when wrapping."""
        rest = " " * len(first) if rest is None else rest
        if self.wrap:
            room = max(10, self.console.width - len(first))
            # no_wrap=False: highlighted code comes marked no_wrap, and would be cut off.
            wrapped = list(text.wrap(self.console, room, overflow="fold", no_wrap=False))
        else:
            wrapped = text.split("\n", allow_blank=True)
        return [Text(first if i == 0 else rest) + line for i, line in enumerate(wrapped)]

    def card_text(self, text: str, style: str = "", lead: Text | None = None) -> list[Text]:
        """A question, answer or explanation: prose wrapped, code as indented blocks.
        ``lead`` ("Answer: ") starts the first line when the text starts with prose."""
        out: list[Text] = []
        pieces = parts(text)
        if lead is not None and (not pieces or pieces[0].code):
            out.append(lead)
            lead = None
        for i, part in enumerate(pieces):
            if i:
                out.append(Text())  # a blank line between prose and code, as in the deck
            if part.code:
                for line in self.code(part).split("\n", allow_blank=True):
                    # A folded line goes on under its own indentation.
                    indent = len(line.plain) - len(line.plain.lstrip(" "))
                    out.extend(self.lines(line, CODE_INDENT, CODE_INDENT + " " * indent))
                continue
            body = self.prose(part.text, style)
            out.extend(self.lines(lead + body if lead is not None else body))
            lead = None
        return out

    def option(self, letter: str, text: str) -> list[Text]:
        """`  a) text`, continued lines indented under the text."""
        return self.lines(self.prose(text), f"  {letter}) ")

    def print(self, lines: list[Text] | Text | str, style: str = "") -> None:
        """Lines, or one line (a string in `style`); without colour, plain: no style at all."""
        for line in [lines] if isinstance(lines, Text | str) else lines:
            if not self.color:
                # Nothing to style, and the lines are wrapped already (or must not be):
                # the console's rendering would only cost time (a piped session's answers).
                print(line if isinstance(line, str) else line.plain)
                continue
            self.console.print(Text(line, style=style) if isinstance(line, str) else line)
