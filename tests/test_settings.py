"""Where the account's API lives: `api_url` as users paste it, or a pod's name."""

from __future__ import annotations

import pytest

from tap_insightly.settings import SettingsError, base_url

EU1 = "https://api.eu1.insightly.com/v3.1/"


@pytest.mark.parametrize(
    "api_url",
    [
        "https://api.eu1.insightly.com/v3.1/",
        "https://api.eu1.insightly.com/v3.1",
        "https://api.eu1.insightly.com/",
        "https://api.eu1.insightly.com",
        "api.eu1.insightly.com/v3.1/",
        "api.eu1.insightly.com/v3.1",
        "api.eu1.insightly.com",
        "  https://api.eu1.insightly.com/v3.1/  \n",
        "HTTPS://api.eu1.insightly.com/V3.1",
        "https://api.eu1.insightly.com/v3.1//",
    ],
)
def test_api_url_in_every_form_users_paste_gives_one_base(api_url):
    assert base_url(api_url) == EU1


def test_api_url_of_another_version_is_served_v3_1():
    # Older accounts' settings pages showed a v3.0 URL; the pod is what matters.
    assert base_url("https://api.na1.insightly.com/v3.0/") == (
        "https://api.na1.insightly.com/v3.1/"
    )


def test_api_url_keeps_a_port_and_a_path_prefix():
    assert base_url("https://proxy.example.com:8443/insightly/v3.1") == (
        "https://proxy.example.com:8443/insightly/v3.1/"
    )


def test_api_url_wins_over_pod():
    assert base_url(EU1, pod="au1") == EU1


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ("eu1", "https://api.eu1.insightly.com/v3.1/"),
        ("EU1", "https://api.eu1.insightly.com/v3.1/"),
        (" Na2 ", "https://api.na2.insightly.com/v3.1/"),
        ("aps1", "https://api.aps1.insightly.com/v3.1/"),
        (None, "https://api.na1.insightly.com/v3.1/"),
        ("", "https://api.na1.insightly.com/v3.1/"),
    ],
)
def test_pod_names_in_any_case_and_na1_by_default(pod, expected):
    assert base_url(pod=pod) == expected


def test_nothing_given_means_na1():
    assert base_url() == "https://api.na1.insightly.com/v3.1/"
    assert base_url("", "") == "https://api.na1.insightly.com/v3.1/"


@pytest.mark.parametrize("pod", ["europe", "eu", "eu1.insightly.com", "api.eu1", "1eu", "e u1"])
def test_malformed_pod_names_the_setting_and_the_remedy(pod):
    with pytest.raises(SettingsError) as caught:
        base_url(pod=pod)

    message = str(caught.value)
    assert "pod" in message
    assert "na1 or eu1" in message
    assert "api_url" in message
    assert "User Settings" in message


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("http://127.0.0.1:8765/v3.1/", "http://127.0.0.1:8765/v3.1/"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v3.1/"),
        ("http://127.8.9.10:8765/v3.1", "http://127.8.9.10:8765/v3.1/"),
        ("http://[::1]:8765/v3.1", "http://[::1]:8765/v3.1/"),
        ("http://localhost:8765/", "http://localhost:8765/v3.1/"),
        ("HTTP://LocalHost:8765/v3.1/", "http://LocalHost:8765/v3.1/"),
    ],
)
def test_plain_http_is_accepted_on_loopback(api_url, expected):
    assert base_url(api_url) == expected


@pytest.mark.parametrize(
    "api_url",
    [
        "http://api.eu1.insightly.com/v3.1/",
        "http://10.0.0.5:8765/v3.1/",
        "http://[2001:db8::1]/v3.1/",
        "http://localhost.example.com/v3.1/",
        "http://0.0.0.0:8765/v3.1/",
        "ftp://api.eu1.insightly.com/v3.1/",
    ],
)
def test_anything_but_https_off_loopback_is_refused(api_url):
    with pytest.raises(SettingsError) as caught:
        base_url(api_url)

    message = str(caught.value)
    assert message.startswith(f"api_url {api_url!r} is not HTTPS")
    assert "https://" in message
    assert "User Settings" in message


@pytest.mark.parametrize("api_url", ["https://", "https:///v3.1/", "   /v3.1"])
def test_api_url_without_host_names_the_setting_and_the_remedy(api_url):
    with pytest.raises(SettingsError, match=r"^api_url .* has no host: use the API URL from"):
        base_url(api_url)


def test_api_url_that_is_no_url_names_the_setting_and_the_remedy():
    with pytest.raises(SettingsError, match=r"^api_url 'https://\[::1' is not a URL .*User"):
        base_url("https://[::1")


def test_settings_error_is_a_value_error():
    # Callers that validate config catch ValueError; a bad setting must be one of them.
    assert issubclass(SettingsError, ValueError)
