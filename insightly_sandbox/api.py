"""The sandbox's API behind HTTP: a request in, a response out, no sockets.

`Api.handle` matches the path against the spec's routes, applies plan gating, and hands the
request to the handler registered for the route's family and method (reads in `reads.py`,
writes in `writes.py`). The HTTP server in `server.py` adds what belongs to the wire:
authentication, rate limits, faults, compression and the request log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insightly_sandbox import reads, writes
from insightly_sandbox.routes import OBJECT_NAME_PARAM, match
from insightly_sandbox.store import encode
from tap_insightly.catalogue import BY_PATH, InsightlyObject

if TYPE_CHECKING:
    from collections.abc import Mapping

    from insightly_sandbox.store import Store, Table


@dataclass(frozen=True)
class ApiRequest:
    """One API call as the server received it.

    Attributes:
        method: the HTTP method, upper case.
        path: the path below `/v3.1`, such as `/Contacts/Search`.
        query: the query parameters, names lower-cased (Insightly ignores their case),
            the last value of a repeated name winning.
        body: the decoded JSON body, or None when there was none.
        headers: the request headers, names lower-cased (`if-match`), for the few that
            change an answer.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ApiResponse:
    """What the API answers: a status, a JSON body already encoded, and extra headers.

    Attributes:
        status: the HTTP status.
        body: the response body.
        headers: headers to send besides those the HTTP layer adds.
        deflated: the body as a raw deflate stream without its final block, when one is ready;
            the HTTP layer then wraps it instead of compressing the body.
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    deflated: bytes | None = None

    @classmethod
    def json(cls, status: int, value: object, headers: dict[str, str] | None = None) -> ApiResponse:
        """A response whose body is a JSON value."""
        return cls(status, encode(value), dict(headers or {}))

    @classmethod
    def error(cls, status: int, message: str) -> ApiResponse:
        """An error in Insightly's shape: a JSON object with a `Message`."""
        return cls.json(status, {"Message": message})


@dataclass(frozen=True)
class Plan:
    """What the sandboxed instance's plan includes.

    `full` has everything; `basic` lacks the features `InsightlyObject.plan` names.
    """

    name: str = "full"
    #: Records an object may hold before creating another answers 402, as when an
    #: Insightly plan's record limit is reached; None for no limit.
    record_limit: int | None = None

    def refuses(self, obj: InsightlyObject | None) -> bool:
        """Whether this plan refuses an object."""
        return self.name != "full" and obj is not None and obj.plan is not None


@dataclass
class Context:
    """Everything a handler needs to answer one request.

    Attributes:
        store: the instance's data; hold `store.lock` while reading or changing it.
        request: the request being answered.
        obj: the object the path names, for routes of the `/{object}` families.
        table: that object's table, when it has one.
        params: the values of the route's path parameters (`id`, `linkId`, ...).
        plan: what the instance's plan allows (its record limit, for writes).
    """

    store: Store
    request: ApiRequest
    obj: InsightlyObject | None
    table: Table | None
    params: dict[str, str]
    plan: Plan


Handler = Callable[[Context], ApiResponse]


class Api:
    """Answers requests against one store, as the instance's plan allows."""

    def __init__(self, store: Store, plan: Plan | None = None) -> None:
        """Serve a store under a plan (`full` unless given)."""
        self.store = store
        self.plan = plan or Plan()
        self.handlers: dict[tuple[str, str], Handler] = {**reads.HANDLERS, **writes.HANDLERS}

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request."""
        matches = match(request.path)
        if not matches:
            return ApiResponse.error(404, f"No HTTP resource was found that matches {request.path}")
        found = matches[0]
        if request.method not in found.route.methods:
            return _not_allowed(request)
        obj, table = self._object_of(found.route.family, found.object_path, found.route.segments)
        if found.route.family.startswith("/{object}") and obj is None:
            # An object name the instance does not know (`/Products`, `/Quote`) reaches only
            # the custom-object routes, which the real service answers with 405.
            return _not_allowed(request)
        if self.plan.refuses(obj):
            assert obj is not None  # noqa: S101 - refuses() is False without an object
            assert obj.plan is not None  # noqa: S101
            return ApiResponse.error(
                obj.plan.status, f"Your Insightly plan does not include {obj.plan.feature}"
            )
        handler = self.handlers.get((request.method, found.route.family))
        if handler is None:
            return ApiResponse.error(
                501, f"The sandbox does not serve {request.method} {found.route.template}"
            )
        context = Context(self.store, request, obj, table, found.params, self.plan)
        with self.store.lock:
            return handler(context)

    def _object_of(
        self, family: str, object_path: str, segments: tuple[str, ...]
    ) -> tuple[InsightlyObject | None, Table | None]:
        """The object and table a route's first segment names, if it names one."""
        if not family.startswith("/{object}"):
            return None, None
        if segments[0] != OBJECT_NAME_PARAM:
            table = self.store.table(object_path)
            return BY_PATH[object_path], table
        table = self.store.table(object_path)
        if table is None or table.obj.path in BY_PATH:
            return None, None
        return table.obj, table


def _not_allowed(request: ApiRequest) -> ApiResponse:
    return ApiResponse.error(
        405, f"The requested resource does not support http method '{request.method}'."
    )


def parse_body(raw: bytes) -> Any:  # noqa: ANN401 - any JSON value
    """Decode a request body; an empty body is None."""
    if not raw.strip():
        return None
    return json.loads(raw)
