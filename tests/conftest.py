"""Fixtures shared by the whole suite: sandboxes served over real sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator


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
