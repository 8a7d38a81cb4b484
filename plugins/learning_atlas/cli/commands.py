"""The ``atlas`` command line: each command's docstring is its ``--help`` text."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from learning_atlas import __version__
from learning_atlas.contract.atlas_folders import find_schema_dir
from learning_atlas.contract.checker import CheckResult, check_paths
from learning_atlas.contract.problems import one_line
from learning_atlas.contract.reporters import FORMATS, REPORTERS
from learning_atlas.contract.schema import SchemaLoadError, load_case_schema

if TYPE_CHECKING:
    from learning_atlas.contract.schema import CaseSchema
    from learning_atlas.editors.new_case import CaseAnswers
    from learning_atlas.search.index import SearchResults

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
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="Also check against this git revision (e.g. origin/main) that every case published there "
    "still has its address: it still exists, or its slug is in some case's redirect_from.",
)
@_SCHEMAS_OPTION
def check(paths: tuple[Path, ...], output_format: str, base: str | None, schema_dir: Path | None) -> None:
    """Check case studies against the case contract.

    Checks every case file under PATHS (default: cases/) and the vocabularies,
    and prints one line per problem with the line of the key at fault. With
    --base REF, a case published at REF that was renamed, deleted or made a
    draft without its slug in some case's redirect_from is an error too. Exit
    status: 0 no errors (warnings allowed), 1 errors found, 2 usage error
    (including --base outside a git repository or with an unknown REF).
    """
    if not paths:
        default = Path("cases")
        if not default.is_dir():
            raise click.UsageError("no cases/ folder here: give the paths to check, e.g. 'atlas check cases'")
        paths = (default,)
    try:
        case_schema = load_case_schema(schema_dir or find_schema_dir(paths[0]))
    except SchemaLoadError as exc:  # reported as atlas check reports problems (one exit path for all: cli/)
        result = CheckResult(problems=exc.problems)
    else:
        result = check_paths(paths, case_schema, jobs=os.cpu_count() or 1)  # 50 cases or more: every core
    if base is not None:
        _check_renames(result, paths, base)
    REPORTERS[output_format](result, sys.stdout)
    if output_format == "json":
        click.echo(result.summary(), err=True)
    sys.exit(result.exit_status)


def _check_renames(result: CheckResult, paths: tuple[Path, ...], base: str) -> None:
    """Add to ``result`` an error for each case published at ``base`` whose address would go dead."""
    from learning_atlas.contract.renames import RenameCheckError, rename_problems

    try:
        problems = rename_problems(paths, base, result.cases)
    except RenameCheckError as exc:
        _fail(str(exc), 2)
    result.add(problems)


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
    """Print ``error: message`` as one line (control characters escaped) and exit with ``status``."""
    click.echo(f"error: {one_line(message)}", err=True)
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
    from learning_atlas.search.index import IndexUsageError, SearchIndexError, update_index

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


def _date_option(name: str, help_text: str):
    """A date option, read by the search command so that a bad date is its one-line error (exit 2)."""
    return click.option(name, metavar="DATE", default=None, help=help_text)


def _facet_option(name: str, metavar: str, help_text: str):
    return click.option(name, metavar=metavar, multiple=True, help=help_text)


@cli.command()
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
    from learning_atlas.search.index import (
        QueryError,
        SearchIndexError,
        SearchRequest,
        date_option,
        resolve_filters,
        search_cases,
    )

    folder = _cases_folder(cases_dir)
    try:
        request = SearchRequest(
            query=" ".join(query), themes=theme, settings=setting, regions=region, organisations=organisation,
            commitments=commitment, since=date_option("--since", since), until=date_option("--until", until, end=True),
            sort=sort, limit=limit,
        )
        request = resolve_filters(request, load_case_schema(schema_dir or find_schema_dir(folder)).vocabularies)
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


# --- atlas new -----------------------------------------------------------------------------------

_CASES_DIR_OPTION = click.option(
    "--cases-dir",
    "--cases",
    "cases_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder of case studies (default: cases/ here).",
)

_FLAG_FOR_KEY = {
    "title": "--title", "summary": "--summary", "organisations": "--organisation", "region": "--region",
    "settings": "--setting", "themes": "--theme", "commitments": "--commitment", "published": "--published",
    "review_by": "--review-by", "status": "--status", "lead.role": "--lead-role", "lead.name": "--lead-name",
    "contact.name": "--contact-name", "contact.role": "--contact-role",
    "contact.organisation": "--contact-organisation", "contact.email": "--contact-email",
    "leading_change": "--leading-change", "where_to_look": "--where-to-look", "what_to_change": "--what-to-change",
    "how_to_change": "--how-to-change", "adding_value.better_outcomes": "--better-outcomes",
    "adding_value.better_experience": "--better-experience",
    "adding_value.better_use_of_resources": "--better-use-of-resources", "challenges": "--challenges",
}
"""The option that sets each front-matter key, to name it in an error."""

_REQUIRED = (
    ("title", "--title"), ("organisations", "--organisation"), ("region", "--region"), ("settings", "--setting"),
    ("themes", "--theme"), ("lead_role", "--lead-role"), ("contact_name", "--contact-name"),
    ("contact_email", "--contact-email"),
)
"""The answers a case cannot be scaffolded without (prose gets placeholders; published defaults to today)."""


def _key_of(problem_key: str) -> str:
    """``organisations[1]`` -> ``organisations``: the key an option sets."""
    return re.sub(r"\[\d+\]", "", problem_key)


def _text_option(name: str, help_text: str, *, multiple: bool = False, metavar: str = "TEXT"):
    return click.option(name, metavar=metavar, multiple=multiple, default=None, help=help_text)


_NEW_OPTIONS = [
    _text_option("--title", "The case study's title, 10 to 160 characters; the slug is made from it."),
    _text_option("--slug", "The file name without .md (default: made from the title).", metavar="SLUG"),
    _text_option("--summary", "The plain-text summary, 40 to 400 characters (default: a placeholder)."),
    _text_option("--organisation", "An organisation's full name (repeat for each).", multiple=True, metavar="NAME"),
    _text_option("--region", "The region: its slug or label.", metavar="REGION"),
    _text_option("--setting", "A care setting: slug or label (repeat for each).", multiple=True, metavar="SETTING"),
    _text_option("--theme", "A theme: slug or label (repeat for each).", multiple=True, metavar="THEME"),
    _text_option("--commitment", "A commitment's number, 1 to 10 (repeat for each).", multiple=True, metavar="N"),
    _text_option("--published", "The date first published, YYYY-MM-DD (default: today).", metavar="DATE"),
    _text_option("--review-by", "The date editors should review it by, YYYY-MM-DD.", metavar="DATE"),
    click.option("--status", type=click.Choice(("published", "draft")), default=None,
                 help="published (the default) or draft (shown only on 'mkdocs serve')."),
    _text_option("--lead-role", "The role of who led the change, e.g. 'Mental Health Nurse'.", metavar="ROLE"),
    _text_option("--lead-name", "The lead's name, if they agreed to be named.", metavar="NAME"),
    _text_option("--contact-name", "Who readers contact: a person's or team's name.", metavar="NAME"),
    _text_option("--contact-email", "The contact's email address, e.g. team@example.org.", metavar="EMAIL"),
    _text_option("--contact-role", "The contact's role.", metavar="ROLE"),
    _text_option("--contact-organisation", "The contact's organisation.", metavar="NAME"),
    _text_option("--leading-change", "Markdown for 'Leading change' (default: a placeholder)."),
    _text_option("--where-to-look", "Markdown for 'Where to look' (default: a placeholder)."),
    _text_option("--what-to-change", "Markdown for 'What to change' (default: a placeholder)."),
    _text_option("--how-to-change", "Markdown for 'How to change' (default: a placeholder)."),
    _text_option("--better-outcomes", "Markdown for adding value: better outcomes (default: a placeholder)."),
    _text_option("--better-experience", "Markdown for adding value: better experience (default: a placeholder)."),
    _text_option("--better-use-of-resources", "Markdown for adding value: better use of resources (default: a placeholder)."),
    _text_option("--challenges", "Markdown for 'Challenges and lessons learnt' (default: a placeholder)."),
    click.option("--consent-confirmed", is_flag=True, default=None,
                 help="The people and organisations named have agreed to publication."),
    click.option("--no-input", is_flag=True, help="Never ask a question: take everything from the options."),
    _CASES_DIR_OPTION,
    _SCHEMAS_OPTION,
]


def _new_options(function):
    for option in reversed(_NEW_OPTIONS):
        function = option(function)
    return function


@cli.command()
@_new_options
def new(no_input: bool, cases_dir: Path | None, schema_dir: Path | None, **values: object) -> None:
    """Start a new case study: write cases/<slug>.md from a few answers.

    Asks for the title, organisations, region, care settings, themes,
    commitments, dates, lead and contact, listing each vocabulary's terms
    (answer with a number, a slug or a label), or takes them from the options
    (with --no-input it never asks: scripts give every required option). The
    slug is made from the title (accents folded, lower-case, hyphens; --slug
    to choose it). An existing case is never overwritten, and a slug that
    another case keeps in redirect_from is refused.

    The prose fields not given as options are left holding placeholder text:
    lines starting 'TODO:'. 'atlas check' reports each one as an error until
    it is replaced, and the case passes once they are (and consent is
    confirmed). Exit status: 0 written, 1 the slug is taken (nothing written),
    2 usage error or an invalid value (nothing written).
    """
    from learning_atlas.editors.new_case import CaseAnswers, ScaffoldError, render_case, slug_owner, write_case

    folder = cases_dir if cases_dir is not None else Path("cases")
    if not folder.is_dir():
        hint = "" if cases_dir is not None else ": run this in the atlas's folder or give --cases-dir DIR"
        raise click.UsageError(f"no cases folder at {folder}{hint}")
    case_schema = _case_schema(schema_dir, folder)
    answers = CaseAnswers()
    _stop_on(_answers_from_options(answers, values, case_schema))
    if no_input:
        answers.published = answers.published or dt.date.today().isoformat()
        missing = [flag for attribute, flag in _REQUIRED if not getattr(answers, attribute)]
        if missing:
            _fail(f"--no-input needs {', '.join(missing)} (see 'atlas new --help'); nothing was written", 2)
        _stop_on(_answer_problems(answers, case_schema))  # a bad --title before the slug made from it
        _settle_slug(answers, values.get("slug"), folder, interactive=False)
    else:
        click.echo("A new case study: answer each question (the prose sections are left for you to write in the file).")
        _keep_undecodable_input()
        try:
            _ask(answers, values, folder, case_schema)
        except click.Abort:
            click.echo()  # end the unanswered question's line
            _fail(
                "the input ended before every question was answered; nothing was written. To create a case "
                "without questions, give its fields as options with --no-input (see 'atlas new --help')",
                2,
            )
    _stop_on(_answer_problems(answers, case_schema))
    owner = slug_owner(folder, answers.slug)
    if owner is not None:
        _fail(f"{owner}; {_TAKEN}", 1)
    path = folder / f"{answers.slug}.md"
    try:
        write_case(path, render_case(answers))
    except ScaffoldError as exc:
        _fail(f"{exc}; {_TAKEN}", 1)
    except OSError as exc:
        _fail(f"could not write {path}: {exc.strerror or exc}", 1)
    _report_new_case(path, answers)


def _stop_on(messages: list[str]) -> None:
    """Print each message as an error and exit 2 saying nothing was written; nothing when there are none."""
    if messages:
        for message in messages:
            click.echo(f"error: {one_line(message)}", err=True)
        _fail("nothing was written", 2)


def _about(name: str, message: object) -> str:
    """A message about one field, naming it first as ``atlas check`` names a key: ``--title: is too short ...``."""
    return f"{name}: {message}"


def _case_schema(schema_dir: Path | None, folder: Path) -> CaseSchema:
    """The case schema for ``folder``'s atlas; its problems printed and exit 2 when it is broken."""
    try:
        return load_case_schema(schema_dir or find_schema_dir(folder))
    except SchemaLoadError as exc:
        for problem in exc.problems:
            click.echo(problem.gnu(), err=True)
        sys.exit(2)


