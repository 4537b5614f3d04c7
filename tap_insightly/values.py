"""Timestamps as Insightly writes them and as Singer expects them, both ways.

Insightly's records and request bodies carry `2025-04-22 20:03:25`: UTC, with neither a `T` nor
a zone. Its query parameters (`updated_after_utc`) take ISO 8601 `2018-04-09T16:58:14Z`. Singer
records declare `format: date-time`, which is RFC 3339 and needs the `T` and a zone. The tap turns
record timestamps into RFC 3339 on the way out; the target turns them back on the way in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

UTC = dt.timezone.utc

#: How Insightly writes a moment in records and request bodies.
INSIGHTLY_FORMAT = "yyyy-MM-dd HH:mm:ss"

#: Converters kept by `convert_timestamps`, at most this many; one per stream schema in practice.
_CACHE_SIZE = 256


class TimestampError(ValueError):
    """A value where a timestamp belongs is not one; the message names the value and its path."""

    def __init__(self, value: object, path: str = "") -> None:
        """Name the value that failed and, when known, where in the record it was found."""
        self.value = value
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(
            f"{where}{value!r} is not a timestamp: expected Insightly's {INSIGHTLY_FORMAT} "
            "(UTC) or RFC 3339 such as 2025-04-22T20:03:25Z"
        )

    def within(self, step: str) -> TimestampError:
        """The same error, with its path one level further out (`step` is a key or `[i]`)."""
        if not self.path:
            path = step
        elif self.path.startswith("["):
            path = step + self.path
        else:
            path = f"{step}.{self.path}"
        return TimestampError(self.value, path)


def parse_timestamp(value: str) -> dt.datetime:
    """Read a timestamp in Insightly's form or in RFC 3339 / ISO 8601 as an aware UTC datetime.

    A value without a zone is UTC, as all of Insightly's are; one with an offset is converted.
    A bare date (`2025-04-22`) is its midnight.

    Raises:
        TimestampError: a ValueError naming the value, when it is not a timestamp.
    """
    try:
        # Python 3.10's fromisoformat does not read the `Z` suffix; an offset it reads everywhere.
        text = value[:-1] + "+00:00" if value[-1:] in {"Z", "z"} else value
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise TimestampError(value) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_rfc3339(value: str | None) -> str | None:
    """Write a record timestamp the way Singer's `date-time` wants it: `2025-04-22T20:03:25Z`.

    Insightly's `2025-04-22 20:03:25` is UTC; RFC 3339 input with any offset comes back in UTC
    with a `Z`, so the output is the same whichever form came in. Fractions of a second are kept
    when there are any. None stays None.

    Raises:
        TimestampError: a ValueError naming the value, when it is not a timestamp.
    """
    if value is None:
        return None
    if _is_plain(value):
        # The common case, every record field Insightly sends: fromisoformat checks the digits
        # are a real moment, and splicing the text costs less than formatting the datetime.
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise TimestampError(value) from None
        return value[:10] + "T" + value[11:] + "Z"
    moment = parse_timestamp(value).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def to_insightly(value: str | dt.datetime | dt.date | None) -> str | None:
    """Write a moment the way Insightly's request bodies need it: `2025-04-22 20:03:25`, UTC.

    Strings may be in either form (an offset is converted to UTC); a naive datetime is taken as
    UTC; a date is its midnight. Fractions of a second are dropped, as Insightly keeps none.

    Raises:
        TimestampError: a ValueError naming the value, when it is not a timestamp.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if _is_plain(value) and value[10] == " ":
            parse_timestamp(value)
            return value
        moment = parse_timestamp(value)
    elif isinstance(value, dt.datetime):
        moment = value if value.tzinfo is None else value.astimezone(UTC)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - written as UTC
    else:
        raise TimestampError(value)
    return moment.replace(tzinfo=None, microsecond=0).isoformat(" ")


