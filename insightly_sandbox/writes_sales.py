"""Records kept under a parent (line items, entries, milestones) and where a record stands.

The children are line items, price book entries, milestones, community posts and comments;
where a record stands is its pipeline, stage, opportunity state and price book.

Child records live in their own tables (`OpportunityLineItem`, `Milestones`, ...) with their
parent's id field set from the path. Derived read-only figures follow the seeded data's
arithmetic: a line's SUBTOTAL is QUANTITY x UNIT_PRICE and its DISCOUNT a percentage off it;
a quotation's DISCOUNT is the amount its lines' discounts take off, its GRAND_TOTAL adds
SHIPPING_HANDLING and TAX; an opportunity with line items is worth their total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox.query import Refusal
from insightly_sandbox.validation import check_fields, check_value, json_object, rules
from insightly_sandbox.writes_base import (
    body_id,
    id_field_of,
    operation,
    path_record,
    refuse_unless_in_plan,
    respond,
    writing,
)
from insightly_sandbox.writes_records import (
    Draft,
    create,
    delete_record,
    draft_create,
    draft_update,
    update,
)
from tap_insightly.catalogue import BY_PATH

if TYPE_CHECKING:
    from insightly_sandbox.api import ApiResponse, Context, Handler
    from insightly_sandbox.store import Record, Store, Table
    from tap_insightly.catalogue import InsightlyObject

#: The states an opportunity can be in, as Insightly writes them.
OPPORTUNITY_STATES = ("OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED")
_LINE_ITEMS = {"OpportunityLineItem", "QuotationLineItem"}


def _child(ctx: Context) -> tuple[InsightlyObject, Table, int, Record, Table]:
    """The parent the path names, and the table of the child records the path writes."""
    parent_table, key, parent = path_record(ctx)
    child = BY_PATH[ctx.request.path.strip("/").split("/")[2]]
    refuse_unless_in_plan(ctx, child)
    return parent_table.obj, parent_table, key, parent, ctx.store.tables[child.path]


def _belonging(table: Table, key: int, parent_field: str, parent_key: int) -> Record:
    record = table.rows.get(key)
    if record is None or record.get(parent_field) != parent_key:
        name = table.obj.record_name or table.obj.path
        raise Refusal(404, f"No {name} {key} was found under {parent_field} {parent_key}.")
    return record


@writing
def post_child(ctx: Context) -> ApiResponse:
    """`POST /{object}/{id}/{Child}`: create a line item, entry, milestone, post or comment."""
    parent_obj, _, key, parent, children = _child(ctx)
    preset: dict[str, Any] = {id_field_of(parent_obj): key}
    if children.obj.path == "CommunityComments":
        preset["FORUM_ID"] = parent.get("FORUM_ID")
    draft = draft_create(ctx, children, preset)
    _derive(ctx.store, draft, {}, parent_obj, parent)
    record = create(draft)
    _settle_parent(ctx.store, parent_obj, key)
    return respond(ctx, record)


@writing
def put_child(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/{Child}`: change one of the record's children, named in the body."""
    parent_obj, _, key, parent, children = _child(ctx)
    child_key = body_id(json_object(ctx.request.body), id_field_of(children.obj))
    current = _belonging(children, child_key, id_field_of(parent_obj), key)
    draft = draft_update(ctx, children, key=child_key)
    _derive(ctx.store, draft, current, parent_obj, parent)
    record = update(draft)
    _settle_parent(ctx.store, parent_obj, key)
    return respond(ctx, record)


