"""Case Markdown to safe HTML: Python-Markdown, then the nh3 sanitiser with a strict allowlist.

Whatever a case holds, what comes out has no script, event handler, style,
form, frame, object, embed, base or meta element and no ``javascript:`` or
``data:`` URL. Relative links to a case's own assets are rewritten for its page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

import markdown
import nh3

from .model import ADDING_VALUE_PARTS, SECTIONS, Case

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"style"},
    "th": {"style", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_HEADING = re.compile(r"(</?h)([1-6])\b")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _shift_headings(html_text: str, top: int) -> str:
    """Make the highest heading level ``top`` so a case's own headings sit under the page's."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html_text)]
    if not levels:
        return html_text
    shift = max(0, top - min(levels))
    return _HEADING.sub(lambda m: f"{m.group(1)}{min(6, int(m.group(2)) + shift)}", html_text)


class MarkdownRenderer:
    """Renders contributor Markdown to sanitised HTML; one instance is reused for speed."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html")

    def render(self, text: str, *, slug: str, top_heading: int = 3) -> str:
        """Sanitised HTML for ``text``; links to ``<slug>/file`` become ``file`` (the page is /cases/<slug>/)."""
        self._md.reset()
        raw = self._md.convert(text or "")
        return sanitise(_shift_headings(raw, top_heading), slug=slug)


def sanitise(html_text: str, *, slug: str | None = None) -> str:
    """Clean ``html_text`` with the allowlist; rewrite a case's relative asset links for its page."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and slug and not _SCHEME.match(value) and not value.startswith(("/", "#")):
            prefix = f"{slug}/"
            return value[len(prefix):] if value.startswith(prefix) else value
        return value

    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=attribute_filter,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def escape(text: object) -> str:
    """Escape plain text for HTML (quotes too, so it is safe in attributes)."""
    return html.escape(str(text), quote=True)


def format_date(value: dt.date | None) -> str:
    """``15 March 2021``, as GOV.UK writes dates."""
    return f"{value.day} {value:%B %Y}" if value else ""


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class RenderedSection:
    """A structured section as HTML, with the heading and anchor the page gives it."""

    key: str
    heading: str
    html: str
    parts: tuple[tuple[str, str, str], ...] = ()  # (key, heading, html) for "Adding value"

    @property
    def anchor(self) -> str:
        return self.key.replace("_", "-")


def render_sections(case: Case, renderer: MarkdownRenderer) -> list[RenderedSection]:
    """The case's structured sections in the contract's order, rendered safely."""
    out = []
    for key, heading in SECTIONS:
        value = case.sections.get(key)
        if value is None:
            continue
        if key == "adding_value":
            parts = tuple(
                (part, label, renderer.render(value[part], slug=case.slug, top_heading=4))
                for part, label in ADDING_VALUE_PARTS
                if value.get(part)
            )
            out.append(RenderedSection(key, heading, "", parts))
        else:
            out.append(RenderedSection(key, heading, renderer.render(value, slug=case.slug)))
    return out


def _figure(measure) -> str:
    value = escape(format_number(measure.value))
    unit = f" {escape(measure.unit)}" if measure.unit else ""
    details = []
    if measure.baseline is not None:
        details.append(f"from a baseline of {escape(format_number(measure.baseline))}{unit}")
    if measure.period:
        details.append(escape(measure.period))
    detail = f'<span class="atlas-figure__detail">{"; ".join(details)}</span>' if details else ""
    return (
        '<div class="atlas-figure">'
        f'<dt class="atlas-figure__label">{escape(measure.label)}</dt>'
        f'<dd class="atlas-figure__value"><span class="atlas-figure__number">{value}{unit}</span>{detail}</dd>'
        "</div>"
    )


def render_case_article(case: Case, renderer: MarkdownRenderer) -> tuple[str, list[dict]]:
    """The body of a case page, safe to put in it, and its table-of-contents tokens.

    The structured sections come in the contract's order, with the impact
    figures after "Adding value", then "Find out more" and the free body.
    """
    parts: list[str] = []
    toc: list[dict] = []

    def heading(anchor: str, text: str) -> None:
        parts.append(f'<h2 id="{anchor}">{escape(text)}</h2>')
        toc.append({"level": 2, "id": anchor, "name": escape(text), "children": []})

    for section in render_sections(case, renderer):
        heading(section.anchor, section.heading)
        if section.key == "leading_change":
            byline = escape(case.lead_role) + (f" ({escape(case.lead_name)})" if case.lead_name else "")
            parts.append(f'<p class="atlas-byline">Led by: {byline}</p>')
        if section.parts:
            for key, label, body in section.parts:
                parts.append(f'<section class="atlas-value atlas-value--{key.replace("_", "-")}">'
                             f"<h3>{escape(label)}</h3>{body}</section>")
        else:
            parts.append(section.html)
        if section.key == "adding_value" and case.measures:
            parts.append('<div class="atlas-impact" aria-label="Impact figures">')
            for _, group_heading, measures in case.measures_by_dimension():
                parts.append(f"<h3>Impact: {escape(group_heading.lower())}</h3><dl class=\"atlas-figures\">")
                parts.extend(_figure(m) for m in measures)
                parts.append("</dl>")
            parts.append("</div>")
    heading("find-out-more", "Find out more")
    contact = case.contact
    who = ", ".join(escape(contact[k]) for k in ("name", "role", "organisation") if contact.get(k))
    email = escape(contact["email"])
    parts.append(f'<p class="atlas-contact">Contact: {who}, <a href="mailto:{email}">{email}</a></p>')
    if case.links:
        parts.append("<ul class=\"atlas-links\">")
        for link in case.links:
            url = sanitise(f'<a href="{escape(link.url)}">{escape(link.title)}</a>')
            parts.append(f"<li>{url}</li>")
        parts.append("</ul>")
    if case.body.strip():
        body = renderer.render(case.body, slug=case.slug, top_heading=2)
        parts.append(f'<div class="atlas-body">{body}</div>')
    return "\n".join(parts), toc
