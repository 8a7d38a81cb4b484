"""The plugin's hooks for drawing its generated pages faster, byte for byte the same.

Four savings (each says why it is safe): a generated page's empty Markdown is not converted
(:class:`~.shared_layout.TemplateOnlyPage`); the layout blocks neighbouring pages share are
rendered once (:class:`~.shared_layout.SharedLayout`); in a full build the generated pages are
drawn ahead on every core (:class:`~.parallel_pages.PageDrawer`), and the data files (three
citation files a case, feeds, open data) are written by threads while the pages are drawn
(:class:`BackgroundWrites`). The compiled templates are kept between builds
(:class:`TemplateCodeCache`), so neither the build nor its workers compile them again.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.utils.templates import TemplateContext

from learning_atlas.mkdocs_plugin.parallel_pages import PageDrawer
from learning_atlas.mkdocs_plugin.shared_layout import SharedLayout, template_only
from learning_atlas.processes.parallel import LEAST
from learning_atlas.site.site_folder import write_over


class BackgroundWrites:
    """Data files written by a few threads (file-system calls let the build go on meanwhile).

    Files are handed to the threads in batches (a hand-over costs more than writing a small
    file). :meth:`finish` waits for every write and raises the first error, so a file that could
    not be written fails the build as MkDocs' own copying would; :meth:`cancel` drops the rest.
    """

    THREADS = 4
    BATCH = 200

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="atlas-write")
        self._writes: list[Future] = []
        self._batch: list[tuple[str, str | bytes]] = []

    def write(self, path: str, content: str | bytes) -> None:
        self._batch.append((path, content))
        if len(self._batch) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self._writes.append(self._pool.submit(_write_files, batch))

    def finish(self) -> None:
        self._send()
        writes, self._writes = self._writes, []
        try:
            for write in writes:
                write.result()
        finally:
            self._pool.shutdown(cancel_futures=True)

    def cancel(self) -> None:
        self._batch = []
        self._pool.shutdown(wait=True, cancel_futures=True)


def _write_files(batch: list[tuple[str, str | bytes]]) -> None:
    made: set[str] = set()
    for path, content in batch:
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        write_over(path, content.encode("utf-8") if isinstance(content, str) else content)


class TemplateCodeCache(FileSystemBytecodeCache):
    """Compiled templates kept in the build caches' folder, for the next build and the drawing workers.

    Jinja keeps each template's code with a checksum of its source and compiles an edited
    template again. A cache that cannot be read or written only costs the compiling."""

    @classmethod
    def at(cls, folder: Path) -> "TemplateCodeCache | None":
        """The cache in ``folder`` (made if need be), or None if it cannot be made: templates compiled every build."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return cls(str(folder))

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - damaged or unreadable: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class FastPagesHooks:
    """Mixed into ``AtlasPlugin``: uses its ``config``, ``pages`` (generated pages by src_uri) and ``incremental``."""

    nav: Navigation | None = None
    drawer: PageDrawer | None = None
    writes: BackgroundWrites | None = None
    gc_frozen = False

    def freeze_atlas(self) -> None:
        """Leave the loaded atlas out of the garbage collector's passes until the build ends.

        At 5,000 cases each full pass over it took a tenth of a second, about ten a build; the atlas
        is alive until the end anyway. Drawing workers forked meanwhile inherit it frozen."""
        if self.gc_frozen or gc.get_freeze_count() == 0:  # again: what was made since is kept too
            gc.freeze()
            self.gc_frozen = True

    def release_atlas(self, *, serve: bool = True) -> None:
        """Give the collector back what :meth:`freeze_atlas` froze, where the process builds again (serve).

        A ``build`` process ends with the build: released, the atlas would only be walked once more."""
        if self.gc_frozen and serve:
            gc.unfreeze()
            self.gc_frozen = False

    def start_writing(self) -> None:
        """In a full build, write the data files in the background (``atlas serve`` keys them as they are)."""
        self.stop_writing()
        if self.incremental is None and self.config.parallel_pages:  # type: ignore[attr-defined]
            self.writes = BackgroundWrites()

    def finish_writing(self) -> None:
        """Wait for the data files (before any plugin's ``on_post_build`` reads the site)."""
        writes, self.writes = self.writes, None
        if writes is not None:
            writes.finish()

    def stop_writing(self) -> None:
        writes, self.writes = self.writes, None
        if writes is not None:
            writes.cancel()

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
        if self.gc_frozen:
            gc.freeze()  # the pages, files and navigation made since: alive to the end, and inherited by the workers
        if jobs > 1 and len(pages) >= LEAST and "fork" in multiprocessing.get_all_start_methods():
            self.drawer = PageDrawer(pages, env=env, config=config, nav=self.nav, doc_files=doc_files, jobs=jobs,
                                     after=lambda page: self._write_side_files(page, config))

    def drawn_page(self, context: TemplateContext, page, config: MkDocsConfig) -> None:
        """Hand the page a worker drew to ``atlas/drawn.html`` (from ``on_page_context``).

        A page no drawer draws gets its side files (see :meth:`page_side_files`) written here."""
        html = self.drawer.html(page, context) if self.drawer is not None else None
        if html is not None:
            context["atlas_drawn"] = html
        else:
            self._write_side_files(page, config)

    def defer_side_files(self) -> bool:
        """Whether a page's side files are written where the page is drawn, rather than listed as files.

        In a full build they are (:meth:`page_side_files`: for a case page, its three citation files,
        which drawing the page works out anyway); ``atlas serve`` keeps them as files it can key."""
        return self.writes is not None

    def page_side_files(self, page) -> dict[str, str]:
        """``{path in the site: text}`` written beside ``page`` when it is drawn (the plugin says which)."""
        return {}

    def _write_side_files(self, page, config: MkDocsConfig) -> None:
        if self.defer_side_files():
            _write_files([(os.path.join(config.site_dir, *path.split("/")), text)
                          for path, text in self.page_side_files(page).items()])

    def stop_drawing(self) -> None:
        if self.drawer is not None:
            self.drawer.close()
            self.drawer = None

    def _generated_pages(self, files: Files):
        for uri in self.pages:  # type: ignore[attr-defined]
            file = files.get_file_from_path(uri)
            if file is not None and getattr(file, "generated_by", None) == "atlas" and file.page is not None:
                yield file
