"""Insightly's official v3.1 spec, shipped inside this package, and what is read from it."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

SPEC_FILE = "insightly-v3.1.swagger.json"

Schema = dict[str, Any]


@functools.cache
def load_spec() -> dict[str, Any]:
    """The spec as Insightly serves it at `/v3.1/swagger/docs/v3.1`."""
    text = resources.files("insightly_sandbox").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def resolve(schema: Schema) -> Schema:
    """A schema with its top-level `$ref` (into `#/definitions/`) followed."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: Schema = load_spec()["definitions"][ref.rsplit("/", 1)[-1]]
    return resolved


def response_schema(template: str, method: str = "get") -> Schema | None:
    """The schema of a path's success response (200, else 201), references followed."""
    responses = load_spec()["paths"][template][method]["responses"]
    for status in ("200", "201"):
        schema = responses.get(status, {}).get("schema")
        if schema is not None:
            return resolve(schema)
    return None


def item_schema(template: str, method: str = "get") -> Schema | None:
    """The schema of one record a path answers: the items of an array, or the object."""
    schema = response_schema(template, method)
    if schema is None:
        return None
    if schema.get("type") == "array":
        return resolve(schema["items"])
    return schema
