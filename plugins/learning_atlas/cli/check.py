"""``atlas check`` (the case contract, with ``--base`` the addresses published before) and ``atlas
schema`` (the schema exported as JSON for editors' tools)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from learning_atlas.cli.options import fail, format_option, load_schema, schemas_option
from learning_atlas.contract.atlas_folders import DEFAULT_CASES_DIR, DEFAULT_COLLECTIONS_DIR, locate_atlas
from learning_atlas.contract.checker import CheckResult, check_paths
from learning_atlas.contract.learning_collections import COLLECTION_SUFFIX
from learning_atlas.contract.problems import Problem
from learning_atlas.contract.reporters import FORMATS, REPORTERS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option(
    FORMATS,
    "text: one 'FILE:LINE:COL: error: KEY: message' line per problem; "
    "github: GitHub Actions annotations; json: a JSON array.",
)
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="Also check against this git revision (e.g. origin/main) that every case published there "
    "still has its address: it still exists, or its slug is in some case's redirect_from.",
)
@schemas_option
def check(paths: tuple[Path, ...], output_format: str, base: str | None, schema_dir: Path | None) -> None:
    """Check case studies against the case contract.

    Checks every case file under PATHS (default: cases/, and the learning
    collections in collections/ beside it) and the vocabularies, and prints
    one line per problem with the line of the key at fault. A collections
    folder (or a .yaml file in it) among PATHS is checked against the cases
    checked, or against cases/ when no case is given. With
    --base REF, a case published at REF that was renamed, deleted or made a
    draft without its slug in some case's redirect_from is an error too. Exit
    status: 0 no errors (warnings allowed), 1 errors found, 2 usage error
    (including --base outside a git repository or with an unknown REF, and a
    schemas folder that is missing or broken: its problems are printed on
    standard error and, with --format json or github, on standard output in
    that format, so that JSON output is always valid JSON).
    """
    folders = locate_atlas(schema_dir=schema_dir, near=paths[0] if paths else None)
    collections = _collections_given(paths)
    paths = tuple(p for p in paths if not _is_collections(p))
    if not paths and collections is not None:
        first = collections[0] if collections[0].is_dir() else collections[0].parent
        paths = (first.parent / DEFAULT_CASES_DIR,)  # what the collections name: the cases beside them
    elif not paths:
        if not folders.cases.is_dir():
            raise click.UsageError("no cases/ folder here: give the paths to check, e.g. 'atlas check cases'")
        paths = (folders.cases,)
        if collections is None and folders.collections.is_dir():
            collections = [folders.collections]

    def also_in_format(problems: list[Problem]) -> None:
        if output_format != "text":  # the text lines are on standard error already
            REPORTERS[output_format](CheckResult(problems=problems), sys.stdout)

    case_schema = load_schema(folders.schemas, also=also_in_format)
    result = check_paths(paths, case_schema, jobs=os.cpu_count() or 1, collections=collections)  # 50 cases or more: every core
    if base is not None:
        _check_renames(result, paths, base)
    REPORTERS[output_format](result, sys.stdout)
    if output_format == "json":
        click.echo(result.summary(), err=True)
    sys.exit(result.exit_status)


def _is_collections(path: Path) -> bool:
    """A path naming learning collections: a ``collections`` folder, or a ``.yaml`` file in one."""
    if path.is_dir():
        return path.resolve().name == DEFAULT_COLLECTIONS_DIR.name
    return path.suffix == COLLECTION_SUFFIX


def _collections_given(paths: tuple[Path, ...]) -> list[Path] | None:
    """The collections folders and files among the paths, or None when there are none."""
    return [p for p in paths if _is_collections(p)] or None


def _check_renames(result: CheckResult, paths: tuple[Path, ...], base: str) -> None:
    """Add to ``result`` an error for each case published at ``base`` whose address would go dead."""
    from learning_atlas.contract.renames import RenameCheckError, rename_problems

    try:
        problems = rename_problems(paths, base, result.cases)
    except RenameCheckError as exc:
        fail(str(exc), 2)
    result.add(problems)


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON Schema to this file instead of standard output.",
)
@click.option("--collection", is_flag=True,
              help="Export the learning collections' schema (schemas/collection.schema.yaml) instead.")
@schemas_option
def schema(output: Path | None, collection: bool, schema_dir: Path | None) -> None:
    """Export the case schema as JSON, with the vocabularies' terms filled in.

    Editors' YAML tooling (VS Code's YAML extension, check-jsonschema) and the
    submission form use this file. With --collection, the schema of a
    learning collection (collections/<slug>.yaml) instead. Exit status: 0
    written, 2 usage error (including a schemas folder that is missing or
    broken).
    """
    case_schema = load_schema(locate_atlas(schema_dir=schema_dir, near=Path.cwd()).schemas)
    text = case_schema.to_json()
    if collection:
        from learning_atlas.contract.learning_collections import CollectionSchemaError, collection_schema_json

        try:
            text = collection_schema_json(case_schema.directory)
        except CollectionSchemaError as exc:
            fail(exc.problem.gnu(), 2)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
