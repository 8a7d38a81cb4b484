"""The ``atlas`` command line: each command's docstring is its ``--help`` text.

A front end: it may import every other part but the MkDocs adapter, and nothing imports it.
"""

from learning_atlas.cli.commands import cli, main

__all__ = ["cli", "main"]
