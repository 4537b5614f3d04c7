"""The sandbox's data: one table per Insightly object, kept in memory behind one lock.

Each record is kept as the dict the API would answer for it, nested collections included
(`CUSTOMFIELDS`, `TAGS`, `DATES`, `EMAILDOMAINS`, `LINKS`). Its JSON encoding, full and brief,
is cached and dropped on every change, and so is that JSON deflated, so that serving a page,
plain or compressed, is a join of ready bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insightly_sandbox.wire import deflate_block
from tap_insightly.catalogue import (
    BY_PATH,
    BY_RECORD_NAME,
    LINKS,
    OBJECTS,
    InsightlyObject,
    custom_object,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

Record = dict[str, Any]
RecordKey = int | str

#: How Insightly writes timestamps in records and bodies.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_timestamp(moment: dt.datetime) -> str:
    """Write a moment the way Insightly's records do: `2025-04-22 20:03:25`, UTC."""
    return moment.astimezone(dt.timezone.utc).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> dt.datetime:
    """Read a record timestamp (`2025-04-22 20:03:25`) as an aware UTC datetime."""
    return dt.datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=dt.timezone.utc)


def encode(value: object) -> bytes:
    """Encode a response body compactly."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Table:
    """The records of one object, in id (creation) order, as Insightly pages them."""

    obj: InsightlyObject
    rows: dict[RecordKey, Record] = field(default_factory=dict)
    _encoded: dict[tuple[RecordKey, bool], bytes] = field(default_factory=dict)
    _deflated: dict[tuple[RecordKey, bool], bytes] = field(default_factory=dict)
    next_id: int = 1

    def key_of(self, record: Record) -> RecordKey:
        """The value that identifies a record in this table."""
        if len(self.obj.key) == 1:
            value: RecordKey = record[self.obj.key[0]]
            return value
        return "|".join(str(record[name]) for name in self.obj.key)

    def add(self, record: Record) -> Record:
        """Store a record, giving it the next id if its object has one and it has none."""
        id_field = self.obj.id_field
        if id_field is not None:
            if record.get(id_field) is None:
                record[id_field] = self.next_id
            self.next_id = max(self.next_id, int(record[id_field]) + 1)
        self.rows[self.key_of(record)] = record
        self.forget(self.key_of(record))
        return record

    def remove(self, key: RecordKey) -> Record | None:
        """Drop a record and its cached encodings."""
        self.forget(key)
        return self.rows.pop(key, None)

    def forget(self, key: RecordKey) -> None:
        """Drop the cached encodings of one record after it changed."""
        for cache in (self._encoded, self._deflated):
            cache.pop((key, False), None)
            cache.pop((key, True), None)

    def etag(self, key: RecordKey) -> str:
        """The record's ETag: changes whenever the record does (Insightly sends one)."""
        return '"' + hashlib.blake2b(self.encoded(key), digest_size=8).hexdigest() + '"'

    def encoded(self, key: RecordKey, *, brief: bool = False) -> bytes:
        """The JSON of one record, full or brief (without nested collections)."""
        cached = self._encoded.get((key, brief))
        if cached is None:
            record = self.rows[key]
            if brief:
                record = {
                    name: value for name, value in record.items() if name not in self.obj.nested
                }
            cached = encode(record)
            self._encoded[(key, brief)] = cached
        return cached

    def deflated(self, key: RecordKey, *, brief: bool = False) -> bytes:
        """The JSON of one record as a raw deflate block that joins others into a page."""
        cached = self._deflated.get((key, brief))
        if cached is None:
            cached = deflate_block(self.encoded(key, brief=brief))
            self._deflated[(key, brief)] = cached
        return cached


