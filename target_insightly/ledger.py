"""What the target wrote, kept between runs so that a record sent again unchanged costs nothing.

The ledger maps a stream and a record's source key (its id field, or its upsert key value) to
the Insightly id written and a hash of what was sent. It is read once when the target starts and
written whole, atomically (a temporary file renamed over the old one), before each STATE
message goes out and when the run ends, so a crash loses at most the entries since the last.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One record as last written: its Insightly id and the hash of the body sent."""

    insightly_id: int
    digest: str


def digest(payload: Any) -> str:  # noqa: ANN401 - any JSON value
    """A stable hash of a JSON value: keys sorted, so field order never counts as a change."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ledger:
    """The ledger file's content in memory; thread-safe, as sinks may drain in parallel."""

    def __init__(self, path: Path, id_mode: str = "update") -> None:
        """Read the ledger at `path`; a missing file is an empty ledger.

        The ids it is keyed by mean different records under each `id_mode` (this instance's,
        or the source instance's), so one file serves one mode.

        Raises:
            ValueError: the file is not a ledger this target wrote, or was written under the
                other id_mode; the message names it and the remedy.
        """
        self.path = path
        self.id_mode = id_mode
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Entry]] = {}
        self._dirty = False
        if not path.exists():
            return
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            streams = content["streams"] if content.get("format") == _FORMAT else None
        except (ValueError, KeyError, AttributeError):
            streams = None
        if not isinstance(streams, dict):
            msg = (
                f"{path} is not a target-insightly ledger: point ledger_path at another file, "
                "or delete it to write every record once more"
            )
            raise ValueError(msg)  # noqa: TRY004 - a bad file, not a bad argument type
        written_as = content.get("id_mode", "update")
        if written_as != id_mode:
            msg = (
                f"{path} was written with id_mode {written_as!r}, and its ids mean other "
                f"records under {id_mode!r}: point ledger_path at another file for this mode"
            )
            raise ValueError(msg)
        for stream, entries in streams.items():
            self._entries[stream] = {
                key: Entry(int(value["id"]), str(value["hash"])) for key, value in entries.items()
            }

    def get(self, stream: str, source_key: str) -> Entry | None:
        """What was last written for a record, if anything."""
        with self._lock:
            return self._entries.get(stream, {}).get(source_key)

    def ids(self, stream: str) -> set[int]:
        """The Insightly ids written for a stream's records."""
        with self._lock:
            return {entry.insightly_id for entry in self._entries.get(stream, {}).values()}

    def put(self, stream: str, source_key: str, entry: Entry) -> None:
        """Remember what was just written for a record."""
        with self._lock:
            self._entries.setdefault(stream, {})[source_key] = entry
            self._dirty = True

    def save(self) -> None:
        """Write the ledger atomically, if anything changed since it was last written."""
        with self._lock:
            if not self._dirty:
                return
            content = {
                "format": _FORMAT,
                "id_mode": self.id_mode,
                "streams": {
                    stream: {
                        key: {"id": entry.insightly_id, "hash": entry.digest}
                        for key, entry in entries.items()
                    }
                    for stream, entries in self._entries.items()
                },
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=self.path.parent, prefix=self.path.name, suffix=".tmp"
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(content, file, sort_keys=True)
                Path(temporary).replace(self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._dirty = False
