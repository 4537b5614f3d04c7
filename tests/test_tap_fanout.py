"""The streams read one request per parent record, against a sandbox over a real socket.

What each must hold is taken from the sandbox's store: the collections it keeps under each
record (`store.children`) and its e-mails. What each may cost is one request (a page) per
parent record read in the run, and nothing for a parent that did not change.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.catalogue import BY_PATH, BY_STREAM, OBJECTS, SUB_RESOURCES
from tap_insightly.fanout import (
    EMAIL_BODIES,
    FAN_OUT_STREAMS,
    PARENT,
    PARENT_IDS,
    FanOutStream,
)
from tap_insightly.tap import TapInsightly
from tests.tap_run import run_tap, sandbox_config

if TYPE_CHECKING:
    from insightly_sandbox.store import Store

#: The object streams the fan-out streams read under, custom objects included.
PARENTS = (
    "contacts",
    "organisations",
    "leads",
    "opportunities",
    "projects",
    "tasks",
    "notes",
    "emails",
    "tickets",
    "fruit__c",
    "shipment__c",
)

#: A request under one record: `/v3.1/{Object}/{id}/{Sub}`, or `/v3.1/Emails/{id}`.
PER_RECORD = re.compile(r"^/v3\.1/(?P<object>\w+)/(?P<id>\d+)(?:/(?P<sub>\w+))?$")

#: How Insightly writes a moment in records.
INSIGHTLY_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def sandbox():
    """Six records per object: the fewest that put comments under tasks and e-mails."""
    with SandboxServer(SandboxConfig(records=6)) as server:
        yield server


def served(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """The requests served since the log was last cleared; clears it."""
    url = sandbox.root + "/_sandbox/requests"
    entries: list[dict[str, Any]] = requests.get(url, timeout=10).json()
    requests.delete(url, timeout=10).raise_for_status()
    return entries


def per_record(log: list[dict[str, Any]]) -> Counter[str]:
    """How many times each path under one record was asked for."""
    return Counter(entry["path"] for entry in log if PER_RECORD.match(entry["path"]))


def as_emitted(item: dict[str, Any], **labels: Any) -> dict[str, Any]:
    """A stored record as the tap emits it: timestamps in RFC 3339, labels added."""
    emitted = {
        name: value.replace(" ", "T") + "Z"
        if isinstance(value, str) and INSIGHTLY_TIMESTAMP.match(value)
        else value
        for name, value in item.items()
    }
    return {**emitted, **labels}


def record_names(store: Store) -> dict[str, str]:
    """The singular name of each object path of the store, custom objects included."""
    names = {obj.path: obj.record_name for obj in BY_PATH.values() if obj.record_name}
    names.update({entry["OBJECT_NAME"]: entry["OBJECT_NAME"] for entry in store.custom_objects})
    return names


def expected_records(store: Store) -> dict[str, dict[Any, dict[str, Any]]]:
    """What each fan-out stream must emit for a run that visits every parent, by key."""
    names = record_names(store)
    expected: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in FAN_OUT_STREAMS}
    for (path, key, name), items in store.children.items():
        for item in items:
            # Files attached to comments are kept under ("Comments", id): no stream reads them.
            if name == "FileAttachments" and path in names:
                labelled = as_emitted(item, OBJECT_NAME=names[path], OBJECT_ID=key)
                expected["file_attachments"][item["FILE_ID"]] = labelled
            elif name == "Comments" and path == "Ticket":
                expected["ticket_comments"][item["TICKET_COMMENT_ID"]] = as_emitted(item)
            elif name == "Comments":
                labelled = as_emitted(item, OBJECT_NAME=names[path], OBJECT_ID=key)
                expected["comments"][item["COMMENT_ID"]] = labelled
            elif name == "StateHistory":
                emitted = as_emitted(item)
                expected["opportunity_state_history"][key, emitted["DATE_CHANGED_UTC"]] = emitted
    for email_id, email in store.tables["Emails"].rows.items():
        expected[EMAIL_BODIES][email_id] = as_emitted(email)
    return expected


def by_key(stream: str, records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    keys = list(BY_STREAM["emails"].key if stream == EMAIL_BODIES else sub_key(stream))
    found = {tuple(record[name] for name in keys): record for record in records}
    assert len(found) == len(records), f"{stream} emitted a record twice"
    return {key[0] if len(key) == 1 else key: record for key, record in found.items()}


def sub_key(stream: str) -> tuple[str, ...]:
    (sub,) = [sub for sub in SUB_RESOURCES if sub.stream == stream]
    return sub.key


def expected_visits(store: Store) -> Counter[str]:
    """One request per parent record and fan-out stream, at the default page size."""
    visits: Counter[str] = Counter()
    custom = [entry["OBJECT_NAME"] for entry in store.custom_objects]
    for sub in ("FileAttachments", "Comments", "StateHistory"):
        paths = [obj.path for obj in OBJECTS if sub in obj.sub_resources]
        if sub == "FileAttachments":
            paths += custom
        for path in paths:
            for key in store.tables[path].rows:
                visits[f"/v3.1/{path}/{key}/{sub}"] += 1
    for key in store.tables["Emails"].rows:
        visits[f"/v3.1/Emails/{key}"] += 1
    return visits


def test_fan_out_streams_are_discovered_unselected_with_their_keys(sandbox):
    catalog = TapInsightly(config=sandbox_config(sandbox)).catalog_dict

    roots = {
        entry["stream"]: next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        for entry in catalog["streams"]
    }
    for name in FAN_OUT_STREAMS:
        assert roots[name]["selected-by-default"] is False, name
        assert roots[name]["selected"] is False, name
    assert roots["opportunities"]["selected"] is True
    keys = {name: list(root["table-key-properties"]) for name, root in roots.items()}
    assert keys["file_attachments"] == ["FILE_ID"]
    assert keys["comments"] == ["COMMENT_ID"]
    assert keys["ticket_comments"] == ["TICKET_COMMENT_ID"]
    assert keys["opportunity_state_history"] == ["OPPORTUNITY_ID", "DATE_CHANGED_UTC"]
    assert keys[EMAIL_BODIES] == ["EMAIL_ID"]


def test_each_parent_is_visited_once_then_only_when_it_changed(sandbox):
    config = sandbox_config(sandbox)
    streams = [*FAN_OUT_STREAMS, *PARENTS]
    served(sandbox)

    first = run_tap(config, streams=streams)

    assert per_record(served(sandbox)) == expected_visits(sandbox.store)
    expected = expected_records(sandbox.store)
    for name in FAN_OUT_STREAMS:
        assert expected[name], f"the sandbox holds no {name}: the test proves nothing"
        assert by_key(name, first.records[name]) == expected[name], name

    second = run_tap(config, state=first.state, streams=streams)

    assert per_record(served(sandbox)) == Counter()
    assert [name for name in FAN_OUT_STREAMS if second.records[name]] == []

    # One with a history, so that the third run has something to emit.
    opportunity = next(key for (_, key, name) in sandbox.store.children if name == "StateHistory")
    change = {"OPPORTUNITY_ID": opportunity, "OPPORTUNITY_NAME": "Renewal, renamed"}
    answer = requests.put(
        sandbox.url + "Opportunities", json=change, auth=("sandbox", ""), timeout=10
    )
    answer.raise_for_status()
    served(sandbox)

    third = run_tap(config, state=second.state, streams=streams)

    assert per_record(served(sandbox)) == Counter(
        {
            f"/v3.1/Opportunities/{opportunity}/StateHistory": 1,
            f"/v3.1/Opportunities/{opportunity}/FileAttachments": 1,
        }
    )
    history = expected["opportunity_state_history"]
    assert third.records["opportunity_state_history"] == [
        record for (key, _), record in history.items() if key == opportunity
    ]
    assert [record["OPPORTUNITY_ID"] for record in third.records["opportunities"]] == [opportunity]


def test_an_unselected_parent_is_read_for_its_fan_out_stream_without_emitting(sandbox, caplog):
    served(sandbox)

    with caplog.at_level(logging.WARNING):
        run = run_tap(sandbox_config(sandbox), streams=["opportunity_state_history"])

    log = served(sandbox)
    opportunities = sandbox.store.tables["Opportunities"].rows
    assert set(run.records) == {"opportunity_state_history"}
    assert {record["OPPORTUNITY_ID"] for record in run.records["opportunity_state_history"]} == {
        key for (path, key, name) in sandbox.store.children if name == "StateHistory"
    }
    assert per_record(log) == Counter(
        f"/v3.1/Opportunities/{key}/StateHistory" for key in opportunities
    )
    assert [entry["path"] for entry in log if entry["path"].endswith("/Search")] == [
        "/v3.1/Opportunities/Search"
    ]
    warnings = [record.getMessage() for record in caplog.records]
    assert any("opportunities is not selected" in message for message in warnings)


def test_pages_under_one_parent_follow_one_another(sandbox):
    page_size = 1
    served(sandbox)

    run = run_tap(sandbox_config(sandbox, page_size=page_size), streams=["ticket_comments"])

    pages: dict[str, list[str]] = {}
    for entry in served(sandbox):
        if entry["path"].endswith("/Comments"):
            pages.setdefault(entry["path"], []).append(entry["query"]["skip"])
    conversations = {
        key: items
        for (path, key, name), items in sandbox.store.children.items()
        if (path, name) == ("Ticket", "Comments")
    }
    for key in sandbox.store.tables["Ticket"].rows:
        count = len(conversations.get(key, ()))
        assert pages[f"/v3.1/Ticket/{key}/Comments"] == [str(skip) for skip in range(count + 1)]
    assert len(run.records["ticket_comments"]) == sum(map(len, conversations.values()))


def test_parents_the_plan_refuses_leave_their_fan_out_streams_empty(start_sandbox):
    basic = start_sandbox(plan="basic", records=3)

    run = run_tap(sandbox_config(basic), streams=["ticket_comments", "opportunity_state_history"])

    assert run.records["ticket_comments"] == []
    assert run.records["opportunity_state_history"]
    assert run.state["bookmarks"]["ticket_comments"] == {}


def test_a_parent_gone_since_it_was_read_is_skipped(sandbox, caplog):
    tap = TapInsightly(config=sandbox_config(sandbox))
    notes = list(sandbox.store.tables["Notes"].rows)
    gone = max(notes) + 1_000
    stream = tap.streams["comments"]
    assert isinstance(stream, FanOutStream)
    stream.selected = True
    served(sandbox)

    out = io.StringIO()
    with contextlib.redirect_stdout(out), caplog.at_level(logging.WARNING):
        stream.sync({PARENT: "notes", PARENT_IDS: [gone, notes[0]]})
        stream.log_sync_costs()

    assert per_record(served(sandbox)) == Counter(
        {f"/v3.1/Notes/{gone}/Comments": 1, f"/v3.1/Notes/{notes[0]}/Comments": 1}
    )
    assert stream.unreachable["notes"] == 1
    assert any("answered 403 or 404" in record.getMessage() for record in caplog.records)
