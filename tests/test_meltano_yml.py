"""meltano.yml declares the plugins as they are: it cannot drift from what they advertise.

Meltano passes a plugin only the settings meltano.yml declares (an environment variable such
as TAP_INSIGHTLY_API_URL reaches the plugin only then), redacts only those marked sensitive,
and works without its hub only for plugins with a namespace and a pip_url.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import resources
from typing import Any

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from jsonschema import Draft202012Validator

from tap_insightly.fanout import FAN_OUT_STREAMS
from tests.meltano_project import ROOT, SHARED, install, meltano_yml

#: Our plugins and the module whose `--about` describes each.
OURS = {"tap-insightly": "tap_insightly", "target-insightly": "target_insightly"}


def about(module: str) -> dict[str, Any]:
    """What a plugin of this repository advertises: `--about --format=json`."""
    printed = subprocess.run(  # noqa: S603 - our own modules, fixed arguments
        [sys.executable, "-m", module, "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    advertised: dict[str, Any] = json.loads(printed)
    return advertised


def plugins_of(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every plugin of a parsed meltano.yml, extractors and loaders, by name."""
    return {plugin["name"]: plugin for kind in project["plugins"].values() for plugin in kind}


def plugins() -> dict[str, dict[str, Any]]:
    """Every plugin of meltano.yml, by name."""
    return plugins_of(meltano_yml())


def kind_of(setting: dict[str, Any]) -> str:
    """The Meltano setting kind that matches a JSON Schema property."""
    types = set(setting.get("type", [])) - {"null"}
    for json_type, kind in (
        ("boolean", "boolean"),
        ("integer", "integer"),
        ("number", "decimal"),
        ("object", "object"),
        ("array", "array"),
    ):
        if json_type in types:
            return kind
    if "enum" in setting:
        return "options"
    if setting.get("format") == "date-time":
        return "date_iso8601"
    return "string"


def declaration(name: str, setting: dict[str, Any]) -> str:
    """The YAML that declares a setting as the plugin advertises it, for failure messages.

    Its keys come in the order Meltano writes them when it rewrites meltano.yml.
    """
    declared: dict[str, Any] = {"name": name, "kind": kind_of(setting)}
    if setting.get("default") is not None:
        declared["value"] = setting["default"]
    declared["description"] = setting.get("description", "")
    if setting.get("secret"):
        declared["sensitive"] = True
    if "enum" in setting:
        declared["options"] = [{"label": value, "value": value} for value in setting["enum"]]
    return textwrap.indent(yaml.safe_dump([declared], sort_keys=False, width=92), "    ")


@pytest.mark.parametrize("plugin", sorted(OURS))
def test_our_plugins_declare_every_setting_they_advertise_as_they_advertise_it(plugin):
    advertised = about(OURS[plugin])["settings"]["properties"]
    declared = {setting["name"]: setting for setting in plugins()[plugin]["settings"]}

    missing = "".join(declaration(name, advertised[name]) for name in advertised.keys() - declared)
    assert not missing, f"meltano.yml lacks settings of {plugin}; add:\n{missing}"
    assert not declared.keys() - advertised.keys(), f"{plugin} has no such settings"
    for name, setting in advertised.items():
        expected = yaml.safe_load(declaration(name, setting))[0]
        assert declared[name] == expected, (
            f"meltano.yml declares {plugin}'s {name} otherwise than the plugin advertises it; "
            f"use:\n{declaration(name, setting)}"
        )


@pytest.mark.parametrize("plugin", sorted(OURS))
def test_only_the_api_key_is_sensitive(plugin):
    declared = plugins()[plugin]["settings"]
    assert [setting["name"] for setting in declared if setting.get("sensitive")] == ["api_key"]


@pytest.mark.parametrize("plugin", sorted(OURS))
def test_our_plugins_capabilities_are_those_they_advertise(plugin):
    assert plugins()[plugin]["capabilities"] == about(OURS[plugin])["capabilities"]


def test_every_plugin_installs_without_meltano_hub():
    for name, plugin in plugins().items():
        assert plugin.get("namespace"), f"{name} has no namespace, so Meltano would ask its hub"
        requirements = plugin["pip_url"].split()
        assert requirements == ["-e", "."] or all(
            "==" in pin or _pinned_here(pin) for pin in requirements
        ), f"{name}: pin every requirement of pip_url to one version"


def _pinned_here(requirement: str) -> bool:
    """Whether a requirement is a folder of this repository whose own requirements are pinned."""
    folder = ROOT / requirement
    if not requirement.startswith("./") or not (folder / "pyproject.toml").is_file():
        return False
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return all("==" in pin for pin in project["dependencies"])


def test_meltano_yml_follows_meltanos_own_schema():
    schema = json.loads(
        resources.files("meltano").joinpath("schemas/meltano.schema.json").read_text("utf-8")
    )
    project = meltano_yml()
    # Meltano's schema knows fewer capabilities than the SDK advertises (validate-records,
    # target-schema), while Meltano itself takes any: the tests above check them instead.
    for plugin in plugins_of(project).values():
        plugin.pop("capabilities", None)
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(project)]
    assert not errors


def test_the_fan_out_streams_are_left_out_as_the_tap_leaves_them_out():
    select = plugins()["tap-insightly"]["select"]
    assert select[0] == "*.*"
    assert sorted(select[1:]) == sorted(f"!{stream}.*" for stream in FAN_OUT_STREAMS)


def test_projects_are_run_by_environment_and_on_a_daily_schedule():
    project = meltano_yml()
    assert project["send_anonymous_usage_stats"] is False
    assert project["default_environment"] == "dev"
    assert [environment["name"] for environment in project["environments"]] == ["dev", "prod"]
    jobs = {job["name"]: job["tasks"] for job in project["jobs"]}
    schedules = {schedule["name"]: schedule for schedule in project["schedules"]}
    daily = schedules["daily-insightly-to-postgres"]
    assert daily["interval"] == "@daily"
    assert jobs[daily["job"]] == ["tap-insightly target-postgres"]


def test_target_postgres_takes_the_settings_and_capabilities_declared_for_it():
    install()
    executable = SHARED / "loaders" / "target-postgres" / "venv" / "bin" / "target-postgres"
    advertised = json.loads(
        subprocess.run(  # noqa: S603 - the plugin Meltano installed, fixed arguments
            [str(executable), "--about", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    declared = plugins()["target-postgres"]
    assert declared["capabilities"] == advertised["capabilities"]
    properties = advertised["settings"]["properties"]
    assert {setting["name"] for setting in declared["settings"]} <= properties.keys()
    for setting in declared["settings"]:
        default = properties[setting["name"]].get("default")
        if default is not None:
            assert setting.get("value", default) == default, setting["name"]
