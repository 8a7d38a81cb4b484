"""``atlas serve``'s fast render: the page of a saved case, shown before the rest of the rebuild.

After a save of one case file, a rebuild of the whole atlas (even an incremental one) costs
most of a second at 1,000 cases: MkDocs lists and keys every file, and the plugin checks every
case. Most saves change only the text of a case, and then only that case's own page shows the
change at once (listings, feeds, open data and the search index show it too, but the reader is
looking at the case). So, as Hugo's fast render mode does, ``atlas serve`` first reads and checks
that one file, renders its article and its page alone, with the template environment,
navigation and files of the last build, writes it and lets the browser reload; then it runs the
incremental build as before, for everything else (which also writes that page again if its
bytes would differ: the site still ends byte for byte as a clean build).

The fast render is only taken when it is sure to write what the full rebuild will write for that
page (:func:`differences`): the file is a valid case, still a regular file, and only fields that
no other part of the atlas derives anything from have changed (its text, figures, contact,
links); a file saved as it was stands as written, and nothing is written. Anything else (a new
title, other facets, a new or deleted or renamed file, an invalid file, a link or a folder in
its place, the schema, a vocabulary, a page of the site's own) takes the full incremental build
alone, as before. Its related list is the last build's, as in every rebuild of ``atlas serve``:
the search index's lists follow in a build of their own.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
from pathlib import Path
from typing import Any, Callable, Iterable

from learning_atlas.contract.case import Case
from learning_atlas.contract.loader import CASE_SUFFIX, load_case
from learning_atlas.site.rendering import render_case_article

log = logging.getLogger("mkdocs.atlas.serve")

OWN_PAGE_FIELDS = frozenset({
    "summary", "sections", "measures", "contact", "links", "body", "lead_role", "lead_name", "review_by",
})
"""A case's fields that only its own page (and data written by the full rebuild) shows.

Nothing the atlas derives for other pages (listings, organisations' addresses, lineage, years,
redirects, collections) reads them, so a case page rendered with the new case and the last
build's atlas is the page the full rebuild writes. Any other field changed: no fast render.
"""


def differences(old: Case, new: Case) -> set[str]:
    """The fields of ``new`` that differ from ``old`` (its related list aside: that is the atlas's)."""
    return {
        f.name for f in dataclasses.fields(Case)
        if f.name != "related" and getattr(old, f.name) != getattr(new, f.name)
    }


@dataclasses.dataclass
class LastBuild:
    """What MkDocs handed each page in the last build that succeeded."""

    config: Any
    files: Any
    doc_files: Any
    nav: Any
    env: Any


class BuildRecorder:
    """Keeps what MkDocs' build passes to ``_populate_page`` and ``_build_page``, for :class:`FastRender`.

    MkDocs makes these objects inside its ``build()`` and keeps none of them; wrapping the two
    functions (in this process only) is how the serve process sees them.
    """

    def __init__(self, build_module) -> None:
        self.last: LastBuild | None = None
        self._seen: dict[str, Any] = {}
        populate, build_page = build_module._populate_page, build_module._build_page

        def _populate_page(page, config, files, dirty=False):
            self._seen["files"] = files
            return populate(page, config, files, dirty)

        def _build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
            self._seen.update(config=config, doc_files=doc_files, nav=nav, env=env)
            return build_page(page, config, doc_files, nav, env, dirty, excluded)

        build_module._populate_page = _populate_page
        build_module._build_page = _build_page
        self._populate, self._build_page = populate, build_page

    def start(self) -> None:
        """A build begins: until it ends well, there is nothing to render from."""
        self.last = None
        self._seen = {}

    def finish(self, ok: bool) -> None:
        """A build ended; ``ok`` when it succeeded (and so wrote every page it had to)."""
        seen, self._seen = self._seen, {}
        if ok and {"config", "files", "doc_files", "nav", "env"} <= seen.keys():
            self.last = LastBuild(**seen)

    def render_page(self, page, last: LastBuild) -> None:
        """Read, render and write one page as the last build did (MkDocs' own two steps)."""
        self._populate(page, last.config, last.files, False)
        self._build_page(page, last.config, last.doc_files, last.nav, last.env, False, False)


def saved_case(paths: Iterable[str], cases_dir: Path) -> Path | None:
    """The one case file among ``paths`` (what the watcher reported), or None when anything else changed.

    Hidden files (an editor's swap and lock files) are ignored, and so are files gone by now
    that are not case files (an editor's backup, written and removed while saving).
    """
    found: Path | None = None
    for name in paths:
        path = Path(name)
        if path.name.startswith("."):
            continue
        if path.parent != cases_dir or not path.name.endswith(CASE_SUFFIX):
            if path.parent == cases_dir and not os.path.lexists(path):
                continue
            return None
        if found is not None and found != path:
            return None
        found = path
    return found


class FastRender:
    """Renders the page of one saved case from the last build (see the module's docstring)."""

    def __init__(self, recorder: BuildRecorder, find_plugin: Callable[[Any], Any]) -> None:
        self.recorder = recorder
        self.find_plugin = find_plugin

    def render(self, paths: Iterable[str]) -> str | None:
        """Write the page of the case saved (``paths``: the changes reported); the page's path in the
        site, or None when the full rebuild must do it (the reason is logged at debug level)."""
        last = self.recorder.last
        if last is None:
            return _no("no build to render from")
        plugin = self.find_plugin(last.config)
        if plugin is None or plugin.atlas is None or plugin.case_schema is None or plugin.incremental is None:
            return _no("the atlas plugin has no atlas")
        cases_dir = plugin._path(plugin.config.cases_dir)
        path = saved_case(paths, cases_dir)
        if path is None:
            return _no("not one case file saved")
        slug = path.name[: -len(CASE_SUFFIX)]
        old = plugin.atlas.by_slug.get(slug)
        src_uri = f"cases/{slug}.md"
        file = last.files.get_file_from_path(src_uri)
        spec = plugin.pages.get(src_uri)
        if old is None or file is None or file.page is None or spec is None or spec.case is not old:
            return _no(f"{slug} had no page in the last build")
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return _no(f"{path} is gone")
        if not stat.S_ISREG(mode):
            return _no(f"{path} is not a regular file")
        loaded = load_case(path, plugin.case_schema)
        if loaded.has_errors:
            return _no(f"{path} has errors")
        new = Case.from_loaded(loaded)
        changed = differences(old, new)
        if not changed:
            return file.dest_uri  # saved as it was (or only its layout changed): its page is as written
        if not changed <= OWN_PAGE_FIELDS:
            return _no(f"{slug}: {', '.join(sorted(changed - OWN_PAGE_FIELDS))} changed")
        new.related = list(old.related)
        _ = new.signal  # as the build reads it before rendering
        article = render_case_article(new)
        plugin.pages[src_uri] = dataclasses.replace(spec, case=new)
        plugin.articles[slug] = article
        if plugin.citations is not None:
            plugin.citations.forget(slug)
        plugin.incremental.forget(file.abs_dest_path)  # the full rebuild renders it again
        plugin.incremental.shown_first = True
        self.recorder.render_page(file.page, last)
        self.recorder.last = None  # the plugin's state now holds this page's case: the next build makes it whole
        return file.dest_uri


def _no(reason: str) -> None:
    log.debug(f"atlas serve: no fast render: {reason}")
    return None
