"""Same-second exactness for incremental streams: which re-read records to emit again.

Insightly's `updated_after_utc` is exclusive and to the second, so every run asks from one second
before its bookmark and receives the records of the bookmark's own second once more. Emitting
them all again would repeat records on every run; skipping that second would miss a record
changed later within it. So, next to its bookmark, a stream keeps a ledger: the second the
bookmark falls in and a short content hash of each record emitted (or re-read unchanged) in that
second. The next run emits again only the records of that second that are new or changed.

The ledger names its second, and a ledger whose second is not the one the run starts from is
ignored: whatever went wrong, the cost is records emitted twice, never records missed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tap_insightly.values import TimestampError, parse_timestamp, query_timestamp

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence

#: The stream state key the ledger is kept under, beside the SDK's `replication_key_value`.
LEDGER_KEY = "bookmark_second"

#: Bytes of hash per record: enough that two versions of one record never collide in practice.
_DIGEST_SIZE = 8


def whole_second(moment: dt.datetime) -> dt.datetime:
    """The second a moment falls in, as Insightly's filter sees it."""
    return moment.replace(microsecond=0)


def content_hash(record: Mapping[str, Any]) -> str:
    """A short hash of a record's whole content, the same for the same content in any key order."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=_DIGEST_SIZE).hexdigest()


def record_key(record: Mapping[str, Any], key_fields: Sequence[str]) -> str:
    """The primary key of a record as one string (`1001`, or `Contact|1001` for two fields)."""
    return "|".join(str(record.get(name)) for name in key_fields)


@dataclass(frozen=True)
class Ledger:
    """The records emitted in one second, by key, with the hash of the content emitted.

    Attributes:
        second: the whole second the stream's bookmark falls in (UTC).
        hashes: content hash by record key.
    """

    second: dt.datetime
    hashes: Mapping[str, str] = field(default_factory=dict)

    def to_state(self) -> dict[str, Any]:
        """The ledger as it is written into the stream's state."""
        return {
            "second": query_timestamp(self.second),
            "records": dict(sorted(self.hashes.items())),
        }

    @classmethod
    def from_state(cls, value: object) -> Ledger | None:
        """Read a ledger from state; None when there is none or it is not one this module wrote."""
        if not isinstance(value, dict):
            return None
        second, hashes = value.get("second"), value.get("records")
        if not isinstance(second, str) or not isinstance(hashes, dict):
            return None
        try:
            moment = parse_timestamp(second)
        except TimestampError:
            return None
        return cls(
            whole_second(moment),
            {str(key): digest for key, digest in hashes.items() if isinstance(digest, str)},
        )


class SameSecondFilter:
    """Decides record by record what an incremental run emits, and what its ledger becomes.

    Build one per run from the stored ledger and the moment the run reads from (the bookmark,
    or start_date when that is later). Records of the ledger's second whose hash matches are
    not emitted again; every other record is.
    """

    def __init__(self, previous: Ledger | None, start: dt.datetime | None) -> None:
        """Use `previous` only if it is the ledger of the second the run starts from."""
        self._previous: Ledger | None = None
        if previous is not None and start is not None and previous.second == whole_second(start):
            self._previous = previous
        # The latest second among records passed (emitted or unchanged), and their hashes.
        self._top: dt.datetime | None = None
        self._top_hashes: dict[str, str] = {}
        # The latest update timestamp among records emitted: what the SDK's bookmark becomes.
        self._emitted_top: dt.datetime | None = None
        self.unchanged = 0

    def admit(self, key: str, updated: dt.datetime | None, digest: Callable[[], str]) -> bool:
        """Whether to emit a record, given its key, update timestamp and content hash.

        `digest` is called only for the records whose hash the ledger may need: those of the
        stored ledger's second and those of the latest second so far.
        """
        if updated is None:
            return True
        second = whole_second(updated)
        previous = self._previous
        known = previous.hashes.get(key) if previous and second == previous.second else None
        latest = self._top is None or second >= self._top
        emit = known is None
        if known is not None or latest:
            content = digest()
            emit = content != known
            if self._top is None or second > self._top:
                self._top, self._top_hashes = second, {key: content}
            elif latest:
                self._top_hashes[key] = content
        if emit:
            if self._emitted_top is None or updated > self._emitted_top:
                self._emitted_top = updated
        else:
            self.unchanged += 1
        return emit

    def ledger(self, ceiling: dt.datetime | None) -> Ledger | None:
        """The ledger for the bookmark this run leaves; None to keep the stored one unchanged.

        The SDK's bookmark becomes the latest update timestamp emitted, held down to `ceiling`
        (the replication signpost) when it is later. With nothing emitted the bookmark stays,
        and so does its ledger. When the bookmark was held down, the records of its second are
        not all known, so the ledger is empty and the next run emits that second again.
        """
        if self._emitted_top is None:
            return None
        bookmark = self._emitted_top
        if ceiling is not None and bookmark > ceiling:
            bookmark = ceiling
        second = whole_second(bookmark)
        hashes = dict(self._top_hashes) if second == self._top else {}
        return Ledger(second, hashes)
