"""Incremental runs emit exactly what changed since the last one, to the record.

Insightly's `updated_after_utc` is exclusive and to the second, so the moments that matter are
driven on the sandbox's clock: updates that land in the second of the first run's bookmark,
records updated twice within one second, and unchanged records that share the bookmark's second.
Every change goes through the API, as a user's edit in Insightly would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_insightly.bookmarks import LEDGER_KEY
from tap_insightly.values import parse_timestamp
from tests.tap_run import run_tap, sandbox_config
from tests.writes_client import Client, Clock

if TYPE_CHECKING:
    from insightly_sandbox.server import SandboxServer


@dataclass(frozen=True)
class Edited:
    """A stream whose records the test edits: its object path, key field and a text field."""

    stream: str
    path: str
    key: str
    text: str


#: Two standard objects and a custom object, each with a text field any update may change.
EDITED = (
    Edited("contacts", "Contacts", "CONTACT_ID", "FIRST_NAME"),
    Edited("organisations", "Organisations", "ORGANISATION_ID", "ORGANISATION_NAME"),
    Edited("fruit__c", "Fruit__c", "RECORD_ID", "RECORD_NAME"),
)
STREAMS = [edited.stream for edited in EDITED]


def rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def keys(records: list[dict[str, Any]], key: str) -> list[int]:
    return sorted(record[key] for record in records)


def rename(client: Client, edited: Edited, record_id: int, text: str) -> None:
    """Change one text field through the API, as a user's edit would."""
    client.call("PUT", f"/{edited.path}", {edited.key: record_id, edited.text: text}, expect=201)


@pytest.fixture
def sandbox(start_sandbox):
    """A small sandbox of the test's own, its update timestamps driven by the test's clock."""
    return start_sandbox(records=10)


@pytest.fixture
def client(sandbox: SandboxServer) -> Client:
    session = requests.Session()
    session.auth = ("sandbox", "")
    return Client(session, sandbox)


@dataclass
class FirstRun:
    """The sandbox after a first run whose bookmark's second holds two records of each stream.

    Attributes:
        sandbox: the sandbox, its clock still in the bookmark's second.
        clock: the clock that sets every update timestamp.
        ids: record ids by stream, in id order; the first two share the bookmark's second.
        state: the first run's final STATE.
        bookmark_second: the second of every stream's bookmark, as the tap writes it.
    """

    sandbox: SandboxServer
    clock: Clock
    ids: dict[str, list[int]]
    state: dict[str, Any]
    bookmark_second: str


@pytest.fixture
def first_run(sandbox, client) -> FirstRun:
    clock = Clock()
    sandbox.store.clock = clock
    seeded = max(
        parse_timestamp(record["DATE_UPDATED_UTC"])
        for edited in EDITED
        for record in sandbox.store.records(edited.path)
    )
    # Later than every seeded update, so that the two updated here make the bookmark's second,
    # and earlier than the run, so that the run's start does not hold the bookmark down.
    clock.moment = seeded + dt.timedelta(hours=1)
    ids = {edited.stream: list(sandbox.store.tables[edited.path].rows) for edited in EDITED}
    for edited in EDITED:
        rename(client, edited, ids[edited.stream][0], "Kept in the bookmark's second")
        rename(client, edited, ids[edited.stream][1], "Changed in the bookmark's second")

    run = run_tap(sandbox_config(sandbox), streams=STREAMS)

    for edited in EDITED:
        bookmark = run.state["bookmarks"][edited.stream]
        assert bookmark["replication_key_value"] == rfc3339(clock.moment), edited.stream
        assert sorted(bookmark[LEDGER_KEY]["records"]) == sorted(map(str, ids[edited.stream][:2]))
        assert keys(run.records[edited.stream], edited.key) == sorted(ids[edited.stream])
    return FirstRun(sandbox, clock, ids, run.state, rfc3339(clock.moment))


def change_within_the_bookmarks_second(client: Client, first: FirstRun) -> None:
    """A record of the bookmark's second changes, and a record of an earlier second joins it."""
    for edited in EDITED:
        ids = first.ids[edited.stream]
        rename(client, edited, ids[1], "Changed again, same second")
        rename(client, edited, ids[2], "Moved into the bookmark's second")


