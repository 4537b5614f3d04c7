"""Run the target in this process against a sandbox, feeding it Singer messages."""

from __future__ import annotations

import contextlib
import io
import json
from typing import TYPE_CHECKING, Any

import requests

from tap_insightly.schema_loader import load_schema
from target_insightly.target import TargetInsightly

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from insightly_sandbox.server import SandboxServer
    from tap_insightly.client import RetryPolicy

#: Custom fields the tests send flattened, declared as the tap's `flatten` mode declares them.
CUSTOM_PROPERTIES: dict[str, dict[str, Any]] = {
    "Hobby__c": {"type": ["string", "null"]},
    "Interests__c": {"type": ["array", "null"], "items": {"type": "string"}},
    "Number1__c": {"type": ["number", "null"]},
    "Account_Code__c": {"type": ["string", "null"]},
    "Tier__c": {"type": ["string", "null"]},
}


def target_config(sandbox: SandboxServer, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    """A target config for `sandbox`, fast, with its ledger and dead letters under `tmp_path`."""
    return {
        "api_key": sandbox.config.api_key,
        "api_url": sandbox.url,
        "requests_per_second": 10,
        "ledger_path": str(tmp_path / "ledger.json"),
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        **settings,
    }


def schema_message(stream: str) -> dict[str, Any]:
    """The SCHEMA the tap sends for `stream`, with the test's custom fields declared."""
    schema = load_schema(stream)
    schema["properties"].update(CUSTOM_PROPERTIES)
    return {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []}


def messages(stream: str, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A SCHEMA and then a RECORD message per record."""
    return [
        schema_message(stream),
        *({"type": "RECORD", "stream": stream, "record": record} for record in records),
    ]


def run_target(
    config: dict[str, Any],
    lines: Iterable[dict[str, Any]],
    *,
    policy: RetryPolicy | None = None,
) -> TargetRun:
    """Feed `lines` to a new target; what it wrote to stdout. Exceptions propagate.

    A retry `policy` replaces the session's, so a test meeting many faults waits little.
    """
    target = TargetInsightly(config=config)
    if policy is not None:
        target.session.policy = policy
    out = io.StringIO()
    text = "".join(json.dumps(line) + "\n" for line in lines)
    with contextlib.redirect_stdout(out):
        target.listen(file_input=io.StringIO(text))
    return TargetRun(target, out.getvalue())


class TargetRun:
    """A finished run: the target (for its counts) and its stdout."""

    def __init__(self, target: TargetInsightly, stdout: str) -> None:
        self.target = target
        self.stdout = stdout

    def counts(self, stream: str) -> dict[str, int]:
        return {outcome.value: count for outcome, count in self.target.tally(stream).counts.items()}


def served(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """Every API request the sandbox answered, in order."""
    log: list[dict[str, Any]] = requests.get(f"{sandbox.root}/_sandbox/requests", timeout=10).json()
    return log


def writes(sandbox: SandboxServer) -> list[tuple[str, str]]:
    """The write requests answered, as (method, path)."""
    return [
        (entry["method"], entry["path"])
        for entry in served(sandbox)
        if entry["method"] in {"POST", "PUT", "DELETE"}
    ]


def clear_log(sandbox: SandboxServer) -> None:
    requests.delete(f"{sandbox.root}/_sandbox/requests", timeout=10)
