"""Timestamps between Insightly's form, RFC 3339 records and query parameters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tap_insightly.schema_loader import load_schema, schema_names
from tap_insightly.values import (
    TimestampConverter,
    TimestampError,
    convert_timestamps,
    parse_timestamp,
    query_timestamp,
    to_insightly,
    to_rfc3339,
)

SAMPLES = Path(__file__).parent / "samples"
UTC = dt.timezone.utc
#: A datetime without a zone, which every function here takes as UTC.
NAIVE = dt.datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None)


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-04-22 20:03:25", "2025-04-22T20:03:25Z"),
        ("2025-04-22T20:03:25", "2025-04-22T20:03:25Z"),
        ("2025-04-22T20:03:25Z", "2025-04-22T20:03:25Z"),
        ("2025-04-22T20:03:25z", "2025-04-22T20:03:25Z"),
        ("2025-04-22T20:03:25+00:00", "2025-04-22T20:03:25Z"),
        ("2025-04-22T22:03:25+02:00", "2025-04-22T20:03:25Z"),
        ("2025-04-22T01:03:25-05:00", "2025-04-22T06:03:25Z"),
        ("2025-04-22T23:30:00-01:00", "2025-04-23T00:30:00Z"),
        ("2025-04-22T20:03:25.250Z", "2025-04-22T20:03:25.250000Z"),
        ("2025-04-22", "2025-04-22T00:00:00Z"),
        ("2024-02-29 00:00:00", "2024-02-29T00:00:00Z"),
        ("0999-01-01 00:00:00", "0999-01-01T00:00:00Z"),
        (None, None),
    ],
)
def test_to_rfc3339(given, expected):
    assert to_rfc3339(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "yesterday",
        "2025-02-30 10:00:00",
        "2025-04-22 24:00:00",
        "2025-13-01 00:00:00",
        "2025-04-22 20:03:25 UTC",
        "22/04/2025 20:03:25",
        " 2025-04-22 20:03:25",
        12345,
        ["2025-04-22 20:03:25"],
    ],
)
def test_what_is_not_a_timestamp_is_refused_by_name(given):
    with pytest.raises(ValueError, match="is not a timestamp") as caught:
        to_rfc3339(given)
    assert repr(given) in str(caught.value)
    with pytest.raises(ValueError, match="is not a timestamp"):
        to_insightly(given)


def test_to_rfc3339_gives_the_same_text_whichever_form_came_in():
    for given in ("2025-04-22 20:03:25", "2025-04-22T21:03:25+01:00", "2025-04-22T20:03:25Z"):
        once = to_rfc3339(given)
        assert once == "2025-04-22T20:03:25Z"
        assert to_rfc3339(once) == once


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-04-22 20:03:25", "2025-04-22 20:03:25"),
        ("2025-04-22T20:03:25Z", "2025-04-22 20:03:25"),
        ("2025-04-22T22:03:25+02:00", "2025-04-22 20:03:25"),
        ("2025-04-22T20:03:25.999999Z", "2025-04-22 20:03:25"),
        ("2025-04-22", "2025-04-22 00:00:00"),
        (dt.datetime(2025, 4, 22, 20, 3, 25, tzinfo=UTC), "2025-04-22 20:03:25"),
        (
            NAIVE.replace(year=2025, month=4, day=22, hour=20, minute=3, second=25),
            "2025-04-22 20:03:25",
        ),
        (
            dt.datetime(2025, 4, 23, 5, 33, 25, tzinfo=dt.timezone(dt.timedelta(hours=9.5))),
            "2025-04-22 20:03:25",
        ),
        (dt.datetime(2025, 4, 22, 20, 3, 25, 500_000, tzinfo=UTC), "2025-04-22 20:03:25"),
        (dt.date(2025, 4, 22), "2025-04-22 00:00:00"),
        (None, None),
    ],
)
def test_to_insightly(given, expected):
    assert to_insightly(given) == expected


def test_timestamps_round_trip_between_insightly_and_rfc3339():
    for text in ("2025-04-22 20:03:25", "1999-12-31 23:59:59", "2024-02-29 00:00:00"):
        assert to_insightly(to_rfc3339(text)) == text


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2018, 4, 9, 16, 58, 14, tzinfo=UTC), "2018-04-09T16:58:14Z"),
        (
            NAIVE.replace(year=2018, month=4, day=9, hour=16, minute=58, second=14),
            "2018-04-09T16:58:14Z",
        ),
        (
            dt.datetime(2018, 4, 9, 18, 58, 14, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2018-04-09T16:58:14Z",
        ),
        # Cut, not rounded: a filter on "updated after" may repeat a record but never skip one.
        (dt.datetime(2018, 4, 9, 16, 58, 14, 999_999, tzinfo=UTC), "2018-04-09T16:58:14Z"),
    ],
)
def test_query_timestamp(moment, expected):
    assert query_timestamp(moment) == expected


def test_parse_timestamp_reads_both_forms_as_aware_utc():
    expected = dt.datetime(2025, 4, 22, 20, 3, 25, tzinfo=UTC)
    for text in ("2025-04-22 20:03:25", "2025-04-22T20:03:25Z", "2025-04-22T16:03:25-04:00"):
        moment = parse_timestamp(text)
        assert moment == expected
        assert moment.utcoffset() == dt.timedelta(0)
    with pytest.raises(ValueError, match="'soon' is not a timestamp"):
        parse_timestamp("soon")


def test_the_contacts_schema_has_its_timestamps_found_once():
    converter = TimestampConverter(load_schema("contacts"))
    assert converter.paths == (
        "DATE_CREATED_UTC",
        "DATE_UPDATED_UTC",
        "DATE_OF_BIRTH",
        "LAST_ACTIVITY_DATE_UTC",
        "NEXT_ACTIVITY_DATE_UTC",
        "DATES[].OCCASION_DATE",
    )


def test_every_stream_schema_has_its_top_level_timestamps_found():
    for name in schema_names():
        schema = load_schema(name)
        top_level = {path for path in TimestampConverter(schema).paths if "." not in path}
        declared = {
            key
            for key, prop in schema.get("properties", {}).items()
            if prop.get("format") == "date-time"
        }
        assert top_level == declared, name


def test_a_contact_has_its_timestamps_converted_and_is_left_unchanged():
    record = sample("get-contacts-search")[0]
    record["DATES"] = [
        {"DATE_ID": 1, "OCCASION_NAME": "Birthday", "OCCASION_DATE": "1980-05-01 00:00:00"},
        None,
        {"DATE_ID": 2, "OCCASION_NAME": "Other", "OCCASION_DATE": None},
    ]
    before = json.dumps(record)

    converted = convert_timestamps(record, load_schema("contacts"))

    assert json.dumps(record) == before
    assert converted["DATE_UPDATED_UTC"] == "2025-04-22T20:03:25Z"
    assert converted["DATE_CREATED_UTC"] == "2025-04-19T00:49:32Z"
    assert converted["DATE_OF_BIRTH"] is None
    assert [item and item["OCCASION_DATE"] for item in converted["DATES"]] == [
        "1980-05-01T00:00:00Z",
        None,
        None,
    ]
    unchanged = {key for key, value in converted.items() if value == record[key]}
    assert set(record) - unchanged == {"DATE_CREATED_UTC", "DATE_UPDATED_UTC", "DATES"}


def test_timestamps_are_found_in_nested_objects_and_arrays():
    schema = {
        "type": "object",
        "properties": {
            "WHEN": {"type": ["string", "null"], "format": "date-time"},
            "INNER": {
                "type": ["object", "null"],
                "properties": {
                    "AT": {"type": "string", "format": "date-time"},
                    "LIST": {"type": "array", "items": {"type": "string", "format": "date-time"}},
                },
            },
            "NOTE": {"type": "string"},
            "EITHER": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "number"}]},
        },
    }
    converter = TimestampConverter(schema)
    assert converter.paths == ("WHEN", "INNER.AT", "INNER.LIST[]")

    record = {
        "WHEN": "2025-01-02 03:04:05",
        "INNER": {"AT": "2025-01-02 03:04:06", "LIST": ["2025-01-02 03:04:07", None]},
        "NOTE": "2025-01-02 03:04:08",
        "EITHER": "2025-01-02 03:04:09",
    }
    assert converter(record) == {
        "WHEN": "2025-01-02T03:04:05Z",
        "INNER": {"AT": "2025-01-02T03:04:06Z", "LIST": ["2025-01-02T03:04:07Z", None]},
        "NOTE": "2025-01-02 03:04:08",
        "EITHER": "2025-01-02 03:04:09",
    }


def test_missing_and_misshapen_containers_are_left_for_validation():
    schema = load_schema("contacts")
    assert convert_timestamps({"CONTACT_ID": 1}, schema) == {"CONTACT_ID": 1}
    assert convert_timestamps({"DATES": None}, schema) == {"DATES": None}
    assert convert_timestamps({"DATES": "nope"}, schema) == {"DATES": "nope"}
    assert convert_timestamps({"DATES": ["nope"]}, schema) == {"DATES": ["nope"]}


def test_a_bad_timestamp_is_reported_with_its_path():
    record = {
        "DATES": [
            {"OCCASION_DATE": "2025-01-01 00:00:00"},
            {"OCCASION_DATE": "2025-01-01 00:00:00"},
            {"OCCASION_DATE": "next tuesday"},
        ]
    }
    with pytest.raises(TimestampError, match=r"^DATES\[2\]\.OCCASION_DATE: 'next tuesday'"):
        convert_timestamps(record, load_schema("contacts"))
    with pytest.raises(TimestampError, match=r"^DATE_UPDATED_UTC: ''"):
        convert_timestamps({"DATE_UPDATED_UTC": ""}, load_schema("contacts"))


def test_convert_timestamps_follows_each_schema_it_is_given():
    record = {"A": "2025-01-02 03:04:05", "B": "2025-01-02 03:04:05"}
    on_a = {"properties": {"A": {"format": "date-time"}}}
    on_b = {"properties": {"B": {"format": "date-time"}}}
    for _ in range(2):
        assert convert_timestamps(record, on_a) == {"A": "2025-01-02T03:04:05Z", "B": record["B"]}
        assert convert_timestamps(record, on_b) == {"A": record["A"], "B": "2025-01-02T03:04:05Z"}
