"""What the Meltano pipeline tests share: the streams they load, the edits between two runs.

Each destination test reads its tables back as `Table`s (rows by key, column types by name) and
checks them against the sandbox the tap read, with the functions here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests

from insightly_sandbox.store import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Callable

    from insightly_sandbox.server import SandboxServer


@dataclass(frozen=True)
class Stream:
    """A stream the pipeline tests select: its object, key, and the text field edits change.

    Attributes:
        name: the stream, and so the table.
        path: the Insightly object it reads.
        key: the id field.
        text: a text field an update changes between the two runs; None for a full-table
            stream, which is read whole every run.
    """

    name: str
    path: str
    key: str
    text: str | None


#: Standard objects with custom fields, a custom object, and a full-table reference object.
STREAMS = (
    Stream("contacts", "Contacts", "CONTACT_ID", "FIRST_NAME"),
    Stream("organisations", "Organisations", "ORGANISATION_ID", "ORGANISATION_NAME"),
    Stream("fruit__c", "Fruit__c", "RECORD_ID", "RECORD_NAME"),
    Stream("pipelines", "Pipelines", "PIPELINE_ID", None),
)
INCREMENTAL = tuple(stream for stream in STREAMS if stream.text is not None)

#: Objects whose custom fields the tests check as typed columns.
CUSTOM_FIELD_OBJECTS = {"contacts": "Contacts", "fruit__c": "Fruit__c"}

#: Records per object in the sandboxes of these tests: enough for paging to be real, cheap.
RECORDS = 20


@dataclass
class Table:
    """One loaded table as read back: its rows by key, how many rows, each column's type.

    Attributes:
        rows: every row by its key's value, the column names as in `types`.
        count: the number of rows, duplicates included.
        types: each column's type as the database names it.
    """

    rows: dict[int, dict[str, Any]]
    count: int
    types: dict[str, str] = field(default_factory=dict)


def tap_settings(sandbox: SandboxServer) -> dict[str, str]:
    """The environment that points tap-insightly at `sandbox` and selects `STREAMS`.

    The pace is the `dev` environment's, Insightly's maximum: Meltano 4.4 cannot pass a decimal
    setting from an environment variable (it writes the plugin's config with a Decimal in it).
    """
    return {
        "TAP_INSIGHTLY_API_URL": sandbox.url,
        "TAP_INSIGHTLY_API_KEY": sandbox.config.api_key,
        "TAP_INSIGHTLY__SELECT": json.dumps([f"{stream.name}.*" for stream in STREAMS]),
    }


def sandbox_ids(sandbox: SandboxServer, stream: Stream) -> set[int]:
    """The ids of every record of the stream's object in the sandbox."""
    return {record[stream.key] for record in sandbox.store.records(stream.path)}


@dataclass
class Edits:
    """What changed in the sandbox between two runs, through its API.

    Attributes:
        renamed: the new text of each updated record, by stream and id.
        created: the id of the record created, by stream.
    """

    renamed: dict[str, dict[int, str]] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def changed(self, stream: Stream) -> set[int]:
        """The ids of the stream's records the edits touched."""
        touched = set(self.renamed.get(stream.name, {}))
        if stream.name in self.created:
            touched.add(self.created[stream.name])
        return touched


def edit(sandbox: SandboxServer) -> Edits:
    """Rename two contacts and a fruit and create an organisation, as a user's edits would."""
    session = requests.Session()
    session.auth = (sandbox.config.api_key, "")
    edits = Edits()

    def call(method: str, stream: Stream, body: dict[str, Any]) -> dict[str, Any]:
        answer = session.request(method, sandbox.url + stream.path, json=body, timeout=10)
        assert answer.status_code == 201, f"{method} /{stream.path}: {answer.text}"
        record: dict[str, Any] = answer.json()
        return record

    contacts, organisations, fruit, _ = STREAMS
    for stream, count in ((contacts, 2), (fruit, 1)):
        assert stream.text is not None
        ids = sorted(sandbox_ids(sandbox, stream))[:count]
        edits.renamed[stream.name] = {}
        for record_id in ids:
            text = f"Renamed between runs {record_id}"
            call("PUT", stream, {stream.key: record_id, stream.text: text})
            edits.renamed[stream.name][record_id] = text
    created = call("POST", organisations, {"ORGANISATION_NAME": "Created between runs"})
    edits.created[organisations.name] = created[organisations.key]
    return edits


def changed_rows(before: Table, after: Table) -> set[int]:
    """The keys of rows that are new, gone, or differ in any column, metadata included."""
    keys = set(before.rows) | set(after.rows)
    return {key for key in keys if before.rows.get(key) != after.rows.get(key)}


def utc(value: object) -> dt.datetime | None:
    """A loaded timestamp as an aware UTC moment; a naive one is taken to be UTC."""
    if value is None:
        return None
    assert isinstance(value, dt.datetime), f"{value!r} is not a timestamp"
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def typed(field_type: str, value: Any) -> Any:
    """A seeded custom field value as the tap types it: what a typed column must hold."""
    if value is None:
        return None
    if field_type == "MULTISELECT":
        return [part.strip() for part in value.split(";") if part.strip()]
    if field_type in {"DATE", "DATETIME"}:
        return parse_timestamp(value)
    if field_type in {"NUMERIC", "PERCENT"}:
        return Decimal(str(value))
    return value


def loaded(value: Any) -> Any:
    """A loaded value in the form `typed` gives: numbers exact, timestamps aware UTC."""
    if isinstance(value, dt.datetime):
        return utc(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def custom_field_values(sandbox: SandboxServer, path: str) -> dict[int, dict[str, Any]]:
    """Each record's custom field values, typed, by record id."""
    key = {"Contacts": "CONTACT_ID", "Fruit__c": "RECORD_ID"}[path]
    definitions = sandbox.store.custom_fields[path]
    types = {entry["FIELD_NAME"]: entry["FIELD_TYPE"] for entry in definitions}
    return {
        record[key]: {
            entry["FIELD_NAME"]: typed(types[entry["FIELD_NAME"]], entry["FIELD_VALUE"])
            for entry in record["CUSTOMFIELDS"]
        }
        for record in sandbox.store.records(path)
    }


def check_every_stream_loaded(sandbox: SandboxServer, first: dict[str, Table]) -> None:
    """Each selected stream is a table holding every record of the sandbox, once."""
    assert set(first) == {stream.name for stream in STREAMS}
    for stream in STREAMS:
        table = first[stream.name]
        assert set(table.rows) == sandbox_ids(sandbox, stream), stream.name
        assert table.count == len(table.rows), f"{stream.name} has duplicate keys"


def check_second_run(
    sandbox: SandboxServer,
    first: dict[str, Table],
    second: tuple[dict[str, Table], Edits],
    column: Callable[[str], str] = str,
) -> None:
    """The second run changed exactly the rows edited through the API, and added none twice.

    `column` names a field as the destination names its column (DuckDB's are lower case).
    """
    after, edits = second
    for stream in INCREMENTAL:
        assert stream.text is not None
        assert changed_rows(first[stream.name], after[stream.name]) == edits.changed(stream), (
            stream.name
        )
        for record_id, text in edits.renamed.get(stream.name, {}).items():
            assert after[stream.name].rows[record_id][column(stream.text)] == text
    # A full-table stream is read whole every run: its rows are written again, not added.
    for stream in STREAMS:
        assert set(after[stream.name].rows) == sandbox_ids(sandbox, stream)
    for name, table in after.items():
        assert table.count == len(table.rows), f"{name} has duplicate keys"
