"""Fixtures shared by the whole suite: sandboxes served over real sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.seed import build_store
from insightly_sandbox.server import SandboxConfig, SandboxServer
from tests.writes_client import Client, Clock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from insightly_sandbox.store import Store


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """One seeded sandbox (defaults: seed 1, 200 records) for tests that only read."""
    with SandboxServer(SandboxConfig()) as server:
        yield server


@pytest.fixture
def fresh_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of its own for a test that writes or counts requests (50 records)."""
    with SandboxServer(SandboxConfig(records=50)) as server:
        yield server


@pytest.fixture
def api() -> requests.Session:
    """An HTTP session authenticated with the sandbox's default key."""
    session = requests.Session()
    session.auth = ("sandbox", "")
    return session


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes configured by the test (5 records unless it says); stop them after.

    Call it with `SandboxConfig` fields: `start_sandbox(rate_limit=2, fault_rate=1)`.
    """
    started: list[SandboxServer] = []

    def start(**settings: Any) -> SandboxServer:
        settings.setdefault("records", 5)
        server = SandboxServer(SandboxConfig(**settings)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def client(api: requests.Session, fresh_sandbox: SandboxServer) -> Client:
    """Checked, decoded requests to the test's own sandbox."""
    return Client(api, fresh_sandbox)


@pytest.fixture
def clock(fresh_sandbox: SandboxServer) -> Clock:
    """A clock the test moves, driving the own sandbox's update timestamps."""
    ticking = Clock()
    fresh_sandbox.store.clock = ticking
    return ticking


@pytest.fixture(scope="module")
def store() -> Store:
    """The default seeded store, built in process."""
    return build_store()


@pytest.fixture(scope="module", params=[(1, 200), (3, 7)], ids=["default", "small"])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The default store, and a small one where edge cases (one record per pool) show."""
    seed, records = request.param
    return build_store(seed, records)
