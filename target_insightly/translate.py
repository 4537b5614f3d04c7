"""Records read from one Insightly instance, made to fit another: ids become the other's ids.

With `id_mode: translate` every id a record carries is the source instance's. Its own id is
how the ledger knows it; every reference to another record (ORGANISATION_ID, a line item's
price book entry, a link's LINK_OBJECT_ID) is replaced by the id that record was written under
here, which the ledger holds once it has been written, in this run or an earlier one.
Configuration each instance has its own copy of (users, pipelines and their stages, categories,
lead sources) is matched on its natural key (a user's e-mail address, a pipeline's name) against
the destination's own lists, read once per object when first needed.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tap_insightly.catalogue import BY_PATH, BY_RECORD_NAME, LINKS, custom_object
from target_insightly.writer import read_every

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tap_insightly.catalogue import InsightlyObject
    from tap_insightly.client import InsightlySession
    from target_insightly.ledger import Ledger

Record = dict[str, Any]

#: A record of the source instance: its object's path and its id there.
SourceRecord = tuple[str, int]

#: Notes are created under the record they are about, and changed at `/Notes`.
NOTES = "Notes"


class Unresolved(Exception):  # noqa: N818 - a state a record waits in, not a failure yet
    """A record names source records not yet written here; it waits for them.

    Attributes:
        missing: the source records it names, with the field naming each.
    """

    def __init__(self, missing: dict[SourceRecord, str]) -> None:
        """Keep what is missing."""
        super().__init__(", ".join(f"{field} {key[1]}" for key, field in missing.items()))
        self.missing = missing


def ledger_key(obj: InsightlyObject, source_id: object) -> str:
    """How the ledger names a record by its id field: `CONTACT_ID=5`."""
    return f"{obj.id_field}={source_id}"


def linked_object(name: object, custom_objects: Iterable[str]) -> InsightlyObject | None:
    """The object a link's LINK_OBJECT_NAME (`Organisation`, `Fruit__c`) names, if any."""
    text = str(name or "")
    known = BY_RECORD_NAME.get(text) or BY_PATH.get(text)
    if known is not None:
        return known
    return custom_object(text) if text in custom_objects else None


class Translator:
    """Turns the source ids in records into the destination's, from what the ledger holds."""

    def __init__(
        self, ledger: Ledger, custom_objects: Iterable[str], streams: Iterable[str]
    ) -> None:
        """Look ids up in `ledger`; `custom_objects` are the destination's (`Fruit__c`).

        `streams` are those the target writes or matches: a reference to a record of any other
        object (a task's e-mail) can never be translated, and is left out of the record.
        """
        self.ledger = ledger
        self.custom_objects = frozenset(custom_objects)
        self.streams = frozenset(streams)
        self.left_out: Counter[tuple[str, str, str]] = Counter()
        self._assumed: set[SourceRecord] = set()

    def assume(self, source: SourceRecord) -> None:
        """Take a source record as written, under no real id: a dry run goes on past it."""
        self._assumed.add(source)

    def destination_id(self, path: str, source_id: object) -> int | None:
        """The id here of a source record, if it was written or matched (0 if only assumed)."""
        obj = self.object_at(path)
        if obj is None or obj.id_field is None:
            return None
        if (path, _whole(source_id)) in self._assumed:
            return 0
        entry = self.ledger.get(obj.stream, ledger_key(obj, source_id))
        return entry.insightly_id if entry is not None else None

    def object_at(self, path: str) -> InsightlyObject | None:
        """The object at a path, custom objects included."""
        if path in BY_PATH:
            return BY_PATH[path]
        return custom_object(path) if path in self.custom_objects else None

    def record(self, obj: InsightlyObject, record: Mapping[str, Any]) -> Record:
        """A copy of `record` with every reference to another record translated.

        Raises:
            Unresolved: some referenced records are not written here yet.
        """
        translated = dict(record)
        missing: dict[SourceRecord, str] = {}
        for field, path in references_of(obj):
            value = record.get(field)
            if value is None:
                continue
            other = self.object_at(path)
            if other is None or other.stream not in self.streams:
                del translated[field]
                self.left_out[(obj.stream, field, path)] += 1
                continue
            found = self.destination_id(path, value)
            if found is None:
                missing[(path, _whole(value))] = field
            else:
                # Some references are declared as text (a folder's CATEGORY_ID): keep the form.
                translated[field] = str(found) if isinstance(value, str) else found
        if missing:
            raise Unresolved(missing)
        return translated

    def links(self, links: Iterable[Mapping[str, Any]]) -> tuple[list[Record], list[Record]]:
        """The links whose other record is written here, translated; and those still waiting.

        A link's relationship is configuration and is translated too; one whose relationship
        has no counterpart here waits like one whose record has none.
        """
        ready: list[Record] = []
        waiting: list[Record] = []
        for link in links:
            other = linked_object(link.get("LINK_OBJECT_NAME"), self.custom_objects)
            if other is None or self.link_needs(link):
                waiting.append(dict(link))
                continue
            relationship = link.get("RELATIONSHIP_ID")
            ready.append(
                {
                    **link,
                    "LINK_OBJECT_ID": self.destination_id(other.path, link["LINK_OBJECT_ID"]),
                    "RELATIONSHIP_ID": (
                        self.destination_id("Relationships", relationship) if relationship else None
                    ),
                }
            )
        return ready, waiting

    def link_needs(self, link: Mapping[str, Any]) -> set[SourceRecord]:
        """The source records a waiting link needs written here first."""
        needs: set[SourceRecord] = set()
        other = linked_object(link.get("LINK_OBJECT_NAME"), self.custom_objects)
        if other is not None and self.destination_id(other.path, link["LINK_OBJECT_ID"]) is None:
            needs.add((other.path, _whole(link["LINK_OBJECT_ID"])))
        relationship = link.get("RELATIONSHIP_ID")
        if relationship and self.destination_id("Relationships", relationship) is None:
            needs.add(("Relationships", _whole(relationship)))
        return needs


