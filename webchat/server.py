"""The demo programme pages with the chat widget: a small static web server.

    python -m webchat.server --port 8000 --rasa-url http://localhost:5005

Serves the English page at /, the Norwegian one at /nb/, their assets, and the built
widget (webchat/dist, made by `npm ci && npm run build` in webchat/) at /webchat/.
The Rasa server's address is written into the pages when they are served, and the
pages' Content-Security-Policy lets them connect to that server only.
"""
from __future__ import annotations

import argparse
import html
import mimetypes
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
DIST = HERE / "dist"
RASA_URL_PLACEHOLDER = "__RASA_URL__"
DEFAULT_RASA_URL = "http://localhost:5005"
BUILD_HINT = "cd webchat && npm ci && npm run build"

# URL prefix -> folder it is served from.
MOUNTS = (("/webchat/", DIST), ("/", SITE))
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".ico": "image/x-icon"}


def check_rasa_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def content_security_policy(rasa_url: str) -> str:
    parts = urlsplit(rasa_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        f"connect-src 'self' {origin} {socket_scheme}://{parts.netloc}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def resolve(path: str) -> Optional[Path]:
    """The file for a URL path, or None; never a file outside the served folders."""
    path = unquote(urlsplit(path).path)
    for prefix, folder in MOUNTS:
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix):]
        candidate = (folder / relative).resolve()
        if candidate != folder and folder not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    return None


class Handler(BaseHTTPRequestHandler):
    def version_string(self) -> str:
        return "ie-webchat"

    def __init__(self, *args, rasa_url: str, quiet: bool, **kwargs) -> None:
        self.rasa_url = rasa_url
        self.quiet = quiet
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        if not self.quiet:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def do_GET(self) -> None:
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        path = urlsplit(self.path).path
        # /nb -> /nb/ so that the page's relative links work.
        if not path.endswith("/") and (SITE / path.lstrip("/")).is_dir() and ".." not in path:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body, headers = self.page(path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def page(self, path: str) -> Tuple[int, bytes, Dict[str, str]]:
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cache-Control": "no-cache",
        }
        file = resolve(path)
        if file is None:
            headers["Content-Type"] = "text/plain; charset=utf-8"
            hint = f"\nThe chat widget is not built: {BUILD_HINT}\n" if path.startswith("/webchat/") else ""
            return HTTPStatus.NOT_FOUND, f"Not found: {path}{hint}".encode(), headers
        body = file.read_bytes()
        suffix = file.suffix.lower()
        headers["Content-Type"] = TYPES.get(suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if suffix == ".html":
            attribute = html.escape(self.rasa_url, quote=True)
            body = body.decode("utf-8").replace(RASA_URL_PLACEHOLDER, attribute).encode("utf-8")
            headers["Content-Security-Policy"] = content_security_policy(self.rasa_url)
            headers["X-Frame-Options"] = "SAMEORIGIN"
        return HTTPStatus.OK, body, headers


def make_server(host: str, port: int, rasa_url: str, quiet: bool = True) -> ThreadingHTTPServer:
    handler = partial(Handler, rasa_url=check_rasa_url(rasa_url), quiet=quiet)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Loopback unless told otherwise: the public side is the reverse proxy (deploy/).
    parser.add_argument("--host", default=os.environ.get("WEB_INTERFACE") or os.environ.get("WEB_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", 8000)))
    parser.add_argument("--rasa-url", type=check_rasa_url, default=os.environ.get("RASA_URL", DEFAULT_RASA_URL),
                        help=f"where the pages' chat widget connects (default {DEFAULT_RASA_URL})")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if not (DIST / "webchat.js").is_file():
        sys.exit(f"The chat widget is not built (no {DIST / 'webchat.js'}): run `{BUILD_HINT}`.")
    server = make_server(args.host, args.port, args.rasa_url, quiet=not args.verbose)
    print(f"Serving the chat pages on http://{args.host}:{args.port}/ (Rasa at {args.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
