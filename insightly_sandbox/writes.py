"""Write handlers of the sandbox API: POST, PUT and DELETE on objects and sub-resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from insightly_sandbox.api import Handler

HANDLERS: dict[tuple[str, str], Handler] = {}
