"""Writes to what hangs off one record: tags, dates, notes, comments, files, follows, members.

Each change moves the DATE_UPDATED_UTC of the record the path names (or that holds the
comment or file), writing a note under it included. Following does not: it is the API user's
state, not the record's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox.query import Refusal
from insightly_sandbox.spec import item_schema
from insightly_sandbox.validation import (
    check_fields,
    check_items,
    check_tags,
    check_value,
    json_object,
    rules,
)
from insightly_sandbox.writes_base import (
    api_user,
    body_id,
    next_number,
    operation,
    path_record,
    respond,
    touch,
    writing,
)
from insightly_sandbox.writes_links import add_link
from insightly_sandbox.writes_records import (
    check_references,
    create,
    delete_record,
    draft_create,
    draft_update,
    numbered,
    update,
)
from tap_insightly.catalogue import BY_PATH, DATES, EMAILDOMAINS, LINKS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store


def _path_object_name(ctx: Context) -> str:
    obj = ctx.obj
    if obj is None or obj.record_name is None:
        raise Refusal(404, f"No HTTP resource was found that matches {ctx.request.path}")
    return obj.record_name


@writing
def post_tag(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/Tags`: add one tag, unless the record has it in any case."""
    table, key, record = path_record(ctx)
    (name,) = check_tags([json_object(ctx.request.body, "A tag")], "TAG_NAME")
    tags = record.setdefault(TAGS, [])
    if all(tag["TAG_NAME"].casefold() != name.casefold() for tag in tags):
        tags.append({"TAG_NAME": name})
        ctx.store.touch(table.obj.path, key)
    return respond(ctx, {"TAG_NAME": name})


