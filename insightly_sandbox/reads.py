"""Read handlers of the sandbox API: lists, searches, single records and instance metadata.

`HANDLERS` registers every GET family a connector reads; per-record sub-resources live in
`reads_sub.py`, parameter checks and paging in `query.py`. A page is the join of its records'
cached JSON, so a page of 500 records costs no encoding.

Where no source settles what Insightly does, the sandbox picks one behaviour; every such
choice is listed in `docs/sandbox.md`, so that a live account can prove it wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import api, query, reads_sub
from insightly_sandbox.query import Answer, Refusal
from insightly_sandbox.store import encode
from insightly_sandbox.wire import choose_encoding, deflated_array
from tap_insightly.catalogue import BY_PATH, TAGS

if TYPE_CHECKING:
    from collections.abc import Callable

    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store, Table
    from tap_insightly.catalogue import InsightlyObject

    Reader = Callable[[Context, str], Answer]

#: The STATUS_TYPE of the lead status a converted lead takes (see the [open] choices).
CONVERTED_STATUS_TYPE = 3


def _table(ctx: Context) -> Table:
    """The table of the object the path names."""
    if ctx.table is None:
        raise Refusal(404, f"No HTTP resource was found that matches {ctx.request.path}")
    return ctx.table


def _object(ctx: Context) -> InsightlyObject:
    """The object the path names."""
    if ctx.obj is None:
        raise Refusal(404, f"No HTTP resource was found that matches {ctx.request.path}")
    return ctx.obj


def table_page(
    ctx: Context, template: str, table: Table, keep: Callable[[Record], bool] | None = None
) -> Answer:
    """One page of a table's records that pass a filter, brief if the path allows it."""
    page = query.page(ctx.request.query, template)
    brief = "brief" in query.declared(template) and query.flag(ctx.request.query, "brief")
    rows = table.rows
    if keep is None:
        keys, total = page.choose(rows, size=len(rows))
    else:
        keys, total = page.choose(rows, lambda key: keep(rows[key]))
    body = query.joined(table.encoded(key, brief=brief) for key in keys)
    if choose_encoding(ctx.request.headers.get("accept-encoding")) is None:
        return Answer(body, total)
    # Each record is deflated once, when a compressed page first holds it, so such a page is
    # a join too; a client that takes no compression is spared that work.
    deflated = deflated_array(table.deflated(key, brief=brief) for key in keys)
    return Answer(body, total, deflated=deflated)


def values_page(ctx: Context, template: str, values: list[Record]) -> Answer:
    """One page of values kept outside the tables (tags, follows, definitions)."""
    chosen, total = query.page(ctx.request.query, template).choose(values, size=len(values))
    return Answer(encode(chosen), total)


def list_records(ctx: Context, template: str) -> Answer:
    """`GET /{Object}`: a page of records in id order; metadata objects answer their own way."""
    special = _SPECIAL_LISTS.get(_object(ctx).path)
    if special is not None:
        return special(ctx, template)
    return table_page(ctx, template, _table(ctx))


def search(ctx: Context, template: str) -> Answer:
    """`GET /{Object}/Search`: records matching a field, changed after a moment, or both."""
    obj, table, params = _object(ctx), _table(ctx), ctx.request.query
    custom = (entry["FIELD_NAME"] for entry in ctx.store.custom_fields.get(obj.path, []))
    by_field = query.field_filter(params, _standard_fields(template, table), custom)
    since = query.updated_after(params)
    if obj.path == "Users" and by_field is not None and since is not None:
        # The spec: "only one optional parameter ... can be specified" on /Users/Search.
        raise Refusal(
            400, "Users/Search takes one filter at a time: field_name or updated_after_utc."
        )
    changed = None
    if since is not None:
        changed = query.after(obj.updated_field or "DATE_CREATED_UTC", since)
    return table_page(ctx, template, table, query.all_of([by_field, changed]))


