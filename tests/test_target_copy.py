"""A whole instance copied into another: tap-insightly reads A, target-insightly writes empty B.

A holds the seed's records; B is a new account (no records, its own configuration: the same
pipelines, users and categories by name, under other ids, as another seed gives them). The
target runs with `id_mode: translate`, fed the tap's whole output, then the tap reads B back.
Every record of every object the target writes must come back equal to A's in every field the
spec lets a create set, with each reference (ORGANISATION_ID, PIPELINE_ID, a line item's price
book entry, each link) pointing at B's copy of what A's pointed at. Fields Insightly fills in
itself (ids, timestamps, autonumbers, totals, activity dates) and fields the spec gives no body
(a contact's VISIBLE_TO) are not compared.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer
from insightly_sandbox.validation import rules
from tap_insightly.catalogue import BY_PATH, BY_RECORD_NAME, BY_STREAM, LINKS, custom_object
from target_insightly.translate import references_of
from tests.tap_run import run_tap, sandbox_config
from tests.target_run import clear_log, run_target, served, target_config, writes

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tap_insightly.catalogue import InsightlyObject
    from tap_insightly.client import RetryPolicy
    from tests.tap_run import TapRun
    from tests.target_run import TargetRun


Record = dict[str, Any]

#: Nested collections compared as sets, without the ids each instance gives their entries.
_COLLECTIONS = ("TAGS", "DATES", "EMAILDOMAINS")
#: Fields set through a sub-resource rather than the record's body, by that sub-resource.
_PLACED = {"Pipeline": ("PIPELINE_ID", "STAGE_ID"), "Pricebook": ("PRICEBOOK_ID",)}


class Copy:
    """One finished copy: what the tap read from A and B, and what the target did."""

    def __init__(  # noqa: PLR0913 - the parts of one copy
        self,
        *,
        origin: SandboxServer,
        source: TapRun,
        run: TargetRun,
        copied: TapRun,
        destination: SandboxServer,
        config: dict[str, Any],
        folder: Path,
    ) -> None:
        self.origin = origin
        self.source = source
        self.run = run
        self.copied = copied
        self.destination = destination
        self.config = config
        self.dead_letters = folder / "dead-letters.jsonl"
        self.custom_fields: list[Record] = requests.get(
            f"{destination.url}CustomFields/All", auth=(destination.config.api_key, ""), timeout=10
        ).json()
        ledger = json.loads((folder / "ledger.json").read_text())
        self.ledger: dict[str, dict[str, dict[str, Any]]] = ledger["streams"]

    def object_of(self, stream: str) -> InsightlyObject:
        return BY_STREAM.get(stream) or custom_object(stream.capitalize())

    def destination_id(self, path: str, source_id: Any) -> Any:
        """B's id for A's record, as the target's ledger holds it; a marker if it has none."""
        obj = BY_PATH.get(path) or custom_object(path)
        entry = self.ledger.get(obj.stream, {}).get(f"{obj.id_field}={source_id}")
        return entry["id"] if entry else ("not copied", path, source_id)


@contextlib.contextmanager
def copying(
    folder: Path, *, fault_rate: float = 0.0, policy: RetryPolicy | None = None
) -> Iterator[tuple[Copy, Counter[str | None]]]:
    """Copy A into an empty B failing `fault_rate` of requests; the copy and the faults met."""
    source = started(records=3, seed=1)
    destination = started(records=0, seed=2, fault_rate=fault_rate)
    try:
        read = run_tap(sandbox_config(source))
        config = target_config(destination, folder, id_mode="translate")
        run = run_target(config, read.messages, policy=policy)
        faults = Counter(entry.get("fault") for entry in served(destination))
        destination.faults.rate = 0  # read B back as it is
        copied = run_tap(sandbox_config(destination))
        yield (
            Copy(
                origin=source,
                source=read,
                run=run,
                copied=copied,
                destination=destination,
                config=config,
                folder=folder,
            ),
            faults,
        )
    finally:
        source.stop()
        destination.stop()


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Iterator[Copy]:
    with copying(tmp_path_factory.mktemp("copy")) as (done, _):
        yield done


