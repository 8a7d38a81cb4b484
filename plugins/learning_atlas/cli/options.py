"""What the ``atlas`` commands share: their common options, the atlas's folders, the schema, errors.

Every command finds the cases and schemas folders with :func:`atlas_folders` (or, for ``atlas
check``'s paths, :func:`learning_atlas.contract.atlas_folders.locate_atlas` itself), loads the
schema with :func:`load_schema` (a broken or missing schemas folder is a usage error, exit 2,
in every command), and ends on a one-line error with :func:`fail`.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from learning_atlas.contract.atlas_folders import AtlasFolders, locate_atlas
from learning_atlas.contract.problems import one_line
from learning_atlas.contract.schema import SchemaLoadError, load_case_schema

if TYPE_CHECKING:
    from learning_atlas.contract.problems import Problem
    from learning_atlas.contract.schema import CaseSchema

USAGE_ERROR = 2
"""The exit status of a usage error: a bad option, a missing folder, a broken schemas folder."""


class AliasedOption(click.Option):
    """An option with old spellings that still work but that ``--help`` and error messages leave out."""

    def __init__(self, *args: Any, hidden_aliases: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = tuple(hidden_aliases)

    def _shown(self) -> click.Option:
        shown = copy.copy(self)
        shown.opts = [opt for opt in self.opts if opt not in self.hidden_aliases]
        return shown

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        return click.Option.get_help_record(self._shown(), ctx)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return click.Option.get_error_hint(self._shown(), ctx)  # type: ignore[arg-type]


cases_option = click.option(
    "--cases",
    "--cases-dir",  # the old spelling of 'atlas new' and 'atlas report': still read, no longer shown
    "cases_dir",
    cls=AliasedOption,
    hidden_aliases=("--cases-dir",),
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder of case studies (default: cases/ here).",
)
"""``--cases DIR``, the one spelling every command with a cases folder takes."""

schemas_option = click.option(
    "--schemas",
    "schema_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The folder with case.schema.yaml and vocabularies/ (default: the atlas's own schemas/).",
)
"""``--schemas DIR``: the case schema and vocabularies to use instead of the atlas's own."""


def format_option(formats: Sequence[str], help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``, one of ``formats`` (the first is the default), passed on as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(tuple(formats)),
        default=formats[0],
        show_default=True,
        help=help_text,
    )


def _read_today(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


today_option = click.option(
    "--today",
    metavar="DATE",
    default=None,
    callback=_read_today,
    help="Report as on this date, YYYY-MM-DD (default: today).",
)
"""``--today DATE``, passed on as a :class:`datetime.date` (today's when it is not given)."""


def atlas_folders(cases_dir: Path | None, schema_dir: Path | None) -> AtlasFolders:
    """The cases folder (``--cases``, or ``cases/`` here) and the schemas folder (``--schemas``, or the
    atlas's own); a usage error (exit 2) when the cases folder is not there."""
    folders = locate_atlas(cases_dir, schema_dir)
    if not folders.cases.is_dir():
        hint = "" if cases_dir is not None else ": run this in the atlas's folder or give --cases DIR"
        raise click.UsageError(f"no cases folder at {folders.cases}{hint}")
    return folders


def load_schema(schemas: Path, *, also: Callable[[list[Problem]], None] | None = None) -> CaseSchema:
    """The case schema and vocabularies in ``schemas``.

    When they cannot be loaded (the folder is missing, a file is broken), each problem is printed
    as its GNU line on standard error, handed to ``also`` (``atlas check`` writes them in the
    format asked for too), and the command exits 2: the atlas, not a case, is at fault.
    """
    try:
        return load_case_schema(schemas)
    except SchemaLoadError as exc:
        for problem in exc.problems:
            click.echo(problem.gnu(), err=True)
        if also is not None:
            also(exc.problems)
        sys.exit(USAGE_ERROR)


def fail(message: str, status: int) -> NoReturn:
    """Print ``error: message`` as one line (control characters escaped) and exit with ``status``."""
    click.echo(f"error: {one_line(message)}", err=True)
    sys.exit(status)
