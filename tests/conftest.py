"""Fixtures shared by the whole suite: sandboxes served over real sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


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
