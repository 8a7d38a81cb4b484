"""The ``atlas`` command line: each command's docstring is its ``--help`` text."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__
from .checker import check_paths, find_schema_dir
from .reporters import FORMATS, REPORTERS
from .schema import SchemaLoadError, load_case_schema

if TYPE_CHECKING:
    from .search_index import SearchResults

# The search commands import Whoosh only when they run, so 'atlas check' starts without it.
_SORTS = ("relevance", "newest")

_SCHEMAS_OPTION = click.option(
    "--schemas",
    "schema_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The folder with case.schema.yaml and vocabularies/ (default: the atlas's own schemas/).",
)


@click.group(name="atlas", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="atlas")
def cli() -> None:
    """Shared Learning Atlas: check, index and publish improvement case studies."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: one 'FILE:LINE:COL: error: KEY: message' line per problem; "
    "github: GitHub Actions annotations; json: a JSON array.",
)
@_SCHEMAS_OPTION
def check(paths: tuple[Path, ...], output_format: str, schema_dir: Path | None) -> None:
    """Check case studies against the case contract.

    Checks every case file under PATHS (default: cases/) and the vocabularies,
    and prints one line per problem with the line of the key at fault. Exit
    status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
    """
    if not paths:
        default = Path("cases")
        if not default.is_dir():
            raise click.UsageError("no cases/ folder here: give the paths to check, e.g. 'atlas check cases'")
        paths = (default,)
    result = check_paths(paths, schema_dir=schema_dir)
    REPORTERS[output_format](result, sys.stdout)
    if output_format == "json":
        click.echo(result.summary(), err=True)
    sys.exit(result.exit_status)


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON Schema to this file instead of standard output.",
)
@_SCHEMAS_OPTION
def schema(output: Path | None, schema_dir: Path | None) -> None:
    """Export the case schema as JSON, with the vocabularies' terms filled in.

    Editors' YAML tooling (VS Code's YAML extension, check-jsonschema) and the
    submission form use this file.
    """
    try:
        case_schema = load_case_schema(schema_dir or find_schema_dir(Path.cwd()))
    except SchemaLoadError as exc:
        for problem in exc.problems:
            click.echo(problem.gnu(), err=True)
        sys.exit(1)
    if output is None:
        click.echo(case_schema.to_json(), nl=False)
    else:
        output.write_text(case_schema.to_json(), encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


_CASES_OPTION = click.option(
    "--cases",
    "cases_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder of case studies (default: cases/ here).",
)
_INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(dir_okay=True, file_okay=False, path_type=Path),
    default=None,
    help="The search index's cache folder (default: .atlas/index beside the cases folder).",
)


def _cases_folder(cases_dir: Path | None) -> Path:
    """The cases folder given, or ./cases; a usage error (exit 2) when it is not there."""
    folder = cases_dir if cases_dir is not None else Path("cases")
    if not folder.is_dir():
        hint = "" if cases_dir is not None else ": run this in the atlas's folder or give --cases DIR"
        raise click.UsageError(f"no cases folder at {folder}{hint}")
    return folder


def _fail(message: str, status: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


@cli.command(name="index")
@_CASES_OPTION
@_INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Build the index afresh instead of updating it.")
@_SCHEMAS_OPTION
def index_command(cases_dir: Path | None, index_dir: Path | None, rebuild: bool, schema_dir: Path | None) -> None:
    """Build or update the search index of the case studies.

    Only cases whose content changed are indexed again; deleted cases are
    removed; invalid cases are skipped with a note each (run 'atlas check' for
    every problem). A damaged or locked index is rebuilt with a warning.
    Prints what changed, e.g. '3 added, 1 updated, 0 removed, 996 unchanged in
    0.4 s'. Exit status: 0 done, 1 the index could not be written, 2 usage error.
    """
    from .search_index import IndexUsageError, SearchIndexError, update_index

    folder = _cases_folder(cases_dir)
    try:
        report = update_index(folder, index_dir, schema_dir=schema_dir, rebuild=rebuild)
    except IndexUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except SearchIndexError as exc:
        _fail(str(exc), 1)
    for skipped in report.skipped:
        click.echo(skipped.note(), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.rebuilt and not report.warnings:
        click.echo(f"built the index afresh: {report.rebuilt}", err=True)
    click.echo(report.summary())


def _date_option(name: str, *, end: bool, help_text: str):
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
        from .search_index import parse_date_bound

        if value is None:
            return None
        try:
            return parse_date_bound(value, end=end)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(name, metavar="DATE", default=None, callback=convert, help=help_text)


def _facet_option(name: str, metavar: str, help_text: str):
    return click.option(name, metavar=metavar, multiple=True, help=help_text)


@cli.command()
@click.argument("query", nargs=-1, required=True)
@_facet_option("--theme", "SLUG", "Only cases filed under this theme (repeat to require several).")
@_facet_option("--setting", "SLUG", "Only cases in this care setting (repeatable).")
@_facet_option("--region", "SLUG", "Only cases from this region (repeatable).")
@_facet_option("--organisation", "NAME", "Only cases by this organisation, its full name in any case (repeatable).")
@_facet_option("--commitment", "N", "Only cases under this commitment number (repeatable).")
@_date_option("--since", end=False, help_text="Only cases published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@_date_option("--until", end=True, help_text="Only cases published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(_SORTS), default="relevance", show_default=True, help="Order of the hits.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Show at most N hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (hits, facets, suggestion).")
@_CASES_OPTION
@_INDEX_OPTION
@_SCHEMAS_OPTION
def search(
    query: tuple[str, ...],
    theme: tuple[str, ...],
    setting: tuple[str, ...],
    region: tuple[str, ...],
    organisation: tuple[str, ...],
    commitment: tuple[str, ...],
    since: object,
    until: object,
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
    published:[2019 TO 2021]). The index is brought up to date first. Shows
    the best hits with their matches marked [[like this]], and how many hits
    each theme, setting and region has. Exit status: 0 found, 1 nothing found
    (with a did-you-mean when there is one), 2 usage error or malformed query.
    """
    from .search_index import (
        QueryError,
        SearchIndexError,
        SearchRequest,
        check_filters,
        search_cases,
    )

    folder = _cases_folder(cases_dir)
    request = SearchRequest(
        query=" ".join(query), themes=theme, settings=setting, regions=region, organisations=organisation,
        commitments=commitment, since=since, until=until, sort=sort, limit=limit,  # type: ignore[arg-type]
    )
    try:
        check_filters(request, load_case_schema(schema_dir or find_schema_dir(folder)).vocabularies)
        results, _, warnings = search_cases(folder, request, index_dir=index_dir, schema_dir=schema_dir)
    except SchemaLoadError as exc:
        for problem in exc.problems:
            click.echo(problem.gnu(), err=True)
        sys.exit(2)
    except (QueryError, SearchIndexError) as exc:  # a malformed query, or an index that cannot be used
        _fail(str(exc), 2)
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
        lines.append(f"{number:>2}. {hit.title}")
        lines.append(f"    {' · '.join(d for d in details if d)}")
        if hit.snippet is not None:
            lines.extend(textwrap.wrap(hit.snippet.marked(), width=96, initial_indent="    ", subsequent_indent="    "))
        lines.append("")
    for name, counts in results.facets.items():
        if counts:
            label = {"theme": "Themes", "setting": "Settings", "region": "Regions"}.get(name, name)
            lines.append(f"{label}: " + ", ".join(f"{value} {count}" for value, count in counts.items()))
    return "\n".join(lines).rstrip()


def main() -> None:
    """Entry point of the ``atlas`` console script."""
    cli(prog_name="atlas")
