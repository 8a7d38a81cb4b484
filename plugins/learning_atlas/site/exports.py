"""Open data and feeds from an :class:`~learning_atlas.model.Atlas`: JSON, CSV and Atom (Explore's data is ``explore``'s)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from dataclasses import dataclass
from typing import Callable, Iterable
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from learning_atlas.contract.case import Case, Measure
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS
from learning_atlas.site.lineage import Lineage
from learning_atlas.site.model import Atlas, Listing

EXPORT_FIELDS = (
    "slug", "url", "title", "summary", "organisations", "region", "settings", "themes", "commitments",
    "published", "updated", "review_by", "status", "lead_role", "lead_name", "contact_name", "contact_role",
    "contact_organisation", "contact_email", "links", "measures", "signal", "builds_on", "built_on_by",
    "taken_up_by",
)


def measure_record(measure: Measure, *, series: bool = True) -> dict:
    """A measure's fields; with a series, its points (unless ``series`` is false), dates in ISO form, and
    what they show (``signal``)."""
    record = {
        k: v for k, v in vars(measure).items()
        if v is not None and k not in ("series", "change_date", "analysis")
    }
    analysis = measure.analysis
    if analysis is None:
        return record
    if series:
        record["series"] = [{"date": p.date.isoformat(), "value": p.value} for p in measure.series]
    record["change_date"] = measure.change_date.isoformat() if measure.change_date else None
    record["signal"] = {"chart": analysis.chart, "reading": analysis.verdict, "sentence": analysis.sentence}
    return record


def case_record(case: Case, url: str, lineage: Lineage | None = None, *, series: bool = True) -> dict:
    """Every structured field of a case, dates in ISO form (the prose sections are on the page); its
    measures' series unless ``series`` is false.

    With the build's ``lineage``: the cases it builds on (resolved to their current slugs), the
    cases that build on it, and the organisations that have taken its change up."""
    lineage = lineage or Lineage()
    return {
        "slug": case.slug,
        "url": url,
        "title": case.title,
        "summary": case.summary,
        "organisations": list(case.organisations),
        "region": case.region,
        "settings": list(case.settings),
        "themes": list(case.themes),
        "commitments": list(case.commitments),
        "published": case.published.isoformat(),
        "updated": case.updated.isoformat() if case.updated else None,
        "review_by": case.review_by.isoformat() if case.review_by else None,
        "status": case.status,
        "lead_role": case.lead_role,
        "lead_name": case.lead_name,
        "contact_name": case.contact.get("name"),
        "contact_role": case.contact.get("role"),
        "contact_organisation": case.contact.get("organisation"),
        "contact_email": case.contact.get("email"),
        "links": [{"title": link.title, "url": link.url} for link in case.links],
        "measures": [measure_record(m, series=series) for m in case.measures],
        "signal": case.signal,
        "builds_on": [
            {"case": link.case.slug, "how": link.how, **({"note": link.note} if link.note else {})}
            for link in lineage.builds_on.get(case.slug, ())
        ],
        "built_on_by": [link.case.slug for link in lineage.built_on_by.get(case.slug, ())],
        "taken_up_by": list(lineage.taken_up_by.get(case.slug, ())),
    }


def json_line(case: Case, site_url: str, lineage: Lineage | None = None) -> str:
    """A case's line of ``cases.json``."""
    return json.dumps(case_record(case, f"{site_url}cases/{case.slug}/", lineage), ensure_ascii=False)


def cases_json(atlas: Atlas, site_url: str, line: Callable[[Case], str] | None = None) -> str:
    """``cases.json``: one record per case, newest first, a line each (``line(case)`` if given, as
    :func:`json_line` makes it: a server keeping them between builds passes its own).

    (Indented output would go through the json module's pure-Python encoder, five
    times slower; a line per case is as easy to read and to diff.)
    """
    line = line or (lambda case: json_line(case, site_url, atlas.lineage))
    lines = ",\n".join(line(c) for c in atlas.cases)
    head = json.dumps({"generated": dt.date.today().isoformat(), "count": len(atlas.cases)})
    return f'{head[:-1]}, "cases": [\n{lines}\n]}}\n'


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's CSV-injection list: ``=``,
``+``, ``-``, ``@``, tab, carriage return; with line feed, and the full-width forms some spreadsheets fold)."""


def spreadsheet_text(text: str) -> str:
    """``text`` as a cell no spreadsheet runs: one that would start a formula gets a leading ``'``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: object) -> str:
    """A record's value as one CSV cell: lists joined with '; ' (records as JSON), then made inert."""
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = "; ".join(str(v) for v in value)
    else:
        text = str(value)
    return spreadsheet_text(text)


def csv_row(case: Case, site_url: str, lineage: Lineage | None = None) -> list[str]:
    """A case's row of ``cases.csv``: a measure's series is left out (a row a case stays readable): its
    ``signal`` summarises it, and ``cases.json`` has its points."""
    record = case_record(case, f"{site_url}cases/{case.slug}/", lineage, series=False)
    return [_csv_cell(record[f]) for f in EXPORT_FIELDS]


def cases_csv(atlas: Atlas, site_url: str, row: Callable[[Case], list[str]] | None = None) -> str:
    """``cases.csv``: the same records, lists joined with '; ', measures and links as JSON
    (each case's ``row(case)`` if given, as :func:`csv_row` makes it)."""
    row = row or (lambda case: csv_row(case, site_url, atlas.lineage))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    for case in atlas.cases:
        writer.writerow(row(case))
    return out.getvalue()


