"""Records and links that wait for other records to be written first.

A copy between two instances meets records in the order the tap sends them, which is not the
order they depend on each other: contacts come before the organisations they belong to, and a
link names a record on both of its sides. Whatever names a source record not written here yet
waits, keyed by what it needs; each write settles its own source record and hands back what
no longer waits. At the end of the input, what still waits is what the input never supplied.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from target_insightly.translate import SourceRecord

Item = TypeVar("Item")


@dataclass
class _Waiting(Generic[Item]):
    item: Item
    needs: set[SourceRecord] = field(default_factory=set)


class Pending(Generic[Item]):
    """What waits, by the source records it needs; safe to share between sinks."""

    def __init__(self) -> None:
        """Start with nothing waiting."""
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._waiting: dict[int, _Waiting[Item]] = {}
        self._by_need: dict[SourceRecord, set[int]] = {}

    def __len__(self) -> int:
        """How many items wait."""
        with self._lock:
            return len(self._waiting)

    def wait(self, item: Item, needs: set[SourceRecord]) -> None:
        """Let `item` wait until every source record in `needs` is settled."""
        with self._lock:
            number = next(self._order)
            self._waiting[number] = _Waiting(item, set(needs))
            for need in needs:
                self._by_need.setdefault(need, set()).add(number)

    def settle(self, written: SourceRecord) -> list[Item]:
        """Note a source record written here; the items that no longer wait, oldest first."""
        with self._lock:
            ready = []
            for number in sorted(self._by_need.pop(written, ())):
                waiting = self._waiting[number]
                waiting.needs.discard(written)
                if not waiting.needs:
                    ready.append(number)
            return [self._waiting.pop(number).item for number in ready]

    def drain(self) -> list[tuple[Item, set[SourceRecord]]]:
        """Everything still waiting, oldest first, with what it still needs; empties the queue."""
        with self._lock:
            left = [(entry.item, set(entry.needs)) for _, entry in sorted(self._waiting.items())]
            self._waiting.clear()
            self._by_need.clear()
            return left
