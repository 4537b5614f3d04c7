"""Read handlers for a record's sub-resources: `/{Object}/{id}/Links`, `/Notes`, `/Follow`, ...

Each comes from one of four places in the store: an array nested in the record itself (LINKS,
TAGS, DATES, EMAILDOMAINS); records of another table linked to it (its Notes, Events, Tasks,
Emails); records of another table holding its id (line items, price book entries, milestones,
forum posts and comments); or `Store.children`, keyed by (object path, record id, the spec's
sub-resource name), for collections that are no object of their own (FileAttachments,
Comments, StateHistory, StaticListMembership, QuotationDocument). The record must exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import query
from insightly_sandbox.query import Answer, Refusal
from insightly_sandbox.store import encode
from tap_insightly.catalogue import DATES, EMAILDOMAINS, LINKS, TAGS

if TYPE_CHECKING:
    from collections.abc import Callable

    from insightly_sandbox.api import Context
    from insightly_sandbox.store import Record, Table

    Reader = Callable[[Context, str], Answer]

#: The letter a record's mail-drop address carries for its object, as in the samples' leads.
_MAILDROP_LETTERS = {"Leads": "L", "Opportunities": "O", "Projects": "P"}


def _parent(ctx: Context) -> tuple[Table, int, Record]:
    """The record the path names, which must exist."""
    table = ctx.table
    key = query.existing(table, ctx.params["id"])
    assert table is not None  # noqa: S101 - existing() refuses a missing table
    return table, key, table.rows[key]


def _since(ctx: Context, template: str) -> str | None:
    """`updated_after_utc`, where the path declares it."""
    if "updated_after_utc" not in query.declared(template):
        return None
    return query.updated_after(ctx.request.query)


def nested(name: str) -> Reader:
    """A reader of an array the record carries inside itself (LINKS, TAGS, ...)."""

    def read(ctx: Context, _template: str) -> Answer:
        _, _, record = _parent(ctx)
        return Answer(encode(record.get(name) or []))

    return read


def linked(path: str) -> Reader:
    """A reader of the records of `path` linked to the record (a contact's Notes, ...).

    Links are kept on both sides, so the record's own LINKS name every linked note or task.
    """

    def read(ctx: Context, template: str) -> Answer:
        _, _, record = _parent(ctx)
        table = ctx.store.tables[path]
        since = _since(ctx, template)
        brief = "brief" in query.declared(template) and query.flag(ctx.request.query, "brief")
        page = query.page(ctx.request.query, template)
        keys = sorted(
            {
                link["LINK_OBJECT_ID"]
                for link in record.get(LINKS) or ()
                if link.get("LINK_OBJECT_NAME") == table.obj.record_name
                and link.get("LINK_OBJECT_ID") in table.rows
            }
        )
        keep = None
        if since is not None:
            changed = query.after(table.obj.updated_field or "DATE_CREATED_UTC", since)
            keep = lambda key: changed(table.rows[key])  # noqa: E731 - one expression
        chosen, total = page.choose(keys, keep, size=len(keys))
        return Answer(query.joined(table.encoded(key, brief=brief) for key in chosen), total)

    return read


def owned(path: str) -> Reader:
    """A reader of the records of `path` that hold the record's id (an opportunity's items).

    The child carries the parent's id field (`OPPORTUNITY_ID`, `PRODUCT_ID`, `FORUM_ID`).
    """

    def read(ctx: Context, template: str) -> Answer:
        table = ctx.store.tables[path]
        if ctx.plan.refuses(table.obj) and table.obj.plan is not None:
            plan = table.obj.plan
            raise Refusal(plan.status, f"Your Insightly plan does not include {plan.feature}")
        parent, key, _ = _parent(ctx)
        field = parent.obj.id_field or ""
        page = query.page(ctx.request.query, template)
        rows = table.rows
        chosen, total = page.choose(rows, lambda child: rows[child].get(field) == key)
        return Answer(query.joined(table.encoded(child) for child in chosen), total)

    return read


def children(name: str) -> Reader:
    """A reader of a collection kept in `Store.children` under the record."""

    def read(ctx: Context, template: str) -> Answer:
        parent, key, _ = _parent(ctx)
        return _children_page(ctx, template, (parent.obj.path, key, name))

    return read


def _children_page(ctx: Context, template: str, where: tuple[str, int, str]) -> Answer:
    """One page of a `Store.children` collection, filtered by `updated_after_utc`."""
    items = ctx.store.children.get(where, [])
    since = _since(ctx, template)
    page = query.page(ctx.request.query, template)
    keep = None
    if since is not None:
        threshold = since

        def keep(item: Record) -> bool:
            stamp = item.get("DATE_UPDATED_UTC") or item.get("DATE_CREATED_UTC") or ""
            return bool(stamp > threshold)

    chosen, total = page.choose(items, keep, size=len(items))
    return Answer(encode(chosen), total)


def comment_files(ctx: Context, template: str) -> Answer:
    """`GET /Comments/{id}/FileAttachments`: files attached to a comment on any record."""
    comment = query.record_id(ctx.params["id"])
    known = any(
        item.get("COMMENT_ID") == comment
        for (_, _, name), items in ctx.store.children.items()
        if name == "Comments"
        for item in items
    )
    if not known:
        raise Refusal(404, f"No Comment with id {comment} was found.")
    return _children_page(ctx, template, ("Comments", comment, "FileAttachments"))


def follow(ctx: Context, _template: str) -> Answer:
    """`GET /{Object}/{id}/Follow`: whether the API user follows the record."""
    parent, key, _ = _parent(ctx)
    return Answer(encode({"FOLLOWING": (parent.obj.path, key) in ctx.store.follows}))


def link_email_address(ctx: Context, _template: str) -> Answer:
    """`GET /{Object}/{id}/LinkEmailAddress`: the mail-drop address that links mail to it."""
    parent, key, record = _parent(ctx)
    address = record.get("LINKED_EMAIL_ADDRESS")
    if not address:
        # Records made without one get an address of the shape the samples' leads carry.
        subdomain = ctx.store.instance.get("INSTANCE_SUBDOMAIN") or "sandbox"
        letter = _MAILDROP_LETTERS.get(parent.obj.path, "R")
        address = f"{subdomain}-{letter}{key}@mailbox.insight.ly"
    return Answer(encode({"EMAIL": address}))


FAMILIES: dict[str, Reader] = {
    "/{object}/{id}/Links": nested(LINKS),
    "/{object}/{id}/Tags": nested(TAGS),
    "/{object}/{id}/Dates": nested(DATES),
    "/{object}/{id}/EmailDomains": nested(EMAILDOMAINS),
    "/{object}/{id}/Notes": linked("Notes"),
    "/{object}/{id}/Events": linked("Events"),
    "/{object}/{id}/Tasks": linked("Tasks"),
    "/{object}/{id}/Emails": linked("Emails"),
    "/{object}/{id}/OpportunityLineItem": owned("OpportunityLineItem"),
    "/{object}/{id}/QuotationLineItem": owned("QuotationLineItem"),
    "/{object}/{id}/PricebookEntry": owned("PricebookEntry"),
    "/{object}/{id}/Milestones": owned("Milestones"),
    "/{object}/{id}/CommunityPosts": owned("CommunityPosts"),
    "/{object}/{id}/CommunityComments": owned("CommunityComments"),
    "/{object}/{id}/FileAttachments": children("FileAttachments"),
    "/{object}/{id}/Comments": children("Comments"),
    "/{object}/{id}/Comment": children("Comments"),
    "/{object}/{id}/StateHistory": children("StateHistory"),
    "/{object}/{id}/StaticListMembership": children("StaticListMembership"),
    "/{object}/{id}/QuotationDocument": children("QuotationDocument"),
    "/{object}/{id}/Follow": follow,
    "/{object}/{id}/LinkEmailAddress": link_email_address,
    "/Comments/{id}/FileAttachments": comment_files,
}
