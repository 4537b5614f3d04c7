"""Where an account's API lives: its URL as Insightly shows it, or its pod's name."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

#: The pod an account is on when neither `api_url` nor `pod` says otherwise.
DEFAULT_POD = "na1"

API_VERSION = "v3.1"

_POD = re.compile(r"^[a-z]{2,4}[0-9]{1,2}$")

#: A version segment closing an API URL's path (`/v3.1`, `/v3.0`, `/V2.3`).
_VERSION = re.compile(r"/v[0-9]+(?:\.[0-9]+)?$", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting cannot work; the message names it and says what to put instead."""


def base_url(api_url: str | None = None, pod: str | None = None) -> str:
    """The account's API base URL, ending in `/v3.1/`.

    `api_url` is taken as Insightly's User Settings show it
    (`https://api.eu1.insightly.com/v3.1/`), with or without the scheme, the trailing slash
    or the `/v3.1`; a URL of another API version (`/v3.0`) is served v3.1, the one version the
    connectors speak. Otherwise the URL is built from `pod` (`eu1`), `na1` by default.

    Raises:
        SettingsError: the URL is not HTTPS on a non-loopback host, or the pod is malformed.
    """
    if api_url:
        return _from_api_url(api_url.strip())
    pod = (pod or DEFAULT_POD).strip().lower()
    if not _POD.match(pod):
        msg = (
            f"pod {pod!r} is not an Insightly pod name such as na1 or eu1: copy the API URL "
            "from Insightly's User Settings into api_url instead"
        )
        raise SettingsError(msg)
    return f"https://api.{pod}.insightly.com/{API_VERSION}/"


def _from_api_url(api_url: str) -> str:
    try:
        parts = urlsplit(api_url if "://" in api_url else f"https://{api_url}")
        host = parts.hostname
    except ValueError as error:  # an unclosed IPv6 bracket, say
        msg = (
            f"api_url {api_url!r} is not a URL ({error}): use the API URL from Insightly's "
            "User Settings"
        )
        raise SettingsError(msg) from None
    if not host:
        msg = f"api_url {api_url!r} has no host: use the API URL from Insightly's User Settings"
        raise SettingsError(msg)
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        msg = (
            f"api_url {api_url!r} is not HTTPS: use the https:// API URL from Insightly's User "
            "Settings, as the API key must not travel in the clear (plain HTTP is accepted only "
            "for a sandbox on a loopback address)"
        )
        raise SettingsError(msg)
    path = _VERSION.sub("", parts.path.rstrip("/"))
    return f"{parts.scheme}://{parts.netloc}{path}/{API_VERSION}/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
