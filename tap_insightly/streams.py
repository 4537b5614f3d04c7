"""The streams of Insightly objects, each built from its entry in the catalogue.

- `ObjectStream`: one object's records, in full from `/{path}`, or incrementally from
  `/{path}/Search` with `updated_after_utc`, custom fields typed, timestamps in RFC 3339.
- `TagsStream`: the tag names in use, which Insightly lists one record type at a time.
- `DiscoveredStream`: custom objects and custom field definitions, as discovery received them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib.catalog import REPLICATION_INCREMENTAL
from singer_sdk.streams import Stream
from typing_extensions import override

from tap_insightly.bookmarks import (
    LEDGER_KEY,
    Ledger,
    SameSecondFilter,
    content_hash,
    record_key,
)
from tap_insightly.catalogue import BY_STREAM, OBJECTS, TAGS
from tap_insightly.custom_fields import FLATTEN, CustomFields
from tap_insightly.schema_loader import load_schema
from tap_insightly.stream_base import InsightlyStream, PlanRefusedError, counted
from tap_insightly.values import TimestampConverter, parse_timestamp, query_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk.helpers.types import Context, Record

    from tap_insightly.catalogue import InsightlyObject, Plan
    from tap_insightly.tap import TapInsightly

#: The objects whose tags `/Tags?record_type=` lists, one request (or more) each.
TAGGED_OBJECTS = tuple(obj for obj in OBJECTS if TAGS in obj.nested)

#: The query parameter naming the record type at `/Tags`.
RECORD_TYPE = "record_type"

_ONE_SECOND = dt.timedelta(seconds=1)


class ObjectStream(InsightlyStream):
    """The records of one Insightly object (or custom object), as the catalogue describes it.

    Objects with `/Search` and an update timestamp are read incrementally: from one second
    before the bookmark (or start_date), since Insightly's filter is exclusive and to the
    second. Pages come in record-id order, not update order, so the stream is unsorted and its
    bookmark, the latest update emitted, is saved only when the stream completes. Records of
    the bookmark's own second come back on the next run; `bookmarks.SameSecondFilter` lets
    through only those that are new or changed.
    """

    def __init__(
        self,
        tap: TapInsightly,
        obj: InsightlyObject,
        custom_field_definitions: list[Record],
        *,
        schema_name: str | None = None,
    ) -> None:
        """Build the stream of `obj` with its schema (`schema_name`, by default its stream's)."""
        base_schema = load_schema(schema_name or obj.stream)
        schema = base_schema
        if obj.has_custom_fields:
            fields = CustomFields(custom_field_definitions, object_name=obj.path)
            schema = fields.schema(base_schema, tap.settings.custom_fields)
        super().__init__(tap, obj, schema, f"{obj.path}/Search" if obj.incremental else obj.path)
        if obj.incremental:
            self.replication_key = obj.updated_field
        self._definitions = custom_field_definitions
        # Custom field values are typed by `CustomFields`; the base schema's timestamps here.
        self._timestamps = TimestampConverter(base_schema)
        self._custom_fields: CustomFields | None = None
        self._start: dt.datetime | None = None
        self._filter: SameSecondFilter | None = None

    @property
    @override
    def is_sorted(self) -> bool:
        # Insightly pages in record-id order; update timestamps rise and fall across pages.
        return False

    @property
    def incremental(self) -> bool:
        """Whether this run reads from a bookmark (the catalog may force a full table)."""
        return self.replication_method == REPLICATION_INCREMENTAL and bool(self.replication_key)

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> str | None:
        # The bookmark may not pass the moment the run started: a record changed during the run,
        # on a page already read, must be read again next time. Written like record timestamps
        # so that the SDK's comparison of the two, as strings, compares moments.
        if not self.replication_key:
            return None
        started = dt.datetime.fromtimestamp(
            self.insightly.initialized_at / 1000, tz=dt.timezone.utc
        )
        return query_timestamp(started)

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        if self._start is not None:
            params["updated_after_utc"] = query_timestamp(self._start - _ONE_SECOND)
        return params

    @override
    def begin_sync(self, context: Context | None) -> None:
        self._start = self.get_starting_timestamp(context) if self.incremental else None
        self._filter = None
        if self.incremental:
            stored = Ledger.from_state(self.stream_state.get(LEDGER_KEY))
            self._filter = SameSecondFilter(stored, self._start)
        if self.obj.has_custom_fields:
            self._custom_fields = CustomFields(
                self._column_definitions(), object_name=self.obj.path, logger=self.logger
            )
        super().begin_sync(context)

    @override
    def describe_start(self) -> str:
        if not self.incremental:
            return "full table"
        if self._start is None:
            return "incremental, first run without start_date: every record"
        start_date = self.config.get("start_date")
        origin = "bookmark"
        if start_date and parse_timestamp(str(start_date)) == self._start:
            origin = "start_date"
        return (
            f"incremental from {query_timestamp(self._start)} ({origin}), asking for records "
            f"updated after {query_timestamp(self._start - _ONE_SECOND)}"
        )

    @override
    def describe_end(self) -> str:
        if self._filter is None or not self._filter.unchanged:
            return ""
        return f" ({self._filter.unchanged} re-read unchanged in the bookmark's second left out)"

    @override
    def prepare_record(self, record: Record) -> Record | None:
        prepared = self._timestamps(record)
        if self._custom_fields is not None:
            prepared = self._custom_fields.record(prepared, self.insightly.settings.custom_fields)
        if self._filter is None or self.replication_key is None:
            return prepared
        updated = prepared.get(self.replication_key)
        moment = parse_timestamp(updated) if isinstance(updated, str) else None
        key = record_key(prepared, self.primary_keys)
        return prepared if self._filter.admit(key, moment, lambda: content_hash(prepared)) else None

    @override
    def end_sync(self) -> None:
        # Written before the SDK saves the bookmark, which follows the last record, so the two
        # always leave in the same STATE message. A stream synced only for its child streams
        # moves no bookmark, so it keeps its ledger too.
        if self._filter is not None and self.selected:
            signpost = self.get_replication_key_signpost()
            ceiling = parse_timestamp(signpost) if signpost else None
            ledger = self._filter.ledger(ceiling)
            if ledger is not None:
                self.stream_state[LEDGER_KEY] = ledger.to_state()
        super().end_sync()

    def _column_definitions(self) -> list[Record]:
        """The definitions to type records with, in flatten mode only those the schema has.

        A catalog discovered earlier lacks the columns of custom fields created since; their
        values then stay in CUSTOMFIELDS rather than become columns the target never declared.
        """
        if self.insightly.settings.custom_fields != FLATTEN:
            return self._definitions
        columns = self.effective_schema.get("properties", {})
        return [entry for entry in self._definitions if entry.get("FIELD_NAME") in columns]


class TagsStream(InsightlyStream):
    """Every tag name in use, once: `/Tags?record_type=` for each object that carries TAGS.

    Insightly lists tags one record type at a time; the same name on contacts and on leads is
    one tag here, as the stream's key (TAG_NAME) says. Names compare without regard to case,
    as Insightly compares them.
    """

    def __init__(self, tap: TapInsightly) -> None:
        """Build the stream of the catalogue's `Tags` object."""
        obj = BY_STREAM["tags"]
        super().__init__(tap, obj, load_schema(obj.stream), obj.path)
        self._reading: InsightlyObject | None = None

    @override
    def refusing_plan(self) -> Plan | None:
        return None if self._reading is None else self._reading.plan

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        if context is not None:
            params[RECORD_TYPE] = context[RECORD_TYPE]
        return params

    @override
    def fetch(self, context: Context | None) -> Iterator[Record]:
        seen: set[str] = set()
        for tagged in TAGGED_OBJECTS:
            self._reading = tagged
            try:
                for record in self.request_records({RECORD_TYPE: tagged.path.lower()}):
                    folded = str(record.get("TAG_NAME")).casefold()
                    if folded not in seen:
                        seen.add(folded)
                        yield record
            except PlanRefusedError as refusal:
                # The object's own stream warns about the plan; here it is only a note.
                self.logger.info(
                    "%s: no tags of %s, which the plan lacks (HTTP %d)",
                    self.name,
                    tagged.path,
                    refusal.status,
                )
        self._reading = None


class DiscoveredStream(Stream):
    """Definitions the tap read at discovery (custom objects or custom fields), emitted as read.

    Discovery already asked Insightly for them; asking again would cost requests for nothing.
    """

    def __init__(self, tap: TapInsightly, obj: InsightlyObject, entries: Iterable[Record]) -> None:
        """Emit `entries` as the records of `obj`'s stream."""
        schema = load_schema(obj.stream)
        super().__init__(tap, schema=schema, name=obj.stream)
        self.insightly = tap
        self.primary_keys = obj.key
        self._entries = tuple(entries)
        self._timestamps = TimestampConverter(schema)

    @override
    def get_records(self, context: Context | None) -> Iterable[Record]:
        self.logger.info("%s: full table, as discovery read it", self.name)
        for entry in self._entries:
            yield self._timestamps(entry)
        self.logger.info(
            "%s: %s emitted, no request of its own, quota %s",
            self.name,
            counted(len(self._entries), "record"),
            self.insightly.session.quota.describe(),
        )