def _answer_problems(answers: CaseAnswers, case_schema: CaseSchema) -> list[str]:
    """What ``atlas check`` would say of the answers (but placeholders and consent), naming the option at fault."""
    from learning_atlas.editors.new_case import check_answers

    messages = []
    for problem in check_answers(answers, case_schema):
        key = _key_of(problem.key)
        messages.append(_about(_FLAG_FOR_KEY.get(key, problem.key or "the case"), problem.message))
    return messages


def _answers_from_options(answers: CaseAnswers, values: dict[str, object], case_schema: CaseSchema) -> list[str]:
    """Fill ``answers`` from the options given; what is wrong with any of them, each naming its option."""
    from learning_atlas.contract.placeholders import PROSE_FIELDS
    from learning_atlas.editors.new_case import ScaffoldError, choose_term, clean_text

    vocabularies = case_schema.vocabularies
    errors: list[str] = []

    def cleaned(flag: str, value: object) -> str:
        try:
            return clean_text(str(value))
        except ScaffoldError as exc:
            errors.append(_about(flag, exc))
            return ""

    def text(name: str) -> str:
        value = values.get(name)
        if value is None:
            return ""
        flag = "--" + name.replace("_", "-")
        given = cleaned(flag, value)
        if not given and str(value).strip() == "":
            errors.append(_about(flag, "is empty; give its text or leave the option out"))
        return given

    def terms(name: str, vocabulary: str) -> list:
        given = values.get(name)
        chosen = []
        for value in (given,) if isinstance(given, str) else given or ():
            if not str(value).strip():
                errors.append(_about(f"--{name}", "is empty; give a slug or label, or leave the option out"))
                continue
            try:
                term = choose_term(vocabularies[vocabulary], clean_text(str(value)))
            except ScaffoldError as exc:
                errors.append(_about(f"--{name}", exc))
                continue
            if term.slug not in chosen:
                chosen.append(term.slug)
        return chosen

    answers.title = text("title")
    answers.summary = text("summary")
    answers.organisations = []
    for value in values.get("organisation") or ():
        name = cleaned("--organisation", value)
        if name and name not in answers.organisations:
            answers.organisations.append(name)
    regions = terms("region", "regions")
    answers.region = regions[0] if regions else ""
    answers.settings = terms("setting", "settings")
    answers.themes = terms("theme", "themes")
    answers.commitments = terms("commitment", "commitments")
    answers.published = text("published")
    answers.review_by = text("review_by")
    answers.status = str(values.get("status") or "published")
    for attribute in ("lead_role", "lead_name", "contact_name", "contact_email", "contact_role", "contact_organisation"):
        setattr(answers, attribute, text(attribute))
    for key in PROSE_FIELDS:
        given = text(key.split(".")[-1])
        if given:
            answers.prose[key] = given
    answers.consent_confirmed = bool(values.get("consent_confirmed"))
    return errors


