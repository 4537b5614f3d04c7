"""Insightly's two request limits: a per-second burst limit and a rolling 24-hour quota.

What counts, as the sandbox decides it (the real service does not document it):

- Every request the limits admit counts, whatever the API then answers (404, 500, a fault),
  because it reached the instance.
- A request the limits refuse (429) counts against neither limit, so a client that waits as
  `Retry-After` says is served on its next try, and a spent quota stays exactly spent.
- A request that fails authentication (401) never reaches the limits: without a valid key the
  sandbox cannot tell which instance it was meant for.

Without a daily limit the sandbox announces Enterprise's quota, 100,000, and counts down from it
as the real service would, but never refuses; the announced remainder stays at 1 or more, so a
client that stops at `X-RateLimit-Remaining: 0` keeps going.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

#: The quota announced when none is set: Insightly's Enterprise plan.
UNLIMITED_DAILY = 100_000

#: How long a request counts against the daily quota.
DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Verdict:
    """What the limits say about one request.

    Attributes:
        limit: the daily quota, for `X-RateLimit-Limit`.
        remaining: what is left of it, for `X-RateLimit-Remaining`.
        refusal: why the request is refused (a message for the 429 body), or None if admitted.
        retry_after: whole seconds to wait, for `Retry-After`, on a burst-limit refusal only;
            a spent daily quota has none, as retrying soon is pointless.
    """

    limit: int
    remaining: int
    refusal: str | None = None
    retry_after: int | None = None

    @property
    def admitted(self) -> bool:
        """Whether the request may go on to the API."""
        return self.refusal is None

    def headers(self) -> dict[str, str]:
        """The rate headers every API response carries, and `Retry-After` when it applies."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class Limits:
    """The limits of one sandboxed instance, shared by every connection's thread."""

    def __init__(
        self,
        per_second: float | None = None,
        daily: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set the limits; None lifts one.

        Args:
            per_second: at most this many requests in any one-second window. A fraction
                generalises it: at most `k = max(1, floor(per_second))` requests in any window
                of `k / per_second` seconds (0.5 is one request per two seconds).
            daily: at most this many requests in any 24 hours.
            clock: seconds from an arbitrary start; tests may pass a fake one.
        """
        self._daily = daily
        self._clock = clock
        self._lock = threading.Lock()
        self._burst = 0
        self._window = 0.0
        if per_second is not None:
            self._burst = max(1, math.floor(per_second))
            self._window = self._burst / per_second
        # Admission times within the burst window, oldest first.
        self._recent: deque[float] = deque()
        # Admissions per whole second over the last 24 hours, as [second, count], oldest first:
        # at most 86,400 entries however many requests are made.
        self._days: deque[list[int]] = deque()
        self._used = 0

    def admit(self) -> Verdict:
        """Count a request if the limits allow it; say whether they did."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self._daily is not None and self._used >= self._daily:
                return Verdict(
                    self._daily,
                    0,
                    f"The daily API request limit of {self._daily} has been reached; requests "
                    "are counted over a rolling 24 hours.",
                )
            if self._burst and len(self._recent) >= self._burst:
                wait = self._recent[0] + self._window - now
                return Verdict(
                    *self._quota(),
                    f"Too many requests: at most {self._burst} in {self._window:g} s.",
                    max(1, math.ceil(wait)),
                )
            self._count(now)
            return Verdict(*self._quota())

    def peek(self) -> Verdict:
        """The quota as it stands, counting nothing: for responses the limits never saw."""
        with self._lock:
            self._expire(self._clock())
            return Verdict(*self._quota())

    def _quota(self) -> tuple[int, int]:
        """The announced limit and remainder."""
        if self._daily is None:
            return UNLIMITED_DAILY, max(1, UNLIMITED_DAILY - self._used)
        return self._daily, max(0, self._daily - self._used)

    def _count(self, now: float) -> None:
        if self._burst:
            self._recent.append(now)
        second = math.floor(now)
        if self._days and self._days[-1][0] == second:
            self._days[-1][1] += 1
        else:
            self._days.append([second, 1])
        self._used += 1

    def _expire(self, now: float) -> None:
        """Forget admissions that have left the burst window or the 24 hours."""
        while self._recent and self._recent[0] <= now - self._window:
            self._recent.popleft()
        while self._days and self._days[0][0] <= now - DAY_SECONDS:
            self._used -= self._days.popleft()[1]
