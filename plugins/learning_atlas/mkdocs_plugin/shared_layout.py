"""Drawing generated pages faster without changing a byte of them.

Two savings, both for the pages the plugin generates (case pages, listings, explore…):

* :class:`TemplateOnlyPage`: a generated page's Markdown source is only front matter naming
  its template, so converting it builds a Markdown processor with every configured extension
  to turn an empty string into an empty string. The page is given exactly what that
  conversion gives (no content, no table of contents, no anchors) without it.
* :class:`SharedLayout`: Material renders its whole layout for every page: the header, the
  navigation tree, the footer, the scripts' configuration. For a page outside the navigation
  those blocks depend on nothing but where the page sits (its links are relative), so pages
  that sit side by side (``cases/a/`` and ``cases/b/``) share them: each block is rendered for
  the first such page and reused for the others.

A block is shared only where that is certain: never on a page in the navigation (the
navigation marks it and its sections as active), never on a page whose own folder holds an
address the block links to (from ``cases/a/`` a link to ``cases/a/x/`` reads ``x/``, from
``cases/b/`` it reads ``../a/x/``), and never when the site overrides a template the blocks
include (the overriding template may print the page's own title or address).
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from typing import Callable

from jinja2 import Environment, TemplateNotFound, pass_context
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

_page_log = logging.getLogger("mkdocs.structure.pages")

SHARED_BLOCKS = ("styles", "libs", "fonts", "analytics", "header", "tabs", "nav", "footer", "config", "scripts")
"""The layout blocks shared between neighbouring pages (``nav``: the navigation tree in ``site_nav``)."""

LAYOUT_TEMPLATES = (
    "partials/header.html", "partials/footer.html", "partials/nav.html", "partials/nav-item.html",
    "partials/tabs.html", "partials/tabs-item.html", "partials/search.html", "partials/palette.html",
    "partials/alternate.html", "partials/source.html", "partials/logo.html", "partials/icons.html",
    "partials/social.html", "partials/copyright.html", "partials/language.html",
    "partials/integrations/analytics.html", "partials/javascripts/palette.html",
)
"""The templates the shared blocks include: a site that overrides one of them shares none."""


class TemplateOnlyPage(Page):
    """A generated page: its template draws it, so its (empty) Markdown is not converted."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if self.markdown.strip():  # never for the plugin's own stubs; converted as MkDocs would
            super().render(config, files)
            return
        # What converting "" gives: no content, no contents list, no title, no anchors.
        self.content = ""
        self.toc = get_toc([])
        self._title_from_render = None
        self.present_anchor_ids = set()
        if _page_log.getEffectiveLevel() > logging.DEBUG:  # as MkDocs sets it
            self.links_to_anchors = {}


def template_only(page: Page) -> None:
    """Make MkDocs' page object for a generated file a :class:`TemplateOnlyPage` (from ``on_nav``)."""
    if type(page) is Page:
        page.__class__ = TemplateOnlyPage


class SharedLayout:
    """Layout blocks rendered once per template and folder, for the pages outside the navigation.

    Templates use it as ``atlas_layout.get(name, page)`` (the block, or None) and
    ``atlas_layout.keep(name, page, html)``; see ``templates/theme/main.html``.
    """

    def __init__(self, env: Environment, config: MkDocsConfig, nav: Navigation | None, theme_dirs: list[str]) -> None:
        self._blocks: dict[tuple, tuple[Markup, frozenset[str]]] = {}  # a block, the folders it links into
        self._places: dict[int, tuple | None] = {}  # by page: what its shared blocks depend on
        self._nav_pages = {id(page) for page in nav.pages} if nav is not None else set()
        self._target_folders = _folders([*_nav_targets(nav), *map(str, config.extra_css), *map(str, config.extra_javascript)])
        features = config.theme.get("features") or []
        self.enabled = "toc.integrate" not in features and _layout_is_ours(env, theme_dirs)
        self._recording: list[str] | None = None
        if self.enabled:
            self._wrap_url_filter(env)

    def get(self, name: str, page: Page | None) -> Markup | None:
        """The block ``name`` as already rendered for a page beside ``page``, or None: render it."""
        key = self._key(name, page)
        if key is None:
            return None
        found = self._blocks.get(key)
        if found is not None and _folder(page.url) not in found[1]:
            return found[0]
        self._recording = []  # the addresses the block links to, while it is rendered
        return None

    def keep(self, name: str, page: Page | None, html: str) -> Markup:
        """Remember the block ``name`` just rendered for ``page``; returns it, to be printed."""
        html = Markup(html)
        targets, self._recording = self._recording, None
        key = self._key(name, page)
        if key is not None and targets is not None:
            folders = _folders(targets)
            if _folder(page.url) not in folders:
                self._blocks.setdefault(key, (html, folders))
        return html

    def _key(self, name: str, page: Page | None) -> tuple | None:
        if not self.enabled or page is None:
            return None
        where = self._places.get(id(page), False)
        if where is False:
            where = self._places[id(page)] = self._place(page)
        return None if where is None else (name, *where)

    def _place(self, page: Page) -> tuple | None:
        """What the shared blocks of ``page`` depend on, or None if they cannot be shared."""
        if id(page) in self._nav_pages or page.parent is not None:
            return None
        folder = _folder(page.url)
        if not folder or folder in self._target_folders:
            return None
        hide = page.meta.get("hide") or ()
        return (page.meta.get("template", "main.html"), posixpath.dirname(folder),
                page.previous_page is None, page.next_page is None, tuple(hide) if isinstance(hide, list) else hide)

    def _wrap_url_filter(self, env: Environment) -> None:
        url: Callable = env.filters["url"]

        @pass_context
        def recording_url(context, value):
            if self._recording is not None:
                self._recording.append(str(value))
            return url(context, value)

        env.filters["url"] = recording_url


def _folder(url: str) -> str:
    """The folder a page's relative links are resolved from: ``cases/a`` for ``cases/a/``."""
    return url[:-1] if url.endswith("/") else posixpath.dirname(url)


def _folders(targets) -> frozenset[str]:
    """Every folder the relative addresses ``targets`` lie in (``cases/a/x/`` lies in ``cases/a/x``, ``cases/a``, ``cases``)."""
    out = set()
    for target in targets:
        path = target.split("#", 1)[0].split("?", 1)[0].strip("/")
        while path:
            out.add(path)
            path = posixpath.dirname(path)
    return frozenset(out)


def _nav_targets(nav: Navigation | None) -> list[str]:
    if nav is None:
        return []
    out = []
    stack = list(nav.items)
    while stack:
        item = stack.pop()
        url = getattr(item, "url", None)
        if url is not None:
            out.append(str(url))
        stack.extend(getattr(item, "children", None) or ())
    if nav.homepage is not None:
        out.append(nav.homepage.url)
    return out


def _layout_is_ours(env: Environment, theme_dirs: list[str]) -> bool:
    """Whether every template the shared blocks include is Material's or the atlas's own."""
    ours = [Path(d).resolve() for d in theme_dirs]
    for name in LAYOUT_TEMPLATES:
        try:
            source = env.loader.get_source(env, name)[1]  # type: ignore[union-attr]
        except TemplateNotFound:
            continue
        path = Path(source).resolve() if source else None
        if path is None or not any(path.is_relative_to(d) for d in ours):
            return False
    return True

