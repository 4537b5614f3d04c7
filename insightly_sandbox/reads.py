"""Read handlers of the sandbox API: lists, searches, single records and sub-resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from insightly_sandbox.api import Handler

HANDLERS: dict[tuple[str, str], Handler] = {}
