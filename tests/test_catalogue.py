"""The object catalogue says what Insightly's own spec says, object by object.

Each test gathers every disagreement before failing, so one run shows the whole picture.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from insightly_sandbox.spec import UNDECLARED_FIELDS, item_schema, load_spec
from insightly_sandbox.validation import rules
from tap_insightly.catalogue import (
    BY_PATH,
    CUSTOM_OBJECT_RECORD,
    OBJECTS,
    SUB_RESOURCE_BY_NAME,
    SUB_RESOURCES,
    InsightlyObject,
    sub_resource,
)

EVERY_OBJECT = (*OBJECTS, CUSTOM_OBJECT_RECORD)


def _documented_extras() -> dict[str, dict[str, Any]]:
    """The fields real responses carry beyond the spec, by spec shape."""
    extras: dict[str, dict[str, Any]] = {}
    for extra in UNDECLARED_FIELDS:
        extras.setdefault(extra.shape, {})[extra.name] = extra.swagger
    return extras


EXTRAS = _documented_extras()


def _paths() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = load_spec()["paths"]
    return paths


def _methods(template: str) -> set[str]:
    return set(_paths().get(template, {}))


def _parameters(template: str, method: str = "get") -> set[str]:
    operation = _paths().get(template, {}).get(method, {})
    return {parameter["name"] for parameter in operation.get("parameters", [])}


def _list_template(obj: InsightlyObject) -> str:
    return "/CustomFields/{objectName}" if obj.path == "CustomFields" else f"/{obj.path}"


def _record_properties(obj: InsightlyObject) -> dict[str, Any]:
    """A record's properties in the spec, with the documented extras of its shape."""
    record = item_schema(_list_template(obj)) or {}
    properties: dict[str, Any] = dict(record.get("properties", {}))
    properties.update(EXTRAS.get(record.get("title", ""), {}))
    return properties


def test_every_object_has_a_list_route() -> None:
    missing = [obj.path for obj in EVERY_OBJECT if "get" not in _methods(_list_template(obj))]
    assert missing == []


def test_singletons_answer_one_object() -> None:
    wrong = []
    for obj in EVERY_OBJECT:
        answer = _paths()[_list_template(obj)]["get"]["responses"]["200"]["schema"]
        if obj.singleton != (answer.get("type") != "array"):
            wrong.append(obj.path)
    assert wrong == []


def test_search_means_search_route_with_updated_after_utc() -> None:
    wrong = [
        obj.path
        for obj in EVERY_OBJECT
        if obj.search != ("updated_after_utc" in _parameters(f"/{obj.path}/Search"))
    ]
    assert wrong == []


def test_paged_and_brief_match_the_list_parameters() -> None:
    wrong = []
    for obj in EVERY_OBJECT:
        parameters = _parameters(_list_template(obj))
        if obj.paged != ({"top", "skip"} <= parameters):
            wrong.append(f"{obj.path}: paged")
        if obj.brief != ("brief" in parameters):
            wrong.append(f"{obj.path}: brief")
    assert wrong == []


def test_create_update_delete_match_the_routes() -> None:
    wrong = []
    for obj in EVERY_OBJECT:
        if obj.create != ("post" in _methods(f"/{obj.path}")):
            wrong.append(f"{obj.path}: create")
        if obj.update != ("put" in _methods(f"/{obj.path}")):
            wrong.append(f"{obj.path}: update")
        if obj.delete != ("delete" in _methods(f"/{obj.path}/{{id}}")):
            wrong.append(f"{obj.path}: delete")
    assert wrong == []


def test_sub_resources_exist_and_are_described() -> None:
    wrong = [
        f"{obj.path}/{{id}}/{name}"
        for obj in EVERY_OBJECT
        for name in obj.sub_resources
        if not _methods(f"/{obj.path}/{{id}}/{name}") or name not in SUB_RESOURCE_BY_NAME
    ]
    assert wrong == []


def test_sub_resource_streams_are_readable() -> None:
    unreadable = [
        sub.name
        for sub in SUB_RESOURCES
        if sub.stream
        and not any(
            "get" in _methods(f"/{obj.path}/{{id}}/{sub.name}")
            for obj in OBJECTS
            if sub_resource(obj, sub.name) is sub
        )
    ]
    assert unreadable == []


def test_sub_resources_limited_to_objects_are_theirs_and_paged_as_the_spec_says() -> None:
    wrong = [
        f"{sub.stream or sub.name}: {path} does not list {sub.name}"
        for sub in SUB_RESOURCES
        for path in sub.objects
        if sub.name not in BY_PATH[path].sub_resources
    ]
    for obj in EVERY_OBJECT:
        for name in obj.sub_resources:
            sub = sub_resource(obj, name)
            template = f"/{obj.path}/{{id}}/{name}"
            if sub is None or "get" not in _methods(template):
                continue
            if sub.paged != ("top" in _parameters(template)):
                wrong.append(f"{template}: paged is {sub.paged}")
    assert wrong == []


