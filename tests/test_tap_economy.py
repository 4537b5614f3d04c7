"""What a sync costs in requests, counted by the sandbox: Insightly's daily quota is the budget.

The expected cost is worked out from what the sandbox holds, never written down: discovery's two
requests, one request per page of each stream (a page shorter than the page size is the last,
so only a count that is an exact multiple of the page size costs an empty page), and for tags
one such run of pages per object that carries TAGS.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.catalogue import LINKS, OBJECTS, TAGS
from tap_insightly.links import LinksStream
from tap_insightly.streams import TAGGED_OBJECTS, DiscoveredStream, ObjectStream, TagsStream
from tap_insightly.tap import TapInsightly
from tests.tap_run import run_tap, sandbox_config

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

    from insightly_sandbox.store import Store
    from tap_insightly.catalogue import InsightlyObject

PAGE_SIZE = 500

#: The two requests of discovery, made once per run whatever the instance holds.
DISCOVERY = Counter({("CustomObjects", ""): 1, ("CustomFields/All", ""): 1})

#: A path segment that names one record: a request per record would cost the quota per record.
RECORD_ID = re.compile(r"/\d+(/|$)")

#: The lead status type `/LeadStatuses` leaves out unless asked (the converted status).
CONVERTED = 3

Cost = Counter[tuple[str, str]]


@pytest.fixture(scope="module")
def sandbox():
    """A default-size sandbox of this module's own (price book entries fill two pages of 500)."""
    with SandboxServer(SandboxConfig()) as server:
        yield server


def served(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """The requests served since the log was last cleared; clears it."""
    url = sandbox.root + "/_sandbox/requests"
    entries: list[dict[str, Any]] = requests.get(url, timeout=10).json()
    requests.delete(url, timeout=10).raise_for_status()
    return entries


def cost(entries: list[dict[str, Any]]) -> Cost:
    """Requests by path below `/v3.1/` and `record_type` (which tells the tags requests apart)."""
    return Counter(
        (entry["path"].removeprefix("/v3.1/"), entry["query"].get("record_type", ""))
        for entry in entries
    )


def listed(store: Store, obj: InsightlyObject) -> int:
    """How many records the sandbox lists for an object (see the choices in docs/sandbox.md)."""
    if obj.singleton:
        return 1
    if obj.path == "Follows":
        return len(store.follows)
    rows = store.tables[obj.path].rows.values()
    if obj.path == "LeadStatuses":
        return sum(1 for status in rows if status.get("STATUS_TYPE") != CONVERTED)
    return len(rows)


def tag_names(store: Store, obj: InsightlyObject) -> int:
    """How many distinct tag names (compared without case) an object's records carry."""
    return len(
        {
            str(tag["TAG_NAME"]).casefold()
            for record in store.records(obj.path)
            for tag in record.get(TAGS) or ()
        }
    )


def pages(count: int, obj: InsightlyObject) -> int:
    """Requests to read `count` records: a short page ends, an exact multiple asks one more."""
    return count // PAGE_SIZE + 1 if obj.paged else 1


def expected_cost(streams: list[Stream], store: Store, *, bookmarked: bool) -> Cost:
    """The requests a sync of `streams`, as selected, should make; `bookmarked`: bookmarks set.

    A bookmarked incremental stream asks once, for the records of its bookmark's second on.
    """
    expected = Counter(DISCOVERY)
    for stream in streams:
        # Streams a sync leaves out unless the catalog selects them (one request per parent
        # record) cost nothing here; the default selection is what a first sync reads.
        if not (stream.selected or stream.has_selected_descendents):
            continue
        if isinstance(stream, (DiscoveredStream, LinksStream)):
            continue
        if isinstance(stream, TagsStream):
            for obj in TAGGED_OBJECTS:
                expected["Tags", obj.path.lower()] += pages(tag_names(store, obj), obj)
        elif isinstance(stream, ObjectStream):
            obj = stream.obj
            bookmark_only = bookmarked and stream.incremental
            count = pages(listed(store, obj), obj)
            expected[stream.path, ""] += 1 if bookmark_only else count
        else:
            pytest.fail(f"{stream.name}: a kind of stream whose cost this test does not know")
    return expected


def test_full_and_unchanged_syncs_of_every_stream_cost_pages_not_records(sandbox):
    config = sandbox_config(sandbox, page_size=PAGE_SIZE)
    streams = list(TapInsightly(config=config).streams.values())
    served(sandbox)

    first = run_tap(config)
    full = served(sandbox)
    second = run_tap(config, state=first.state)
    unchanged = served(sandbox)

    store = sandbox.store
    assert cost(full) == expected_cost(streams, store, bookmarked=False)
    assert cost(unchanged) == expected_cost(streams, store, bookmarked=True)
    assert any(count > 1 for count in cost(full).values()), "no stream spans two pages"
    assert [entry for entry in full + unchanged if RECORD_ID.search(entry["path"])] == []
    assert {entry["status"] for entry in full + unchanged} == {200}
    incremental = [s for s in streams if isinstance(s, ObjectStream) and s.incremental]
    for stream in incremental:
        assert len(first.records[stream.name]) == listed(store, stream.obj), stream.name
        assert second.records[stream.name] == [], stream.name
    bookmarked = {
        entry["path"].removeprefix("/v3.1/"): entry["query"].get("updated_after_utc")
        for entry in unchanged
    }
    assert all(bookmarked[stream.path] for stream in incremental)


@pytest.mark.parametrize(("page_size", "skips"), [(20, [0, 20]), (7, [0, 7, 14]), (500, [0])])
def test_only_an_exact_multiple_of_the_page_size_costs_an_empty_page(
    start_sandbox, page_size, skips
):
    small = start_sandbox(records=20)
    assert len(small.store.tables["Contacts"].rows) == 20

    run = run_tap(sandbox_config(small, page_size=page_size), streams=["contacts"])

    searches = [entry for entry in served(small) if entry["path"] == "/v3.1/Contacts/Search"]
    assert [int(entry["query"]["skip"]) for entry in searches] == skips
    assert len(run.records["contacts"]) == 20


def test_links_alone_cost_one_read_of_each_object_that_carries_them(start_sandbox, caplog):
    small = start_sandbox(records=10)
    parents = [obj for obj in OBJECTS if LINKS in obj.nested]
    config = sandbox_config(small)

    with caplog.at_level(logging.INFO):
        run = run_tap(config, streams=["links"])

    # Discovery twice: once for the catalog that selects links, once for the run.
    expected = DISCOVERY + DISCOVERY
    for obj in parents:
        expected[f"{obj.path}/Search" if obj.incremental else obj.path, ""] += 1
    assert cost(served(small)) == expected
    assert set(run.records) == {"links"}
    assert run.records["links"]
    # The objects were read only to reach their links: their end lines must not say emitted.
    end_lines = [
        record.getMessage()
        for record in caplog.records
        if record.name.removeprefix("tap-insightly.") in {obj.stream for obj in parents}
        and "request" in record.getMessage()
    ]
    assert len(end_lines) == len(parents)
    assert [line for line in end_lines if "emitted" in line] == []
    assert all("records read for its child streams" in line for line in end_lines)
