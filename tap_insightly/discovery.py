"""What one Insightly instance adds to the catalogue: its custom objects and custom fields.

Discovery costs two requests, whatever the instance holds: `GET /CustomObjects`, and one
`GET /CustomFields/All`. `All` names no object, and Insightly answers a name it does not know
with every custom field of the instance; grouping the answer by `FIELD_FOR` gives each object
its own, where asking object by object would cost one request per object.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tap_insightly.client import RequestFailedError

if TYPE_CHECKING:
    import requests

#: A name at `/CustomFields/{name}` that is no object's, so the answer holds every field.
ALL_FIELDS = "All"

Record = dict[str, Any]


@dataclass(frozen=True)
class Discovery:
    """The instance's custom object and custom field definitions, as Insightly answered them.

    Attributes:
        custom_objects: the entries of `GET /CustomObjects`.
        custom_fields: the entries of `GET /CustomFields/All`, every object's.
    """

    custom_objects: tuple[Record, ...]
    custom_fields: tuple[Record, ...]

    @property
    def object_names(self) -> tuple[str, ...]:
        """The custom objects' `OBJECT_NAME`s (`Fruit__c`), in the order Insightly lists them."""
        return tuple(
            str(entry["OBJECT_NAME"]) for entry in self.custom_objects if entry.get("OBJECT_NAME")
        )

    def fields_for(self, field_for: str | None) -> list[Record]:
        """The definitions whose `FIELD_FOR` is `field_for` (`CONTACT`, `FRUIT__C`)."""
        if not field_for:
            return []
        wanted = field_for.upper()
        return [
            entry
            for entry in self.custom_fields
            if str(entry.get("FIELD_FOR", "")).upper() == wanted
        ]


def discover(session: requests.Session, base_url: str) -> Discovery:
    """Ask the instance for its custom objects and custom fields: two requests.

    Raises:
        RequestFailedError: Insightly refused either request; the message names the URL.
    """
    return Discovery(
        custom_objects=tuple(_read_list(session, base_url + "CustomObjects")),
        custom_fields=tuple(_read_list(session, f"{base_url}CustomFields/{ALL_FIELDS}")),
    )


def _read_list(session: requests.Session, url: str) -> list[Record]:
    response = session.get(url)
    if response.status_code != HTTPStatus.OK:
        msg = (
            f"HTTP {response.status_code} from {url} while discovering custom objects and "
            f"fields: {refusal_message(response)}; check that the API key's user may read them"
        )
        raise RequestFailedError(msg, status=response.status_code, url=url)
    body = response.json()
    if not isinstance(body, list):
        msg = f"{url} answered {type(body).__name__}, not the list of definitions it documents"
        raise RequestFailedError(msg, status=response.status_code, url=url)
    return [entry for entry in body if isinstance(entry, dict)]


def refusal_message(response: requests.Response) -> str:
    """Insightly's own explanation of a refusal (its JSON `Message`), else the reason phrase."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("Message"), str):
        return str(body["Message"])
    return response.reason or "no explanation given"
