"""Case Markdown to safe HTML: GitHub Flavored Markdown (cmark-gfm), then nh3 with a strict allowlist.

Cases are written and reviewed on GitHub, so they are rendered by GitHub's own
Markdown engine (``cmarkgfm``, kept by PyPA): the page shows what the
contributor saw in GitHub's preview, and it renders a case about ten times
faster than Python-Markdown.

Whatever a case holds, what comes out has no script, event handler, style,
form, frame, object, embed, base or meta element and no ``javascript:`` or
``data:`` URL. Relative links to a case's own assets are rewritten for its page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import nh3
from markupsafe import Markup

from learning_atlas.contract.case import ADDING_VALUE_PARTS, DIMENSIONS, SECTIONS, Case
from learning_atlas.contract.domain_checks import URL_SCHEME
from learning_atlas.contract.reader_text import markdown_to_html
from learning_atlas.site.charts import chart_figure

if TYPE_CHECKING:
    from learning_atlas.site.model import Atlas

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

HEADING_TAG = re.compile(r"(</?h)([1-6])\b")


def _shift_headings(html_text: str, top: int) -> str:
    """Make the highest heading level ``top`` so a case's own headings sit under the page's."""
    levels = [int(m.group(2)) for m in HEADING_TAG.finditer(html_text)]
    if not levels:
        return html_text
    shift = max(0, top - min(levels))
    return HEADING_TAG.sub(lambda m: f"{m.group(1)}{min(6, int(m.group(2)) + shift)}", html_text)


_CELL_ALIGN = re.compile(r'<(t[hd]) align="(left|right|center)">')


class MarkdownRenderer:
    """Renders contributor Markdown (GitHub Flavored) to sanitised HTML."""

    def render(self, text: str, *, slug: str, top_heading: int = 3) -> str:
        """Sanitised HTML for ``text``; links to ``<slug>/file`` become ``file`` (the page is /cases/<slug>/)."""
        raw = markdown_to_html(text)
        raw = _CELL_ALIGN.sub(r'<\1 style="text-align:\2">', raw)
        return sanitise(_shift_headings(raw, top_heading), slug=slug)


def sanitise(html_text: str, *, slug: str | None = None) -> str:
    """Clean ``html_text`` with the allowlist; rewrite a case's relative asset links for its page."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and slug and not URL_SCHEME.match(value) and not value.startswith(("/", "#")):
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
    pieces: list[tuple[str, int]] = []
    layout: list[tuple[str, str, list[tuple[str, str]]]] = []
    for key, heading in SECTIONS:
        value = case.sections.get(key)
        if value is None:
            continue
        if key == "adding_value":
            parts = [(part, label) for part, label in ADDING_VALUE_PARTS if value.get(part)]
            pieces.extend((value[part], 4) for part, _ in parts)
            layout.append((key, heading, parts))
        else:
            pieces.append((value, 3))
            layout.append((key, heading, []))
    rendered = iter([renderer.render(text, slug=case.slug, top_heading=top) for text, top in pieces])
    out = []
    for key, heading, parts in layout:
        if parts:
            out.append(RenderedSection(key, heading, "", tuple((p, label, next(rendered)) for p, label in parts)))
        else:
            out.append(RenderedSection(key, heading, next(rendered)))
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


PART_DIMENSIONS = {part: dimension for (part, _), (dimension, _) in zip(ADDING_VALUE_PARTS, DIMENSIONS)}
"""The part of "Adding value" each measure's ``dimension`` belongs to: better_outcomes and outcomes, …"""

RESERVED_ANCHORS = frozenset({
    *(key.replace("_", "-") for key, _ in SECTIONS), "find-out-more", "more-detail", "key-facts",
    "related-case-studies", "content", "main", "maincontent", "main-content", "top", "header", "footer",
    "search", "skip", "toc",
    "learning-spread", "builds-on", "built-on-by", "in-collections",  # atlas/partials/case_spread.html
    "cite-this-case",  # the page's "Cite this case" (atlas/partials/case-cite.html)
})
"""Ids on a case page that a heading of the free body never takes: the page's own, and the usual landmarks'."""

_TAG = re.compile(r"<[^>]*>")
_BODY_H2 = re.compile(r"<h2>(.*?)</h2>", re.DOTALL)


