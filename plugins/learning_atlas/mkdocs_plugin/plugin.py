"""The ``atlas`` MkDocs plugin: builds the case pages, listings, explore page, feeds and open data.

Each hook is a few lines that hand off to named helpers; the work itself is
done by the MkDocs-free core (:mod:`learning_atlas.contract.loader`, ``model``,
``rendering``, ``exports``).
"""

from __future__ import annotations

import enum
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import material
from jinja2 import Environment
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from learning_atlas.contract.case import Case
from learning_atlas.contract.case_assets import Asset
from learning_atlas.contract.checker import CheckResult, check_paths
from learning_atlas.contract.load_cache import CaseLoadCache
from learning_atlas.contract.schema import CaseSchema, SchemaLoadError, load_case_schema, schema_files
from learning_atlas.editors.submit_form import form_data
from learning_atlas.mkdocs_plugin.config import AtlasConfig
from learning_atlas.mkdocs_plugin.fast_pages import FastPagesHooks, TemplateCodeCache
from learning_atlas.mkdocs_plugin.incremental import AtlasFile, IncrementalBuilds, IncrementalHooks, schema_key
from learning_atlas.mkdocs_plugin.site_staging import SiteStagingHooks
from learning_atlas.processes.background import remove_leftovers
from learning_atlas.processes.committed import committed_files
from learning_atlas.processes.parallel import parallel_map
from learning_atlas.search.key_terms import RelatedListsJob
from learning_atlas.site import explore, exports
from learning_atlas.site.article_cache import ArticleCache
from learning_atlas.site.case_metadata import CaseCitations
from learning_atlas.site.charts import example_charts
from learning_atlas.site.learning_collections import Collection
from learning_atlas.site.lineage import lineage_svg
from learning_atlas.site.model import Atlas, Listing
from learning_atlas.site.pagefind_records import PagefindCache, PagefindRecords, PagefindRun, ReaderSearchError
from learning_atlas.site.rendering import (
    CardRenderer,
    escape,
    format_date,
    format_number,
    mailto,
    render_case_article,
)

log = logging.getLogger("mkdocs.plugins.atlas")

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
MATERIAL_TEMPLATES = str(Path(material.__file__).resolve().parent / "templates")
OVERRIDES = TEMPLATES / "overrides"  # replaces Material partials (search box) unless a site overrides them
THEME = TEMPLATES / "theme"  # the atlas's layout over Material's: main.html, 404.html, header, footer
ASSETS = HERE / "assets"
STYLESHEET = "assets/atlas/atlas.css"
SPREAD_STYLESHEET = "assets/atlas/spread.css"  # lineage, collections, most taken up: on case and listing pages
JOBS = os.cpu_count() or 1
"""Processes that load and render cases: one a core."""


class PageKind(str, enum.Enum):
    """The kinds of page the plugin generates, each drawn by its own template."""

    CASE = "case"
    LISTING = "listing"
    SECTION = "section"
    EXPLORE = "explore"
    SUBMIT = "submit"
    COLLECTION = "collection"
    COLLECTIONS = "collections"
    TAKEN_UP = "most-taken-up"


_SKIP_TARGETS = {  # where Material's skip link goes on pages drawn by our templates
    PageKind.LISTING: "case-studies", PageKind.SECTION: "section-title", PageKind.EXPLORE: "explore-title",
    PageKind.SUBMIT: "submit-title", PageKind.COLLECTION: "collection-title",
    PageKind.COLLECTIONS: "collections-title", PageKind.TAKEN_UP: "taken-up-title",
}


@dataclass
class GeneratedPage:
    """What a generated page shows: its kind, its title and the object it is about."""

    kind: PageKind
    title: str = ""
    case: Case | None = None
    listing: Listing | None = None
    section: str = ""
    listings: list[Listing] = field(default_factory=list)
    feed: str | None = None
    collection: Collection | None = None


