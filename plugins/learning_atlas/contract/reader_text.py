"""Text as a reader sees it, for the privacy checks: Markdown rendered, tags gone, entities decoded, Unicode folded.

A number or address can be hidden from a check that reads the raw file and
still be plain to every reader: ``**943** 476 5919``, ``943&#32;476&#32;5919``,
full-width digits, a no-break or thin space, a line break inside a paragraph.
:func:`reader_text` renders Markdown as the site does (cmark-gfm), keeps only
the text (block ends become blank lines, so two paragraphs never run together),
decodes entities and applies Unicode NFKC normalisation (full-width digits and
the many spaces become plain ones); dashes become ``-``.
:func:`source_offset` finds where in the source a finding came from.
"""

from __future__ import annotations

import html
import re
import unicodedata

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter"]
"""The GitHub Flavored Markdown extensions cases are rendered with, as on GitHub."""

GFM_OPTIONS = Options.CMARK_OPT_UNSAFE
"""Raw HTML passes through cmark-gfm: the site's one sanitiser (nh3) keeps its harmless part."""

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
"""Elements whose ends a reader sees as a break: between them two numbers never run together."""
_KEPT_TAG = re.compile(r"<(/?)([a-z0-9]+)>")
DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_TAG = re.compile(r"<[^<>]*>")


def markdown_to_html(text: str) -> str:
    """Case Markdown as cmark-gfm renders it (raw HTML included: sanitise before publishing)."""
    return cmarkgfm.markdown_to_html_with_extensions(text or "", options=GFM_OPTIONS, extensions=GFM_EXTENSIONS)


def fold(text: str) -> str:
    """Unicode NFKC, with every dash made ``-``: the characters a reader would take for the plain ones."""
    if not text.isascii():
        text = DASHES.sub("-", unicodedata.normalize("NFKC", text))
    return text


def reader_text(text: str, *, markdown: bool) -> str:
    """What a reader sees of ``text`` on the page (Markdown rendered when ``markdown``), folded by :func:`fold`."""
    if markdown:
        cleaned = nh3.clean(markdown_to_html(text), tags=BLOCK_TAGS, attributes={}, link_rel=None)
        text = html.unescape(_KEPT_TAG.sub(lambda m: "\n" if m.group(2) == "br" else "\n\n", cleaned))
    return fold(text)


def source_offset(text: str, signature: str) -> int:
    """Where the letters and digits ``signature`` start in ``text`` read as a reader would, or 0.

    ``text`` is walked with tags skipped, entities decoded and characters folded, keeping only
    letters and digits; the first place ``signature`` runs unbroken gives the offset.
    """
    stream: list[str] = []
    offsets: list[int] = []
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char == "<":
            tag = _TAG.match(text, position)
            if tag:
                position = tag.end()
                continue
        if char == "&":
            entity = _ENTITY.match(text, position)
            if entity:
                for decoded in fold(html.unescape(entity.group())):
                    if decoded.isalnum():
                        stream.append(decoded.lower())
                        offsets.append(position)
                position = entity.end()
                continue
        for folded in fold(char):
            if folded.isalnum():
                stream.append(folded.lower())
                offsets.append(position)
        position += 1
    found = "".join(stream).find(signature.lower())
    return offsets[found] if found != -1 else 0
