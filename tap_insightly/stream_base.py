"""What every stream read over HTTP shares: the tap's one session, paging, answers and logs.

Requests go through the tap's `InsightlySession`, so one rate limiter paces every stream and one
retry policy applies: the SDK's own retry decorator is cut to a single try. Insightly pages with
`top` and `skip` and sends no next-page marker; a page shorter than asked is the last one.
Answers of 403 or 404 for an object the account's plan lacks skip the stream with one warning.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from requests.auth import AuthBase
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.pagination import OffsetPaginator
from singer_sdk.streams import RESTStream
from typing_extensions import override

from tap_insightly.discovery import refusal_message

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import requests
    from singer_sdk.helpers.types import Auth, Context, Record

    from tap_insightly.catalogue import InsightlyObject, Plan
    from tap_insightly.tap import TapInsightly

#: Records read between two progress lines in the log.
PROGRESS_EVERY = 5000

#: The statuses with which Insightly refuses an object the account's plan lacks.
PLAN_STATUSES = frozenset({HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND})


class PlanRefusedError(Exception):
    """Insightly refused an object because the account's plan lacks the feature it belongs to."""

    def __init__(self, plan: Plan, status: int, url: str) -> None:
        """Keep the feature and how Insightly said no."""
        super().__init__(f"HTTP {status} from {url}: the plan lacks {plan.feature}")
        self.plan = plan
        self.status = status
        self.url = url


class ShortPagePaginator(OffsetPaginator):
    """Offset paging that ends with the first page shorter than the page size.

    The paginator sees only the response, so the stream tells it how many records the page
    held (`page_length`) rather than have the body parsed a second time. A page exactly as
    long as asked may be followed by more; only asking again tells, and an empty page ends it.
    """

    def __init__(self, page_size: int, page_length: Callable[[], int]) -> None:
        """Page `page_size` records at a time; `page_length` answers the last page's length."""
        super().__init__(start_value=0, page_size=page_size)
        self._page_length = page_length

    @override
    def has_more(self, response: requests.Response) -> bool:
        return self._page_length() >= self.page_size


