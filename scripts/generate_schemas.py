"""Write `schemas/{stream}.json` for every readable Insightly object, from the official spec.

Run from anywhere: `python scripts/generate_schemas.py` rewrites the repository's `schemas/`,
`--check` only reports files that differ, are missing or are stale (exit status 1), and
`--out DIR` writes somewhere else. The streams come from `tap_insightly.catalogue`: every object,
the shared shape of custom object records, and every sub-resource read as a stream.

How a Swagger 2.0 property becomes a JSON Schema property, and why:

- Every type also admits null. Real responses carry null in almost any field (see
  `tests/samples/`), and Swagger 2.0 has no way to say so.
- `int32`/`int64` become `integer`, `double`/`float` become `number`. Of the spec's formats only
  `date-time` survives: it is the one JSON Schema and Singer targets act on (the tap emits those
  fields as RFC 3339); the others (`string`, `int64`, `boolean`) say nothing a validator reads.
- `maxLength` and `minLength` are dropped. The spec writes 0 for "no limit", and the tap must not
  refuse a value Insightly stored past its documented limit.
- `readOnly: true` stays, so the target can strip read-only fields before a write. `false` is the
  default and is left out.
- `$ref`s are followed and arrays and nested objects converted in place, so each file stands
  alone. An object with no properties (`FIELD_VALUE` of a custom field, a .NET `object`) becomes
  `{}`: its real values are strings, numbers, booleans or null.
- `required` lists are dropped: they describe request bodies, include read-only ids, and every
  field may be null in a response anyway.
- Fields that real responses carry but the spec leaves out come from
  `insightly_sandbox.spec.UNDECLARED_FIELDS`, each with the recorded sample that shows it.
- Keys and bookmarks are not written here; they live in the catalogue.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insightly_sandbox.spec import UNDECLARED_FIELDS, item_schema, load_spec, resolve
from tap_insightly.catalogue import (
    CUSTOM_OBJECT_RECORD,
    OBJECTS,
    SUB_RESOURCES,
    InsightlyObject,
    sub_resource,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

Schema = dict[str, Any]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

_SCALARS = frozenset({"integer", "number", "boolean", "string"})


class _Converter:
    """Converts spec schemas, remembering which extra fields found their shape."""

    def __init__(self) -> None:
        self.extras_used: set[tuple[str, str]] = set()

    def record(self, swagger: Schema) -> Schema:
        """The top-level schema of one record: an object, never null."""
        converted = self.convert(swagger)
        return {"type": "object", "properties": converted.get("properties", {})}

    def convert(self, swagger: Schema) -> Schema:
        """One spec schema as nullable JSON Schema."""
        swagger = resolve(swagger)
        kind = swagger.get("type")

        if kind == "array":
            converted: Schema = {"type": ["array", "null"], "items": self.convert(swagger["items"])}
        elif kind == "object" or "properties" in swagger:
            properties = self._properties(swagger)
            if not properties:
                return {}
            converted = {"type": ["object", "null"], "properties": properties}
        elif kind in _SCALARS:
            converted = {"type": [kind, "null"]}
            if kind == "string" and swagger.get("format") == "date-time":
                converted["format"] = "date-time"
        else:
            msg = f"the spec uses a type this converter does not know: {swagger!r}"
            raise ValueError(msg)

        if swagger.get("readOnly") is True:
            converted["readOnly"] = True
        return converted

    def _properties(self, swagger: Schema) -> Schema:
        """An object's properties in the spec's order, followed by its documented extras."""
        properties = {
            name: self.convert(prop) for name, prop in swagger.get("properties", {}).items()
        }
        for extra in UNDECLARED_FIELDS:
            if extra.shape != swagger.get("title"):
                continue
            if extra.name in properties:
                msg = (
                    f"{extra.shape}.{extra.name} is in the spec now: drop it from UNDECLARED_FIELDS"
                )
                raise ValueError(msg)
            properties[extra.name] = self.convert(extra.swagger)
            self.extras_used.add((extra.shape, extra.name))
        return properties


def _list_template(obj: InsightlyObject) -> str:
    """The GET path whose answer holds the object's records."""
    if obj.path == "CustomFields":
        return "/CustomFields/{objectName}"
    return f"/{obj.path}"