def searches_since(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """The searches served since the log was last cleared; clears it."""
    url = sandbox.root + "/_sandbox/requests"
    served = requests.get(url, timeout=10).json()
    requests.delete(url, timeout=10).raise_for_status()
    return [entry for entry in served if entry["path"].endswith("/Search")]


def assert_asked_once_each_from(searches: list[dict[str, Any]], moment: str) -> None:
    """One search per stream, from one second before `moment` (the filter is exclusive)."""
    assert sorted(entry["path"] for entry in searches) == sorted(
        f"/v3.1/{edited.path}/Search" for edited in EDITED
    )
    before = rfc3339(parse_timestamp(moment) - dt.timedelta(seconds=1))
    assert {entry["query"]["updated_after_utc"] for entry in searches} == {before}


def test_a_second_run_emits_exactly_the_changed_records_even_within_the_bookmarks_second(
    first_run, client
):
    change_within_the_bookmarks_second(client, first_run)
    first_run.clock.tick(5)
    for edited in EDITED:
        ids = first_run.ids[edited.stream]
        rename(client, edited, ids[3], "First of two in one second")
        rename(client, edited, ids[3], "Second of two in one second")
    twice_second = rfc3339(first_run.clock.moment)
    searches_since(first_run.sandbox)

    second = run_tap(sandbox_config(first_run.sandbox), state=first_run.state, streams=STREAMS)

    # The record kept unchanged in the bookmark's second was read again, and left out.
    assert_asked_once_each_from(searches_since(first_run.sandbox), first_run.bookmark_second)
    for edited in EDITED:
        ids = first_run.ids[edited.stream]
        records = second.records[edited.stream]
        assert keys(records, edited.key) == sorted(ids[1:4]), edited.stream
        by_id = {record[edited.key]: record for record in records}
        assert by_id[ids[1]][edited.text] == "Changed again, same second"
        assert by_id[ids[1]]["DATE_UPDATED_UTC"] == first_run.bookmark_second
        assert by_id[ids[2]]["DATE_UPDATED_UTC"] == first_run.bookmark_second
        assert by_id[ids[3]][edited.text] == "Second of two in one second"
        bookmark = second.state["bookmarks"][edited.stream]
        assert bookmark["replication_key_value"] == twice_second
        assert list(bookmark[LEDGER_KEY]["records"]) == [str(ids[3])]

    third = run_tap(sandbox_config(first_run.sandbox), state=second.state, streams=STREAMS)

    assert {stream: records for stream, records in third.records.items() if records} == {}
    assert third.state["bookmarks"] == second.state["bookmarks"]
    assert_asked_once_each_from(searches_since(first_run.sandbox), twice_second)


def test_changes_only_within_the_bookmarks_second_are_emitted_once(first_run, client):
    change_within_the_bookmarks_second(client, first_run)

    second = run_tap(sandbox_config(first_run.sandbox), state=first_run.state, streams=STREAMS)
    third = run_tap(sandbox_config(first_run.sandbox), state=second.state, streams=STREAMS)

    for edited in EDITED:
        ids = first_run.ids[edited.stream]
        assert keys(second.records[edited.stream], edited.key) == sorted(ids[1:3])
        bookmark = second.state["bookmarks"][edited.stream]
        assert bookmark["replication_key_value"] == first_run.bookmark_second
        # The ledger now knows every record of the second, the unchanged one included.
        assert sorted(bookmark[LEDGER_KEY]["records"]) == sorted(map(str, ids[:3]))
    assert {stream: records for stream, records in third.records.items() if records} == {}
    assert third.state["bookmarks"] == second.state["bookmarks"]


@pytest.mark.parametrize("zone", ["Z", "+02:00"])
def test_start_date_limits_a_first_run_to_records_updated_at_or_after_it(start_sandbox, zone):
    sandbox = start_sandbox(records=30)
    contacts = list(sandbox.store.records("Contacts"))
    updated = sorted({parse_timestamp(record["DATE_UPDATED_UTC"]) for record in contacts})
    start = updated[len(updated) // 2]
    offset = dt.timezone(dt.timedelta(hours=2 if zone != "Z" else 0))
    start_date = start.astimezone(offset).isoformat().replace("+00:00", "Z")
    assert start_date.endswith(zone)

    run = run_tap(sandbox_config(sandbox, start_date=start_date, page_size=4), streams=["contacts"])

    expected = [
        record["CONTACT_ID"]
        for record in contacts
        if parse_timestamp(record["DATE_UPDATED_UTC"]) >= start
    ]
    emitted = run.records["contacts"]
    assert keys(emitted, "CONTACT_ID") == sorted(expected)
    assert len(expected) < len(contacts)
    # Inclusive: the records updated in the very second start_date names are in.
    assert rfc3339(start) in {record["DATE_UPDATED_UTC"] for record in emitted}
    # Every page asks from one second earlier, since Insightly's filter is exclusive.
    searches = searches_since(sandbox)
    assert len(searches) == len(expected) // 4 + 1
    assert {entry["query"]["updated_after_utc"] for entry in searches} == {
        rfc3339(start - dt.timedelta(seconds=1))
    }
