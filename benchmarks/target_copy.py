"""What copying an instance costs target-insightly: requests per record, time, memory.

Run by hand: `.venv/bin/python benchmarks/target_copy.py [--records N] [--rate R]`. It starts a
seeded sandbox A and an empty sandbox B (another seed, so B's configuration has other ids),
reads A with tap-insightly, then times target-insightly writing the tap's output into B with
`id_mode: translate` at R requests per second (Insightly's most is 10). Requests are counted
from B's own log, by kind; the Python heap's peak is read with tracemalloc while the target
runs. A second run of the same input shows what an unchanged copy costs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tap_insightly.tap import TapInsightly
from target_insightly.target import TargetInsightly

TIMEOUT = 30


def read(source: SandboxServer) -> list[dict[str, Any]]:
    """Every message tap-insightly writes for a full sync of `source`."""
    out = io.StringIO()
    config = {"api_key": source.config.api_key, "api_url": source.url, "requests_per_second": 10}
    with contextlib.redirect_stdout(out):
        TapInsightly(config=config).sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def write(config: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[float, int]:
    """Run the target over `lines`: seconds taken and the heap's peak in bytes."""
    text = "".join(json.dumps(line) + "\n" for line in lines)
    tracemalloc.start()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        TargetInsightly(config=config).listen(file_input=io.StringIO(text))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def requests_by_kind(destination: SandboxServer) -> Counter[str]:
    """B's answered requests since its log was last cleared, as `METHOD` counts."""
    log = requests.get(destination.root + "/_sandbox/requests", timeout=TIMEOUT).json()
    requests.delete(destination.root + "/_sandbox/requests", timeout=TIMEOUT)
    return Counter(entry["method"] for entry in log)


def main() -> None:
    """Copy A into B twice and print what each run cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20, help="records per main object in A")
    parser.add_argument("--rate", type=float, default=10, help="target requests per second")
    args = parser.parse_args()

    with (
        SandboxServer(SandboxConfig(records=args.records, seed=1)) as source,
        SandboxServer(SandboxConfig(records=0, seed=2)) as destination,
        tempfile.TemporaryDirectory() as folder,
    ):
        lines = read(source)
        records = sum(1 for line in lines if line["type"] == "RECORD")
        config = {
            "api_key": destination.config.api_key,
            "api_url": destination.url,
            "requests_per_second": args.rate,
            "id_mode": "translate",
            "ledger_path": str(Path(folder) / "ledger.json"),
            "dead_letter_path": str(Path(folder) / "dead-letters.jsonl"),
        }
        requests_by_kind(destination)
        print(f"{records} records read from A ({args.records} per main object)")
        print(
            f"{'run':<10} {'seconds':>8} {'requests':>9} {'writes':>7} {'per record':>11} "
            f"{'heap peak':>10}"
        )
        for label in ("first", "unchanged"):
            seconds, peak = write(config, lines)
            kinds = requests_by_kind(destination)
            total = sum(kinds.values())
            written = total - kinds["GET"]
            print(
                f"{label:<10} {seconds:>8.1f} {total:>9} {written:>7} {total / records:>11.2f} "
                f"{peak / 2**20:>8.1f} MiB"
            )


if __name__ == "__main__":
    main()
