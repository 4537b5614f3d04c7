"""What became of each record: counts per stream, and the file of records Insightly refused."""

from __future__ import annotations

import datetime as dt
import enum
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path


class Outcome(enum.Enum):
    """What one record received led to."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class Tally:
    """The outcomes of one stream's records; they add up to the records received."""

    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, outcome: Outcome) -> None:
        """Count one record."""
        with self._lock:
            self.counts[outcome] += 1

    def move(self, was: Outcome, now: Outcome) -> None:
        """Count a record already counted as `was` as `now`: its outcome changed afterwards."""
        with self._lock:
            self.counts[was] -= 1
            self.counts[now] += 1

    @property
    def failed(self) -> int:
        """Records dead-lettered."""
        return self.counts[Outcome.FAILED]

    @property
    def total(self) -> int:
        """Records received."""
        return sum(self.counts.values())

    def describe(self) -> str:
        """The counts as the summary line shows them."""
        return ", ".join(f"{self.counts[outcome]} {outcome.value}" for outcome in Outcome)


class DeadLetters:
    """Appends refused records to a JSON Lines file, one object per record."""

    def __init__(self, path: Path) -> None:
        """Write to `path`, created with its folder on the first refusal."""
        self.path = path
        self._lock = threading.Lock()

    def add(self, stream: str, record: dict[str, Any], status: int | None, message: str) -> None:
        """Append one refused record with the HTTP status (None when none came) and why."""
        line = json.dumps(
            {"stream": stream, "record": record, "status": status, "message": message},
            default=_json_default,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")


def _json_default(value: object) -> Any:  # noqa: ANN401 - whatever JSON can hold
    # The SDK hands sinks parsed dates; the dead letter keeps them as RFC 3339 text.
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)
