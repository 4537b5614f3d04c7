"""The seeded sandbox data holds together: references, links, totals, timestamps."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from insightly_sandbox.seed_values import ANCHOR
from insightly_sandbox.store import format_timestamp
from tap_insightly.catalogue import LINKS, OBJECTS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.store import Record

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

#: Fields holding the id of a record in another table, wherever they appear.
REFERENCES = {
    "ORGANISATION_ID": "Organisations",
    "CONTACT_ID": "Contacts",
    "LEAD_ID": "Leads",
    "OPPORTUNITY_ID": "Opportunities",
    "PROJECT_ID": "Projects",
    "MILESTONE_ID": "Milestones",
    "PRODUCT_ID": "Product",
    "PRICEBOOK_ID": "Pricebook",
    "PRICEBOOK_ENTRY_ID": "PricebookEntry",
    "OPPORTUNITY_ITEM_ID": "OpportunityLineItem",
    "QUOTE_ID": "Quotation",
    "PROSPECT_ID": "Prospect",
    "FOLDER_ID": "KnowledgeArticleFolder",
    "FORUM_ID": "CommunityForums",
    "FORUM_CATEGORY_ID": "ForumCategories",
    "POST_ID": "CommunityPosts",
    "LEAD_SOURCE_ID": "LeadSources",
    "LEAD_STATUS_ID": "LeadStatuses",
    "ACTIVITYSET_ID": "ActivitySets",
    "TEAM_ID": "Teams",
    "VISIBLE_TEAM_ID": "Teams",
    "ASSIGNED_TEAM_ID": "Teams",
    "CONVERTED_CONTACT_ID": "Contacts",
    "CONVERTED_ORGANISATION_ID": "Organisations",
    "CONVERTED_OPPORTUNITY_ID": "Opportunities",
    "CREATED_CONTACT_ID": "Contacts",
    "EDITED_CONTACT_ID": "Contacts",
    "PIPELINE_ID": "Pipelines",
    "STAGE_ID": "PipelineStages",
}
USER_FIELDS = (
    "OWNER_USER_ID",
    "CREATED_USER_ID",
    "RESPONSIBLE_USER_ID",
    "ASSIGNED_BY_USER_ID",
    "MEMBER_USER_ID",
    "RESPONSIBLE_USER",
)
CATEGORY_TABLES = {
    "Opportunities": "OpportunityCategories",
    "Projects": "ProjectCategories",
    "Tasks": "TaskCategories",
    "KnowledgeArticle": "KnowledgeArticleCategory",
}


def test_timestamps_are_insightly_text_and_updates_follow_creation(any_store):
    store = any_store
    anchor = format_timestamp(ANCHOR)
    for path, table in store.tables.items():
        for record in table.rows.values():
            for name, value in record.items():
                if name.endswith(("_UTC", "_DATE")) and value is not None:
                    assert TIMESTAMP.match(value), (path, name, value)
            created, updated = record.get("DATE_CREATED_UTC"), record.get("DATE_UPDATED_UTC")
            if created and updated:
                assert created <= updated <= anchor, (path, record)


def test_some_records_share_their_update_second(store):
    for obj in OBJECTS:
        table = store.tables.get(obj.path)
        if not obj.incremental or table is None or len(table.rows) < 100:
            continue
        updates = Counter(record["DATE_UPDATED_UTC"] for record in table.rows.values())
        assert max(updates.values()) >= 2, obj.path


def test_references_point_at_existing_records(any_store):
    store = any_store
    for path, table in store.tables.items():
        own = table.obj.id_field
        for record in table.rows.values():
            for name, target in REFERENCES.items():
                value = record.get(name)
                if name != own and value is not None:
                    assert value in store.tables[target].rows, (path, name, value)
            for name in USER_FIELDS:
                if record.get(name) is not None:
                    assert record[name] in store.tables["Users"].rows, (path, name)
            category = record.get("CATEGORY_ID")
            if path in CATEGORY_TABLES and category is not None:
                assert category in store.tables[CATEGORY_TABLES[path]].rows, path


def test_pipelines_stages_and_states_fit_together(any_store):
    store = any_store
    pipelines = store.tables["Pipelines"].rows
    stages = store.tables["PipelineStages"].rows
    for path, flag in (("Opportunities", "FOR_OPPORTUNITIES"), ("Projects", "FOR_PROJECTS")):
        for record in store.tables[path].rows.values():
            pipeline, stage = record["PIPELINE_ID"], record["STAGE_ID"]
            assert (pipeline is None) == (stage is None)
            if pipeline is not None:
                assert pipelines[pipeline][flag]
                assert stages[stage]["PIPELINE_ID"] == pipeline
    for record in store.records("Opportunities"):
        history = store.children.get(("Opportunities", record["OPPORTUNITY_ID"], "StateHistory"))
        if record["OPPORTUNITY_STATE"] != "OPEN":
            assert history
            assert history[-1]["FOR_OPPORTUNITY_STATE"] == record["OPPORTUNITY_STATE"]


def test_converted_leads_name_what_they_became(any_store):
    store = any_store
    converted_status = next(
        row["LEAD_STATUS_ID"]
        for row in store.records("LeadStatuses")
        if row["LEAD_STATUS"] == "Closed - Converted"
    )
    for lead in store.records("Leads"):
        assert (lead["LEAD_STATUS_ID"] == converted_status) is lead["CONVERTED"]
    for lead in (lead for lead in store.records("Leads") if lead["CONVERTED"]):
        assert lead["CONVERTED_CONTACT_ID"] in store.tables["Contacts"].rows
        assert lead["CONVERTED_DATE_UTC"] is not None
    assert all(lead["LINKED_EMAIL_ADDRESS"] for lead in store.records("Leads"))


def test_line_items_use_their_price_book_and_add_up(any_store):
    store = any_store
    entries = store.tables["PricebookEntry"].rows
    products = store.tables["Product"].rows
    books = store.tables["Pricebook"].rows
    assert len(entries) == len(products) * len(books)
    parents = (
        ("OpportunityLineItem", "Opportunities", "OPPORTUNITY_ID"),
        ("QuotationLineItem", "Quotation", "QUOTE_ID"),
    )
    for path, parent_path, parent_field in parents:
        for item in store.records(path):
            parent = store.tables[parent_path].rows[item[parent_field]]
            entry = entries[item["PRICEBOOK_ENTRY_ID"]]
            assert entry["PRICEBOOK_ID"] == parent["PRICEBOOK_ID"]
            assert item["LIST_PRICE"] == entry["PRICE"]
            assert item["SUBTOTAL"] == round(item["QUANTITY"] * item["UNIT_PRICE"], 2)
            expected = round(item["SUBTOTAL"] * (100 - item["DISCOUNT"]) / 100, 2)
            assert item["TOTAL_PRICE"] == expected
    lines: dict[int, list[Record]] = {}
    for item in store.records("QuotationLineItem"):
        lines.setdefault(item["QUOTE_ID"], []).append(item)
    for quotation in store.records("Quotation"):
        mine = lines[quotation["QUOTE_ID"]]
        assert quotation["LINE_ITEM_COUNT"] == len(mine)
        assert quotation["TOTAL_PRICE"] == round(sum(item["TOTAL_PRICE"] for item in mine), 2)
        grand = quotation["TOTAL_PRICE"] + quotation["SHIPPING_HANDLING"] + quotation["TAX"]
        assert quotation["GRAND_TOTAL"] == round(grand, 2)
        synced = [item["OPPORTUNITY_ITEM_ID"] for item in mine if item["OPPORTUNITY_ITEM_ID"]]
        assert quotation["IS_SYNCING"] is bool(synced)


def test_links_appear_on_both_records(any_store):
    store = any_store
    for table in store.tables.values():
        if LINKS not in table.obj.nested:
            continue
        for key, record in table.rows.items():
            for link in record[LINKS]:
                assert link["OBJECT_ID"] == key
                other_obj = store.object_for_record_name(link["LINK_OBJECT_NAME"])
                assert other_obj is not None
                other = store.tables[other_obj.path].rows[link["LINK_OBJECT_ID"]]
                mirrors = [entry for entry in other[LINKS] if entry["LINK_ID"] == link["LINK_ID"]]
                assert len(mirrors) == 1
                assert mirrors[0]["IS_FORWARD"] is not link["IS_FORWARD"]
    for note in store.records("Notes"):
        assert len(note[LINKS]) == 1
    for contact in store.records("Contacts"):
        if contact["ORGANISATION_ID"] is not None:
            assert any(
                link["LINK_OBJECT_NAME"] == "Organisation"
                and link["LINK_OBJECT_ID"] == contact["ORGANISATION_ID"]
                for link in contact[LINKS]
            )


def test_nested_collections_and_tags(any_store):
    store = any_store
    used = {tag["TAG_NAME"] for table in store.tables.values() for record in table.rows.values()
            for tag in record.get(TAGS) or []}  # fmt: skip
    assert set(store.tables["Tags"].rows) == used
    date_ids = [d["DATE_ID"] for record in store.records("Contacts") for d in record["DATES"]]
    assert len(date_ids) == len(set(date_ids))
    for organisation in store.records("Organisations"):
        assert organisation["EMAILDOMAINS"][0]["EMAIL_DOMAIN"] in organisation["WEBSITE"]
    members = {row["PERMISSION_ID"]: row for row in store.records("TeamMembers")}
    nested = [member for team in store.records("Teams") for member in team["TEAMMEMBERS"]]
    assert {member["PERMISSION_ID"]: member for member in nested} == members
    for path, record_id in store.follows:
        assert record_id in store.tables[path].rows
