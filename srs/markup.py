"""HTML as the terminal shows it, and the media an HTML field names. Pure: text in, text out.

Anki keeps fields as HTML. srs keeps an imported note's HTML as it was (for the export back)
and shows a readable text made by :func:`html_to_text`: tags dropped, line breaks where the
blocks and ``<br>`` are, entities decoded, and media named: ``[image: heart.png]``,
``[sound: hello.mp3]``. Only the standard library's ``html.parser``.

Plain text that srs exported itself (escaped, newlines as ``<br>``) comes back exactly:
``html_to_text(text_to_html(t), media=False) == t``.
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

# Elements that start on a line of their own (and end it).
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_SKIP = frozenset(("script", "style", "head", "title"))
_SPACES = re.compile(r"[ \t]{2,}")
_FORMATTING = re.compile(r"[\n\r\t\xa0]|  ")  # what makes plain text need the parser
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_MEDIA_TAG_SRC = re.compile(
    r"<(?:audio|video|source|object)\b[^>]*?\b(?:src|data)\s*=\s*"
    r"""(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
    re.I,
)
_ANSWER_RULE = re.compile(r"<hr\b[^>]*\bid\s*=\s*[\"']?answer[\"']?[^>]*>", re.I)


class _TextParser(HTMLParser):
    def __init__(self, media: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.media = media
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.code = False  # inside an inline <code> (a code block's is the <pre>'s)
        self.closing_break = -1  # where the line break that closed a block was added
        self.list_items: list[int | None] = []  # per open list: the next number (ol) or None

    def _at_line_start(self) -> bool:
        for part in reversed(self.parts):
            if part:
                return part.endswith("\n")
        return True

    def _newline(self) -> None:
        if not self._at_line_start():
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "code":
            # Code as srs's own Markdown writes it: a fenced block, or `inline code`.
            if self.pre:
                language = (dict(attrs).get("class") or "").removeprefix("language-")
                self.parts.append(f"```{language}\n")
            else:
                self.code = True
                self.parts.append("`")
        elif tag == "img":
            src = dict(attrs).get("src")
            if src and self.media:
                self.parts.append(f"[image: {src}]")
        elif tag in _BLOCKS:
            self._newline()
            if tag == "pre":
                self.pre += 1
            elif tag == "ol":
                self.list_items.append(1)
            elif tag == "ul":
                self.list_items.append(None)
            elif tag == "li":
                number = self.list_items[-1] if self.list_items else None
                if number is None:
                    self.parts.append("- ")
                else:
                    self.parts.append(f"{number}. ")
                    self.list_items[-1] = number + 1
            elif tag == "hr":
                self.parts.append("---\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "code":
            if self.pre:
                self._newline()
                self.parts.append("```")
            elif self.code:
                self.code = False
                self.parts.append("`")
            return
        if tag in _BLOCKS:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in ("ol", "ul") and self.list_items:
                self.list_items.pop()
            before = len(self.parts)
            self._newline()
            if len(self.parts) > before:
                self.closing_break = before

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.pre:
            # A line break in HTML source is only white space; <br> and blocks break lines.
            data = data.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        self.parts.append(data.replace("\xa0", " ") if self.media else data)


def html_to_text(html: str, *, media: bool = True) -> str:
    """Readable text for the terminal; ``media`` names images and sounds."""
    if "<" not in html and "&" not in html:
        if not media:
            return html  # plain already: the usual case for srs's own fields
        if "[sound:" not in html and not _FORMATTING.search(html):
            return html.strip()

    parser = _TextParser(media)
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    if media:
        # As a browser shows it: runs of spaces as one, none at the ends of lines.
        text = _SOUND.sub(lambda m: f"[sound: {m.group(1)}]", text)
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        return text.strip("\n")
    if parser.closing_break == len(parser.parts) - 1:
        text = text[:-1]  # a block last (code) ends its line: the text itself does not
    return text


def media_files(html: str) -> list[str]:
    """The media files a field names (images, sounds, audio/video sources), in order, once."""
    names: list[str] = []
    for pattern in (_IMG_SRC, _MEDIA_TAG_SRC):
        for m in pattern.finditer(html):
            names.append(m.group(1) or m.group(2) or m.group(3) or "")
    names.extend(m.group(1) for m in _SOUND.finditer(html))
    local = (unescape(n).strip() for n in names)
    # Only files next to the collection: no URLs, no paths.
    return list(dict.fromkeys(n for n in local if n and "://" not in n and "/" not in n))


def rename_media(html: str, renames: dict[str, str]) -> str:
    """``html`` with every reference to a file in ``renames`` pointing at its new name."""
    if not renames:
        return html

    def src(m: re.Match[str]) -> str:
        whole = m.group(0)
        for old, new in renames.items():
            for spelling in (old, escape(old, quote=True)):
                if spelling in whole:
                    return whole.replace(spelling, escape(new, quote=True))
        return whole

    html = _IMG_SRC.sub(src, html)
    html = _MEDIA_TAG_SRC.sub(src, html)
    return _SOUND.sub(lambda m: f"[sound:{renames.get(m.group(1), m.group(1))}]", html)


def split_answer(back: str) -> str:
    """The part of a rendered back after ``<hr id=answer>`` (the front usually repeats above it)."""
    parts = _ANSWER_RULE.split(back, maxsplit=1)
    return parts[-1]
