"""The tap against a sandbox over a real socket: its streams, its records and what it asks."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter, defaultdict
from typing import Any

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly import stream_base
from tap_insightly.bookmarks import LEDGER_KEY
from tap_insightly.catalogue import LINKS, OBJECTS, TAGS
from tap_insightly.fanout import FAN_OUT_STREAMS
from tap_insightly.tap import TapInsightly
from tap_insightly.values import parse_timestamp
from tests.tap_run import run_tap, sandbox_config

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
STREAMS_WITHOUT_REQUESTS = {"custom_objects", "custom_fields", "links"}


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox of this module's own, 20 records per object, so request counts are its own."""
    with SandboxServer(SandboxConfig(records=20)) as server:
        yield server


def served(sandbox: SandboxServer) -> list[dict[str, Any]]:
    answer = requests.get(sandbox.root + "/_sandbox/requests", timeout=10)
    answer.raise_for_status()
    entries: list[dict[str, Any]] = answer.json()
    return entries


def forget_requests(sandbox: SandboxServer) -> None:
    requests.delete(sandbox.root + "/_sandbox/requests", timeout=10).raise_for_status()


def rfc3339(insightly: str | None) -> str | None:
    """What a timestamp Insightly writes `2025-04-22 20:03:25` leaves the tap as."""
    return None if insightly is None else insightly.replace(" ", "T") + "Z"


def typed(field_type: str, value: Any) -> Any:
    """A custom field value of the seeded data as the tap is to type it."""
    if value is None:
        return None
    if field_type == "MULTISELECT":
        return [part.strip() for part in value.split(";") if part.strip()]
    if field_type in {"DATE", "DATETIME"}:
        return rfc3339(value)
    return value


def test_discovery_lists_every_object_custom_object_and_links_for_two_requests(sandbox):
    forget_requests(sandbox)

    tap = TapInsightly(config=sandbox_config(sandbox))

    custom_objects = {entry["OBJECT_NAME"].lower() for entry in sandbox.store.custom_objects}
    assert custom_objects == {"fruit__c", "shipment__c"}
    expected = {obj.stream for obj in OBJECTS} | custom_objects | {"links", *FAN_OUT_STREAMS}
    assert set(tap.streams) == expected
    assert [(entry["method"], entry["path"]) for entry in served(sandbox)] == [
        ("GET", "/v3.1/CustomObjects"),
        ("GET", "/v3.1/CustomFields/All"),
    ]
    assert tap.streams["contacts"].replication_key == "DATE_UPDATED_UTC"
    assert tap.streams["fruit__c"].replication_key == "DATE_UPDATED_UTC"
    assert tap.streams["pipelines"].replication_key is None
    assert list(tap.streams["links"].primary_keys) == ["LINK_ID"]


def test_contacts_match_the_instance_with_custom_fields_as_columns(sandbox):
    run = run_tap(sandbox_config(sandbox), streams=["contacts"])

    stored = sandbox.store.tables["Contacts"].rows
    definitions = {
        field["FIELD_NAME"]: field["FIELD_TYPE"]
        for field in sandbox.store.custom_fields["Contacts"]
    }
    records = run.records["contacts"]
    assert sorted(record["CONTACT_ID"] for record in records) == sorted(stored)
    assert set(run.records) == {"contacts"}
    for record in records:
        source = stored[record["CONTACT_ID"]]
        assert record["FIRST_NAME"] == source["FIRST_NAME"]
        assert record["EMAIL_ADDRESS"] == source["EMAIL_ADDRESS"]
        assert RFC3339.match(record["DATE_UPDATED_UTC"])
        assert record["DATE_UPDATED_UTC"] == rfc3339(source["DATE_UPDATED_UTC"])
        assert record["DATE_CREATED_UTC"] == rfc3339(source["DATE_CREATED_UTC"])
        for date, source_date in zip(record["DATES"], source["DATES"], strict=True):
            assert date["OCCASION_DATE"] == rfc3339(source_date["OCCASION_DATE"])
        for entry in source["CUSTOMFIELDS"]:
            name = entry["FIELD_NAME"]
            assert record[name] == typed(definitions[name], entry["FIELD_VALUE"]), name
        # Every value converted, so nothing is left over under CUSTOMFIELDS.
        assert record["CUSTOMFIELDS"] == []
    assert any(isinstance(record["Interests__c"], list) for record in records)
    assert any(record["Newsletter_Subscription__c"] is True for record in records)


def test_nested_mode_keeps_typed_values_inside_customfields(sandbox):
    run = run_tap(sandbox_config(sandbox, custom_fields="nested"), streams=["contacts"])

    stored = sandbox.store.tables["Contacts"].rows
    definitions = {
        field["FIELD_NAME"]: field["FIELD_TYPE"]
        for field in sandbox.store.custom_fields["Contacts"]
    }
    for record in run.records["contacts"]:
        assert not set(definitions) & set(record)
        source = stored[record["CONTACT_ID"]]
        values = {entry["FIELD_NAME"]: entry["FIELD_VALUE"] for entry in record["CUSTOMFIELDS"]}
        assert values == {
            entry["FIELD_NAME"]: typed(definitions[entry["FIELD_NAME"]], entry["FIELD_VALUE"])
            for entry in source["CUSTOMFIELDS"]
        }