_TAKEN = "'atlas new' never overwrites a case or takes an old address: give another slug with --slug. Nothing was written"


def _settle_slug(answers: CaseAnswers, given: object, folder: Path, *, interactive: bool) -> None:
    """Choose the slug: --slug, or one made from the title; asks again (or fails) when it cannot be used."""
    from learning_atlas.editors.new_case import free_slug, slug_from_title, slug_owner, slug_problem

    if given:
        slug = str(given).strip()
        problem = slug_problem(slug)
        if problem:
            _fail(_about("--slug", problem), 2)
        owner = slug_owner(folder, slug)
        if owner:
            _fail(f"{owner}; {_TAKEN}", 1)
        answers.slug = slug
        return
    slug = slug_from_title(answers.title)
    if slug is None:
        message = (
            f"cannot make a slug from the title {answers.title!r}: it has fewer than 3 letters or digits "
            "once accents and symbols are dropped"
        )
        if not interactive:
            _fail(f"{message}; give one with --slug", 2)
        click.echo(f"{message}.")
        answers.slug = _prompt_slug(folder, default=None)
        return
    owner = slug_owner(folder, slug)
    if owner is None:
        answers.slug = slug
    elif not interactive:
        _fail(f"{owner}; {_TAKEN}", 1)
    else:
        click.echo(f"The slug {slug!r} is taken: {owner}.")
        answers.slug = _prompt_slug(folder, default=free_slug(folder, slug))


