"""Seeded fault injection: the failures a client of the real service has to survive.

Each API request the limits admit draws from one random generator seeded from the sandbox's
seed, under a lock, so the same seed and the same sequence of requests meet the same faults.
A faulted request meets one kind, chosen uniformly from those configured:

- `500`, `502`, `503`: an error status instead of the answer. The API never sees the request,
  so a faulted write has not been applied.
- `drop`: the connection is closed without any response. The API never sees the request
  either.
- `truncate`: the API *has* handled the request (a write is stored), then the response is cut:
  the headers announce the full `Content-Length` but only part of the body is sent before the
  connection closes, like a network failure after the real service committed the write. A
  client that retries such a write must not create the record twice.
"""

from __future__ import annotations

import random
import threading

from insightly_sandbox.api import ApiResponse

#: Every kind of fault, in the order the generator chooses among them.
FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "drop", "truncate")

#: Kinds answered with an error status before the API sees the request.
STATUS_FAULTS = frozenset({"500", "502", "503"})

#: What a gateway in front of the real service answers; the application's own 500 is JSON.
_GATEWAY_PAGES = {
    502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center></body></html>",
    503: "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
    "<h1>503 Service Temporarily Unavailable</h1></center></body></html>",
}


class Faults:
    """Decides, request by request, whether and how the sandbox fails."""

    def __init__(self, rate: float, seed: int, kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        """Fail a share `rate` (0 to 1) of requests with one of `kinds`, drawn from `seed`."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            msg = f"fault kinds must be some of {', '.join(FAULT_KINDS)}, not {kinds!r}"
            raise ValueError(msg)
        self.rate = rate
        self.kinds = kinds
        # A generator of its own, so faults do not shift with how the seed data was built.
        self._random = random.Random(f"faults:{seed}")  # noqa: S311 - repeatable, not secret
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request, or None to serve it normally."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            return self._random.choice(self.kinds)


def fault_response(kind: str) -> ApiResponse:
    """The response of a status fault (`500`, `502` or `503`)."""
    status = int(kind)
    page = _GATEWAY_PAGES.get(status)
    if page is None:
        return ApiResponse.error(status, "An error has occurred.")
    return ApiResponse(status, page.encode(), {"Content-Type": "text/html"})
