"""How a run ends when Insightly says no: a plan without a feature, a spent quota, a wrong key.

The quota and key tests run `python -m tap_insightly` as a pipeline would, so that what is
checked is the exit status, stderr and the Singer messages on stdout.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import requests

from tap_insightly.catalogue import OBJECTS
from tap_insightly.streams import TAGGED_OBJECTS
from tests.tap_run import run_tap, sandbox_config, selected_catalog

if TYPE_CHECKING:
    from pathlib import Path

    from insightly_sandbox.server import SandboxServer

#: What a plan without products and quotes answers 404 for, and one without service 403 for.
REFUSED = {
    404: {
        "products",
        "pricebooks",
        "pricebook_entries",
        "opportunity_line_items",
        "quotations",
        "quotation_line_items",
    },
    403: {
        "tickets",
        "prospects",
        "knowledge_articles",
        "knowledge_article_categories",
        "knowledge_article_folders",
        "community_forums",
        "community_posts",
        "community_comments",
        "forum_categories",
        "marketing_visits",
    },
}

#: Streams the SDK syncs in name order; the quota runs out after the first two.
QUOTA_STREAMS = {
    "contacts": ("Contacts", "CONTACT_ID"),
    "fruit__c": ("Fruit__c", "RECORD_ID"),
    "leads": ("Leads", "LEAD_ID"),
    "organisations": ("Organisations", "ORGANISATION_ID"),
    "pipelines": ("Pipelines", "PIPELINE_ID"),
}
COMPLETED = {"contacts", "fruit__c"}

#: How long a run of the tap as a process may take before the test gives up on it.
PROCESS_TIMEOUT = 120


def run_process(tmp_path: Path, config: dict[str, Any], catalog: dict[str, Any] | None = None):
    """Run `python -m tap_insightly` with a config (and catalog) file; answer the process."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_insightly", "--config", str(config_file)]
    if catalog is not None:
        catalog_file = tmp_path / "catalog.json"
        catalog_file.write_text(json.dumps(catalog))
        command += ["--catalog", str(catalog_file)]
    return subprocess.run(  # noqa: S603 - this interpreter, running the tap under test
        command, capture_output=True, text=True, timeout=PROCESS_TIMEOUT, check=False
    )


def emitted(records: dict[str, list[dict[str, Any]]], stream: str) -> list[Any]:
    key = QUOTA_STREAMS[stream][1]
    return sorted(record[key] for record in records.get(stream, []))


def held(sandbox: SandboxServer, stream: str) -> list[Any]:
    return sorted(sandbox.store.tables[QUOTA_STREAMS[stream][0]].rows)


def test_a_plan_without_a_feature_skips_its_streams_with_one_warning_each(start_sandbox, caplog):
    sandbox = start_sandbox(records=10, plan="basic")
    gated = {obj.stream: obj for obj in OBJECTS if obj.plan is not None}
    assert set(gated) == REFUSED[404] | REFUSED[403]

    with caplog.at_level(logging.WARNING):
        run = run_tap(sandbox_config(sandbox))

    # Every warning of the tap's own loggers (the streams' and the client's) counts.
    warnings = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.split(".")[0] in {"tap-insightly", "tap_insightly"}
    ]
    assert Counter(record.name.removeprefix("tap-insightly.") for record in warnings) == Counter(
        set(gated)
    )
    for record in warnings:
        obj = gated[record.name.removeprefix("tap-insightly.")]
        assert obj.plan is not None
        message = record.getMessage()
        assert f"plan lacks {obj.plan.feature}" in message
        assert f"HTTP {obj.plan.status}" in message
        assert "deselect this stream" in message
    for status, streams in REFUSED.items():
        for stream in streams:
            assert run.records[stream] == [], stream
            assert "replication_key_value" not in run.state["bookmarks"].get(stream, {}), stream
            plan = gated[stream].plan
            assert plan is not None
            assert plan.status == status
    others = {obj.stream for obj in OBJECTS if obj.plan is None} | {"links"}
    others |= {entry["OBJECT_NAME"].lower() for entry in sandbox.store.custom_objects}
    assert {message["stream"] for message in run.messages if message["type"] == "SCHEMA"} >= (
        others | set(gated)
    )
    assert {stream for stream in others if not run.records[stream]} == set()
    refusals = [
        entry
        for entry in requests.get(sandbox.root + "/_sandbox/requests", timeout=10).json()
        if entry["status"] != 200
    ]
    # One refused request per gated stream, and one per gated object's tags: nothing retried.
    assert len(refusals) == len(gated) + sum(1 for obj in TAGGED_OBJECTS if obj.plan)
    assert {entry["status"] for entry in refusals} == {403, 404}


def test_a_spent_quota_stops_with_the_completed_streams_bookmarked_and_the_next_run_resumes(
    start_sandbox, tmp_path
):
    # Discovery's two requests, then one page each for the first two streams.
    limited = start_sandbox(records=10, daily_limit=4)
    # The quota never resets on its own; a sandbox of the same seed holds the same data.
    renewed = start_sandbox(records=10)
    catalog = selected_catalog(sandbox_config(renewed), QUOTA_STREAMS)

    stopped = run_process(tmp_path, sandbox_config(limited), catalog)

    assert stopped.returncode != 0
    assert "daily request quota" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    messages = [json.loads(line) for line in stopped.stdout.splitlines() if line]
    state = [message["value"] for message in messages if message["type"] == "STATE"][-1]
    first: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        if message["type"] == "RECORD":
            first.setdefault(message["stream"], []).append(message["record"])
    assert {
        stream
        for stream, bookmark in state["bookmarks"].items()
        if "replication_key_value" in bookmark
    } == set(COMPLETED)
    assert set(first) == set(COMPLETED)
    for stream in COMPLETED:
        assert emitted(first, stream) == held(limited, stream), stream

    resumed = run_tap(sandbox_config(renewed), state=state, streams=QUOTA_STREAMS)

    for stream in QUOTA_STREAMS:
        if stream in COMPLETED:
            assert resumed.records[stream] == [], stream
            assert resumed.state["bookmarks"][stream] == state["bookmarks"][stream]
        else:
            assert emitted(resumed.records, stream) == held(renewed, stream), stream


def test_a_wrong_key_stops_naming_api_key_and_pod_without_the_key(start_sandbox, tmp_path):
    sandbox = start_sandbox()
    wrong_key = "wrong-key-7f3a9c"

    refused = run_process(tmp_path, sandbox_config(sandbox, api_key=wrong_key))

    assert refused.returncode != 0
    assert "HTTP 401" in refused.stderr
    assert "api_key" in refused.stderr
    assert "pod" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert wrong_key not in refused.stderr + refused.stdout
    assert [line for line in refused.stdout.splitlines() if '"RECORD"' in line] == []
