"""The tap on responses recorded from a real Insightly account, served over a socket.

The sandbox here holds exactly the recorded records and definitions of `tests/samples/`, nothing
seeded, so what the tap emits is checked against what Insightly itself answered: each record
valid against the SCHEMA the tap emitted for it, custom fields typed from their definitions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from insightly_sandbox.server import SandboxConfig, SandboxServer
from insightly_sandbox.store import Store
from tests.tap_run import TapRun, run_tap, sandbox_config

if TYPE_CHECKING:
    from collections.abc import Iterator

SAMPLES = Path(__file__).parent / "samples"
STREAMS = ("contacts", "leads", "fruit__c")

#: RFC 3339's date-time, which JSON Schema's `date-time` format means; jsonschema leaves the
#: check to an optional package, so it is written out here rather than silently skipped.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    try:
        dt.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")  # noqa: DTZ007 - the zone is checked above
    except ValueError:
        return False
    return True


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def recorded_store() -> Store:
    """A store holding exactly the recorded records, with their custom field definitions."""
    store = Store()
    store.custom_fields["Contacts"] = sample("get-customfields-contacts.json")
    for record in sample("get-contacts-search.json"):
        store.tables["Contacts"].add(record)
    for record in sample("get-leads-page1.json"):
        store.tables["Leads"].add(record)
    fruit = store.add_custom_object(
        sample("get-customobjects-fruit.json"), sample("get-customfields-fruit__c.json")
    )
    for record in sample("get-fruit__c.json"):
        fruit.add(record)
    return store


@pytest.fixture(scope="module")
def recorded() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(records=0), store=recorded_store()) as server:
        yield server


def schemas(run: TapRun) -> dict[str, dict[str, Any]]:
    return {
        message["stream"]: message["schema"]
        for message in run.messages
        if message["type"] == "SCHEMA"
    }


def assert_valid_against_emitted_schemas(run: TapRun) -> None:
    emitted = schemas(run)
    assert set(emitted) == set(STREAMS)
    for stream, schema in emitted.items():
        Draft7Validator.check_schema(schema)
        validator = Draft7Validator(schema, format_checker=FORMATS)
        assert run.records[stream], stream
        for record in run.records[stream]:
            problems = [error.message for error in validator.iter_errors(record)]
            assert problems == [], f"{stream}: {problems}"
            # A field the schema does not declare would reach no target's table.
            assert set(record) <= set(schema["properties"]), stream


def by_key(run: TapRun, stream: str, key: str) -> dict[Any, dict[str, Any]]:
    return {record[key]: record for record in run.records[stream]}


def test_the_format_check_refuses_what_is_not_rfc3339():
    validator = Draft7Validator({"format": "date-time"}, format_checker=FORMATS)

    assert validator.is_valid("2025-04-22T20:03:25Z")
    assert validator.is_valid("2025-04-22T20:03:25.5+02:00")
    assert not validator.is_valid("2025-04-22 20:03:25")
    assert not validator.is_valid("2025-04-22T20:03:25")
    assert not validator.is_valid("2025-02-30T20:03:25Z")


def test_recorded_records_leave_flattened_typed_and_valid(recorded):
    run = run_tap(sandbox_config(recorded), streams=STREAMS)

    assert_valid_against_emitted_schemas(run)
    pamela = by_key(run, "contacts", "CONTACT_ID")[366638973]
    assert pamela["DATE_UPDATED_UTC"] == "2025-04-22T20:03:25Z"
    assert pamela["DATE_CREATED_UTC"] == "2025-04-19T00:49:32Z"
    assert pamela["Interests__c"] == ["Music", "Sports", "Travel"]
    assert pamela["Newsletter_Subscription__c"] is True
    assert pamela["Hobby__c"] == "Skiing"
    assert pamela["Preferred_Contact_Method__c"] == "SMS"
    assert pamela["CUSTOMFIELDS"] == []
    contact_schema = schemas(run)["contacts"]["properties"]
    assert "array" in contact_schema["Interests__c"]["type"]
    assert "boolean" in contact_schema["Newsletter_Subscription__c"]["type"]
    fruit = by_key(run, "fruit__c", "RECORD_ID")
    assert fruit[54840676]["Weight__c"] == 12
    assert fruit[54840682]["Weight__c"] == 3.2
    assert fruit[54840676]["Color__c"] == "Green"
    assert fruit[54840682]["Color__c"] is None
    assert fruit[54840676]["DATE_UPDATED_UTC"] == "2025-04-22T19:34:12Z"
    assert "number" in schemas(run)["fruit__c"]["properties"]["Weight__c"]["type"]
    leads = by_key(run, "leads", "LEAD_ID")
    assert sorted(leads) == [78563840, 78563874]
    assert leads[78563840]["TAGS"] == [{"TAG_NAME": "Paris"}]
    assert leads[78563840]["DATE_UPDATED_UTC"] == "2025-04-17T20:37:27Z"


def test_recorded_records_keep_typed_values_inside_customfields_in_nested_mode(recorded):
    run = run_tap(sandbox_config(recorded, custom_fields="nested"), streams=STREAMS)

    assert_valid_against_emitted_schemas(run)
    pamela = by_key(run, "contacts", "CONTACT_ID")[366638973]
    assert pamela["DATE_UPDATED_UTC"] == "2025-04-22T20:03:25Z"
    assert "Interests__c" not in pamela
    assert {entry["FIELD_NAME"]: entry["FIELD_VALUE"] for entry in pamela["CUSTOMFIELDS"]} == {
        "Hobby__c": "Skiing",
        "Interests__c": ["Music", "Sports", "Travel"],
        "Newsletter_Subscription__c": True,
        "Preferred_Contact_Method__c": "SMS",
    }
    weights = {
        record["RECORD_ID"]: {
            entry["FIELD_NAME"]: entry["FIELD_VALUE"] for entry in record["CUSTOMFIELDS"]
        }["Weight__c"]
        for record in run.records["fruit__c"]
    }
    assert weights == {54840676: 12, 54840682: 3.2}
