"""The Singer SDK's standard tap tests, against a sandbox of 10 records per object.

Every stream must return records: the sandbox holds some of every object, custom objects and
links included, so an empty stream is a fault of the tap.
"""

from __future__ import annotations

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.tap import TapInsightly
from tests.tap_run import sandbox_config, selected_catalog

# `get_tap_test_class` lists the tap's streams when it builds the test class, at import, and
# listing them runs discovery against the sandbox; so the sandbox must already serve when
# pytest imports this module. The fixture below stops it when the module's tests are done.
SANDBOX = SandboxServer(SandboxConfig(records=10)).start()
CONFIG = sandbox_config(SANDBOX)

# The suite selects every stream only after the stream maps are built from the catalog; a
# stream not selected by default (the fan-out streams) would be checked against a map without
# its fields. So the catalog selects every stream from the start.
TestTapInsightly = get_tap_test_class(
    TapInsightly,
    config=CONFIG,
    suite_config=SuiteConfig(ignore_no_records=False),
    catalog=selected_catalog(CONFIG, TapInsightly(config=CONFIG).streams),
)


@pytest.fixture(scope="module", autouse=True)
def _stop_sandbox():
    yield
    SANDBOX.stop()
