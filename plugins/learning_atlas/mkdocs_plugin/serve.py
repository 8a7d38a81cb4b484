"""``atlas serve`` (``make serve``): the atlas served for preview, rebuilding only what a save changes.

MkDocs' own ``mkdocs serve`` empties its folder and builds the whole site after every
save, and polls for changes twice a second. This command runs the same engine's build
as a *dirty* build in one long-lived process, so the atlas plugin keeps what is unchanged
between builds (see :mod:`learning_atlas.mkdocs_plugin.incremental`) and writes only the
files whose output changed; it hears of changes from the operating system (inotify on
Linux) rather than by polling; and the page a reader is on reloads at the same scroll
position.

A save of one case's text is shown sooner still: its page alone is rendered and shown first
(:mod:`learning_atlas.mkdocs_plugin.fast_render`), then the incremental build brings the rest of
the atlas up to date, and only the pages whose files it changed reload
(:mod:`learning_atlas.mkdocs_plugin.reload_server`).

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
import signal
import sys
import time
from os.path import isdir, isfile, join
from urllib.parse import urlsplit

log = logging.getLogger("mkdocs.atlas.serve")


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


def _show_saved_case(fast, writes, server, changes: set[str]) -> bool:
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
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError
    from mkdocs.livereload import _serve_url
    from mkdocs.structure.files import File, Files

    from learning_atlas.mkdocs_plugin.fast_render import BuildRecorder, FastRender
    from learning_atlas.mkdocs_plugin.plugin import AtlasPlugin
    from learning_atlas.mkdocs_plugin.reload_server import AtlasReloadServer, SiteWrites
    from learning_atlas.processes.background import make_temp_folder, remove_leftovers

    _list_theme_once(Files)
    writes = SiteWrites(mkdocs.utils, File)
    recorder = BuildRecorder(mkdocs.commands.build)
    fast = FastRender(recorder, lambda config: _atlas_plugin(config, AtlasPlugin))

    # Named after this process: if it is killed outright, the next build or serve removes the folder.
    remove_leftovers()
    site_dir = str(make_temp_folder("serve"))
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
        if shown:
            server.wait_for_reloads()
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

    server = AtlasReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)

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


_SERVER = 0
"""The server's process id: processes forked from it (the build's workers) end on these signals as usual."""


def _interrupt(number: int, frame) -> None:
    if os.getpid() != _SERVER:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        return
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """``python -m learning_atlas.mkdocs_plugin.serve``: see the module's docstring."""
    parser = argparse.ArgumentParser(prog="atlas serve", description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--config-file", default=None, help="the site's mkdocs.yml")
    parser.add_argument("-a", "--dev-addr", default=None, help="HOST:PORT to serve on (mkdocs.yml's dev_addr)")
    parser.add_argument("--engine", default="mkdocs", help="mkdocs (default) or properdocs")
    parser.add_argument("-o", "--open", action="store_true", help="open the site in a browser")
    args = parser.parse_args(argv)
    _use_engine(args.engine)
    # A closed terminal (SIGHUP) or a stop from a process manager (SIGTERM) ends the server as Ctrl+C
    # does, so its temporary site (hundreds of megabytes at a few thousand cases) is removed.
    global _SERVER
    _SERVER = os.getpid()
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is not signal.SIG_IGN:  # under nohup, SIGHUP stays ignored
            signal.signal(number, _interrupt)
    logging.basicConfig(level=logging.DEBUG if os.environ.get("ATLAS_SERVE_DEBUG") else logging.INFO, format="%(levelname)-7s -  %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_QuietDirtyWarning())
    serve(args.config_file, args.dev_addr, open_in_browser=args.open)
    return 0


if __name__ == "__main__":
    sys.exit(main())