def _atom_date(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def xml_text(value: object) -> str:
    """``value`` as XML character data: escaped, and without any character XML 1.0 forbids or discourages.

    ``atlas check`` refuses those characters in a case; this keeps a feed parseable whatever reaches it.
    """
    return xml_escape(FORBIDDEN_CHARACTERS.sub("", str(value)))


def xml_attribute(value: object) -> str:
    """``value`` as a quoted XML attribute value, likewise cleaned."""
    return quoteattr(FORBIDDEN_CHARACTERS.sub("", str(value)))


@dataclass(frozen=True)
class FeedIds:
    """How feeds and their entries are identified: ``tag:`` URIs (RFC 4151) when a tagging entity is set.

    A ``tag:`` URI names a feed or a case by the atlas's publisher, not by the site's address, so
    moving the site does not make every reader's feed program announce every case again. Without
    a tagging entity, the addresses themselves are the ids.
    """

    tagging_entity: str | None = None
    """``authority,date``: a domain name (or email address) the publisher held, and a date it held it."""

    def feed(self, feed_url: str, path: str) -> str:
        return f"tag:{self.tagging_entity}:{path}" if self.tagging_entity else feed_url

    def entry(self, case: Case, url: str) -> str:
        """The case's id: its slug and first publication date, so a new case at an old slug is new."""
        if self.tagging_entity:
            return f"tag:{self.tagging_entity}:cases/{case.slug}/{case.published.isoformat()}"
        return url


def atom_feed(
    title: str, feed_url: str, page_url: str, cases: Iterable[Case], site_url: str, size: int,
    *, ids: FeedIds = FeedIds(), path: str = "feed.xml", lineage: Lineage | None = None,
) -> str:
    """An Atom feed of the newest ``size`` cases (archived ones left out), at ``path`` in the site.

    With the build's ``lineage``, an entry links (``rel="related"``) to each case it builds on and
    each case built on it, titled "Builds on: …" or "Built on by: …"."""
    lineage = lineage or Lineage()
    chosen = sorted((c for c in cases if not c.is_archived), key=lambda c: (c.latest, c.slug), reverse=True)[:size]
    updated = _atom_date(max((c.latest for c in chosen), default=dt.date(2000, 1, 1)))
    entries = []
    for case in chosen:
        url = f"{site_url}cases/{case.slug}/"
        categories = "".join(f"<category term={xml_attribute(t)}/>" for t in case.themes)
        authors = "".join(f"<author><name>{xml_text(o)}</name></author>" for o in case.organisations)
        related = "".join(
            f'<link rel="related" type="text/html" href={xml_attribute(f"{site_url}cases/{link.case.slug}/")} '
            f"title={xml_attribute(f'{words}: {link.case.title}')}/>"
            for words, links in (("Builds on", lineage.builds_on), ("Built on by", lineage.built_on_by))
            for link in links.get(case.slug, ())
        )
        entries.append(
            "<entry>"
            f"<title>{xml_text(case.title)}</title>"
            f"<link rel=\"alternate\" type=\"text/html\" href={xml_attribute(url)}/>{related}"
            f"<id>{xml_text(ids.entry(case, url))}</id>"
            f"<published>{_atom_date(case.published)}</published>"
            f"<updated>{_atom_date(case.latest)}</updated>"
            f"{authors}{categories}"
            f"<summary>{xml_text(case.summary)}</summary>"
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{xml_text(title)}</title>"
        f"<link rel=\"self\" type=\"application/atom+xml\" href={xml_attribute(feed_url)}/>"
        f"<link rel=\"alternate\" type=\"text/html\" href={xml_attribute(page_url)}/>"
        f"<id>{xml_text(ids.feed(feed_url, path))}</id>"
        f"<updated>{updated}</updated>"
        + "".join(entries)
        + "</feed>\n"
    )


def robots_txt(site_url: str) -> str:
    """``robots.txt``: every page may be crawled; the sitemap lists them (drafts are never published)."""
    sitemap = f"Sitemap: {site_url}sitemap.xml\n" if site_url else ""
    return f"User-agent: *\nAllow: /\n{sitemap}"


FEED_KINDS = ("themes", "settings", "regions")
"""The vocabularies whose terms each get a feed (and the site one for all cases)."""


def feed_path(listing: Listing | None) -> str:
    """Where a feed is written: ``feed.xml`` for the atlas, ``themes/<slug>/feed.xml`` for a term."""
    return "feed.xml" if listing is None else f"{listing.kind}/{listing.key}/feed.xml"


def redirect_pages(atlas: Atlas, site_url: str = "") -> dict[str, str]:
    """A page at each old address in a case's ``redirect_from`` that sends readers to the case.

    Keyed by the page's path in the site (``cases/<old-slug>/index.html``). The page
    redirects at once (meta refresh, and script that keeps any ``#section`` of the old
    link), names the new address for search engines (canonical, noindex), and shows a
    link for anyone whose browser does neither.
    """
    pages: dict[str, str] = {}
    for case in atlas.cases:
        target = f"../{case.slug}/"
        title = html.escape(case.title, quote=True)
        canonical = (
            f'<link rel="canonical" href="{html.escape(site_url, quote=True)}cases/{case.slug}/">' if site_url else ""
        )
        for old in case.redirect_from:
            pages[f"cases/{old}/index.html"] = (
                '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>Moved: {title}</title>\n{canonical}\n"
                '<meta name="robots" content="noindex">\n'
                f'<meta http-equiv="refresh" content="0; url={target}">\n'
                f"<script>location.replace({json.dumps(target)} + location.hash)</script>\n"
                "</head>\n<body>\n"
                f'<p>This case study has moved to <a href="{target}">{title}</a>.</p>\n'
                "</body>\n</html>\n"
            )
    return pages
