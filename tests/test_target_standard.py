"""The Singer SDK's standard target tests, each against a sandbox of its own (5 records).

The SDK's bundled inputs use streams such as `test_array_data`, and target-insightly refuses a
stream that names no Insightly object. So each test that applies reads an input of the same
intent, written in Insightly's streams and fields, from `tests/target_standard/` (the file is
named after the test): contacts keyed and upserted on EMAIL_ADDRESS, organisations without a
key, opportunities for a third stream. The SDK only checks that a run raises, or does not;
each test here then reads the sandbox back and checks that Insightly holds what was sent.

Left out, as Insightly has nothing to hold what they exist to test:

- `camelcase`: a stream `TestCamelcase` with camelCase columns, there to check how a table and
  its columns are named; Insightly's objects and fields are fixed by the instance.
- `camelcase_complex_schema`: the same for a Salesforce object's schema, sent with no records;
  the target creates nothing from a schema, so there is nothing to check.
- `special_chars_in_attributes`: a stream `test:SpecialChars!in?attributes` whose attributes
  are named like `agent:os:version`; no Insightly object or field has such a name.

Two templates the SDK defines but leaves out of its suite run here as well, as they test what
the target must honour: `record_missing_required_property`, expecting the target's own answer
to an invalid record (a dead letter and a failed run), and `multiple_state_messages`, checking
the Singer rule for STATE in place of the SDK's assertion, which compares JSON text with parsed
messages and so can never pass.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from singer_sdk.testing import TargetTestRunner, get_target_test_class
from singer_sdk.testing import target_tests as sdk
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.templates import TargetFileTestTemplate
from typing_extensions import override

from target_insightly.target import TargetInsightly, TooManyFailuresError
from tests.target_run import target_config, writes
from tests.writes_client import custom

if TYPE_CHECKING:
    from insightly_sandbox.server import SandboxServer

INPUTS = Path(__file__).parent / "target_standard"
#: The natural key the inputs give contacts, as their key_properties say.
UPSERT_KEYS = {"contacts": "EMAIL_ADDRESS"}
#: Records per main object in each test's sandbox; the inputs name some of the seeded ids.
SEEDED = 5

Record = dict[str, Any]


class InsightlyInput(TargetFileTestTemplate):
    """A standard test fed its input from `tests/target_standard/`, then checked in the sandbox."""

    @property
    @override
    def singer_filepath(self) -> Path:
        return INPUTS / f"{self.name}.singer"

    @property
    def sandbox(self) -> SandboxServer:
        server: SandboxServer = self.resource
        return server

    def sent(self, stream: str) -> list[Record]:
        """The records the input sends on `stream`, in order."""
        return [
            message["record"]
            for message in self.messages()
            if message["type"] == "RECORD" and message["stream"] == stream
        ]

    def messages(self) -> list[Record]:
        lines = self.singer_filepath.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def get(self, path: str, **params: Any) -> Any:
        response = requests.get(
            self.sandbox.url + path, params=params, auth=("sandbox", ""), timeout=10
        )
        assert response.status_code == 200, response.text
        return response.json()

    def one(self, path: str, field: str, value: Any) -> Record:
        """The one record of `path` whose `field` holds `value`."""
        found = self.get(f"{path}/Search", field_name=field, field_value=value)
        assert len(found) == 1, f"{len(found)} {path} records have {field} {value!r}"
        return dict(found[0])

    def contact(self, record: Record) -> Record:
        """The one contact with the EMAIL_ADDRESS `record` has."""
        return self.one("Contacts", "EMAIL_ADDRESS", record["EMAIL_ADDRESS"])

    def organisation(self, record: Record) -> Record:
        """The one organisation with the ORGANISATION_NAME `record` has."""
        return self.one("Organisations", "ORGANISATION_NAME", record["ORGANISATION_NAME"])

    def assert_nothing_written(self) -> None:
        assert writes(self.sandbox) == []


def tag_names(record: Record) -> list[str]:
    return [tag["TAG_NAME"] for tag in record["TAGS"]]


def insightly_time(rfc3339: str) -> str:
    """A timestamp as Insightly holds it: UTC, `yyyy-MM-dd HH:mm:ss`."""
    moment = dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def occasions(dates: list[Record]) -> list[tuple[str, str]]:
    return [(date["OCCASION_NAME"], date["OCCASION_DATE"]) for date in dates]


def sent_occasions(record: Record) -> list[tuple[str, str]]:
    """The DATES a record sends, as Insightly holds them once written."""
    return [
        (date["OCCASION_NAME"], insightly_time(date["OCCASION_DATE"])) for date in record["DATES"]
    ]


class ArrayData(InsightlyInput, sdk.TargetArrayData):
    """Arrays of strings (a multi-select custom field) and of objects (TAGS) on contacts."""

    @override
    def validate(self) -> None:
        for record in self.sent("contacts"):
            contact = self.contact(record)
            assert custom(contact)["Interests__c"].split(";") == record["Interests__c"]
            assert tag_names(contact) == tag_names(record)


class DuplicateRecords(InsightlyInput, sdk.TargetDuplicateRecords):
    """The same contact sent several times ends as one contact with the last values."""

    @override
    def validate(self) -> None:
        last = {record["EMAIL_ADDRESS"]: record for record in self.sent("contacts")}
        for record in last.values():
            assert custom(self.contact(record))["Number1__c"] == record["Number1__c"]
        assert len(self.get("Contacts")) == SEEDED + len(last)


class EncodedStringData(InsightlyInput, sdk.TargetEncodedStringData):
    """Escapes, non-Latin text and control characters, alone, inside objects, inside arrays."""

    @override
    def validate(self) -> None:
        for record in self.sent("contacts"):
            contact = self.contact(record)
            assert contact["BACKGROUND"] == record["BACKGROUND"]
        for record in self.sent("organisations"):
            organisation = self.organisation(record)
            [entry] = record["CUSTOMFIELDS"]
            assert custom(organisation)[entry["FIELD_NAME"]] == entry["FIELD_VALUE"]
        for record in self.sent("opportunities"):
            opportunity = self.one("Opportunities", "OPPORTUNITY_NAME", record["OPPORTUNITY_NAME"])
            assert tag_names(opportunity) == tag_names(record)


class InvalidSchema(InsightlyInput, sdk.TargetInvalidSchemaTest):
    """A contacts SCHEMA without properties stops the run before any write."""

    @override
    def validate(self) -> None:
        self.assert_nothing_written()


class MultipleStateMessages(InsightlyInput, sdk.TargetMultipleStateMessages):
    """STATE comes out only as received, in order, and the last one received comes out last."""

    @override
    def test(self) -> None:
        self.runner.sync_all()
        received = [message["value"] for message in self.messages() if message["type"] == "STATE"]
        emitted = self.runner.state_messages
        assert emitted
        assert emitted[-1] == received[-1]
        positions = [received.index(state) for state in emitted]
        assert positions == sorted(positions)

    @override
    def validate(self) -> None:
        for record in self.sent("contacts"):
            contact = self.contact(record)
            assert custom(contact)["Number1__c"] == record["Number1__c"]
        for record in self.sent("organisations"):
            organisation = self.organisation(record)
            assert custom(organisation)["Annual_Revenue__c"] == record["Annual_Revenue__c"]


class NoPrimaryKeys(InsightlyInput, sdk.TargetNoPrimaryKeys):
    """Organisations sent without a key are each created."""

    @override
    def validate(self) -> None:
        sent = self.sent("organisations")
        for record in sent:
            organisation = self.organisation(record)
            assert custom(organisation)["Annual_Revenue__c"] == record["Annual_Revenue__c"]
        assert len(self.get("Organisations")) == SEEDED + len(sent)


class OptionalAttributes(InsightlyInput, sdk.TargetOptionalAttributes):
    """A contact sent without its optional TITLE is created without one."""

    @override
    def validate(self) -> None:
        for record in self.sent("contacts"):
            contact = self.contact(record)
            assert contact["TITLE"] == record.get("TITLE")


class PrimaryKeyUpdates(InsightlyInput, sdk.TargetPrimaryKeyUpdates):
    """Contacts keyed first by CONTACT_ID (an update), then by EMAIL_ADDRESS (an upsert)."""

    @override
    def setup(self) -> None:
        # The first record updates a contact the sandbox's seed makes.
        self.get(f"Contacts/{self.sent('contacts')[0]['CONTACT_ID']}")

    @override
    def validate(self) -> None:
        by_id, by_email = self.sent("contacts")
        contact = self.get(f"Contacts/{by_id['CONTACT_ID']}")
        assert (contact["FIRST_NAME"], contact["EMAIL_ADDRESS"]) == (
            by_id["FIRST_NAME"],
            by_id["EMAIL_ADDRESS"],
        )
        assert self.contact(by_email)["FIRST_NAME"] == by_email["FIRST_NAME"]
        assert writes(self.sandbox) == [("PUT", "/v3.1/Contacts"), ("POST", "/v3.1/Contacts")]


class RecordBeforeSchema(InsightlyInput, sdk.TargetRecordBeforeSchemaTest):
    """A contact sent before its SCHEMA stops the run before any write."""

    @override
    def validate(self) -> None:
        self.assert_nothing_written()


class RecordMissingKeyProperty(InsightlyInput, sdk.TargetRecordMissingKeyProperty):
    """A contact without its EMAIL_ADDRESS key stops the run before any write."""

    @override
    def validate(self) -> None:
        self.assert_nothing_written()


class RecordMissingRequiredProperty(InsightlyInput, sdk.TargetRecordMissingRequiredProperty):
    """A contact that breaks its schema is dead-lettered unsent, and the run fails."""

    @override
    def test(self) -> None:
        with pytest.raises(TooManyFailuresError, match="1 records were refused"):
            super().test()

    @override
    def validate(self) -> None:
        self.assert_nothing_written()
        path = Path(self.runner.config["dead_letter_path"])
        [letter] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert letter["record"] == self.sent("contacts")[0]
        assert letter["status"] is None
        assert "EMAIL_ADDRESS" in letter["message"]


class RecordMissingOptionalFields(InsightlyInput, sdk.TargetRecordMissingOptionalFields):
    """An organisation sent without its optional BACKGROUND is created without one."""

    @override
    def validate(self) -> None:
        for record in self.sent("organisations"):
            organisation = self.organisation(record)
            assert organisation["BACKGROUND"] == record.get("BACKGROUND")


class SchemaNoProperties(InsightlyInput, sdk.TargetSchemaNoProperties):
    """DATES entries declared with their properties (contacts) and without (organisations).

    Without declared properties the target has only Insightly's own schema to know that an
    entry's OCCASION_DATE is a timestamp to write in Insightly's form.
    """

    @override
    def validate(self) -> None:
        for stream, path, field in (
            ("contacts", "Contacts", "EMAIL_ADDRESS"),
            ("organisations", "Organisations", "ORGANISATION_NAME"),
        ):
            for record in self.sent(stream):
                written = self.one(path, field, record[field])
                assert occasions(written["DATES"]) == sent_occasions(record)


class SchemaUpdates(InsightlyInput, sdk.TargetSchemaUpdates):
    """Contacts whose SCHEMA gains a boolean, arrays of objects and of strings, an integer."""

    @override
    def setup(self) -> None:
        # The last records link contacts to organisations the sandbox's seed makes.
        for record in self.sent("contacts"):
            if "ORGANISATION_ID" in record:
                self.get(f"Organisations/{record['ORGANISATION_ID']}")

    @override
    def validate(self) -> None:
        sent = self.sent("contacts")
        for record in sent:
            contact = self.contact(record)
            assert contact["FIRST_NAME"] == record["FIRST_NAME"]
            assert custom(contact)["Number1__c"] == record["Number1__c"]
            for field in ("EMAIL_OPTED_OUT", "ORGANISATION_ID"):
                if field in record:
                    assert contact[field] == record[field]
            if "DATES" in record:
                assert occasions(contact["DATES"]) == sent_occasions(record)
            if "Interests__c" in record:
                assert custom(contact)["Interests__c"].split(";") == record["Interests__c"]
        assert len(self.get("Contacts")) == SEEDED + len(sent)


StandardTargetTests = get_target_test_class(
    TargetInsightly,
    include_target_tests=False,
    custom_suites=[
        SingerTestSuite(
            kind="target",
            tests=[
                ArrayData,
                sdk.TargetCliPrintsTest,
                DuplicateRecords,
                EncodedStringData,
                InvalidSchema,
                MultipleStateMessages,
                NoPrimaryKeys,
                OptionalAttributes,
                PrimaryKeyUpdates,
                RecordBeforeSchema,
                RecordMissingKeyProperty,
                RecordMissingRequiredProperty,
                RecordMissingOptionalFields,
                SchemaNoProperties,
                SchemaUpdates,
            ],
        )
    ],
)


# The SDK builds the class at run time, so mypy cannot take it as a base.
class TestTargetInsightly(StandardTargetTests):  # type: ignore[misc, valid-type]
    """Every test gets a sandbox of its own, and its own ledger and dead letters."""

    @pytest.fixture
    def resource(self, start_sandbox):
        return start_sandbox(records=SEEDED)

    @pytest.fixture
    def runner(self, resource, tmp_path):
        config = target_config(resource, tmp_path, upsert_keys=UPSERT_KEYS)
        return TargetTestRunner(TargetInsightly, config=config)
