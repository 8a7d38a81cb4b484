"""``atlas report``: what editors should look at across the atlas, for a terminal, a pull-request
comment or a script."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from learning_atlas.cli.options import (
    atlas_folders,
    cases_option,
    format_option,
    load_schema,
    schemas_option,
    today_option,
)


@click.command()
@format_option(
    ("text", "markdown", "json"),
    "text: for a terminal; markdown: for a pull-request comment; json: for scripts.",
)
@today_option
@cases_option
@schemas_option
def report(output_format: str, today: dt.date, cases_dir: Path | None, schema_dir: Path | None) -> None:
    """Report what editors should look at across the atlas.

    Lists cases past their review_by date, drafts, archived cases, cases
    without measures, published cases no case has built on two years after
    publication, learning collections (collections/ beside the cases folder)
    that hold archived cases, builds_on links and collection entries that
    name a renamed or missing case, organisation names that look like variants of one
    another (the same once NHS abbreviations such as FT and NHSFT, '&' and
    'and', punctuation, case and 'The' are evened out, or one typing slip
    apart in a long word), vocabulary terms with no published case, and how
    many published cases each region, setting, theme, commitment,
    organisation and year has. Case files with errors are left out and
    listed (run 'atlas check' for why). Exit status: 0 reported (findings are
    not failures), 2 usage error (including a schemas folder that is missing
    or broken).
    """
    from learning_atlas.editors.report import build_report, render

    folders = atlas_folders(cases_dir, schema_dir)
    case_schema = load_schema(folders.schemas)
    found = build_report(folders.cases, case_schema, today=today, jobs=os.cpu_count() or 1)
    click.echo(render(found, output_format), nl=False)