class InsightlyStream(RESTStream[int]):
    """A stream of one Insightly object, read with the tap's session.

    Subclasses shape records (`prepare_record`), may read otherwise (`fetch`), and add to the
    start and end lines of the log (`describe_start`, `describe_end`).
    """

    def __init__(
        self, tap: TapInsightly, obj: InsightlyObject, schema: dict[str, Any], path: str
    ) -> None:
        """Read `obj` at `path` (relative to the API's base URL), its records shaped by `schema`."""
        super().__init__(tap, name=obj.stream, schema=schema, path=path)
        self.insightly = tap
        self.obj = obj
        self.primary_keys = obj.key
        self.at_last_record = False
        self._page_length = 0
        self._total: int | None = None
        self._read = 0
        self._emitted = 0
        self._sent_before = 0

    @property
    @override
    def url_base(self) -> str:
        return self.insightly.settings.base_url

    @property
    @override
    def requests_session(self) -> requests.Session:
        return self.insightly.session

    @property
    @override
    def authenticator(self) -> Auth:
        # The SDK sets whatever this returns as the session's auth before each request, so it
        # must be the session's own: anything else would strip the key from later requests.
        auth = self.insightly.session.auth
        if not isinstance(auth, AuthBase):
            msg = "the Insightly session has no HTTP authentication"
            raise TypeError(msg)
        return auth

    @property
    @override
    def timeout(self) -> int:
        return self.insightly.settings.timeout

    @property
    @override
    def user_agent(self) -> str:
        return self.insightly.settings.user_agent

    @override
    def backoff_max_tries(self) -> int:
        # The session already retries what is safe to retry; a second policy would multiply.
        return 1

    @override
    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if status < HTTPStatus.BAD_REQUEST:
            return
        plan = self.refusing_plan()
        if plan is not None and status in PLAN_STATUSES:
            raise PlanRefusedError(plan, status, response.url)
        remedy = ""
        if status in PLAN_STATUSES:
            remedy = (
                f"; every Insightly plan has {self.obj.path}, so check that api_url or pod names "
                "the account's pod and that the API key's user may read it"
            )
        msg = f"HTTP {status} from {response.url}: {refusal_message(response)}{remedy}"
        raise FatalAPIError(msg)

    def refusing_plan(self) -> Plan | None:
        """The plan feature whose absence would explain a 403 or 404 from the current request."""
        return self.obj.plan

    @override
    def get_new_paginator(self) -> ShortPagePaginator | None:
        if not self.obj.paged:
            return None
        return ShortPagePaginator(self.insightly.settings.page_size, lambda: self._page_length)

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, Any]:
        if not self.obj.paged:
            return {}
        skip = next_page_token or 0
        params: dict[str, Any] = {"top": self.insightly.settings.page_size, "skip": skip}
        if skip == 0:
            # The total costs nothing on the first page and lets progress lines say "of N".
            params["count_total"] = "true"
        return params

    @override
    def parse_response(self, response: requests.Response) -> Iterable[Record]:
        # Plain floats, not the SDK's Decimals: `field_types` types custom field values from int
        # and float. A number of more than 15 significant digits would be rounded; reading it
        # as a Decimal would need `field_types` to accept Decimals first.
        body = response.json()
        if self.obj.singleton and isinstance(body, dict):
            body = [body]
        if not isinstance(body, list):
            msg = f"{response.url} answered {type(body).__name__}, not a list of records"
            raise FatalAPIError(msg)
        self._page_length = len(body)
        total = response.headers.get("X-Total-Count", "")
        if total.isdigit():
            self._total = int(total)
        return body

    @override
    def get_records(self, context: Context | None) -> Iterable[Record]:
        self.begin_sync(context)
        yield from self._marking_last(self._read_records(context))
        self.end_sync()

    def begin_sync(self, context: Context | None) -> None:  # noqa: ARG002 - for subclasses
        """Get ready to read, and log the one line that says how this stream is read."""
        self._sent_before = self.insightly.session.quota.sent
        self._read = self._emitted = 0
        self._total = None
        self.at_last_record = False
        self.logger.info("%s: %s", self.name, self.describe_start())

    def end_sync(self) -> None:
        """Log the one line that says what the stream emitted and what it cost."""
        quota = self.insightly.session.quota
        # A stream left out of the catalog is still read when a selected child stream needs
        # its records (links); the SDK then writes none of them, so none were emitted.
        outcome = "emitted" if self.selected else "read for its child streams"
        self.logger.info(
            "%s: %s %s%s, %s, quota %s",
            self.name,
            counted(self._emitted, "record"),
            outcome,
            self.describe_end(),
            counted(quota.sent - self._sent_before, "request"),
            quota.describe(),
        )

    def describe_start(self) -> str:
        """How the stream is read, for its start line."""
        return "full table"

    def describe_end(self) -> str:
        """What the end line adds after the records emitted (starting with `, `), if anything."""
        return ""

    def fetch(self, context: Context | None) -> Iterator[Record]:
        """The records as Insightly answers them, page after page."""
        yield from self.request_records(context)

    def prepare_record(self, record: Record) -> Record | None:
        """The record as it leaves the tap, or None to leave it out."""
        return record

    def _read_records(self, context: Context | None) -> Iterator[Record]:
        try:
            for raw in self.fetch(context):
                self._read += 1
                if self._read % PROGRESS_EVERY == 0:
                    self._log_progress()
                record = self.prepare_record(raw)
                if record is not None:
                    self._emitted += 1
                    yield record
        except PlanRefusedError as refusal:
            self.logger.warning(
                "%s: skipped, because the Insightly plan lacks %s (HTTP %d from %s). Upgrade the "
                "plan, or deselect this stream and those read under it, to silence this warning.",
                self.name,
                refusal.plan.feature,
                refusal.status,
                refusal.url,
            )

    def _marking_last(self, records: Iterator[Record]) -> Iterator[Record]:
        """Pass records on, one behind, so that `at_last_record` is set for the final one."""
        held: Record | None = None
        for record in records:
            if held is not None:
                yield held
            held = record
        if held is not None:
            self.at_last_record = True
            yield held

    def _log_progress(self) -> None:
        of_total = f" of {self._total:,}" if self._total is not None else ""
        self.logger.info("%s: %s%s records read", self.name, f"{self._read:,}", of_total)


def counted(number: int, noun: str) -> str:
    """`1 record`, `2,500 records`: a count as a log line reads it."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
