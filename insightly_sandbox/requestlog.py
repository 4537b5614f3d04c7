"""What the sandbox was asked and what it answered, for tests to inspect.

`GET /_sandbox/requests` lists every `/v3.1/` request in the order it was answered, refused
(401, 429) and faulted ones included; `DELETE /_sandbox/requests` clears the list. Requests to
`/_sandbox/` itself are not listed.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from insightly_sandbox.store import encode

#: How many requests the log keeps; the oldest go first, so a long-running sandbox stays small.
CAPACITY = 100_000

#: The status logged for a connection closed without a response.
NO_RESPONSE = 0


class RequestLog:
    """A bounded, thread-safe list of served requests."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        """Keep at most `capacity` entries."""
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def add(  # noqa: PLR0913 - one entry has this many parts
        self,
        method: str,
        path: str,
        query: dict[str, str],
        status: int,
        *,
        arrived: float,
        fault: str | None = None,
    ) -> None:
        """Record one request.

        Args:
            method: the HTTP method.
            path: the path as requested, `/v3.1` prefix included.
            query: the query parameters as sent, the last value of a repeated name winning.
            status: the status answered, or `NO_RESPONSE` when the connection was dropped.
            arrived: when the request arrived, in seconds since the epoch.
            fault: the fault injected into the answer (`500`, `drop`, `truncate`...), if any.
        """
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "status": status,
            "time": arrived,
            "fault": fault,
        }
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def encoded(self) -> bytes:
        """The entries as a JSON array, oldest first."""
        with self._lock:
            entries = list(self._entries)
        return encode(entries)


class Stats:
    """How many `/v3.1/` requests were served and the server CPU time they took."""

    def __init__(self) -> None:
        """Start from nothing."""
        self.requests = 0
        self.cpu_seconds = 0.0
        self._lock = threading.Lock()

    def add(self, cpu_seconds: float) -> None:
        """Count one request and the CPU time its thread spent on it."""
        with self._lock:
            self.requests += 1
            self.cpu_seconds += cpu_seconds

    def encoded(self) -> bytes:
        """The figures as JSON: `{"api_requests": ..., "cpu_seconds": ...}`."""
        with self._lock:
            return encode({"api_requests": self.requests, "cpu_seconds": self.cpu_seconds})
