"""Links between records: checked, added, changed and removed on both sides at once.

A link is stored twice, once in each record's LINKS, seen from that record (`store.add_link`);
the two copies share a LINK_ID. Every change here keeps both copies equal and moves both
records' DATE_UPDATED_UTC, since what GET answers for both has changed. The Links
sub-resource handlers live here too; LINKS inside a POST or PUT body use the same checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox.query import Refusal
from insightly_sandbox.validation import check_value, json_object, rules
from insightly_sandbox.writes_base import (
    is_custom,
    operation,
    path_record,
    respond,
    touch,
    writing,
)
from tap_insightly.catalogue import BY_PATH, LINKS

if TYPE_CHECKING:
    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store
    from tap_insightly.catalogue import InsightlyObject

#: The link fields a body may set besides the record it points at.
LINK_DETAILS = ("ROLE", "DETAILS", "RELATIONSHIP_ID")
_LINK_TEMPLATE = ("/Contacts/{id}/Links", "post")


def linkable(obj: InsightlyObject) -> bool:
    """Whether records of an object can be linked: those with LINKS, and custom objects."""
    return LINKS in obj.nested or is_custom(obj)


def check_link(
    store: Store,
    body: Any,  # noqa: ANN401 - any JSON value
    field: str = LINKS,
    *,
    by_id: bool = False,
) -> dict[str, Any]:
    """A link as a body gives it, checked: which record it points at, and its details.

    LINK_OBJECT_NAME takes the singular object name (`Organisation`, `Fruit__c`); a plural is
    the common mistake the real service refuses with 400. OBJECT_NAME and OBJECT_ID are the
    record the path or body names, so they are ignored here. With `by_id`, an entry carrying
    a LINK_ID names an existing link to change rather than a new one.
    """
    given = json_object(body, f"Each entry of {field}" if field != LINKS else "A link")
    properties = rules(*_LINK_TEMPLATE).properties
    checked = {
        name: check_value(name, given[name], properties[name])
        for name in ("LINK_ID", "LINK_OBJECT_NAME", "LINK_OBJECT_ID", *LINK_DETAILS)
        if name in given
    }
    if by_id and checked.get("LINK_ID") is not None:
        return checked
    name, other_id = checked.get("LINK_OBJECT_NAME"), checked.get("LINK_OBJECT_ID")
    if name is None or other_id is None:
        raise Refusal(400, "LINK_OBJECT_NAME and LINK_OBJECT_ID are required to add a link.")
    other = store.object_for_record_name(name)
    if other is None or not linkable(other):
        plural = BY_PATH.get(name)
        hint = (
            f"; use the singular object name, {plural.record_name!r}"
            if plural is not None and plural.record_name
            else "; use a singular object name such as 'Contact' or 'Organisation'"
        )
        raise Refusal(400, f"LINK_OBJECT_NAME {name!r} is not an object records link to{hint}.")
    if other_id not in store.tables[other.path].rows:
        raise Refusal(400, f"LINK_OBJECT_ID {other_id} names no {name} record.")
    relationship = checked.get("RELATIONSHIP_ID")
    if relationship is not None and relationship not in store.tables["Relationships"].rows:
        raise Refusal(400, f"RELATIONSHIP_ID {relationship} names no relationship.")
    return checked


def add_link(store: Store, obj: InsightlyObject, key: int, link: dict[str, Any]) -> Record:
    """Link a record to the one a checked link names; answer the link seen from the record."""
    if link["LINK_OBJECT_NAME"] == obj.record_name and link["LINK_OBJECT_ID"] == key:
        raise Refusal(400, "A record cannot be linked to itself.")
    forward = store.add_link(
        {
            "OBJECT_NAME": obj.record_name,
            "OBJECT_ID": key,
            "LINK_OBJECT_NAME": link["LINK_OBJECT_NAME"],
            "LINK_OBJECT_ID": link["LINK_OBJECT_ID"],
            **{name: link.get(name) for name in LINK_DETAILS},
        }
    )
    _touch_both(store, forward)
    return forward


def find_link(record: Record, link_id: int) -> Record | None:
    """One of a record's links by LINK_ID."""
    return next((entry for entry in record.get(LINKS) or () if entry["LINK_ID"] == link_id), None)


