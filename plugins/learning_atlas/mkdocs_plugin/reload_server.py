"""The server of ``atlas serve``: MkDocs' live-reloading server, told of changes by the operating system.

Beside MkDocs' own :class:`~mkdocs.livereload.LiveReloadServer`, it keeps which paths changed
(for the fast render of a saved case, :mod:`~learning_atlas.mkdocs_plugin.fast_render`), keeps
the reader's scroll position across a reload, and, after a fast render and in the builds that
follow it, reloads only the pages whose files changed: a reader on the saved case's page sees it
reload once, not again when the rest of the atlas catches up. It is imported only once the
engine is chosen (``mkdocs.*`` may be ProperDocs' modules).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from urllib.parse import unquote, urlsplit

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer, _timestamp

log = logging.getLogger("mkdocs.atlas.serve")

CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})
"""Watchdog's events that mean a file changed ("closed" is a file closed after writing; not "opened")."""

FOLLOW_UP_DELAY = 1.0
"""Seconds between a build and the one that follows it (Explore, related lists) without a save."""

BUILD_DELAY = 0.03
"""Seconds without a further change before a rebuild starts: an editor's save is several events, within
a few milliseconds (a save split wider apart is shown twice, the second time whole)."""

RELOAD_QUIET = 0.15
"""After a fast render: seconds without a request before the rebuild starts (the browser has reloaded)."""

RELOAD_LIMIT = 1.0
"""After a fast render: the longest the rebuild waits for browsers to reload the page."""

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

_POLL = re.compile(r"/livereload/([0-9]+)/[0-9]+")
_HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:css|js)$")
"""Material's stylesheets and scripts, named by their contents: a browser may keep them as long as it likes."""


class SiteWrites:
    """MkDocs' writes into the served folder, made atomic and told apart from writes of the same bytes.

    A page is replaced in one step (a browser reloading it while a build writes it gets the old
    page or the new, never half of one), a write of the bytes already there is skipped, and the
    paths whose bytes changed are kept (:meth:`take`), to reload only the pages that show them.
    Installed in the serving process only: ``atlas build`` writes as MkDocs does.
    """

    def __init__(self, utils_module, file_class) -> None:
        self.changed: set[str] = set()
        original_copy = file_class.copy_file

        def write_file(content: bytes, output_path: str) -> None:
            try:
                with open(output_path, "rb") as f:
                    if f.read(len(content) + 1) == content:
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
        """The paths whose bytes changed since the last call."""
        changed, self.changed = self.changed, set()
        return changed


