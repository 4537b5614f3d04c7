"""The sandbox on the wire: an HTTP/1.1 server in front of `Api`, at `/v3.1/`.

Each `/v3.1/` request goes through the steps the real service's front puts it through, in
this order: the configured latency, the API key (401), the limits (429, see `limits.py`), a
drawn fault (see `faults.py`), the API itself, then compression as `Accept-Encoding` asks.
Every `/v3.1/` response carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`.

`/_sandbox/` serves tests and benchmarks, without authentication, limits or faults:

- `GET /_sandbox/health`: 200 once the sandbox serves.
- `GET /_sandbox/requests`, `DELETE /_sandbox/requests`: the request log (`requestlog.py`).
- `GET /_sandbox/stats`: how many `/v3.1/` requests were served and the server CPU time they
  took, from reading the request line to writing the last byte.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from typing_extensions import Self

from insightly_sandbox.api import Api, Plan
from insightly_sandbox.faults import FAULT_KINDS, Faults
from insightly_sandbox.handler import API_PREFIX, SandboxHTTPServer
from insightly_sandbox.limits import Limits
from insightly_sandbox.requestlog import RequestLog, Stats
from insightly_sandbox.seed import build_store

if TYPE_CHECKING:
    from types import TracebackType

    from insightly_sandbox.store import Store

#: The plans `--plan` offers; see `api.Plan`.
PLANS = ("full", "basic")

#: The highest TCP port.
MAX_PORT = 65535


@dataclass(frozen=True)
class SandboxConfig:
    """How one sandbox behaves; the defaults are those of `insightly-sandbox`.

    Attributes:
        host: the address to listen on.
        port: the port to listen on; 0 picks a free one.
        seed: the seed of the sample data and of the fault generator.
        records: how many records the seed data holds per main object.
        api_key: the key clients send as the Basic user name.
        rate_limit: requests per second before a 429 with `Retry-After`; None for no limit.
        daily_limit: requests per rolling 24 hours before a 429 with no remainder; None for
            no limit.
        latency_ms: milliseconds to wait before answering each `/v3.1/` request.
        fault_rate: the probability, 0 to 1, that a `/v3.1/` request meets a fault.
        fault_kinds: the faults to choose among (see `faults.FAULT_KINDS`).
        plan: `full`, or `basic` for a plan without products, quotes and service objects.
        record_limit: records an object may hold before a create answers 402, as when a
            plan's record limit is reached; None for no limit.
    """

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    records: int = 200
    api_key: str = "sandbox"
    rate_limit: float | None = None
    daily_limit: int | None = None
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    plan: str = "full"
    record_limit: int | None = None

    def __post_init__(self) -> None:
        """Refuse settings no sandbox could honour, naming the setting."""
        problems = [
            (not 0 <= self.port <= MAX_PORT, f"port must be 0 to {MAX_PORT}, not {self.port}"),
            (self.records < 0, f"records must be 0 or more, not {self.records}"),
            (not self.api_key or ":" in self.api_key, "api key must be non-empty, without ':'"),
            (
                self.rate_limit is not None and not self.rate_limit > 0,
                f"rate limit must be above 0, not {self.rate_limit}",
            ),
            (
                self.daily_limit is not None and self.daily_limit < 0,
                f"daily limit must be 0 or more, not {self.daily_limit}",
            ),
            (not self.latency_ms >= 0, f"latency must be 0 ms or more, not {self.latency_ms}"),
            (
                not 0 <= self.fault_rate <= 1,
                f"fault rate must be between 0 and 1, not {self.fault_rate}",
            ),
            (
                not self.fault_kinds or not set(self.fault_kinds) <= set(FAULT_KINDS),
                f"fault kinds must be some of {', '.join(FAULT_KINDS)}, not {self.fault_kinds}",
            ),
            (self.plan not in PLANS, f"plan must be one of {', '.join(PLANS)}, not {self.plan}"),
            (
                self.record_limit is not None and self.record_limit < 0,
                f"record limit must be 0 or more, not {self.record_limit}",
            ),
        ]
        for failed, message in problems:
            if failed:
                raise ValueError(message)


class SandboxServer:
    """A running sandbox: start it, read `url`, stop it (or use it as a context manager)."""

    def __init__(self, config: SandboxConfig | None = None, store: Store | None = None) -> None:
        """Build the store from the config's seed unless one is given, and bind the socket."""
        self.config = config or SandboxConfig()
        self.store = (
            store if store is not None else build_store(self.config.seed, self.config.records)
        )
        self.api = Api(self.store, Plan(self.config.plan, self.config.record_limit))
        self.limits = Limits(self.config.rate_limit, self.config.daily_limit)
        self.faults = Faults(self.config.fault_rate, self.config.seed, self.config.fault_kinds)
        self.log = RequestLog()
        self.stats = Stats()
        self._httpd = SandboxHTTPServer((self.config.host, self.config.port), self)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL clients use, ending in `/v3.1/`."""
        return f"{self.root}{API_PREFIX}/"

    @property
    def root(self) -> str:
        """The server's root URL, for `/_sandbox/` endpoints."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        """Serve in a background thread."""
        # A short poll keeps `stop` quick; an idle sandbox wakes 20 times a second for it.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.close()

    def close(self) -> None:
        """Close open connections and the listening socket (after `serve_forever` returned)."""
        self._httpd.close_connections()
        self._httpd.server_close()

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
