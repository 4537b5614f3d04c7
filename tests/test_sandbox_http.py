"""The sandbox's front over real sockets: key, limits, compression, faults, request log."""

from __future__ import annotations

import base64
import contextlib
import gzip
import socket
import time
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import requests

from insightly_sandbox.faults import FAULT_KINDS
from insightly_sandbox.server import SandboxConfig, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Callable

    Start = Callable[..., SandboxServer]

#: A list every seeded sandbox serves, small enough to be cheap.
PAGE = "Contacts?top=2"

#: Seconds any request may take; the sandbox is local, so only a bug takes long.
TIMEOUT = 10

#: What a client may see when a response is cut short, depending on where the cut falls.
CUT_SHORT = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


def _session(key: str = "sandbox") -> requests.Session:
    session = requests.Session()
    session.auth = (key, "")
    return session


def _log(server: SandboxServer) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = requests.get(
        server.root + "/_sandbox/requests", timeout=TIMEOUT
    ).json()
    return entries


def _basic(credentials: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode()}


# Authentication


@pytest.mark.parametrize("credentials", [b"sandbox:", b"sandbox"])
def test_the_key_is_the_user_name_with_no_password(sandbox, credentials):
    response = requests.get(sandbox.url + PAGE, headers=_basic(credentials), timeout=TIMEOUT)
    assert response.status_code == 200
    assert len(response.json()) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        _basic(b"wrong:"),
        _basic(b"sandbox:secret"),
        {"Authorization": "Bearer sandbox"},
        {"Authorization": "Basic not*base64"},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:").decode()},
    ],
    ids=["missing", "wrong-key", "password", "bearer", "bad-base64", "not-utf8"],
)
def test_anything_else_is_refused_with_401(sandbox, headers):
    response = requests.get(sandbox.url + PAGE, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json()["Message"]
    assert "X-RateLimit-Remaining" in response.headers


def test_the_sandbox_endpoints_need_no_key(sandbox):
    assert requests.get(sandbox.root + "/_sandbox/health", timeout=TIMEOUT).status_code == 200
    assert requests.get(sandbox.root + "/_sandbox/nothing", timeout=TIMEOUT).status_code == 404
    assert requests.post(sandbox.root + "/_sandbox/health", timeout=TIMEOUT).status_code == 405


def test_paths_outside_the_api_are_not_found(sandbox, api):
    assert api.get(sandbox.root + "/v3.0/Contacts").status_code == 404


# Rate limits


def test_every_response_carries_the_quota_counting_down(start_sandbox: Start):
    server = start_sandbox()
    api = _session()
    first = api.get(server.url + PAGE)
    second = api.get(server.url + "Nothing/Here/At/All")
    assert first.headers["X-RateLimit-Limit"] == "100000"
    assert first.headers["X-RateLimit-Remaining"] == "99999"
    assert second.status_code == 404
    assert second.headers["X-RateLimit-Remaining"] == "99998"


def test_a_spent_daily_quota_refuses_with_nothing_remaining(start_sandbox: Start):
    server = start_sandbox(daily_limit=2)
    api = _session()
    refused_key = _session("wrong").get(server.url + PAGE)
    served = [api.get(server.url + PAGE) for _ in range(2)]
    refused = [api.get(server.url + PAGE) for _ in range(2)]

    assert refused_key.status_code == 401
    assert [r.headers["X-RateLimit-Remaining"] for r in served] == ["1", "0"]
    for response in refused:
        assert response.status_code == 429
        assert response.headers["X-RateLimit-Limit"] == "2"
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert "Retry-After" not in response.headers
        assert "daily" in response.json()["Message"]


def test_a_burst_is_refused_with_retry_after_then_served(start_sandbox: Start):
    server = start_sandbox(rate_limit=2)
    api = _session()
    served = [api.get(server.url + PAGE) for _ in range(2)]
    refused = api.get(server.url + PAGE)

    assert [r.status_code for r in served] == [200, 200]
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert wait >= 1
    assert int(refused.headers["X-RateLimit-Remaining"]) > 0
    assert refused.headers["X-RateLimit-Remaining"] == served[-1].headers["X-RateLimit-Remaining"]

    time.sleep(wait)
    assert api.get(server.url + PAGE).status_code == 200


# Compression


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("deflate, gzip", "gzip"),
        ("gzip;q=0, deflate", "deflate"),
        ("*", "gzip"),
        ("identity", None),
    ],
)
def test_answers_are_compressed_as_accept_encoding_asks(sandbox, accept, coding):
    url = sandbox.url + PAGE
    response = requests.get(
        url, auth=("sandbox", ""), headers={"Accept-Encoding": accept}, timeout=TIMEOUT
    )
    raw = requests.get(
        url, auth=("sandbox", ""), headers={"Accept-Encoding": accept}, stream=True, timeout=TIMEOUT
    ).raw.read(decode_content=False)

    assert response.headers.get("Content-Encoding") == coding
    assert int(response.headers["Content-Length"]) == len(raw)
    assert _decode(raw, coding) == response.content
    assert len(response.json()) == 2


