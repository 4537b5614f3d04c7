"""A copy into an instance that fails: the same records arrive, once each, as without faults.

B answers a share of requests with 500, 502 or 503, drops the connection, or stores a write
and cuts its answer short. Reads and updates are retried; a create whose answer was lost is
looked up among the records changed since, matched on what was sent, and sent again only if
it is not there; a link likewise. The copy must then compare equal to A exactly as a copy
without faults does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tap_insightly.client import RetryPolicy
from tests.test_target_copy import compared, copied_streams, copying

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Iterator

    from tests.test_target_copy import Copy


#: The share of B's answers that fail.
FAULT_RATE = 0.15
#: Retries without the real waits: the faults are the point here, not the backoff.
QUICK = RetryPolicy(max_retries=8, backoff_base=0.001, backoff_max=0.01)


@pytest.fixture(scope="module")
def faulty_copy(tmp_path_factory) -> Iterator[tuple[Copy, Counter[str | None]]]:
    folder = tmp_path_factory.mktemp("faulty-copy")
    with copying(folder, fault_rate=FAULT_RATE, policy=QUICK) as done:
        yield done


def test_every_kind_of_fault_was_met(faulty_copy):
    _, met = faulty_copy
    assert {"500", "502", "503", "drop", "truncate"} <= set(met), met


def test_the_copy_is_the_same_as_without_faults(faulty_copy):
    copy, _ = faulty_copy
    differences = compared(copy)
    assert not differences, "\n".join(map(repr, differences))


def test_nothing_is_copied_twice_and_nothing_fails(faulty_copy):
    copy, _ = faulty_copy
    for stream in copied_streams(copy):
        if not copy.object_of(stream).natural_key:
            assert len(copy.copied.records[stream]) == len(copy.source.records[stream]), stream
    for stream, records in copy.source.records.items():
        counts = copy.run.counts(stream)
        assert counts["failed"] == 0, stream
        assert sum(counts.values()) == len(records), stream
    letters = [json.loads(line) for line in copy.dead_letters.read_text().splitlines()]
    assert {letter["stream"] for letter in letters} == {"links"}
