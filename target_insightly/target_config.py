"""The target's settings: what each one means, and the checks that run before any request.

The JSON Schema is what `target-insightly --about` shows and what Meltano reads; the SDK checks
config against it. `TargetSettings.from_config` then checks what the schema cannot say well,
naming each setting that cannot work and what to put instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_insightly.settings import SettingsError, base_url
from tap_insightly.tap_config import (
    CONNECTION_PROPERTIES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_TIMEOUT,
    MAX_REQUESTS_PER_SECOND,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_DEAD_LETTER_PATH = "insightly-dead-letters.jsonl"
DEFAULT_LEDGER_PATH = ".target-insightly/ledger.json"

#: How ids in records are read: as this instance's, or as another instance's to translate.
ID_MODES = ("update", "translate")

CONFIG_SCHEMA: dict[str, Any] = th.PropertiesList(
    *CONNECTION_PROPERTIES,
    th.Property(
        "requests_per_second",
        th.NumberType,
        default=DEFAULT_REQUESTS_PER_SECOND,
        description=(
            "Requests per second this target sends, above 0 and at most 10 (Insightly's limit "
            "per instance, shared with every other integration on it)."
        ),
    ),
    th.Property(
        "timeout",
        th.IntegerType,
        default=DEFAULT_TIMEOUT,
        description="Seconds to wait for an answer before giving up on the request.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=DEFAULT_MAX_RETRIES,
        description=(
            "Retries of a read or an update after a 5xx answer, a timeout or a dropped "
            "connection. A create (POST) is never retried blindly."
        ),
    ),
    th.Property(
        "upsert_keys",
        th.ObjectType(additional_properties=th.StringType),
        default={},
        description=(
            'A natural key per stream, such as {"contacts": "EMAIL_ADDRESS"}: a record '
            "without its id is matched on this field with /Search, updated when one record "
            "matches and created when none does."
        ),
    ),
    th.Property(
        "id_mode",
        th.StringType,
        default="update",
        allowed_values=list(ID_MODES),
        description=(
            "`update`: a record's id field (CONTACT_ID...) names a record of this instance, "
            "which is updated. `translate`: the records come from another Insightly instance "
            "(tap-insightly reading it); each is created here once, its references to other "
            "records (ORGANISATION_ID, links, line items' price book entries...) become the "
            "ids written here, and configuration (users, pipelines, stages, categories) is "
            "matched by name."
        ),
    ),
    th.Property(
        "dead_letter_path",
        th.StringType,
        default=DEFAULT_DEAD_LETTER_PATH,
        description=(
            "A JSON Lines file to which each record Insightly refused is appended, with the "
            "status and message."
        ),
    ),
    th.Property(
        "ledger_path",
        th.StringType,
        default=DEFAULT_LEDGER_PATH,
        description=(
            "A JSON file remembering what the target wrote (Insightly id and a hash of the body "
            "per record), so that a record sent again unchanged costs no request."
        ),
    ),
    th.Property(
        "dry_run",
        th.BooleanType,
        default=False,
        description=(
            "Check records and log the writes they would cause without making them. Upsert "
            "searches, which only read, are still made."
        ),
    ),
    th.Property(
        "max_failures",
        th.IntegerType,
        default=0,
        description=("How many refused records a run may dead-letter and still end successfully."),
    ),
).to_dict()


@dataclass(frozen=True)
class TargetSettings:
    """The settings once checked, with the API's base URL worked out from api_url or pod."""

    api_key: str
    base_url: str
    requests_per_second: float
    timeout: int
    max_retries: int
    dead_letter_path: Path
    ledger_path: Path
    dry_run: bool
    max_failures: int
    upsert_keys: dict[str, str] = field(default_factory=dict)
    id_mode: str = "update"

    @property
    def translating(self) -> bool:
        """Whether ids in records are another instance's, to be translated."""
        return self.id_mode == "translate"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TargetSettings:
        """Check the config and read it, filling in defaults.

        Raises:
            ConfigValidationError: settings cannot work; its `errors` name each one and its
                remedy.
        """
        errors: list[str] = []
        api_key = str(config.get("api_key") or "").strip()
        if not api_key:
            errors.append("api_key is missing: copy the API key from Insightly's User Settings")
        try:
            url = base_url(config.get("api_url"), config.get("pod"))
        except SettingsError as error:
            errors.append(str(error))
            url = ""
        per_second = float(config.get("requests_per_second") or DEFAULT_REQUESTS_PER_SECOND)
        if not 0 < per_second <= MAX_REQUESTS_PER_SECOND:
            errors.append(
                f"requests_per_second is {per_second:g}: set it above 0 and at most "
                f"{MAX_REQUESTS_PER_SECOND:g}, Insightly's limit per instance"
            )
        upsert_keys = config.get("upsert_keys") or {}
        if not isinstance(upsert_keys, dict) or not all(
            isinstance(value, str) and value for value in upsert_keys.values()
        ):
            errors.append(
                "upsert_keys must map stream names to one field name each, such as "
                '{"contacts": "EMAIL_ADDRESS"}'
            )
            upsert_keys = {}
        max_failures = int(config.get("max_failures") or 0)
        if max_failures < 0:
            errors.append(f"max_failures is {max_failures}: set it to 0 or more")
        id_mode = str(config.get("id_mode") or "update")
        if id_mode not in ID_MODES:
            errors.append(
                f"id_mode is {id_mode!r}: set it to 'update' (ids are this instance's) or "
                "'translate' (records copied from another instance)"
            )
        if errors:
            msg = "Settings cannot work as given"
            raise ConfigValidationError(msg, errors=errors)
        return cls(
            api_key=api_key,
            base_url=url,
            requests_per_second=per_second,
            timeout=int(config.get("timeout") or DEFAULT_TIMEOUT),
            max_retries=int(config.get("max_retries", DEFAULT_MAX_RETRIES)),
            dead_letter_path=Path(config.get("dead_letter_path") or DEFAULT_DEAD_LETTER_PATH),
            ledger_path=Path(config.get("ledger_path") or DEFAULT_LEDGER_PATH),
            dry_run=bool(config.get("dry_run")),
            max_failures=max_failures,
            upsert_keys=dict(upsert_keys),
            id_mode=id_mode,
        )
