"""Contributor HTML read as a browser reads it, for the checks that report what could run script.

A case may hold raw HTML in its Markdown. Regular expressions misread it where a
browser would not (a ``>`` inside a quoted attribute value ends no tag; ``<!-->``
is a whole comment), so the text is parsed by justhtml, a pure-Python HTML5
parser that follows the WHATWG tree-construction algorithm (it passes the
html5lib test suite), as a fragment inside a ``<div>``, where a case's HTML ends
up. The site itself never relies on this: nh3 sanitises every rendered case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

DANGEROUS_TAGS = frozenset({
    "script", "iframe", "object", "embed", "form", "style", "base", "meta", "link", "frame", "frameset",
    "applet", "noscript", "template",
})
"""Elements a case may not contain: each could run script, load another page, or change this one."""

URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
    "lowsrc", "dynsrc", "ping", "longdesc", "usemap", "codebase", "manifest", "icon",
})
"""Attributes whose value a browser follows or loads as an address."""

_MAY_HOLD_HTML = re.compile(r"<[A-Za-z!?/]")


@dataclass(frozen=True)
class HtmlAttribute:
    """An attribute as the browser sees it (entities decoded), and where its name is in the source."""

    name: str
    value: str
    offset: int


@dataclass(frozen=True)
class HtmlElement:
    """An element a browser would make of the text, with the offset of its ``<`` in the source."""

    tag: str
    offset: int
    attributes: tuple[HtmlAttribute, ...]

    def urls(self) -> Iterator[tuple[int, str]]:
        """``(offset, address)`` for every address in the element's attributes (each of a ``srcset``)."""
        for attribute in self.attributes:
            if attribute.name not in URL_ATTRIBUTES:
                continue
            if attribute.name == "srcset":
                for candidate in attribute.value.split(","):
                    address = candidate.strip().split(" ")[0]
                    if address:
                        yield attribute.offset, address
            else:
                yield attribute.offset, attribute.value


def may_hold_html(text: str) -> bool:
    """False when ``text`` has nothing a browser could read as a tag or comment (most prose)."""
    return _MAY_HOLD_HTML.search(text) is not None


def html_elements(text: str) -> list[HtmlElement]:
    """Every element a browser would build from ``text``, in document order.

    An element the parser makes without a tag of its own (an implied ``<tbody>``)
    takes the offset of the element before it. A tag left open at the end of the
    text is read as if a ``>`` followed, as it would be where the page goes on.
    """
    if not may_hold_html(text):
        return []
    from justhtml import JustHTML  # imported when first needed: most cases hold no HTML, and it takes 40 ms

    document = JustHTML(text + ">", fragment=True, sanitize=False, track_node_locations=True)
    lowered = text.lower()
    elements: list[HtmlElement] = []
    last_offset = 0
    stack = list(reversed(document.root.children or []))
    while stack:  # iterative: a case can nest thousands of elements
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(reversed(children))
        attrs = getattr(node, "attrs", None)
        if attrs is None:
            continue  # text, comments
        offset = node.origin_offset if node.origin_offset is not None else last_offset
        last_offset = offset
        attributes = tuple(
            HtmlAttribute(name, value or "", _name_offset(lowered, name, offset)) for name, value in attrs.items()
        )
        elements.append(HtmlElement(node.name.lower(), offset, attributes))
    return elements


def _name_offset(lowered: str, name: str, tag_offset: int) -> int:
    """Where an attribute's name stands after its tag's ``<`` (the tag's own offset if not found)."""
    found = lowered.find(name.lower(), tag_offset)
    return found if found != -1 else tag_offset