def references_of(obj: InsightlyObject) -> tuple[tuple[str, str], ...]:
    """Every field of `obj` naming another record: its references and its parent's id."""
    if obj.parent is None:
        return obj.references
    parent_path, parent_field = obj.parent
    return ((parent_field, parent_path), *obj.references)


def natural_value(obj: InsightlyObject, record: Mapping[str, Any]) -> tuple[str, ...] | None:
    """A record's natural key, comparable between instances; None if a part is missing."""
    parts = []
    for name in obj.natural_key:
        value = record.get(name)
        if value is None or value == "":
            return None
        parts.append(str(value).strip().casefold())
    return tuple(parts)


class Directory:
    """The destination's configuration records by natural key, each list read once."""

    def __init__(self, session: InsightlySession, base_url: str) -> None:
        """Read lists through `session` from the instance at `base_url`."""
        self.session = session
        self.base_url = base_url
        self._by_object: dict[str, dict[tuple[str, ...], list[Record]]] = {}

    def find(self, obj: InsightlyObject, key: tuple[str, ...]) -> list[Record]:
        """The destination's records of `obj` whose natural key is `key`.

        Raises:
            Refused: Insightly refused to list them.
        """
        return list(self._index(obj).get(key, ()))

    def remember(self, obj: InsightlyObject, record: Mapping[str, Any]) -> None:
        """Note a record just created here, so that a later copy of it is matched."""
        if obj.path not in self._by_object:
            return
        key = natural_value(obj, record)
        if key is not None:
            self._by_object[obj.path].setdefault(key, []).append(dict(record))

    def _index(self, obj: InsightlyObject) -> dict[tuple[str, ...], list[Record]]:
        index = self._by_object.get(obj.path)
        if index is None:
            index = {}
            for record in self._read_all(obj):
                key = natural_value(obj, record)
                if key is not None:
                    index.setdefault(key, []).append(record)
            self._by_object[obj.path] = index
        return index

    def _read_all(self, obj: InsightlyObject) -> list[Record]:
        return read_every(self.session, self.base_url + obj.path, {}, paged=obj.paged)


def _whole(value: object) -> int:
    """A source id as a whole number; ids that are not one never match and are kept as -1."""
    try:
        return int(str(value))
    except ValueError:
        return -1


def links_of(record: Mapping[str, Any]) -> list[Record]:
    """The links a record carries, as dicts."""
    return [link for link in record.get(LINKS) or () if isinstance(link, dict)]


def note_parent(note: Mapping[str, Any]) -> tuple[InsightlyObject, Record] | None:
    """The record a note is written under: its first link to an object that has notes."""
    for link in links_of(note):
        other = BY_RECORD_NAME.get(str(link.get("LINK_OBJECT_NAME")))
        if other is not None and NOTES in other.sub_resources:
            return other, link
    return None
