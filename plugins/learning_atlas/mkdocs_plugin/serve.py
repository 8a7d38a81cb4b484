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
import shutil
import sys
import tempfile
import threading
from os.path import isdir, isfile, join
from urllib.parse import urlsplit

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


def _use_engine(engine: str) -> None:
    """Make ``mkdocs.*`` the chosen engine's modules (ProperDocs serves them as its own)."""
    if engine == "properdocs":
        importlib.import_module("properdocs.replacement")
    elif engine != "mkdocs":
        raise SystemExit(f"atlas serve: unknown engine {engine!r}; use mkdocs or properdocs")


def serve(config_file: str | None, dev_addr: str | None, *, open_in_browser: bool = False) -> None:
    """Build the site into a temporary folder, serve it, and rebuild what changes until interrupted."""
    import watchdog.events
    import watchdog.observers
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError
    from mkdocs.livereload import LiveReloadServer, _serve_url
    from mkdocs.structure.files import Files

    _list_theme_once(Files)

    class Server(LiveReloadServer):
        """MkDocs' live-reloading server, told of changes by the operating system, keeping the scroll position."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.observer = watchdog.observers.Observer()
            self.build_delay = BUILD_DELAY

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
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

            handler = watchdog.events.FileSystemEventHandler()
            handler.on_any_event = callback
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

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
        try:
            if config is None:
                config = get_config()
            config.site_url = serve_url
            build(config, serve_url=serve_url, dirty=True)
        except (Abort, BuildError, PluginError, ConfigurationError) as exc:
            log.error(f"{exc}\natlas serve: the site was not rebuilt; it shows the last good build. "
                      "Fix the problem above and save again.")
        except Exception as exc:  # noqa: BLE001 - the server must live on; the message says what went wrong
            log.debug("the build failed", exc_info=True)
            log.error(f"atlas serve: the build failed ({type(exc).__name__}: {exc}); the site shows the last "
                      "good build. Fix the problem and save again.")

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
