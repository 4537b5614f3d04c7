"""Custom fields typed from their definitions, on the recorded samples and every FIELD_TYPE."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_insightly.custom_fields import (
    FIELD_TYPES,
    FLATTEN,
    MODES,
    NESTED,
    CustomFieldError,
    CustomFields,
    field_schema,
)
from tap_insightly.schema_loader import load_schema
from tap_insightly.settings import SettingsError
from tap_insightly.values import convert_timestamps

SAMPLES = Path(__file__).parent / "samples"

# jsonschema checks `date-time` only with an optional package installed; this check is strict
# RFC 3339 either way, so Insightly's own `2025-04-22 20:03:25` fails it.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def is_rfc3339(value: object) -> bool:
    return not isinstance(value, str) or RFC3339.fullmatch(value) is not None


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def errors(record: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(schema, format_checker=FORMATS)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(record)]


def definition(name: str, field_type: str, *, field_for: str = "CONTACT") -> dict[str, Any]:
    return {
        "FIELD_NAME": name,
        "FIELD_FOR": field_for,
        "FIELD_LABEL": name.removesuffix("__c").replace("_", " "),
        "FIELD_TYPE": field_type,
        "EDITABLE": field_type != "AUTONUMBER",
        "CUSTOM_FIELD_OPTIONS": [],
    }


def entry(name: str, value: Any) -> dict[str, Any]:
    return {"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name}


def entries(record: dict[str, Any]) -> dict[str, Any]:
    return {item["FIELD_NAME"]: item["FIELD_VALUE"] for item in record["CUSTOMFIELDS"]}


@pytest.fixture
def contacts() -> CustomFields:
    return CustomFields(sample("get-customfields-contacts"))


@pytest.fixture
def contact() -> dict[str, Any]:
    record: dict[str, Any] = sample("get-contacts-search")[0]
    return record


#: A contact carrying every FIELD_TYPE, written the way Insightly writes each one.
EVERY_TYPE = {
    "Hobby__c": "Skiing",
    "Interests__c": "Music;Sports;Travel",
    "Newsletter_Subscription__c": False,
    "Preferred_Contact_Method__c": "Email",
    "Date1__c": "2025-04-22 00:00:00",
    "Date2__c": "2025-04-22 20:03:25",
    "MultiText1__c": "first line\nsecond line",
    "Number1__c": 12.5,
    "Percent1__c": 40,
    "AutoNumber1__c": 7,
}

EVERY_TYPE_TYPED = {
    "Hobby__c": "Skiing",
    "Interests__c": ["Music", "Sports", "Travel"],
    "Newsletter_Subscription__c": False,
    "Preferred_Contact_Method__c": "Email",
    "Date1__c": "2025-04-22T00:00:00Z",
    "Date2__c": "2025-04-22T20:03:25Z",
    "MultiText1__c": "first line\nsecond line",
    "Number1__c": 12.5,
    "Percent1__c": 40,
    "AutoNumber1__c": 7,
}


@pytest.fixture
def every_type(contact: dict[str, Any]) -> dict[str, Any]:
    contact["CUSTOMFIELDS"] = [entry(name, value) for name, value in EVERY_TYPE.items()]
    return contact


@pytest.mark.parametrize(
    ("field_type", "expected"),
    [
        ("TEXT", {"type": ["string", "null"]}),
        ("MULTILINETEXT", {"type": ["string", "null"]}),
        ("DROPDOWN", {"type": ["string", "null"]}),
        ("NUMERIC", {"type": ["number", "null"]}),
        ("PERCENT", {"type": ["number", "null"]}),
        ("BIT", {"type": ["boolean", "null"]}),
        ("DATE", {"type": ["string", "null"], "format": "date-time"}),
        ("DATETIME", {"type": ["string", "null"], "format": "date-time"}),
        ("MULTISELECT", {"type": ["array", "null"], "items": {"type": "string"}}),
        ("AUTONUMBER", {"type": ["integer", "null"]}),
        ("CALCULATED", {"type": ["string", "null"]}),
        ("", {"type": ["string", "null"]}),
    ],
)
def test_every_field_type_maps_to_its_schema(field_type, expected):
    assert field_schema(field_type) == expected
    if field_type in FIELD_TYPES:
        assert FIELD_TYPES[field_type] == expected


def test_field_schemas_are_fresh_copies():
    field_schema("MULTISELECT")["items"]["type"] = "integer"
    assert FIELD_TYPES["MULTISELECT"]["items"] == {"type": "string"}


def test_property_schemas_carry_labels_and_read_only(contacts):
    schemas = contacts.property_schemas()
    assert list(schemas) == list(contacts.names)
    assert schemas["Newsletter_Subscription__c"] == {
        "type": ["boolean", "null"],
        "description": "Newsletter Subscription",
    }
    assert schemas["AutoNumber1__c"]["readOnly"] is True
    assert [name for name, prop in schemas.items() if prop.get("readOnly")] == ["AutoNumber1__c"]


def test_the_recorded_contact_flattens_to_typed_columns(contacts, contact):
    record = contacts.record(contact, FLATTEN)

    assert record["Hobby__c"] == "Skiing"
    assert record["Interests__c"] == ["Music", "Sports", "Travel"]
    assert record["Newsletter_Subscription__c"] is True
    assert record["Preferred_Contact_Method__c"] == "SMS"
    rest = set(contacts.names) - {
        "Hobby__c",
        "Interests__c",
        "Newsletter_Subscription__c",
        "Preferred_Contact_Method__c",
    }
    assert {name: record[name] for name in rest} == dict.fromkeys(rest)
    assert record["CUSTOMFIELDS"] == []
    assert len(contact["CUSTOMFIELDS"]) == 4


def test_the_recorded_contact_nests_typed_values(contacts, contact):
    record = contacts.record(contact, NESTED)

    assert entries(record) == {
        "Hobby__c": "Skiing",
        "Interests__c": ["Music", "Sports", "Travel"],
        "Newsletter_Subscription__c": True,
        "Preferred_Contact_Method__c": "SMS",
    }
    assert [item["CUSTOM_FIELD_ID"] for item in record["CUSTOMFIELDS"]] == list(entries(record))
    assert not set(contacts.names) & set(record)
    assert contact["CUSTOMFIELDS"][1]["FIELD_VALUE"] == "Music;Sports;Travel"


@pytest.mark.parametrize("mode", MODES)
def test_the_recorded_contact_validates_in_either_mode(contacts, contact, mode):
    schema = contacts.schema(load_schema("contacts"), mode)

    record = contacts.record(convert_timestamps(contact, schema), mode)

    assert record["DATE_UPDATED_UTC"] == "2025-04-22T20:03:25Z"
    assert errors(record, schema) == []
    # The check has teeth: Insightly's own timestamps are not RFC 3339.
    assert errors(contacts.record(contact, mode), schema)


@pytest.mark.parametrize("mode", MODES)
def test_every_field_type_is_typed_and_validates(contacts, every_type, mode):
    schema = contacts.schema(load_schema("contacts"), mode)

    record = contacts.record(convert_timestamps(every_type, schema), mode)

    typed = entries(record) if mode == NESTED else {name: record[name] for name in contacts.names}
    assert typed == EVERY_TYPE_TYPED
    assert isinstance(typed["Number1__c"], float)
    assert isinstance(typed["Percent1__c"], int)
    assert errors(record, schema) == []
    # Typing custom fields first and timestamps after gives the same record.
    assert convert_timestamps(contacts.record(every_type, mode), schema) == record


def test_typed_values_go_back_to_what_insightly_sent(contacts, every_type):
    record = contacts.record(every_type, FLATTEN)

    body = contacts.to_insightly({name: record[name] for name in contacts.names})

    editable = {name: value for name, value in EVERY_TYPE.items() if name != "AutoNumber1__c"}
    assert {item["FIELD_NAME"]: item["FIELD_VALUE"] for item in body} == editable
    assert [item["FIELD_NAME"] for item in body] == list(editable)
    assert all(set(item) == {"FIELD_NAME", "FIELD_VALUE"} for item in body)


@pytest.mark.parametrize("mode", MODES)
def test_fruit_records_type_their_business_fields(mode):
    fruit = CustomFields(sample("get-customfields-fruit__c"), object_name="Fruit__c")
    schema = fruit.schema(load_schema("custom_object_records"), mode)

    records = [
        fruit.record(convert_timestamps(record, schema), mode) for record in sample("get-fruit__c")
    ]

    if mode == FLATTEN:
        typed = [{name: record[name] for name in fruit.names} for record in records]
        assert all(record["CUSTOMFIELDS"] == [] for record in records)
    else:
        typed = [entries(record) for record in records]
    assert typed == [{"Weight__c": 12, "Color__c": "Green"}, {"Weight__c": 3.2, "Color__c": None}]
    assert [type(values["Weight__c"]) for values in typed] == [int, float]
    assert schema["properties"]["Weight__c" if mode == FLATTEN else "CUSTOMFIELDS"]
    assert all(errors(record, schema) == [] for record in records)


def test_a_field_created_mid_run_is_kept_as_sent(contacts, contact):
    extra = entry("Loyalty_Tier__c", 3)
    contact["CUSTOMFIELDS"].append(extra)

    flat = contacts.record(contact, FLATTEN)
    nested = contacts.record(contact, NESTED)

    assert flat["CUSTOMFIELDS"] == [extra]
    assert "Loyalty_Tier__c" not in flat
    assert nested["CUSTOMFIELDS"][-1] == extra
    assert flat["CUSTOMFIELDS"][0] is not extra
    for mode, record in ((FLATTEN, flat), (NESTED, nested)):
        schema = contacts.schema(load_schema("contacts"), mode)
        assert errors(convert_timestamps(record, schema), schema) == []


def test_custom_fields_missing_from_a_record_are_null_columns(contacts):
    for given in ({"CONTACT_ID": 1}, {"CONTACT_ID": 1, "CUSTOMFIELDS": None}):
        record = contacts.record(given, FLATTEN)
        assert record == {"CONTACT_ID": 1, "CUSTOMFIELDS": [], **dict.fromkeys(contacts.names)}
    assert contacts.record({"CUSTOMFIELDS": None}, NESTED) == {"CUSTOMFIELDS": None}


@pytest.mark.parametrize(
    ("field_type", "given", "expected"),
    [
        ("NUMERIC", "12.5", 12.5),
        ("NUMERIC", "12", 12),
        ("NUMERIC", " -3 ", -3),
        ("NUMERIC", 0, 0),
        ("NUMERIC", "", None),
        ("PERCENT", "99.9", 99.9),
        ("BIT", True, True),
        ("BIT", "True", True),
        ("BIT", "False", False),
        ("BIT", "true", True),
        ("BIT", 1, True),
        ("BIT", 0, False),
        ("BIT", "0", False),
        ("AUTONUMBER", "41", 41),
        ("AUTONUMBER", 41.0, 41),
        ("MULTISELECT", " Art ; ;Food; ", ["Art", "Food"]),
        ("MULTISELECT", "Art", ["Art"]),
        ("MULTISELECT", "", []),
        ("MULTISELECT", None, None),
        ("MULTISELECT", ["Art", "Food"], ["Art", "Food"]),
        ("DATE", "2025-04-22T00:00:00Z", "2025-04-22T00:00:00Z"),
        ("DATETIME", "2025-04-22T22:03:25+02:00", "2025-04-22T20:03:25Z"),
        ("DATETIME", "", None),
        ("TEXT", "", ""),
        ("DROPDOWN", None, None),
        ("CALCULATED", 12.5, "12.5"),
        ("CALCULATED", True, "true"),
    ],
)
def test_values_are_converted_to_their_type(field_type, given, expected):
    fields = CustomFields([definition("Field__c", field_type)])
    record = {"CUSTOMFIELDS": [entry("Field__c", given)]}

    assert fields.record(record, FLATTEN)["Field__c"] == expected
    assert entries(fields.record(record, NESTED))["Field__c"] == expected


@pytest.mark.parametrize(
    ("field_type", "given"),
    [
        ("NUMERIC", "abc"),
        ("NUMERIC", "nan"),
        ("NUMERIC", True),
        ("PERCENT", [1]),
        ("BIT", "yes"),
        ("BIT", 2),
        ("AUTONUMBER", 4.5),
        ("AUTONUMBER", "INV-0001"),
        ("DATE", "22/04/2025"),
        ("DATETIME", 1745352205),
        ("MULTISELECT", 3),
    ],
)
def test_a_value_of_the_wrong_type_is_kept_as_sent_with_one_warning(field_type, given, caplog):
    fields = CustomFields([definition("Field__c", field_type)], object_name="Contacts")
    record = {"CUSTOMFIELDS": [entry("Field__c", given)]}
    schema = fields.schema({"type": "object", "properties": {}}, FLATTEN)

    with caplog.at_level(logging.WARNING, logger="tap_insightly.custom_fields"):
        flat = fields.record(record, FLATTEN)
        again = fields.record(record, FLATTEN)
        nested = fields.record(record, NESTED)

    assert flat["Field__c"] is None
    assert flat["CUSTOMFIELDS"] == record["CUSTOMFIELDS"]
    assert again == flat
    assert nested["CUSTOMFIELDS"] == record["CUSTOMFIELDS"]
    assert errors(flat, schema) == []
    [warning] = caplog.records
    assert "Field__c of Contacts" in warning.getMessage()
    assert field_type in warning.getMessage()
    assert repr(given) not in warning.getMessage()


def test_schemas_are_new_and_the_base_is_left_alone(contacts):
    base = load_schema("contacts")
    kept = copy.deepcopy(base)

    flat = contacts.schema(base, FLATTEN)
    nested = contacts.schema(base, NESTED)

    assert base == kept
    assert set(flat["properties"]) == set(base["properties"]) | set(contacts.names)
    assert flat["properties"]["Date2__c"]["format"] == "date-time"
    customfields = base["properties"]["CUSTOMFIELDS"]
    assert flat["properties"]["CUSTOMFIELDS"]["items"] == customfields["items"]
    assert set(nested["properties"]) == set(base["properties"])
    value = nested["properties"]["CUSTOMFIELDS"]["items"]["properties"]["FIELD_VALUE"]
    assert set(value) == {"type", "description"}
    assert "array" in value["type"]
    assert "Interests__c list of strings" in value["description"]


def test_a_schema_without_customfields_gets_one():
    fields = CustomFields([definition("Weight__c", "NUMERIC", field_for="FRUIT__C")])
    for mode in MODES:
        schema = fields.schema({"type": "object"}, mode)
        assert schema["properties"]["CUSTOMFIELDS"]["type"] == ["array", "null"]


def test_a_custom_field_named_like_a_standard_property_cannot_be_flattened():
    fields = CustomFields([definition("FIRST_NAME", "TEXT")], object_name="Contacts")

    with pytest.raises(CustomFieldError, match=r"FIRST_NAME of Contacts .*'nested'"):
        fields.schema(load_schema("contacts"), FLATTEN)
    assert fields.schema(load_schema("contacts"), NESTED)


@pytest.mark.parametrize("mode", ["flat", "", "FLATTEN", None])
def test_an_unknown_mode_names_the_setting(contacts, contact, mode):
    expected = r"custom_fields is .*'flatten'.*'nested'"
    with pytest.raises(SettingsError, match=expected):
        contacts.schema(load_schema("contacts"), mode)
    with pytest.raises(ValueError, match=expected):
        contacts.record(contact, mode)


def test_definitions_of_several_objects_are_refused():
    mixed = [definition("A__c", "TEXT"), definition("B__c", "TEXT", field_for="LEAD")]
    with pytest.raises(CustomFieldError, match=r"CONTACT, LEAD.*FIELD_FOR"):
        CustomFields(mixed)
    with pytest.raises(CustomFieldError, match="no FIELD_NAME"):
        CustomFields([{"FIELD_FOR": "CONTACT", "FIELD_TYPE": "TEXT"}])


def test_no_definitions_leave_customfields_as_they_are(contact):
    fields = CustomFields([])
    assert fields.record(contact, FLATTEN)["CUSTOMFIELDS"] == contact["CUSTOMFIELDS"]
    assert fields.record(contact, NESTED) == contact


def test_to_insightly_writes_body_values(contacts):
    body = contacts.to_insightly(
        {
            "Interests__c": ["Art", "Food"],
            "Date1__c": dt.date(2025, 4, 22),
            "Date2__c": "2025-04-22T22:03:25+02:00",
            "Newsletter_Subscription__c": True,
            "Number1__c": "12.5",
            "Percent1__c": None,
            "AutoNumber1__c": 8,
            "Unknown__c": {"as": "given"},
        }
    )

    assert body == [
        {"FIELD_NAME": "Interests__c", "FIELD_VALUE": "Art;Food"},
        {"FIELD_NAME": "Date1__c", "FIELD_VALUE": "2025-04-22 00:00:00"},
        {"FIELD_NAME": "Date2__c", "FIELD_VALUE": "2025-04-22 20:03:25"},
        {"FIELD_NAME": "Newsletter_Subscription__c", "FIELD_VALUE": True},
        {"FIELD_NAME": "Number1__c", "FIELD_VALUE": 12.5},
        {"FIELD_NAME": "Percent1__c", "FIELD_VALUE": None},
        {"FIELD_NAME": "Unknown__c", "FIELD_VALUE": {"as": "given"}},
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [("Number1__c", "lots"), ("Date2__c", "tomorrow"), ("Newsletter_Subscription__c", "maybe")],
)
def test_to_insightly_refuses_a_value_of_the_wrong_type_by_field(contacts, name, value):
    with pytest.raises(CustomFieldError, match=f"{name} of CONTACT"):
        contacts.to_insightly({name: value})