def _prompt_slug(folder: Path, *, default: str | None) -> str:
    from learning_atlas.editors.new_case import slug_owner, slug_problem

    def check(value: str) -> str:
        value = value.strip()
        problem = slug_problem(value) or slug_owner(folder, value)
        if problem:
            raise click.BadParameter(_about("Slug", problem))
        return value

    return click.prompt("Slug (the file name, without .md)", default=default, value_proc=check)


def _keep_undecodable_input() -> None:
    """Read answers that are not UTF-8 as text holding their bytes (``surrogateescape``), as the ``C``
    locale does, so that such an answer is refused and asked again instead of failing with a traceback;
    and write those bytes back, should anything echo them, as escapes rather than fail."""
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=errors)


def _refusal(name: str, message: object) -> click.BadParameter:
    """An answer refused at a prompt; click shows it as ``Error: Title: is too short ...``."""
    return click.BadParameter(one_line(_about(name, message)))


def _ask(answers: CaseAnswers, values: dict[str, object], folder: Path, case_schema: CaseSchema) -> None:
    """Ask for every field the options left out, checking each answer as it is given.

    Each refusal names the field (``Title: is too short (1 character); write at least 10``).
    """
    from learning_atlas.editors.new_case import ScaffoldError, choose_term, clean_text, split_choices

    vocabularies = case_schema.vocabularies

    def checked(key: str, attribute: str, *, name: str):
        """A value_proc that sets ``attribute`` and refuses what 'atlas check' would refuse at ``key``."""

        def proc(value: str):
            try:
                value = clean_text(value)
            except ScaffoldError as exc:
                raise _refusal(name, exc) from None
            previous = getattr(answers, attribute)
            setattr(answers, attribute, value)
            messages = _problems_at(answers, case_schema, key)
            if messages:
                setattr(answers, attribute, previous)
                raise _refusal(name, "; ".join(messages))
            return value

        return proc

    def listed(vocabulary_name: str) -> None:
        vocabulary = vocabularies[vocabulary_name]
        click.echo(f"{vocabulary.label}:")
        for number, term in enumerate(vocabulary.terms, 1):
            shown = term.label if term.label.startswith(f"Commitment {term.slug}") else f"{term.label} ({term.key})"
            click.echo(f"  {number:>2}  {shown}")

    def choices(vocabulary_name: str, key: str, question: str, *, name: str, many: bool, optional: bool = False):
        listed(vocabulary_name)
        vocabulary = vocabularies[vocabulary_name]

        def proc(value: str):
            chosen: list = []
            try:
                for item in split_choices(value):
                    term = choose_term(vocabulary, item, numbered=True)
                    if term.slug not in chosen:
                        chosen.append(term.slug)
            except ScaffoldError as exc:
                raise _refusal(name, exc) from None
            if not chosen and not optional:
                raise _refusal(name, "choose at least one")
            if not many and len(chosen) > 1:
                raise _refusal(name, "choose one")
            setattr(answers, key, chosen if many else chosen[0])
            messages = _problems_at(answers, case_schema, key)
            if messages:
                raise _refusal(name, "; ".join(messages))
            return chosen

        click.prompt(question, default="" if optional else None, show_default=False, value_proc=proc)

    if not answers.title:
        click.prompt("Title (10 to 160 characters)", value_proc=checked("title", "title", name="Title"))
    _settle_slug(answers, values.get("slug"), folder, interactive=True)
    click.echo(f"The case will be {folder / (answers.slug + '.md')}")
    if not answers.summary:
        click.prompt(
            "Summary (40 to 400 characters of plain text; Enter to leave a placeholder)",
            default="", show_default=False, value_proc=_optional(checked("summary", "summary", name="Summary")),
        )
    if not answers.organisations:
        _ask_organisations(answers, case_schema)
    if not answers.region:
        choices("regions", "region", "Region (a number, slug or label)", name="Region", many=False)
    if not answers.settings:
        choices("settings", "settings", "Care settings (numbers, slugs or labels, separated by commas)",
                name="Care settings", many=True)
    if not answers.themes:
        choices("themes", "themes", "Themes (numbers, slugs or labels, separated by commas)", name="Themes", many=True)
    if not values.get("commitment"):
        choices("commitments", "commitments", "Commitments (numbers separated by commas; Enter for none)",
                name="Commitments", many=True, optional=True)
    if not answers.published:
        click.prompt("Published (YYYY-MM-DD)", default=dt.date.today().isoformat(),
                     value_proc=checked("published", "published", name="Published"))
    if not answers.review_by:
        click.prompt("Review by (YYYY-MM-DD; Enter for none)", default="", show_default=False,
                     value_proc=_optional(checked("review_by", "review_by", name="Review by")))
    if not answers.lead_role:
        click.prompt("Lead's role (e.g. Mental Health Nurse)",
                     value_proc=checked("lead.role", "lead_role", name="Lead's role"))
    if not answers.lead_name and not values.get("lead_name"):
        click.prompt("Lead's name (Enter to leave them unnamed)", default="", show_default=False,
                     value_proc=_optional(checked("lead.name", "lead_name", name="Lead's name")))
    if not answers.contact_name:
        click.prompt("Contact's name (a person or a team)",
                     value_proc=checked("contact.name", "contact_name", name="Contact's name"))
    if not answers.contact_email:
        click.prompt("Contact's email", value_proc=checked("contact.email", "contact_email", name="Contact's email"))
    if not answers.consent_confirmed:
        answers.consent_confirmed = click.confirm(
            "Have the people and organisations named agreed to publication?", default=False
        )


