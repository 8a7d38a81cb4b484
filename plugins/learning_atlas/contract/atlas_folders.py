"""Where an atlas keeps its cases and schemas: the default names, and finding them once, at the edge.

The command line and the MkDocs adapter resolve the folders here and hand the checker, the
search index and the editors' tools resolved paths and a loaded schema; nothing further in
re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from learning_atlas.contract.schema import CASE_SCHEMA_FILE

DEFAULT_CASES_DIR = Path("cases")
"""The folder of case files, relative to the atlas's root, when none is given."""

DEFAULT_COLLECTIONS_DIR = Path("collections")
"""The folder of learning collections (``<slug>.yaml``), beside the cases folder."""

DEFAULT_SCHEMAS_DIR = Path("schemas")
"""The folder of the case schema and vocabularies, relative to the atlas's root."""


def find_schema_dir(start: Path) -> Path:
    """The ``schemas/`` folder of the atlas that ``start`` belongs to (searched upwards), or ./schemas."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_SCHEMAS_DIR / CASE_SCHEMA_FILE).is_file():
            return folder / DEFAULT_SCHEMAS_DIR
    return DEFAULT_SCHEMAS_DIR


@dataclass(frozen=True)
class AtlasFolders:
    """An atlas's cases and schemas folders, decided once at the edge."""

    cases: Path
    schemas: Path

    @property
    def collections(self) -> Path:
        """The learning collections' folder: ``collections/`` beside the cases folder."""
        return self.cases.parent / DEFAULT_COLLECTIONS_DIR


def locate_atlas(
    cases_dir: Path | None = None, schema_dir: Path | None = None, *, near: Path | None = None
) -> AtlasFolders:
    """The folders to use: those given, else ``cases/`` and the ``schemas/`` of the atlas ``near`` is in.

    ``near`` (a file or folder, say the first path ``atlas check`` was given) defaults to the cases
    folder; the search starts there and goes upwards, so a command run in the atlas's folder or
    below it finds its schemas. Paths are kept as given (relative ones stay relative, for the
    messages that name them), and neither folder is checked to exist: the caller says what is
    missing in its own terms.
    """
    cases = cases_dir if cases_dir is not None else DEFAULT_CASES_DIR
    schemas = schema_dir if schema_dir is not None else find_schema_dir(near if near is not None else cases)
    return AtlasFolders(cases, schemas)
