"""The Singer SDK's standard tap tests, against a sandbox of 20 records per object.

Every stream must return records: the sandbox holds some of every object, custom objects and
links included, so an empty stream is a fault of the tap.
"""

from __future__ import annotations

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.tap import TapInsightly
from tests.tap_run import sandbox_config

# `get_tap_test_class` lists the tap's streams when it builds the test class, at import, and
# listing them runs discovery against the sandbox; so the sandbox must already serve when
# pytest imports this module. The fixture below stops it when the module's tests are done.
SANDBOX = SandboxServer(SandboxConfig(records=20)).start()

TestTapInsightly = get_tap_test_class(
    TapInsightly,
    config=sandbox_config(SANDBOX),
    suite_config=SuiteConfig(ignore_no_records=False),
)


@pytest.fixture(scope="module", autouse=True)
def _stop_sandbox():
    yield
    SANDBOX.stop()