def _optional(proc):
    """A value_proc that lets an empty answer through untouched."""

    def optional(value: str):
        return value if not value.strip() else proc(value)

    return optional


def _ask_organisations(answers: CaseAnswers, case_schema: CaseSchema) -> None:
    from learning_atlas.editors.new_case import ScaffoldError, clean_text

    def proc(value: str) -> str:
        try:
            name = clean_text(value)
        except ScaffoldError as exc:
            raise _refusal("Organisation", exc) from None
        if not name:
            return ""
        if name in answers.organisations:
            raise _refusal("Organisation", f"{name!r} is listed already")
        answers.organisations.append(name)
        messages = _problems_at(answers, case_schema, "organisations")
        if messages:
            answers.organisations.pop()
            raise _refusal("Organisation", "; ".join(messages))
        return name

    click.prompt("Organisation (its full name, e.g. Somerset Partnership NHS Foundation Trust)", value_proc=proc)
    while click.prompt("Another organisation (Enter if none)", default="", show_default=False, value_proc=proc):
        pass


def _problems_at(answers: CaseAnswers, case_schema: CaseSchema, key: str) -> list[str]:
    """What 'atlas check' would say about ``key`` of the answers so far."""
    from learning_atlas.editors.new_case import check_answers

    return [
        p.message for p in check_answers(answers, case_schema)
        if _key_of(p.key) == key or (_key_of(p.key).startswith(key + ".") and key != "")
    ]


