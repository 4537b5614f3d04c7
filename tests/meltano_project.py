"""Meltano on this repository, run as a user runs it, with a system database per test.

`meltano install` runs once per test session, for every xdist worker together, into the
repository's `.meltano/`, where `make demo` and users find the plugins too. Each test then runs
Meltano with a system directory of its own (MELTANO_SYS_DIR_ROOT) whose plugin folders link
to those installs: its state, run files and catalog cache are its own, so tests on different
workers never share a state id or a catalog. Every command runs with Meltano Hub pointed at a
server on loopback that only counts requests, so that a plugin definition needing the hub fails
the test instead of reaching out, and the package index is the one thing installs may reach.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import yaml

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

ROOT = Path(__file__).resolve().parent.parent

#: Meltano, installed next to this interpreter by the test extra.
MELTANO = Path(sys.executable).parent / "meltano"

#: The system directory `meltano install` fills: plugin virtual environments among others.
SHARED = ROOT / ".meltano"

#: Caches of Meltano and uv, inside the work tree rather than the user's home.
CACHE = ROOT / ".cache"

#: Plugin folders of the shared system directory that a test's own directory links to.
PLUGIN_FOLDERS = ("extractors", "loaders")

#: Seconds one Meltano command may take; a full run of a small sandbox takes well under one.
PATIENCE = 600


class HubTrap(http.server.ThreadingHTTPServer):
    """A stand-in for Meltano Hub on loopback that answers 503 and keeps each path asked for."""

    def __init__(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self.asked: list[str] = []
        trap = self

        class Refuse(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                trap.asked.append(self.path)
                self.send_error(503, "This test forbids Meltano Hub")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Stay quiet: the test reports what was asked."""

        super().__init__(("127.0.0.1", 0), Refuse)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The root URL to give Meltano as its hub."""
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self) -> Self:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self._thread.join()
        self.server_close()


def environment(hub: str, sys_dir: Path | None = None, **variables: str) -> dict[str, str]:
    """The process environment of a Meltano command: this one's, less every setting of its own.

    Meltano settings already in the environment (MELTANO_*, TAP_*, TARGET_*) are dropped, so
    that only what meltano.yml and the test say counts.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MELTANO_", "TAP_", "TARGET_"))
    }
    env.setdefault("XDG_CACHE_HOME", str(CACHE))
    env.setdefault("XDG_STATE_HOME", str(CACHE / "state"))
    env.setdefault("UV_CACHE_DIR", str(CACHE / "uv"))
    env.update(
        MELTANO_CLI_DISABLE_VERSION_CHECK="1",
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
        MELTANO_HUB_URL=hub,
        MELTANO_HUB_API_ROOT=f"{hub}meltano/api/v1",
    )
    if sys_dir is not None:
        env["MELTANO_SYS_DIR_ROOT"] = str(sys_dir)
    env.update(variables)
    return env


def meltano(*args: str, env: Mapping[str, str], log: Path) -> str:
    """Run a Meltano command in the repository; answer what it printed; fail with its end.

    Meltano rewrites meltano.yml when it lacks something it wants (a project_id, say), which
    would change the committed file under the tests: that fails the command too.
    """
    committed = (ROOT / "meltano.yml").read_bytes()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(  # noqa: S603 - Meltano of this environment, arguments of the tests
            [str(MELTANO), *args],
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=PATIENCE,
            check=False,
        )
    output = log.read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, (
        f"meltano {' '.join(args)} ended with status {done.returncode}; its last lines:\n"
        + "\n".join(output.splitlines()[-60:])
    )
    rewritten = (ROOT / "meltano.yml").read_bytes() != committed
    assert not rewritten, f"meltano {args[0]} rewrote meltano.yml"
    return output


@functools.cache
def install() -> None:
    """`meltano install` into `.meltano/`, once for this test session's workers together.

    The first worker to take the lock installs; the others find the stamp of this session's
    run id and go on. Meltano only refreshes what changed, so a repeated session is quick.
    """
    SHARED.mkdir(exist_ok=True)
    session = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"process {os.getpid()}")
    stamp = SHARED / "tests-installed-for"
    with (SHARED / "tests-install.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text(encoding="utf-8") == session:
            return
        with HubTrap() as hub:
            meltano("install", env=environment(hub.url), log=SHARED / "tests-install.log")
        assert not hub.asked, f"meltano install asked Meltano Hub for {hub.asked}"
        stamp.write_text(session, encoding="utf-8")


class MeltanoProject:
    """This repository's meltano.yml with a system directory, and so state, of one test's own."""

    def __init__(self, directory: Path, hub: HubTrap) -> None:
        """Link the installed plugins into a new system directory under `directory`."""
        install()
        self.sys_dir = directory / ".meltano"
        self.sys_dir.mkdir(parents=True)
        for folder in PLUGIN_FOLDERS:
            (self.sys_dir / folder).symlink_to(SHARED / folder, target_is_directory=True)
        self.hub = hub
        self._runs = 0

    def run(self, *args: str, **variables: str) -> str:
        """Run `meltano ARGS` with these environment variables; answer what it printed.

        Give `meltano run` its `--no-install`: the plugins are the session's, shared by tests
        running at the same time, and only `install` may change them.
        """
        self._runs += 1
        log = self.sys_dir / f"command-{self._runs}.log"
        output = meltano(*args, env=environment(self.hub.url, self.sys_dir, **variables), log=log)
        assert not self.hub.asked, f"meltano {args[0]} asked Meltano Hub for {self.hub.asked}"
        return output


@contextlib.contextmanager
def meltano_project(directory: Path) -> Iterator[MeltanoProject]:
    """A project of the test's own in `directory`, its hub trap served meanwhile."""
    with HubTrap() as hub:
        yield MeltanoProject(directory, hub)


def meltano_yml() -> dict[str, Any]:
    """meltano.yml, parsed."""
    parsed = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))
    assert isinstance(parsed, dict)
    return parsed
