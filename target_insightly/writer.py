"""The calls that write one stream's records into Insightly, or log them in a dry run.

Every call goes through the target's one `InsightlySession`, so the rate limit, the retries and
the quota are shared by all sinks. An answer Insightly gives to refuse a record (400 validation,
402 record limit, 403, 404, 417) becomes a `Refused` carrying its status and Insightly's own
message; the stops no record can work around (401, daily quota) pass through as the session's
exceptions.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tap_insightly.catalogue import BY_PATH, LINKS
from tap_insightly.discovery import refusal_message

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import requests

    from tap_insightly.catalogue import InsightlyObject
    from tap_insightly.client import InsightlySession

Record = dict[str, Any]

#: The parts of a link a body for `POST /{Object}/{id}/Links` takes.
_LINK_FIELDS = ("LINK_OBJECT_NAME", "LINK_OBJECT_ID", "ROLE", "DETAILS")


class Refused(Exception):  # noqa: N818 - names what Insightly did, as RequestFailedError does
    """Insightly refused a record, or it cannot be sent; the record goes to the dead letters.

    Attributes:
        status: the HTTP status of the refusal, or None when no request was answered.
        message: why, in Insightly's words where it gave any.
    """

    def __init__(self, status: int | None, message: str) -> None:
        """Keep the status next to the message."""
        super().__init__(message)
        self.status = status
        self.message = message


class Writer:
    """Searches, creates, updates and links the records of one Insightly object."""

    def __init__(
        self,
        session: InsightlySession,
        base_url: str,
        obj: InsightlyObject,
        *,
        dry_run: bool,
        logger: logging.Logger | None = None,
    ) -> None:
        """Write `obj`'s records through `session`; in a dry run, only log the writes."""
        self.session = session
        self.url = base_url + obj.path
        self.obj = obj
        self.dry_run = dry_run
        self.logger = logger or logging.getLogger(__name__)

    def search(self, field: str, value: Any) -> list[Record]:  # noqa: ANN401 - any JSON value
        """The records whose `field` equals `value`, at most two: enough to know if it is one."""
        params: dict[str, str | int] = {
            "field_name": field,
            "field_value": _query_value(value),
            "top": 2,
        }
        response = self.session.get(self.url + "/Search", params=params)
        answer = self._answer(response)
        return [entry for entry in answer if isinstance(entry, dict)] if answer else []

    def create(self, body: Mapping[str, Any]) -> Record | None:
        """POST a new record; its answer, or None in a dry run.

        Raises:
            Refused: Insightly refused the record.
            WriteOutcomeUnknownError: the POST may or may not have been applied.
        """
        if self.dry_run:
            self.logger.debug("Dry run: would POST /%s with %s", self.obj.path, sorted(body))
            return None
        return dict(self._answer(self.session.post(self.url, json=body)))

    def update(self, insightly_id: int, body: Mapping[str, Any]) -> Record | None:
        """PUT the fields of `body` onto record `insightly_id`; its answer, or None in a dry run.

        Raises:
            Refused: Insightly refused the change.
        """
        id_field = str(self.obj.id_field)
        if self.dry_run:
            self.logger.debug(
                "Dry run: would PUT /%s %s=%d with %s",
                self.obj.path,
                id_field,
                insightly_id,
                sorted(body),
            )
            return None
        response = self.session.put(self.url, json={**body, id_field: insightly_id})
        return dict(self._answer(response))

    def add_links(
        self, insightly_id: int, links: Iterable[Mapping[str, Any]], answer: Record
    ) -> int:
        """Add the links the record lacks, as Insightly answered the write; how many were added.

        Raises:
            Refused: Insightly refused a link; the message says the record itself was written.
        """
        present = {_link_key(link) for link in answer.get(LINKS) or () if isinstance(link, dict)}
        added = 0
        for link in links:
            body = {name: link[name] for name in _LINK_FIELDS if link.get(name) is not None}
            body["LINK_OBJECT_NAME"] = _singular(body.get("LINK_OBJECT_NAME"))
            if _link_key(body) in present:
                continue
            response = self.session.post(f"{self.url}/{insightly_id}/Links", json=body)
            try:
                self._answer(response)
            except Refused as refusal:
                msg = (
                    f"{self.obj.id_field} {insightly_id} was written, but its link to "
                    f"{body.get('LINK_OBJECT_NAME')} {body.get('LINK_OBJECT_ID')} was refused: "
                    f"{refusal.message}"
                )
                raise Refused(refusal.status, msg) from None
            present.add(_link_key(body))
            added += 1
        return added

    def _answer(self, response: requests.Response) -> Any:  # noqa: ANN401 - any JSON value
        if response.status_code not in {HTTPStatus.OK, HTTPStatus.CREATED}:
            raise Refused(response.status_code, refusal_message(response))
        try:
            return response.json()
        except ValueError:
            msg = f"{response.request.method} {response.url} answered a body that is not JSON"
            raise Refused(response.status_code, msg) from None


def _link_key(link: Mapping[str, Any]) -> tuple[str, Any]:
    return _singular(link.get("LINK_OBJECT_NAME")), link.get("LINK_OBJECT_ID")


def _singular(name: Any) -> str:  # noqa: ANN401 - any JSON value
    """The singular name links take (`Organisation`), also for a path given (`Organisations`)."""
    text = str(name or "")
    obj = BY_PATH.get(text)
    return obj.record_name if obj is not None and obj.record_name else text


def _query_value(value: Any) -> str:  # noqa: ANN401 - any JSON value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
