"""The ``atlas`` plugin's options, as set under ``plugins: - atlas:`` in mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

DEFAULT_TITLES = {
    "explore": "Explore case studies",
    "regions": "Regions",
    "settings": "Care settings",
    "themes": "Themes",
    "commitments": "Commitments",
    "organisations": "Organisations",
    "years": "Years",
    "submit": "Submit a case study",
}


class AtlasConfig(Config):
    """Where the cases and schemas are, how pages are named, and what to do with invalid cases."""

    enabled = c.Type(bool, default=True)

    # Inputs, relative to mkdocs.yml.
    cases_dir = c.Type(str, default="cases")
    schemas_dir = c.Type(str, default="schemas")

    # What a build does with a case that fails `atlas check`: "warn" skips it
    # with a warning (a --strict build still fails), "fail" stops the build.
    invalid_cases = c.Choice(("warn", "fail"), default="warn")

    # Site sections: titles of the generated index pages, by section.
    titles = c.DictOfItems(c.Type(str), default={})

    # Feeds and related cases. "index": shared key terms from the search index
    # (kept up to date incrementally in index_dir), blended with shared facets;
    # "facets": shared facets alone, and no index; "none": no related lists.
    feed_size = c.Type(int, default=20)
    related_count = c.Type(int, default=5)
    related = c.Choice(("index", "facets", "none"), default="index")
    index_dir = c.Type(str, default=".atlas/index")

    # Reader search in the header: "pagefind" indexes the case pages after the
    # build (loaded in chunks by the browser); "material" keeps Material's own.
    reader_search = c.Choice(("pagefind", "material"), default="pagefind")

    # Edit links of case pages: repo_url + this + the case's path in the
    # repository. Default: edit_uri with a trailing "docs/" removed.
    cases_edit_uri = c.Optional(c.Type(str))
