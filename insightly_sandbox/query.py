"""Query parameters of the sandbox's reads: which a path takes, their checks, paging, filters.

Which parameters a path takes comes from the spec: a path that declares `top` pages, one that
declares `count_total` counts, and a parameter a path does not declare is ignored (one of the
[open] choices listed in `reads.py`). A bad value raises `Refusal`, which the read handlers
answer with 400 and a `Message` naming the parameter; a good read ends in an `Answer`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from insightly_sandbox.routes import OBJECT_NAME_PARAM
from insightly_sandbox.spec import item_schema, load_spec
from tap_insightly.catalogue import BY_PATH, CUSTOMFIELDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from insightly_sandbox.store import Record, Table
    from tap_insightly.catalogue import InsightlyObject

    Predicate = Callable[[Record], bool]

T = TypeVar("T")

#: Records a page holds when `top` is not given, and the most it may ask for.
TOP_DEFAULT = 100
TOP_MAX = 500

#: The query format Insightly documents: ISO 8601, `2018-04-09T16:58:14Z`. JavaScript's
#: `toJSON()`, which the docs recommend, adds milliseconds; an offset or no zone also parse.
_ISO_8601 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?", re.IGNORECASE
)
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class Refusal(Exception):  # noqa: N818 - it is the answer, not a failure of the sandbox
    """A request the API answers with an error status and a message instead of data."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the message the response will carry."""
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Answer:
    """A successful read: its JSON body, already encoded, and what its headers report.

    Attributes:
        body: the response body.
        total: the number of all matching records, for `X-Total-Count`, when asked for.
        etag: the record's version, for `ETag`, when one record is answered.
        deflated: the body as a raw deflate stream without its final block, when one is ready.
    """

    body: bytes
    total: int | None = None
    etag: str | None = None
    deflated: bytes | None = None


def joined(parts: Iterable[bytes]) -> bytes:
    """A JSON array made of already encoded elements."""
    return b"[" + b",".join(parts) + b"]"


def template_of(family: str, obj: InsightlyObject | None) -> str:
    """The spec's path template a request matched, from its family and object."""
    if obj is None or not family.startswith("/{object}"):
        return family
    segment = obj.path if obj.path in BY_PATH else OBJECT_NAME_PARAM
    return family.replace("{object}", segment, 1)


@functools.cache
def declared(template: str) -> frozenset[str]:
    """The query parameters the spec declares for a GET path, lower-cased as requests are."""
    parameters = load_spec()["paths"][template]["get"].get("parameters", [])
    return frozenset(item["name"].lower() for item in parameters if item["in"] == "query")


@functools.cache
def standard_fields(template: str) -> frozenset[str]:
    """The fields the spec lets `field_name` name on a path: its records' scalar properties."""
    properties = (item_schema(template) or {}).get("properties", {})
    return frozenset(name for name, prop in properties.items() if prop.get("type") != "array")


@dataclass(frozen=True)
class Page:
    """Which slice of the matching records to answer, and whether to count them all.

    Attributes:
        skip: records to pass over first.
        top: records to answer at most; None for all of them (paths without paging).
        count_total: whether to send the number of matches in `X-Total-Count`.
    """

    skip: int = 0
    top: int | None = None
    count_total: bool = False

    def choose(
        self,
        items: Iterable[T],
        keep: Callable[[T], bool] | None = None,
        *,
        size: int | None = None,
    ) -> tuple[list[T], int | None]:
        """The items of this page, and the count of all that match when it is asked for.

        Without a count or a filter this touches only the items up to the page's end, so
        reading the first pages of a large table stays cheap.

        Args:
            items: candidates in page order.
            keep: the filter every answered item passes, if any.
            size: how many `items` there are, when known without counting.
        """
        stop = None if self.top is None else self.skip + self.top
        if keep is not None:
            items = filter(keep, items)
            size = None
        if self.count_total and size is None:
            everything = list(items)
            return everything[self.skip : stop], len(everything)
        return list(islice(items, self.skip, stop)), size if self.count_total else None


def page(query: Mapping[str, str], template: str) -> Page:
    """The page a request asks for, from the parameters its path declares."""
    names = declared(template)
    if "top" not in names:
        return Page(count_total="count_total" in names and flag(query, "count_total"))
    return Page(
        skip=whole(query, "skip", 0),
        top=whole(query, "top", TOP_DEFAULT, maximum=TOP_MAX),
        count_total="count_total" in names and flag(query, "count_total"),
    )


def flag(query: Mapping[str, str], name: str) -> bool:
    """A boolean parameter, `true` or `false` in any case; absent or empty is false."""
    text = query.get(name, "").strip()
    if not text:
        return False
    if text.lower() not in {"true", "false"}:
        raise Refusal(400, f"The value '{text}' is not valid for {name}: use true or false.")
    return text.lower() == "true"


