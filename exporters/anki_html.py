"""Plain text from a question bank as the HTML of an Anki field, shown exactly as typed.

* HTML is escaped: ``<script>`` shows as text and runs nothing.
* Anki's own markup shows as text too: Anki finds ``[sound:x]``, ``[latex]``, ``[$]``,
  ``[$$]`` and ``[anki:...]`` in the field's HTML and desktop Anki loads MathJax when it
  sees ``\\(`` or ``\\[`` there, so every ``[`` and ``\\`` is written as a character
  reference (``&#91;``, ``&#92;``), which the browser shows as the character and Anki
  never reads as markup; ``{`` likewise (``{{Field}}``). The templates also mark their
  content for MathJax to skip, for clients that typeset every card.
* Control characters (but tab and newline) become U+FFFD: U+001F is Anki's field
  separator, and one in a field would make Anki refuse every note of the package.
* Code: a fenced block (```` ``` ```` or ``~~~``) becomes ``<pre><code>`` with its lines
  and indentation as written; an inline `code` span becomes ``<code>``. Newlines elsewhere
  become ``<br>``.
"""

from __future__ import annotations

import html
import re

# What makes text_to_html change anything: most fields have none of it.
_SPECIAL = re.compile("[&<>\"'\r\n\\[\\\\{`\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKUP = str.maketrans({"[": "&#91;", "\\": "&#92;", "{": "&#123;"})
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*")
# A code span: a run of backticks, then text up to a run of the same length.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def clean(text: str) -> str:
    """Line endings as ``\\n`` and control characters (but tab and newline) as U+FFFD."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("\ufffd", text)


def escape(text: str) -> str:
    """Text as HTML that shows it as typed: HTML escaped and Anki's markup neutralised."""
    return html.escape(text, quote=True).translate(_MARKUP)


def _inline_html(text: str) -> str:
    """A paragraph: escaped, `code` spans as ``<code>``, newlines as ``<br>``."""
    parts = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        parts.append(escape(text[last : span.start()]))
        code = span.group(2)
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]  # "`` `x` ``" is the code "`x`", as in Markdown
        parts.append(f"<code>{escape(code)}</code>")
        last = span.end()
    parts.append(escape(text[last:]))
    return "".join(parts).replace("\n", "<br>")


def _code_block(lines: list[str], language: str) -> str:
    cls = f' class="language-{escape(language)}"' if language else ""
    return f"<pre><code{cls}>{escape(chr(10).join(lines))}</code></pre>"


def text_to_html(text: str) -> str:
    """Plain text as the HTML of an Anki field (see the module's docstring)."""
    if _SPECIAL.search(text) is None:  # the usual case: nothing to change
        return text
    text = clean(text)
    if "```" not in text and "~~~" not in text:
        return _inline_html(text)
    out: list[str] = []
    prose: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        fence = _FENCE.fullmatch(lines[i])
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        if prose:
            out.append(_prose_html(prose))
            prose = []
        marker = fence.group(1)
        end = i + 1
        while end < len(lines) and not _closes(lines[end], marker):
            end += 1
        out.append(_code_block(lines[i + 1 : end], fence.group(2)))
        i = end + 1
    if prose:
        out.append(_prose_html(prose))
    return "".join(out)


def _prose_html(lines: list[str]) -> str:
    # A code block is a block of its own, with margins: blank lines beside it would only
    # add line breaks.
    return _inline_html("\n".join(lines).strip("\n"))


def _closes(line: str, marker: str) -> bool:
    """Whether ``line`` closes a fence opened with ``marker`` (same character, as long)."""
    stripped = line.strip()
    return len(stripped) >= len(marker) and stripped == marker[0] * len(stripped)


def attribute(text: str) -> str:
    """Text as the value of an HTML attribute (quoted), shown as typed where CSS shows it."""
    return escape(clean(text).replace("\n", " "))


# A cloze gap's marks, as Anki's cloze parser reads them: the opening, the hint separator
# and the closing.
_CLOZE_TOKEN = re.compile(r"\{\{c[\d,]+::|::|\}\}")


def cloze_html(text: str) -> str:
    """A cloze note's text as its field's HTML: like text_to_html, but the gaps' own marks
    (``{{c1::``, ``::`` of a hint, ``}}``) stay as they are, for Anki to make the cards."""
    out: list[str] = []
    depth = last = 0
    for token in _CLOZE_TOKEN.finditer(text):
        mark = token.group(0)
        opening = mark.startswith("{{c")
        if not opening and depth == 0:
            continue  # a "::" or "}}" outside a gap is text
        out.append(text_to_html(text[last : token.start()]))
        out.append(mark)
        depth += 1 if opening else -1 if mark == "}}" else 0
        last = token.end()
    out.append(text_to_html(text[last:]))
    return "".join(out)