def _standard_fields(template: str, table: Table) -> frozenset[str]:
    """The fields a search may filter on: the spec's, and any its records carry beyond them.

    The spec leaves out a few fields real records have (DATE_UPDATED_UTC of custom object
    records); a record's own scalar fields are as searchable as the declared ones.
    """
    declared = query.standard_fields(template)
    first = next(iter(table.rows.values()), None)
    if first is None:
        return declared
    return declared | {name for name, value in first.items() if not isinstance(value, list)}


def search_by_tag(ctx: Context, template: str) -> Answer:
    """`GET /{Object}/SearchByTag?tagName=`: records carrying a tag, in any case."""
    name = ctx.request.query.get("tagname", "").strip()
    if not name:
        raise Refusal(400, "tagName is required: name the tag to search for.")
    wanted = name.casefold()

    def tagged(record: Record) -> bool:
        return any(str(tag.get("TAG_NAME")).casefold() == wanted for tag in record.get(TAGS) or ())

    return table_page(ctx, template, _table(ctx), tagged)


def single(ctx: Context, template: str) -> Answer:
    """`GET /{Object}/{id}`: one record with its ETag."""
    table = _table(ctx)
    if table.obj.path == "MarketingVisits":
        return _marketing_visits(ctx, template, table)
    key = query.existing(table, ctx.params["id"])
    return Answer(table.encoded(key), etag=table.etag(key))


def _marketing_visits(ctx: Context, template: str, visits: Table) -> Answer:
    """`GET /MarketingVisits/{id}`: the spec's `{id}` is a prospect's, and visits are listed."""
    prospect = query.existing(ctx.store.tables["Prospect"], ctx.params["id"])
    return table_page(ctx, template, visits, lambda visit: visit.get("PROSPECT_ID") == prospect)


def users_me(ctx: Context, _template: str) -> Answer:
    """`GET /Users/Me`: the user whose key calls, which in the sandbox is the first user."""
    users = _table(ctx)
    me = next(iter(users.rows), None)
    if me is None:
        raise Refusal(404, "The sandboxed instance has no users.")
    return Answer(users.encoded(me))


def custom_fields(ctx: Context, _template: str) -> Answer:
    """`GET /CustomFields/{objectName}`: an object's field definitions, or every one."""
    return Answer(encode(_field_definitions(ctx.store, ctx.params["objectName"])))


def custom_field(ctx: Context, _template: str) -> Answer:
    """`GET /CustomFields/{objectName}/Search?fieldName=`: one field definition by name."""
    name = ctx.request.query.get("fieldname", "").strip()
    if not name:
        raise Refusal(400, "fieldName is required: name the custom field to find.")
    for definition in _field_definitions(ctx.store, ctx.params["objectName"]):
        if str(definition.get("FIELD_NAME")).casefold() == name.casefold():
            return Answer(encode(definition))
    raise Refusal(404, f"No custom field named {name} was found.")


def _field_definitions(store: Store, object_name: str) -> list[Record]:
    """The custom fields of the object a name means; all of them if it means none."""
    obj = _object_named(store, object_name)
    if obj is not None:
        return store.custom_fields.get(obj.path, [])
    return [definition for fields in store.custom_fields.values() for definition in fields]


def _object_named(store: Store, name: str) -> InsightlyObject | None:
    """The object a query names by path or singular name, in any case."""
    wanted = name.casefold()
    for table in store.tables.values():
        names = {table.obj.path.casefold(), (table.obj.record_name or "").casefold()}
        if wanted in names:
            return table.obj
    return None


def custom_object(ctx: Context, _template: str) -> Answer:
    """`GET /CustomObjects/{customObjectName}`: one custom object's definition."""
    name = ctx.params["customObjectName"]
    for definition in ctx.store.custom_objects:
        if definition.get("OBJECT_NAME") == name:
            return Answer(encode(definition))
    raise Refusal(404, f"No custom object named {name} was found.")


def _custom_objects(ctx: Context, template: str) -> Answer:
    return values_page(ctx, template, ctx.store.custom_objects)


