"""``atlas serve`` (``make serve``): the atlas served for preview, rebuilding only what a save changes.

MkDocs' own ``mkdocs serve`` empties its folder and builds the whole site after every
save, and polls for changes twice a second. This command runs the same engine's build
as a *dirty* build in one long-lived process, so the atlas plugin keeps what is unchanged
between builds (see :mod:`learning_atlas.mkdocs_plugin.incremental`) and writes only the
files whose output changed; it hears of changes from the operating system (inotify on
Linux) rather than by polling; and the page a reader is on reloads at the same scroll
position.

A build that fails (a vocabulary that no longer loads, say) prints one error and leaves
the served site as it was; the server goes on and rebuilds on the next save. An invalid
case is reported by the plugin and its page keeps its last good version.

Usage: ``python -m learning_atlas.mkdocs_plugin.serve [-f mkdocs.yml] [-a HOST:PORT] [--engine mkdocs]``
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import contextlib
import re
import shutil
import sys
import tempfile
import threading
import time
from os.path import isdir, isfile, join
from urllib.parse import unquote, urlsplit

log = logging.getLogger("mkdocs.atlas.serve")

CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})
"""Watchdog's events that mean a file changed ("closed" is a file closed after writing; not "opened")."""

FOLLOW_UP_DELAY = 1.0
"""Seconds between a build and the one that follows it (Explore, related lists) without a save."""

BUILD_DELAY = 0.05
"""Seconds without a further change before a rebuild starts: an editor's save is several events."""

SCROLL_SCRIPT = b"""<script>(function () {
  var key = "atlas-serve-scroll:" + location.pathname;
  var entry = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  var saved = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (saved !== null && entry && entry.type === "reload") {
    var y = Number(saved);
    var restore = function () { if (Math.abs(scrollY - y) > 1) scrollTo(0, y); };
    addEventListener("DOMContentLoaded", restore);
    addEventListener("load", restore);
  }
  addEventListener("pagehide", function () { sessionStorage.setItem(key, String(scrollY)); });
})();</script>"""
"""Keeps the reader's place when the page reloads after a save (only on a reload, never on following a link)."""


class SiteWrites:
    """MkDocs' writes into the served folder, made atomic and told apart from writes of the same bytes.

    A file is replaced in one step (a browser reloading a page while the build writes it gets
    the old page or the new, never half of one), a write of the bytes already there is skipped,
    and the paths whose bytes changed are kept in :attr:`changed` (to reload only their readers).
    """

    def __init__(self, utils_module, file_class) -> None:
        self.changed: set[str] = set()
        original_copy = file_class.copy_file

        def write_file(content: bytes, output_path: str) -> None:
            try:
                with open(output_path, "rb") as f:
                    if f.read() == content:
                        return
            except OSError:
                pass
            os.makedirs(os.path.dirname(output_path), exist_ok=True)
            temporary = f"{output_path}.atlas-{os.getpid()}-{threading.get_ident()}.tmp"
            try:
                with open(temporary, "wb") as f:
                    f.write(content)
                os.replace(temporary, output_path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.remove(temporary)
                raise
            self.changed.add(os.path.normpath(output_path))

        def copy_file(file, dirty: bool = False) -> None:
            if not dirty or file.is_modified():
                self.changed.add(os.path.normpath(file.abs_dest_path))
            original_copy(file, dirty)

        utils_module.write_file = write_file
        file_class.copy_file = copy_file

    def take(self) -> set[str]:
        changed, self.changed = self.changed, set()
        return changed


class _QuietDirtyWarning(logging.Filter):
    """Drop MkDocs' warning that a dirty build may be inaccurate: this command's builds are made exact by the plugin."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def _list_theme_once(files_class) -> None:
    """Make MkDocs list the theme's folders once, not on every build (a quarter of a rebuild's time).

    The theme's files do not change while serving (MkDocs watches them only when asked to).
    """
    original = files_class.add_files_from_theme
    listings: dict[tuple, list[str]] = {}

    def add_files_from_theme(self, env, config) -> None:
        # MkDocs' filter depends on the theme's static templates alone
        key = (tuple(config.theme.dirs), tuple(sorted(config.theme.static_templates)))

        def list_templates(extensions=None, filter_func=None) -> list[str]:
            names = listings.get(key)
            if names is None:
                names = listings[key] = [name for name in env.loader.list_templates()
                                         if filter_func is None or filter_func(name)]
            return names

        env.list_templates = list_templates
        try:
            original(self, env, config)
        finally:
            del env.list_templates

    files_class.add_files_from_theme = add_files_from_theme


def _atlas_plugin(config, plugin_class):
    """The atlas plugin of ``config`` (None if the site does not use it)."""
    return next((p for p in config.plugins.values() if isinstance(p, plugin_class)), None)


def _show_saved_case(fast, writes: SiteWrites, server, changes: set[str]) -> bool:
    """Render and show the page of a saved case before the rebuild (see
    :mod:`~learning_atlas.mkdocs_plugin.fast_render`); False when the rebuild must do it all."""
    start = time.perf_counter()
    writes.take()
    try:
        shown = fast.render(changes)
    except Exception:  # noqa: BLE001 - the full rebuild that follows does it all, and reports any fault
        log.debug("atlas serve: the fast render failed", exc_info=True)
        shown = None
    written = writes.take()
    if shown is None:
        return False
    server.reload_pages(written)
    log.info(f"atlas serve: showed {shown} in {time.perf_counter() - start:.2f} s; rebuilding what else it changes")
    return True


def _use_engine(engine: str) -> None:
    """Make ``mkdocs.*`` the chosen engine's modules (ProperDocs serves them as its own)."""
    if engine == "properdocs":
        importlib.import_module("properdocs.replacement")
    elif engine != "mkdocs":
        raise SystemExit(f"atlas serve: unknown engine {engine!r}; use mkdocs or properdocs")


