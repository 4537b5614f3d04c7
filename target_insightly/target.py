"""target-insightly: Singer records written into Insightly, created, updated or left alone.

One target run holds one `InsightlySession` (and so one rate limiter) shared by every sink, asks
Insightly for its custom objects and custom fields once (two requests), and keeps a ledger of
what it wrote so that a record sent again unchanged costs nothing. The tap's STATE messages pass
through untouched: Meltano keeps them. At the end one line per stream says how many records were
created, updated, left unchanged and refused, and the run fails if more were refused than
`max_failures` allows.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import Target
from typing_extensions import override

from tap_insightly.catalogue import OBJECTS, SUB_RESOURCES, custom_object
from tap_insightly.client import (
    InsightlySession,
)
from tap_insightly.discovery import Discovery, discover
from tap_insightly.fanout import FAN_OUT_STREAMS
from tap_insightly.stops import ending_cleanly
from target_insightly.copying import Copying
from target_insightly.ledger import Ledger
from target_insightly.outcomes import DeadLetters, Tally
from target_insightly.sinks import ObjectSink, SkippedSink
from target_insightly.target_config import CONFIG_SCHEMA, TargetSettings
from target_insightly.translate import Directory

if TYPE_CHECKING:
    from singer_sdk.sinks import Sink

    from tap_insightly.catalogue import InsightlyObject


class TargetError(Exception):
    """The run cannot go on, or did not succeed; the message says why and what to do."""


class UnknownStreamError(TargetError):
    """A stream names no object the target writes."""


class TooManyFailuresError(TargetError):
    """More records were refused than `max_failures` allows."""


class TargetInsightly(Target):
    """Singer target for the Insightly CRM API v3.1."""

    name = "target-insightly"
    package_name = "insightly-singer"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = ObjectSink

    @cached_property
    def settings(self) -> TargetSettings:
        """The settings, checked: an error names each setting that cannot work and its remedy."""
        return TargetSettings.from_config(self.config)

    @cached_property
    def session(self) -> InsightlySession:
        """The one session, and so the one rate limiter, every sink's requests go through."""
        settings = self.settings
        return InsightlySession.paced(
            settings.api_key,
            settings.requests_per_second,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            user_agent=f"{self.name}/{self.plugin_version}",
        )

    @cached_property
    def discovery(self) -> Discovery:
        """The instance's custom objects and custom fields, asked for once per run."""
        found = discover(self.session, self.settings.base_url)
        self.logger.info(
            "Found %d custom objects and %d custom fields (quota %s)",
            len(found.custom_objects),
            len(found.custom_fields),
            self.session.quota.describe(),
        )
        return found

    @cached_property
    def writable(self) -> dict[str, InsightlyObject]:
        """The streams the target writes, by name: the tap's names for the same objects.

        Copying between instances, the configuration each instance has its own copy of is
        matched by name even where the API cannot write it (users, pipelines, stages).
        """
        copying = self.settings.translating
        objects = {
            obj.stream: obj
            for obj in OBJECTS
            if obj.create or obj.update or obj.parent or (copying and obj.natural_key)
        }
        for name in self.discovery.object_names:
            obj = custom_object(name)
            objects.setdefault(obj.stream, obj)
        return objects

    @cached_property
    def skipped(self) -> frozenset[str]:
        """The tap's streams Insightly cannot take: counted as skipped, never an error."""
        streams = {obj.stream for obj in OBJECTS}
        streams.update(sub.stream for sub in SUB_RESOURCES if sub.stream)
        streams.update(FAN_OUT_STREAMS)
        return frozenset(streams - self.writable.keys())

    @cached_property
    def ledger(self) -> Ledger:
        """What earlier runs wrote, read once."""
        try:
            return Ledger(self.settings.ledger_path, self.settings.id_mode)
        except ValueError as error:
            raise TargetError(str(error)) from None

    @cached_property
    def copying(self) -> Copying:
        """What a copy between instances shares across sinks; inert under `id_mode: update`."""
        return Copying(
            active=self.settings.translating,
            ledger=self.ledger,
            custom_objects=self.discovery.object_names,
            directory=Directory(self.session, self.settings.base_url),
            streams=self.writable,
        )

    @cached_property
    def dead_letters(self) -> DeadLetters:
        """Where refused records go."""
        return DeadLetters(self.settings.dead_letter_path)

    @cached_property
    def link_ids(self) -> set[int]:
        """The LINK_IDs this run has seen in answers or added: any other is someone else's."""
        return set()

    @cached_property
    def _tallies(self) -> dict[str, Tally]:
        return {}

    @cached_property
    def _tally_lock(self) -> threading.Lock:
        return threading.Lock()

    def tally(self, stream_name: str) -> Tally:
        """The counts of one stream, kept across the sinks a schema change replaces."""
        with self._tally_lock:
            return self._tallies.setdefault(stream_name, Tally())

    @override
    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """The sink for a stream the target writes.

        Raises:
            UnknownStreamError: the stream names no object the target writes; the message
                lists those it does.
        """
        if stream_name in self.skipped:
            return SkippedSink
        if stream_name not in self.writable:
            msg = (
                f"target-insightly does not write stream {stream_name!r}: rename it with a "
                "stream map to one of the streams it writes, which are "
                f"{', '.join(sorted(self.writable))}"
            )
            raise UnknownStreamError(msg)
        return ObjectSink

    @override
    def _write_state_message(self, state: dict[str, Any]) -> None:
        # The ledger must hold every record the STATE covers before the STATE goes out: if the
        # run then dies, the next one starts after those records and must know them. While
        # records wait for others, the STATE waits too; the last one goes out at the end.
        if "copying" in self.__dict__ and len(self.copying):
            return
        self.ledger.save()
        super()._write_state_message(state)

    @override
    def process_endofpipe(self) -> None:
        """Drain as the SDK does, then log the counts and fail if too many records were refused.

        Raises:
            TooManyFailuresError: more records were refused than `max_failures` allows.
        """
        if "copying" in self.__dict__:
            self.copying.finish(self.logger)
        super().process_endofpipe()
        self.ledger.save()
        settings = self.settings
        prefix = "Dry run, nothing written: " if settings.dry_run else ""
        failed = 0
        for stream, tally in sorted(self._tallies.items()):
            self.logger.info("%s%s: %s (%d records)", prefix, stream, tally.describe(), tally.total)
            failed += tally.failed
        if "session" in self.__dict__:
            quota = self.session.quota
            self.logger.info("%d requests sent (quota %s)", quota.sent, quota.describe())
        if failed > settings.max_failures:
            msg = (
                f"{failed} records were refused, more than max_failures ({settings.max_failures})"
                f": see {settings.dead_letter_path} for each record, its status and the reason"
            )
            raise TooManyFailuresError(msg)

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        """Run the target from the command line; see `stops.ending_cleanly` for how it can stop."""
        with ending_cleanly(cls.logger, TargetError):
            super().invoke(**kwargs)