class AtlasReloadServer(LiveReloadServer):
    """MkDocs' live-reloading server, told of changes by the operating system (see the module's docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.observer = watchdog.observers.Observer()
        self.build_delay = BUILD_DELAY
        self._changes: set[str] = set()
        self._full_epoch = self._visible_epoch
        """The last time every open page was to reload (after a build that no fast render went before)."""
        self._file_epochs: dict[str, int] = {}
        """When each file last changed after a fast render: only the pages showing it reload."""
        self._waiting: dict[str | None, int] = {}
        """Pages waiting for a reload (their poll is open), by file."""
        self._expected: dict[str, int] = {}
        """Pages told to reload whose new request has not come yet, by file."""
        self._active = 0
        self._last_request = 0.0
        self._local = threading.local()

    # --- what changed ----------------------------------------------------------------------

    def take_changes(self) -> set[str]:
        """The paths the operating system reported changed since the last call."""
        with self._rebuild_cond:
            changes, self._changes = self._changes, set()
        return changes

    def watch(self, path: str, func=None, *, recursive: bool = True) -> None:
        """As MkDocs' own, but only changes count (the build's own reading opens files too), and their paths are kept."""
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

    # --- reloading -------------------------------------------------------------------------

    def reload_pages(self, paths: set[str]) -> None:
        """Serve the site as it is now, and reload only the open pages whose files are in ``paths``."""
        with self._epoch_cond:
            epoch = max(_timestamp(), self._visible_epoch + 1)
            for path in paths:
                self._file_epochs[path] = epoch
                if self._waiting.get(path):
                    self._expected[path] = self._expected.get(path, 0) + self._waiting[path]
            self._wanted_epoch = self._visible_epoch = epoch
            self._epoch_cond.notify_all()

    def reload_all(self) -> None:
        """When the build under way ends, every open page reloads (as with MkDocs' own server)."""
        with self._epoch_cond:
            self._full_epoch = self._wanted_epoch

    def wait_for_reloads(self, quiet: float = RELOAD_QUIET, limit: float = RELOAD_LIMIT) -> None:
        """Until the pages told to reload have been requested again and no request has come for
        ``quiet`` seconds (the browsers have what they need), at most ``limit`` seconds.

        The rebuild that follows a fast render runs in this process: started at once, it would
        slow the very requests that show the reader the saved page.
        """
        deadline = time.monotonic() + limit
        with self._epoch_cond:
            while self._expected:
                now = time.monotonic()
                if now >= deadline:
                    break
                if not any(self._expected.values()) and self._active == 0 and now - self._last_request >= quiet:
                    break
                self._epoch_cond.wait(min(deadline - now, quiet))
            self._expected = {}

    def finish_request(self, request, client_address) -> None:
        with self._epoch_cond:
            self._active += 1
        self._local.poll = False
        try:
            super().finish_request(request, client_address)
        finally:
            with self._epoch_cond:
                if not self._local.poll:
                    self._active -= 1
                    self._last_request = time.monotonic()
                self._epoch_cond.notify_all()

    def _serve_request(self, environ, start_response):
        """As MkDocs' own, but a page waiting for a reload reloads only when it has to (see :meth:`reload_pages`)."""
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        match = _POLL.fullmatch(path)
        if match is None:
            wanted = self._site_file(path)
            with self._epoch_cond:
                if self._expected.get(wanted):
                    self._expected[wanted] -= 1
            return self._serve_file(wanted, environ, start_response)
        epoch = int(match[1])
        page = self._site_file(urlsplit(environ.get("HTTP_REFERER") or "").path)
        start_response("200 OK", [("Content-Type", "text/plain")])

        def reload() -> int | None:
            if self._full_epoch > epoch:
                return max(self._full_epoch, self._visible_epoch)
            if page is None:
                return self._visible_epoch if self._visible_epoch > epoch else None
            changed = self._file_epochs.get(page, 0)
            return changed if changed > epoch else None

        with self._epoch_cond:
            self._local.poll = True  # a poll waits up to a minute: not a request that keeps a rebuild waiting
            self._active -= 1
            if reload() is None:
                self._log_poll_request(environ.get("HTTP_REFERER"), request_id=path)
                self._waiting[page] = self._waiting.get(page, 0) + 1
                try:
                    self._epoch_cond.wait_for(lambda: reload() is not None, timeout=self.poll_response_timeout)
                finally:
                    self._waiting[page] -= 1
            return [b"%d" % (reload() or epoch)]

    def _serve_file(self, wanted: str | None, environ, start_response):
        """As MkDocs' own, but a browser may keep what is not a page (stylesheets, scripts, images) and ask
        whether it changed (its ETag), so a reload fetches the page alone. Pages are never kept: each
        carries the reloading script."""
        if wanted is None or wanted.endswith(".html"):
            return super()._serve_request(environ, start_response)
        try:
            status = os.stat(wanted)
        except OSError:
            return super()._serve_request(environ, start_response)
        tag = f'"{status.st_ino:x}-{status.st_mtime_ns:x}-{status.st_size:x}"'
        keep = "max-age=31536000, immutable" if _HASHED.search(wanted) else "no-cache"
        if environ.get("HTTP_IF_NONE_MATCH") == tag:
            start_response("304 Not Modified", [("ETag", tag), ("Cache-Control", keep)])
            return []

        def start(status_line: str, headers: list, exc_info=None):
            if status_line.startswith("200"):
                headers = [*headers, ("ETag", tag), ("Cache-Control", keep)]
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        return super()._serve_request(environ, start)

    def _site_file(self, path: str) -> str | None:
        """The file in the site folder that the address ``path`` serves, or None if it is not the site's."""
        path = unquote(path)
        if not path or not (path + "/").startswith(self.mount_path):
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
