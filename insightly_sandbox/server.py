"""The sandbox on the wire: an HTTP server in front of `Api`, at `/v3.1/`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from typing_extensions import Self

from insightly_sandbox.api import Api, ApiRequest, ApiResponse, Plan, parse_body
from insightly_sandbox.seed import build_store

if TYPE_CHECKING:
    from types import TracebackType

    from insightly_sandbox.store import Store

API_PREFIX = "/v3.1"


@dataclass(frozen=True)
class SandboxConfig:
    """How one sandbox behaves; the defaults are those of `insightly-sandbox`."""

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    records: int = 200
    api_key: str = "sandbox"
    rate_limit: float | None = None
    daily_limit: int | None = None
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    plan: str = "full"


class SandboxServer:
    """A running sandbox: start it, read `url`, stop it (or use it as a context manager)."""

    def __init__(self, config: SandboxConfig | None = None, store: Store | None = None) -> None:
        """Build the store from the config's seed unless one is given."""
        self.config = config or SandboxConfig()
        self.store = (
            store if store is not None else build_store(self.config.seed, self.config.records)
        )
        self.api = Api(self.store, Plan(self.config.plan))
        self._httpd = _HTTPServer((self.config.host, self.config.port), _Handler)
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL clients use, ending in `/v3.1/`."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{API_PREFIX}/"

    @property
    def root(self) -> str:
        """The server's root URL, for `/_sandbox/` endpoints."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        """Start on entry."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        self.stop()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Stay quiet: the request log at `/_sandbox/requests` records what was served."""

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not url.path.startswith(API_PREFIX + "/"):
            self._send(
                ApiResponse.error(404, f"No HTTP resource was found that matches {url.path}")
            )
            return
        try:
            body = parse_body(raw)
        except json.JSONDecodeError as error:
            self._send(ApiResponse.error(400, f"The request body is not valid JSON: {error}"))
            return
        query = {
            name.lower(): value for name, value in parse_qsl(url.query, keep_blank_values=True)
        }
        request = ApiRequest(self.command, url.path[len(API_PREFIX) :], query, body)
        self._send(sandbox.api.handle(request))

    def _send(self, response: ApiResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)