def test_a_first_sync_asks_discovery_then_one_request_per_page(sandbox):
    page_size = 8
    forget_requests(sandbox)

    run = run_tap(sandbox_config(sandbox, page_size=page_size))

    log = served(sandbox)
    assert all(entry["status"] == 200 for entry in log)
    assert [entry["path"] for entry in log[:2]] == ["/v3.1/CustomObjects", "/v3.1/CustomFields/All"]
    pages: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for entry in log[2:]:
        pages[entry["path"].removeprefix("/v3.1/"), entry["query"].get("record_type", "")].append(
            entry["query"]
        )

    expected: dict[tuple[str, str], int] = {}
    for obj in OBJECTS:
        if obj.stream in STREAMS_WITHOUT_REQUESTS or obj.stream == "tags":
            continue
        path = f"{obj.path}/Search" if obj.incremental else obj.path
        count = len(run.records[obj.stream])
        expected[path, ""] = count // page_size + 1 if obj.paged else 1
    for name in (entry["OBJECT_NAME"] for entry in sandbox.store.custom_objects):
        expected[f"{name}/Search", ""] = len(run.records[name.lower()]) // page_size + 1
    for obj in OBJECTS:
        if TAGS in obj.nested:
            names = {
                tag["TAG_NAME"].casefold()
                for record in sandbox.store.tables[obj.path].rows.values()
                for tag in record.get(TAGS) or ()
            }
            expected["Tags", obj.path.lower()] = len(names) // page_size + 1

    assert {key: len(queries) for key, queries in pages.items()} == expected
    assert len(log) == 2 + sum(expected.values())
    for (path, _), queries in pages.items():
        paged = "top" in queries[0]
        assert [query.get("skip") for query in queries] == [
            str(page * page_size) if paged else None for page in range(len(queries))
        ], path
        assert [query.get("count_total") for query in queries][:1] == (
            ["true"] if paged else [None]
        )
        assert all("count_total" not in query for query in queries[1:]), path
        assert all("updated_after_utc" not in query for query in queries), path


def test_links_come_once_each_facing_the_way_they_were_made(sandbox):
    run = run_tap(sandbox_config(sandbox), streams=["contacts", "emails", "links"])

    made: dict[int, dict[str, Any]] = {}
    for obj in OBJECTS:
        if obj.stream in {"contacts", "emails"}:
            for record in sandbox.store.tables[obj.path].rows.values():
                for link in record.get(LINKS) or ():
                    if link["IS_FORWARD"]:
                        made[link["LINK_ID"]] = link
    links = run.records["links"]
    counts = Counter(link["LINK_ID"] for link in links)
    assert counts
    assert max(counts.values()) == 1
    for link in links:
        assert link["IS_FORWARD"] is True
        if link["LINK_ID"] in made:
            assert link == made[link["LINK_ID"]]
    assert {link["OBJECT_NAME"] for link in links} >= {"Contact", "Email"}


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("requests_per_second", 11, "requests_per_second is 11, above Insightly's limit of 10"),
        ("page_size", 0, "page_size is 0"),
        ("api_url", "http://api.eu1.insightly.com/v3.1/", "is not HTTPS"),
    ],
)
def test_settings_that_cannot_work_are_refused_before_any_request(sandbox, setting, value, named):
    forget_requests(sandbox)

    with pytest.raises(ConfigValidationError) as refused:
        TapInsightly(config=sandbox_config(sandbox, **{setting: value}))

    assert any(named in error and setting in error for error in refused.value.errors)
    assert served(sandbox) == []


def test_the_bookmark_keeps_its_ledger_and_the_next_run_repeats_nothing(sandbox):
    first = run_tap(sandbox_config(sandbox), streams=["contacts"])
    bookmark = first.state["bookmarks"]["contacts"]
    latest = max(record["DATE_UPDATED_UTC"] for record in first.records["contacts"])
    in_latest_second = {
        str(record["CONTACT_ID"])
        for record in first.records["contacts"]
        if record["DATE_UPDATED_UTC"] == latest
    }
    forget_requests(sandbox)

    second = run_tap(sandbox_config(sandbox), state=first.state, streams=["contacts"])

    assert bookmark["replication_key_value"] == latest
    assert bookmark[LEDGER_KEY]["second"] == latest
    assert set(bookmark[LEDGER_KEY]["records"]) == in_latest_second
    assert second.records["contacts"] == []
    assert second.state["bookmarks"]["contacts"] == bookmark
    searches = [entry for entry in served(sandbox) if entry["path"] == "/v3.1/Contacts/Search"]
    one_second_earlier = parse_timestamp(latest) - dt.timedelta(seconds=1)
    assert [entry["query"].get("updated_after_utc") for entry in searches] == [
        one_second_earlier.strftime("%Y-%m-%dT%H:%M:%SZ")
    ]


def test_long_streams_log_progress_against_the_total_insightly_counted(
    start_sandbox, monkeypatch, caplog
):
    monkeypatch.setattr(stream_base, "PROGRESS_EVERY", 40)
    server = start_sandbox(records=100)
    caplog.set_level(logging.INFO, logger="tap-insightly")

    run_tap(sandbox_config(server, page_size=30), streams=["contacts"])

    lines = [r.getMessage() for r in caplog.records if r.name == "tap-insightly.contacts"]
    assert "contacts: 40 of 100 records read" in lines
    assert "contacts: 80 of 100 records read" in lines
