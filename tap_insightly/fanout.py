"""Streams read with one request per parent record, and the object streams that feed them.

- `opportunity_state_history`: `/Opportunities/{id}/StateHistory`, the states each went through.
- `file_attachments`: `/{Object}/{id}/FileAttachments` under every object that has them, custom
  objects included: the files' metadata and URL, never their content.
- `comments`: `/{Object}/{id}/Comments` under notes, tasks and e-mails.
- `ticket_comments`: `/Ticket/{id}/Comments`, which answers a ticket's conversation, of another
  shape than other comments.
- `email_bodies`: `/Emails/{id}`, each e-mail as the single-record endpoint answers it. The spec
  gives it the list's shape, so its schema is that of `emails`.

Records of file attachments and comments do not say whose they are, so each gets the parent's
`OBJECT_NAME` (singular, as links name objects) and `OBJECT_ID`.

Each parent record costs a request (a page), so none of these streams is selected by default,
and each visits only the parents its parent streams read in this run: an object read
incrementally hands over the records changed since its bookmark (`ParentStream`). E-mails have
no update timestamp and are read in full every run; under them a stream visits each e-mail
once, keeping the highest EMAIL_ID visited in its state. Ids grow with creation, and the API
has no update of an e-mail itself, only of what hangs on it (tags, links, comments).

Known shortcomings, each with its remedy:

- A parent stream left unselected moves no bookmark, so every run visits all its records; a
  warning says so. Selecting the parent stream as well makes the next runs visit only changes.
- A fan-out stream selected after its parent stream already has a bookmark visits only the
  parents changed since. Clearing the parent stream's bookmark once reads them all.
- A comment added to an old e-mail is not seen, nor a tag or link in `email_bodies`, since
  nothing tells that the e-mail changed. Only reading every e-mail every run would see them.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from tap_insightly.catalogue import BY_PATH, SUB_RESOURCES, InsightlyObject, sub_resource
from tap_insightly.schema_loader import load_schema
from tap_insightly.stream_base import PLAN_STATUSES, InsightlyStream, counted
from tap_insightly.streams import ObjectStream
from tap_insightly.values import TimestampConverter

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import requests
    from singer_sdk.helpers.types import Context, Record
    from singer_sdk.streams import Stream

    from tap_insightly.catalogue import SubResource
    from tap_insightly.tap import TapInsightly

#: The context keys of a hand-over: the parent stream's name and the ids of its records.
PARENT = "parent"
PARENT_IDS = "parent_ids"

#: Parent records handed over at a time. Each hand-over is one run of the SDK's child sync,
#: which writes a SCHEMA and a STATE message per child stream, so records go in batches.
PARENT_BATCH = 100

#: The fields naming the parent of a record that does not name it itself.
OBJECT_NAME = "OBJECT_NAME"
OBJECT_ID = "OBJECT_ID"

#: The state key of the highest id visited, by parent stream, for parents read in full.
VISITED_KEY = "highest_id_visited"

#: The sub-resources read per parent record. Links are not: records carry theirs (`links.py`).
FAN_OUT_SUB_RESOURCES: tuple[SubResource, ...] = tuple(
    sub for sub in SUB_RESOURCES if sub.stream and sub.name != "Links"
)

_EMAILS = BY_PATH["Emails"]

#: The name of the stream of e-mails read one by one.
EMAIL_BODIES = "email_bodies"

#: Every fan-out stream's name.
FAN_OUT_STREAMS: tuple[str, ...] = (
    *(sub.stream for sub in FAN_OUT_SUB_RESOURCES if sub.stream),
    EMAIL_BODIES,
)

_LABELS = {OBJECT_NAME: {"type": ["string", "null"]}, OBJECT_ID: {"type": ["integer", "null"]}}


class ParentUnreachableError(Exception):
    """A parent record answered 403 or 404: deleted since it was read, or hidden from the key."""

    def __init__(self, status: int, url: str) -> None:
        """Keep how Insightly said no."""
        super().__init__(f"HTTP {status} from {url}")
        self.status = status


class ParentStream(ObjectStream):
    """An object stream whose records feed child streams, handed over in batches.

    A hand-over is one context, which the SDK gives to every child stream: this stream's name
    and the ids of the records read since the last one, plus whatever a subclass holds for its
    own children (`hold`, `hand_over`). Only records the stream passes on are handed over, so
    an incremental run hands over only the records changed since the bookmark.
    """

    _ids: list[int]
    _held: int

    @override
    def begin_sync(self, context: Context | None) -> None:
        self._ids = []
        self._held = 0
        super().begin_sync(context)

    @override
    def generate_child_contexts(
        self, record: Record, context: Context | None
    ) -> Iterable[Context | None]:
        if not any(child.selected for child in self.child_streams):
            return
        self.hold(record)
        self._held += 1
        if self._held >= PARENT_BATCH or self.at_last_record:
            self._held = 0
            yield self.hand_over()

    def hold(self, record: Record) -> None:
        """Keep what the child streams need of `record` until the next hand-over."""
        key = record.get(self.obj.id_field or "")
        if isinstance(key, int):
            self._ids.append(key)

    def hand_over(self) -> dict[str, Any]:
        """The context of one hand-over; what was held is given away."""
        ids, self._ids = self._ids, []
        return {PARENT: self.name, PARENT_IDS: ids}

    @override
    def describe_end(self) -> str:
        visits = "".join(
            child.describe_visits(self.name)
            for child in self.child_streams
            if isinstance(child, FanOutStream) and child.selected
        )
        return super().describe_end() + visits


class FanOutStream(InsightlyStream):
    """Records read with one request (a page) per parent record its parent streams hand over.

    The SDK makes a stream the child of every stream of exactly one class, its
    `parent_stream_type`; these streams read under objects of several classes, and not under
    every object of a class. So each adds itself to the `child_streams` of the streams it
    reads under, its `parents`, and `parent_stream_type` stays unset. The SDK then also syncs
    each once on its own, without a context: that sync reads nothing.
    """

    selected_by_default = False

    def __init__(
        self,
        tap: TapInsightly,
        target: InsightlyObject,
        schema: dict[str, Any],
        parents: Sequence[ObjectStream],
        *,
        labelled: bool,
    ) -> None:
        """Read `target` (its path has `{object}` and `{id}`) under each of `parents`' records.

        With `labelled`, each record gets its parent's OBJECT_NAME and OBJECT_ID.
        """
        if labelled:
            schema = {**schema, "properties": {**schema["properties"], **_LABELS}}
        super().__init__(tap, target, schema, target.path)
        # One state for the stream, not one per parent record or hand-over.
        self.state_partitioning_keys = []
        self.parents = {parent.name: parent for parent in parents}
        for parent in parents:
            parent.child_streams.append(self)
        self._labelled = labelled
        self._timestamps = TimestampConverter(schema)
        self._batch: tuple[str, list[int]] = ("", [])
        self._warned: set[str] = set()
        self.visited: Counter[str] = Counter()
        self.emitted: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.unreachable: Counter[str] = Counter()

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # A sync here covers one hand-over, never the whole table: a target told that a version
        # is complete would delete every record of the other hand-overs.
        return False

    @override
    def validate_response(self, response: requests.Response) -> None:
        if response.status_code in PLAN_STATUSES:
            raise ParentUnreachableError(response.status_code, response.url)
        super().validate_response(response)

    @override
    def preprocess_context(self, context: Context) -> Context:
        # The ids stay out of the context, which the SDK logs and copies.
        ids = [key for key in context.get(PARENT_IDS) or () if isinstance(key, int)]
        self._batch = (str(context.get(PARENT)), ids)
        return {PARENT: context.get(PARENT)}

    @override
    def get_records(self, context: Context | None) -> Iterable[Record]:
        if context is None:
            # The SDK's sync of the stream on its own; records come only with hand-overs.
            return
        name, ids = self._batch
        self._batch = ("", [])
        parent = self.parents[name]
        self._warn_once(parent)
        # Without an update timestamp a parent never shows a change: each is visited once.
        if parent.obj.updated_field is not None:
            for key in ids:
                yield from self._visit(parent, key)
            return
        visited = self.stream_state.setdefault(VISITED_KEY, {})
        for key in ids:
            highest = visited.get(name)
            if isinstance(highest, int) and key <= highest:
                self.skipped[name] += 1
                continue
            yield from self._visit(parent, key)
            visited[name] = max(highest, key) if isinstance(highest, int) else key

    def _visit(self, parent: ObjectStream, key: int) -> Iterator[Record]:
        """The records under one parent record, each named after it if the stream says so."""
        quota = self.insightly.session.quota
        sent_before = quota.sent
        self.visited[parent.name] += 1
        try:
            for record in self.request_records({"object": parent.obj.path, "id": key}):
                self.emitted[parent.name] += 1
                if self._labelled:
                    record[OBJECT_NAME] = parent.obj.record_name
                    record[OBJECT_ID] = key
                yield self._timestamps(record)
        except ParentUnreachableError as unreachable:
            self.unreachable[parent.name] += 1
            self.logger.debug("%s: %s skipped: %s", self.name, parent.name, unreachable)
        finally:
            self.sent[parent.name] += quota.sent - sent_before

    def _warn_once(self, parent: ObjectStream) -> None:
        """Say once per run that a parent stream left unselected makes every run visit all."""
        if parent.selected or not parent.incremental or parent.name in self._warned:
            return
        self._warned.add(parent.name)
        self.logger.warning(
            "%s: %s is not selected, so it moves no bookmark and every run visits all its "
            "records, one request each. Select %s as well to visit only the records changed "
            "since the last run.",
            self.name,
            parent.name,
            parent.name,
        )

    def describe_visits(self, parent: str) -> str:
        """What this stream read under one parent stream, for that stream's end line."""
        if not self.visited[parent]:
            return ""
        return (
            f", {counted(self.emitted[parent], self.name + ' record')} from "
            f"{counted(self.sent[parent], 'request')}"
        )

    @override
    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        if not self.selected:
            return
        under = ", ".join(
            f"{self.visited[name]:,} {name}" for name in self.parents if self.visited[name]
        )
        skipped = self.skipped.total()
        self.logger.info(
            "%s: %s emitted from %s, %s%s%s",
            self.name,
            counted(self.emitted.total(), "record"),
            counted(self.visited.total(), "parent record"),
            counted(self.sent.total(), "request"),
            f" ({under})" if under else "",
            f"; {counted(skipped, 'parent record')} visited in an earlier run left out"
            if skipped
            else "",
        )
        if self.unreachable.total():
            self.logger.warning(
                "%s: %s answered 403 or 404 and gave nothing: deleted since they were read, "
                "or hidden from the API key's user. Nothing to do unless the key's user should "
                "see them.",
                self.name,
                counted(self.unreachable.total(), "parent record"),
            )

    @override
    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        # The SDK announces each hand-over's sync and each empty answer; a run has thousands.
        # The parents' end lines and `log_sync_costs` say what the stream did.
        super().log(
            message, *args, level=logging.DEBUG if level == logging.INFO else level, **kwargs
        )


