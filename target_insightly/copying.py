"""Copying between two Insightly instances: translated ids, matched configuration, waiting.

With `id_mode: translate` the records come from another instance (tap-insightly reading it),
and this is where the target keeps what a copy needs across streams: the translator that turns
the source's ids into the ones written here, the destination's configuration lists for matching
on natural keys, the records and links waiting for records they name, and the links already
added in this run, so that a link seen from both of its records is added once. With the default
`id_mode: update` every method here leaves records as they are.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from tap_insightly.catalogue import LINKS
from target_insightly.outcomes import Outcome
from target_insightly.pending import Pending
from target_insightly.translate import (
    NOTES,
    Directory,
    Translator,
    Unresolved,
    linked_object,
    links_of,
    natural_value,
    note_parent,
)
from target_insightly.writer import Refused, link_pair

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Mapping

    from tap_insightly.catalogue import InsightlyObject
    from target_insightly.ledger import Ledger
    from target_insightly.sinks import ObjectSink
    from target_insightly.translate import SourceRecord
    from target_insightly.writer import Record

#: The stream links are read as; a link set aside is dead-lettered under it.
LINKS_STREAM = "links"


@dataclass
class _WaitingRecord:
    """A record that names source records not written here yet."""

    sink: ObjectSink
    record: dict[str, Any]


@dataclass
class _WaitingLink:
    """A link of a written record whose other record is not written here yet."""

    sink: ObjectSink
    insightly_id: int
    link: Record
    done: _Links


@dataclass
class _Links:
    """The links one written record still waits to add, and what to do when none is left."""

    record: dict[str, Any]
    outcome: Outcome
    on_complete: Callable[[], None]
    waiting: int
    failed: bool = False

    def one_done(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and not self.failed:
            self.on_complete()


_Waiting = Union[_WaitingRecord, _WaitingLink]  # noqa: UP007 - a runtime alias on Python 3.10


class Copying:
    """What a copy between instances shares across sinks; inert unless `active`."""

    def __init__(
        self,
        *,
        active: bool,
        ledger: Ledger,
        custom_objects: Iterable[str],
        directory: Directory,
        streams: Iterable[str],
    ) -> None:
        """Translate through `ledger`; match configuration through `directory`.

        `streams` are those the target writes: a link to a record of any other object cannot
        be copied.
        """
        self.active = active
        self.translator = Translator(ledger, custom_objects, streams)
        self.directory = directory
        self.pending: Pending[_Waiting] = Pending()
        self._linked: set[object] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many records and links wait."""
        return len(self.pending)

    def translate(self, obj: InsightlyObject, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record with the destination's ids in its references; unchanged unless copying.

        A note keeps only the link to the record it is created under, translated.

        Raises:
            Unresolved: it names source records not written here yet.
        """
        if not self.active:
            return dict(record)
        translated = self.translator.record(obj, record)
        if obj.path == NOTES:
            translated[LINKS] = self._note_parent(record)
        return translated

    def _note_parent(self, note: Mapping[str, Any]) -> list[Record]:
        """A note's link to the record it is written under, translated; none if it has none.

        Raises:
            Unresolved: that record is not written here yet.
        """
        parent = note_parent(note)
        if parent is None:
            return []
        other, link = parent
        found = self.translator.destination_id(other.path, link.get("LINK_OBJECT_ID"))
        if found is None:
            raise Unresolved({(other.path, int(str(link["LINK_OBJECT_ID"]))): LINKS})
        return [{**link, "LINK_OBJECT_ID": found}]

    def match(self, obj: InsightlyObject, record: Mapping[str, Any]) -> Record | None:
        """The destination's own copy of a configuration record, matched on its natural key.

        Raises:
            Refused: several destination records have the key.
        """
        if not self.active or not obj.natural_key:
            return None
        key = natural_value(obj, record)
        if key is None:
            return None
        found = self.directory.find(obj, key)
        if len(found) > 1:
            msg = (
                f"ambiguous: {len(found)} {obj.stream} records here have "
                f"{', '.join(obj.natural_key)} {', '.join(key)}; rename all but one in Insightly"
            )
            raise Refused(None, msg)
        return found[0] if found else None

    def directory_note(self, obj: InsightlyObject, created: Mapping[str, Any]) -> None:
        """Note a record created here, so a second copy of it in the input is matched."""
        if self.active and obj.natural_key:
            self.directory.remember(obj, created)

    def wait_for(self, sink: ObjectSink, record: dict[str, Any], waiting: Unresolved) -> None:
        """Let a record wait until the source records it names are written here."""
        self.pending.wait(_WaitingRecord(sink, record), set(waiting.missing))

    def written(self, obj: InsightlyObject, source_id: object) -> None:
        """Note a source record written (or matched) here, and write what waited for it."""
        key = self._source(obj, source_id)
        if key is None:
            return
        for item in self.pending.settle(key):
            self._release(item)

    def assume(self, obj: InsightlyObject, source_id: object) -> None:
        """In a dry run, go on as if a source record had been written, under no real id."""
        key = self._source(obj, source_id)
        if key is None:
            return
        self.translator.assume(key)
        self.written(obj, source_id)

    def _source(self, obj: InsightlyObject, source_id: object) -> SourceRecord | None:
        if not self.active or source_id is None or obj.id_field is None:
            return None
        try:
            return obj.path, int(str(source_id))
        except ValueError:
            return None

    def add_links(  # noqa: PLR0913 - the written record, and what to do once its links are in
        self,
        sink: ObjectSink,
        insightly_id: int,
        *,
        outcome: Outcome,
        record: dict[str, Any],
        answer: Record,
        on_complete: Callable[[], None],
    ) -> None:
        """Add a written record's links, now or when the records they name are written here.

        `on_complete` runs once every link is in; at once when none has to wait.

        Raises:
            Refused: Insightly refused a link.
        """
        links = links_of(record)
        if not self.active:
            sink.writer.add_links(insightly_id, links, answer)
            on_complete()
            return
        ready, waiting = self.translator.links(links)
        uncopyable = [link for link in waiting if not self._copyable(link)]
        for link in uncopyable:
            self._set_aside(sink, insightly_id, link)
        waiting = [link for link in waiting if self._copyable(link)]
        self._add(sink, insightly_id, ready, answer)
        if not waiting:
            on_complete()
            return
        done = _Links(record, outcome, on_complete, waiting=len(waiting))
        for link in waiting:
            needs = self.translator.link_needs(link)
            self.pending.wait(_WaitingLink(sink, insightly_id, link, done), needs)

    def _copyable(self, link: Mapping[str, Any]) -> bool:
        """Whether the record a link names can be written here (an e-mail cannot)."""
        other = linked_object(link.get("LINK_OBJECT_NAME"), self.translator.custom_objects)
        return other is not None and other.stream in self.translator.streams

    def _set_aside(self, sink: ObjectSink, insightly_id: int, link: Mapping[str, Any]) -> None:
        """Dead-letter a link to a record the API cannot create; the record itself is written."""
        other = link.get("LINK_OBJECT_NAME")
        message = (
            f"{sink.obj.id_field} {insightly_id} was written without its link to {other} "
            f"{link.get('LINK_OBJECT_ID')}: target-insightly cannot write {other} records, "
            "so the link has nothing to point to here"
        )
        sink.dead_letters.add(LINKS_STREAM, dict(link), None, message)
        sink.logger.warning("%s; it is in %s", message, sink.settings.dead_letter_path)

    def _add(
        self, sink: ObjectSink, insightly_id: int, links: list[Record], answer: Record
    ) -> None:
        """Add links not yet added in this run from their other record.

        Both records of a link carry it, under one LINK_ID in the source; that id tells the two
        copies apart from a second link between the same records, which is copied too.
        """
        own = sink.obj.record_name or sink.obj.path
        with self._lock:
            fresh = [
                link for link in links if _identity(own, insightly_id, link) not in self._linked
            ]
            self._linked.update(_identity(own, insightly_id, link) for link in fresh)
        sink.writer.add_links(insightly_id, fresh, answer)

    def _release(self, item: _Waiting) -> None:
        if isinstance(item, _WaitingRecord):
            item.sink.handle(item.record)
            return
        ready, waiting = self.translator.links([item.link])
        if waiting:
            self.pending.wait(item, self.translator.link_needs(item.link))
            return
        try:
            self._add(item.sink, item.insightly_id, ready, {})
        except Refused as refusal:
            self._link_failed(item, refusal.status, refusal.message)
            return
        item.done.one_done()

    def _link_failed(self, item: _WaitingLink, status: int | None, message: str) -> None:
        """Dead-letter the record whose link could not be added, once, and count it failed."""
        if item.done.failed:
            return
        item.done.failed = True
        item.sink.refuse(item.done.record, Refused(status, message))
        item.sink.tally.move(item.done.outcome, Outcome.FAILED)

    def finish(self, logger: logging.Logger) -> None:
        """Dead-letter what still waits at the end of the input, naming what it waited for.

        Also say which references were left out because nothing here can hold what they name.
        """
        for (stream, field, path), count in sorted(self.translator.left_out.items()):
            logger.warning(
                "%s: %s was left out of %d records: target-insightly cannot write %s records, "
                "so the id has nothing to point to here",
                stream,
                field,
                count,
                path,
            )
        for item, needs in self.pending.drain():
            missing = ", ".join(f"{path} {source_id}" for path, source_id in sorted(needs))
            if isinstance(item, _WaitingRecord):
                msg = (
                    f"it names source records never written here ({missing}): include their "
                    "streams in the copy, or write them first"
                )
                item.sink.refuse(item.record, Refused(None, msg))
                item.sink.tally.add(Outcome.FAILED)
            else:
                msg = (
                    f"written as {item.sink.obj.id_field} {item.insightly_id}, but its link to "
                    f"{missing} was not added: that record was never written here"
                )
                self._link_failed(item, None, msg)


def _identity(name: str, insightly_id: int, link: Mapping[str, Any]) -> object:
    """What tells one link from another: its source LINK_ID, else the records it joins."""
    source_id = link.get("LINK_ID")
    return ("LINK_ID", source_id) if source_id is not None else link_pair(name, insightly_id, link)