def theme_text(value: object) -> Markup:
    """``value`` escaped for HTML, once: what the adapter hands the theme.

    Material prints ``page.title`` and ``page.meta`` without escaping (MkDocs' theme
    environment has autoescape off), in ``<title>``, in ``<meta content="…">`` and in the
    header; ``Markup`` keeps our own autoescaping templates from escaping it twice.
    """
    return Markup.escape(str(value))


def theme_metadata(spec: GeneratedPage) -> dict[str, Markup]:
    """The page metadata the theme prints for a generated page, every value escaped by :func:`theme_text`."""
    meta = {"title": theme_text(spec.title)}
    if spec.case is not None:
        meta["description"] = theme_text(spec.case.summary)
    elif spec.listing is not None and spec.listing.description:
        meta["description"] = theme_text(spec.listing.description)
    elif spec.collection is not None:
        meta["description"] = theme_text(" ".join(spec.collection.purpose.split()))
    return meta


class AtlasPlugin(IncrementalHooks, FastPagesHooks, SiteStagingHooks, BasePlugin[AtlasConfig]):
    """Turns ``cases/*.md`` into the atlas: case pages, listings, explore, feeds, open data."""

    def __init__(self) -> None:
        self.is_serve = False
        self.is_dirty = False
        self.incremental: IncrementalBuilds | None = None  # kept between the builds of `atlas serve`
        self.search_records: PagefindRecords | None = None
        self._reset()

    def _reset(self) -> None:
        self.atlas: Atlas | None = None
        self.pagefind: PagefindRun | None = None
        self.related_job: RelatedListsJob | None = None
        self.staged = None
        self.site_dir = ""
        self.articles: dict[str, tuple[str, list[dict]]] = {}
        self.assets: dict[str, list[Asset]] = {}
        self.pages: dict[str, GeneratedPage] = {}
        self.case_schema: CaseSchema | None = None
        self.invalid_slugs: set[str] = set()
        self.relate_entries: list = []
        self.citations: CaseCitations | None = None
        self.root = Path.cwd()

    # --- hooks -------------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve`` (drafts are built only there) and a dirty build."""
        self.is_serve = command == "serve"
        self.is_dirty = dirty
        if self.is_serve and dirty and self.incremental is None:
            self.incremental = IncrementalBuilds()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Reset state left from a previous build (serve) and add our templates and stylesheet."""
        if not self.config.enabled:
            return config
        self._reset()
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        # Appended after the theme's own folders: our names are namespaced (atlas/…),
        # and a site's custom_dir, which comes first, can override any of them.
        config.theme.dirs.append(str(TEMPLATES))
        self._stage_site(config)
        self._insert_overrides(config, THEME)
        if self.config.reader_search == "pagefind":
            self._insert_overrides(config, OVERRIDES)
        for stylesheet in (STYLESHEET, SPREAD_STYLESHEET):
            if stylesheet not in config.extra_css:
                config.extra_css.append(stylesheet)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Load and check every case before the site folder is touched: a failure leaves it as it was.

        The search index and key terms are brought up to date in another process meanwhile;
        the related lists that need them are made just before the first case page.
        """
        if not self.config.enabled:
            return
        remove_leftovers()  # temporary folders of earlier builds that were killed
        self._refuse_committed_caches()
        self._start_related_job()
        case_schema = self._load_schema()
        inc = self.incremental  # atlas serve's cache, in memory; a full build's is read from cache_dir
        cache = inc.load_cache if inc else CaseLoadCache.read(self._path(self.config.cache_dir) / "checked-cases.pickle")
        self.freeze_atlas()
        result = check_paths(
            [self._path(self.config.cases_dir)], case_schema, jobs=JOBS,
            cache=cache, cache_key=schema_key(self._schema_files()),
            collections=self._path(self.config.collections_dir),
        )
        if inc is None:
            cache.write(self._path(self.config.cache_dir) / "checked-cases.pickle")
        self.invalid_slugs = {p.path.name.removesuffix(".md") for p in result.problems if p.is_error}
        try:
            self._report(result, strict=bool(config.strict))
        except PluginError:
            self._stop_background_work()
            raise
        self._make_atlas(result, case_schema)
        self.freeze_atlas()
        self.relate_entries = self.atlas.relate_entries() if self.related_job is not None else []
        if self.related_job is not None:
            self.related_job.send(self.relate_entries)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page, asset and data file (never written into docs_dir).

        Pagefind starts indexing the cases here, in the background, while the pages are rendered.
        """
        if not self.config.enabled or self.atlas is None:
            return files
        if self.incremental is not None:
            if self.related_job is not None:
                self._relate_incrementally()  # what is rebuilt depends on the related lists
            atlas_key = self._key_atlas(files, config)
        self.start_writing()
        generated = [f for f in self._generate_files(config) if files.get_file_from_path(f.src_uri) is None]
        self._carry_over([*files, *generated], also=self.citations.paths() if self.defer_side_files() else [])
        if self.incremental is not None:
            self._mark_unchanged(files, generated, config, atlas_key)
        elif self.config.reader_search == "pagefind":
            articles = {slug: prepared[0] for slug, prepared in self.articles.items() if prepared}
            cache = PagefindCache(self._path(self.config.cache_dir) / "pagefind")
            self.pagefind = PagefindRun.start(self.atlas, articles, Path(config.site_dir) / "pagefind", cache)
        # Case pages last (a stable sort): their related lists are made in the background.
        return Files(list(files) + sorted(generated, key=self._is_case_page))

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Give generated pages their title and description, escaped, and case pages their edit link."""
        spec = self.pages.get(page.file.src_uri)
        if spec is None:
            return example_charts(markdown)
        page.meta.update(theme_metadata(spec))
        if self.config.reader_search == "pagefind":
            page.meta["search"] = {"exclude": True}  # Pagefind indexes these; Material's index stays small
        if spec.case is not None:
            page.edit_url = self._edit_url(spec.case, config)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A case page's content is its sanitised article, so search indexes what readers see."""
        spec = self.pages.get(page.file.src_uri)
        if spec is None:
            return html
        if spec.case is None:
            # Listing pages are drawn by their templates; their table of contents gives
            # Material's skip link somewhere to go. A contents list of that one entry is no use to
            # a reader, so on listings and indexes Material hides it (its "hide: [toc]").
            page.toc = get_toc([{"level": 2, "id": _SKIP_TARGETS[spec.kind], "name": escape(spec.title), "children": []}])
            if spec.kind in (PageKind.LISTING, PageKind.SECTION, PageKind.COLLECTION, PageKind.COLLECTIONS,
                             PageKind.TAKEN_UP):
                hide = page.meta.setdefault("hide", [])
                if "toc" not in hide:
                    hide.append("toc")
            return html
        article, toc_tokens = self.articles[spec.case.slug]
        page.toc = get_toc(toc_tokens + self._spread_toc(spec.case))
        return article

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Give templates the atlas and its formatting filters."""
        if self.incremental is not None:
            self.incremental.record_outputs(files)
            env.bytecode_cache = self.incremental.bytecode_cache
        elif self.config.enabled:
            env.bytecode_cache = TemplateCodeCache.at(self._path(self.config.cache_dir) / "templates")
        if self.atlas is not None:
            env.globals["atlas"] = self.atlas
            env.globals["atlas_cards"] = CardRenderer(self.atlas)
            env.globals["atlas_titles"] = dict(self.config.titles)
            env.filters["atlas_date"] = format_date
            env.filters["atlas_number"] = format_number
            env.filters["atlas_org_slug"] = self.atlas.organisation_slug
            env.filters["atlas_mailto"] = mailto
            env.filters["atlas_lineage_svg"] = lambda case: Markup(lineage_svg(case, self.atlas.lineage))
            env.globals["atlas_layout"] = self.shared_layout(env, config, [MATERIAL_TEMPLATES, str(TEMPLATES)])
        if self.citations is not None:
            env.globals["atlas_citations"] = self.citations  # "Cite this case" and the head's metadata
        if self.atlas is not None and self.incremental is None:
            if self.related_job is not None:
                self._relate_from_job()  # the workers that draw the pages ahead need the related lists
            self.start_drawing(env, config, files, jobs=JOBS, serve=self.is_serve)
        return env

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        """Tell our templates which case or listing the page is about."""
        spec = self.pages.get(page.file.src_uri)
        if spec is not None and spec.case is not None and self.related_job is not None:
            self._relate_from_job()  # before the first case page (they are rendered last)
        context["atlas_page"] = spec
        self.drawn_page(context, page, config)
        return context

    @event_priority(100)  # before any plugin reads the site
    def _post_build_data_files(self, *, config: MkDocsConfig) -> None:
        """Wait for the data files written in the background (a full build's)."""
        try:
            self.finish_writing()
        except OSError as exc:
            raise PluginError(f"atlas: a data file could not be written: {exc}") from None

    @event_priority(-100)  # after every other plugin has written its files: the staged site is then whole
    def _post_build_publish(self, *, config: MkDocsConfig) -> None:
        """Wait for Pagefind's index of the cases (the header's search box), then put the staged site in place."""
        self.stop_drawing()
        self.release_atlas(serve=self.is_serve)
        if self.related_job is not None:  # a site without case pages never needed them
            self._relate_from_job()
        if self.pagefind is not None:
            run, self.pagefind = self.pagefind, None
            try:
                run.wait()
            except ReaderSearchError as exc:
                raise PluginError(f"atlas: {exc}") from None
        if self.incremental is not None:
            inc = self.incremental
            for path in inc.commit(self.invalid_slugs):
                log.debug(f"atlas: removed {path}")
            log.info(f"atlas: wrote {inc.rendered} of {inc.rendered + inc.skipped} generated files; the rest were unchanged")
            inc.rendered = inc.skipped = 0
            inc.ask_for_build()
        self._publish_site(config)

    on_post_build = CombinedEvent(_post_build_data_files, _post_build_publish)

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the background work if the build failed part-way, and leave the site folder as it was."""
        self._stop_background_work()
        self._discard_staging()
        if self.incremental is not None:
            self.incremental.fail()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable) -> LiveReloadServer:
        """Rebuild when a case, a vocabulary or the schema changes."""
        if self.incremental is not None and hasattr(server, "request_rebuild"):
            self.incremental.request_build = server.request_rebuild
        if self.config.enabled:
            server.watch(str(self._path(self.config.cases_dir)))
            if self._path(self.config.collections_dir).is_dir():
                server.watch(str(self._path(self.config.collections_dir)))
            for path in self._schema_files():
                server.watch(str(path))
        return server

    # --- helpers -----------------------------------------------------------------------------

    def _load_schema(self) -> CaseSchema:
        """The case schema and vocabularies, loaded once for the build; a schema that cannot be read stops it."""
        try:
            self.case_schema = load_case_schema(self._path(self.config.schemas_dir))
        except SchemaLoadError as exc:
            self._stop_background_work()
            lines = "\n".join(problem.gnu() for problem in exc.problems)
            raise PluginError(f"atlas: the case schema cannot be loaded; nothing was built.\n{lines}") from None
        return self.case_schema

    def _make_atlas(self, result: CheckResult, case_schema: CaseSchema) -> None:
        """The atlas of valid cases (drafts only under serve), each case's article rendered on every core."""
        valid = [c for c in result.cases if not c.has_errors]
        self.assets = {c.slug: c.assets for c in valid}
        if self.incremental is not None:
            cases = self.incremental.cases_from(valid)  # the same objects while their files are unchanged
        else:
            cases = [Case.from_loaded(c) for c in valid]
        if not self.is_serve:
            cases = [c for c in cases if not c.is_draft]
        for case in cases:  # read each series once, here: the render workers inherit the reading, the Atlas reuses it
            _ = case.signal
        if self.incremental is not None:
            self.articles = self.incremental.render_articles(cases, self._render_articles)
        else:  # the articles of unchanged cases come from the last build's (cache_dir)
            self.articles = ArticleCache(self._path(self.config.cache_dir) / "articles.json").articles(
                cases, self._render_articles)
        self.atlas = Atlas(
            cases, case_schema.vocabularies,
            related_count=self.config.related_count, relate=self.config.related == "facets",
            collections=result.collections,
        )

    @staticmethod
    def _render_articles(cases: list[Case]) -> list[tuple[str, list[dict]]]:
        return parallel_map(render_case_article, cases, jobs=JOBS)

    def _schema_files(self) -> list[Path]:
        return schema_files(self._path(self.config.schemas_dir))

    def _insert_overrides(self, config, folder: Path) -> None:
        """Put ``folder`` just before Material's templates: it overrides them, a site's custom_dir overrides it."""
        dirs = config.theme.dirs
        material = next((i for i, d in enumerate(dirs) if Path(d).name == "templates" and "material" in d), None)
        position = material if material is not None else 0
        if str(folder) not in dirs:
            dirs.insert(position, str(folder))

    def _is_case_page(self, file: File) -> bool:
        spec = self.pages.get(file.src_uri)
        return spec is not None and spec.case is not None

    def _path(self, value: str) -> Path:
        return (self.root / value).resolve()

    def _refuse_committed_caches(self) -> None:
        """Stop the build if a cache folder comes from the repository (see :mod:`learning_atlas.processes.committed`)."""
        for option in ("index_dir", "cache_dir"):
            found = committed_files(self._path(self.config[option]))
            if found:
                raise PluginError(
                    f"atlas: {self.config[option]} ({option}) holds files committed to the repository, such as "
                    f"{found[0]}. It is a cache of one machine's builds and must never come from the repository: "
                    f"remove it with `git rm -r --cached {self.config[option]}`, commit, and build again.")

    def _start_related_job(self) -> None:
        """Start the index update, key terms and related lists in the background (``related: index``)."""
        if self.config.related == "index":
            self.related_job = RelatedListsJob(
                self._path(self.config.cases_dir), self._path(self.config.index_dir),
                self._path(self.config.schemas_dir), self.config.related_count,
            )

    def _relate_from_job(self) -> None:
        job, self.related_job = self.related_job, None
        assert job is not None and self.atlas is not None
        related, notes = job.result()
        # The index is a cache: its recovery is news, not a fault in the site, so a
        # --strict build does not fail on it.
        for note in notes:
            log.info(f"atlas: {note}")
        if related is None:
            self.atlas.relate()
        else:
            self.atlas.apply_related(related)

    def _stop_background_work(self) -> None:
        self.stop_drawing()
        self.release_atlas(serve=self.is_serve)
        self.stop_writing()
        if self.related_job is not None:
            self.related_job.cancel()
            self.related_job = None
        if self.pagefind is not None:
            self.pagefind.cancel()
            self.pagefind = None

    def _report(self, result: CheckResult, *, strict: bool) -> None:
        """Show check problems as `atlas check` does; fail on errors when strict or configured to."""
        errors = [p for p in result.problems if p.is_error]
        for problem in result.problems:
            if not problem.is_error:
                log.info(problem.gnu())
        if not errors:
            return
        lines = "\n".join(p.gnu() for p in errors)
        if strict or self.config.invalid_cases == "fail":
            raise PluginError(f"atlas: invalid case studies; nothing was built.\n{lines}\n{result.summary()}")
        skipped = sorted({str(p.path) for p in errors})
        log.warning(f"atlas: skipping {len(skipped)} invalid case file(s):\n{lines}")

    def _edit_url(self, case: Case, config) -> str | None:
        if not config.repo_url:
            return None
        base = self.config.cases_edit_uri
        if base is None:
            base = (config.edit_uri or "edit/main/docs/").removesuffix("docs/")
        path = os.path.relpath(case.source.resolve(), self.root).replace(os.sep, "/")
        return config.repo_url.rstrip("/") + "/" + base.strip("/") + "/" + path

    def _page(self, config, src_uri: str, title: str, template: str, spec: GeneratedPage, *, in_nav: bool = False) -> File:
        spec.title = title
        self.pages[src_uri] = spec
        # The title is handed to the theme in on_page_markdown, escaped (theme_metadata).
        content = f"---\ntemplate: {template}\n---\n"
        inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
        file = AtlasFile.generated(config, src_uri, content=content, inclusion=inclusion)
        file.generated_by = "atlas"
        file.atlas_case = spec.case.slug if spec.case is not None else None
        return file

    def _data(self, config, src_uri: str, content: str) -> File:
        file = AtlasFile.generated(config, src_uri, content=content)
        file.generated_by = "atlas"
        file.atlas_writes = self.writes
        return file

    def _generate_files(self, config) -> list[File]:
        atlas = self.atlas
        assert atlas is not None
        titles = self.config.titles
        site_url = config.site_url or ""
        size = self.config.feed_size
        ids = exports.FeedIds(self.config.feed_tagging_entity)
        self.citations = self._citations(config, ids)
        out: list[File] = []
        for case in atlas.cases:
            out.append(self._page(config, f"cases/{case.slug}.md", case.title, "atlas/case.html",
                                  GeneratedPage(PageKind.CASE, case=case)))
            out.extend(self._case_assets(config, case))
            if not self.defer_side_files():  # else written where the case page is drawn (page_side_files)
                out.extend(self._data(config, path, text) for path, text in self.citations.files(case).items())
        for section, listings in atlas.listings.items():
            title = titles[section]
            out.append(self._page(config, f"{section}/index.md", title, "atlas/section.html",
                                  GeneratedPage(PageKind.SECTION, section=section, listings=listings), in_nav=False))
            for listing in listings:
                feed = exports.feed_path(listing) if section in exports.FEED_KINDS else None
                out.append(self._page(config, f"{section}/{listing.key}/index.md", listing.label,
                                      "atlas/listing.html",
                                      GeneratedPage(PageKind.LISTING, listing=listing, section=section, feed=feed)))
                if feed:
                    out.append(self._data(config, feed, self._memo("feed", [listing, feed], lambda: exports.atom_feed(
                        f"{listing.label}: {config.site_name}", f"{site_url}{feed}",
                        f"{site_url}{listing.url}", listing.cases, site_url, size, ids=ids, path=feed,
                        lineage=atlas.lineage))))
        pages = explore.explore_pages(atlas)  # explore/, then explore/page/N/: the list without JavaScript
        for listing in pages:
            title = titles["explore"] + (f" (page {listing.number} of {len(pages)})" if listing.number > 1 else "")
            out.append(self._page(config, f"{listing.url}index.md", title, "atlas/explore.html",
                                  GeneratedPage(PageKind.EXPLORE, listing=listing, listings=pages)))
        out.extend(self._data(config, path, text) for path, text in explore.explore_data(atlas).items())
        out.extend(self._spread_files(config, ids))
        out.append(self._page(config, "submit/index.md", titles["submit"], "atlas/submit.html", GeneratedPage(PageKind.SUBMIT)))
        out.append(self._data(config, "submit/case-form.json",
                              self._memo("form", [], lambda: form_data(self.case_schema))))
        out.append(self._data(config, "feed.xml", self._memo("feed", [atlas.cases], lambda: exports.atom_feed(
            config.site_name, f"{site_url}feed.xml", site_url, atlas.cases, site_url, size, ids=ids,
            lineage=atlas.lineage))))
        out.append(self._data(config, "robots.txt", exports.robots_txt(site_url)))
        out.append(self._data(config, "cases.json", exports.cases_json(atlas, site_url, line=lambda case: self._memo(
            "json", [case, site_url], lambda: exports.json_line(case, site_url, atlas.lineage)))))
        out.append(self._data(config, "cases.csv", exports.cases_csv(atlas, site_url, row=lambda case: self._memo(
            "csv", [case, site_url], lambda: exports.csv_row(case, site_url, atlas.lineage)))))
        out.extend(self._data(config, path, page) for path, page in exports.redirect_pages(atlas, site_url).items())
        for asset in sorted(ASSETS.rglob("*")):
            if asset.is_file():
                uri = "assets/" + asset.relative_to(ASSETS).as_posix()
                file = File.generated(config, uri, abs_src_path=str(asset))
                file.generated_by = "atlas"
                out.append(file)
        return out

    def page_side_files(self, page: Page) -> dict[str, str]:
        """A case page's citation files (BibTeX, RIS, CSL-JSON), written beside it when it is drawn."""
        spec = self.pages.get(page.file.src_uri)
        return self.citations.files(spec.case) if spec is not None and spec.case is not None and self.citations else {}

    def _spread_toc(self, case: Case) -> list[dict]:
        """The table-of-contents entries of what atlas/partials/case_spread.html adds to a case page."""
        atlas = self.atlas
        entries = []
        if atlas.lineage.builds_on.get(case.slug) or atlas.lineage.built_on_by.get(case.slug):
            entries.append(("learning-spread", "How this learning spread"))
        if atlas.in_collections.get(case.slug):
            entries.append(("in-collections", "In learning collections"))
        return [{"level": 2, "id": anchor, "name": name, "children": []} for anchor, name in entries]

    def _spread_files(self, config, ids: exports.FeedIds) -> list[File]:
        """Learning that spreads: the collections' index, each collection's page and feed, and "Most taken up"."""
        atlas, titles, site_url = self.atlas, self.config.titles, config.site_url or ""
        out = [
            self._page(config, "collections/index.md", titles["collections"], "atlas/collections.html",
                       GeneratedPage(PageKind.COLLECTIONS)),
            self._page(config, "most-taken-up/index.md", titles["most_taken_up"], "atlas/taken_up.html",
                       GeneratedPage(PageKind.TAKEN_UP)),
        ]
        for collection in atlas.collections:
            out.append(self._page(config, f"{collection.url}index.md", collection.title, "atlas/collection.html",
                                  GeneratedPage(PageKind.COLLECTION, collection=collection, feed=collection.feed)))
            out.append(self._data(config, collection.feed, exports.atom_feed(
                f"{collection.title}: {config.site_name}", f"{site_url}{collection.feed}", f"{site_url}{collection.url}",
                collection.cases, site_url, len(collection.entries), ids=ids, path=collection.feed,
                lineage=atlas.lineage)))
        return out

    def _citations(self, config, ids: exports.FeedIds) -> CaseCitations:
        """Each case's citation: its permanent address from site_url, its lasting id the feeds' (tag: URI)."""
        assert self.atlas is not None
        language = config.theme["language"] if "language" in config.theme else "en"
        return CaseCitations(self.atlas, site_url=config.site_url or "", site_name=config.site_name,
                             language=language or "en", identifier=ids.entry)

    def _case_assets(self, config, case: Case) -> list[File]:
        """The files of the case's folder that the check allowed (images and PDFs, links never followed)."""
        files = []
        for asset in self.assets.get(case.slug, ()):
            file = AtlasFile.generated(config, f"cases/{case.slug}/{asset.uri}", abs_src_path=str(asset.path))
            file.generated_by = "atlas"
            file.atlas_case = case.slug
            files.append(file)
        return files
