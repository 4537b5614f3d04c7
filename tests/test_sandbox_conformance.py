"""Every GET path of the spec, answered by the seeded sandbox as the spec says it answers.

Each path the sandbox serves is asked over the socket with real ids from the seeded store, and
its body is checked three ways: against the spec's response schema (loosened where Swagger 2.0
cannot say what real responses do), for the presence of every property the spec declares, and
for record-style timestamps. A path the sandbox does not serve is listed with its reason, so a
path added to the spec cannot go unchecked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from insightly_sandbox.api import ApiRequest
from insightly_sandbox.reads import HANDLERS
from insightly_sandbox.routes import routes
from insightly_sandbox.spec import load_spec, resolve
from tap_insightly.catalogue import TAGS

if TYPE_CHECKING:
    from collections.abc import Iterator

    import requests

    from insightly_sandbox.server import SandboxServer
    from insightly_sandbox.store import Store

_IMAGE = "an image's bytes, not JSON: a connector reads the record's IMAGE_URL instead"
_TRANSLATION = "knowledge base translations are not read by a connector"

#: GET paths the sandbox leaves unserved (the API answers 501), and why.
NOT_SERVED: dict[str, str] = {
    "/FileAttachments/{id}": "a file's content, not JSON: connectors read attachment lists",
    "/Contacts/{id}/Image": _IMAGE,
    "/Leads/{id}/Image": _IMAGE,
    "/Opportunities/{id}/Image": _IMAGE,
    "/Organisations/{id}/Image": _IMAGE,
    "/Product/{id}/Image": _IMAGE,
    "/Projects/{id}/Image": _IMAGE,
    "/Contacts/{id}/ImageField/{fieldName}": _IMAGE,
    "/Events/{id}/ImageField/{fieldName}": _IMAGE,
    "/KnowledgeArticle/{id}/ImageField/{fieldName}": _IMAGE,
    "/Leads/{id}/ImageField/{fieldName}": _IMAGE,
    "/Opportunities/{id}/ImageField/{fieldName}": _IMAGE,
    "/OpportunityLineItem/{id}/ImageField/{fieldName}": _IMAGE,
    "/Organisations/{id}/ImageField/{fieldName}": _IMAGE,
    "/PricebookEntry/{id}/ImageField/{fieldName}": _IMAGE,
    "/Product/{id}/ImageField/{fieldName}": _IMAGE,
    "/Projects/{id}/ImageField/{fieldName}": _IMAGE,
    "/Prospect/{id}/ImageField/{fieldName}": _IMAGE,
    "/Quotation/{id}/ImageField/{fieldName}": _IMAGE,
    "/QuotationLineItem/{id}/ImageField/{fieldName}": _IMAGE,
    "/Tasks/{id}/ImageField/{fieldName}": _IMAGE,
    "/Ticket/{id}/ImageField/{fieldName}": _IMAGE,
    "/KnowledgeArticle/{id}/Translations/{language}": _TRANSLATION,
    "/{objectName}/{id}/Translations/{language}": _TRANSLATION,
}

#: Response schemas the spec gets wrong, what the sandbox is checked against instead, and why.
SCHEMA_CORRECTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "/Notes/{id}/Comment": (
        {"type": "array", "items": {"$ref": "#/definitions/APIComment"}},
        "summarised as a note's comments, but declared as a list of Notes",
    ),
    "/{objectName}/{id}/FileAttachments": (
        {"type": "array", "items": {"$ref": "#/definitions/APIFileAttachment"}},
        "summarised as a record's file attachments, but declared as custom object records",
    ),
    "/Pipelines/{id}": (
        {"$ref": "#/definitions/APIPipeline"},
        "declares no success body; it answers the pipeline as /Pipelines lists it",
    ),
}

#: Served paths for which the default seed holds no data, so their checks see an empty list.
#: A path leaves this list once the seed fills it (the test below says when).
EMPTY_IN_SEED: frozenset[str] = frozenset(
    {
        "/Comments/{id}/FileAttachments",
        "/Leads/{id}/Emails",
        "/Opportunities/{id}/Emails",
        "/Projects/{id}/Emails",
        "/Prospect/{id}/StaticListMembership",
        "/Quotation/{id}/QuotationDocument",
    }
)

GET_TEMPLATES = sorted(route.template for route in routes() if "GET" in route.methods)
FAMILIES = {route.template: route.family for route in routes()}
SERVED = [template for template in GET_TEMPLATES if ("GET", FAMILIES[template]) in HANDLERS]
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_DROPPED = frozenset({"maxLength", "minLength", "format", "readOnly", "title"})


def test_every_get_path_is_served_or_set_aside_with_a_reason():
    unaccounted = [t for t in GET_TEMPLATES if t not in SERVED and t not in NOT_SERVED]
    both = [template for template in SERVED if template in NOT_SERVED]
    stale = [template for template in NOT_SERVED if template not in GET_TEMPLATES]
    assert not unaccounted, f"GET paths neither served nor set aside: {unaccounted}"
    assert not both, f"GET paths served yet listed as not served: {both}"
    assert not stale, f"NOT_SERVED names paths the spec lacks: {stale}"
    assert set(SCHEMA_CORRECTIONS) <= set(SERVED)


@pytest.mark.parametrize("template", sorted(NOT_SERVED))
def test_a_path_set_aside_answers_501(sandbox, api, template):
    path, query = request_for(sandbox, template)
    assert api.get(sandbox.url + path.lstrip("/"), params=query, timeout=30).status_code == 501


def test_every_custom_object_answers_as_the_spec_says(sandbox, api):
    # The parametrized checks fill `{objectName}` with the first custom object; this one
    # walks them all, and the custom field definitions of every object that has some.
    store = sandbox.store
    names = [definition["OBJECT_NAME"] for definition in store.custom_objects]
    assert names, "the seed defines no custom object"
    checks = [
        ("/CustomFields/{objectName}", f"/CustomFields/{path}") for path in store.custom_fields
    ]
    for name in names:
        first = next(iter(store.tables[name].rows))
        checks += [
            ("/{objectName}", f"/{name}"),
            ("/{objectName}/Search", f"/{name}/Search"),
            ("/{objectName}/{id}", f"/{name}/{first}"),
            ("/CustomObjects/{customObjectName}", f"/CustomObjects/{name}"),
        ]
    for template, path in checks:
        body = api.get(sandbox.url + path.lstrip("/"), timeout=30).json()
        assert body not in ([], {}), path
        schema = declared_schema(template)
        errors = [e.message for e in jsonschema.Draft4Validator(loosened(schema)).iter_errors(body)]
        assert not errors, f"{path}: {errors[:5]}"
        assert not list(missing_properties(schema, body)), path
        assert not list(misformatted_stamps(schema, body)), path


# Filling in a path ---------------------------------------------------------------------------


def request_for(sandbox: SandboxServer, template: str) -> tuple[str, dict[str, str]]:
    """A request for a path with real values, choosing a record that has data under it."""
    store = sandbox.store
    custom = store.custom_objects[0]["OBJECT_NAME"] if store.custom_objects else "None__c"
    path = template.replace("{objectName}", custom).replace("{customObjectName}", custom)
    path = path.replace("{fieldName}", "IMAGE").replace("{language}", "en")
    query = _required_query(store, template, custom)
    if "{id}" not in path:
        return path, query
    candidates = _candidate_ids(store, template, custom)
    for candidate in candidates:
        filled = path.replace("{id}", str(candidate))
        answer = sandbox.api.handle(ApiRequest("GET", filled, query))
        if answer.status == 200 and answer.body not in {b"[]", b"{}"}:
            return filled, query
    return path.replace("{id}", str(candidates[0] if candidates else 1)), query


def _candidate_ids(store: Store, template: str, custom: str) -> list[int]:
    """Ids that may fill a path's `{id}`: those of the object its first segment names."""
    first = template.split("/")[1]
    if first == "Comments":
        return [
            item["COMMENT_ID"]
            for (_, _, name), items in store.children.items()
            if name == "Comments"
            for item in items
            if "COMMENT_ID" in item
        ]
    table = store.tables.get(
        {"MarketingVisits": "Prospect", "{objectName}": custom}.get(first, first)
    )
    return [key for key in table.rows if isinstance(key, int)] if table is not None else []