def reads_under(obj: InsightlyObject) -> bool:
    """Whether a fan-out stream reads under the records of `obj`."""
    return obj.path == _EMAILS.path or any(
        sub_resource(obj, sub.name) is sub for sub in FAN_OUT_SUB_RESOURCES
    )


def fan_out_streams(tap: TapInsightly, streams: Iterable[Stream]) -> list[FanOutStream]:
    """The fan-out streams, each added to the child streams of the streams it reads under."""
    parents = [stream for stream in streams if isinstance(stream, ParentStream)]
    built: list[FanOutStream] = []
    for sub in FAN_OUT_SUB_RESOURCES:
        under = [parent for parent in parents if sub_resource(parent.obj, sub.name) is sub]
        target = InsightlyObject(
            path=f"{{object}}/{{id}}/{sub.name}",
            stream=str(sub.stream),
            key=sub.key,
            paged=sub.paged,
        )
        schema = load_schema(target.stream)
        # Records that carry their parent's id field already say whose they are.
        labelled = not any(
            parent.obj.id_field in schema["properties"] for parent in under if parent.obj.id_field
        )
        built.append(FanOutStream(tap, target, schema, under, labelled=labelled))
    emails = [parent for parent in parents if parent.obj.path == _EMAILS.path]
    target = InsightlyObject(
        path=f"{_EMAILS.path}/{{id}}",
        stream=EMAIL_BODIES,
        key=_EMAILS.key,
        paged=False,
        singleton=True,
    )
    built.append(FanOutStream(tap, target, load_schema(_EMAILS.stream), emails, labelled=False))
    return built
