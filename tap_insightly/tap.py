"""tap-insightly: every Insightly object, custom objects included, as Singer streams.

One tap run holds one `InsightlySession` with one rate limiter, created when first needed and
shared by every stream, and asks Insightly for its custom objects and fields once (two
requests). The streams come from the object catalogue, plus one per custom object, the
links stream fed by the records that carry LINKS, and the streams read one request per parent
record (`fanout.py`), which no catalog selects unless asked.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import Tap
from typing_extensions import override

from tap_insightly.catalogue import CUSTOM_OBJECT_RECORD, LINKS, OBJECTS, custom_object
from tap_insightly.client import (
    InsightlySession,
)
from tap_insightly.discovery import Discovery, discover
from tap_insightly.fanout import ParentStream, fan_out_streams, reads_under
from tap_insightly.links import LinkedObjectStream, LinksStream
from tap_insightly.stops import ending_cleanly
from tap_insightly.streams import DiscoveredStream, ObjectStream, TagsStream
from tap_insightly.tap_config import CONFIG_SCHEMA, TapSettings

if TYPE_CHECKING:
    import click
    from singer_sdk.streams import Stream

    from tap_insightly.catalogue import InsightlyObject


class _UnsortedNotice(logging.Filter):
    """Drops the SDK's warning, once per incremental stream and run, that a stream is unsorted.

    Insightly pages in id order, so every incremental stream is unsorted by design: its bookmark
    is saved when the stream finishes, as the README says. The warning tells the person running
    the pipeline nothing to do, 30 times a run.
    """

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        return "assumed to be unsorted" not in record.getMessage()


class TapInsightly(Tap):
    """Singer tap for the Insightly CRM API v3.1."""

    name = "tap-insightly"
    package_name = "insightly-singer"
    # Custom objects and custom fields are read from the instance at discovery.
    dynamic_catalog = True
    config_jsonschema = CONFIG_SCHEMA

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - the SDK's own
        """Set up as the SDK does, without its unsorted-stream warning (see `_UnsortedNotice`)."""
        sdk_logger = logging.getLogger("singer_sdk")
        if not any(isinstance(known, _UnsortedNotice) for known in sdk_logger.filters):
            sdk_logger.addFilter(_UnsortedNotice())
        super().__init__(*args, **kwargs)

    @cached_property
    def settings(self) -> TapSettings:
        """The settings, checked: an error names each setting that cannot work and its remedy."""
        return TapSettings.from_config(self.config, user_agent=f"{self.name}/{self.plugin_version}")

    @cached_property
    def session(self) -> InsightlySession:
        """The one session, and so the one rate limiter, every request of this run goes through."""
        settings = self.settings
        return InsightlySession.paced(
            settings.api_key,
            settings.requests_per_second,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            user_agent=settings.user_agent,
        )

    @cached_property
    def discovery(self) -> Discovery:
        """The instance's custom objects and custom fields, asked for once per tap run."""
        found = discover(self.session, self.settings.base_url)
        self.logger.info(
            "Discovered %d custom objects and %d custom fields (quota %s)",
            len(found.custom_objects),
            len(found.custom_fields),
            self.session.quota.describe(),
        )
        return found

    @override
    def discover_streams(self) -> list[Stream]:
        discovery = self.discovery
        streams: list[Stream] = [self._object_stream(obj, discovery) for obj in OBJECTS]
        streams.extend(
            ParentStream(
                self,
                obj,
                discovery.fields_for(obj.field_for),
                schema_name=CUSTOM_OBJECT_RECORD.stream,
            )
            for obj in map(custom_object, discovery.object_names)
        )
        streams.append(LinksStream(self))
        streams.extend(fan_out_streams(self, streams))
        return streams

    def _object_stream(self, obj: InsightlyObject, discovery: Discovery) -> Stream:
        """The stream of one catalogue object, read as that object needs."""
        if obj.path == "CustomObjects":
            return DiscoveredStream(self, obj, discovery.custom_objects)
        if obj.path == "CustomFields":
            return DiscoveredStream(self, obj, discovery.custom_fields)
        if obj.path == "Tags":
            return TagsStream(self)
        kind: type[ObjectStream] = ObjectStream
        if LINKS in obj.nested:
            kind = LinkedObjectStream
        elif reads_under(obj):
            kind = ParentStream
        return kind(self, obj, discovery.fields_for(obj.field_for))

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        """Run the tap from the command line; see `stops.ending_cleanly` for how a run can stop."""
        with ending_cleanly(cls.logger):
            super().invoke(**kwargs)

    @classmethod
    @override
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        with ending_cleanly(cls.logger):
            super().cb_discover(ctx, param, value)

    @classmethod
    @override
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        with ending_cleanly(cls.logger):
            super().cb_test(ctx, param, value)
