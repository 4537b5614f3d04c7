"""How a plugin's command ends when the cause is outside it: one line, status 1, no traceback."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click
from singer_sdk.exceptions import ConfigValidationError

from tap_insightly.client import AuthenticationError, DailyQuotaError

if TYPE_CHECKING:
    import logging
    from collections.abc import Iterator


@contextlib.contextmanager
def ending_cleanly(logger: logging.Logger, *stops: type[Exception]) -> Iterator[None]:
    """End with status 1 and the reason, on one line, when the cause is outside the plugin.

    That is settings that cannot work, a refused key, a spent quota, and the plugin's own
    `stops`; each message already names its remedy.
    """
    stopping: tuple[type[Exception], ...] = (AuthenticationError, DailyQuotaError, *stops)
    try:
        yield
    except ConfigValidationError as refused:
        for problem in refused.errors or [str(refused)]:
            logger.error("Settings: %s", problem)  # noqa: TRY400 - the message is the point
        raise click.exceptions.Exit(1) from None
    except stopping as error:
        logger.error("Stopped: %s", error)  # noqa: TRY400 - the message is the point
        raise click.exceptions.Exit(1) from None
