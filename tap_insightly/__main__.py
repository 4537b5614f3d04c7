"""`python -m tap_insightly`: the same command as `tap-insightly`."""

from __future__ import annotations

from tap_insightly.tap import TapInsightly

TapInsightly.cli()