def _adding_value(case: Case, parts: tuple[tuple[str, str, str], ...]) -> list[str]:
    """Each part of "Adding value" with its impact figures beside it (a part may hold only figures)."""
    prose = {key: html_text for key, _, html_text in parts}
    figures = {dimension: measures for dimension, _, measures in case.measures_by_dimension()}
    out = []
    for key, label in ADDING_VALUE_PARTS:
        measures = figures.get(PART_DIMENSIONS[key], [])
        if key not in prose and not measures:
            continue
        modifier = " atlas-value--with-figures" if measures else ""
        out.append(f'<section class="atlas-value atlas-value--{key.replace("_", "-")}{modifier}">'
                   f"<h3>{escape(label)}</h3>")
        if key in prose:
            out.append(f'<div class="atlas-value__text">{prose[key]}</div>')
        if measures:
            out.append(f'<dl class="atlas-figures" aria-label="Impact figures: {escape(label.lower())}">')
            out.extend(_figure(m) for m in measures)
            out.append("</dl>")
            charts = [chart_figure(m, f"atlas-chart-{case.measures.index(m) + 1}") for m in measures if m.series]
            if charts:
                out.append(f'<div class="atlas-value__charts">{"".join(charts)}</div>')
        out.append("</section>")
    return out


def _anchor(text: str, used: set[str]) -> str:
    """An id for a body heading: its words in ASCII, hyphenated, never one the page uses already."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-") or "section"
    if base.startswith(("atlas-", "md-")):  # the templates' and the theme's own ids start so
        base = f"section-{base}"
    anchor, counter = base, 2
    while anchor in used or anchor in RESERVED_ANCHORS:
        anchor, counter = f"{base}-{counter}", counter + 1
    used.add(anchor)
    return anchor


def _free_body(body_html: str, used: set[str]) -> tuple[str, list[dict]]:
    """The sanitised free body with an id on each of its top headings, and their table-of-contents tokens.

    A body that does not start with a heading of its own is given "More detail", so that its text is
    never read as part of the section before it."""
    toc: list[dict] = []
    lead = ""
    if not body_html.lstrip().startswith("<h2>"):
        lead = '<h2 id="more-detail">More detail</h2>'
        toc.append({"level": 2, "id": "more-detail", "name": "More detail", "children": []})

    def add_id(match: re.Match) -> str:
        text = html.unescape(_TAG.sub("", match.group(1))).strip()
        anchor = _anchor(text, used)
        toc.append({"level": 2, "id": anchor, "name": escape(text), "children": []})
        return f'<h2 id="{anchor}">{match.group(1)}</h2>'

    return lead + _BODY_H2.sub(add_id, body_html), toc


def mailto(address: str, subject: str | None = None) -> str:
    """A ``mailto:`` URL for ``address`` (RFC 6068: what an address may not hold as it is, percent-encoded),
    with a subject if one is given. Escape it for HTML where it is printed."""
    url = "mailto:" + urllib.parse.quote(address, safe="@!$'()*+,;:-._~")
    return f"{url}?subject={urllib.parse.quote(subject, safe='')}" if subject else url


def contact_mailto(case: Case) -> str:
    """The "Contact the team" address: the case's contact, with a subject naming the case."""
    return mailto(case.contact["email"], f"Case study: {case.title}")


def _find_out_more(case: Case) -> list[str]:
    contact = case.contact
    email = escape(contact["email"])
    who = "".join(
        f'<span class="atlas-contact__{key}">{escape(contact[key])}</span>'
        for key in ("name", "role", "organisation") if contact.get(key)
    )
    out = [
        '<div class="atlas-contact">',
        f'<p class="atlas-contact__who">{who}</p>',
        f'<p class="atlas-contact__email">Email: <a href="{escape(mailto(contact["email"]))}">{email}</a></p>',
        f'<p class="atlas-contact__action"><a class="atlas-action-link" href="{escape(contact_mailto(case))}">'
        "Contact the team</a></p>",
        "</div>",
    ]
    if case.links:
        out.append('<h3 class="atlas-links__title">Further reading</h3><ul class="atlas-links">')
        for link in case.links:
            url = sanitise(f'<a href="{escape(link.url)}">{escape(link.title)}</a>')
            out.append(f"<li>{url}</li>")
        out.append("</ul>")
    return out


_RENDERER = MarkdownRenderer()


def render_case_article(case: Case, renderer: MarkdownRenderer = _RENDERER) -> tuple[str, list[dict]]:
    """The body of a case page, safe to put in it, and its table-of-contents tokens.

    The order (docs/case-format.md, "What the site promises"): the structured sections in the
    contract's order, each impact figure beside the part of "Adding value" it belongs to; then the
    free body, under its own headings (or "More detail"); then "Find out more".
    """
    parts: list[str] = []
    toc: list[dict] = []
    used: set[str] = set(RESERVED_ANCHORS)

    def heading(anchor: str, text: str) -> None:
        parts.append(f'<h2 id="{anchor}">{escape(text)}</h2>')
        toc.append({"level": 2, "id": anchor, "name": escape(text), "children": []})

    for section in render_sections(case, renderer):
        heading(section.anchor, section.heading)
        if section.key == "adding_value":
            parts.extend(_adding_value(case, section.parts))
        else:
            parts.append(section.html)
    if case.body.strip():
        body, body_toc = _free_body(renderer.render(case.body, slug=case.slug, top_heading=2), used)
        parts.append(f'<div class="atlas-body">{body}</div>')
        toc.extend(body_toc)
    heading("find-out-more", "Find out more")
    parts.extend(_find_out_more(case))
    return "\n".join(parts), toc


