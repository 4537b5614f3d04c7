"""The calls that write one stream's records into Insightly, or log them in a dry run.

Every call goes through the target's one `InsightlySession`, so the rate limit, the retries and
the quota are shared by all sinks. An answer Insightly gives to refuse a record (400 validation,
402 record limit, 403, 404, 417) becomes a `Refused` carrying its status and Insightly's own
message; the stops no record can work around (401, daily quota) pass through as the session's
exceptions.
"""

from __future__ import annotations

import logging
from collections import Counter
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tap_insightly.catalogue import BY_PATH, BY_RECORD_NAME, LINKS, sub_resource
from tap_insightly.client import WriteOutcomeUnknownError
from tap_insightly.discovery import refusal_message
from tap_insightly.values import query_timestamp

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping
    from collections.abc import Set as AbstractSet

    import requests

    from tap_insightly.catalogue import InsightlyObject
    from tap_insightly.client import InsightlySession

Record = dict[str, Any]

#: The record another one is written under: its object's path and its id (`("Pricebook", 7)`).
Parent = tuple[str, int]

#: The times Insightly stamps on a record itself.
_STAMPED = frozenset({"DATE_CREATED_UTC", "DATE_UPDATED_UTC"})
#: Records per page when looking through a list.
_PAGE = 500