def _decode(raw: bytes, coding: str | None) -> bytes:
    if coding == "gzip":
        return gzip.decompress(raw)
    if coding == "deflate":
        return zlib.decompress(raw)  # HTTP's "deflate" is the zlib format
    return raw


# Latency


def test_latency_delays_each_api_answer(start_sandbox: Start):
    server = start_sandbox(latency_ms=150)
    started = time.perf_counter()
    assert _session().get(server.url + PAGE).status_code == 200
    assert time.perf_counter() - started >= 0.15


# Faults


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_a_status_fault_answers_that_status(start_sandbox: Start, kind):
    server = start_sandbox(fault_rate=1, fault_kinds=(kind,))
    response = _session().get(server.url + PAGE)
    assert response.status_code == int(kind)
    assert "X-RateLimit-Remaining" in response.headers
    assert _log(server)[-1]["fault"] == kind


def test_a_dropped_connection_answers_nothing(start_sandbox: Start):
    server = start_sandbox(fault_rate=1, fault_kinds=("drop",))
    with pytest.raises(requests.ConnectionError):
        _session().get(server.url + PAGE)
    [entry] = _log(server)
    assert (entry["status"], entry["fault"]) == (0, "drop")


@pytest.mark.parametrize("accept", ["identity", "gzip"])
def test_a_truncated_answer_is_noticed_by_the_client(start_sandbox: Start, accept):
    server = start_sandbox(fault_rate=1, fault_kinds=("truncate",))
    with pytest.raises(CUT_SHORT):
        _session().get(server.url + PAGE, headers={"Accept-Encoding": accept})
    [entry] = _log(server)
    assert (entry["status"], entry["fault"]) == (200, "truncate")


@pytest.mark.parametrize("kind", ["500", "503", "drop"])
def test_a_fault_before_the_api_leaves_a_write_unapplied(start_sandbox: Start, kind):
    server = start_sandbox(fault_rate=1, fault_kinds=(kind,))
    before = len(server.store.tables["Contacts"].rows)
    with contextlib.suppress(requests.ConnectionError):
        _session().post(server.url + "Contacts", json={"FIRST_NAME": "Ada"}, timeout=TIMEOUT)
    assert len(server.store.tables["Contacts"].rows) == before


def test_a_truncated_answer_comes_after_the_write_was_applied(start_sandbox: Start):
    server = start_sandbox(fault_rate=1, fault_kinds=("truncate",))
    before = len(server.store.tables["Contacts"].rows)
    with pytest.raises(CUT_SHORT):
        _session().post(server.url + "Contacts", json={"FIRST_NAME": "Ada"})
    assert len(server.store.tables["Contacts"].rows) == before + 1


def _outcome(api: requests.Session, url: str) -> str:
    """What a client sees of one request: the status, or how it failed."""
    try:
        return str(api.get(url, timeout=TIMEOUT).status_code)
    except requests.ConnectionError:
        return "connection"
    except CUT_SHORT:
        return "cut"


def _outcomes(server: SandboxServer, count: int) -> list[str]:
    """What a client sees of `count` requests in a row."""
    api = _session()
    return [_outcome(api, server.url + PAGE) for _ in range(count)]