@dataclass
class Store:
    """Every table of one sandboxed Insightly instance.

    Attributes:
        tables: one table per object path, custom objects (`Fruit__c`) included.
        custom_fields: custom field definitions by object path, as `/CustomFields/{path}`
            answers them.
        custom_objects: the definitions `/CustomObjects` answers.
        children: per-record collections that are not objects of their own
            (`FileAttachments`, `Comments`, `StateHistory`), by (path, id, sub-resource).
        follows: the records the API user follows, as (path, id).
        instance: what `/Instance` answers.
        permissions: what `/Permissions` answers.
        sequences: the last id handed out per numbered thing that has no table of its own
            (`DATE_ID`, `COMMENT_ID`, ...), by name; writes fill it on first use.
        clock: the source of "now" for `DATE_UPDATED_UTC`; tests may replace it.
    """

    tables: dict[str, Table] = field(default_factory=dict)
    custom_fields: dict[str, list[Record]] = field(default_factory=dict)
    custom_objects: list[Record] = field(default_factory=list)
    children: dict[tuple[str, int, str], list[Record]] = field(default_factory=dict)
    follows: set[tuple[str, int]] = field(default_factory=set)
    instance: Record = field(default_factory=dict)
    permissions: Record = field(default_factory=dict)
    next_link_id: int = 1
    sequences: dict[str, int] = field(default_factory=dict)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        """Create an empty table for every object of the catalogue."""
        for obj in OBJECTS:
            if not obj.singleton and obj.path not in self.tables:
                self.tables[obj.path] = Table(obj)

    def now(self) -> str:
        """The current time as a record timestamp, to the second."""
        return format_timestamp(self.clock())

    def add_custom_object(self, definition: Record, fields: list[Record]) -> Table:
        """Define a custom object (`Fruit__c`) with its custom fields and an empty table."""
        name = definition["OBJECT_NAME"]
        self.custom_objects.append(definition)
        self.custom_fields[name] = fields
        table = Table(custom_object(name))
        self.tables[name] = table
        return table

    def table(self, path: str) -> Table | None:
        """The table at a path, matched exactly as Insightly matches object names."""
        return self.tables.get(path)

    def object_for_record_name(self, record_name: str) -> InsightlyObject | None:
        """The object a singular link name (`Contact`, `Fruit__c`) refers to."""
        obj = BY_RECORD_NAME.get(record_name)
        if obj is not None:
            return obj
        table = self.tables.get(record_name)
        return table.obj if table is not None and table.obj.path not in BY_PATH else None

    def records(self, path: str) -> Iterator[Record]:
        """Every record of a table in page order."""
        return iter(self.tables[path].rows.values())

    def touch(self, path: str, key: RecordKey) -> None:
        """Mark a record changed now: move its update timestamp, drop its encodings."""
        table = self.tables[path]
        record = table.rows[key]
        updated = table.obj.updated_field
        if updated is not None:
            record[updated] = self.now()
        table.forget(key)

    def add_link(self, link: Record) -> Record:
        """Link two records: the link appears in both records' LINKS, seen from each side.

        `link` holds `OBJECT_NAME`, `OBJECT_ID`, `LINK_OBJECT_NAME`, `LINK_OBJECT_ID` and
        optionally `ROLE`, `DETAILS`, `RELATIONSHIP_ID`, with singular object names.
        """
        forward = {
            "LINK_ID": self.next_link_id,
            "OBJECT_NAME": link["OBJECT_NAME"],
            "OBJECT_ID": link["OBJECT_ID"],
            "LINK_OBJECT_NAME": link["LINK_OBJECT_NAME"],
            "LINK_OBJECT_ID": link["LINK_OBJECT_ID"],
            "ROLE": link.get("ROLE"),
            "DETAILS": link.get("DETAILS"),
            "RELATIONSHIP_ID": link.get("RELATIONSHIP_ID"),
            "IS_FORWARD": True,
        }
        self.next_link_id += 1
        reverse = {
            **forward,
            "OBJECT_NAME": forward["LINK_OBJECT_NAME"],
            "OBJECT_ID": forward["LINK_OBJECT_ID"],
            "LINK_OBJECT_NAME": forward["OBJECT_NAME"],
            "LINK_OBJECT_ID": forward["OBJECT_ID"],
            "IS_FORWARD": False,
        }
        for side in (forward, reverse):
            self._links_of(side["OBJECT_NAME"], side["OBJECT_ID"]).append(side)
        return forward

    def remove_link(self, link_id: int) -> bool:
        """Remove a link from both records it joins; False if no record holds it."""
        found = False
        for table in self.tables.values():
            if LINKS not in table.obj.nested:
                continue
            for key, record in table.rows.items():
                links = record.get(LINKS) or []
                kept = [entry for entry in links if entry["LINK_ID"] != link_id]
                if len(kept) != len(links):
                    record[LINKS] = kept
                    table.forget(key)
                    found = True
        return found

    def _links_of(self, record_name: str, record_id: int) -> list[Record]:
        """The LINKS list of a record named by its singular object name and id."""
        obj = self.object_for_record_name(record_name)
        if obj is None:
            msg = f"unknown object name {record_name!r}"
            raise KeyError(msg)
        table = self.tables[obj.path]
        record = table.rows[record_id]
        table.forget(record_id)
        links: list[Record] = record.setdefault(LINKS, [])
        return links