@writing
def delete_child(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}/{Child}/{childEntityId}`: delete one of the record's children."""
    parent_obj, _, key, _, children = _child(ctx)
    text = ctx.params.get("childEntityId") or ctx.params.get("milestoneId") or ""
    child_key = int(text) if text.isdigit() else -1
    _belonging(children, child_key, id_field_of(parent_obj), key)
    delete_record(ctx.store, children.obj, child_key)
    _settle_parent(ctx.store, parent_obj, key)
    return respond(ctx)


def _derive(
    store: Store, draft: Draft, current: Record, parent_obj: InsightlyObject, parent: Record
) -> None:
    """Check what a child refers to and work out its read-only figures before it is written."""
    path = draft.table.obj.path
    merged = {**current, **draft.fields}
    if path in _LINE_ITEMS:
        if not current:
            _check_entry(store, draft.fields, parent_obj, parent)
        draft.fields.update(line_prices(merged))
    elif path == "PricebookEntry" and not current:
        _check_price_book_entry(store, draft.fields)
    elif path == "Milestones" and "COMPLETED" in draft.fields:
        done = draft.fields["COMPLETED"] is True
        draft.fields["COMPLETED_DATE_UTC"] = store.now() if done else None


def _check_entry(
    store: Store, fields: dict[str, Any], parent_obj: InsightlyObject, parent: Record
) -> None:
    """A new line item's price book entry: given, and in the parent's price book."""
    entry_id = fields.get("PRICEBOOK_ENTRY_ID")
    if entry_id is None:
        raise Refusal(400, "PRICEBOOK_ENTRY_ID is required: name the price book entry sold.")
    entry = store.tables["PricebookEntry"].rows[entry_id]
    book = parent.get("PRICEBOOK_ID")
    if book is not None and entry["PRICEBOOK_ID"] != book:
        raise Refusal(
            400,
            f"PRICEBOOK_ENTRY_ID {entry_id} belongs to price book {entry['PRICEBOOK_ID']}, "
            f"not to price book {book} of this {parent_obj.record_name}.",
        )
    if fields.get("LIST_PRICE") is None:
        fields["LIST_PRICE"] = entry.get("PRICE")
    if fields.get("CURRENCY_CODE") is None:
        fields["CURRENCY_CODE"] = entry.get("CURRENCY_CODE")
    if book is None:
        # Insightly asks for a price book with the first product; the sandbox takes the
        # entry's, as if the user had chosen it.
        parent["PRICEBOOK_ID"] = entry["PRICEBOOK_ID"]


def _check_price_book_entry(store: Store, fields: dict[str, Any]) -> None:
    """A new entry names both its price book and its product, once per pair."""
    for name in ("PRICEBOOK_ID", "PRODUCT_ID"):
        if fields.get(name) is None:
            raise Refusal(400, f"{name} is required for a price book entry.")
    pair = (fields["PRICEBOOK_ID"], fields["PRODUCT_ID"])
    if any(
        (row["PRICEBOOK_ID"], row["PRODUCT_ID"]) == pair for row in store.records("PricebookEntry")
    ):
        raise Refusal(400, f"Price book {pair[0]} already has an entry for product {pair[1]}.")
    book = store.tables["Pricebook"].rows[pair[0]]
    fields["CURRENCY_CODE"] = book.get("CURRENCY_CODE")


def line_prices(line: dict[str, Any]) -> dict[str, Any]:
    """A line's SUBTOTAL and TOTAL_PRICE from its QUANTITY, UNIT_PRICE and DISCOUNT (%)."""
    subtotal = round((line.get("QUANTITY") or 0) * (line.get("UNIT_PRICE") or 0), 2)
    discount = line.get("DISCOUNT") or 0
    return {"SUBTOTAL": subtotal, "TOTAL_PRICE": round(subtotal * (100 - discount) / 100, 2)}


def _settle_parent(store: Store, parent_obj: InsightlyObject, key: int) -> None:
    """Recompute a parent's totals after its children changed, and mark it changed."""
    record = store.tables[parent_obj.path].rows[key]
    if parent_obj.path == "Opportunities":
        lines = _lines(store, "OpportunityLineItem", "OPPORTUNITY_ID", key)
        if lines:
            record["OPPORTUNITY_VALUE"] = round(sum(line["TOTAL_PRICE"] or 0 for line in lines), 2)
    elif parent_obj.path == "Quotation":
        quotation_totals(store, record)
    store.touch(parent_obj.path, key)


def _lines(store: Store, path: str, parent_field: str, key: int) -> list[Record]:
    return [row for row in store.records(path) if row.get(parent_field) == key]


def quotation_totals(store: Store, quotation: Record) -> None:
    """Set a quotation's LINE_ITEM_COUNT, SUBTOTAL, DISCOUNT, TOTAL_PRICE and GRAND_TOTAL."""
    lines = _lines(store, "QuotationLineItem", "QUOTE_ID", quotation["QUOTE_ID"])
    subtotal = round(sum(line["SUBTOTAL"] or 0 for line in lines), 2)
    total = round(sum(line["TOTAL_PRICE"] or 0 for line in lines), 2)
    extras = (quotation.get("SHIPPING_HANDLING") or 0) + (quotation.get("TAX") or 0)
    quotation.update(
        LINE_ITEM_COUNT=len(lines),
        SUBTOTAL=subtotal,
        DISCOUNT=round(subtotal - total, 2),
        TOTAL_PRICE=total,
        GRAND_TOTAL=round(total + extras, 2),
    )


def _pipeline_holder(ctx: Context, table: Table, key: int, record: Record) -> Record:
    """Where a record's PIPELINE_ID and STAGE_ID live: on it, or (leads) beside it."""
    if "PIPELINE_ID" in record:
        return record
    # Lead records answer no pipeline fields, so a lead's pipeline is kept beside it.
    place = (table.obj.path, key, "Pipeline")
    holder = ctx.store.children.setdefault(place, [{"PIPELINE_ID": None, "STAGE_ID": None}])
    return holder[0]


def _stage(store: Store, stage_id: Any, pipeline_id: int | None) -> Record:  # noqa: ANN401 - any JSON value
    stage_id = check_value("STAGE_ID", stage_id, {"type": "integer"})
    if stage_id is None:
        raise Refusal(400, "STAGE_ID is required: name the stage to move to.")
    stage = store.tables["PipelineStages"].rows.get(stage_id)
    if stage is None:
        raise Refusal(404, f"No pipeline stage with STAGE_ID {stage_id} was found.")
    if pipeline_id is None:
        raise Refusal(400, "The record is in no pipeline: PUT its Pipeline before its stage.")
    if stage["PIPELINE_ID"] != pipeline_id:
        raise Refusal(
            400, f"STAGE_ID {stage_id} is a stage of another pipeline than {pipeline_id}."
        )
    return stage


@writing
def put_pipeline(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/Pipeline`: put the record in a pipeline, at a stage or its first."""
    table, key, record = path_record(ctx)
    body = json_object(ctx.request.body)
    fields = check_fields(body, rules(*operation(ctx)), creating=True)
    pipeline_id = fields.get("PIPELINE_ID")
    if pipeline_id is None:
        raise Refusal(400, "PIPELINE_ID is required: name the pipeline.")
    pipeline = ctx.store.tables["Pipelines"].rows.get(pipeline_id)
    if pipeline is None:
        raise Refusal(404, f"No pipeline with PIPELINE_ID {pipeline_id} was found.")
    purpose = {"Opportunities": "FOR_OPPORTUNITIES", "Projects": "FOR_PROJECTS"}.get(table.obj.path)
    if purpose is not None and not pipeline.get(purpose):
        raise Refusal(400, f"Pipeline {pipeline_id} is not a pipeline for {table.obj.path}.")
    change = fields.get("PIPELINE_STAGE_CHANGE") or {}
    if change.get("STAGE_ID") is not None:
        stage = _stage(ctx.store, change["STAGE_ID"], pipeline_id)
    else:
        stages = [
            row for row in ctx.store.records("PipelineStages") if row["PIPELINE_ID"] == pipeline_id
        ]
        if not stages:
            raise Refusal(400, f"Pipeline {pipeline_id} has no stages.")
        stage = min(stages, key=lambda row: row.get("STAGE_ORDER") or 0)
    holder = _pipeline_holder(ctx, table, key, record)
    holder.update(PIPELINE_ID=pipeline_id, STAGE_ID=stage["STAGE_ID"])
    ctx.store.touch(table.obj.path, key)
    return respond(
        ctx, {"PIPELINE_ID": pipeline_id, "PIPELINE_STAGE_CHANGE": {"STAGE_ID": stage["STAGE_ID"]}}
    )


@writing
def put_pipeline_stage(ctx: Context) -> ApiResponse:
    """`PUT /{object}/{id}/PipelineStage`: move the record to another stage of its pipeline."""
    table, key, record = path_record(ctx)
    body = json_object(ctx.request.body)
    holder = _pipeline_holder(ctx, table, key, record)
    stage = _stage(ctx.store, body.get("STAGE_ID"), holder.get("PIPELINE_ID"))
    holder["STAGE_ID"] = stage["STAGE_ID"]
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, {"STAGE_ID": stage["STAGE_ID"]})


@writing
def delete_pipeline(ctx: Context) -> ApiResponse:
    """`DELETE /{object}/{id}/Pipeline`: take the record out of its pipeline."""
    table, key, record = path_record(ctx)
    _pipeline_holder(ctx, table, key, record).update(PIPELINE_ID=None, STAGE_ID=None)
    ctx.store.touch(table.obj.path, key)
    return respond(ctx)


def check_state(name: str, value: Any) -> str:  # noqa: ANN401 - any JSON value
    """An opportunity state, in any case, as Insightly writes it (`WON`)."""
    text = check_value(name, value, {"type": "string"})
    if text is None or text.upper() not in OPPORTUNITY_STATES:
        raise Refusal(400, f"{name} must be one of {', '.join(OPPORTUNITY_STATES)}, not {text!r}.")
    return str(text).upper()


def record_state(store: Store, key: int, state: str, reason: Record | None = None) -> Record:
    """Append a state change to an opportunity's StateHistory."""
    entry = {
        "OPPORTUNITY_ID": key,
        "DATE_CHANGED_UTC": store.now(),
        "FOR_OPPORTUNITY_STATE": state,
        "STATE_REASON_ID": reason["STATE_REASON_ID"] if reason else None,
        "STATE_REASON": reason["STATE_REASON"] if reason else None,
    }
    store.children.setdefault(("Opportunities", key, "StateHistory"), []).append(entry)
    return entry


