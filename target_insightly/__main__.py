"""Run target-insightly as `python -m target_insightly`."""

from target_insightly.target import TargetInsightly

TargetInsightly.cli()