def started(**settings: Any) -> SandboxServer:
    return SandboxServer(SandboxConfig(**settings)).start()


def _creatable(obj: InsightlyObject) -> bool:
    return obj.create or obj.parent is not None or obj.path == "Notes"


def _template(obj: InsightlyObject) -> str:
    """The spec's path of the operation that creates a record of `obj`."""
    if obj.parent is not None:
        return f"/{obj.parent[0]}/{{id}}/{obj.path}"
    if obj.path == "Notes":
        return "/Contacts/{id}/Notes"
    if obj.path in BY_PATH:
        return f"/{obj.path}"
    return "/{objectName}"


def _settable(copy: Copy, obj: InsightlyObject) -> set[str]:
    """The fields a create sets: the spec's body, the sub-resources, editable custom fields."""
    body = rules(_template(obj), "post")
    fields = (set(body.properties) - body.read_only) | set(body.create_only)
    fields.discard(obj.id_field or "")
    for sub_resource, placed in _PLACED.items():
        if sub_resource in obj.sub_resources:
            fields.update(placed)
    custom = {
        str(definition["FIELD_NAME"])
        for definition in copy.custom_fields
        if definition["FIELD_FOR"] == obj.field_for and definition.get("EDITABLE") is not False
    }
    return fields | custom | {LINKS, "TEAMMEMBERS", *_COLLECTIONS}


def _comparable(copy: Copy, stream: str, record: Record, *, from_source: bool) -> Record:
    """A record's settable fields, references as B's ids, collections without entry ids."""
    obj = copy.object_of(stream)
    fields = _settable(copy, obj)
    references = dict(references_of(obj))
    shown: Record = {}
    for name in sorted(fields & record.keys()):
        value = record[name]
        if name in references and value is not None and from_source:
            mapped = copy.destination_id(references[name], value)
            value = str(mapped) if isinstance(value, str) else mapped
        if name == LINKS:
            value = _links(copy, value or [], from_source=from_source)
        elif name == "TEAMMEMBERS" and value is not None:
            users = [member["MEMBER_USER_ID"] for member in value]
            value = sorted(copy.destination_id("Users", u) if from_source else u for u in users)
        elif name in _COLLECTIONS and value is not None:
            value = sorted(
                json.dumps(
                    {k: v for k, v in entry.items() if not k.endswith("_ID")}, sort_keys=True
                )
                for entry in value
            )
        shown[name] = value
    return shown


def _links(copy: Copy, links: list[Record], *, from_source: bool) -> list[tuple[Any, ...]]:
    """Links as (object, B's id, role, details, relationship, direction); none to e-mails."""
    seen = []
    for link in links:
        name = link["LINK_OBJECT_NAME"]
        if name == "Email":  # e-mails cannot be created through the API; they stay behind
            continue
        other, relationship = link["LINK_OBJECT_ID"], link.get("RELATIONSHIP_ID")
        if from_source:
            path = BY_RECORD_NAME[name].path if name in BY_RECORD_NAME else name
            other = copy.destination_id(path, other)
            if relationship is not None:
                relationship = copy.destination_id("Relationships", relationship)
        seen.append(
            (name, other, link.get("ROLE"), link.get("DETAILS"), relationship, link["IS_FORWARD"])
        )
    return sorted(seen, key=str)


def copied_streams(copy: Copy) -> list[str]:
    return sorted(
        stream
        for stream in copy.run.target.writable
        if copy.source.records.get(stream) and _creatable(copy.object_of(stream))
    )