@writing
def put_state(ctx: Context) -> ApiResponse:
    """`PUT /Opportunities/{id}/StateChange`: change the state, with a reason, into history."""
    table, key, record = path_record(ctx)
    body = json_object(ctx.request.body)
    state = check_state("FOR_OPPORTUNITY_STATE", body.get("FOR_OPPORTUNITY_STATE"))
    reason_id = check_value("STATE_REASON_ID", body.get("STATE_REASON_ID"), {"type": "integer"})
    reason = None
    if reason_id is not None:
        reason = ctx.store.tables["OpportunityStateReasons"].rows.get(reason_id)
        if reason is None:
            raise Refusal(400, f"STATE_REASON_ID {reason_id} names no opportunity state reason.")
        if reason.get("FOR_OPPORTUNITY_STATE") not in (None, state):
            raise Refusal(400, f"STATE_REASON_ID {reason_id} is a reason for another state.")
    record["OPPORTUNITY_STATE"] = state
    entry = record_state(ctx.store, key, state, reason)
    ctx.store.touch(table.obj.path, key)
    return respond(ctx, entry)


@writing
def put_opportunity_pricebook(ctx: Context) -> ApiResponse:
    """`PUT /Opportunities/{id}/Pricebook`: choose the price book its products come from.

    Line items from another price book cannot stay, so changing the book deletes them, as the
    Insightly web app warns it will.
    """
    refuse_unless_in_plan(ctx, BY_PATH["Pricebook"])
    table, key, record = path_record(ctx)
    body = json_object(ctx.request.body)
    book_id = check_value("PRICEBOOK_ID", body.get("PRICEBOOK_ID"), {"type": "integer"})
    if book_id is None:
        raise Refusal(400, "PRICEBOOK_ID is required: name the price book.")
    if book_id not in ctx.store.tables["Pricebook"].rows:
        raise Refusal(404, f"No price book with PRICEBOOK_ID {book_id} was found.")
    if record.get("PRICEBOOK_ID") != book_id:
        items = ctx.store.tables["OpportunityLineItem"]
        for line in _lines(ctx.store, "OpportunityLineItem", "OPPORTUNITY_ID", key):
            delete_record(ctx.store, items.obj, line["OPPORTUNITY_ITEM_ID"])
        record["PRICEBOOK_ID"] = book_id
    _settle_parent(ctx.store, table.obj, key)
    return respond(ctx, record)


_CHILD_FAMILIES = (
    ("OpportunityLineItem", "childEntityId"),
    ("QuotationLineItem", "childEntityId"),
    ("PricebookEntry", "childEntityId"),
    ("Milestones", "milestoneId"),
    ("CommunityPosts", "childEntityId"),
    ("CommunityComments", "childEntityId"),
)

HANDLERS: dict[tuple[str, str], Handler] = {
    **{("POST", f"/{{object}}/{{id}}/{name}"): post_child for name, _ in _CHILD_FAMILIES},
    **{("PUT", f"/{{object}}/{{id}}/{name}"): put_child for name, _ in _CHILD_FAMILIES},
    **{
        ("DELETE", f"/{{object}}/{{id}}/{name}/{{{param}}}"): delete_child
        for name, param in _CHILD_FAMILIES
    },
    ("PUT", "/{object}/{id}/Pipeline"): put_pipeline,
    ("DELETE", "/{object}/{id}/Pipeline"): delete_pipeline,
    ("PUT", "/{object}/{id}/PipelineStage"): put_pipeline_stage,
    ("PUT", "/{object}/{id}/StateChange"): put_state,
    ("PUT", "/{object}/{id}/Pricebook"): put_opportunity_pricebook,
}
