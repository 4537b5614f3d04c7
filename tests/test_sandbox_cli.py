"""`insightly-sandbox` as a user runs it: a process that prints its URL and stops on a signal."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from insightly_sandbox.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

#: The console script pyproject.toml declares, installed next to this interpreter.
SCRIPT = Path(sys.executable).parent / "insightly-sandbox"

#: Seconds a starting or stopping sandbox may take before the test gives up on it.
PATIENCE = 15


@pytest.fixture
def run() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still running at the end are killed."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _start(run: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start the sandbox module with arguments; return the process and the URL it printed."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "insightly_sandbox.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run.append(process)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], PATIENCE)
    assert ready, "the sandbox printed no URL"
    return process, process.stdout.readline().strip()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_prints_its_url_serves_and_stops_cleanly(run, tmp_path, stop):
    url_file = tmp_path / "sandbox.url"
    process, url = _start(run, "--port", "0", "--url-file", str(url_file), "--records", "5")

    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v3.1/")
    assert url_file.read_text().strip() == url
    response = requests.get(url + "Contacts", auth=("sandbox", ""), timeout=PATIENCE)
    assert response.status_code == 200
    assert 0 < len(response.json()) <= 5

    process.send_signal(stop)
    assert process.wait(timeout=PATIENCE) == 0
    assert not url_file.exists()


def test_options_reach_the_server(run):
    _, url = _start(run, "--api-key", "k3y", "--daily-limit", "1", "--plan", "basic")
    session = requests.Session()
    session.auth = ("k3y", "")
    first = session.get(url + "Contacts?top=1", timeout=PATIENCE)
    second = session.get(url + "Contacts?top=1", timeout=PATIENCE)
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "1"
    assert second.status_code == 429


def test_the_console_script_is_installed():
    assert SCRIPT.exists()
    done = subprocess.run(  # noqa: S603 - the project's own script
        [str(SCRIPT), "--help"], capture_output=True, text=True, check=False, timeout=PATIENCE
    )
    assert done.returncode == 0
    assert "--fault-rate" in done.stdout


def test_bad_arguments_exit_with_status_2():
    done = subprocess.run(
        [sys.executable, "-m", "insightly_sandbox.cli", "--fault-rate", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=PATIENCE,
    )
    assert done.returncode == 2
    assert "fault rate" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--fault-rate", "-0.5"],
        ["--fault-kinds", "500,timeout"],
        ["--rate-limit", "0"],
        ["--daily-limit", "many"],
        ["--latency-ms", "-3"],
        ["--plan", "gold"],
        ["--port", "99999"],
        ["--records", "-1"],
        ["--api-key", "a:b"],
    ],
)
def test_each_bad_argument_is_an_argparse_error(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert "insightly-sandbox: error:" in capsys.readouterr().err


def test_a_port_in_use_is_reported(run):
    _, url = _start(run)
    port = url.split(":")[2].split("/")[0]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "insightly_sandbox.cli", "--port", port, "--records", "0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=PATIENCE,
    )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def test_an_unwritable_url_file_is_reported(tmp_path):
    url_file = str(tmp_path / "missing" / "sandbox.url")
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "insightly_sandbox.cli", "--records", "0", "--url-file", url_file],
        capture_output=True,
        text=True,
        check=False,
        timeout=PATIENCE,
    )
    assert done.returncode == 1
    assert "cannot write the URL" in done.stderr
