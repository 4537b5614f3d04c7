"""Write handlers of the sandbox API: POST, PUT and DELETE on objects, and every write family.

Sub-resource writes live in `writes_links.py` (Links), `writes_sub.py` (tags, dates, notes,
comments, follows, team members) and `writes_sales.py` (children such as line items, and
pipelines, stages, states); `HANDLERS` here registers them all.

Bodies are checked against the spec (`validation.py`) and whole before anything changes, so
a refused write changes nothing. Answers take their status and shape from the spec.

Where no source settles what Insightly does, the sandbox picks one behaviour; every such
choice is listed in `docs/sandbox.md`, so that a live account can prove it wrong.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from insightly_sandbox import query, writes_links, writes_sales, writes_sub
from insightly_sandbox.query import Refusal
from insightly_sandbox.seed_context import record_fields
from insightly_sandbox.spec import load_spec
from insightly_sandbox.validation import check_value, json_object
from insightly_sandbox.writes_base import (
    id_field_of,
    next_number,
    operation,
    path_record,
    respond,
    table_of,
    writing,
)
from insightly_sandbox.writes_records import (
    Draft,
    create,
    delete_record,
    draft_create,
    draft_update,
    reference_target,
    update,
)
from tap_insightly.catalogue import OBJECTS

if TYPE_CHECKING:
    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store, Table

#: Read-only numbers some objects show, and how the seeded data writes them.
_NUMBERS = {"Quotation": ("QUOTATION_NUMBER", "Q-{:05d}"), "Ticket": ("TICKET_NUMBER", "{:05d}")}


@writing
def post_object(ctx: Context) -> ApiResponse:
    """`POST /{object}`: create a record from the body; answer it as stored."""
    table = table_of(ctx)
    if table.obj.path == "TeamMembers":
        return _post_team_member(ctx, table)
    draft = draft_create(ctx, table)
    members = _check_object(ctx.store, draft, ctx.request.body)
    record = create(draft)
    key = record[id_field_of(table.obj)]
    _after_write(ctx.store, table, key, {}, members)
    return respond(ctx, record, etag=table.etag(key))


@writing
def put_object(ctx: Context) -> ApiResponse:
    """`PUT /{object}`: change the fields the body sends of the record its id field names."""
    table = table_of(ctx)
    draft = draft_update(ctx, table)
    assert draft.key is not None  # noqa: S101 - draft_update always names the record
    previous = dict(table.rows[draft.key])
    members = _check_object(ctx.store, draft, ctx.request.body)
    update(draft)
    _after_write(ctx.store, table, draft.key, previous, members)
    return respond(ctx, table.rows[draft.key], etag=table.etag(draft.key))


@writing
def delete_object(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}`: delete the record and everything that hangs off it."""
    table, key, _ = path_record(ctx)
    _refuse_if_in_use(ctx, table, key)
    delete_record(ctx.store, table.obj, key)
    return respond(ctx)


@writing
def delete_by_query(ctx: Context) -> ApiResponse:
    """`DELETE /LeadSources?id=` and `/LeadStatuses?id=`: the id travels in the query."""
    table = table_of(ctx)
    text = ctx.request.query.get("id")
    if not text:
        raise Refusal(400, "id is required: name the record to delete in the query.")
    key = query.existing(table, text)
    _refuse_if_in_use(ctx, table, key)
    delete_record(ctx.store, table.obj, key)
    return respond(ctx)


def _check_object(store: Store, draft: Draft, body: Any) -> list[int] | None:  # noqa: ANN401 - any JSON value
    """Checks particular to one object; for a team, the users its TEAMMEMBERS name."""
    path = draft.table.obj.path
    if path == "Opportunities" and "OPPORTUNITY_STATE" in draft.fields:
        state = writes_sales.check_state("OPPORTUNITY_STATE", draft.fields["OPPORTUNITY_STATE"])
        draft.fields["OPPORTUNITY_STATE"] = state
    if path != "Teams" or json_object(body).get("TEAMMEMBERS") is None:
        return None
    given = check_value("TEAMMEMBERS", body["TEAMMEMBERS"], {"type": "array"})
    users: list[int] = []
    for item in given:
        user_id = check_value(
            "TEAMMEMBERS.MEMBER_USER_ID",
            json_object(item, "Each entry of TEAMMEMBERS").get("MEMBER_USER_ID"),
            {"type": "integer"},
        )
        if user_id is None or user_id not in store.tables["Users"].rows:
            raise Refusal(400, f"TEAMMEMBERS.MEMBER_USER_ID {user_id} names no user.")
        if user_id not in users:
            users.append(user_id)
    return users


