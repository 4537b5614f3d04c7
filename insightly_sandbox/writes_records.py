"""Records created, changed and deleted together with the collections they carry inside.

A write is checked whole before anything changes (`draft_create`, `draft_update`), then
applied (`create`, `update`), so a refused request leaves the store as it was. A created
record has every field GET answers for its object, in the same order as seeded records
(`seed_context.record_fields`), with null, false or [] where the body gave nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insightly_sandbox.query import Refusal
from insightly_sandbox.seed_context import record_fields
from insightly_sandbox.seed_reference import linked_email_address
from insightly_sandbox.spec import item_schema, load_spec
from insightly_sandbox.validation import (
    check_custom_fields,
    check_fields,
    check_items,
    check_tags,
    json_object,
    rules,
)
from insightly_sandbox.writes_base import (
    api_user,
    body_id,
    check_record_limit,
    existing_in,
    id_field_of,
    is_custom,
    next_number,
    operation,
)
from insightly_sandbox.writes_links import add_link, check_link, drop_link, find_link, update_link
from tap_insightly.catalogue import (
    BY_PATH,
    CUSTOMFIELDS,
    DATES,
    EMAILDOMAINS,
    LINKS,
    OBJECTS,
    TAGS,
    InsightlyObject,
)

if TYPE_CHECKING:
    from insightly_sandbox.api import Context
    from insightly_sandbox.store import Record, Store, Table

#: The letter of the drop-box address Insightly gives records of these objects.
_MAILBOX_LETTERS = {"Leads": "L", "Opportunities": "O", "Projects": "P"}
#: Numbered entries of nested collections: the collection, its spec definition, its id.
_NUMBERED = {DATES: ("APIDate", "DATE_ID"), EMAILDOMAINS: ("APIEmailDomain", "EMAIL_DOMAIN_ID")}
#: Records deleted with the record they belong to, beyond the catalogue's `parent`s.
_OWNED = {"Product": (("PricebookEntry", "PRODUCT_ID"),), "Teams": (("TeamMembers", "TEAM_ID"),)}


@dataclass
class Nested:
    """The collections a body sets inside a record; None where the body leaves one out."""

    custom: dict[str, Any] | None = None
    tags: list[str] | None = None
    numbered: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    links: list[dict[str, Any]] | None = None


@dataclass
class Draft:
    """A checked write, not yet applied: the fields it sets and the collections it carries."""

    store: Store
    table: Table
    fields: dict[str, Any]
    nested: Nested
    key: int | None = None


def draft_create(
    ctx: Context,
    table: Table,
    preset: dict[str, Any] | None = None,
    template: tuple[str, str] | None = None,
) -> Draft:
    """Check a body that creates a record; `preset` holds fields the path decides."""
    check_record_limit(ctx, table)
    body = json_object(ctx.request.body)
    obj = table.obj
    preset = preset or {}
    skip = frozenset({id_field_of(obj), *preset})
    fields = check_fields(body, rules(*(template or operation(ctx))), creating=True, skip=skip)
    fields.update(preset)
    check_references(ctx.store, obj, fields)
    return Draft(ctx.store, table, fields, check_nested(ctx.store, obj, body, None))


def draft_update(
    ctx: Context, table: Table, template: tuple[str, str] | None = None, key: int | None = None
) -> Draft:
    """Check a body that changes a record its id field names (or `key`, when given)."""
    body = json_object(ctx.request.body)
    obj = table.obj
    id_field = id_field_of(obj)
    key = body_id(body, id_field) if key is None else key
    record = existing_in(table, key, id_field)
    check_if_match(ctx, table, key)
    skip = frozenset({id_field})
    fields = check_fields(body, rules(*(template or operation(ctx))), creating=False, skip=skip)
    check_references(ctx.store, obj, fields)
    return Draft(ctx.store, table, fields, check_nested(ctx.store, obj, body, record), key)


def create(draft: Draft) -> Record:
    """Store a drafted record with its timestamps, owner and collections; answer it."""
    store, obj = draft.store, draft.table.obj
    record = blank(obj)
    record.update(draft.fields)
    now, user = store.now(), api_user(store)
    for name, value in (("DATE_CREATED_UTC", now), ("OWNER_USER_ID", user)):
        if name in record and record[name] is None:
            record[name] = value
    for name, value in (("DATE_UPDATED_UTC", now), ("CREATED_USER_ID", user)):
        if name in record:
            record[name] = value
    draft.table.add(record)
    key = record[id_field_of(obj)]
    letter = _MAILBOX_LETTERS.get(obj.path)
    if letter is not None and "LINKED_EMAIL_ADDRESS" in record:
        record["LINKED_EMAIL_ADDRESS"] = linked_email_address(letter, key)
    if CUSTOMFIELDS in obj.nested:
        set_custom_fields(store, obj, record, draft.nested.custom or {}, creating=True)
    apply_nested(store, obj, key, record, draft.nested)
    store.touch(obj.path, key)
    return record


def update(draft: Draft) -> Record:
    """Apply a drafted change: only the fields and collections the body sent change."""
    store, obj = draft.store, draft.table.obj
    assert draft.key is not None  # noqa: S101 - draft_update always names the record
    record = draft.table.rows[draft.key]
    record.update(draft.fields)
    if draft.nested.custom is not None:
        set_custom_fields(store, obj, record, draft.nested.custom, creating=False)
    apply_nested(store, obj, draft.key, record, draft.nested)
    store.touch(obj.path, draft.key)
    return record


def blank(obj: InsightlyObject) -> Record:
    """A record with every field GET answers for the object: null, [] or false (ACTIVE true)."""
    template = "/" + obj.path if not is_custom(obj) else "/{objectName}"
    booleans = {
        name
        for name, prop in (item_schema(template) or {}).get("properties", {}).items()
        if prop.get("type") == "boolean"
    }
    record: Record = {
        name: [] if is_list else (False if name in booleans else None)
        for name, is_list in record_fields(template)
    }
    for name in obj.nested:
        record.setdefault(name, [])
    if "VISIBLE_TO" in record:
        record["VISIBLE_TO"] = "EVERYONE"
    if "ACTIVE" in record:
        record["ACTIVE"] = True
    if obj.path == "Opportunities":
        record["OPPORTUNITY_STATE"] = "OPEN"
    return record


def check_if_match(ctx: Context, table: Table, key: int) -> None:
    """Refuse an update whose `If-Match` names an older version (400, as Insightly answers)."""
    wanted = ctx.request.headers.get("if-match")
    if wanted is None or wanted.strip() == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if table.etag(key) not in tags:
        raise Refusal(
            400,
            f"If-Match {wanted} is not the record's current ETag: it changed since it was "
            "read. GET it again and reapply the change.",
        )


def check_nested(
    store: Store, obj: InsightlyObject, body: dict[str, Any], record: Record | None
) -> Nested:
    """The collections a body carries, checked; `record` is the one an update changes."""
    nested = Nested()
    for name in obj.nested:
        value = body.get(name)
        if value is None:
            continue
        if name == CUSTOMFIELDS:
            definitions = store.custom_fields.get(obj.path, [])
            nested.custom = check_custom_fields(value, definitions, obj.path)
        elif name == TAGS:
            nested.tags = check_tags(value)
        elif name in _NUMBERED:
            nested.numbered[name] = check_items(value, name, _NUMBERED[name][0])
        elif name == LINKS:
            nested.links = _check_links(store, value, record)
    return nested


def _check_links(store: Store, value: Any, record: Record | None) -> list[dict[str, Any]]:  # noqa: ANN401 - any JSON value
    if not isinstance(value, list):
        raise Refusal(400, "LINKS must be a list of links.")
    links = [check_link(store, item, by_id=record is not None) for item in value]
    for link in links:
        changing = "LINK_ID" in link and "LINK_OBJECT_NAME" not in link
        if changing and record is not None and find_link(record, link["LINK_ID"]) is None:
            raise Refusal(400, f"LINKS: the record has no link with LINK_ID {link['LINK_ID']}.")
    return links


def apply_nested(
    store: Store, obj: InsightlyObject, key: int, record: Record, nested: Nested
) -> None:
    """Set the collections a body carried: TAGS, DATES and EMAILDOMAINS replace, LINKS add."""
    if nested.tags is not None:
        record[TAGS] = [{"TAG_NAME": name} for name in nested.tags]
    for name, items in nested.numbered.items():
        record[name] = numbered(store, name, items, record.get(name) or [])
    for link in nested.links or ():
        existing = find_link(record, link["LINK_ID"]) if "LINK_ID" in link else None
        if existing is not None and "LINK_OBJECT_NAME" not in link:
            update_link(store, existing, link)
        else:
            add_link(store, obj, key, link)


def numbered(
    store: Store, name: str, items: list[dict[str, Any]], current: list[Record]
) -> list[Record]:
    """Entries of DATES or EMAILDOMAINS in full shape, each keeping a known id or getting one."""
    definition, id_field = _NUMBERED[name]
    known = {entry.get(id_field) for entry in current}
    properties = definition_types(definition)
    result = []
    for item in items:
        entry = {
            prop: item.get(prop, False if kind == "boolean" else None)
            for prop, kind in properties.items()
        }
        if entry.get(id_field) not in known or entry.get(id_field) is None:
            entry[id_field] = next_number(store, id_field, lambda: _all_ids(store, name, id_field))
        result.append(entry)
    return result


@functools.cache
def definition_types(definition: str) -> dict[str, str]:
    """The fields of a spec definition with their JSON types, in order."""
    properties = load_spec()["definitions"][definition].get("properties", {})
    return {name: prop.get("type", "") for name, prop in properties.items()}


def _all_ids(store: Store, name: str, id_field: str) -> list[Any]:
    return [
        entry.get(id_field)
        for table in store.tables.values()
        if name in table.obj.nested
        for record in table.rows.values()
        for entry in record.get(name) or ()
    ]


def set_custom_fields(
    store: Store, obj: InsightlyObject, record: Record, values: dict[str, Any], *, creating: bool
) -> None:
    """Set custom field values by name; a create lists every defined field, as seeding does.

    Entries keep Insightly's `{FIELD_NAME, FIELD_VALUE, CUSTOM_FIELD_ID}` shape, in name order
    as both recorded samples list them; AUTONUMBER fields number themselves on create.
    """
    entries = {entry["FIELD_NAME"]: entry for entry in record.get(CUSTOMFIELDS) or ()}
    if creating:
        for definition in store.custom_fields.get(obj.path, []):
            name = definition["FIELD_NAME"]
            value = None
            if definition.get("FIELD_TYPE") == "AUTONUMBER":
                value = _next_autonumber(store, obj, name)
            entries.setdefault(
                name, {"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name}
            )
    for name, value in values.items():
        entries[name] = {"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name}
    record[CUSTOMFIELDS] = sorted(entries.values(), key=lambda entry: entry["FIELD_NAME"].lower())


def _next_autonumber(store: Store, obj: InsightlyObject, name: str) -> int:
    """The next number of an AUTONUMBER field, after every number its records hold."""

    def taken() -> list[Any]:
        return [
            entry.get("FIELD_VALUE")
            for record in store.tables[obj.path].rows.values()
            for entry in record.get(CUSTOMFIELDS) or ()
            if entry.get("FIELD_NAME") == name
        ]

    return next_number(store, f"{obj.path}.{name}", taken)


@functools.cache
def _unique_id_fields() -> dict[str, str]:
    """Id fields that belong to exactly one object, and that object's path."""
    owners: dict[str, list[str]] = {}
    for obj in OBJECTS:
        if obj.id_field is not None:
            owners.setdefault(obj.id_field, []).append(obj.path)
    return {name: paths[0] for name, paths in owners.items() if len(paths) == 1}


