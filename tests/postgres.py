"""A PostgreSQL server of the tests' own: a fresh cluster on a free port, removed after.

It runs from the machine's PostgreSQL server binaries (`initdb`, `pg_ctl`), found on PATH or
where Debian puts them. Where they are missing the tests that need a server are skipped, with
how to install them; with INSIGHTLY_REQUIRE_POSTGRES set (as `.ci/run` sets it) they fail
instead, so that CI cannot pass without them. PostgreSQL refuses to run as root, so under root
the cluster belongs to the `postgres` user the Debian package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Self

import psycopg
import pytest

if TYPE_CHECKING:
    from types import TracebackType

#: Set (to anything) to make missing PostgreSQL binaries a failure rather than a skip.
REQUIRE = "INSIGHTLY_REQUIRE_POSTGRES"

#: Where Debian's packages put each major version's server binaries.
DEBIAN = Path("/usr/lib/postgresql")

#: The superuser of the cluster, and the account that runs it when the tests run as root.
SUPERUSER = "postgres"

#: target-postgres asks for a password even when the server trusts every local connection.
PASSWORD = "unused-under-trust"  # noqa: S105 - the server trusts; no secret here

#: Seconds a starting or stopping server may take.
PATIENCE = 60


def unavailable(reason: str) -> NoReturn:
    """Skip the test for want of PostgreSQL, or fail it when the environment demands the server."""
    remedy = (
        f"{reason}. Install the PostgreSQL server (Debian, Ubuntu: apt-get install -y "
        "postgresql; macOS: brew install postgresql) to run the PostgreSQL tests."
    )
    if os.environ.get(REQUIRE):
        pytest.fail(f"{remedy} {REQUIRE} is set, so their absence is a failure.")
    pytest.skip(remedy)


def server_binaries() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`: on PATH, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    versions = [path.parent for path in DEBIAN.glob("*/bin/initdb") if (path.parent / "pg_ctl")]
    versions.sort(key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A throw-away cluster: `with PostgresServer() as server:` starts it and removes it after.

    Attributes:
        port: the TCP port it listens on, on 127.0.0.1 only.
    """

    def __init__(self) -> None:
        """Find the binaries and the account to run them as; skip or fail when either lacks."""
        bindir = server_binaries()
        if bindir is None:
            unavailable("PostgreSQL's initdb and pg_ctl are neither on PATH nor under /usr/lib")
        self._bindir = bindir
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SUPERUSER)
            except KeyError:
                unavailable(f"running as root, and no {SUPERUSER!r} user exists to run the server")
            self._as_user = ["runuser", "-u", SUPERUSER, "--"]
        self.port = free_port()
        # Under /tmp itself: pytest's own temporary directories are private to root, and the
        # postgres account must reach the cluster's files.
        self._home = Path(tempfile.mkdtemp(prefix="insightly-postgres-"))
        self._data = self._home / "data"

    def __enter__(self) -> Self:
        """Create the cluster and start it, trusting connections from loopback."""
        if self._as_user:
            shutil.chown(self._home, user=SUPERUSER)
        self._server(
            "initdb",
            "--pgdata",
            str(self._data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self._home} -c listen_addresses=127.0.0.1 "
            # Durability is not what these tests examine; fewer disk flushes make them faster.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = self._home / "server.log"
        try:
            self._server(
                "pg_ctl",
                "--pgdata",
                str(self._data),
                "--options",
                options,
                "--log",
                str(log),
                "--wait",
                "--timeout",
                str(PATIENCE),
                "start",
            )
        except AssertionError as failure:
            server_log = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            msg = f"{failure}\nserver log:\n{server_log}"
            raise AssertionError(msg) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server without waiting for clients, and remove the cluster."""
        with contextlib.suppress(AssertionError):
            self._server(
                "pg_ctl", "--pgdata", str(self._data), "--mode", "immediate", "--wait", "stop"
            )
        shutil.rmtree(self._home, ignore_errors=True)

    def url(self, database: str = SUPERUSER) -> str:
        """A libpq connection URL for `database`."""
        return f"postgresql://{SUPERUSER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; answer its name."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # name chosen by the tests
        return name

    def _server(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self._bindir / program), *args]
        done = subprocess.run(  # noqa: S603 - the machine's PostgreSQL binaries, fixed arguments
            command, capture_output=True, text=True, timeout=PATIENCE, check=False
        )
        assert done.returncode == 0, (
            f"{program} ended with status {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
