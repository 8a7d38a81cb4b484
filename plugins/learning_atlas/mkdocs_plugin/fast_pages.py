"""The plugin's hooks for drawing its generated pages faster, byte for byte the same.

Three savings (each module says why it is safe): a generated page's empty Markdown is not
converted (:class:`~.shared_layout.TemplateOnlyPage`); the layout blocks neighbouring pages
share are rendered once (:class:`~.shared_layout.SharedLayout`); and in a full build the
generated pages are drawn ahead on every core (:class:`~.parallel_pages.PageDrawer`).
"""

from __future__ import annotations

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.utils.templates import TemplateContext

from learning_atlas.mkdocs_plugin.parallel_pages import PageDrawer
from learning_atlas.mkdocs_plugin.shared_layout import SharedLayout, template_only
from learning_atlas.processes.parallel import LEAST


class FastPagesHooks:
    """Mixed into ``AtlasPlugin``: uses its ``config``, ``pages`` (generated pages by src_uri) and ``incremental``."""

    nav: Navigation | None = None
    drawer: PageDrawer | None = None

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Keep the navigation for the layout blocks; generated pages skip Markdown."""
        self.nav = nav
        if self.config.enabled:  # type: ignore[attr-defined]
            for file in self._generated_pages(files):
                template_only(file.page)
        return nav

    def shared_layout(self, env: Environment, config: MkDocsConfig, theme_dirs: list[str]) -> SharedLayout | None:
        """A new :class:`SharedLayout` for this build's pages, unless ``shared_layout: false``."""
        if not self.config.shared_layout:  # type: ignore[attr-defined]
            return None
        return SharedLayout(env, config, self.nav, theme_dirs)

    def start_drawing(self, env: Environment, config: MkDocsConfig, files: Files, *, jobs: int, serve: bool) -> None:
        """In a full build (not ``atlas serve``'s), start drawing the generated pages ahead on ``jobs`` cores."""
        self.stop_drawing()
        if not self.config.parallel_pages or self.incremental is not None or self.nav is None:  # type: ignore[attr-defined]
            return
        # The pages MkDocs draws, in its order (the drawer works ahead of it in that order).
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve if serve else InclusionLevel.is_included)
        ours = {file.src_uri for file in self._generated_pages(files)}
        pages = [file.page for file in doc_files if file.src_uri in ours and not file.inclusion.is_excluded()]
        if jobs > 1 and len(pages) >= LEAST:
            self.drawer = PageDrawer(pages, env=env, config=config, nav=self.nav, doc_files=doc_files, jobs=jobs)

    def drawn_page(self, context: TemplateContext, page) -> None:
        """Hand the page a worker drew to ``atlas/drawn.html`` (from ``on_page_context``)."""
        if self.drawer is not None:
            html = self.drawer.html(page, context)
            if html is not None:
                context["atlas_drawn"] = html

    def stop_drawing(self) -> None:
        if self.drawer is not None:
            self.drawer.close()
            self.drawer = None

    def _generated_pages(self, files: Files):
        for uri in self.pages:  # type: ignore[attr-defined]
            file = files.get_file_from_path(uri)
            if file is not None and getattr(file, "generated_by", None) == "atlas" and file.page is not None:
                yield file
