"""The tap's settings: what each one means, and the checks that run before any request.

The JSON Schema below is what `tap-insightly --about` shows and what Meltano reads; the SDK checks
config against it (types, the required key). `TapSettings.from_config` then checks what a schema
cannot say well, with messages that name the setting and what to put instead, and gathers every
problem before refusing so that one run shows them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_insightly.custom_fields import FLATTEN, MODES, check_mode
from tap_insightly.settings import DEFAULT_POD, SettingsError, base_url
from tap_insightly.values import TimestampError, parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Insightly's most records per page (`top`), and the page size unless set.
MAX_PAGE_SIZE = 500

#: Insightly's limit per instance; more only draws 429s.
MAX_REQUESTS_PER_SECOND = 10.0

#: Requests per second unless set: bursts above about five have drawn 429s.
DEFAULT_REQUESTS_PER_SECOND = 5.0

DEFAULT_TIMEOUT = 300
DEFAULT_MAX_RETRIES = 5

#: Where the account is and how to sign in: the same for the tap and the target.
CONNECTION_PROPERTIES: tuple[th.Property[Any], ...] = (
    th.Property(
        "api_key",
        th.StringType,
        required=True,
        secret=True,
        description="The API key from Insightly's User Settings; sent as the Basic user name.",
    ),
    th.Property(
        "api_url",
        th.StringType,
        description=(
            "The API URL from Insightly's User Settings, such as "
            "https://api.eu1.insightly.com/v3.1/. When set, `pod` is not used."
        ),
    ),
    th.Property(
        "pod",
        th.StringType,
        default=DEFAULT_POD,
        description="The pod the account lives on (na1, eu1, au1, ...), when api_url is not set.",
    ),
)

CONFIG_SCHEMA: dict[str, Any] = th.PropertiesList(
    *CONNECTION_PROPERTIES,
    th.Property(
        "start_date",
        th.DateTimeType,
        description=(
            "On a first run, extract only records updated at or after this moment "
            "(DATE_UPDATED_UTC). Later runs continue from their bookmark. Unset: everything."
        ),
    ),
    th.Property(
        "page_size",
        th.IntegerType,
        default=MAX_PAGE_SIZE,
        description=f"Records per request, 1 to {MAX_PAGE_SIZE}; larger pages use fewer requests.",
    ),
    th.Property(
        "requests_per_second",
        th.NumberType,
        default=DEFAULT_REQUESTS_PER_SECOND,
        description=(
            "Requests per second this tap sends, above 0 and at most 10 (Insightly's limit per "
            "instance, shared with every other integration on it)."
        ),
    ),
    th.Property(
        "timeout",
        th.IntegerType,
        default=DEFAULT_TIMEOUT,
        description="Seconds to wait for an answer before retrying the request.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=DEFAULT_MAX_RETRIES,
        description="Retries of a request after a 5xx answer, a timeout or a dropped connection.",
    ),
    th.Property(
        "custom_fields",
        th.StringType,
        default=FLATTEN,
        allowed_values=list(MODES),
        description=(
            "`flatten`: each custom field becomes a typed column named by its FIELD_NAME. "
            "`nested`: custom fields stay in CUSTOMFIELDS, with typed values."
        ),
    ),
    th.Property(
        "user_agent",
        th.StringType,
        description="The User-Agent header sent with every request; tap-insightly/VERSION unset.",
    ),
).to_dict()


@dataclass(frozen=True)
class TapSettings:
    """The settings once checked, with the API's base URL worked out from api_url or pod."""

    api_key: str
    base_url: str
    start_date: str | None
    page_size: int
    requests_per_second: float
    timeout: int
    max_retries: int
    custom_fields: str
    user_agent: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, user_agent: str) -> TapSettings:
        """Check the config and read it, filling in defaults; `user_agent` is the default one.

        Raises:
            ConfigValidationError: one or more settings cannot work; its `errors` name each
                setting and its remedy.
        """
        check = _Checks(config)
        settings = cls(
            api_key=check.api_key(),
            base_url=check.base_url(),
            start_date=check.start_date(),
            page_size=check.page_size(),
            requests_per_second=check.requests_per_second(),
            timeout=int(check.number("timeout", DEFAULT_TIMEOUT, low=1, whole=True)),
            max_retries=int(check.number("max_retries", DEFAULT_MAX_RETRIES, low=0, whole=True)),
            custom_fields=check.custom_fields(),
            user_agent=str(config.get("user_agent") or user_agent),
        )
        if check.errors:
            msg = "Settings cannot work as given"
            raise ConfigValidationError(msg, errors=check.errors)
        return settings


class _Checks:
    """Reads settings one by one, noting every problem rather than stopping at the first."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.errors: list[str] = []

    def api_key(self) -> str:
        api_key = str(self.config.get("api_key") or "").strip()
        if not api_key:
            self.errors.append(
                "api_key is missing: copy the API key from Insightly's User Settings"
            )
        return api_key

    def base_url(self) -> str:
        try:
            return base_url(self.config.get("api_url"), self.config.get("pod"))
        except SettingsError as error:
            self.errors.append(str(error))
            return ""

    def start_date(self) -> str | None:
        start_date = self.config.get("start_date") or None
        if start_date is None:
            return None
        try:
            parse_timestamp(str(start_date))
        except TimestampError:
            self.errors.append(
                f"start_date {start_date!r} is not a date-time: write it as "
                "2024-01-31T00:00:00Z (RFC 3339)"
            )
        return str(start_date)

    def page_size(self) -> int:
        page_size = int(self.number("page_size", MAX_PAGE_SIZE, whole=True))
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            self.errors.append(
                f"page_size is {page_size}: Insightly pages hold 1 to {MAX_PAGE_SIZE} records; "
                f"set page_size within that range ({MAX_PAGE_SIZE} uses the fewest requests)"
            )
        return page_size

    def requests_per_second(self) -> float:
        per_second = float(self.number("requests_per_second", DEFAULT_REQUESTS_PER_SECOND))
        if per_second > MAX_REQUESTS_PER_SECOND:
            self.errors.append(
                f"requests_per_second is {per_second:g}, above Insightly's limit of "
                f"{MAX_REQUESTS_PER_SECOND:g} per instance: set it to "
                f"{MAX_REQUESTS_PER_SECOND:g} or less ({DEFAULT_REQUESTS_PER_SECOND:g} leaves "
                "room for other integrations)"
            )
        elif per_second <= 0:
            self.errors.append(
                f"requests_per_second is {per_second:g}: set it above 0 and at most "
                f"{MAX_REQUESTS_PER_SECOND:g}"
            )
        return per_second

    def custom_fields(self) -> str:
        mode = str(self.config.get("custom_fields") or FLATTEN)
        try:
            return check_mode(mode)
        except SettingsError as error:
            self.errors.append(str(error))
            return FLATTEN

    def number(
        self, name: str, default: float, *, low: float | None = None, whole: bool = False
    ) -> float:
        """A numeric setting, its default when unset; `low` is the least value that works."""
        value = self.config.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.errors.append(f"{name} must be a number, not {value!r}")
            return default
        if whole and value != int(value):
            self.errors.append(f"{name} must be a whole number, not {value!r}")
        if low is not None and value < low:
            self.errors.append(f"{name} is {value!r}: set it to {low:g} or more")
        return value
