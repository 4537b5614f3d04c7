"""README.md is a promise: its settings and stream tables follow the tap itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tap_insightly.catalogue import OBJECTS

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- tap-insightly --about --format=markdown: start -->"
END = "<!-- tap-insightly --about --format=markdown: end -->"


def about_block() -> str:
    """The Capabilities, Python versions and Settings of `--about`, one heading level down."""
    about = subprocess.run(
        [sys.executable, "-m", "tap_insightly", "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    block = about[about.index("## Capabilities") : about.index("A full list of supported")]
    return re.sub(r"^## ", "### ", block.strip(), flags=re.MULTILINE)


def test_the_settings_table_is_the_one_the_tap_prints():
    readme = README.read_text(encoding="utf-8")
    written = readme[readme.index(START) + len(START) : readme.index(END)].strip()

    assert written == about_block(), (
        "README.md's settings no longer match the tap: replace the text between the markers "
        f"with this:\n{about_block()}"
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
