"""One request through the sandbox's front: latency, key, limits, fault, API, compression.

The order is the one a client of the real service meets, and it decides what a fault may have
done (see `faults.py`): status faults and dropped connections are drawn before the API sees
the request, truncation only after it answered.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qsl, urlsplit

from insightly_sandbox.api import ApiRequest, ApiResponse, parse_body
from insightly_sandbox.faults import STATUS_FAULTS, fault_response
from insightly_sandbox.requestlog import NO_RESPONSE
from insightly_sandbox.wire import authorised, choose_encoding, compress, wrap_deflated

if TYPE_CHECKING:
    from insightly_sandbox.server import SandboxServer

API_PREFIX = "/v3.1"
SANDBOX_PREFIX = "/_sandbox/"

#: Seconds an idle keep-alive connection is kept open, so abandoned ones free their thread.
IDLE_TIMEOUT = 120

#: Bodies smaller than this leave in the same write as the headers: one packet, not two.
_ONE_WRITE = 64 * 1024

#: What ASP.NET, which the real service runs on, answers a request without valid credentials.
_DENIED = "Authorization has been denied for this request."

_Request = socket.socket | tuple[bytes, socket.socket]

logger = logging.getLogger(__name__)


class SandboxHTTPServer(ThreadingHTTPServer):
    """One thread per connection; the open connections are known so they can be ended."""

    daemon_threads = True
    sandbox: SandboxServer

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        """Bind to an address for a sandbox."""
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def process_request(self, request: _Request, client_address: object) -> None:
        """Remember the connection, then serve it in a thread of its own."""
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Request) -> None:
        """Forget the connection, then close it."""
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection; their threads then read the end of input and finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # Its client or its own thread may have closed it meanwhile.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: _Request, client_address: object) -> None:
        """Report a failure in a connection's thread, unless the client just hung up."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SandboxHandler(BaseHTTPRequestHandler):
    """Serves the requests of one connection, kept alive between them."""

    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    # Headers and body may leave in two writes; without this, Nagle's algorithm and the
    # client's delayed ACK would hold the second one back for tens of milliseconds.
    disable_nagle_algorithm = True
    _api_request = False

    def handle_one_request(self) -> None:
        """Serve one request, adding the CPU time of a `/v3.1/` one to the sandbox's stats."""
        started = time.thread_time()
        self._api_request = False
        super().handle_one_request()
        if self._api_request:
            self.server.sandbox.stats.add(time.thread_time() - started)

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def do_PUT(self) -> None:
        """Serve a PUT."""
        self._serve()

    def do_DELETE(self) -> None:
        """Serve a DELETE."""
        self._serve()

    def do_PATCH(self) -> None:
        """Serve a PATCH, which the API answers 405 as the spec declares none."""
        self._serve()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Stay quiet: the request log at `/_sandbox/requests` records what was served."""

    def _serve(self) -> None:
        arrived = time.time()
        url = urlsplit(self.path)
        raw = self._read_body()
        if raw is None:
            # The body's end is unknown, so the next request's start is too.
            self.close_connection = True
            self._send(
                ApiResponse.error(400, "Send the body with a valid Content-Length, not chunked.")
            )
        elif url.path.startswith(SANDBOX_PREFIX):
            self._send(self._sandbox_endpoint(url.path))
        elif url.path.startswith(API_PREFIX + "/"):
            self._api_request = True
            self._serve_api(url, raw, arrived)
        else:
            self._send(ApiResponse.error(404, f"No HTTP resource was found at {url.path}"))

    def _read_body(self) -> bytes | None:
        """The request body (read even when refused, so the next request parses).

        None when its length is unknown: a chunked body, which no Insightly client sends, or a
        Content-Length that is not a whole number of bytes.
        """
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            return None
        # A negative size would read until the client hangs up.
        return self.rfile.read(size) if size >= 0 else None

    def _serve_api(self, url: SplitResult, raw: bytes, arrived: float) -> None:
        sandbox = self.server.sandbox
        if sandbox.config.latency_ms:
            time.sleep(sandbox.config.latency_ms / 1000)
        fault = None
        if not authorised(self.headers.get("Authorization"), sandbox.config.api_key):
            verdict = sandbox.limits.peek()
            response = ApiResponse.error(401, _DENIED)
            response.headers["WWW-Authenticate"] = 'Basic realm="Insightly"'
        else:
            verdict = sandbox.limits.admit()
            if verdict.refusal is not None:
                response = ApiResponse.error(429, verdict.refusal)
            else:
                fault = sandbox.faults.draw()
                if fault == "drop":
                    self._log(url, NO_RESPONSE, arrived, fault)
                    self.close_connection = True
                    return
                if fault in STATUS_FAULTS:
                    response = fault_response(fault)
                else:
                    response = self._answer(url, raw)
        response.headers.update(verdict.headers())
        self._log(url, response.status, arrived, fault)
        self._send(response, truncate=fault == "truncate")

    def _answer(self, url: SplitResult, raw: bytes) -> ApiResponse:
        """What the API answers to the request."""
        try:
            body = parse_body(raw)
        except ValueError as error:  # not JSON, or not even text
            return ApiResponse.error(400, f"The request body is not valid JSON: {error}")
        query = {
            name.lower(): value for name, value in parse_qsl(url.query, keep_blank_values=True)
        }
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = ApiRequest(self.command, url.path[len(API_PREFIX) :], query, body, headers)
        try:
            return self.server.sandbox.api.handle(request)
        except Exception:  # a sandbox bug answers 500, as the real service would
            logger.exception("The sandbox failed on %s %s", self.command, self.path)
            return ApiResponse.error(500, "An error has occurred.")

    def _log(self, url: SplitResult, status: int, arrived: float, fault: str | None) -> None:
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        self.server.sandbox.log.add(
            self.command, url.path, query, status, arrived=arrived, fault=fault
        )

    def _sandbox_endpoint(self, path: str) -> ApiResponse:
        """Answer a `/_sandbox/` request."""
        sandbox = self.server.sandbox
        name = path[len(SANDBOX_PREFIX) :].rstrip("/")
        methods = {"health": ("GET",), "requests": ("GET", "DELETE"), "stats": ("GET",)}
        if name not in methods:
            return ApiResponse.error(404, f"The sandbox has no endpoint {path}")
        if self.command not in methods[name]:
            return ApiResponse.error(405, f"{path} does not support {self.command}")
        if name == "health":
            return ApiResponse.json(200, {"status": "ok"})
        if name == "stats":
            return ApiResponse(200, sandbox.stats.encoded())
        if self.command == "DELETE":
            sandbox.log.clear()
            return ApiResponse(204)
        return ApiResponse(200, sandbox.log.encoded())

    def _send(self, response: ApiResponse, *, truncate: bool = False) -> None:
        """Write a response, compressed if the client accepts it (its deflate stream if ready).

        With `truncate`, the headers announce the whole body but only half of it is written
        before the connection closes.
        """
        body = response.body
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        coding = choose_encoding(self.headers.get("Accept-Encoding")) if body else None
        if coding is not None:
            if response.deflated is not None:
                body = wrap_deflated(response.deflated, body, coding)
            else:
                body = compress(body, coding)
            headers["Content-Encoding"] = coding
            headers["Vary"] = "Accept-Encoding"
        if response.status != 204:  # noqa: PLR2004 - No Content has no length to announce
            headers["Content-Length"] = str(len(body))
        headers["Date"] = self.date_time_string()
        if truncate:
            self.close_connection = True
            body = body[: len(body) // 2]
            if not body:
                return  # nothing to cut: the client sees the connection drop instead
        elif self.close_connection:
            headers["Connection"] = "close"
        phrase = self.responses.get(response.status, ("",))[0]
        lines = [f"{self.protocol_version} {response.status} {phrase}"]
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if len(body) < _ONE_WRITE:
            self.wfile.write(head + body)
        else:
            self.wfile.write(head)
            self.wfile.write(body)