def test_the_same_seed_meets_the_same_faults(start_sandbox: Start):
    first = start_sandbox(seed=7, fault_rate=0.5)
    second = start_sandbox(seed=7, fault_rate=0.5)
    seen = _outcomes(first, 40)

    assert _outcomes(second, 40) == seen
    assert "200" in seen
    assert {"500", "502", "503", "connection", "cut"} <= set(seen)
    assert [e["fault"] for e in _log(first)] == [e["fault"] for e in _log(second)]


def test_no_fault_rate_means_no_faults_and_sandbox_endpoints_never_fail(start_sandbox: Start):
    calm = start_sandbox()
    stormy = start_sandbox(fault_rate=1)
    assert _outcomes(calm, 30) == ["200"] * 30
    assert all(entry["fault"] is None for entry in _log(calm))
    for _ in range(10):
        assert requests.get(stormy.root + "/_sandbox/health", timeout=TIMEOUT).status_code == 200


# Request log


def test_the_request_log_lists_every_api_request_and_clears(start_sandbox: Start):
    server = start_sandbox(daily_limit=2)
    api = _session()
    started = time.time()
    api.get(server.url + "Contacts", params={"top": "1", "Skip": "0"})
    _session("wrong").get(server.url + "Contacts")
    api.post(server.url + "Contacts", data=b"{not json")
    api.delete(server.url + "Contacts/1")
    requests.get(server.root + "/_sandbox/health", timeout=TIMEOUT)

    entries = _log(server)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v3.1/Contacts", 200),
        ("GET", "/v3.1/Contacts", 401),
        ("POST", "/v3.1/Contacts", 400),
        ("DELETE", "/v3.1/Contacts/1", 429),
    ]
    assert entries[0]["query"] == {"top": "1", "Skip": "0"}
    assert all(started - 1 <= e["time"] <= time.time() for e in entries)

    assert requests.delete(server.root + "/_sandbox/requests", timeout=TIMEOUT).status_code == 204
    assert _log(server) == []


def test_invalid_json_is_a_400_with_a_message(sandbox, api):
    response = api.put(sandbox.url + "Contacts", data=b'{"CONTACT_ID": 1,')
    assert response.status_code == 400
    assert "JSON" in response.json()["Message"]


def test_a_chunked_body_is_refused_and_the_connection_closed(sandbox, api):
    response = api.post(sandbox.url + "Contacts", data=iter([b'{"FIRST_NAME": "Ada"}']))
    assert response.status_code == 400
    assert response.headers["Connection"] == "close"


@pytest.mark.parametrize("length", ["-5", "many"])
def test_a_body_of_unknown_length_is_refused(sandbox, length):
    root = urlsplit(sandbox.root)
    with socket.create_connection((root.hostname, root.port), timeout=TIMEOUT) as connection:
        head = f"POST /v3.1/Contacts HTTP/1.1\r\nContent-Length: {length}\r\n\r\n"
        connection.sendall(head.encode())
        answer = connection.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in answer


def test_stats_count_api_requests_and_their_cpu(start_sandbox: Start):
    server = start_sandbox()
    api = _session()
    for _ in range(3):
        api.get(server.url + PAGE)
    stats = requests.get(server.root + "/_sandbox/stats", timeout=TIMEOUT).json()
    assert stats["api_requests"] == 3
    assert stats["cpu_seconds"] > 0


def test_stop_ends_kept_alive_connections(start_sandbox: Start):
    server = start_sandbox()
    api = _session()
    assert api.get(server.url + PAGE).status_code == 200
    server.stop()
    with pytest.raises(requests.ConnectionError):
        api.get(server.url + PAGE)


@pytest.mark.parametrize(
    "settings",
    [
        {"fault_rate": 1.5},
        {"fault_rate": -0.1},
        {"fault_kinds": ("504",)},
        {"fault_kinds": ()},
        {"rate_limit": 0},
        {"daily_limit": -1},
        {"latency_ms": -1},
        {"plan": "gold"},
        {"api_key": ""},
        {"port": 70000},
    ],
)
def test_impossible_settings_are_refused(settings):
    with pytest.raises(ValueError, match=next(iter(settings)).split("_")[0]):
        SandboxConfig(**settings)


def test_fault_kinds_name_every_kind():
    assert SandboxConfig().fault_kinds == FAULT_KINDS == ("500", "502", "503", "drop", "truncate")
