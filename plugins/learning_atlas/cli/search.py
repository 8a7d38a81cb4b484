"""``atlas index`` (build or update the editors' search index) and ``atlas search`` (query it).

The search core is imported only when one of them runs, so that ``atlas check`` starts without
Whoosh. The flags (``--since``, ``--sort``...) are the command line's: the core names fields.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from learning_atlas.cli.options import atlas_folders, cases_option, fail, load_schema, schemas_option
from learning_atlas.contract.problems import one_line

if TYPE_CHECKING:
    from learning_atlas.search.searcher import SearchResults

_SORTS = ("relevance", "newest")
"""The orders ``--sort`` offers: the search core's ``SORTS`` (a test holds them equal)."""

_INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(dir_okay=True, file_okay=False, path_type=Path),
    default=None,
    help="The search index's cache folder (default: .atlas/index beside the cases folder).",
)


@click.command(name="index")
@cases_option
@_INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Build the index afresh instead of updating it.")
@schemas_option
def index_command(cases_dir: Path | None, index_dir: Path | None, rebuild: bool, schema_dir: Path | None) -> None:
    """Build or update the search index of the case studies.

    Only cases whose content changed are indexed again; deleted cases are
    removed; invalid cases are skipped with a note each (run 'atlas check' for
    every problem). A damaged or locked index is rebuilt with a warning.
    Prints what changed, e.g. '3 added, 1 updated, 0 removed, 996 unchanged in
    0.4 s'. Exit status: 0 done, 1 the index could not be written, 2 usage error.
    """
    from learning_atlas.search.errors import IndexUsageError, SearchIndexError
    from learning_atlas.search.store import default_index_dir
    from learning_atlas.search.updating import SKIPPED, update_index

    folders = atlas_folders(cases_dir, schema_dir)
    case_schema = load_schema(folders.schemas)  # a missing or broken schemas folder is a usage error here too
    index = index_dir or default_index_dir(folders.cases)
    try:
        report = update_index(folders.cases, index, case_schema, rebuild=rebuild)
    except IndexUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except SearchIndexError as exc:
        fail(str(exc), 1)
    for problem in report.skipped:
        click.echo(problem.gnu(SKIPPED), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.rebuilt and not report.warnings:
        click.echo(f"built the index afresh: {report.rebuilt}", err=True)
    click.echo(report.summary())


def _date_option(name: str, help_text: str):
    """A date option, read by the search command so that a bad date is its one-line error (exit 2)."""
    return click.option(name, metavar="DATE", default=None, help=help_text)


_SEARCH_OPTIONS = {
    "themes": "--theme", "settings": "--setting", "regions": "--region", "organisations": "--organisation",
    "commitments": "--commitment", "since": "--since", "until": "--until", "sort": "--sort", "limit": "--limit",
}
"""The option that sets each field of a search request, to name it in an error."""


def _date_bound(flag: str, text: str | None, *, end: bool = False) -> dt.date | None:
    """A ``--since``/``--until`` value as a date (None when not given); a bad one is a ``QueryError`` naming the flag."""
    from learning_atlas.search.errors import QueryError
    from learning_atlas.search.query import parse_date_bound

    if text is None:
        return None
    try:
        return parse_date_bound(text, end=end)
    except QueryError as exc:
        raise QueryError(f"{flag}: {exc}") from None


def _facet_option(name: str, metavar: str, help_text: str):
    return click.option(name, metavar=metavar, multiple=True, help=help_text)


@click.command()
@click.argument("query", nargs=-1, required=True)
@_facet_option("--theme", "TERM", "Only cases filed under this theme, by slug or label (repeat to require several).")
@_facet_option("--setting", "TERM", "Only cases in this care setting, by slug or label (repeatable).")
@_facet_option("--region", "TERM", "Only cases from this region, by slug or label (repeatable).")
@_facet_option("--organisation", "NAME", "Only cases by this organisation, its full name in any case (repeatable).")
@_facet_option("--commitment", "N", "Only cases under this commitment number (repeatable).")
@_date_option("--since", help_text="Only cases published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@_date_option("--until", help_text="Only cases published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(_SORTS), default="relevance", show_default=True, help="Order of the hits.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Show at most N hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (hits, facets, suggestion).")
@cases_option
@_INDEX_OPTION
@schemas_option
def search(
    query: tuple[str, ...],
    theme: tuple[str, ...],
    setting: tuple[str, ...],
    region: tuple[str, ...],
    organisation: tuple[str, ...],
    commitment: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    limit: int,
    as_json: bool,
    cases_dir: Path | None,
    index_dir: Path | None,
    schema_dir: Path | None,
) -> None:
    """Search the case studies.

    QUERY is in Whoosh's query language: words (all must match), "a phrase",
    OR, NOT, brackets, prefix* and fields: theme:, setting:, region:,
    commitment:, organisation:, lead:, title:, summary:, body:, status:, year:
    and published: (e.g. theme:patient-safety region:london "learning lessons",
    published:[2019 TO 2021]). A facet takes its slug or its label in quotes
    (theme:"Patient safety"); a date is YYYY, YYYY-MM or YYYY-MM-DD and
    stands for the whole period. The index is brought up to date first. Shows
    the best hits with their matches marked [[like this]], and how many hits
    each theme, setting and region has. Exit status: 0 found, 1 nothing found
    (with a did-you-mean when there is one), 2 usage error or malformed query.
    """
    from learning_atlas.search.errors import QueryError, SearchIndexError
    from learning_atlas.search.query import SearchRequest, resolve_filters
    from learning_atlas.search.searcher import search_cases
    from learning_atlas.search.store import default_index_dir

    folders = atlas_folders(cases_dir, schema_dir)
    try:
        request = SearchRequest(
            query=" ".join(query), themes=theme, settings=setting, regions=region, organisations=organisation,
            commitments=commitment, since=_date_bound("--since", since), until=_date_bound("--until", until, end=True),
            sort=sort, limit=limit,
        )
        case_schema = load_schema(folders.schemas)
        request = resolve_filters(request, case_schema.vocabularies, names=_SEARCH_OPTIONS)
        index = index_dir or default_index_dir(folders.cases)
        results, _, warnings = search_cases(folders.cases, index, case_schema, request)
    except (QueryError, SearchIndexError) as exc:  # a malformed query, or an index that cannot be used
        fail(str(exc), 2)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(_format_results(results))
    sys.exit(0 if results.total else 1)


def _format_results(results: SearchResults) -> str:
    """The results for a terminal: a count, each hit with its snippet, the facet counts, or a did-you-mean."""
    query = results.request.query
    if not results.total:
        lines = [f"No case matches {query!r}."]
        if results.suggestion:
            lines.append(f"Did you mean: {results.suggestion}")
        return "\n".join(lines)
    order = "newest first" if results.request.sort == "newest" else "best first"
    shown = len(results.hits)
    count = f"{results.total} cases match {query!r}" if results.total != 1 else f"1 case matches {query!r}"
    lines = [f"{count}; showing {shown}, {order}." if shown < results.total else f"{count}, {order}.", ""]
    for number, hit in enumerate(results.hits, 1):
        details = [hit.published.isoformat() if hit.published else "", hit.slug]
        if hit.status and hit.status != "published":
            details.append(hit.status)
        if hit.score is not None:
            details.append(f"score {hit.score:.2f}")
        lines.append(f"{number:>2}. {one_line(hit.title)}")
        lines.append(f"    {' · '.join(d for d in details if d)}")
        if hit.snippet is not None:
            lines.extend(textwrap.wrap(hit.snippet.marked(), width=96, initial_indent="    ", subsequent_indent="    "))
        lines.append("")
    for name, counts in results.facets.items():
        if counts:
            label = {"theme": "Themes", "setting": "Settings", "region": "Regions"}.get(name, name)
            lines.append(f"{label}: " + ", ".join(f"{value} {count}" for value, count in counts.items()))
    return "\n".join(lines).rstrip()
