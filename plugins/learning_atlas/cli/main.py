"""The ``atlas`` group: its version, its commands (one module each beside this one) and ``main()``,
the console script's entry point."""

from __future__ import annotations

import click

from learning_atlas import __version__
from learning_atlas.cli.check import check, schema
from learning_atlas.cli.new import new
from learning_atlas.cli.report import report
from learning_atlas.cli.search import index_command, search
from learning_atlas.cli.serve import serve


@click.group(name="atlas", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="atlas")
def cli() -> None:
    """Shared Learning Atlas: check, index and publish improvement case studies."""


for _command in (check, schema, index_command, search, new, report, serve):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``atlas`` console script."""
    cli(prog_name="atlas")
