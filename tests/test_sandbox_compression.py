"""Compressed table pages over real sockets: joined from each record's cached deflate block."""

from __future__ import annotations

import gzip
import zlib
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from insightly_sandbox.server import SandboxServer

#: Seconds any request may take; the sandbox is local, so only a bug takes long.
TIMEOUT = 10

CODINGS = ["gzip", "deflate"]
PAGES = ["Contacts?top=20", "Contacts?top=20&brief=true", "Contacts?skip=3&top=0"]


def _get(server: SandboxServer, page: str, coding: str) -> requests.Response:
    return requests.get(
        server.url + page,
        auth=("sandbox", ""),
        headers={"Accept-Encoding": coding},
        timeout=TIMEOUT,
    )


def _raw(server: SandboxServer, page: str, coding: str) -> tuple[str | None, bytes]:
    """The Content-Encoding of a page and its bytes as they came over the wire."""
    response = requests.get(
        server.url + page,
        auth=("sandbox", ""),
        headers={"Accept-Encoding": coding},
        stream=True,
        timeout=TIMEOUT,
    )
    return response.headers.get("Content-Encoding"), response.raw.read(decode_content=False)


def _decode(raw: bytes, coding: str) -> bytes:
    return gzip.decompress(raw) if coding == "gzip" else zlib.decompress(raw)


@pytest.mark.parametrize("coding", CODINGS)
@pytest.mark.parametrize("page", PAGES)
def test_a_compressed_page_decodes_to_the_identity_body(sandbox, page, coding):
    plain = _get(sandbox, page, "identity")
    cold = _get(sandbox, page, coding)
    encoding, raw = _raw(sandbox, page, coding)

    assert plain.headers.get("Content-Encoding") is None
    assert cold.headers["Content-Encoding"] == encoding == coding
    assert cold.content == plain.content
    assert _decode(raw, coding) == plain.content


@pytest.mark.parametrize("coding", CODINGS)
@pytest.mark.parametrize("brief", [False, True])
def test_a_compressed_page_shows_a_write_to_one_record(fresh_sandbox, coding, brief):
    page = "Contacts?top=10" + ("&brief=true" if brief else "")
    before = _get(fresh_sandbox, page, coding).json()
    changed = before[3]["CONTACT_ID"]

    requests.put(
        fresh_sandbox.url + "Contacts",
        json={"CONTACT_ID": changed, "TITLE": "Chief Compression Officer"},
        auth=("sandbox", ""),
        timeout=TIMEOUT,
    ).raise_for_status()
    encoding, raw = _raw(fresh_sandbox, page, coding)
    after = _get(fresh_sandbox, page, coding).json()

    assert encoding == coding
    assert _decode(raw, coding) == _get(fresh_sandbox, page, "identity").content
    assert after[3]["TITLE"] == "Chief Compression Officer"
    assert [record for index, record in enumerate(after) if index != 3] == [
        record for index, record in enumerate(before) if index != 3
    ]