def _instance(ctx: Context, _template: str) -> Answer:
    return Answer(encode(ctx.store.instance))


def _permissions(ctx: Context, _template: str) -> Answer:
    return Answer(encode(ctx.store.permissions))


def _tags(ctx: Context, template: str) -> Answer:
    """`GET /Tags?record_type=`: the distinct tags of one object's records."""
    record_type = ctx.request.query.get("record_type", "").strip()
    obj = _object_named(ctx.store, record_type) if record_type else None
    if obj is None or TAGS not in obj.nested:
        raise Refusal(
            400,
            f"The value '{record_type}' is not valid for record_type: "
            "name an object with tags, such as contacts.",
        )
    if ctx.plan.refuses(obj) and obj.plan is not None:
        raise Refusal(obj.plan.status, f"Your Insightly plan does not include {obj.plan.feature}")
    names: dict[str, str] = {}
    for record in ctx.store.tables[obj.path].rows.values():
        for tag in record.get(TAGS) or ():
            names.setdefault(str(tag["TAG_NAME"]).casefold(), tag["TAG_NAME"])
    ordered = sorted(names.values(), key=str.casefold)
    return values_page(ctx, template, [{"TAG_NAME": name} for name in ordered])


def _follows(ctx: Context, template: str) -> Answer:
    """`GET /Follows?record_type=`: the records the API user follows."""
    record_type = ctx.request.query.get("record_type", "").strip()
    only = _object_named(ctx.store, record_type) if record_type else None
    if record_type and only is None:
        raise Refusal(400, f"The value '{record_type}' is not valid for record_type.")
    followed = [
        {"RECORD_TYPE": _record_type(ctx.store, path), "RECORD_ID": record_id}
        for path, record_id in sorted(ctx.store.follows)
        if only is None or path == only.path
    ]
    return values_page(ctx, template, followed)


def _record_type(store: Store, path: str) -> str:
    table = store.tables.get(path)
    obj = table.obj if table is not None else BY_PATH.get(path)
    return (obj.record_name if obj is not None else None) or path


def _lead_statuses(ctx: Context, template: str) -> Answer:
    """`GET /LeadStatuses`: the converted status only when `include_converted=true`."""
    if query.flag(ctx.request.query, "include_converted"):
        return table_page(ctx, template, _table(ctx))
    return table_page(
        ctx,
        template,
        _table(ctx),
        lambda status: status.get("STATUS_TYPE") != CONVERTED_STATUS_TYPE,
    )


_SPECIAL_LISTS: dict[str, Reader] = {
    "Instance": _instance,
    "Permissions": _permissions,
    "CustomObjects": _custom_objects,
    "Tags": _tags,
    "Follows": _follows,
    "LeadStatuses": _lead_statuses,
}


def _answering(family: str, reader: Reader) -> Handler:
    """A handler that runs a reader and turns its answer or refusal into a response."""

    def handle(ctx: Context) -> ApiResponse:
        try:
            answer = reader(ctx, query.template_of(family, ctx.obj))
        except Refusal as refusal:
            return api.ApiResponse.error(refusal.status, refusal.message)
        headers: dict[str, str] = {}
        if answer.total is not None:
            headers["X-Total-Count"] = str(answer.total)
        if answer.etag is not None:
            headers["ETag"] = answer.etag
        return api.ApiResponse(200, answer.body, headers, answer.deflated)

    return handle


_FAMILIES: dict[str, Reader] = {
    "/{object}": list_records,
    "/{object}/Search": search,
    "/{object}/SearchByTag": search_by_tag,
    "/{object}/{id}": single,
    "/{object}/Me": users_me,
    "/{object}/{objectName}": custom_fields,
    "/{object}/{objectName}/Search": custom_field,
    "/{object}/{customObjectName}": custom_object,
    **reads_sub.FAMILIES,
}

HANDLERS: dict[tuple[str, str], Handler] = {
    ("GET", family): _answering(family, reader) for family, reader in _FAMILIES.items()
}
