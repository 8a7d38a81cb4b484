"""The ``atlas`` command line: each command's docstring is its ``--help`` text."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .checker import check_paths, find_schema_dir
from .reporters import FORMATS, REPORTERS
from .schema import SchemaLoadError, load_case_schema

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


def main() -> None:
    """Entry point of the ``atlas`` console script."""
    cli(prog_name="atlas")
