"""Write handlers of the sandbox API: POST, PUT and DELETE on objects, and every write family.

Sub-resource writes live in `writes_links.py` (Links), `writes_sub.py` (tags, dates, notes,
comments, follows, team members) and `writes_sales.py` (children such as line items, and
pipelines, stages, states); `HANDLERS` here registers them all.

Bodies are checked against the spec (`validation.py`) and whole before anything changes, so
a refused write changes nothing. Answers take their status and shape from the spec.

[open] choices, where no source settles what Insightly does and the sandbox picks one:

- Unknown top-level fields in a body are ignored, as read-only ones are; so are fields GET
  answers but the body schema does not declare (VISIBLE_TO on Contacts).
- A create requires the spec's `required` fields minus read-only ones and OWNER_USER_ID, which
  defaults to the API user (Leads: LAST_NAME, LEAD_SOURCE_ID, LEAD_STATUS_ID). An update
  requires only the id field; sending a required field as null is refused.
- JSON types are checked strictly: "12" for an integer is a 400 (Insightly's deserialiser
  may coerce it); 3.0 passes as an integer. Strings longer than `maxLength` are refused.
- DATE_CREATED_UTC, DATE_UPDATED_UTC and CREATED_USER_ID are always the sandbox's, even where
  a body schema declares them writable (Events, Notes, Teams).
- Read-only fields the spec also requires (a line item's PRICEBOOK_ENTRY_ID, a price book
  entry's PRODUCT_ID, a quotation line's LIST_PRICE) are taken on create, ignored on update.
- Fields a create leaves out are null, [] or false, except ACTIVE (true), VISIBLE_TO
  (EVERYONE) and OPPORTUNITY_STATE (OPEN).
- Every accepted PUT moves DATE_UPDATED_UTC, even when no value differs.
- TAGS, DATES and EMAILDOMAINS sent in a PUT replace the set; left out or null, untouched.
  Entries keep a DATE_ID or EMAIL_DOMAIN_ID that names one of the record's entries.
- CUSTOMFIELDS sent in a PUT change only the fields named; null clears one (its entry stays,
  with a null value). A created record lists every defined custom field, in name order, null
  unless given, as seeded records do; DEFAULT_VALUE is not applied; AUTONUMBER fields number
  themselves. Fields that are not editable (AUTONUMBER) are ignored in bodies, not refused.
- LINKS in a body add links; in a PUT an entry with one of the record's LINK_IDs changes that
  link's ROLE and DETAILS; links left out stay, since removing one changes another record.
- A link to a record that does not exist is a 400 naming LINK_OBJECT_ID (404 is kept for the
  record in the path); linking the same records twice makes two links; a record cannot be
  linked to itself.
- What GET answers for a record is what moves its DATE_UPDATED_UTC: a link change moves both
  linked records'; tags, dates, e-mail domains, notes, comments, children (line items,
  milestones, entries), pipeline, stage and state changes move the record in the path's.
  Following does not.
- Where the spec declares a list answer (PUT Tags, Dates, line items, milestones, comments,
  pipeline changes), a write of one item answers a one-item list; replacing writes answer
  the whole new set. Statuses are the spec's: 201 for POST and for PUT of the main objects,
  200 for other PUTs it says 200 for, 202 for DELETE.
- PUT Tags with one tag replaces the tags with it. PUT Dates or EmailDomains with one entry
  changes the entry its id names (404 if none) or adds it when it has no id; a list replaces.
- DELETE Tags of a tag the record lacks, and DELETE Follow of a record not followed, answer
  202. Tags compare without regard to case.
- A note changed through `PUT /{Parent}/{id}/Notes` must be linked to that parent (404).
- A line item's price book entry must be in the parent's price book (400); a parent without
  one takes the entry's. Changing an opportunity's price book deletes its line items. A price
  book lists a product once.
- A lead's pipeline and stage are kept beside the record, since lead records answer no
  PIPELINE_ID or STAGE_ID. PUT Pipeline without a stage starts at the first stage; the
  pipeline must be FOR_OPPORTUNITIES or FOR_PROJECTS as the record needs (any, for a lead).
- StateChange takes the state in FOR_OPPORTUNITY_STATE, in any case, stored upper case; a
  STATE_REASON_ID must be a reason for that state. A state changed by `PUT /Opportunities`
  enters StateHistory too.
- Ids that refer to other records (ORGANISATION_ID, CATEGORY_ID, LEAD_SOURCE_ID, OWNER_USER_ID,
  PIPELINE_ID, ...) must name one (400), as the spec warns. Deleting a lead source, lead
  status or category still in use, or the last lead source or status, answers 409 where the
  spec declares 409.
- Deleting a record deletes its links on both sides, what is kept beside it (comments, state
  history), the API user's follow, and the records it owns (line items, milestones, a
  product's price book entries, team memberships); notes and tasks linked to it stay.
- `If-Match` with a stale ETag answers 400; `*`, a missing header or a weak `W/` form of the
  current tag passes.
- A plan's record limit counts the records of the one object being created (402).
- A note, task or e-mail comment has only the fields the spec declares (COMMENT_ID,
  OWNER_USER_ID); anything else sent is dropped.
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
