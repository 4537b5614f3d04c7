"""Run the tap in this process against a sandbox and read back the Singer messages it wrote."""

from __future__ import annotations

import contextlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tap_insightly.tap import TapInsightly

if TYPE_CHECKING:
    from collections.abc import Iterable

    from insightly_sandbox.server import SandboxServer

#: Requests per second in tests: Insightly's maximum, so that runs take as little time as allowed.
FAST = 10


def sandbox_config(sandbox: SandboxServer, **settings: Any) -> dict[str, Any]:
    """A tap config for `sandbox`, at the fastest allowed pace unless `settings` say otherwise."""
    return {
        "api_key": sandbox.config.api_key,
        "api_url": sandbox.url,
        "requests_per_second": FAST,
        **settings,
    }


@dataclass
class TapRun:
    """What one run wrote to stdout, by kind."""

    messages: list[dict[str, Any]]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    @property
    def states(self) -> list[dict[str, Any]]:
        """The value of every STATE message, in order."""
        return [message["value"] for message in self.messages if message["type"] == "STATE"]

    @property
    def state(self) -> dict[str, Any]:
        """The last STATE: what the next run would be given."""
        return self.states[-1]


def run_tap(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    streams: Iterable[str] | None = None,
) -> TapRun:
    """Sync as `tap-insightly` would, with only `streams` selected when given."""
    catalog = None
    if streams is not None:
        catalog = selected_catalog(config, streams)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        TapInsightly(config=config, state=state, catalog=catalog).sync_all()
    run = TapRun([json.loads(line) for line in out.getvalue().splitlines() if line])
    for message in run.messages:
        if message["type"] == "RECORD":
            run.records[message["stream"]].append(message["record"])
    return run


def selected_catalog(config: dict[str, Any], streams: Iterable[str]) -> dict[str, Any]:
    """The discovered catalog with only `streams` selected, as Meltano's `select` writes it."""
    wanted = set(streams)
    catalog = TapInsightly(config=config).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["stream"] in wanted
    return catalog