def _after_write(
    store: Store, table: Table, key: int, previous: Record, members: list[int] | None
) -> None:
    """Effects particular to one object, once its record is written."""
    record = table.rows[key]
    path = table.obj.path
    if path == "Opportunities" and previous:
        state = record.get("OPPORTUNITY_STATE")
        if state is not None and state != previous.get("OPPORTUNITY_STATE"):
            writes_sales.record_state(store, key, state)
    elif path == "Quotation":
        writes_sales.quotation_totals(store, record)
    if path in _NUMBERS and not previous:
        name, pattern = _NUMBERS[path]
        number = next_number(store, name, lambda: _numbers(store, path, name))
        record[name] = pattern.format(number)
    if members is not None:
        _set_members(store, key, members)
    table.forget(key)


def _numbers(store: Store, path: str, name: str) -> list[int]:
    """The numbers already shown in a field like QUOTATION_NUMBER (`Q-00042` is 42)."""
    found = []
    for record in store.records(path):
        digits = "".join(char for char in str(record.get(name) or "") if char.isdigit())
        if digits:
            found.append(int(digits))
    return found


def _set_members(store: Store, team_id: int, users: list[int]) -> None:
    """Make a team's members exactly the users given."""
    team = store.tables["Teams"].rows[team_id]
    current = {entry["MEMBER_USER_ID"]: entry for entry in team.get("TEAMMEMBERS") or ()}
    members = store.tables["TeamMembers"]
    for user_id, entry in current.items():
        if user_id not in users and entry.get("PERMISSION_ID") in members.rows:
            delete_record(store, members.obj, entry["PERMISSION_ID"])
    for user_id in users:
        if user_id not in current:
            writes_sub.add_team_member(store, team_id, user_id)


def _post_team_member(ctx: Context, table: Table) -> ApiResponse:
    """`POST /TeamMembers`: add a user to the team the body's TEAM_ID names."""
    body = json_object(ctx.request.body)
    team_id = check_value("TEAM_ID", body.get("TEAM_ID"), {"type": "integer"})
    if team_id is None:
        raise Refusal(400, "TEAM_ID is required: name the team to add the user to.")
    if team_id not in ctx.store.tables["Teams"].rows:
        raise Refusal(400, f"TEAM_ID {team_id} names no team.")
    user_id = writes_sub.check_member(ctx.store, team_id, body)
    member = writes_sub.add_team_member(ctx.store, team_id, user_id)
    return respond(ctx, member, etag=table.etag(member["PERMISSION_ID"]))


def _refuse_if_in_use(ctx: Context, table: Table, key: int) -> None:
    """Refuse with 409 to delete a record others still refer to, where the spec says so."""
    template, method = operation(ctx)
    if "409" not in load_spec()["paths"][template][method]["responses"]:
        return
    path = table.obj.path
    if path in {"LeadSources", "LeadStatuses"} and len(table.rows) == 1:
        raise Refusal(409, f"The only one of {path} cannot be deleted.")
    for source, field in _referrers(path):
        for row in ctx.store.records(source):
            if row.get(field) == key:
                raise Refusal(
                    409,
                    f"{path} {key} cannot be deleted because it is in use: {source} records "
                    f"refer to it in {field}. Change them first.",
                )


@functools.cache
def _referrers(target: str) -> tuple[tuple[str, str], ...]:
    """The (object, field) pairs whose values are ids of the target's records."""
    found: list[tuple[str, str]] = []
    for obj in OBJECTS:
        if obj.singleton or obj.path == target:
            continue
        try:
            names = [name for name, _ in record_fields("/" + obj.path)]
        except KeyError:
            continue
        found.extend((obj.path, name) for name in names if reference_target(obj, name) == target)
    return tuple(found)


HANDLERS: dict[tuple[str, str], Handler] = {
    ("POST", "/{object}"): post_object,
    ("PUT", "/{object}"): put_object,
    ("DELETE", "/{object}/{id}"): delete_object,
    ("DELETE", "/{object}"): delete_by_query,
    **writes_links.HANDLERS,
    **writes_sub.HANDLERS,
    **writes_sales.HANDLERS,
}
