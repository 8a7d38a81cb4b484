"""Shared Learning Atlas: check, index and publish improvement case studies.

The package is layered; each part's ``__init__`` says its job and what it may import, and
``import-linter`` (``pyproject.toml``) holds them to it:

- ``cli`` and ``mkdocs_plugin``: the front ends (the ``atlas`` command; the MkDocs adapter,
  the only part that knows MkDocs and Material, with the templates and browser assets);
- ``editors``: ``atlas new``, ``atlas report``, the submission form's data;
- ``site``: the atlas as objects, rendering, feeds and open data, Pagefind's records;
- ``search``: the editors' Whoosh index, key terms and related lists;
- ``contract``: the case contract and ``atlas check``;
- ``processes``: work beside a build.
"""

__version__ = "0.1.0"
