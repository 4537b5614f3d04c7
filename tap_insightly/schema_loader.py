"""Find and read the JSON Schema of a stream, installed or in a source checkout.

A wheel carries the schemas inside the package, at `tap_insightly/schemas/`. An editable install
or a bare checkout imports the package from the repository, where they sit one level up, in the
top-level `schemas/` that `scripts/generate_schemas.py` writes. This module imports only the
standard library, so it can be used where singer-sdk is not installed.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_SUFFIX = ".json"


class SchemaNotFoundError(LookupError):
    """No schema file exists for the stream asked for."""


def _candidates() -> tuple[Traversable, Path]:
    """The packaged folder, then the repository's, in the order they are tried."""
    packaged = resources.files("tap_insightly").joinpath("schemas")
    checkout = Path(__file__).resolve().parent.parent / "schemas"
    return packaged, checkout


def schema_folder() -> Traversable:
    """The folder the schemas are read from: inside the package if it is there, else the repo's.

    Raises:
        SchemaNotFoundError: neither folder exists, so the package was built or copied without
            its schemas.
    """
    candidates = _candidates()
    for folder in candidates:
        if folder.is_dir():
            return folder
    looked = " and ".join(str(folder) for folder in candidates)
    msg = (
        f"no schemas folder: looked in {looked}; reinstall the package, or in a checkout run "
        "`python scripts/generate_schemas.py`"
    )
    raise SchemaNotFoundError(msg)


def schema_names() -> list[str]:
    """The stream names that have a schema, sorted."""
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in schema_folder().iterdir()
        if entry.name.endswith(_SUFFIX) and entry.is_file()
    )


def load_schema(stream: str) -> dict[str, Any]:
    """The JSON Schema of a stream, freshly parsed so the caller may add custom fields to it.

    Raises:
        SchemaNotFoundError: the stream has no schema file; the message says where it looked.
    """
    folder = schema_folder()
    # Matching against the listing, not joining the name into a path, keeps a stream name such
    # as "../x" from reading outside the folder.
    if stream not in schema_names():
        msg = (
            f"no schema for stream {stream!r} in {folder}: is it in tap_insightly/catalogue.py, "
            "and was `python scripts/generate_schemas.py` run after adding it?"
        )
        raise SchemaNotFoundError(msg)

    schema: dict[str, Any] = json.loads(
        folder.joinpath(stream + _SUFFIX).read_text(encoding="utf-8")
    )
    return schema
