"""The one way both plugins talk to Insightly: authentication, rate limit, retries, quota.

`InsightlySession` is a `requests.Session` whose `send` waits for the process's rate limiter,
retries what is safe to retry, waits out a burst-limit 429 for as long as `Retry-After` says,
and turns the answers a run cannot work around into the exceptions below. The tap's streams and
the target's sinks share one session (and so one limiter) per process.

What is retried, and why:

- Reads (GET) and the idempotent writes (PUT, DELETE) are retried after a 5xx, a timeout, a
  dropped connection or a truncated body, with jittered exponential backoff, a bounded number
  of times.
- A POST is never retried once it may have reached Insightly: a 5xx or a lost answer leaves
  unknown whether the record was created, so `WriteOutcomeUnknownError` goes to the caller, which
  looks the record up before writing again. A POST refused with 429 was not applied and is
  retried like any request.
- A 429 with `X-RateLimit-Remaining: 0` is the daily quota: nothing is retried until the
  rolling 24-hour window frees requests, so `DailyQuotaError` stops the run.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.auth import HTTPBasicAuth

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Methods whose repetition leaves Insightly as one call would.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: What `requests` raises when an answer never arrives whole.
TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class InsightlyError(Exception):
    """An Insightly call failed in a way the caller has to handle; the message says how."""


class AuthenticationError(InsightlyError):
    """Insightly refused the API key (401)."""


class DailyQuotaError(InsightlyError):
    """The instance's rolling 24-hour request quota is used up (429, no requests remaining)."""


class RequestFailedError(InsightlyError):
    """A request failed for good: retries ran out, or Insightly refused it.

    Attributes:
        status: the HTTP status of the last answer, or None when none arrived.
        url: the URL requested (it never carries the API key).
    """

    def __init__(self, message: str, *, status: int | None, url: str) -> None:
        """Keep the status and URL next to the message."""
        super().__init__(message)
        self.status = status
        self.url = url


class WriteOutcomeUnknownError(RequestFailedError):
    """A POST may or may not have been applied: its answer was an error or never arrived."""


class RateLimiter:
    """Spaces requests so that no more than `per_second` start in any second.

    Thread-safe: every stream or sink of a process shares one, as Insightly counts requests
    per instance, not per connection.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Allow `per_second` requests a second, measured on `clock`."""
        # Written so that NaN, which compares false with everything, is refused too.
        if not per_second > 0:
            msg = f"requests_per_second must be above 0, not {per_second}"
            raise ValueError(msg)
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait for this caller's turn; turns are handed out in arrival order."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


