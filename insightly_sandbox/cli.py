"""`insightly-sandbox`: serve a seeded Insightly sandbox until interrupted.

When it is ready it prints its base URL, `http://127.0.0.1:PORT/v3.1/`, alone on one line of
standard output, and writes the same line to `--url-file` if given, so a script can start it
on port 0 and wait for either. SIGINT or SIGTERM stop it with exit status 0; the URL file is
then removed, so a file that exists names a sandbox that serves.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from insightly_sandbox.faults import FAULT_KINDS
from insightly_sandbox.server import PLANS, SandboxConfig, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType


class _Stop(Exception):  # noqa: N818 - a signal, not an error
    """Raised in the main thread by SIGINT or SIGTERM, to leave `serve_forever`."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox; the exit status is 0 after SIGINT or SIGTERM, 2 for bad arguments."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = SandboxConfig(
            host=args.host,
            port=args.port,
            seed=args.seed,
            records=args.records,
            api_key=args.api_key,
            rate_limit=args.rate_limit,
            daily_limit=args.daily_limit,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            fault_kinds=tuple(args.fault_kinds.split(",")),
            plan=args.plan,
            record_limit=args.record_limit,
        )
    except ValueError as error:
        parser.error(str(error))
    # Installed for SIGINT too: a process started in the background of a script inherits
    # SIGINT ignored, and `kill -INT` must still stop it. Installed before seeding, so a
    # signal during it stops the command as cleanly as one while serving.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_stop)
    try:
        return _serve(config, Path(args.url_file) if args.url_file else None)
    except _Stop:
        return 0


def _serve(config: SandboxConfig, url_file: Path | None) -> int:
    """Serve until a signal raises `_Stop`, announcing the URL once the socket listens."""
    try:
        server = SandboxServer(config)
    except OSError as error:
        return _fail(f"cannot listen on {config.host}:{config.port}: {error}")
    written = False
    try:
        if url_file is not None:
            try:
                _write_atomically(url_file, server.url + "\n")
            except OSError as error:
                return _fail(f"cannot write the URL to {url_file}: {error}")
            written = True
        print(server.url, flush=True)  # noqa: T201 - the line a waiting script reads
        server.serve_forever()
    finally:
        server.close()
        if written and url_file is not None:
            url_file.unlink(missing_ok=True)
    return 0


def _fail(message: str) -> int:
    print(f"insightly-sandbox: {message}", file=sys.stderr)  # noqa: T201 - the command's report
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="insightly-sandbox",
        description="Serve a local stand-in for the Insightly API v3.1, seeded with sample data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks one")
    parser.add_argument("--url-file", help="also write the base URL to this file")
    parser.add_argument("--seed", type=int, default=1, help="seed of the data and faults")
    parser.add_argument("--records", type=int, default=200, help="records per main object")
    parser.add_argument("--api-key", default="sandbox", help="the API key clients must send")
    parser.add_argument(
        "--rate-limit",
        type=float,
        metavar="PER_SECOND",
        help="requests per second before a 429 with Retry-After (default: none)",
    )
    parser.add_argument(
        "--daily-limit",
        type=int,
        metavar="N",
        help="requests per rolling 24 hours before a 429 (default: none)",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, metavar="MS", help="delay before each answer"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="probability, 0 to 1, that a request fails (5xx, dropped or truncated)",
    )
    parser.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        metavar="KINDS",
        help=f"comma-separated faults to choose among (default: {','.join(FAULT_KINDS)})",
    )
    parser.add_argument("--plan", choices=PLANS, default="full", help="the instance's plan")
    parser.add_argument(
        "--record-limit",
        type=int,
        metavar="N",
        help="records per object before a create answers 402 (default: none)",
    )
    return parser


def _write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: a reader never sees half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def _raise_stop(signum: int, frame: FrameType | None) -> NoReturn:
    del signum, frame
    raise _Stop


if __name__ == "__main__":
    sys.exit(main())
