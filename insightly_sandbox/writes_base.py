"""What every write handler shares: answering as the spec declares, finding records, ids.

A handler raises `Refusal` for any error and returns a response built by `respond`, which
takes the status and the shape (one object, or a list of them) from the spec's declaration
of the operation, so that each answer matches what the real service documents.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from insightly_sandbox import api, query
from insightly_sandbox.query import Refusal
from insightly_sandbox.routes import match
from insightly_sandbox.spec import load_spec, response_schema
from tap_insightly.catalogue import BY_PATH

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store, Table
    from tap_insightly.catalogue import InsightlyObject

#: The owner of records a store without users creates: the user of the recorded samples.
DEFAULT_USER_ID = 2240727


def writing(handler: Callable[[Context], ApiResponse]) -> Handler:
    """A handler whose refusals become Insightly's error answers."""

    @functools.wraps(handler)
    def handle(ctx: Context) -> ApiResponse:
        try:
            return handler(ctx)
        except Refusal as refusal:
            return api.ApiResponse.error(refusal.status, refusal.message)

    return handle


def operation(ctx: Context) -> tuple[str, str]:
    """The spec's path template and method (lower case) a request matched."""
    return match(ctx.request.path)[0].route.template, ctx.request.method.lower()


@functools.cache
def success_status(template: str, method: str) -> int:
    """The status the spec declares for an operation's success (201 for most writes)."""
    responses = load_spec()["paths"][template][method]["responses"]
    return min(int(code) for code in responses if code.startswith("2"))


def respond(ctx: Context, value: Any = None, *, etag: str | None = None) -> ApiResponse:  # noqa: ANN401 - any JSON value
    """The success answer of the current operation, shaped as the spec declares it.

    A single record becomes a one-item list where the spec declares a list, and no value
    gives an empty body (DELETE).
    """
    template, method = operation(ctx)
    status = success_status(template, method)
    headers = {"ETag": etag} if etag is not None else {}
    if value is None:
        return api.ApiResponse(status, b"", headers)
    schema = response_schema(template, method)
    if schema is not None and schema.get("type") == "array" and not isinstance(value, list):
        value = [value]
    return api.ApiResponse.json(status, value, headers)


def table_of(ctx: Context) -> Table:
    """The table of the object the path names."""
    if ctx.table is None:
        raise Refusal(404, f"No HTTP resource was found that matches {ctx.request.path}")
    return ctx.table


def path_record(ctx: Context, param: str = "id") -> tuple[Table, int, Record]:
    """The record a path parameter names in the path's object (400 if not a number, else 404)."""
    table = table_of(ctx)
    key = query.existing(table, ctx.params[param])
    return table, key, table.rows[key]


def body_id(body: dict[str, Any], field: str) -> int:
    """The id a body must carry to say which record it changes."""
    value = body.get(field)
    if value is None:
        raise Refusal(400, f"{field} is required: it names the record to change.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refusal(400, f"{field} must be a whole number, not {value!r}.")
    return value


def existing_in(table: Table, key: int, field: str) -> Record:
    """A record a body names by id, which must exist (404 otherwise)."""
    record = table.rows.get(key)
    if record is None:
        name = table.obj.record_name or table.obj.path
        raise Refusal(404, f"No {name} with {field} {key} was found.")
    return record


def refuse_unless_in_plan(ctx: Context, obj: InsightlyObject) -> None:
    """Answer as a lower plan does for an object reached under another one's path."""
    if ctx.plan.refuses(obj) and obj.plan is not None:
        raise Refusal(obj.plan.status, f"Your Insightly plan does not include {obj.plan.feature}")


def check_record_limit(ctx: Context, table: Table) -> None:
    """Refuse a create once the plan's record limit is reached, as Insightly does with 402."""
    limit = ctx.plan.record_limit
    if limit is not None and len(table.rows) >= limit:
        raise Refusal(
            402,
            f"Record limit reached: the plan allows {limit} {table.obj.path} records. "
            "Delete records or upgrade the plan.",
        )


def api_user(store: Store) -> int:
    """The user whose key the sandbox answers to: the first user, as `/Users/Me` says."""
    for key in store.tables["Users"].rows:
        return int(key)
    return DEFAULT_USER_ID


def next_number(store: Store, sequence: str, existing: Callable[[], Iterable[Any]]) -> int:
    """The next id of a numbered thing that has no table (a DATE_ID, a COMMENT_ID).

    The first call scans the ids already in the store, so seeded ones are never reused.
    """
    last = store.sequences.get(sequence)
    if last is None:
        last = max((value for value in existing() if isinstance(value, int)), default=0)
    store.sequences[sequence] = last + 1
    return last + 1


def record_of(store: Store, path: str, key: int) -> Record | None:
    """A record of a table by id, or None."""
    table = store.tables.get(path)
    return table.rows.get(key) if table is not None else None


def touch(store: Store, path: str, key: int) -> None:
    """Mark a record changed now, if it still exists."""
    table = store.tables.get(path)
    if table is not None and key in table.rows:
        store.touch(path, key)


def is_custom(obj: InsightlyObject) -> bool:
    """Whether an object is a custom object (`Fruit__c`) rather than one of the catalogue."""
    return obj.path not in BY_PATH


def id_field_of(obj: InsightlyObject) -> str:
    """The field holding a record's own id."""
    field = obj.id_field
    if field is None:
        msg = f"{obj.path} records have no id field"
        raise TypeError(msg)
    return field
