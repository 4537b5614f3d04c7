"""The `links` stream: every link between records, taken from the LINKS their records carry.

Contacts, organisations, leads and the other objects with LINKS in the catalogue's `nested`
hold their links inside each record, so the links stream costs no request: it is a child of
those streams (`LinkedObjectStream`) and receives their links with each batch of records they
hand over to their child streams (`fanout.ParentStream`).

A link joins two records and appears in both, once from each side (`IS_FORWARD` says which
side it was made from). The stream emits each link once, turned to face the way it was made,
so that its record is the same whichever side it was read from. Which links exist is only as
fresh as the records read: an incremental run re-reads the links of records changed since the
bookmark, and a deleted link, which leaves no trace in Insightly, is never emitted again.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from singer_sdk.streams import Stream
from typing_extensions import override

from tap_insightly.catalogue import LINKS
from tap_insightly.fanout import PARENT, ParentStream
from tap_insightly.schema_loader import load_schema
from tap_insightly.stream_base import counted

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record

    from tap_insightly.tap import TapInsightly

_SIDES = (("OBJECT_NAME", "LINK_OBJECT_NAME"), ("OBJECT_ID", "LINK_OBJECT_ID"))


class LinkedObjectStream(ParentStream):
    """An object whose records carry LINKS, handing them to the links stream as it goes."""

    _pending: list[Record]

    @override
    def begin_sync(self, context: Context | None) -> None:
        self._pending = []
        super().begin_sync(context)

    @override
    def hold(self, record: Record) -> None:
        super().hold(record)
        self._pending.extend(entry for entry in record.get(LINKS) or () if isinstance(entry, dict))

    @override
    def hand_over(self) -> dict[str, Any]:
        batch, self._pending = self._pending, []
        return {**super().hand_over(), LINKS: batch}

    @override
    def describe_end(self) -> str:
        emitted = sum(
            child.emitted_by_parent[self.name]
            for child in self.child_streams
            if isinstance(child, LinksStream) and child.selected
        )
        links = f", {counted(emitted, 'link')}" if emitted else ""
        return super().describe_end() + links


class LinksStream(Stream):
    """Each link between two records once, as made (`IS_FORWARD` true), keyed by LINK_ID."""

    parent_stream_type = LinkedObjectStream

    def __init__(self, tap: TapInsightly) -> None:
        """Build the stream; its parents hand it their links."""
        super().__init__(tap, schema=load_schema("links"), name="links")
        self.primary_keys = ("LINK_ID",)
        # One bookmark for the stream, not one per parent record: links are full-table.
        self.state_partitioning_keys = []
        self.emitted_by_parent: Counter[str] = Counter()
        self._batch: list[Record] = []
        self._seen: set[object] = set()

    @override
    def preprocess_context(self, context: Context) -> Context:
        # The links themselves stay out of the context, which the SDK logs and measures.
        self._batch = list(context.get(LINKS) or ())
        return {PARENT: context.get(PARENT)}

    @override
    def get_records(self, context: Context | None) -> Iterable[Record]:
        parent = str((context or {}).get(PARENT))
        batch, self._batch = self._batch, []
        for entry in batch:
            link_id = entry.get("LINK_ID")
            if link_id in self._seen:
                continue
            self._seen.add(link_id)
            self.emitted_by_parent[parent] += 1
            yield as_made(entry)

    @override
    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        # The SDK announces each child sync; here that is a batch of another stream's records,
        # which its parent's end line already counts.
        super().log(
            message, *args, level=logging.DEBUG if level == logging.INFO else level, **kwargs
        )


def as_made(link: Record) -> Record:
    """The link facing the way it was made: from the record it was made on to the other."""
    if link.get("IS_FORWARD") is not False:
        return dict(link)
    turned = dict(link)
    for own, other in _SIDES:
        turned[own], turned[other] = link.get(other), link.get(own)
    turned["IS_FORWARD"] = True
    return turned
