"""README.md is a promise: its settings and stream tables follow the tap itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tap_insightly.catalogue import OBJECTS

README = Path(__file__).resolve().parent.parent / "README.md"
PLUGINS = {"tap-insightly": "tap_insightly", "target-insightly": "target_insightly"}


def about_block(module: str) -> str:
    """The Capabilities, Python versions and Settings of `--about`, one heading level down."""
    about = subprocess.run(  # noqa: S603 - our own console entry points, fixed arguments
        [sys.executable, "-m", module, "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    block = about[about.index("## Capabilities") : about.index("A full list of supported")]
    return re.sub(r"^## ", "### ", block.strip(), flags=re.MULTILINE)


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_the_settings_table_is_the_one_the_plugin_prints(plugin):
    start = f"<!-- {plugin} --about --format=markdown: start -->"
    end = f"<!-- {plugin} --about --format=markdown: end -->"
    readme = README.read_text(encoding="utf-8")
    written = readme[readme.index(start) + len(start) : readme.index(end)].strip()

    expected = about_block(PLUGINS[plugin])
    assert written == expected, (
        f"README.md's settings no longer match {plugin}: replace the text between its markers "
        f"with this:\n{expected}"
    )


def test_the_streams_table_says_how_each_stream_replicates():
    rows = {
        match["stream"]: match["replication"]
        for match in re.finditer(
            r"^\| `(?P<stream>[a-z_]+)` \| `/[A-Za-z]+` \| (?P<replication>[a-z ]+) \|",
            README.read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    }

    expected = {obj.stream: "incremental" if obj.incremental else "full table" for obj in OBJECTS}
    assert rows == expected