@writing
def put_tags(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/Tags`: replace the record's tags with those sent."""
    table, key, record = path_record(ctx)
    body = ctx.request.body
    names = check_tags(body if isinstance(body, list) else [json_object(body, "A tag")])
    record[TAGS] = [{"TAG_NAME": name} for name in names]
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, record[TAGS])


@writing
def delete_tag(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}/Tags` with `{"TAG_NAME"}` in the body: remove that tag."""
    table, key, record = path_record(ctx)
    (name,) = check_tags([json_object(ctx.request.body, "A tag")], "TAG_NAME")
    kept = [tag for tag in record.get(TAGS) or () if tag["TAG_NAME"].casefold() != name.casefold()]
    if len(kept) != len(record.get(TAGS) or ()):
        record[TAGS] = kept
        ctx.store.touch(table.obj.path, key)
    return respond(ctx)


def _put_numbered(ctx: Context, field: str, definition: str, id_field: str) -> ApiResponse:
    """Replace a numbered collection (a list sent), or change or add one entry (one sent)."""
    table, key, record = path_record(ctx)
    body = ctx.request.body
    current: list[Record] = record.get(field) or []
    if isinstance(body, list):
        record[field] = numbered(ctx.store, field, check_items(body, field, definition), current)
    else:
        (item,) = check_items([json_object(body)], field, definition)
        entry_id = item.get(id_field)
        if entry_id is not None and all(old[id_field] != entry_id for old in current):
            raise Refusal(404, f"The record has no entry of {field} with {id_field} {entry_id}.")
        (entry,) = numbered(ctx.store, field, [item], current)
        if entry_id is None:
            record[field] = [*current, entry]
        else:
            record[field] = [entry if old[id_field] == entry_id else old for old in current]
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, record[field])


@writing
def put_dates(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/Dates`: a list replaces the dates; one date changes or adds one."""
    return _put_numbered(ctx, DATES, "APIDate", "DATE_ID")


@writing
def put_email_domains(ctx: Context) -> ApiResponse:
    """`PUT /Organisations/{id}/EmailDomains`: as Dates, for e-mail domains."""
    return _put_numbered(ctx, EMAILDOMAINS, "APIEmailDomain", "EMAIL_DOMAIN_ID")


@writing
def post_note(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/Notes`: create a note linked to the record."""
    _, key, _ = path_record(ctx)
    parent_name = _path_object_name(ctx)
    notes = ctx.store.tables["Notes"]
    note = create(draft_create(ctx, notes))
    add_link(
        ctx.store,
        notes.obj,
        note["NOTE_ID"],
        {"LINK_OBJECT_NAME": parent_name, "LINK_OBJECT_ID": key},
    )
    return respond(ctx, note)


@writing
def put_note(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/Notes`: change a note written under the record."""
    table, key, _ = path_record(ctx)
    parent_name = _path_object_name(ctx)
    notes = ctx.store.tables["Notes"]
    draft = draft_update(ctx, notes)
    assert draft.key is not None  # noqa: S101 - draft_update always names the record
    under = any(
        link["LINK_OBJECT_NAME"] == parent_name and link["LINK_OBJECT_ID"] == key
        for link in notes.rows[draft.key].get(LINKS) or ()
    )
    if not under:
        raise Refusal(404, f"Note {draft.key} is not a note of {parent_name} {key}.")
    note = update(draft)
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, note)


def _comment_id_field(template: str, method: str) -> str:
    """The id field of the comments an operation writes: COMMENT_ID or TICKET_COMMENT_ID."""
    body_rules = rules(template, method)
    return next(name for name in body_rules.properties if name.endswith("COMMENT_ID"))


def _all_comments(store: Store) -> list[tuple[tuple[str, int, str], Record]]:
    return [
        (place, comment)
        for place, comments in store.children.items()
        if place[2] == "Comments"
        for comment in comments
    ]


def _comments_operation(ctx: Context) -> tuple[str, str]:
    """The operation whose body rules a comment write follows.

    `/Notes/{id}/Comment` declares a body without fields; its plural twin declares the comment.
    """
    template, method = operation(ctx)
    if template.endswith("/Comment"):
        return template + "s", method
    return template, method


@writing
def post_comment(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/Comments`: add a comment to a note, task, e-mail or ticket."""
    table, key, _ = path_record(ctx)
    template, method = _comments_operation(ctx)
    body = json_object(ctx.request.body)
    id_field = _comment_id_field(template, method)
    parent_field = "TICKET_ID" if "TICKET_ID" in rules(template, method).properties else None
    skip = frozenset({id_field, *([parent_field] if parent_field else [])})
    fields = check_fields(body, rules(template, method), creating=True, skip=skip)
    check_references(ctx.store, table.obj, fields)
    shape = (item_schema(template, method) or {}).get("properties", {})
    comment: Record = {name: fields.get(name) for name in shape}
    comment[id_field] = next_number(
        ctx.store,
        id_field,
        lambda: [entry.get(id_field) for _, entry in _all_comments(ctx.store)],
    )
    if parent_field is not None:
        comment[parent_field] = key
    for name in ("OWNER_USER_ID", "CREATED_USER_ID"):
        if name in comment and comment[name] is None and "AUTHOR_CONTACT_ID" not in fields:
            comment[name] = api_user(ctx.store)
    if "DATE_CREATED_UTC" in comment:
        comment["DATE_CREATED_UTC"] = ctx.store.now()
    ctx.store.children.setdefault((table.obj.path, key, "Comments"), []).append(comment)
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, comment)


def _find_comment(
    ctx: Context, comment_id: int, under: tuple[str, int] | None = None
) -> tuple[tuple[str, int, str], Record]:
    """A comment by COMMENT_ID, on any record or on the one `under` names."""
    for place, comment in _all_comments(ctx.store):
        if comment.get("COMMENT_ID") == comment_id and under in (None, place[:2]):
            return place, comment
    raise Refusal(404, f"No comment with COMMENT_ID {comment_id} was found.")


def _note_of_path(ctx: Context) -> tuple[str, int] | None:
    """The note `/Notes/{id}/Comment...` names, which must exist; None for `/Comments`."""
    if "id" not in ctx.params or ctx.obj is None:
        return None
    table, key, _ = path_record(ctx)
    return table.obj.path, key


@writing
def put_comment(ctx: Context) -> ApiResponse:
    """`PUT /Comments`: change a comment (the spec lets only its OWNER_USER_ID change)."""
    body = json_object(ctx.request.body)
    place, comment = _find_comment(ctx, body_id(body, "COMMENT_ID"), _note_of_path(ctx))
    fields = check_fields(
        body, rules("/Comments", "put"), creating=False, skip=frozenset({"COMMENT_ID"})
    )
    check_references(ctx.store, BY_PATH[place[0]], fields)
    comment.update(fields)
    touch(ctx.store, place[0], place[1])
    return respond(ctx, comment)


@writing
def delete_comment(ctx: Context) -> ApiResponse:
    """`DELETE /Comments/{id}`: remove a comment, and its files, from its record."""
    under = _note_of_path(ctx)
    text = ctx.params["childEntityId"] if under is not None else ctx.params["id"]
    comment_id = int(text) if text.isdigit() else -1
    place, comment = _find_comment(ctx, comment_id, under)
    ctx.store.children[place].remove(comment)
    ctx.store.children.pop(("Comments", comment_id, "FileAttachments"), None)
    touch(ctx.store, place[0], place[1])
    return respond(ctx)


@writing
def delete_file(ctx: Context) -> ApiResponse:
    """`DELETE /FileAttachments/{id}`: remove a file from the record or comment holding it."""
    text = ctx.params["id"]
    file_id = int(text) if text.isdigit() else -1
    for place, files in ctx.store.children.items():
        found = [item for item in files if item.get("FILE_ID") == file_id]
        if place[2] == "FileAttachments" and found:
            files.remove(found[0])
            touch(ctx.store, place[0], place[1])
            return respond(ctx)
    raise Refusal(404, f"No file attachment with FILE_ID {text} was found.")


@writing
def post_follow(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/Follow`: the API user follows the record."""
    table, key, _ = path_record(ctx)
    ctx.store.follows.add((table.obj.path, key))
    return respond(ctx, {"FOLLOWING": True})


@writing
def delete_follow(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}/Follow`: the API user stops following the record."""
    table, key, _ = path_record(ctx)
    ctx.store.follows.discard((table.obj.path, key))
    return respond(ctx)


def check_member(store: Store, team_id: int, body: Any) -> int:  # noqa: ANN401 - any JSON value
    """The user a team member body names, who must exist and not be in the team yet."""
    given = json_object(body, "A team member")
    user_id = check_value("MEMBER_USER_ID", given.get("MEMBER_USER_ID"), {"type": "integer"})
    if user_id is None:
        raise Refusal(400, "MEMBER_USER_ID is required: name the user to add.")
    if user_id not in store.tables["Users"].rows:
        raise Refusal(400, f"MEMBER_USER_ID {user_id} names no user.")
    team = store.tables["Teams"].rows[team_id]
    if any(entry.get("MEMBER_USER_ID") == user_id for entry in team.get("TEAMMEMBERS") or ()):
        raise Refusal(400, f"User {user_id} is already a member of team {team_id}.")
    return int(user_id)


def add_team_member(store: Store, team_id: int, user_id: int) -> Record:
    """Add a user to a team: a TeamMembers record, and an entry in the team's TEAMMEMBERS."""
    member = store.tables["TeamMembers"].add(
        {"PERMISSION_ID": None, "TEAM_ID": team_id, "MEMBER_USER_ID": user_id}
    )
    team = store.tables["Teams"].rows[team_id]
    team.setdefault("TEAMMEMBERS", []).append(dict(member))
    store.touch("Teams", team_id)
    return member


@writing
def post_team_member(ctx: Context) -> ApiResponse:
    """`POST /Teams/{id}/TeamMembers`: add a user to the team."""
    _, key, _ = path_record(ctx)
    user_id = check_member(ctx.store, key, ctx.request.body)
    return respond(ctx, add_team_member(ctx.store, key, user_id))


@writing
def delete_team_member(ctx: Context) -> ApiResponse:
    """`DELETE /Teams/{id}/TeamMembers/{permissionId}`: take a user out of the team."""
    _, key, _ = path_record(ctx)
    members = ctx.store.tables["TeamMembers"]
    text = ctx.params["permissionId"]
    member = members.rows.get(int(text)) if text.isdigit() else None
    if member is None or member.get("TEAM_ID") != key:
        raise Refusal(404, f"Team {key} has no member with PERMISSION_ID {text}.")
    delete_record(ctx.store, members.obj, member["PERMISSION_ID"])
    return respond(ctx)


HANDLERS: dict[tuple[str, str], Handler] = {
    ("POST", "/{object}/{id}/Tags"): post_tag,
    ("PUT", "/{object}/{id}/Tags"): put_tags,
    ("DELETE", "/{object}/{id}/Tags"): delete_tag,
    ("PUT", "/{object}/{id}/Dates"): put_dates,
    ("PUT", "/{object}/{id}/EmailDomains"): put_email_domains,
    ("POST", "/{object}/{id}/Notes"): post_note,
    ("PUT", "/{object}/{id}/Notes"): put_note,
    ("POST", "/{object}/{id}/Comments"): post_comment,
    ("PUT", "/Comments"): put_comment,
    ("DELETE", "/Comments/{id}"): delete_comment,
    ("POST", "/{object}/{id}/Comment"): post_comment,
    ("PUT", "/{object}/{id}/Comment"): put_comment,
    ("DELETE", "/{object}/{id}/Comment/{childEntityId}"): delete_comment,
    ("DELETE", "/FileAttachments/{id}"): delete_file,
    ("POST", "/{object}/{id}/Follow"): post_follow,
    ("DELETE", "/{object}/{id}/Follow"): delete_follow,
    ("POST", "/{object}/{id}/TeamMembers"): post_team_member,
    ("DELETE", "/{object}/{id}/TeamMembers/{permissionId}"): delete_team_member,
}
