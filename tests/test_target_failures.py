"""How the target handles what it cannot write: dead letters, counts, exit status, stops."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tap_insightly.client import RetryPolicy
from target_insightly.target import TooManyFailuresError, UnknownStreamError
from tests.target_run import messages, run_target, served, target_config, writes

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "k3y-that-must-never-show"  # noqa: S105 - a made-up key the sandbox accepts

GOOD = [{"FIRST_NAME": f"Good{n}", "LAST_NAME": "Record"} for n in range(3)]
MISSING_NAME = {"LAST_NAME": "No first name"}
WRONG_TYPE = {"FIRST_NAME": 5, "LAST_NAME": "Typed wrong"}


def bad_batch() -> list[dict[str, Any]]:
    # The record limit of 2 refuses the third good record with 402.
    return [GOOD[0], MISSING_NAME, WRONG_TYPE, GOOD[1], GOOD[2]]


def dead_letters(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "dead-letters.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_refused_records_are_dead_lettered_and_the_run_fails(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, record_limit=2)

    with pytest.raises(TooManyFailuresError, match="3 records were refused"):
        run_target(target_config(sandbox, tmp_path), messages("contacts", bad_batch()))

    letters = dead_letters(tmp_path)
    assert [(letter["stream"], letter["status"]) for letter in letters] == [
        ("contacts", 400),
        ("contacts", None),
        ("contacts", 402),
    ]
    assert "FIRST_NAME is required" in letters[0]["message"]
    assert "does not match its schema" in letters[1]["message"]
    assert "Record limit reached" in letters[2]["message"]
    assert letters[2]["record"] == GOOD[2]
    # The wrong type never reached Insightly; the missing name and the third create did.
    assert writes(sandbox) == [("POST", "/v3.1/Contacts")] * 4


def test_max_failures_lets_a_run_with_refusals_succeed(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, record_limit=2)
    config = target_config(sandbox, tmp_path, max_failures=3)

    run = run_target(config, messages("contacts", bad_batch()))

    assert run.counts("contacts") == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 3,
    }
    assert sum(run.counts("contacts").values()) == len(bad_batch())


def test_an_unknown_stream_names_the_streams_the_target_writes(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0)
    lines = [{"type": "SCHEMA", "stream": "pokemon", "schema": {"properties": {}}}]

    with pytest.raises(UnknownStreamError) as raised:
        run_target(target_config(sandbox, tmp_path), lines)

    message = str(raised.value)
    assert "'pokemon'" in message
    for known in ("contacts", "organisations", "opportunities", "fruit__c"):
        assert known in message


def test_state_passes_through_unchanged(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0)
    state = {"bookmarks": {"contacts": {"replication_key_value": "2025-01-01T00:00:00Z"}}}
    lines = [*messages("contacts", GOOD[:1]), {"type": "STATE", "value": state}]

    run = run_target(target_config(sandbox, tmp_path), lines)

    emitted = [json.loads(line) for line in run.stdout.splitlines()]
    assert emitted[-1] == state
    assert (tmp_path / "ledger.json").exists() is False  # a plain POST has no key to remember


def test_the_command_exits_non_zero_and_never_shows_the_key(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, record_limit=2, api_key=SECRET)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(target_config(sandbox, tmp_path)))
    state: dict[str, Any] = {"bookmarks": {"contacts": {}}}
    lines = [*messages("contacts", bad_batch()), {"type": "STATE", "value": state}]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)

    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "target_insightly", "--config", str(config)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert "3 records were refused" in done.stderr
    assert "contacts: 2 created, 0 updated, 0 unchanged, 0 skipped, 3 failed" in done.stderr
    assert "Traceback" not in done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [state]
    for output in (done.stdout, done.stderr, (tmp_path / "dead-letters.jsonl").read_text()):
        assert SECRET not in output


def test_a_refused_key_stops_the_command_with_the_remedy(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(target_config(sandbox, tmp_path, api_key="wrong")))
    stdin = "".join(json.dumps(line) + "\n" for line in messages("contacts", GOOD[:1]))

    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "target_insightly", "--config", str(config)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert "check api_key" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_create_whose_answer_was_lost_is_found_not_made_twice(start_sandbox, tmp_path):
    # A truncated answer comes after the contact was stored; a 500 or a drop before.
    sandbox = start_sandbox(
        records=0, fault_rate=0.4, fault_kinds=("truncate", "drop", "500"), seed=3
    )
    people = [{"FIRST_NAME": f"Lost{n}", "LAST_NAME": "Answer"} for n in range(8)]
    quick = RetryPolicy(max_retries=8, backoff_base=0.001, backoff_max=0.01)

    run = run_target(target_config(sandbox, tmp_path), messages("contacts", people), policy=quick)

    stored = Counter(row["FIRST_NAME"] for row in sandbox.store.tables["Contacts"].rows.values())
    assert stored == Counter(person["FIRST_NAME"] for person in people)
    assert run.counts("contacts")["created"] == len(people)
    log = served(sandbox)
    lost_posts = [e for e in log if e["method"] == "POST" and e.get("fault") == "truncate"]
    lookups = [
        e for e in log if e["path"] == "/v3.1/Contacts/Search" and "updated_after_utc" in e["query"]
    ]
    assert lost_posts
    assert lookups
