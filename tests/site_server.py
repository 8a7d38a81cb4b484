"""The one way tests serve a built site over HTTP: as GitHub Pages serves the published atlas.

A project site on GitHub Pages lives under a path (``https://<owner>.github.io/<repository>/``),
and ``site_url`` in ``mkdocs.yml`` says which: MkDocs writes that path into the pages that can be
served at any address (``404.html`` links ``/atlas/assets/...``). So the site is served under the
path of its own ``site_url`` (read from the home page's canonical link; ``/`` without one), with
what Pages does around it:

- ``/`` outside that path redirects to it (as ``mkdocs serve`` does); other paths outside it are a
  plain 404;
- an address with no file gets the site's own ``404.html``, with status 404;
- a folder without its final ``/`` redirects to it, and a folder serves its ``index.html``;
- HTTP/1.1 with keep-alive, text compressed with gzip when the browser accepts it, a charset on
  text, and ``Cache-Control: max-age=600``: what a browser (and Lighthouse's throttled simulation,
  which works from the bytes and connections it saw) gets from Pages, not an uncompressed
  connection a request.

The server listens on a free port of 127.0.0.1 only and is shut down with the ``with`` block.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import re
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
# What Pages compresses: text, and the text formats that do not say so in their type.
_COMPRESSED = re.compile(r"^(text/|application/(javascript|json|xml|atom\+xml|rss\+xml|manifest\+json)|image/svg\+xml)")
_CHARSET = re.compile(r"^(text/|application/(javascript|json|xml|atom\+xml))")
CACHE_CONTROL = "max-age=600"
"""What GitHub Pages sends with every file."""


def site_path(site: Path) -> str:
    """The path ``site`` is built to be served under: its ``site_url``'s, from the home page's
    canonical link; ``/`` when the home page has none (a build without ``site_url``)."""
    home = site / "index.html"
    found = _CANONICAL.search(home.read_text(encoding="utf-8")) if home.is_file() else None
    path = urlsplit(found.group(1)).path if found else "/"
    return path if path.endswith("/") else path + "/"


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` (see the module's docstring); quiet."""

    protocol_version = "HTTP/1.1"

    def __init__(self, *args, directory: str, prefix: str = "/", **kwargs):
        self.prefix = prefix
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith(self.prefix):
            if parts.path == "/" or parts.path + "/" == self.prefix:
                return self._redirect(self.prefix + (f"?{parts.query}" if parts.query else ""))
            return self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", head)
        root = Path(self.directory).resolve()
        target = (root / unquote(parts.path[len(self.prefix):])).resolve()
        if not target.is_relative_to(root):
            return self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", head)
        if target.is_dir():
            if not parts.path.endswith("/"):
                return self._redirect(parts.path + "/" + (f"?{parts.query}" if parts.query else ""))
            target = target / "index.html"
        if not target.is_file():
            missing = root / "404.html"
            if missing.is_file():
                return self._send(HTTPStatus.NOT_FOUND, missing.read_bytes(), "text/html", head)
            return self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", head)
        self._send(HTTPStatus.OK, target.read_bytes(), self.guess_type(str(target)), head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        if _CHARSET.match(content_type):
            content_type += "; charset=utf-8"
        compress = _COMPRESSED.match(content_type) and "gzip" in self.headers.get("Accept-Encoding", "")
        if compress:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", CACHE_CONTROL)
        if _COMPRESSED.match(content_type):
            self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if not head:
            self.wfile.write(body)


@contextlib.contextmanager
def serve_site(site: Path, prefix: str | None = None) -> Iterator[str]:
    """Serve ``site`` under ``prefix`` (default: :func:`site_path`); yields its URL, ending in ``/``."""
    prefix = site_path(site) if prefix is None else prefix
    handler = functools.partial(PagesHandler, directory=str(site), prefix=prefix)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"site-http-{site.name}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
