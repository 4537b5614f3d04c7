"""The sink of one stream: each record written to Insightly as it arrives.

A record with its id field updates that record (PUT). One without is matched on the stream's
upsert key where one is set (`GET /{Object}/Search`) and updated or created, else created
(POST). The ledger skips a record whose body is the one last written for the same source key,
and gives the Insightly id of one written before, so neither a search nor a second create is
needed. Insightly's refusals go to the dead letters with their status and message; the run goes
on with the next record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import InvalidRecord
from singer_sdk.sinks import RecordSink
from singer_sdk.sinks.core import BaseJSONSchemaValidator
from typing_extensions import override

from tap_insightly.catalogue import BY_STREAM, CUSTOM_OBJECT_RECORD, LINKS
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
from target_insightly.writer import Record, Refused, Writer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from target_insightly.target import TargetInsightly


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
        self.upsert_field = self.settings.upsert_keys.get(stream_name)
        self.writer = Writer(
            target.session,
            self.settings.base_url,
            self.obj,
            dry_run=self.settings.dry_run,
            logger=self.logger,
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
        try:
            outcome = self._write(record, problem)
        except (AuthenticationError, DailyQuotaError):
            # The run stops here; what was written so far must not be written again.
            self.ledger.save()
            raise
        except Refused as refusal:
            self.dead_letters.add(self.stream_name, record, refusal.status, refusal.message)
            self.logger.warning(
                "A %s record was refused (%s): %s; it is in %s",
                self.stream_name,
                f"HTTP {refusal.status}" if refusal.status else "not sent",
                refusal.message,
                self.settings.dead_letter_path,
            )
            outcome = Outcome.FAILED
        self.tally.add(outcome)

    def _write(self, record: dict[str, Any], problem: str | None) -> Outcome:
        """Write one record, unless validation found a `problem` with it; what it led to.

        Raises:
            Refused: the record cannot be written, or Insightly refused it.
        """
        if problem:
            raise Refused(None, f"the record does not match its schema: {problem}")
        try:
            body = self.builder.body(record)
        except RecordError as error:
            raise Refused(None, str(error)) from None
        links = [link for link in record.get(LINKS) or () if isinstance(link, dict)]
        id_field = self.obj.id_field
        record_id = record.get(id_field) if id_field else None
        upsert_value = record.get(self.upsert_field) if self.upsert_field else None
        source_key = _source_key(id_field, record_id, self.upsert_field, upsert_value)
        fingerprint = digest({"body": body, "links": links})
        known = self.ledger.get(self.stream_name, source_key) if source_key else None
        if known is not None and known.digest == fingerprint:
            return Outcome.UNCHANGED

        try:
            answer, outcome = self._create_or_update(body, record_id, known, upsert_value)
        except RequestFailedError as error:
            raise Refused(error.status, str(error)) from None
        if answer is None:  # a dry run
            return outcome

        insightly_id = int(answer[str(id_field)])
        try:
            self.writer.add_links(insightly_id, links, answer)
        except RequestFailedError as error:
            raise Refused(error.status, str(error)) from None
        if source_key:
            self.ledger.put(self.stream_name, source_key, Entry(insightly_id, fingerprint))
        return outcome

    def _create_or_update(
        self,
        body: dict[str, Any],
        record_id: Any,  # noqa: ANN401 - any JSON value
        known: Entry | None,
        upsert_value: Any,  # noqa: ANN401 - any JSON value
    ) -> tuple[Record | None, Outcome]:
        if record_id is not None:
            return self.writer.update(_whole(record_id), body), Outcome.UPDATED
        if known is not None:
            return self.writer.update(known.insightly_id, body), Outcome.UPDATED
        if upsert_value is not None:
            match = self._match(upsert_value)
            if match is not None:
                matched_id = _whole(match[str(self.obj.id_field)])
                return self.writer.update(matched_id, body), Outcome.UPDATED
        return self._create(body, upsert_value), Outcome.CREATED

    def _match(self, upsert_value: Any) -> Record | None:  # noqa: ANN401 - any JSON value
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

    def _create(self, body: dict[str, Any], upsert_value: Any) -> Record | None:  # noqa: ANN401
        """POST a record; after an unknown outcome, look it up and POST again only if absent.

        The lookup is on the upsert key; without one, an unknown outcome is a refusal.

        Raises:
            Refused: the object cannot be created here, Insightly refused it, or the outcome
                stays unknown.
        """
        if not self.obj.create:
            msg = (
                f"{self.obj.path} records cannot be created with POST /{self.obj.path}; "
                f"send the record with its {self.obj.id_field} to update it"
            )
            raise Refused(None, msg)
        try:
            return self.writer.create(body)
        except WriteOutcomeUnknownError as error:
            if upsert_value is None:
                msg = (
                    f"{error}. The outcome is unknown: the record may or may not exist in "
                    "Insightly; check before sending it again, or set an upsert key for the "
                    "stream so that the target can check"
                )
                raise Refused(error.status, msg) from None
            self.logger.warning("%s; looking the record up before creating it again", error)
        found = self._match(upsert_value)
        if found is not None:
            return found
        try:
            return self.writer.create(body)
        except WriteOutcomeUnknownError as error:
            msg = f"{error}. The outcome is unknown after a second try; check in Insightly"
            raise Refused(error.status, msg) from None


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