def _sources() -> Iterator[tuple[str, str]]:
    """Each stream with the GET path its schema is taken from."""
    for obj in OBJECTS:
        yield obj.stream, _list_template(obj)
    yield CUSTOM_OBJECT_RECORD.stream, _list_template(CUSTOM_OBJECT_RECORD)

    paths = load_spec()["paths"]
    for sub in SUB_RESOURCES:
        if sub.stream is None:
            continue
        templates = (
            f"/{obj.path}/{{id}}/{sub.name}"
            for obj in OBJECTS
            if sub_resource(obj, sub.name) is sub
        )
        template = next((t for t in templates if "get" in paths.get(t, {})), None)
        if template is None:
            msg = f"no catalogue object answers GET /{{path}}/{{id}}/{sub.name} in the spec"
            raise ValueError(msg)
        yield sub.stream, template


def build_schemas() -> dict[str, Schema]:
    """Every stream's schema, keyed by stream name, in catalogue order.

    Raises:
        ValueError: the spec lacks a path the catalogue names, uses an unknown type, or no longer
            matches `UNDECLARED_FIELDS` (a field added upstream, or a shape renamed).
    """
    converter = _Converter()
    paths = load_spec()["paths"]
    schemas: dict[str, Schema] = {}
    for stream, template in _sources():
        swagger = item_schema(template) if "get" in paths.get(template, {}) else None
        if swagger is None:
            msg = f"the spec has no answer to GET {template}, the source of stream {stream}"
            raise ValueError(msg)
        schemas[stream] = converter.record(swagger)

    unused = [
        f"{e.shape}.{e.name}"
        for e in UNDECLARED_FIELDS
        if (e.shape, e.name) not in converter.extras_used
    ]
    if unused:
        msg = f"UNDECLARED_FIELDS name shapes no stream uses: {', '.join(unused)}"
        raise ValueError(msg)
    return schemas


def render(schema: Schema) -> str:
    """The exact text of a schema file, so that regenerating changes nothing."""
    return json.dumps(schema, indent=2) + "\n"


def drift(out: Path, wanted: dict[str, str]) -> list[str]:
    """What differs between `out` and the wanted files, one line per file."""
    present = {path.name for path in out.glob("*.json")}
    problems = [f"{out / name}: missing" for name in sorted(wanted.keys() - present)]
    problems += [
        f"{out / name}: stale, no stream has it" for name in sorted(present - wanted.keys())
    ]
    problems += [
        f"{out / name}: differs from the spec"
        for name in sorted(wanted.keys() & present)
        if (out / name).read_text(encoding="utf-8") != wanted[name]
    ]
    return problems


def write(out: Path, wanted: dict[str, str]) -> None:
    """Make `out` hold exactly the wanted files, removing schemas of streams that are gone."""
    out.mkdir(parents=True, exist_ok=True)
    for path in out.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    for name, text in wanted.items():
        target = out / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Generate or check the schema files; the exit status is 1 when `--check` finds drift."""
    parser = argparse.ArgumentParser(
        description="Write schemas/{stream}.json for every Insightly object, from the spec."
    )
    parser.add_argument(
        "--check", action="store_true", help="report drift and exit 1 instead of writing"
    )
    parser.add_argument(
        "--out", type=Path, default=SCHEMA_DIR, help=f"folder to write (default {SCHEMA_DIR})"
    )
    args = parser.parse_args(argv)
    out: Path = args.out

    wanted = {f"{stream}.json": render(schema) for stream, schema in build_schemas().items()}
    if args.check:
        problems = drift(out, wanted)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"run `python {Path(__file__).name}` to regenerate", file=sys.stderr)
            return 1
        return 0

    write(out, wanted)
    print(f"{len(wanted)} schemas in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
