"""Benchmarks at a million records, each figure beside a floor measured in the same run.

    make bench                 # python -m bench --write-docs
    python -m bench --records 200000 --keep

Each command runs in a fresh process (`bench._child`): the figure is its wall
time from the call of the command line's main() to its return, and its peak
memory (VmHWM, see bench/memory.py). Floors: a plain sqlite3 query over the same table;
python-calamine's bare read of the same workbook; pandas on the same data.
Results go to bench/out/results.json and, with --write-docs, docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "out"
AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]


def child(*args: str) -> dict[str, Any]:
    """Run main.py ARGS in a fresh process; return its seconds and peak memory."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = fh.name
    proc = subprocess.run(
        [sys.executable, "-m", "bench._child", result_path, "--", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    data: dict[str, Any] = json.loads(Path(result_path).read_text())
    os.unlink(result_path)
    return data


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "main.py",
            "init",
            "--db",
            str(path),
            "--unit-code",
            "411000",
            "--unit-name",
            "许昌市",
            "--level",
            "city",
        ],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    return path


class Report:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        what: str,
        seconds: float,
        target: str = "",
        peak_mb: float | None = None,
        floor: str = "",
        floor_seconds: float | None = None,
        worker_peak_mb: float | None = None,
    ) -> None:
        row = {
            "what": what,
            "seconds": round(seconds, 3),
            "target": target,
            "peak_mb": round(peak_mb) if peak_mb else None,
            "floor": floor,
            "floor_seconds": round(floor_seconds, 3) if floor_seconds is not None else None,
            "worker_peak_mb": round(worker_peak_mb) if worker_peak_mb else None,
        }
        self.rows.append(row)
        floor_txt = f"   floor {floor_seconds:.3f} s ({floor})" if floor else ""
        peak_txt = f"  peak {peak_mb:.0f} MB" if peak_mb else ""
        if worker_peak_mb:
            peak_txt += f" (each worker ≤ {worker_peak_mb:.0f} MB)"
        print(f"{what:<58} {seconds:8.3f} s  {target:<9}{peak_txt}{floor_txt}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse bench/out/bench.sqlite")
    parser.add_argument("--write-docs", action="store_true", help="write docs/benchmarks.md")
    opts = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rep = Report()
    db = OUT / "bench.sqlite"
    n_target = opts.records

    # 1. Building the database with demo.
    if not (opts.keep and db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        r = child("demo", "--db", str(db), "--records", str(n_target), "--seed", "1")
        from jiuye_desktop.demo import generate_rows

        gen = best_of(1, lambda: sum(1 for _ in generate_rows(n_target, seed=1, areas=AREAS)))
        rep.add(
            f"demo --records {n_target:,}",
            r["seconds"],
            "≤ 60 s",
            r["peak_mb"],
            "generating the rows, nothing stored",
            gen,
            worker_peak_mb=r.get("worker_peak_mb"),
        )
    conn = sqlite3.connect(db)
    n = conn.execute("SELECT count(*) FROM records").fetchone()[0]

    # 2. weekly
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weekly import compute
    from jiuye_desktop.weeks import week_from_key

    session = open_session(db)
    session.auto_backup = False
    weeks = [week_from_key(k) for k in ("2017-01-1", "2017-06-1", "2017-11-4", "2017-12-5")]
    compute(session, weeks[-1])
    t_weekly = max(best_of(5, lambda w=w: compute(session, w)) for w in weeks)
    floor = best_of(
        3,
        lambda: conn.execute(
            "SELECT area_id, count(*) FROM records WHERE registered_on <= '2017-12-29' "
            "GROUP BY area_id"
        ).fetchall(),
    )
    r = child("weekly", "--db", str(db), "--week", "2017-12-5", "--json")
    rep.add(
        f"weekly, {n:,} records (slowest of 4 weeks, best of 5)",
        t_weekly,
        "≤ 0.2 s",
        None,
        "sqlite3 count by area over the records",
        floor,
    )
    rep.add("weekly --json, the whole command", r["seconds"], "", r["peak_mb"])

    # 3. check
    from jiuye_desktop.selfcheck import run_check

    t_check = best_of(3, lambda: run_check(session))
    floor = best_of(
        3,
        lambda: conn.execute(
            "SELECT id_number, count(*) FROM records GROUP BY id_number HAVING count(*) > 1"
        ).fetchall(),
    )
    r = child("check", "--db", str(db), "--json")
    rep.add(
        f"check, {n:,} records (best of 3)",
        t_check,
        "≤ 8 s",
        None,
        "sqlite3 duplicate-ID GROUP BY",
        floor,
    )
    rep.add("check --json, the whole command with every finding", r["seconds"], "", r["peak_mb"])

    # 4. exports
    out_xlsx, out_pdf = OUT / "annex1.xlsx", OUT / "annex1.pdf"
    r = child("export-annex1", "--db", str(db), "--week", "2017-11-4", "--out", str(out_xlsx))
    rep.add("export-annex1 (xlsx)", r["seconds"], "", r["peak_mb"])
    r = child("export-annex1", "--db", str(db), "--week", "2017-11-4", "--out", str(out_pdf))
    rep.add("export-annex1 (PDF)", r["seconds"], "", r["peak_mb"])
    session.close()
    conn.close()

    # 5. import of a 100,000-row workbook into a fresh database
    book = OUT / f"ledger-{opts.import_rows}.xlsx"
    if not book.exists():
        from jiuye_desktop.demo import generate_rows
        from jiuye_desktop.demo_workbook import write_workbook

        write_workbook(generate_rows(opts.import_rows, seed=7, areas=AREAS), book)
    from python_calamine import CalamineWorkbook

    floor_read = best_of(
        3, lambda: CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()
    )
    pandas_read: float | None = None
    try:
        import pandas as pd

        pandas_read = best_of(1, lambda: pd.read_excel(book, engine="calamine", dtype=str))
    except ImportError:
        pass
    timings, peak, worker_peak = [], 0.0, 0.0
    for _ in range(5):
        r = child("import", str(book), "--db", str(fresh_db(OUT / "import.sqlite")), "--json")
        timings.append(r["seconds"])
        peak = max(peak, r["peak_mb"])
        worker_peak = max(worker_peak, r.get("worker_peak_mb") or 0.0)
    timings.sort()
    rep.add(
        f"import of a {opts.import_rows:,}-row workbook into a new ledger (median of 5)",
        timings[2],
        "≤ 5 s",
        peak,
        "python-calamine's bare read of the file",
        floor_read,
        worker_peak_mb=worker_peak,
    )
    rep.add(f"  slowest of the 5 (all: {', '.join(f'{t:.2f}' for t in timings)} s)", timings[-1])
    if pandas_read is not None:
        rep.add("  pandas.read_excel of the same file (engine=calamine)", pandas_read)
    # The same workbook into a copy of the million-record ledger: bigger indexes, and the
    # backup taken before every import is a copy of 470 MB.
    big = OUT / "import-into-1m.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(big) + suffix).unlink(missing_ok=True)
    shutil.copyfile(db, big)
    r = child("import", str(book), "--db", str(big), "--json")
    rep.add(
        f"import of the same workbook into the {n:,}-record ledger (backup included)",
        r["seconds"],
        "",
        r["peak_mb"],
        worker_peak_mb=r.get("worker_peak_mb"),
    )
    for leftover in [big, *(OUT / "backups").glob(f"{big.stem}-*.sqlite")]:
        leftover.unlink(missing_ok=True)

    # 6. export-package and merge, the province (issue 13), the window, the audit rehearsal.
    for module in ("bench.merge", "bench.province", "bench.window", "bench.audit"):
        try:
            extra = __import__(module, fromlist=["run"])
        except ImportError:
            continue
        if not hasattr(extra, "run"):
            continue
        for item in extra.run(db=db, out=OUT):
            rep.add(**item)

    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "records": n,
        "results": rep.rows,
    }
    (OUT / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    if opts.write_docs:
        write_docs(report)
    return 0


def write_docs(report: dict[str, Any]) -> None:
    m = report["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench --write-docs`); re-run it to refresh.",
        f"Machine: {m['cpus']} cores, Python {m['python']}, SQLite {m['sqlite']}, {m['platform']}.",
        f"Database: {report['records']:,} demo records (city of 许昌, 7 area rows).",
        "",
        "Each command runs in a fresh process; seconds are from the call of the command to its",
        "return, peak memory is the process's maximum resident size (in brackets: the largest of",
        "its worker processes, when it starts some). A floor is measured in the same run on the",
        "same data.",
        "",
        "| what | seconds | target | peak MB | floor |",
        "|---|---:|---|---:|---|",
    ]
    for r in report["results"]:
        floor = f"{r['floor_seconds']:.3f} s — {r['floor']}" if r.get("floor") else ""
        peak = str(r["peak_mb"]) if r.get("peak_mb") else ""
        if r.get("worker_peak_mb"):
            peak += f" ({r['worker_peak_mb']})"
        lines.append(f"| {r['what']} | {r['seconds']:.3f} | {r['target']} | {peak} | {floor} |")
    (PROJECT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
