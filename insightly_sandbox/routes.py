"""Which paths and methods exist, read from Insightly's own v3.1 spec.

The sandbox answers a path only if the spec declares it, with the exact singular or plural
spelling the spec uses; a path the spec lacks is a 404 and a method the path lacks is a 405,
as on the real service. The spec ships inside this package.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from insightly_sandbox.spec import load_spec
from tap_insightly.catalogue import BY_PATH

#: The template segment that stands for any custom object's name.
OBJECT_NAME_PARAM = "{objectName}"


@dataclass(frozen=True)
class Route:
    """One path template of the spec and the methods it declares."""

    template: str
    segments: tuple[str, ...]
    methods: frozenset[str]

    @property
    def family(self) -> str:
        """The template with the object segment generalised: `/{object}/{id}/Links`.

        Routes of catalogue objects and of custom objects share a family, so one handler
        serves `/Contacts/{id}/Links` and `/Organisations/{id}/Links` alike.
        """
        first = self.segments[0]
        if first in BY_PATH or first == OBJECT_NAME_PARAM:
            return "/" + "/".join(("{object}", *self.segments[1:]))
        return self.template


@dataclass(frozen=True)
class Match:
    """A request path matched to a route, with the values of its parameters."""

    route: Route
    object_path: str
    params: dict[str, str]


@functools.cache
def routes() -> tuple[Route, ...]:
    """Every path template of the spec, most literal first, so literals win over parameters."""
    paths = load_spec()["paths"]
    found = [
        Route(
            template=template,
            segments=tuple(template.strip("/").split("/")),
            methods=frozenset(method.upper() for method in operations if method != "parameters"),
        )
        for template, operations in paths.items()
    ]
    return tuple(sorted(found, key=_specificity))


def _specificity(route: Route) -> tuple[int, ...]:
    """Sort key: at each position a literal segment comes before a parameter."""
    return tuple(1 if segment.startswith("{") else 0 for segment in route.segments)


def match(path: str) -> list[Match]:
    """Every route whose template fits the path, most literal first."""
    segments = tuple(part for part in path.strip("/").split("/") if part)
    found: list[Match] = []
    for route in routes():
        if len(route.segments) != len(segments):
            continue
        params: dict[str, str] = {}
        for pattern, value in zip(route.segments, segments, strict=True):
            if pattern.startswith("{"):
                params[pattern[1:-1]] = value
            elif pattern != value:
                break
        else:
            found.append(Match(route, segments[0] if segments else "", params))
    return found
