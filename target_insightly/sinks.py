"""The sink of one stream: each record written to Insightly as it arrives.

A record with its id field updates that record (PUT). One without is matched on the stream's
upsert key where one is set (`GET /{Object}/Search`) and updated or created, else created
(POST). The ledger skips a record whose body is the one last written for the same source key,
and gives the Insightly id of one written before, so neither a search nor a second create is
needed. Insightly's refusals go to the dead letters with their status and message; the run goes
on with the next record.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import InvalidRecord
from singer_sdk.sinks import RecordSink
from singer_sdk.sinks.core import BaseJSONSchemaValidator
from typing_extensions import override

from tap_insightly.catalogue import BY_STREAM, CUSTOM_OBJECT_RECORD
from tap_insightly.client import (
    AuthenticationError,
    DailyQuotaError,
    RequestFailedError,
    WriteOutcomeUnknownError,
)
from tap_insightly.custom_fields import CustomFields
from tap_insightly.schema_loader import load_schema
from target_insightly.body import BodyBuilder, RecordError
from target_insightly.ledger import Entry, digest
from target_insightly.outcomes import Outcome
from target_insightly.translate import NOTES, Unresolved, links_of, note_parent
from target_insightly.writer import Parent, Record, Refused, Writer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from target_insightly.target import TargetInsightly


#: How far back to look for a record whose create lost its answer: clocks differ.
LOOKBACK = dt.timedelta(minutes=10)
#: A record's pipeline and stage, and an opportunity's price book, are set through
#: `/{Object}/{id}/Pipeline` and `/Opportunities/{id}/Pricebook`, not the record's body.
PIPELINE = "Pipeline"
PIPELINE_ID = "PIPELINE_ID"
STAGE_ID = "STAGE_ID"
PRICEBOOK = "Pricebook"
PRICEBOOK_ID = "PRICEBOOK_ID"


class _NotingValidator(BaseJSONSchemaValidator):
    """Validates as the SDK would, but notes a failure for the sink instead of ending the run.

    The SDK validates a record just before handing it to `process_record`, in the same thread,
    so the note taken there is that record's.
    """

    def __init__(self, inner: BaseJSONSchemaValidator) -> None:
        super().__init__(inner.schema)
        self.inner = inner
        self.problem: str | None = None

    @override
    def validate(self, record: dict[str, Any]) -> None:
        try:
            self.inner.validate(record)
        except InvalidRecord as error:
            self.problem = error.error_message

    def take(self) -> str | None:
        problem, self.problem = self.problem, None
        return problem


class ObjectSink(RecordSink):
    """Writes one stream's records into one Insightly object, a record at a time."""

    # A record that does not match its schema is dead-lettered, not a reason to stop the run.
    fail_on_record_validation_exception = False

    def __init__(
        self,
        target: TargetInsightly,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        """Set up the writer, the body builder and the counts for `stream_name`."""
        self._checker: _NotingValidator | None = None
        super().__init__(target, stream_name, schema, key_properties)
        self.obj = target.writable[stream_name]
        self.settings = target.settings
        self.ledger = target.ledger
        self.dead_letters = target.dead_letters
        self.tally = target.tally(stream_name)
        self.copying = target.copying
        self.upsert_field = self.settings.upsert_keys.get(stream_name)
        self.writer = Writer(
            target.session,
            self.settings.base_url,
            self.obj,
            dry_run=self.settings.dry_run,
            logger=self.logger,
            link_ids=target.link_ids,
        )
        known = BY_STREAM.get(stream_name)
        base = load_schema(known.stream if known else CUSTOM_OBJECT_RECORD.stream)
        definitions = target.discovery.fields_for(self.obj.field_for)
        self.builder = BodyBuilder(
            self.obj,
            [schema, base],
            CustomFields(definitions, object_name=self.obj.path, logger=self.logger),
        )

    @override
    def get_validator(self) -> BaseJSONSchemaValidator | None:
        inner = super().get_validator()
        self._checker = None if inner is None else _NotingValidator(inner)
        return self._checker

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        problem = self._checker.take() if self._checker else None
        self.handle(record, problem)

    def handle(self, record: dict[str, Any], problem: str | None = None) -> None:
        """Write one record, or let it wait for the records it names, or dead-letter it."""
        try:
            outcome = self._write(record, problem)
        except (AuthenticationError, DailyQuotaError):
            # The run stops here; what was written so far must not be written again.
            self.ledger.save()
            raise
        except Unresolved as waiting:
            self.copying.wait_for(self, record, waiting)
            return
        except Refused as refusal:
            self.refuse(record, refusal)
            outcome = Outcome.FAILED
        self.tally.add(outcome)

    def refuse(self, record: dict[str, Any], refusal: Refused) -> None:
        """Dead-letter a record with the reason, and say where it went."""
        self.dead_letters.add(self.stream_name, record, refusal.status, refusal.message)
        self.logger.warning(
            "A %s record was refused (%s): %s; it is in %s",
            self.stream_name,
            f"HTTP {refusal.status}" if refusal.status else "not sent",
            refusal.message,
            self.settings.dead_letter_path,
        )

    def _write(self, source: dict[str, Any], problem: str | None) -> Outcome:
        """Write one record, unless validation found a `problem` with it; what it led to.

        Raises:
            Refused: the record cannot be written, or Insightly refused it.
            Unresolved: copying, the record names source records not written here yet.
        """
        if problem:
            raise Refused(None, f"the record does not match its schema: {problem}")
        id_field = self.obj.id_field
        record_id = source.get(id_field) if id_field else None
        record = self.copying.translate(self.obj, source)
        parent = self._parent(record)
        try:
            body = self.builder.body(record)
        except RecordError as error:
            raise Refused(None, str(error)) from None
        links = links_of(source)
        upsert_value = record.get(self.upsert_field) if self.upsert_field else None
        source_key = _source_key(id_field, record_id, self.upsert_field, upsert_value)
        fingerprint = digest({"body": body, "links": links})
        known = self.ledger.get(self.stream_name, source_key) if source_key else None
        if known is not None and known.digest == fingerprint:
            self.copying.written(self.obj, record_id)
            return Outcome.UNCHANGED

        try:
            answer, outcome = self._create_or_update(
                body=body,
                record=record,
                record_id=record_id,
                known=known,
                upsert_value=upsert_value,
                parent=parent,
            )
        except RequestFailedError as error:
            raise Refused(error.status, str(error)) from None
        if answer is None:  # a dry run
            self.copying.assume(self.obj, record_id)
            return outcome

        insightly_id = int(answer[str(id_field)])
        if source_key:
            # Known before its pipeline and links are added: if they fail, the next run updates
            # this record rather than creating it a second time.
            self.ledger.put(self.stream_name, source_key, Entry(insightly_id, ""))
        self._place(insightly_id, record, answer)

        def complete() -> None:
            if source_key:
                self.ledger.put(self.stream_name, source_key, Entry(insightly_id, fingerprint))

        try:
            self.copying.add_links(
                self,
                insightly_id,
                outcome=outcome,
                record=source,
                answer=answer,
                on_complete=complete,
            )
        except RequestFailedError as error:
            raise Refused(error.status, str(error)) from None
        self.copying.written(self.obj, record_id)
        return outcome

    def _place(self, insightly_id: int, record: dict[str, Any], answer: Record) -> None:
        """Move the record to the pipeline, stage and price book it names, where it is not.

        Raises:
            Refused: Insightly refused the pipeline, the stage or the price book.
        """
        pipeline_id, stage_id = record.get(PIPELINE_ID), record.get(STAGE_ID)
        moved = (answer.get(PIPELINE_ID), answer.get(STAGE_ID)) != (pipeline_id, stage_id)
        changes: list[tuple[str, dict[str, Any]]] = []
        if PIPELINE in self.obj.sub_resources and pipeline_id is not None and moved:
            body: dict[str, Any] = {PIPELINE_ID: _whole(pipeline_id)}
            if stage_id is not None:
                body["PIPELINE_STAGE_CHANGE"] = {STAGE_ID: _whole(stage_id)}
            changes.append((PIPELINE, body))
        book_id = record.get(PRICEBOOK_ID)
        if PRICEBOOK in self.obj.sub_resources and book_id not in {None, answer.get(PRICEBOOK_ID)}:
            changes.append((PRICEBOOK, {PRICEBOOK_ID: _whole(book_id)}))
        try:
            for sub_resource, change in changes:
                self.writer.place(insightly_id, sub_resource, change)
        except RequestFailedError as error:
            raise Refused(error.status, str(error)) from None

    def _parent(self, record: dict[str, Any]) -> Parent | None:
        """The record this one is written under, for line items, entries, milestones, notes.

        Raises:
            Refused: the record does not name the parent it must be written under.
        """
        if self.obj.parent is not None:
            parent_path, parent_field = self.obj.parent
            parent_id = record.get(parent_field)
            if parent_id is None:
                msg = f"{parent_field} is required: a {self.stream_name} record is written under it"
                raise Refused(None, msg)
            return parent_path, _whole(parent_id)
        parent = note_parent(record) if self.obj.path == NOTES else None
        if parent is None:
            return None
        other, link = parent
        return other.path, _whole(link.get("LINK_OBJECT_ID"))

    def _create_or_update(  # noqa: PLR0913 - the record's parts, as the caller worked them out
        self,
        *,
        body: dict[str, Any],
        record: dict[str, Any],
        record_id: Any,  # noqa: ANN401 - any JSON value
        known: Entry | None,
        upsert_value: Any,  # noqa: ANN401 - any JSON value
        parent: Parent | None,
    ) -> tuple[Record | None, Outcome]:
        if known is not None:
            return self._update(known.insightly_id, body, parent), Outcome.UPDATED
        if record_id is not None and not self.copying.active:
            return self._update(_whole(record_id), body, parent), Outcome.UPDATED
        match = self._match(record, upsert_value)
        if match is not None:
            matched_id = _whole(match[str(self.obj.id_field)])
            if not self.obj.update or not body:
                return match, Outcome.UNCHANGED
            return self._update(matched_id, body, parent), Outcome.UPDATED
        try:
            create_only = self.builder.create_only(record)
        except RecordError as error:
            raise Refused(None, str(error)) from None
        created = self._create({**body, **create_only}, upsert_value, parent)
        if created is not None:
            self.copying.directory_note(self.obj, created)
        return created, Outcome.CREATED

    def _update(
        self, insightly_id: int, body: dict[str, Any], parent: Parent | None
    ) -> Record | None:
        """PUT `body` onto a record: under its parent for children, at `/Notes` for a note."""
        if not (self.obj.update or self.obj.parent):
            msg = f"{self.obj.path} records cannot be changed through the API"
            raise Refused(None, msg)
        return self.writer.update(insightly_id, body, parent if self.obj.parent else None)

    def _match(self, record: dict[str, Any], upsert_value: Any) -> Record | None:  # noqa: ANN401
        """The destination record this one is, by its upsert key or, copying, its natural key.

        Raises:
            Refused: several records match, so which to update is not known; or, copying,
                none matches a record of an object the API cannot create.
        """
        if upsert_value is not None:
            return self._search(upsert_value)
        return self.copying.match(self.obj, record)

    def _search(self, upsert_value: Any) -> Record | None:  # noqa: ANN401 - any JSON value
        """The one record whose upsert key field holds `upsert_value`, or None if none does.

        Raises:
            Refused: several records hold it, so which to update is not known.
        """
        matches = self.writer.search(str(self.upsert_field), upsert_value)
        if len(matches) > 1:
            msg = (
                f"ambiguous: several {self.obj.path} records have {self.upsert_field} "
                f"{upsert_value!r}; merge them in Insightly or send the record with its "
                f"{self.obj.id_field}"
            )
            raise Refused(None, msg)
        return matches[0] if matches else None

    def _create(
        self,
        body: dict[str, Any],
        upsert_value: Any,  # noqa: ANN401 - any JSON value
        parent: Parent | None,
    ) -> Record | None:
        """POST a record; after an unknown outcome, look it up and POST again only if absent.

        The lookup is on the upsert key where there is one, else on the fields sent, among the
        records changed since just before the POST that this target did not write before.

        Raises:
            Refused: the object cannot be created here, Insightly refused it, or the outcome
                stays unknown.
        """
        if not (self.obj.create or parent is not None):
            msg = f"{self.obj.path} records cannot be created through the API; " + (
                f"create it in Insightly first, so that it is matched on "
                f"{', '.join(self.obj.natural_key)}"
                if self.obj.natural_key
                else f"send the record with its {self.obj.id_field} to update it"
            )
            raise Refused(None, msg)
        # Clocks differ: look back far enough that the server's "now" is surely after it.
        since = dt.datetime.now(dt.timezone.utc) - LOOKBACK
        tries = 0
        while True:
            answer, lost = self._post(body, parent)
            if lost is None:
                return answer
            tries += 1
            if tries > self.settings.max_retries:
                msg = f"{lost}. The outcome stayed unknown after {tries} tries; check in Insightly"
                raise Refused(lost.status, msg)
            self.logger.warning("%s; looking the record up before creating it again", lost)
            found = self._created_before(body, upsert_value, parent, since, lost)
            if found is not None:
                return found

    def _post(
        self, body: dict[str, Any], parent: Parent | None
    ) -> tuple[Record | None, WriteOutcomeUnknownError | None]:
        """POST a record: its answer, or the error when whether it was stored is unknown."""
        try:
            return self.writer.create(body, parent), None
        except WriteOutcomeUnknownError as error:
            return None, error

    def _created_before(
        self,
        body: dict[str, Any],
        upsert_value: Any,  # noqa: ANN401 - any JSON value
        parent: Parent | None,
        since: dt.datetime,
        error: WriteOutcomeUnknownError,
    ) -> Record | None:
        """The record a POST whose answer was lost created, or None if it created none.

        Raises:
            Refused: several records could be the one, so which is not known.
        """
        if upsert_value is not None:
            return self._search(upsert_value)
        found = self.writer.find_created(body, parent, since, self.ledger.ids(self.stream_name))
        if len(found) > 1:
            msg = (
                f"{error}. {len(found)} records written since then hold what was sent, so "
                "whether it was stored is not known: check in Insightly, or set an upsert key "
                "for the stream"
            )
            raise Refused(error.status, msg)
        return found[0] if found else None


class SkippedSink(RecordSink):
    """Counts the records of a stream Insightly cannot take, and says so once."""

    def __init__(
        self,
        target: TargetInsightly,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        """Count `stream_name`'s records as skipped, with the reason logged once."""
        super().__init__(target, stream_name, schema, key_properties)
        self.tally = target.tally(stream_name)
        self.logger.warning(
            "%s is read-only in Insightly (or travels inside other records): its records are "
            "counted as skipped and not written. Deselect the stream to silence this.",
            stream_name,
        )

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        self.tally.add(Outcome.SKIPPED)


def _source_key(
    id_field: str | None,
    record_id: Any,  # noqa: ANN401 - any JSON value
    upsert_field: str | None,
    upsert_value: Any,  # noqa: ANN401 - any JSON value
) -> str | None:
    """How the ledger knows a record between runs: its id, else its upsert key value."""
    if id_field and record_id is not None:
        return f"{id_field}={record_id}"
    if upsert_field and upsert_value is not None:
        return f"{upsert_field}={upsert_value}"
    return None


def _whole(value: Any) -> int:  # noqa: ANN401 - any JSON value
    """An id as a whole number.

    Raises:
        Refused: the id is not one.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise Refused(None, f"the id {value!r} is not a whole number")
    try:
        number = int(value)
    except ValueError:
        raise Refused(None, f"the id {value!r} is not a whole number") from None
    if number != value and str(number) != value:
        raise Refused(None, f"the id {value!r} is not a whole number")
    return number