def reference_target(obj: InsightlyObject, name: str) -> str | None:
    """The object whose record a field of this object refers to by id, if it is known.

    The catalogue's references say it for the fields a write sets; an id field that belongs to
    one object only (LEAD_ID) names that object wherever it appears.
    """
    if name == obj.id_field:
        return None
    declared = dict(obj.references)
    if obj.parent is not None:
        declared[obj.parent[1]] = obj.parent[0]
    return declared.get(name) or _unique_id_fields().get(name)


def check_references(store: Store, obj: InsightlyObject, fields: dict[str, Any]) -> None:
    """Refuse ids that name no record, as the spec warns Insightly does (a CATEGORY_ID...)."""
    for name, value in fields.items():
        target = reference_target(obj, name)
        if target is None or not isinstance(value, int) or target not in store.tables:
            continue
        if value not in store.tables[target].rows:
            other = BY_PATH[target]
            raise Refusal(400, f"{name} {value} names no {other.record_name or target} record.")


def delete_record(store: Store, obj: InsightlyObject, key: int) -> None:
    """Delete a record, its links on both sides, what hangs off it and what it owns."""
    table = store.tables[obj.path]
    record = table.rows[key]
    for entry in list(record.get(LINKS) or ()):
        drop_link(store, entry)
    store.follows.discard((obj.path, key))
    for place in [place for place in store.children if place[:2] == (obj.path, key)]:
        for comment in store.children.pop(place):
            comment_id = comment.get("COMMENT_ID")
            if isinstance(comment_id, int):
                store.children.pop(("Comments", comment_id, "FileAttachments"), None)
    table.remove(key)
    if obj.path == "TeamMembers":
        _leave_team(store, record)
    for owned in (*_children_of(obj.path), *_OWNED.get(obj.path, ())):
        path, parent_field = owned
        child_table = store.tables[path]
        for child_key in [k for k, row in child_table.rows.items() if row.get(parent_field) == key]:
            delete_record(store, child_table.obj, int(child_key))


def _children_of(path: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (obj.path, obj.parent[1]) for obj in OBJECTS if obj.parent and obj.parent[0] == path
    )


def _leave_team(store: Store, member: Record) -> None:
    """Drop a deleted team member from its team's TEAMMEMBERS."""
    team_id = member.get("TEAM_ID")
    team = store.tables["Teams"].rows.get(team_id) if isinstance(team_id, int) else None
    if team is not None and isinstance(team_id, int):
        team["TEAMMEMBERS"] = [
            entry
            for entry in team.get("TEAMMEMBERS") or ()
            if entry.get("PERMISSION_ID") != member.get("PERMISSION_ID")
        ]
        store.touch("Teams", team_id)