#: The parts of a link a body for `POST /{Object}/{id}/Links` takes.
_LINK_FIELDS = ("LINK_OBJECT_NAME", "LINK_OBJECT_ID", "ROLE", "DETAILS", "RELATIONSHIP_ID")


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

    def __init__(  # noqa: PLR0913 - the session, where, what, and three keyword options
        self,
        session: InsightlySession,
        base_url: str,
        obj: InsightlyObject,
        *,
        dry_run: bool,
        logger: logging.Logger | None = None,
        link_ids: set[int] | None = None,
    ) -> None:
        """Write `obj`'s records through `session`; in a dry run, only log the writes.

        `link_ids` collects the LINK_IDs seen in answers and added, shared by every writer of
        a run, so that a link found after its POST lost its answer can be told from one that
        was there before.
        """
        self.session = session
        self.base_url = base_url
        self.url = base_url + obj.path
        self.obj = obj
        self.dry_run = dry_run
        self.logger = logger or logging.getLogger(__name__)
        self.link_ids = set() if link_ids is None else link_ids

    def search(self, field: str, value: Any) -> list[Record]:  # noqa: ANN401 - any JSON value
        """The records whose `field` equals `value`, at most two: enough to know if it is one."""
        params: dict[str, str | int] = {
            "field_name": field,
            "field_value": _query_value(value),
            "top": 2,
        }
        response = self.session.get(self.url + "/Search", params=params)
        answer = answer_of(response)
        return [entry for entry in answer if isinstance(entry, dict)] if answer else []

    def create(self, body: Mapping[str, Any], parent: Parent | None = None) -> Record | None:
        """POST a new record, under `parent` where it lives there; its answer, or None in a dry run.

        Raises:
            Refused: Insightly refused the record.
            WriteOutcomeUnknownError: the POST may or may not have been applied.
        """
        url = self._url(parent)
        if self.dry_run:
            self.logger.debug("Dry run: would POST %s with %s", url, sorted(body))
            return None
        return self._record(answer_of(self.session.post(url, json=body)))

    def update(
        self, insightly_id: int, body: Mapping[str, Any], parent: Parent | None = None
    ) -> Record | None:
        """PUT the fields of `body` onto record `insightly_id`; its answer, or None in a dry run.

        Raises:
            Refused: Insightly refused the change.
        """
        id_field = str(self.obj.id_field)
        url = self._url(parent)
        if self.dry_run:
            self.logger.debug(
                "Dry run: would PUT %s %s=%d with %s", url, id_field, insightly_id, sorted(body)
            )
            return None
        response = self.session.put(url, json={**body, id_field: insightly_id})
        return self._record(answer_of(response), insightly_id)

    def _url(self, parent: Parent | None) -> str:
        """Where records are written: `/{Object}`, or `/{Parent}/{id}/{Object}` under a parent."""
        if parent is None:
            return self.url
        parent_path, parent_id = parent
        return f"{self.base_url}{parent_path}/{parent_id}/{self.obj.path}"

    def find_created(
        self,
        body: Mapping[str, Any],
        parent: Parent | None,
        since: dt.datetime,
        known: AbstractSet[int],
    ) -> list[Record]:
        """The records that may be the one a POST of `body` created, its answer lost.

        Those changed since `since` (by `/Search`), else the parent's children, else the whole
        list, that hold every plain field of `body` as sent and are not among the `known` ids
        written before: one is the record, none means the POST was not applied.
        """
        id_field = str(self.obj.id_field)
        if parent is not None:
            under = sub_resource(BY_PATH[parent[0]], self.obj.path)
            candidates = read_every(
                self.session, self._url(parent), {}, paged=bool(under and under.paged)
            )
        elif self.obj.search and self.obj.updated_field:
            params = {"updated_after_utc": query_timestamp(since)}
            candidates = read_every(
                self.session, self.url + "/Search", params, paged=self.obj.paged
            )
        else:
            candidates = read_every(self.session, self.url, {}, paged=self.obj.paged)
        return [
            record
            for record in candidates
            if record.get(id_field) not in known and _holds(record, body)
        ]

    def add_links(
        self, insightly_id: int, links: Iterable[Mapping[str, Any]], answer: Record
    ) -> list[Record]:
        """Add the links the record lacks, as Insightly answered the write; the bodies added.

        A link POST whose answer was lost is checked against the record's links before it is
        sent again, so a link is never added twice.

        Raises:
            Refused: Insightly refused a link; the message says the record itself was written.
        """
        # Counted, not collected: two links between the same records are two links.
        present = Counter(
            _link_key(link) for link in answer.get(LINKS) or () if isinstance(link, dict)
        )
        added = []
        for link in links:
            body = {name: link[name] for name in _LINK_FIELDS if link.get(name) is not None}
            body["LINK_OBJECT_NAME"] = _singular(body.get("LINK_OBJECT_NAME"))
            if present[_link_key(body)] > 0:
                present[_link_key(body)] -= 1
                continue
            try:
                self._link(insightly_id, body, forward=link.get("IS_FORWARD") is not False)
            except Refused as refusal:
                msg = (
                    f"{self.obj.id_field} {insightly_id} was written, but its link to "
                    f"{body.get('LINK_OBJECT_NAME')} {body.get('LINK_OBJECT_ID')} was refused: "
                    f"{refusal.message}"
                )
                raise Refused(refusal.status, msg) from None
            added.append(body)
        return added

    def _link(self, insightly_id: int, body: Mapping[str, Any], *, forward: bool) -> None:
        """POST one link from the record, or from the other record where it points back.

        A link has a direction (`IS_FORWARD` on each side); adding it from the side it starts
        on keeps the direction the source gave it.
        """
        if forward:
            url = f"{self.url}/{insightly_id}/Links"
            sent = dict(body)
        else:
            other = BY_RECORD_NAME.get(str(body["LINK_OBJECT_NAME"]))
            other_path = other.path if other is not None else str(body["LINK_OBJECT_NAME"])
            url = f"{self.base_url}{other_path}/{body['LINK_OBJECT_ID']}/Links"
            sent = {
                **body,
                "LINK_OBJECT_NAME": self.obj.record_name or self.obj.path,
                "LINK_OBJECT_ID": insightly_id,
            }
        tries = 0
        while (lost := self._post_link(url, sent)) is not None:
            tries += 1
            if tries > self.session.policy.max_retries:
                msg = f"{lost}; the outcome stayed unknown after {tries} tries"
                raise Refused(lost.status, msg)
            self.logger.warning("%s; looking the link up before adding it again", lost)
            existing = answer_of(self.session.get(url))
            new = [
                link
                for link in existing or ()
                if isinstance(link, dict)
                and _link_key(link) == _link_key(sent)
                and link.get("LINK_ID") not in self.link_ids
            ]
            if new:
                self.link_ids.add(new[0]["LINK_ID"])
                return

    def _post_link(self, url: str, body: Mapping[str, Any]) -> WriteOutcomeUnknownError | None:
        """POST a link; the error if its outcome is unknown, None once it is added."""
        try:
            added = answer_of(self.session.post(url, json=body))
        except WriteOutcomeUnknownError as error:
            return error
        if isinstance(added, dict) and isinstance(added.get("LINK_ID"), int):
            self.link_ids.add(added["LINK_ID"])
        return None

    def place(self, insightly_id: int, sub_resource: str, body: Mapping[str, Any]) -> None:
        """Set where a record stands (its Pipeline, its Pricebook) through its sub-resource.

        Insightly takes neither in the record's own body.

        Raises:
            Refused: Insightly refused the change; the message says the record was written.
        """
        url = f"{self.url}/{insightly_id}/{sub_resource}"
        if self.dry_run:
            self.logger.debug("Dry run: would PUT %s with %s", url, dict(body))
            return
        try:
            answer_of(self.session.put(url, json=body))
        except Refused as refusal:
            msg = (
                f"{self.obj.id_field} {insightly_id} was written, but setting its "
                f"{sub_resource} to {dict(body)} was refused: {refusal.message}"
            )
            raise Refused(refusal.status, msg) from None

    def _record(self, answer: Any, insightly_id: int | None = None) -> Record:  # noqa: ANN401
        """The record a write answered: the object itself, or its entry in a list.

        Writes under a parent (line items, entries, milestones) answer a list, as the spec
        declares: the entry with the id written, or for a create the newest.
        """
        if isinstance(answer, dict):
            self._note_links(answer)
            return answer
        id_field = str(self.obj.id_field)
        entries = [entry for entry in answer or () if isinstance(entry, dict)]
        if insightly_id is not None:
            entries = [entry for entry in entries if entry.get(id_field) == insightly_id]
        if not entries:
            msg = f"{self.obj.path}: Insightly's answer holds no {id_field} for the record written"
            raise Refused(None, msg)
        return max(entries, key=lambda entry: int(entry.get(id_field) or 0))

    def _note_links(self, answer: Mapping[str, Any]) -> None:
        """Remember the LINK_IDs a record's answer shows: they were there, or this run's."""
        for link in answer.get(LINKS) or ():
            if isinstance(link, dict) and isinstance(link.get("LINK_ID"), int):
                self.link_ids.add(link["LINK_ID"])


