"""The seeded sandbox data: deterministic, complete per the spec, shaped like the samples."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insightly_sandbox.seed import build_store
from insightly_sandbox.seed_context import record_fields
from insightly_sandbox.seed_fields import FIELD_TYPES
from insightly_sandbox.spec import item_schema
from insightly_sandbox.store import encode
from tap_insightly.catalogue import CUSTOMFIELDS, LINKS, OBJECTS

if TYPE_CHECKING:
    from insightly_sandbox.store import Record, Store

SAMPLES = Path(__file__).parent / "samples"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
MIDNIGHT = re.compile(r"^\d{4}-\d\d-\d\d 00:00:00$")

#: Tables that stay empty: what they list lives elsewhere in the store, once
#: (`custom_objects`, `custom_fields`, `follows`), so writes cannot make two copies disagree.
SERVED_FROM_STORE = {"CustomObjects", "CustomFields", "Follows"}
#: What an instance without records still holds: configuration a writer needs ids from.
CONFIGURATION = {
    "Users", "Teams", "TeamMembers", "Pipelines", "PipelineStages", "ActivitySets",
    "Relationships", "LeadSources", "LeadStatuses", "OpportunityCategories",
    "OpportunityStateReasons", "ProjectCategories", "TaskCategories", "FileCategories",
    "Countries", "Currencies", "Pricebook", "DocumentTemplates", "KnowledgeArticleCategory",
    "KnowledgeArticleFolder", "ForumCategories", "CommunityForums",
}  # fmt: skip
#: Objects that get `records` records each (custom objects' records too).
MAIN_OBJECTS = (
    "Contacts", "Organisations", "Leads", "Opportunities", "Projects", "Tasks", "Events",
    "Notes", "Emails", "Product", "Quotation", "Ticket", "Prospect", "KnowledgeArticle",
)  # fmt: skip


def custom_tables(store: Store) -> list[str]:
    return [definition["OBJECT_NAME"] for definition in store.custom_objects]


def template_of(store: Store, path: str) -> str:
    return "/{objectName}" if path in custom_tables(store) else "/" + path


def snapshot(store: Store) -> bytes:
    return encode(
        {
            "tables": {path: list(table.rows.values()) for path, table in store.tables.items()},
            "custom_fields": store.custom_fields,
            "custom_objects": store.custom_objects,
            "children": {"|".join(map(str, key)): rows for key, rows in store.children.items()},
            "follows": sorted(store.follows),
            "instance": store.instance,
            "permissions": store.permissions,
        }
    )


def test_same_seed_gives_same_store_and_another_seed_another():
    assert snapshot(build_store(7, 30)) == snapshot(build_store(7, 30))
    assert snapshot(build_store(7, 30)) != snapshot(build_store(8, 30))


def test_build_time_at_default_size():
    started = time.perf_counter()
    build_store()
    print(f"build_store() took {time.perf_counter() - started:.3f} s")  # noqa: T201


def test_every_table_is_filled_at_default_size(store):
    for obj in OBJECTS:
        if obj.singleton:
            continue
        rows = store.tables[obj.path].rows
        if obj.path in SERVED_FROM_STORE:
            assert not rows, obj.path
        else:
            assert rows, obj.path
    for path in custom_tables(store):
        assert len(store.tables[path].rows) == 200
    assert store.custom_objects
    assert store.custom_fields
    assert store.follows
    for path in MAIN_OBJECTS:
        assert len(store.tables[path].rows) == 200, path


def test_default_store_shows_every_kind_of_data(store):
    assert {"FileAttachments", "Comments", "StateHistory"} <= {
        kind for _, _, kind in store.children
    }
    assert ("Ticket", "Comments") in {(path, kind) for path, _, kind in store.children}
    states = Counter(row["OPPORTUNITY_STATE"] for row in store.records("Opportunities"))
    assert {"OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED"} <= set(states)
    for path in ("Opportunities", "Projects"):
        assert any(row["PIPELINE_ID"] for row in store.records(path))
        assert any(row["PIPELINE_ID"] is None for row in store.records(path))
    assert any(lead["CONVERTED"] for lead in store.records("Leads"))
    assert any(quotation["IS_SYNCING"] for quotation in store.records("Quotation"))
    assert any(contact["DATES"] for contact in store.records("Contacts"))
    assert any(contact["VISIBLE_TEAM_ID"] for contact in store.records("Contacts"))
    links = Counter(
        (path, link["LINK_OBJECT_NAME"], link["RELATIONSHIP_ID"] is not None)
        for path in ("Contacts", "Tasks", "Events", "Emails")
        for record in store.records(path)
        for link in record[LINKS]
    )
    assert links[("Contacts", "Organisation", False)]
    assert links[("Contacts", "Contact", True)]
    assert links[("Tasks", "Opportunity", False)]
    assert links[("Emails", "Organisation", False)]
    years = {record["DATE_CREATED_UTC"][:4] for record in store.records("Contacts")}
    assert len(years) >= 4


def test_every_record_has_every_spec_property_in_spec_order(any_store):
    store = any_store
    for path, table in store.tables.items():
        if not table.rows:
            continue
        template = template_of(store, path)
        declared = list((item_schema(template) or {})["properties"])
        expected = [name for name, _ in record_fields(template)]
        for record in table.rows.values():
            assert list(record) == expected, path
            assert [name for name in record if name in declared] == declared, path
            encode(record)


def test_records_match_the_recorded_samples_field_for_field(store):
    for sample, path in (
        ("get-contacts-search.json", "Contacts"),
        ("get-leads-page1.json", "Leads"),
        ("get-fruit__c.json", "Fruit__c"),
    ):
        recorded = json.loads((SAMPLES / sample).read_text())[0]
        seeded = next(iter(store.tables[path].rows.values()))
        assert list(seeded) == list(recorded), path
        for name, value in recorded.items():
            if value is not None and name != CUSTOMFIELDS:
                assert isinstance(seeded[name], type(value)) or seeded[name] is None, name


def test_sub_resource_rows_have_their_spec_properties(any_store):
    store = any_store
    for (path, record_id, kind), rows in store.children.items():
        assert record_id in store.tables[path].rows
        assert rows
        template = f"/{path}/{{id}}/{kind}"
        if kind == "FileAttachments" and path in custom_tables(store):
            template = "/Contacts/{id}/FileAttachments"
        declared = list((item_schema(template) or {})["properties"])
        for row in rows:
            assert list(row) == declared, template


def test_custom_field_definitions(store):
    recorded = json.loads((SAMPLES / "get-customfields-contacts.json").read_text())
    assert store.custom_fields["Contacts"] == recorded
    fruit_fields = json.loads((SAMPLES / "get-customfields-fruit__c.json").read_text())
    assert store.custom_fields["Fruit__c"] == fruit_fields
    fruit = json.loads((SAMPLES / "get-customobjects-fruit.json").read_text())
    assert store.custom_objects[0] == fruit
    assert len(store.custom_objects) >= 2
    field_keys = list(recorded[0])
    for obj in OBJECTS:
        if not obj.has_custom_fields:
            continue
        definitions = store.custom_fields[obj.path]
        assert {field["FIELD_TYPE"] for field in definitions} == set(FIELD_TYPES), obj.path
        assert [field["FIELD_ORDER"] for field in definitions] == list(
            range(1, len(definitions) + 1)
        )
        for field in definitions:
            assert list(field) == field_keys
            assert field["FIELD_NAME"].endswith("__c")
            assert field["FIELD_FOR"] == obj.field_for
            assert field["EDITABLE"] is (field["FIELD_TYPE"] != "AUTONUMBER")
            has_options = field["FIELD_TYPE"] in {"DROPDOWN", "MULTISELECT"}
            assert bool(field["CUSTOM_FIELD_OPTIONS"]) is has_options


def check_value(field: Record, value: Any) -> None:
    kind = field["FIELD_TYPE"]
    options = {option["OPTION_VALUE"] for option in field["CUSTOM_FIELD_OPTIONS"]}
    if kind == "BIT":
        assert isinstance(value, bool)
    elif value is None:
        assert kind != "AUTONUMBER"
    elif kind in {"TEXT", "MULTILINETEXT"}:
        assert isinstance(value, str)
    elif kind in {"NUMERIC", "PERCENT"}:
        assert isinstance(value, int | float)
        assert not isinstance(value, bool)
    elif kind == "DROPDOWN":
        assert value in options
    elif kind == "MULTISELECT":
        assert set(value.split(";")) <= options
    elif kind == "DATE":
        assert MIDNIGHT.match(value)
    elif kind == "DATETIME":
        assert TIMESTAMP.match(value)
    else:
        assert kind == "AUTONUMBER"
        assert isinstance(value, int)


def test_custom_field_values_have_the_shape_of_their_type(any_store):
    store = any_store
    for path, definitions in store.custom_fields.items():
        by_name = {field["FIELD_NAME"]: field for field in definitions}
        seen: dict[str, set[bool]] = {name: set() for name in by_name}
        autonumbers: dict[str, list[int]] = {}
        for record in store.tables[path].rows.values():
            entries = record[CUSTOMFIELDS]
            assert [entry["FIELD_NAME"] for entry in entries] == sorted(by_name, key=str.lower)
            for entry in entries:
                assert list(entry) == ["FIELD_NAME", "FIELD_VALUE", "CUSTOM_FIELD_ID"]
                assert entry["CUSTOM_FIELD_ID"] == entry["FIELD_NAME"]
                field = by_name[entry["FIELD_NAME"]]
                check_value(field, entry["FIELD_VALUE"])
                seen[entry["FIELD_NAME"]].add(entry["FIELD_VALUE"] is None)
                if field["FIELD_TYPE"] == "AUTONUMBER":
                    autonumbers.setdefault(field["FIELD_NAME"], []).append(entry["FIELD_VALUE"])
        for name, nulls in seen.items():
            if len(store.tables[path].rows) >= 100:
                assert False in nulls, f"{path}.{name} never has a value"
        for numbers in autonumbers.values():
            assert numbers == sorted(set(numbers))


def test_instance_permissions_and_next_ids(any_store):
    store = any_store
    assert list(store.instance) == list((item_schema("/Instance") or {})["properties"])
    assert store.instance["PLAN_NAME"] == "Enterprise"
    assert store.instance["NEW_USER_EXPERIENCE_ENABLED"] is True
    assert list(store.permissions) == list((item_schema("/Permissions") or {})["properties"])
    assert store.permissions["OBJECT_PERMISSIONS"]
    for table in store.tables.values():
        id_field = table.obj.id_field
        if id_field is not None and table.rows:
            assert table.next_id > max(record[id_field] for record in table.rows.values())


def test_no_records_leaves_only_configuration():
    empty = build_store(records=0)
    for path, table in empty.tables.items():
        if path in CONFIGURATION:
            assert table.rows, path
        else:
            assert not table.rows, path
    assert empty.custom_fields["Contacts"]
    assert len(empty.custom_objects) >= 2
    assert empty.instance
    assert empty.permissions
    assert not empty.children
    assert not empty.follows