def _required_query(store: Store, template: str, custom: str) -> dict[str, str]:
    """Values for the query parameters a path requires, and a few that widen its answer."""
    if template == "/Tags":
        return {"record_type": "contacts"}
    if template == "/LeadStatuses":
        return {"include_converted": "true"}
    if template == "/CustomFields/{objectName}/Search":
        fields = store.custom_fields.get(custom) or [{"FIELD_NAME": "None__c"}]
        return {"fieldname": fields[0]["FIELD_NAME"]}
    if template.endswith("/SearchByTag"):
        rows = store.tables[template.split("/")[1]].rows.values()
        tags = [tag["TAG_NAME"] for record in rows for tag in record.get(TAGS) or ()]
        return {"tagname": tags[0] if tags else "none"}
    return {}


# What the spec says a path answers ----------------------------------------------------------


def declared_schema(template: str) -> dict[str, Any]:
    """The schema a served path's success body must follow."""
    if template in SCHEMA_CORRECTIONS:
        return SCHEMA_CORRECTIONS[template][0]
    responses = load_spec()["paths"][template]["get"]["responses"]
    for status in ("200", "201"):
        if "schema" in responses.get(status, {}):
            schema: dict[str, Any] = responses[status]["schema"]
            return schema
    pytest.fail(f"{template} declares no success schema and has no correction")