def _report_new_case(path: Path, answers: CaseAnswers) -> None:
    """Say what was written and what is left to do."""
    from learning_atlas.contract.placeholders import MARKER

    click.echo(f"Wrote {path}.")
    todo = answers.placeholders
    steps = []
    if todo:
        steps.append(
            f"replace the {len(todo)} placeholder{'s' if len(todo) != 1 else ''} (text starting '{MARKER}') in: "
            + ", ".join(todo)
        )
    if not answers.consent_confirmed:
        steps.append("set consent_confirmed: true once the people and organisations named have agreed")
    steps.append(f"check it: atlas check {path}")
    for number, step in enumerate(steps, 1):
        click.echo(f"  {number}. {step}")


# --- atlas report --------------------------------------------------------------------------------


def _today_option(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint="'--today'") from None


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "markdown", "json")),
    default="text",
    show_default=True,
    help="text: for a terminal; markdown: for a pull-request comment; json: for scripts.",
)
@click.option("--today", metavar="DATE", default=None, help="Report as on this date, YYYY-MM-DD (default: today).")
@_CASES_DIR_OPTION
@_SCHEMAS_OPTION
def report(output_format: str, today: str | None, cases_dir: Path | None, schema_dir: Path | None) -> None:
    """Report what editors should look at across the atlas.

    Lists cases past their review_by date, drafts, archived cases, cases
    without measures, organisation names that look like variants of one
    another (the same once NHS abbreviations such as FT and NHSFT, '&' and
    'and', punctuation, case and 'The' are evened out, or one typing slip
    apart in a long word), vocabulary terms with no published case, and how
    many published cases each region, setting, theme, commitment,
    organisation and year has. Case files with errors are left out and
    listed (run 'atlas check' for why). Exit status: 0 reported (findings are
    not failures), 2 usage error.
    """
    from learning_atlas.editors.report import build_report, render

    day = _today_option(today)
    folder = _cases_folder(cases_dir)
    case_schema = _case_schema(schema_dir, folder)
    found = build_report(folder, case_schema, today=day, jobs=os.cpu_count() or 1)
    click.echo(render(found, output_format), nl=False)


def main() -> None:
    """Entry point of the ``atlas`` console script."""
    cli(prog_name="atlas")