def update_link(store: Store, entry: Record, changes: dict[str, Any]) -> Record:
    """Change a link's ROLE, DETAILS or RELATIONSHIP_ID on both sides."""
    details = {name: changes[name] for name in LINK_DETAILS if name in changes}
    for side in _both_sides(store, entry):
        side.update(details)
    _touch_both(store, entry)
    return entry


def drop_link(store: Store, entry: Record) -> None:
    """Remove a link from both records it joins."""
    for name, key in ((entry["OBJECT_NAME"], entry["OBJECT_ID"]), _other_end(entry)):
        record = _record(store, name, key)
        if record is not None:
            record[LINKS] = [link for link in record[LINKS] if link["LINK_ID"] != entry["LINK_ID"]]
    _touch_both(store, entry)


def _both_sides(store: Store, entry: Record) -> list[Record]:
    sides = []
    for name, key in ((entry["OBJECT_NAME"], entry["OBJECT_ID"]), _other_end(entry)):
        record = _record(store, name, key)
        found = find_link(record, entry["LINK_ID"]) if record is not None else None
        if found is not None:
            sides.append(found)
    return sides


def _other_end(entry: Record) -> tuple[str, int]:
    return entry["LINK_OBJECT_NAME"], entry["LINK_OBJECT_ID"]


def _record(store: Store, record_name: str, key: int) -> Record | None:
    obj = store.object_for_record_name(record_name)
    return store.tables[obj.path].rows.get(key) if obj is not None else None


def _touch_both(store: Store, entry: Record) -> None:
    for name, key in ((entry["OBJECT_NAME"], entry["OBJECT_ID"]), _other_end(entry)):
        obj = store.object_for_record_name(name)
        if obj is not None:
            touch(store, obj.path, key)


def _path_object(ctx: Context) -> InsightlyObject:
    obj = ctx.obj
    if obj is None:
        raise Refusal(404, f"No HTTP resource was found that matches {ctx.request.path}")
    return obj


@writing
def post_link(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/Links`: link the record to another; answer the new link."""
    _, key, _ = path_record(ctx)
    link = check_link(ctx.store, ctx.request.body)
    return respond(ctx, add_link(ctx.store, _path_object(ctx), key, link))


@writing
def put_link(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/Links`: change the ROLE or DETAILS of one of the record's links."""
    _, _, record = path_record(ctx)
    body = json_object(ctx.request.body)
    properties = rules(*operation(ctx)).properties
    link_id = check_value("LINK_ID", body.get("LINK_ID"), properties["LINK_ID"])
    if link_id is None:
        raise Refusal(400, "LINK_ID is required: it names the link to change.")
    entry = find_link(record, link_id)
    if entry is None:
        raise Refusal(404, f"The record has no link with LINK_ID {link_id}.")
    changes = {
        name: check_value(name, body[name], properties[name])
        for name in LINK_DETAILS
        if name in body
    }
    if changes.get("RELATIONSHIP_ID") not in (None, *ctx.store.tables["Relationships"].rows):
        raise Refusal(400, f"RELATIONSHIP_ID {changes['RELATIONSHIP_ID']} names no relationship.")
    return respond(ctx, update_link(ctx.store, entry, changes))


@writing
def delete_link(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}/Links/{linkId}`: unlink the two records."""
    _, _, record = path_record(ctx)
    link_id = ctx.params["linkId"]
    entry = find_link(record, int(link_id)) if link_id.isdigit() else None
    if entry is None:
        raise Refusal(404, f"The record has no link with LINK_ID {link_id}.")
    drop_link(ctx.store, entry)
    return respond(ctx)


HANDLERS: dict[tuple[str, str], Handler] = {
    ("POST", "/{object}/{id}/Links"): post_link,
    ("PUT", "/{object}/{id}/Links"): put_link,
    ("DELETE", "/{object}/{id}/Links/{linkId}"): delete_link,
}