def loosened(schema: dict[str, Any]) -> dict[str, Any]:
    """A spec schema made to validate real responses.

    References are inlined; every property also allows null (Swagger 2.0 cannot say nullable,
    and real records carry nulls); lengths go (the spec writes 0 for "no limit"); formats go
    (record timestamps are not RFC 3339, and are checked on their own); an object without
    properties (a custom field's FIELD_VALUE) allows any value.
    """
    schema = resolve(schema)
    if schema.get("type") == "object" and not schema.get("properties"):
        return {}
    kept = {
        key: value
        for key, value in schema.items()
        if key not in _DROPPED and key not in {"properties", "items"}
    }
    if "properties" in schema:
        kept["properties"] = {
            name: _nullable(loosened(prop)) for name, prop in schema["properties"].items()
        }
    if "items" in schema:
        kept["items"] = loosened(schema["items"])
    return kept


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return schema
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def missing_properties(schema: dict[str, Any], value: Any, where: str = "$") -> Iterator[str]:
    """Where a body lacks a property its schema declares, at any depth."""
    schema = resolve(schema)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from missing_properties(schema["items"], item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for name, prop in schema.get("properties", {}).items():
            if name not in value:
                yield f"{where}.{name}"
            else:
                yield from missing_properties(prop, value[name], f"{where}.{name}")


def misformatted_stamps(schema: dict[str, Any], value: Any, where: str = "$") -> Iterator[str]:
    """Where a date-time property holds anything but a `yyyy-MM-dd HH:mm:ss` timestamp."""
    schema = resolve(schema)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from misformatted_stamps(schema["items"], item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for name, prop in schema.get("properties", {}).items():
            if name in value:
                yield from misformatted_stamps(prop, value[name], f"{where}.{name}")
    elif schema.get("format") == "date-time" and not _stamp_or_null(value):
        yield f"{where} = {value!r}"


def _stamp_or_null(value: object) -> bool:
    return value is None or (isinstance(value, str) and STAMP.fullmatch(value) is not None)


# The checks, one set per served path ---------------------------------------------------------


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """Bodies fetched over the socket, one per served path, fetched when first needed."""
    return {}


def body_of(answers: dict[str, Any], sandbox: SandboxServer, api: requests.Session, template: str):
    if template not in answers:
        path, query = request_for(sandbox, template)
        response = api.get(sandbox.url + path.lstrip("/"), params=query, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        answers[template] = response.json()
    return answers[template]


@pytest.mark.parametrize("template", SERVED)
def test_the_seed_gives_each_path_something_to_check(answers, sandbox, api, template):
    body = body_of(answers, sandbox, api, template)
    if template in EMPTY_IN_SEED:
        assert body in ([], {}), f"{template} now has seeded data: drop it from EMPTY_IN_SEED"
    else:
        assert body not in ([], {}), f"{template} answers nothing, so its checks prove nothing"


@pytest.mark.parametrize("template", SERVED)
def test_the_body_follows_the_spec_schema(answers, sandbox, api, template):
    body = body_of(answers, sandbox, api, template)
    validator = jsonschema.Draft4Validator(loosened(declared_schema(template)))
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(body)]
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("template", SERVED)
def test_every_declared_property_is_present(answers, sandbox, api, template):
    body = body_of(answers, sandbox, api, template)
    missing = list(missing_properties(declared_schema(template), body))
    assert not missing, "missing: " + ", ".join(missing[:20])


@pytest.mark.parametrize("template", SERVED)
def test_timestamps_are_record_style(answers, sandbox, api, template):
    body = body_of(answers, sandbox, api, template)
    wrong = list(misformatted_stamps(declared_schema(template), body))
    assert not wrong, "not yyyy-MM-dd HH:mm:ss: " + ", ".join(wrong[:20])