@dataclass
class QuotaBook:
    """What this process has spent of the instance's quota, from the answers' headers.

    Attributes:
        sent: requests sent, retries included.
        limit: the daily quota Insightly last announced (`X-RateLimit-Limit`).
        remaining: the requests it last said were left (`X-RateLimit-Remaining`).
    """

    sent: int = 0
    limit: int | None = None
    remaining: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, response: requests.Response | None) -> None:
        """Count one request and read the quota headers of its answer, if one came."""
        with self._lock:
            self.sent += 1
            if response is None:
                return
            self.limit = _int_header(response, "X-RateLimit-Limit", self.limit)
            self.remaining = _int_header(response, "X-RateLimit-Remaining", self.remaining)

    def describe(self) -> str:
        """The quota as a log line shows it: `1234 of 40000 left`."""
        if self.remaining is None:
            return "quota unknown"
        if self.limit is None:
            return f"{self.remaining} left"
        return f"{self.remaining} of {self.limit} left"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the session tries before giving up.

    Attributes:
        max_retries: retries after a 5xx or a transport failure, per request.
        max_rate_limit_waits: times a request waits out a burst-limit 429 before failing.
        backoff_base: seconds before the first retry; each later one doubles it.
        backoff_max: the longest single wait, in seconds.
    """

    max_retries: int = 5
    max_rate_limit_waits: int = 10
    backoff_base: float = 1.0
    backoff_max: float = 60.0


class InsightlySession(requests.Session):
    """A session that authenticates, keeps the rate limit and retries as Insightly needs."""

    def __init__(  # noqa: PLR0913 - each is a separate, documented setting
        self,
        api_key: str,
        limiter: RateLimiter,
        *,
        timeout: float = 300.0,
        policy: RetryPolicy | None = None,
        user_agent: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Send every request as the user the key belongs to, within `limiter`'s pace."""
        super().__init__()
        self.auth = HTTPBasicAuth(api_key, "")
        self.headers["Accept"] = "application/json"
        if user_agent:
            self.headers["User-Agent"] = user_agent
        self.limiter = limiter
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.quota = QuotaBook()
        self._sleep = sleep
        self._jitter = random.Random()  # noqa: S311 - spreading retries, not secrets

    @classmethod
    def paced(
        cls,
        api_key: str,
        requests_per_second: float,
        *,
        timeout: float,
        max_retries: int,
        user_agent: str | None,
    ) -> InsightlySession:
        """A session with a rate limiter of its own, for a plugin's whole run to share."""
        return cls(
            api_key,
            RateLimiter(requests_per_second),
            timeout=timeout,
            policy=RetryPolicy(max_retries=max_retries),
            user_agent=user_agent,
        )

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # noqa: ANN401, C901
        """Send a prepared request, waiting, retrying or raising as the module describes.

        Raises:
            AuthenticationError: Insightly answered 401.
            DailyQuotaError: the daily quota is used up.
            WriteOutcomeUnknownError: a POST met a 5xx or no whole answer.
            RequestFailedError: retries ran out.
        """
        # `Session.request` passes `timeout=None` when its caller gives none, so a default set
        # with `setdefault` would never apply and a stalled connection would hang the run.
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        method = (request.method or "GET").upper()
        url = request.url or ""
        retries = waits = 0
        while True:
            self.limiter.acquire()
            try:
                response = super().send(request, **kwargs)
            except TRANSPORT_ERRORS as error:
                self.quota.count(None)
                reason = f"{type(error).__name__} from {_host(url)}"
                if method not in IDEMPOTENT_METHODS:
                    msg = f"{method} {url}: {reason}; Insightly may have applied it"
                    raise WriteOutcomeUnknownError(msg, status=None, url=url) from None
                if retries >= self.policy.max_retries:
                    msg = f"{method} {url} failed after {retries + 1} tries: {reason}"
                    raise RequestFailedError(msg, status=None, url=url) from None
                retries += 1
                self._back_off(retries, f"{method} {url}: {reason}")
                continue

            self.quota.count(response)
            status = response.status_code
            if status == HTTPStatus.UNAUTHORIZED:
                msg = (
                    f"HTTP 401 from {_host(url)}: Insightly refused the API key; check api_key "
                    "and that api_url or pod names your account's pod"
                )
                raise AuthenticationError(msg)
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                if _int_header(response, "X-RateLimit-Remaining", None) == 0:
                    raise DailyQuotaError(_quota_message(response))
                if waits >= self.policy.max_rate_limit_waits:
                    msg = f"{method} {url} was still rate-limited after {waits} waits"
                    raise RequestFailedError(msg, status=status, url=url)
                waits += 1
                self._wait_retry_after(response, waits)
                continue
            if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
                reason = f"HTTP {status} from {_host(url)}"
                if method not in IDEMPOTENT_METHODS:
                    msg = f"{method} {url}: {reason}; Insightly may have applied it"
                    raise WriteOutcomeUnknownError(msg, status=status, url=url)
                if retries >= self.policy.max_retries:
                    msg = f"{method} {url} failed after {retries + 1} tries: {reason}"
                    raise RequestFailedError(msg, status=status, url=url)
                retries += 1
                self._back_off(retries, f"{method} {url}: {reason}")
                continue
            return response

    def _back_off(self, attempt: int, reason: str) -> None:
        """Wait before retry `attempt`: a random time in the upper half of a doubling ceiling."""
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (attempt - 1))
        wait = self._jitter.uniform(ceiling / 2, ceiling)
        logger.warning("%s; retry %d in %.1f s", reason, attempt, wait)
        self._sleep(wait)

    def _wait_retry_after(self, response: requests.Response, attempt: int) -> None:
        """Wait as long as a burst-limit 429 asks (`Retry-After`), or back off without it."""
        asked = response.headers.get("Retry-After", "")
        try:
            wait = min(self.policy.backoff_max, max(0.0, float(asked)))
        except ValueError:
            self._back_off(attempt, "HTTP 429 without Retry-After")
            return
        logger.info("Insightly's per-second limit was hit; waiting %.1f s as asked", wait)
        self._sleep(wait)


def _int_header(response: requests.Response, name: str, default: int | None) -> int | None:
    """An integer header, or `default` when it is missing or not a number."""
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return default


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _quota_message(response: requests.Response) -> str:
    limit = response.headers.get("X-RateLimit-Limit", "its")
    return (
        f"Insightly's daily request quota ({limit} requests per rolling 24 hours) is spent for "
        f"{_host(response.url)}. Requests free up 24 hours after they were made: run again "
        "later, or lower how often the pipeline runs. Everything extracted so far is kept."
    )