def serve(config_file: str | None, dev_addr: str | None, *, open_in_browser: bool = False) -> None:
    """Build the site into a temporary folder, serve it, and rebuild what changes until interrupted."""
    import mkdocs.commands.build
    import mkdocs.utils
    import watchdog.events
    import watchdog.observers
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError
    from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
    from mkdocs.structure.files import File, Files

    from learning_atlas.mkdocs_plugin.fast_render import BuildRecorder, FastRender
    from learning_atlas.mkdocs_plugin.plugin import AtlasPlugin

    _list_theme_once(Files)
    writes = SiteWrites(mkdocs.utils, File)
    recorder = BuildRecorder(mkdocs.commands.build)
    fast = FastRender(recorder, lambda config: _atlas_plugin(config, AtlasPlugin))

    class Server(LiveReloadServer):
        """MkDocs' live-reloading server, told of changes by the operating system, keeping the scroll position."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.observer = watchdog.observers.Observer()
            self.build_delay = BUILD_DELAY
            self._changes: set[str] = set()
            self._full_epoch = self._visible_epoch
            """The last time every open page was to reload (a build not preceded by a fast render)."""
            self._file_epochs: dict[str, int] = {}
            """When each file last changed after a fast render: only the pages showing it reload."""

        def take_changes(self) -> set[str]:
            """The paths the operating system reported changed since the last call."""
            with self._rebuild_cond:
                changes, self._changes = self._changes, set()
            return changes

        def reload_pages(self, paths: set[str]) -> None:
            """Show the site as it is now to browsers, reloading only the pages whose files are in ``paths``."""
            with self._epoch_cond:
                epoch = max(_timestamp(), self._visible_epoch + 1)
                for path in paths:
                    self._file_epochs[path] = epoch
                self._wanted_epoch = self._visible_epoch = epoch
                self._epoch_cond.notify_all()

        def reload_all(self) -> None:
            """The build under way, when it ends, reloads every open page (as MkDocs' own server does)."""
            with self._epoch_cond:
                self._full_epoch = self._wanted_epoch

        def request_rebuild(self) -> None:
            """Build again, a moment from now: the plugin asks when a build put pages off or the search
            index's related lists differ. The moment lets browsers reload the page a save changed first."""
            timer = threading.Timer(FOLLOW_UP_DELAY, self._want_build)
            timer.daemon = True
            timer.start()

        def _want_build(self) -> None:
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        def watch(self, path: str, func=None, *, recursive: bool = True) -> None:
            """As MkDocs' own, but only changes count: the build's own reading opens files too."""
            path = os.path.abspath(path)
            if path in self._watched_paths:
                self._watched_paths[path] += 1
                return
            self._watched_paths[path] = 1

            def callback(event) -> None:
                if event.is_directory or event.event_type not in CHANGES:
                    return
                log.debug(str(event))
                with self._rebuild_cond:
                    self._changes.update(os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p)
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

            handler = watchdog.events.FileSystemEventHandler()
            handler.on_any_event = callback
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

        def _serve_request(self, environ, start_response):
            """As MkDocs' own, but a page waiting for a reload reloads only when it has to."""
            path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
            match = re.fullmatch(r"/livereload/([0-9]+)/[0-9]+", path)
            if match is None:
                return super()._serve_request(environ, start_response)
            epoch = int(match[1])
            page = self._page_file(environ.get("HTTP_REFERER"))
            start_response("200 OK", [("Content-Type", "text/plain")])

            def reload() -> int | None:
                if self._full_epoch > epoch:
                    return max(self._full_epoch, self._visible_epoch)
                if page is None:
                    return self._visible_epoch if self._visible_epoch > epoch else None
                changed = self._file_epochs.get(page, 0)
                return changed if changed > epoch else None

            with self._epoch_cond:
                if reload() is None:
                    self._log_poll_request(environ.get("HTTP_REFERER"), request_id=path)
                    self._epoch_cond.wait_for(lambda: reload() is not None, timeout=self.poll_response_timeout)
                return [b"%d" % (reload() or epoch)]

        def _page_file(self, referer: str | None) -> str | None:
            """The file in the site folder of the page at ``referer``, or None if it is not one of ours."""
            if not referer:
                return None
            path = unquote(urlsplit(referer).path)
            if not (path + "/").startswith(self.mount_path):
                return None
            relative = path[len(self.mount_path):]
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            return os.path.normpath(os.path.join(self.root, os.path.normpath("/" + relative).lstrip("/")))

        def _inject_js_into_html(self, content, epoch):
            content = super()._inject_js_into_html(content, epoch)
            try:
                head_end = content.index(b"</head>")
            except ValueError:
                return content
            return content[:head_end] + SCROLL_SCRIPT + content[head_end:]

    site_dir = tempfile.mkdtemp(prefix="atlas-serve-")
    options = {"dev_addr": dev_addr} if dev_addr else {}

    def get_config():
        return load_config(config_file=config_file, site_dir=site_dir, **options)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)

    def builder(config=None) -> None:
        changes = server.take_changes() if config is None else None
        shown = bool(changes) and _show_saved_case(fast, writes, server, changes)
        writes.take()
        recorder.start()
        ok = False
        try:
            if config is None:
                config = get_config()
            config.site_url = serve_url
            build(config, serve_url=serve_url, dirty=True)
            ok = True
        except (Abort, BuildError, PluginError, ConfigurationError) as exc:
            log.error(f"{exc}\natlas serve: the site was not rebuilt; it shows the last good build. "
                      "Fix the problem above and save again.")
        except Exception as exc:  # noqa: BLE001 - the server must live on; the message says what went wrong
            log.debug("the build failed", exc_info=True)
            log.error(f"atlas serve: the build failed ({type(exc).__name__}: {exc}); the site shows the last "
                      "good build. Fix the problem and save again.")
        finally:
            recorder.finish(ok)
        changed = writes.take()
        if changes is None or (changes and not shown):
            server.reload_all()  # the first build, or a save only a whole build shows: every open page reloads
        else:
            server.reload_pages(changed)  # after a fast render, or a build that follows one: where it changed

    server = Server(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)

    def error_handler(code: int) -> bytes | None:
        page = join(site_dir, f"{code}.html")
        if code in (404, 500) and isfile(page):
            with open(page, "rb") as f:
                return f.read()
        return None

    server.error_handler = error_handler
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        if isdir(site_dir):
            shutil.rmtree(site_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m learning_atlas.mkdocs_plugin.serve``: see the module's docstring."""
    parser = argparse.ArgumentParser(prog="atlas serve", description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--config-file", default=None, help="the site's mkdocs.yml")
    parser.add_argument("-a", "--dev-addr", default=None, help="HOST:PORT to serve on (mkdocs.yml's dev_addr)")
    parser.add_argument("--engine", default="mkdocs", help="mkdocs (default) or properdocs")
    parser.add_argument("-o", "--open", action="store_true", help="open the site in a browser")
    args = parser.parse_args(argv)
    _use_engine(args.engine)
    logging.basicConfig(level=logging.DEBUG if os.environ.get("ATLAS_SERVE_DEBUG") else logging.INFO, format="%(levelname)-7s -  %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_QuietDirtyWarning())
    serve(args.config_file, args.dev_addr, open_in_browser=args.open)
    return 0


if __name__ == "__main__":
    sys.exit(main())
