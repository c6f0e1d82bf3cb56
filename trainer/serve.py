"""Serve the dashboard and a project's signals on 127.0.0.1, and nothing else.

The server answers GET and HEAD for three kinds of path:

- `/` and `/index.html`: the dashboard page shipped with this tool;
- `/dashboard/<file>`: its script and styles;
- `/signals/<path>.json`: the JSON files under the project's signals folder.

Every other path gets 404, so the warehouse, the logs, the spec, parent folders and dotfiles
are never sent. Paths are checked after percent-decoding and again after resolving symlinks.
"""

from __future__ import annotations

import http.server
import logging
import mimetypes
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, TrainerError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8420

# The dashboard ships beside the engine package, as the bundled SQL models do.
DASHBOARD_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD_PAGE = DASHBOARD_ROOT / "index.html"
DASHBOARD_ASSETS = DASHBOARD_ROOT / "dashboard"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# The page loads only its own script, styles and signals; the header repeats the meta tag in
# index.html so a page opened another way gets the same limits.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

logger = logging.getLogger(__name__)


class ServeError(TrainerError):
    """The server cannot start, e.g. because the port is in use."""


@dataclass(frozen=True)
class Site:
    """The files the server may send: the dashboard page, its assets folder and the signals folder."""

    signals_dir: Path
    page: Path = DASHBOARD_PAGE
    assets_dir: Path = DASHBOARD_ASSETS

    def resolve(self, url_path: str) -> Path | None:
        """Map a request path to a file to send, or None when the path is not served."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
        if "\\" in path or "\x00" in path:
            return None
        if path in ("/", "/index.html"):
            return self.page if self.page.is_file() else None

        segments = path.split("/")[1:]
        if len(segments) < 2 or any(_is_hidden_or_relative(segment) for segment in segments):
            return None
        folder, rest = segments[0], segments[1:]
        if folder == "dashboard" and len(rest) == 1:
            return _file_inside(self.assets_dir, rest)
        if folder == "signals" and rest[-1].endswith(".json"):
            return _file_inside(self.signals_dir, rest)
        return None


def _is_hidden_or_relative(segment: str) -> bool:
    """True for an empty segment, `.`, `..` and dotfiles such as `.git` or `.env`."""
    return segment == "" or segment.startswith(".")


def _file_inside(folder: Path, segments: list[str]) -> Path | None:
    """Return folder/segments when it is a regular file whose real path stays inside folder."""
    try:
        root = folder.resolve(strict=True)
        candidate = root.joinpath(*segments).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        return None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def make_handler(site: Site, allowed_hosts: frozenset[str]):
    """Build a request handler class bound to one site and the Host headers it accepts."""

    class DashboardHandler(http.server.BaseHTTPRequestHandler):
        server_version = "trainer-serve"
        sys_version = ""

        def do_GET(self):
            self._send(include_body=True)

        def do_HEAD(self):
            self._send(include_body=False)

        def _send(self, include_body: bool):
            # A page on another site could reach this server through a DNS name that resolves
            # to 127.0.0.1 (DNS rebinding); such requests carry that name in Host.
            if self.headers.get("Host", "") not in allowed_hosts:
                self._send_error(421, "Host not served")
                return
            target = site.resolve(self.path)
            if target is None:
                self._send_error(404, "Not found")
                return
            try:
                body = target.read_bytes()
            except OSError as err:
                logger.error("cannot read %s: %s", target, err)
                self._send_error(500, "File cannot be read")
                return
            self.send_response(200)
            content_type = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
            self.send_header("Content-Type", content_type or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self._send_common_headers()
            self.end_headers()
            if include_body:
                self.wfile.write(body)

        def _send_error(self, code: int, message: str):
            body = f"{code} {message}\n".encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self._send_common_headers()
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _send_common_headers(self):
            # Signals change with every build, so the browser must not reuse an old copy.
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")

        def log_message(self, format, *args):
            logger.info("%s %s", self.address_string(), format % args)

    return DashboardHandler


def create_server(signals_dir: Path, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST,
                  site: Site | None = None) -> http.server.ThreadingHTTPServer:
    """Bind the dashboard server to host:port (port 0 picks a free port) without serving yet."""
    site = site or Site(signals_dir=signals_dir)
    if not site.page.is_file():
        raise InputError(f"dashboard page not found at {site.page}; reinstall trainer-model from its repository")
    # Binding first tells us the real port, which the Host check needs when port is 0.
    try:
        server = http.server.ThreadingHTTPServer((host, port), make_handler(site, frozenset()))
    except OSError as err:
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror}; pass another --port") from err
    bound_port = server.server_address[1]
    allowed_hosts = frozenset({f"{host}:{bound_port}", f"localhost:{bound_port}"})
    server.RequestHandlerClass = make_handler(site, allowed_hosts)
    return server


def server_url(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def serve_forever(server: http.server.ThreadingHTTPServer, on_ready: Callable[[str], None] | None = None) -> None:
    """Call `on_ready(url)`, then serve until interrupted (Ctrl-C), then close the socket.

    `on_ready` runs inside the interrupt handler, so a Ctrl-C that arrives right after the
    URL is printed still stops the server cleanly.
    """
    try:
        if on_ready is not None:
            on_ready(server_url(server))
        logger.info("serving on %s", server_url(server))
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        logger.info("stopped serving on %s", server_url(server))