def whole(query: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    """A non-negative whole-number parameter, at most `maximum`; absent or empty is `default`."""
    text = query.get(name, "").strip()
    if not text:
        return default
    if not _WHOLE_NUMBER.fullmatch(text):
        raise Refusal(400, f"The value '{text}' is not valid for {name}: use a whole number.")
    value = int(text)
    if value < 0:
        raise Refusal(400, f"The value '{text}' is not valid for {name}: it may not be negative.")
    if maximum is not None and value > maximum:
        raise Refusal(
            400, f"The value '{text}' is not valid for {name}: it may be at most {maximum}."
        )
    return value


def updated_after(query: Mapping[str, str]) -> str | None:
    """`updated_after_utc` as a record timestamp (`2018-04-09 16:58:14`), to compare as text.

    Record timestamps are UTC and fixed-width, so their text sorts as their moments do, and a
    filter over thousands of records needs no parsing. Fractions of a second are dropped:
    records keep whole seconds, so "after 14.5" and "after 14" keep the same records.
    """
    text = query.get("updated_after_utc", "").strip()
    if not text:
        return None
    found = _ISO_8601.fullmatch(text)
    problem = f"The value '{text}' is not valid for updated_after_utc"
    remedy = "use ISO 8601 UTC, such as 2018-04-09T16:58:14Z"
    if found is None:
        raise Refusal(400, f"{problem}: {remedy}.")
    year, month, day, hour, minute, second = (int(part) for part in found.groups()[:6])
    try:
        zone = _zone((found.group(7) or "Z").upper())
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
        moment = moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError) as error:
        raise Refusal(400, f"{problem}: {error}; {remedy}.") from error
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def _zone(text: str) -> dt.timezone:
    """The zone of an ISO 8601 suffix: `Z`, `+02:00` or `-0530`."""
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def after(field: str, threshold: str) -> Predicate:
    """Keep records whose timestamp field is strictly after the threshold, to the second."""
    return lambda record: (record.get(field) or "") > threshold


def field_filter(
    query: Mapping[str, str], standard: frozenset[str], custom: Iterable[str]
) -> Predicate | None:
    """The `field_name` + `field_value` filter, if given: both or neither.

    Args:
        query: the request's parameters.
        standard: the object's standard field names, upper case.
        custom: the names of the object's custom fields (`Hobby__c`).

    Raises:
        Refusal: when only one of the pair is given, or the field is not the object's.
    """
    name = query.get("field_name", "").strip()
    value = query.get("field_value")
    if not name and not value:
        return None
    if not name or value is None:
        raise Refusal(400, "field_name and field_value go together: give both or neither.")
    if name.upper() in standard:
        field = name.upper()
        return lambda record: same(record.get(field), value)
    custom_names = {custom_name.casefold() for custom_name in custom}
    if name.casefold() in custom_names:
        wanted = name.casefold()
        return lambda record: any(
            str(entry.get("FIELD_NAME", "")).casefold() == wanted
            and same(entry.get("FIELD_VALUE"), value)
            for entry in record.get(CUSTOMFIELDS) or ()
        )
    raise Refusal(400, f"The value '{name}' is not valid for field_name: no such field.")


def same(value: object, wanted: str) -> bool:
    """Whether a field's value reads as the text a query gave for it.

    Text compares without regard to case; numbers compare as numbers (`5` matches `5.0`);
    booleans as `true` or `false` in any case. Null matches nothing.
    """
    if isinstance(value, bool):
        return wanted.strip().lower() == ("true" if value else "false")
    if isinstance(value, int | float):
        try:
            return float(wanted) == float(value)
        except ValueError:
            return False
    if isinstance(value, str):
        return value.casefold() == wanted.casefold()
    return False


def all_of(predicates: Iterable[Predicate | None]) -> Predicate | None:
    """One filter that keeps what every given filter keeps; None when none is given."""
    given = [predicate for predicate in predicates if predicate is not None]
    if not given:
        return None
    if len(given) == 1:
        return given[0]
    return lambda record: all(predicate(record) for predicate in given)


def record_id(text: str) -> int:
    """A path's integer record id; anything else is a 400, as the spec types `{id}` integer."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise Refusal(400, f"The value '{text}' is not valid for id: use a whole number.")
    return int(text)


def existing(table: Table | None, text: str) -> int:
    """The id of a record the path names, which must exist (404 otherwise)."""
    key = record_id(text)
    if table is None or key not in table.rows:
        name = (table.obj.record_name or table.obj.path) if table is not None else "record"
        raise Refusal(404, f"No {name} with id {key} was found.")
    return key
