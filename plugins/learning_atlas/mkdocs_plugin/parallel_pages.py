"""Generated pages drawn on every core: the same template and context, in forked workers.

MkDocs draws pages one after another in one process. By the time it starts (``on_env``),
everything a generated page shows is known: the pages, the navigation, the atlas and its
related lists. So the plugin has its generated pages drawn ahead, in forked processes that
inherit all of it, each exactly as MkDocs draws a page (marked active, its context from
MkDocs' ``get_context`` and every plugin's ``on_page_context``, its own template). MkDocs
then draws each of them with ``atlas/drawn.html``, which prints the page drawn for it, and
does the rest as for any page (every plugin's ``on_page_context`` and ``on_post_page``, the
writing). A page a worker could not draw is drawn in this process from the same context
with its own template, so an error in a template is reported as MkDocs reports it.
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

from jinja2 import Environment
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from learning_atlas.processes.parallel import ParallelStream

DRAWN_TEMPLATE = "atlas/drawn.html"
"""The template MkDocs draws a page with once a worker has drawn it: it prints ``atlas_drawn``."""


class PageDrawer:
    """Draws ``pages`` ahead in ``jobs`` forked workers, in the order MkDocs will ask for them."""

    def __init__(self, pages: Sequence[Page], *, env: Environment, config: MkDocsConfig, nav: Navigation,
                 doc_files: Sequence[File], jobs: int, after: Callable[[Page], None] | None = None) -> None:
        """``after(page)``, if given, is called where each page was drawn, once it was (to write its files)."""
        self._env, self._config, self._nav, self._doc_files = env, config, nav, doc_files
        self._after = after
        self._uris = [page.file.src_uri for page in pages]
        self._templates = {page.file.src_uri: page.meta.get("template", "main.html") for page in pages}
        self._drawn: dict[str, str | None] = {}
        self._taken = 0
        self._pid = os.getpid()  # a worker is a process other than this one
        self._stream: ParallelStream | None = ParallelStream(self._draw, list(pages), jobs=jobs)
        for page in pages:  # after the fork: the workers draw with the pages' own templates
            page.meta["template"] = DRAWN_TEMPLATE

    def _draw(self, page: Page) -> str | None:
        """In a worker: the page as MkDocs' ``_build_page`` draws it, or None if that failed."""
        config = self._config
        config._current_page = page
        page.active = True
        page.meta["template"] = self._templates[page.file.src_uri]
        try:
            context = get_context(self._nav, self._doc_files, config, page)
            template = self._env.get_template(page.meta["template"])
            context = config.plugins.on_page_context(context, page=page, config=config, nav=self._nav)
            html = template.render(context)
            if self._after is not None:
                self._after(page)
            # The page's folder, made here on another core: MkDocs then finds it when it writes the page.
            os.makedirs(os.path.dirname(page.file.abs_dest_path), exist_ok=True)
            return html
        except Exception:  # noqa: BLE001 - drawn again in the build's process, which reports the error
            return None
        finally:
            page.active = False
            config._current_page = None

    def html(self, page: Page, context) -> str | None:
        """The page drawn for ``page`` (None for a page this drawer does not draw); from ``on_page_context``.

        A page no worker drew is drawn here, and ``after`` called for it here."""
        uri = page.file.src_uri
        if os.getpid() != self._pid or uri not in self._templates:  # in a worker, pages are drawn as usual
            return None
        while uri not in self._drawn and self._stream is not None and self._taken < len(self._uris):
            try:
                drawn = self._stream.take()
            except Exception:  # noqa: BLE001 - a worker that died: the page is drawn here instead
                drawn = None
            self._drawn[self._uris[self._taken]] = drawn
            self._taken += 1
        page.meta["template"] = self._templates[uri]  # MkDocs has taken atlas/drawn.html; others see the page's own
        html = self._drawn.pop(uri, None)
        if html is None:
            html = self._env.get_template(self._templates[uri]).render(context)
            if self._after is not None:
                self._after(page)
        return html

    def close(self) -> None:
        """Stop the workers (at the end of the build, or when it fails)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
