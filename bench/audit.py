"""Benchmark of the audit rehearsal (issue 14) on the million-record ledger.

Run by ``make bench`` (``python -m bench``, which calls :func:`run` with its
ledger), or alone on an existing demo ledger (it is copied first, since
opening it with this program applies the migrations):

    python -m bench.audit --db bench/out/bench.sqlite

Figures:

- ``check --json``, the whole self-check command with the possible duplicates,
  in a fresh process (wall time and peak memory; target ≤ 8 s and ≤ 1 GB),
  beside the floor of the plain exact-duplicate query (sqlite3 GROUP BY on the
  ID over the same table);
- the possible-duplicate search alone (``fuzzy.find``), with the process's CPU
  seconds beside the wall time: the machine is shared, and CPU time shows
  what the work costs when the wall clock waits for a core;
- a telephone sample of 50 per area at 2017-11-24 and its call sheet PDF (a share of
  5 % of a million-record ledger would be 15,000 calls and a call sheet of 1,000 pages).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent


def _timed(fn: Any) -> tuple[float, float, Any]:
    w0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - w0, time.process_time() - c0, value


def run(db: Path, out: Path) -> Iterator[dict[str, Any]]:
    """Rows for bench/__main__.py's report (keyword arguments of ``Report.add``)."""
    from bench.__main__ import best_of, child

    conn = sqlite3.connect(db)
    n = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    floor = best_of(
        3,
        lambda: conn.execute(
            "SELECT id_number, count(*) FROM records GROUP BY id_number HAVING count(*) > 1"
        ).fetchall(),
    )
    conn.close()
    r = child("check", "--db", str(db), "--json")
    yield {
        "what": f"check --json, {n:,} records, with the possible duplicates (issue 14)",
        "seconds": r["seconds"],
        "target": "≤ 8 s, ≤ 1 GB",
        "peak_mb": r["peak_mb"],
        "floor": "sqlite3 exact-duplicate ID GROUP BY",
        "floor_seconds": floor,
    }

    from jiuye_desktop import fuzzy
    from jiuye_desktop.service import open_session

    session = open_session(db)
    session.auto_backup = False
    try:
        wall, cpu, found = _timed(lambda: fuzzy.find(session.db.conn))
        rules: dict[str, int] = {}
        for s in found:
            rules[s.rule] = rules.get(s.rule, 0) + 1
        yield {
            "what": f"  possible duplicates alone (fuzzy.find; CPU {cpu:.2f} s): "
            + ", ".join(f"{k} {v}" for k, v in sorted(rules.items())),
            "seconds": wall,
        }
    finally:
        session.close()

    sheet = out / "call-sheet.pdf"
    r = child(
        "sample",
        "--db",
        str(db),
        "--date",
        "2017-11-24",
        "--per-area",
        "50",
        "--seed",
        "7",
        "--out",
        str(sheet),
        "--json",
    )
    yield {
        "what": "sample --per-area 50 with its call sheet PDF (the whole command)",
        "seconds": r["seconds"],
        "peak_mb": r["peak_mb"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.audit")
    parser.add_argument("--db", type=Path, default=PROJECT / "bench" / "out" / "bench.sqlite")
    opts = parser.parse_args()
    out = PROJECT / "bench" / "out" / "audit"
    out.mkdir(parents=True, exist_ok=True)
    db = out / "audit.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(opts.db, db)
    from jiuye_desktop.storage.db import open_database

    open_database(db).close()  # migrate once, outside the timings
    rows = []
    for row in run(db, out):
        rows.append(row)
        peak = f"  peak {row['peak_mb']:.0f} MB" if row.get("peak_mb") else ""
        floor = (
            f"   floor {row['floor_seconds']:.3f} s ({row['floor']})" if row.get("floor") else ""
        )
        print(f"{row['what']:<70} {row['seconds']:8.3f} s {row.get('target', '')}{peak}{floor}")
    (out / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