def test_parent_is_where_records_are_created() -> None:
    wrong = []
    for obj in OBJECTS:
        # Objects with no POST of their own are created under the one object that has one.
        creators = sorted(
            other.path
            for other in OBJECTS
            if "post" in _methods(f"/{other.path}/{{id}}/{obj.path}")
        )
        if obj.parent is None:
            if not obj.create and len(creators) == 1:
                wrong.append(f"{obj.path}: created under {creators[0]} but has no parent")
            continue
        parent, field = obj.parent
        if parent not in creators:
            wrong.append(f"{obj.path}: no POST /{parent}/{{id}}/{obj.path}")
        if field not in _record_properties(obj):
            wrong.append(f"{obj.path}: no {field} field")
    assert wrong == []


def test_keys_and_updated_field_are_record_fields() -> None:
    wrong = []
    for obj in EVERY_OBJECT:
        properties = _record_properties(obj)
        fields = (*obj.key, obj.updated_field) if obj.updated_field else obj.key
        wrong += [f"{obj.path}.{field}" for field in fields if field not in properties]
    assert wrong == []


def test_nested_collections_are_array_fields() -> None:
    wrong = [
        f"{obj.path}.{name}"
        for obj in EVERY_OBJECT
        for name in obj.nested
        if _record_properties(obj).get(name, {}).get("type") != "array"
    ]
    assert wrong == []


def test_names_are_unique_and_streams_snake_case() -> None:
    streams = [obj.stream for obj in EVERY_OBJECT] + [s.stream for s in SUB_RESOURCES if s.stream]
    record_names = [obj.record_name for obj in OBJECTS if obj.record_name]
    paths = [obj.path for obj in OBJECTS]
    sub_names = [(sub.name, sub.objects) for sub in SUB_RESOURCES]

    for names in (streams, record_names, paths, sub_names):
        assert [name for name, count in Counter(names).items() if count > 1] == []
    assert [s for s in streams if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", s)] == []


#: Id fields a record may carry that name nothing a connector can read: Insightly's brands and
#: lead-grading profiles have no endpoint, and a pipeline stage's activity set is configuration
#: each instance keeps for itself.
_UNREADABLE_REFERENCES = {"BRAND_ID", "GRADE_PROFILE_ID", "ACTIVITYSET_ID"}


def _body_fields(obj: InsightlyObject) -> dict[str, Any]:
    """The fields the spec lets a write of `obj` set: its POST body, else its PUT body."""
    template = f"/{obj.parent[0]}/{{id}}/{obj.path}" if obj.parent else f"/{obj.path}"
    for method in ("post", "put"):
        body = rules(template, method) if method in _methods(template) else None
        if body is not None:
            return {
                name: prop
                for name, prop in body.properties.items()
                if name not in body.read_only or name in body.create_only
            }
    return {}


def test_every_written_id_field_is_a_known_reference() -> None:
    wrong = []
    for obj in OBJECTS:
        declared = {field for field, _ in obj.references}
        if obj.parent:
            declared.add(obj.parent[1])
        for name in _body_fields(obj):
            undeclared = name not in declared and name not in _UNREADABLE_REFERENCES
            if name.endswith("_ID") and name != obj.id_field and undeclared:
                wrong.append(f"{obj.path}.{name} names a record but is no reference")
        for field, path in obj.references:
            if path not in BY_PATH:
                wrong.append(f"{obj.path}.{field} refers to unknown {path}")
            elif BY_PATH[path].id_field is None:
                wrong.append(f"{obj.path}.{field} refers to {path}, which has no id field")
            if field not in _record_properties(obj):
                wrong.append(f"{obj.path}.{field} is not a field of its records")
    assert wrong == []


def test_natural_keys_are_record_fields_of_objects_with_ids() -> None:
    wrong = []
    for obj in OBJECTS:
        wrong += [
            f"{obj.path}.{name}" for name in obj.natural_key if name not in _record_properties(obj)
        ]
        if obj.natural_key and obj.id_field is None:
            wrong.append(f"{obj.path} has a natural key but no id to translate")
    assert wrong == []


def test_create_only_fields_are_those_the_spec_requires_though_read_only() -> None:
    wrong = []
    for obj in OBJECTS:
        if obj.parent is None:
            assert obj.create_only == (), obj.path
            continue
        body = rules(f"/{obj.parent[0]}/{{id}}/{obj.path}", "post")
        expected = set(body.create_only) - {obj.parent[1]}
        if set(obj.create_only) != expected:
            wrong.append(f"{obj.path}: {sorted(obj.create_only)} != {sorted(expected)}")
    assert wrong == []