def compared(copy: Copy) -> list[tuple[str, str, Any, Any]]:
    """Every field of a copied record that differs from its source: (stream, field, A, B)."""
    differences: list[tuple[str, str, Any, Any]] = []
    for stream in copied_streams(copy):
        obj = copy.object_of(stream)
        id_field = str(obj.id_field)
        copied = {record[id_field]: record for record in copy.copied.records[stream]}
        for record in copy.source.records[stream]:
            target_id = copy.destination_id(obj.path, record[id_field])
            if target_id not in copied:
                differences.append((stream, id_field, record[id_field], "not copied"))
                continue
            expected = _comparable(copy, stream, record, from_source=True)
            actual = _comparable(copy, stream, copied[target_id], from_source=False)
            differences += [
                (stream, name, expected.get(name), actual.get(name))
                for name in sorted(expected.keys() | actual.keys())
                if expected.get(name) != actual.get(name)
            ]
    return differences


def test_every_record_comes_back_equal_with_references_translated(copy):
    streams = copied_streams(copy)
    assert {"contacts", "opportunity_line_items", "pricebook_entries", "notes", "fruit__c"} <= set(
        streams
    )
    differences = compared(copy)
    assert not differences, "\n".join(map(repr, differences))


def test_each_record_is_copied_once_and_configuration_is_matched_not_duplicated(copy):
    for stream in copied_streams(copy):
        if copy.object_of(stream).natural_key:
            continue  # configuration B already had: matched, so counted with it below
        assert len(copy.copied.records[stream]) == len(copy.source.records[stream]), stream

    # Pipelines, stages, users and categories: B keeps its own, one per name, now A's too.
    for stream, records in sorted(copy.source.records.items()):
        obj = BY_STREAM.get(stream)
        if obj is None or not obj.natural_key or stream not in copy.run.target.writable:
            continue
        names = Counter(tuple(r[k] for k in obj.natural_key) for r in copy.copied.records[stream])
        assert max(names.values()) == 1, f"{stream} has a name twice: {names}"
        for record in records:
            mapped = copy.destination_id(obj.path, record[obj.key[0]])
            assert mapped in {r[obj.key[0]] for r in copy.copied.records[stream]}, (stream, record)


def test_the_counts_add_up_and_only_links_to_emails_are_set_aside(copy):
    for stream, records in copy.source.records.items():
        counts = copy.run.counts(stream)
        assert sum(counts.values()) == len(records), stream
        assert counts["failed"] == 0, stream

    letters = [json.loads(line) for line in copy.dead_letters.read_text().splitlines()]
    assert letters
    assert {letter["stream"] for letter in letters} == {"links"}
    assert all(letter["record"]["LINK_OBJECT_NAME"] == "Email" for letter in letters)
    assert all("cannot write Email records" in letter["message"] for letter in letters)


def test_state_goes_out_once_every_record_is_written(copy):
    states = [json.loads(line) for line in copy.run.stdout.splitlines()]
    assert states == [copy.source.state]


def test_a_second_copy_writes_nothing_and_an_incremental_one_only_what_changed(copy):
    clear_log(copy.destination)

    again = run_target(copy.config, copy.source.messages)

    assert writes(copy.destination) == []
    for stream, records in copy.source.records.items():
        counts = again.counts(stream)
        assert counts["created"] == counts["updated"] == counts["failed"] == 0, stream
        assert sum(counts.values()) == len(records), stream

    contact = copy.source.records["contacts"][0]
    changed = {"CONTACT_ID": contact["CONTACT_ID"], "FIRST_NAME": "Renamed"}
    requests.put(
        f"{copy.origin.url}Contacts",
        json=changed,
        auth=(copy.origin.config.api_key, ""),
        timeout=10,
    ).raise_for_status()
    later = run_tap(sandbox_config(copy.origin), state=copy.source.state)

    run_target(copy.config, later.messages)

    assert writes(copy.destination) == [("PUT", "/v3.1/Contacts")]
    target_id = copy.destination_id("Contacts", contact["CONTACT_ID"])
    assert copy.destination.store.tables["Contacts"].rows[target_id]["FIRST_NAME"] == "Renamed"
