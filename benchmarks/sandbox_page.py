"""What one page of 500 contacts costs the sandbox: server CPU per request, plain and compressed.

Run by hand: `.venv/bin/python benchmarks/sandbox_page.py [--requests N]`. For each encoding it
starts a sandbox in this process with 500 records, fetches `/Contacts?top=500` over one
kept-alive connection, and reads the server's own CPU time from `/_sandbox/stats`: the CPU of
the threads that served the requests, from the request line to the last byte written, without
the client's share. The cold figure is the first fetch of the page, when no record of it has
been encoded or compressed yet; the warm ones follow it.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer

PAGE = "Contacts?top=500"
WARM_UP = 10
TIMEOUT = 30


def measure(server: SandboxServer, encoding: str, count: int) -> dict[str, float]:
    """Fetch the page once cold, then `count` times warm, accepting one encoding; the costs."""
    session = requests.Session()
    session.auth = (server.config.api_key, "")
    session.headers["Accept-Encoding"] = encoding
    stats_url = server.root + "/_sandbox/stats"
    # One small uncompressed page first, so the cold figure leaves out what every sandbox of
    # the process shares (the spec, loaded once) and keeps only what this page's records cost.
    first = session.get(
        server.url + "Contacts?top=1", headers={"Accept-Encoding": "identity"}, timeout=TIMEOUT
    )
    first.raise_for_status()
    before = requests.get(stats_url, timeout=TIMEOUT).json()
    session.get(server.url + PAGE, timeout=TIMEOUT).raise_for_status()
    after = requests.get(stats_url, timeout=TIMEOUT).json()
    cold_ms = (after["cpu_seconds"] - before["cpu_seconds"]) * 1000
    for _ in range(WARM_UP):
        session.get(server.url + PAGE, timeout=TIMEOUT).raise_for_status()

    before = requests.get(stats_url, timeout=TIMEOUT).json()
    walls = []
    size = 0
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(server.url + PAGE, stream=True, timeout=TIMEOUT)
        size = len(response.raw.read(decode_content=False))
        walls.append(time.perf_counter() - started)
    after = requests.get(stats_url, timeout=TIMEOUT).json()

    served = after["api_requests"] - before["api_requests"]
    return {
        "cold_ms": cold_ms,
        "cpu_ms": (after["cpu_seconds"] - before["cpu_seconds"]) / served * 1000,
        "wall_ms": statistics.median(walls) * 1000,
        "kib": size / 1024,
    }


def main() -> None:
    """Print one line of figures per encoding."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="fetches per encoding")
    parser.add_argument("--records", type=int, default=500, help="records of the sandbox")
    args = parser.parse_args()

    print(f"GET /v3.1/{PAGE}, {args.requests} warm requests per encoding over keep-alive")
    print(
        f"{'encoding':<10}{'cold CPU ms':>12}{'warm CPU ms/req':>16}{'median wall ms':>16}"
        f"{'body KiB':>10}"
    )
    for encoding in ("identity", "gzip", "deflate"):
        # A sandbox of its own per encoding, so each cold fetch finds nothing cached.
        with SandboxServer(SandboxConfig(records=args.records)) as server:
            figures = measure(server, encoding, args.requests)
        print(
            f"{encoding:<10}{figures['cold_ms']:>12.2f}{figures['cpu_ms']:>16.2f}"
            f"{figures['wall_ms']:>16.2f}{figures['kib']:>10.0f}"
        )


if __name__ == "__main__":
    main()