def answer_of(response: requests.Response) -> Any:  # noqa: ANN401 - any JSON value
    """The JSON of a successful answer.

    Raises:
        Refused: Insightly refused the request, with its status and its own message, or
            answered something that is not JSON.
    """
    if response.status_code not in {HTTPStatus.OK, HTTPStatus.CREATED}:
        raise Refused(response.status_code, refusal_message(response))
    try:
        return response.json()
    except ValueError:
        msg = f"{response.request.method} {response.url} answered a body that is not JSON"
        raise Refused(response.status_code, msg) from None


def read_every(
    session: InsightlySession, url: str, params: Mapping[str, str], *, paged: bool
) -> list[Record]:
    """Every record a list answers, page by page where it pages.

    Raises:
        Refused: Insightly refused a page.
    """
    records: list[Record] = []
    while True:
        page_params: dict[str, str | int] = dict(params)
        if paged:
            page_params.update(top=_PAGE, skip=len(records))
        page = answer_of(session.get(url, params=page_params))
        entries = [entry for entry in page or () if isinstance(entry, dict)]
        records.extend(entries)
        if not paged or len(entries) < _PAGE:
            return records


def _holds(record: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """Whether a record holds every plain field of a body as it was sent.

    Its creation and update times are Insightly's own, whatever a body said (the spec lets
    event and note bodies carry them).
    """
    return all(
        record.get(name) == value
        for name, value in body.items()
        if not isinstance(value, (list, dict)) and name in record and name not in _STAMPED
    )


def link_pair(name: str, insightly_id: int, link: Mapping[str, Any]) -> frozenset[tuple[str, int]]:
    """The two records a link joins, the same seen from either of them."""
    other = (_singular(link.get("LINK_OBJECT_NAME")), int(str(link.get("LINK_OBJECT_ID"))))
    return frozenset({(name, insightly_id), other})


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
