"""The ``atlas`` plugin's options, as set under ``plugins: - atlas:`` in mkdocs.yml."""

from __future__ import annotations

import re

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

from learning_atlas.contract.atlas_folders import DEFAULT_CASES_DIR, DEFAULT_COLLECTIONS_DIR, DEFAULT_SCHEMAS_DIR


class TitlesConfig(Config):
    """The titles of the generated index pages, by section."""

    explore = c.Type(str, default="Explore case studies")
    regions = c.Type(str, default="Regions")
    settings = c.Type(str, default="Care settings")
    themes = c.Type(str, default="Themes")
    commitments = c.Type(str, default="Commitments")
    organisations = c.Type(str, default="Organisations")
    years = c.Type(str, default="Years")
    submit = c.Type(str, default="Submit a case study")
    collections = c.Type(str, default="Learning collections")
    most_taken_up = c.Type(str, default="Most taken up")


class _Titles(c.SubConfig[TitlesConfig]):
    """``titles:``, refusing a section it does not know (a typo would otherwise be ignored)."""

    def run_validation(self, value: object) -> TitlesConfig:
        if isinstance(value, dict):
            known = [key for key, _ in TitlesConfig._schema]
            unknown = sorted(str(key) for key in value if key not in known)
            if unknown:
                raise ValidationError(
                    f"{', '.join(repr(k) for k in unknown)} is not a page the atlas titles; "
                    f"the titles are {', '.join(known)}"
                )
        return super().run_validation(value)


class TaggingEntity(c.Type):
    """A ``tag:`` URI's tagging entity (RFC 4151): ``authority,date``, e.g. ``example.org,2026``."""

    PATTERN = re.compile(r"^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[^@\s,]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+),\d{4}(?:-\d{2}(?:-\d{2})?)?$")

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        if not self.PATTERN.match(value):
            raise ValidationError(
                f"{value!r} is not a tagging entity: write a domain name (or email address) the publisher "
                "holds, a comma, and a year or date it held it, e.g. 'shared-learning-atlas.github.io,2026'"
            )
        return value


class AtlasConfig(Config):
    """Where the cases and schemas are, how pages are named, and what to do with invalid cases."""

    enabled = c.Type(bool, default=True)

    # Inputs, relative to mkdocs.yml.
    cases_dir = c.Type(str, default=str(DEFAULT_CASES_DIR))
    schemas_dir = c.Type(str, default=str(DEFAULT_SCHEMAS_DIR))
    # Learning collections (<slug>.yaml), checked with the cases; a missing folder has none.
    collections_dir = c.Type(str, default=str(DEFAULT_COLLECTIONS_DIR))

    # What a build does with a case that fails `atlas check`: "warn" skips it
    # with a warning (a --strict build still fails), "fail" stops the build.
    invalid_cases = c.Choice(("warn", "fail"), default="warn")

    # Site sections: titles of the generated index pages, by section.
    titles = _Titles()

    # Feeds and related cases. "index": shared key terms from the search index
    # (kept up to date incrementally in index_dir), blended with shared facets;
    # "facets": shared facets alone, and no index; "none": no related lists.
    feed_size = c.Type(int, default=20)
    # Atom ids: tag: URIs (RFC 4151) from this tagging entity, so that moving the site
    # does not make feed readers announce every case again. Without it, ids are addresses.
    feed_tagging_entity = c.Optional(TaggingEntity())
    related_count = c.Type(int, default=5)
    related = c.Choice(("index", "facets", "none"), default="index")
    index_dir = c.Type(str, default=".atlas/index")
    # Other caches of this machine's builds (Pagefind's indexes of unchanged cases): never
    # committed (a build refuses a cache the repository tracks), always safe to remove.
    cache_dir = c.Type(str, default=".atlas/cache")

    # Reader search in the header: "pagefind" indexes the case pages after the
    # build (loaded in chunks by the browser); "material" keeps Material's own.
    reader_search = c.Choice(("pagefind", "material"), default="pagefind")

    # Edit links of case pages: repo_url + this + the case's path in the
    # repository. Default: edit_uri with a trailing "docs/" removed.
    cases_edit_uri = c.Optional(c.Type(str))

    # Layout blocks that depend only on where a page sits (header, navigation, footer, scripts)
    # rendered once for neighbouring pages outside the navigation; false renders them for every
    # page (the pages are the same byte for byte; it is only slower).
    shared_layout = c.Type(bool, default=True)
    # In a full build, the generated pages drawn ahead by their templates on every core, then
    # written by MkDocs in its order (the same pages); false draws them one by one as MkDocs does.
    parallel_pages = c.Type(bool, default=True)
    # A full build keeps the site it replaces in cache_dir and writes over that site's files next
    # time, rather than deleting a whole site and making every file anew (the same site; false
    # deletes the old site as MkDocs does).
    reuse_old_site = c.Type(bool, default=True)