def query_timestamp(moment: dt.datetime) -> str:
    """Write a moment for a query parameter such as `updated_after_utc`: `2018-04-09T16:58:14Z`.

    A naive datetime is taken as UTC. Fractions of a second are cut off, which moves the moment
    earlier, never later: a filter on "updated after" then repeats a record rather than miss one.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _is_plain(value: str) -> bool:
    """Whether a value is laid out as `2025-04-22 20:03:25` (or with a `T`); digits unchecked."""
    return (
        isinstance(value, str)
        and len(value) == 19  # noqa: PLR2004 - the length of yyyy-MM-dd HH:mm:ss
        and value[4] == "-"
        and value[7] == "-"
        and value[10] in {" ", "T"}
        and value[13] == ":"
        and value[16] == ":"
    )


class _Timestamp:
    """The plan for one `format: date-time` value."""

    __slots__ = ()

    def convert(self, value: Any) -> Any:  # noqa: ANN401 - any JSON value
        return to_rfc3339(value)


class _Array:
    """The plan for an array whose items hold timestamps."""

    __slots__ = ("items",)

    def __init__(self, items: _Plan) -> None:
        self.items = items

    def convert(self, value: Any) -> Any:  # noqa: ANN401 - any JSON value
        # A value of the wrong shape is left for schema validation to report, not failed here.
        if not isinstance(value, list):
            return value
        converted = list(value)
        index = 0
        try:
            for index, item in enumerate(converted):
                if item is not None:
                    converted[index] = self.items.convert(item)
        except TimestampError as error:
            step = f"[{index}]"
            raise error.within(step) from None
        return converted


class _Object:
    """The plan for an object with timestamps among its properties, or deeper."""

    __slots__ = ("fields",)

    def __init__(self, fields: tuple[tuple[str, _Plan], ...]) -> None:
        self.fields = fields

    def convert(self, value: Any) -> Any:  # noqa: ANN401 - any JSON value
        if not isinstance(value, dict):
            return value
        converted = dict(value)
        for key, plan in self.fields:
            item = converted.get(key)
            if item is not None:
                try:
                    converted[key] = plan.convert(item)
                except TimestampError as error:
                    raise error.within(key) from None
        return converted


_Plan = _Timestamp | _Array | _Object


def _plan(schema: Any) -> _Plan | None:  # noqa: ANN401 - any JSON Schema node
    """What to convert under one schema node, or None when it holds no timestamp.

    Only a node that itself says `format: date-time` is a timestamp. Alternatives under `anyOf`
    or `oneOf` are not followed: a value that may be one of several types cannot be known to be
    a timestamp, and nested custom field values are declared that way.
    """
    if not isinstance(schema, dict):
        return None
    if schema.get("format") == "date-time":
        return _Timestamp()
    properties = schema.get("properties")
    if isinstance(properties, dict):
        fields = tuple(
            (key, plan) for key, child in properties.items() if (plan := _plan(child)) is not None
        )
        return _Object(fields) if fields else None
    items = _plan(schema.get("items"))
    return None if items is None else _Array(items)


class TimestampConverter:
    """Converts the `format: date-time` fields of records of one schema to RFC 3339.

    The schema is walked once, when the converter is built; each record then visits only the
    fields that hold timestamps, top-level or inside nested objects and arrays of objects
    (`DATES[].OCCASION_DATE`). Records are not changed: each call returns a new one, sharing
    the parts that hold no timestamp with the record it was given.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        """Find the paths of the timestamp fields in a record's JSON Schema."""
        plan = _plan(schema)
        self._plan = plan if isinstance(plan, _Object) else _Object(())

    @property
    def paths(self) -> tuple[str, ...]:
        """The converted fields, written `DATE_UPDATED_UTC` or `DATES[].OCCASION_DATE`."""
        return tuple(_paths(self._plan, ""))

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        """A copy of the record with every timestamp in RFC 3339.

        Raises:
            TimestampError: a ValueError naming the field (`DATES[0].OCCASION_DATE`) and the
                value that is not a timestamp.
        """
        converted: dict[str, Any] = self._plan.convert(record)
        return converted


def _paths(plan: _Plan, prefix: str) -> list[str]:
    if isinstance(plan, _Timestamp):
        return [prefix]
    if isinstance(plan, _Array):
        return _paths(plan.items, prefix + "[]")
    dot = "." if prefix else ""
    return [path for key, child in plan.fields for path in _paths(child, prefix + dot + key)]


_converters: dict[int, tuple[dict[str, Any], TimestampConverter]] = {}


def convert_timestamps(record: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of the record with every field the schema marks `format: date-time` in RFC 3339.

    The converter for a schema is built on first use and kept, keyed by the schema object: a
    schema changed in place after that is not read again. Build a `TimestampConverter` for a
    schema that changes.

    Raises:
        TimestampError: a ValueError naming the field and the value that is not a timestamp.
    """
    # Each entry holds its schema, so no other object can take that id while the entry lives.
    cached = _converters.get(id(schema))
    if cached is None:
        if len(_converters) >= _CACHE_SIZE:
            del _converters[next(iter(_converters))]
        cached = (schema, TimestampConverter(schema))
        _converters[id(schema)] = cached
    return cached[1](record)
