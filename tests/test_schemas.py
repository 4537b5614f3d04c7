"""The committed schemas match the spec, cover the catalogue, accept real responses, and ship."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from tap_insightly.catalogue import CUSTOM_OBJECT_RECORD, OBJECTS, SUB_RESOURCES
from tap_insightly.schema_loader import load_schema, schema_names

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
SAMPLES = Path(__file__).resolve().parent / "samples"
GENERATOR = REPO / "scripts" / "generate_schemas.py"

SAMPLE_STREAMS = {
    "get-contacts-search.json": "contacts",
    "get-leads-page1.json": "leads",
    "post-leads-response.json": "leads",
    "put-contacts-response.json": "contacts",
    "get-fruit__c.json": "custom_object_records",
    "get-customobjects-fruit.json": "custom_objects",
    "get-customfields-contacts.json": "custom_fields",
    "get-customfields-fruit__c.json": "custom_fields",
}


def _generate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script, run by the interpreter running the tests
        [sys.executable, str(GENERATOR), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def _stream_keys() -> dict[str, tuple[str, ...]]:
    """Every catalogue stream with the fields its schema must hold: keys and bookmark."""
    wanted = {
        obj.stream: obj.key + ((obj.updated_field,) if obj.updated_field else ())
        for obj in (*OBJECTS, CUSTOM_OBJECT_RECORD)
    }
    wanted.update({sub.stream: sub.key for sub in SUB_RESOURCES if sub.stream})
    return wanted


def test_committed_schemas_are_what_the_generator_writes(tmp_path: Path) -> None:
    result = _generate("--out", tmp_path)
    assert result.returncode == 0, result.stderr

    generated = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.json")}
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}
    assert generated.keys() == committed.keys()
    assert [name for name in generated if generated[name] != committed[name]] == []

    check = _generate("--check")
    assert check.returncode == 0, check.stderr


def test_check_reports_drift_and_writing_removes_stale_files(tmp_path: Path) -> None:
    assert _generate("--out", tmp_path).returncode == 0
    (tmp_path / "contacts.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "quotes.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "leads.json").unlink()

    check = _generate("--check", "--out", tmp_path)
    assert check.returncode == 1
    assert "contacts.json: differs from the spec" in check.stderr
    assert "quotes.json: stale" in check.stderr
    assert "leads.json: missing" in check.stderr
    assert (tmp_path / "quotes.json").exists(), "--check must not write"

    assert _generate("--out", tmp_path).returncode == 0
    assert not (tmp_path / "quotes.json").exists()
    assert _generate("--check", "--out", tmp_path).returncode == 0


def _closed(schema: Any) -> Any:
    """The schema with every object closed, so a field it does not name fails validation."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if "properties" in schema:
        closed["additionalProperties"] = False
    return closed


def test_every_catalogue_stream_has_a_schema_with_its_keys() -> None:
    wanted = _stream_keys()
    assert sorted(wanted) == schema_names()

    for stream, fields in wanted.items():
        properties = load_schema(stream)["properties"]
        assert [field for field in fields if field not in properties] == [], stream


def test_schemas_are_valid_draft7() -> None:
    for stream in schema_names():
        Draft7Validator.check_schema(load_schema(stream))


@pytest.mark.parametrize(("sample", "stream"), sorted(SAMPLE_STREAMS.items()))
def test_recorded_responses_fit_their_schema(sample: str, stream: str) -> None:
    answer: Any = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    records = answer if isinstance(answer, list) else [answer]
    # Closed, because schemas accept unknown fields and would not notice one the spec omits.
    validator = Draft7Validator(_closed(load_schema(stream)))

    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for record in records
        for error in validator.iter_errors(record)
    ]
    assert errors == []
    assert records, f"{sample} holds no record"


def test_every_sample_is_checked() -> None:
    assert sorted(path.name for path in SAMPLES.glob("*.json")) == sorted(SAMPLE_STREAMS)


def test_an_installed_wheel_reads_its_own_schemas(tmp_path: Path) -> None:
    # Without build isolation the wheel builds offline, with the hatchling beside the tests.
    build = subprocess.run(  # noqa: S603 - fixed arguments, interpreter of the test run
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path, REPO],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = tmp_path.glob("*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)  # noqa: S603
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    install: list[str | Path] = [
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
    ]
    subprocess.run(install, check=True)  # noqa: S603

    snippet = (
        "import json\n"
        "from tap_insightly import schema_loader as s\n"
        "names = s.schema_names()\n"
        "for name in names:\n"
        "    s.load_schema(name)\n"
        "print(json.dumps({'count': len(names), 'folder': str(s.schema_folder())}))\n"
    )
    # -I and a working directory outside the repository keep the checkout off sys.path.
    run = subprocess.run(  # noqa: S603
        [python, "-I", "-c", snippet],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    report = json.loads(run.stdout)

    assert report["count"] == len(list(SCHEMAS.glob("*.json")))
    folder = Path(report["folder"]).resolve()
    assert folder.is_relative_to(venv.resolve())
    assert "site-packages" in folder.parts
    assert not folder.is_relative_to(REPO / "schemas")
