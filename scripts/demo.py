"""`make demo`: a sandbox, `meltano run tap-insightly target-duckdb`, and what it loaded.

Starts `insightly-sandbox` on a free port, points the `dev` environment's tap at it, loads every
stream meltano.yml selects into `output/sandbox.duckdb` from scratch, prints each loaded
table with its row count and the answer of a sample query, and stops the sandbox. Meltano's
full log goes to `output/demo-meltano.log`; the screen shows one line per stream. The plugins
must be installed (`make demo` installs them first).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUTPUT = ROOT / "output"
DATABASE = OUTPUT / "sandbox.duckdb"
LOG = OUTPUT / "demo-meltano.log"
SCHEMA = "insightly"

#: Seconds the sandbox may take to print its URL.
PATIENCE = 30

#: The tap's closing line of each stream, which the screen shows of Meltano's log.
PROGRESS = " records emitted, "

#: A question the loaded tables answer: open opportunities by pipeline and stage.
SAMPLE = """\
SELECT p.pipeline_name AS pipeline,
       s.stage_name AS stage,
       count(*) AS open_opportunities,
       CAST(round(sum(o.bid_amount)) AS BIGINT) AS total_bid
FROM insightly.opportunities AS o
JOIN insightly.pipelines AS p USING (pipeline_id)
JOIN insightly.pipeline_stages AS s USING (stage_id)
WHERE o.opportunity_state = 'OPEN'
GROUP BY p.pipeline_name, s.stage_name, s.stage_order
ORDER BY pipeline, s.stage_order"""

#: What to run next, shown at the end: a query of the custom object `fruit__c`.
EXPLORE = (
    ".venv/bin/python -c \"import duckdb; db = duckdb.connect('output/sandbox.duckdb'); "
    "db.sql('SELECT record_name, color__c, weight__c FROM insightly.fruit__c').show()\""
)


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """Start the sandbox on a free port; answer the process and the base URL it printed."""
    sandbox = subprocess.Popen(  # noqa: S603 - the console script installed beside this Python
        [str(BIN / "insightly-sandbox"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sandbox.stdout is not None  # noqa: S101 - stdout=PIPE above
    ready, _, _ = select.select([sandbox.stdout], [], [], PATIENCE)
    url = sandbox.stdout.readline().strip() if ready else ""
    if not url:
        sandbox.kill()
        msg = f"insightly-sandbox printed no URL within {PATIENCE} s: run it alone to see why"
        raise SystemExit(msg)
    return sandbox, url


def load(url: str) -> bool:
    """`meltano run` into a new DuckDB file, one line per stream on screen; answer success."""
    OUTPUT.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    env = {**os.environ, "TAP_INSIGHTLY_API_URL": url, "TARGET_DUCKDB_FILEPATH": str(DATABASE)}
    # --full-refresh: each demo reads a new sandbox whole, whatever state an earlier run left.
    command = ["run", "--full-refresh", "--no-install", "tap-insightly", "target-duckdb"]
    print(f"meltano {' '.join(command)}  (full log: {LOG.relative_to(ROOT)})")
    with LOG.open("w", encoding="utf-8") as log:
        meltano = subprocess.Popen(  # noqa: S603 - Meltano beside this Python, fixed arguments
            [str(BIN / "meltano"), *command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert meltano.stdout is not None  # noqa: S101 - stdout=PIPE above
        for line in meltano.stdout:
            log.write(line)
            if PROGRESS in line:
                print("  " + line.split("tap-insightly", 1)[-1].strip())
    if meltano.wait() != 0:
        tail = LOG.read_text(encoding="utf-8").splitlines()[-30:]
        print("\n".join(["", "meltano run failed; the end of its log:", *tail]), file=sys.stderr)
        return False
    return True


def columns(rows: list[tuple[object, ...]], header: tuple[str, ...]) -> str:
    """Rows as aligned text columns, numbers to the right."""
    cells = [header, *[tuple("" if cell is None else str(cell) for cell in row) for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(header))]
    numeric = [all(isinstance(row[index], int) for row in rows) for index in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report() -> None:
    """Every loaded table with its row count, then the sample query and its answer."""
    with duckdb.connect(str(DATABASE), read_only=True) as warehouse:
        names = [
            str(name)
            for (name,) in warehouse.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                "ORDER BY table_name",
                [SCHEMA],
            ).fetchall()
        ]
        counts: list[tuple[object, ...]] = []
        total = 0
        for name in names:
            query = f'SELECT count(*) FROM {SCHEMA}."{name}"'  # noqa: S608 - names it listed
            counted = warehouse.execute(query).fetchone()
            rows = int(counted[0]) if counted else 0
            counts.append((f"{SCHEMA}.{name}", rows))
            total += rows
        print(f"\n{len(counts)} tables, {total} rows, in {DATABASE.relative_to(ROOT)}:\n")
        print(columns(counts, ("table", "rows")))

        cursor = warehouse.execute(SAMPLE)
        header = tuple(str(column[0]) for column in cursor.description or [])
        print(f"\nA sample query:\n\n{SAMPLE};\n")
        print(columns([tuple(row) for row in cursor.fetchall()], header))
    print(f"\nThe file stays; query it from Python:\n\n  {EXPLORE}")


def main() -> int:
    """Run the demo; the exit status is 1 when the pipeline fails."""
    started = time.monotonic()
    sandbox, url = start_sandbox()
    print(f"insightly-sandbox serves {url}")
    try:
        if not load(url):
            return 1
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=PATIENCE)
    report()
    print(f"\nDone in {time.monotonic() - started:.0f} s; the sandbox is stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
