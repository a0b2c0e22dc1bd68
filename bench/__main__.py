"""Benchmarks of the core at a million records (issue 2 targets), each beside a floor.

    make bench            # or: python -m bench [--records N] [--keep]

Each figure is the wall time of the command inside its own process (interpreter
start excluded) and that process's peak memory; the floor is measured in the
same run on the same data: a plain sqlite3 query over the same table, or
python-calamine's bare read of the same workbook.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "out"


def child(*args: str) -> dict:
    """Run main.py ARGS in a fresh process; return seconds and peak memory."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = fh.name
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench._child", result_path, "--", *args],
        cwd=PROJECT, capture_output=True, text=True,
    )
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    data = json.loads(Path(result_path).read_text())
    os.unlink(result_path)
    data["process_seconds"] = total
    return data


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def row(name: str, seconds: float, floor_name: str, floor: float, target: str, peak: float | None) -> dict:
    return {"what": name, "seconds": round(seconds, 3), "floor": floor_name,
            "floor_seconds": round(floor, 3), "target": target,
            "peak_mb": round(peak, 1) if peak is not None else None}


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse bench/out/bench.sqlite if present")
    opts = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    db = OUT / "bench.sqlite"

    # 1. demo --records N
    if not (opts.keep and db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        r = child("demo", "--db", str(db), "--records", str(opts.records), "--seed", "1")
        from jiuye_desktop.demo import generate_rows

        areas = [("411000", "许昌市本级"), ("411002", "魏都区"), ("411082", "长葛市")]
        gen = best_of(1, lambda: sum(1 for _ in generate_rows(opts.records, seed=1, areas=areas)))
        results.append(row(f"demo --records {opts.records}", r["seconds"],
                           "generating the rows alone", gen, "≤ 60 s", r["peak_mb"]))
        print(results[-1], flush=True)

    conn = sqlite3.connect(db)
    n = conn.execute("SELECT count(*) FROM records").fetchone()[0]

    # 2. weekly (best of 5 in-process runs, plus the whole command once)
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weekly import compute
    from jiuye_desktop.weeks import week_from_key

    session = open_session(db)
    weeks = [week_from_key(k) for k in ("2017-12-5", "2017-06-1", "2017-11-2")]
    compute(session, weeks[0])  # warm the page cache
    t_weekly = max(best_of(5, lambda w=w: compute(session, w)) for w in weeks)
    floor_weekly = best_of(5, lambda: conn.execute(
        "SELECT area_id, count(*) FROM records WHERE registered_on <= '2017-12-29' "
        "GROUP BY area_id").fetchall())
    r = child("weekly", "--db", str(db), "--week", "2017-12-5", "--json")
    results.append(row(f"weekly ({n:,} records; slowest of 3 weeks, best of 5)", t_weekly,
                       "plain sqlite3 GROUP BY area over the same table", floor_weekly, "≤ 0.2 s",
                       r["peak_mb"]))
    results.append(row("weekly, whole command in a new process", r["seconds"], "", 0, "", r["peak_mb"]))
    print(results[-2], flush=True)

    # 3. check
    r = child("check", "--db", str(db), "--json")
    floor_check = best_of(3, lambda: conn.execute(
        "SELECT id_number, count(*) FROM records GROUP BY id_number HAVING count(*) > 1").fetchall())
    from jiuye_desktop.selfcheck import run_check

    t_check = best_of(3, lambda: run_check(session))
    results.append(row(f"check ({n:,} records, in-process, best of 3)", t_check,
                       "plain sqlite3 duplicate-ID GROUP BY", floor_check, "≤ 5 s", None))
    results.append(row("check --json, whole command incl. JSON of every finding", r["seconds"],
                       "", 0, "", r["peak_mb"]))
    print(results[-2], flush=True)
    session.close()
    conn.close()

    # 4. import of a 100,000-row workbook into a fresh database
    book = OUT / f"ledger-{opts.import_rows}.xlsx"
    if not book.exists():
        from jiuye_desktop.demo import generate_rows, write_workbook

        areas = [("411000", "许昌市本级"), ("411002", "魏都区"), ("411003", "建安区"),
                 ("411024", "鄢陵县"), ("411025", "襄城县"), ("411081", "禹州市"), ("411082", "长葛市")]
        write_workbook(generate_rows(opts.import_rows, seed=7, areas=areas), book)
    from python_calamine import CalamineWorkbook

    floor_read = best_of(3, lambda: CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python())
    fresh = OUT / "import.sqlite"
    timings = []
    peak = 0.0
    for _ in range(3):
        for suffix in ("", "-wal", "-shm"):
            Path(str(fresh) + suffix).unlink(missing_ok=True)
        subprocess.run([sys.executable, "main.py", "init", "--db", str(fresh), "--unit-code", "411000",
                        "--unit-name", "许昌市", "--level", "city"], cwd=PROJECT, check=True,
                       capture_output=True)
        r = child("import", str(book), "--db", str(fresh), "--json")
        timings.append(r["seconds"])
        peak = max(peak, r["peak_mb"])
    results.append(row(f"import of a {opts.import_rows:,}-row workbook (best of 3)", min(timings),
                       "python-calamine's bare read of the same file", floor_read, "≤ 5 s", peak))
    print(results[-1], flush=True)

    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(), "sqlite": sqlite3.sqlite_version},
        "records": n, "results": results,
    }
    (OUT / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print()
    print(f"{'what':<62} {'seconds':>9} {'peak MB':>8}  {'target':<8} floor")
    for r in results:
        peak_txt = f"{r['peak_mb']:.0f}" if r["peak_mb"] else ""
        floor_txt = f"{r['floor_seconds']:.3f} s  {r['floor']}" if r["floor"] else ""
        print(f"{r['what']:<62} {r['seconds']:>9.3f} {peak_txt:>8}  {r['target']:<8} {floor_txt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
