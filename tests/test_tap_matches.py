"""Every stream of a full sync carries exactly the instance's data, field for field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.catalogue import CUSTOMFIELDS, OBJECTS, custom_object
from tap_insightly.values import convert_timestamps
from tests.tap_run import run_tap, sandbox_config

if TYPE_CHECKING:
    from collections.abc import Iterator

    from insightly_sandbox.store import Record, Store

#: Streams whose records the store keeps outside a table of their own.
FROM_DEFINITIONS = {"custom_objects", "custom_fields", "tags", "follows", "instance", "permissions"}


@pytest.fixture(scope="module")
def synced() -> Iterator[tuple[Store, dict[str, Any]]]:
    """A full sync of a small instance, custom fields nested as the store keeps them."""
    with SandboxServer(SandboxConfig(records=10)) as server:
        run = run_tap(sandbox_config(server, custom_fields="nested"))
        schemas = {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}
        yield server.store, {"records": run.records, "schemas": schemas}


def key_of(record: Record, key: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(record[name] for name in key)


def expected_tables(store: Store) -> dict[str, tuple[tuple[str, ...], list[Record]]]:
    """Each stream read from a table, with its key and the table's records."""
    tables = {
        obj.stream: (obj.key, list(store.records(obj.path)))
        for obj in OBJECTS
        if obj.stream not in FROM_DEFINITIONS and obj.path in store.tables
    }
    for definition in store.custom_objects:
        obj = custom_object(definition["OBJECT_NAME"])
        tables[obj.stream] = (obj.key, list(store.records(obj.path)))
    return tables


def test_every_table_stream_emits_every_record_once_with_its_values(synced):
    store, run = synced
    records, schemas = run["records"], run["schemas"]

    for stream, (key, stored) in expected_tables(store).items():
        emitted = {key_of(record, key): record for record in records[stream]}
        assert len(emitted) == len(records[stream]), f"{stream} repeats a record"
        assert set(emitted) == {key_of(record, key) for record in stored}, stream
        assert stored, f"the sandbox holds no {stream}: the comparison would prove nothing"
        for record in stored:
            expected = convert_timestamps(record, schemas[stream])
            got = emitted[key_of(record, key)]
            for name, value in expected.items():
                if name == CUSTOMFIELDS:
                    continue  # typed by definition; compared in the custom field tests
                assert got[name] == value, f"{stream} {key_of(record, key)} {name}"


def test_streams_built_from_definitions_carry_them_all(synced):
    store, run = synced
    records = run["records"]

    assert {r["OBJECT_NAME"] for r in records["custom_objects"]} == {
        d["OBJECT_NAME"] for d in store.custom_objects
    }
    defined = {(f["FIELD_FOR"], f["FIELD_NAME"]) for fs in store.custom_fields.values() for f in fs}
    assert {(r["FIELD_FOR"], r["FIELD_NAME"]) for r in records["custom_fields"]} == defined
    tags = {
        tag["TAG_NAME"].lower()
        for table in store.tables.values()
        for record in table.rows.values()
        for tag in record.get("TAGS") or []
    }
    assert {r["TAG_NAME"].lower() for r in records["tags"]} == tags
    assert records["instance"] == [store.instance]
    assert len(records["permissions"]) == 1
    assert sorted(r["RECORD_ID"] for r in records["follows"]) == sorted(
        record_id for _, record_id in store.follows
    )


def test_links_are_every_link_the_records_carry(synced):
    store, run = synced
    carried = {
        link["LINK_ID"]
        for table in store.tables.values()
        for record in table.rows.values()
        for link in record.get("LINKS") or []
    }
    assert {link["LINK_ID"] for link in run["records"]["links"]} == carried
