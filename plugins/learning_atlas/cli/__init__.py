"""The ``atlas`` command line: each command's docstring is its ``--help`` text.

``main`` (the group, ``main()``), ``options`` (what the commands share: ``--cases``, ``--schemas``,
``--format``, ``--today``, finding the atlas's folders, loading the schema), and a module for each
command: ``check`` (with ``schema``), ``search`` (with ``index``), ``new``, ``report``.

A front end: it may import every other part but the MkDocs adapter, and nothing imports it.
"""

from learning_atlas.cli.main import cli, main

__all__ = ["cli", "main"]
