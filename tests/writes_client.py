"""What the write tests share: a client for one sandbox's socket, and a clock to control."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

    from insightly_sandbox.server import SandboxServer

START = dt.datetime(2025, 4, 22, 20, 3, 25, tzinfo=dt.timezone.utc)


class Clock:
    """A store clock that moves only when told to."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> dt.datetime:
        return self.moment

    def tick(self, seconds: int = 1) -> str:
        self.moment += dt.timedelta(seconds=seconds)
        return self.moment.strftime("%Y-%m-%d %H:%M:%S")


class Client:
    """Requests to one sandbox over its socket, checked and decoded."""

    def __init__(self, api: requests.Session, server: SandboxServer) -> None:
        self.api = api
        self.server = server

    def call(self, method: str, path: str, body: Any = None, *, expect: int | None = None) -> Any:
        """Send a request; check its status when `expect` is given; answer the decoded body."""
        response = self.api.request(
            method, self.server.url + path.lstrip("/"), json=body, timeout=10
        )
        if expect is not None:
            assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        return self.call("GET", path, expect=200)

    def refusal(self, method: str, path: str, body: Any, status: int) -> str:
        """The message of a write that must be refused with a status."""
        return str(self.call(method, path, body, expect=status)["Message"])

    def first(self, path: str) -> dict[str, Any]:
        records = self.get(path)
        assert records, f"the seeded sandbox has no {path}"
        return dict(records[0])

    def etag(self, path: str) -> str:
        return str(self.api.get(self.server.url + path.lstrip("/"), timeout=10).headers["ETag"])


def new_contact(client: Client, **fields: Any) -> dict[str, Any]:
    body = {"FIRST_NAME": "Pamela", "LAST_NAME": "Huber", **fields}
    return dict(client.call("POST", "/Contacts", body, expect=201))


def custom(record: dict[str, Any]) -> dict[str, Any]:
    return {entry["FIELD_NAME"]: entry["FIELD_VALUE"] for entry in record["CUSTOMFIELDS"]}


def link_ids(records: list[dict[str, Any]]) -> set[int]:
    return {link["LINK_ID"] for link in records}