_ROOT = "\x00root\x00"


class CardRenderer:
    """Case cards and facet links as HTML, each built once per build and reused on every page.

    A card appears on a dozen pages (listings, related lists, home); building it once, with the
    page's relative root filled in last, keeps listing pages cheap at thousands of cases.
    """

    def __init__(self, atlas: "Atlas") -> None:
        self.atlas = atlas
        self.labels = {
            name: {term.key: term.label for term in vocabulary.terms} for name, vocabulary in atlas.vocabularies.items()
        }
        self._cards: dict[tuple[str, str, bool], str] = {}

    def label(self, kind: str, key: object) -> str:
        return self.labels.get(kind, {}).get(str(key), str(key))

    def _facet_links(self, kind: str, keys: Iterable[object]) -> str:
        return "".join(
            f'<a class="atlas-tag atlas-tag--{kind}" href="{_ROOT}/{kind}/{escape(key)}/">'
            f"{escape(self.label(kind, key))}</a> "
            for key in keys
        )

    def facet_links(self, kind: str, keys: Iterable[object], root: str) -> Markup:
        """Links to the term pages of ``keys``, relative to a page whose root is ``root``."""
        return Markup(self._facet_links(kind, keys).replace(_ROOT, escape(root)))

    def facet_list(self, kind: str, keys: Iterable[object], root: str) -> Markup:
        """Links to the term pages of ``keys`` as a list (a summary list's value), for a page whose root is ``root``."""
        items = "".join(
            f'<li><a href="{escape(root)}/{kind}/{escape(key)}/">{escape(self.label(kind, key))}</a></li>' for key in keys
        )
        return Markup(f'<ul class="atlas-value-list">{items}</ul>')

    @staticmethod
    def _dates(case: Case) -> str:
        published = f'<time datetime="{case.published.isoformat()}">{format_date(case.published)}</time>'
        if case.updated and case.updated != case.published:
            return (f'{published}, updated <time datetime="{case.updated.isoformat()}">'
                    f"{format_date(case.updated)}</time>")
        return published

    def _card(self, case: Case, heading: str, compact: bool) -> str:
        cached = self._cards.get((case.slug, heading, compact))
        if cached is not None:
            return cached
        badges = ""
        if case.is_draft:
            badges += ' <strong class="atlas-badge">Draft</strong>'
        if case.is_archived:
            badges += ' <strong class="atlas-badge">Archived</strong>'
        modifier = (" atlas-card--compact" if compact else "") + (" atlas-card--archived" if case.is_archived else "")
        title = (f'<{heading} class="atlas-card__title"><a href="{_ROOT}/cases/{escape(case.slug)}/">'
                 f"{escape(case.title)}</a></{heading}>{badges}")
        organisations = "; ".join(case.organisations)
        if compact and len(case.organisations) > 2:  # a compact card names the first and counts the others
            organisations = f"{case.organisations[0]} and {len(case.organisations) - 1} other organisations"
        meta = (f'<p class="atlas-card__meta"><span class="atlas-card__organisations">{escape(organisations)}</span> '
                f'<span class="atlas-card__dates">{self._dates(case)}</span></p>')
        if compact:
            cached = f'<li class="atlas-card{modifier}">{title}{meta}</li>'
        else:
            cached = (
                f'<li class="atlas-card{modifier}">{title}'
                f'<p class="atlas-card__summary">{escape(case.summary)}</p>{meta}'
                f'<p class="atlas-card__facets">{self._facet_links("regions", [case.region])}'
                f'{self._facet_links("themes", case.themes)}</p></li>'
            )
        self._cards[(case.slug, heading, compact)] = cached
        return cached

    def cards(self, cases: Iterable[Case], root: str, heading: str = "h3") -> Markup:
        """A list of case cards for a page whose relative root is ``root``."""
        body = "".join(self._card(case, heading, False) for case in cases)
        return Markup(f'<ul class="atlas-cards">{body}</ul>'.replace(_ROOT, escape(root)))

    def compact_cards(self, cases: Iterable[Case], root: str, heading: str = "h3") -> Markup:
        """Compact case cards (title, organisations and dates), as in a case's related list."""
        body = "".join(self._card(case, heading, True) for case in cases)
        return Markup(f'<ul class="atlas-cards atlas-cards--compact">{body}</ul>'.replace(_ROOT, escape(root)))
