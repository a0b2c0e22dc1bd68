"""Benchmark of the city's merge: 20 county packages of 10,000 ledger rows (200,000 rows).

    python -m bench.merge [--counties 20] [--rows 10000] [--keep]

Twenty county ledgers are filled with the demo generator (``load_demo``), each
exports its package for the year's last week (every record) and for the week
before; a synthetic city with those twenty counties as its areas merges them.
Each figure is the wall time of ``merge_packages`` inside a fresh process
(interpreter start and imports excluded), that process's peak memory and the
largest peak of its worker processes (which read and judge the packages):

- the dry run (preview) of the 20 packages into an empty city;
- the merge itself into an empty city (target ≤ 30 s);
- the merge of the 20 newer packages into a city that holds the 20 older
  ones (every county's copies replaced).

The floor is python-calamine's bare read of the same 20 files' 实名台账 sheets.
Results go to ``bench/out/merge.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.memory import peak_mb

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "out" / "merge"
CITY_CODE, CITY_NAME = "411000", "许昌市"
LAST, BEFORE = "2017-12-6", "2017-12-5"  # the short week of 30–31 December, and the one before


def county_codes(n: int) -> list[tuple[str, str]]:
    return [(f"4111{i:02d}", f"测试县{i:02d}") for i in range(1, n + 1)]


def prepare(n_counties: int, rows: int, keep: bool) -> tuple[list[Path], list[Path]]:
    """County ledgers and their packages (older week, last week); reused with --keep."""
    from jiuye_desktop.demo_loader import load_demo
    from jiuye_desktop.domain import Level
    from jiuye_desktop.package import export_package
    from jiuye_desktop.service import init_database
    from jiuye_desktop.weeks import week_from_key

    OUT.mkdir(parents=True, exist_ok=True)
    older, newer = [], []
    for i, (code, name) in enumerate(county_codes(n_counties), start=1):
        old_pkg, new_pkg = OUT / f"{code}-{BEFORE}.xlsx", OUT / f"{code}-{LAST}.xlsx"
        older.append(old_pkg)
        newer.append(new_pkg)
        if keep and old_pkg.exists() and new_pkg.exists():
            continue
        db = OUT / f"{code}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        session = init_database(
            db, unit_code=code, unit_name=name, level=Level.COUNTY,
            areas=[(None, f"{name}城关镇"), (None, f"{name}东街道")],
        )  # fmt: skip
        session.auto_backup = False
        load_demo(session, rows, seed=100 + i)
        export_package(session, week_from_key(BEFORE), old_pkg)
        export_package(session, week_from_key(LAST), new_pkg)
        session.close()
        for suffix in ("", "-wal", "-shm"):  # only the packages are kept
            Path(str(db) + suffix).unlink(missing_ok=True)
        print(f"  {name}: {rows} records, packages written", flush=True)
    return older, newer


def make_city(path: Path, n_counties: int) -> None:
    from jiuye_desktop.domain import Level
    from jiuye_desktop.service import init_database

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.rmtree(path.parent / "backups", ignore_errors=True)
    init_database(
        path, unit_code=CITY_CODE, unit_name=CITY_NAME, level=Level.CITY,
        areas=county_codes(n_counties),
    ).close()  # fmt: skip


def child(mode: str, city: Path, files: list[Path]) -> dict[str, float]:
    """Run one merge in a fresh process; its seconds and peak memory."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.merge", "--child", mode, str(city), *map(str, files)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench.merge: {mode} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run_child(mode: str, city: str, files: list[str]) -> int:
    from jiuye_desktop.merge import merge_packages
    from jiuye_desktop.service import open_session

    session = open_session(city)
    session.auto_backup = False
    t0 = time.perf_counter()
    result = merge_packages(session, files, dry_run=(mode == "dry-run"))
    seconds = time.perf_counter() - t0
    session.close()
    rows = sum(p.rows_add for p in result.packages)
    replaced = sum(p.rows_replace for p in result.packages)
    peak = peak_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "worker_peak_mb": workers,
                "rows": rows,
                "replaced": replaced,
            }
        )
    )
    return 0


def calamine_floor(files: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        for f in files:
            CalamineWorkbook.from_path(str(f)).get_sheet_by_name("实名台账").to_python()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.merge")
    parser.add_argument("--counties", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000, help="records per county")
    parser.add_argument("--keep", action="store_true", help="reuse the county packages")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        mode, city, *files = opts.child
        return run_child(mode, city, files)

    print(f"preparing {opts.counties} county packages of {opts.rows} rows …", flush=True)
    t0 = time.perf_counter()
    older, newer = prepare(opts.counties, opts.rows, opts.keep)
    print(f"  ready in {time.perf_counter() - t0:.1f} s", flush=True)
    floor = calamine_floor(newer)
    city = OUT / "city.sqlite"
    results = []

    make_city(city, opts.counties)
    r = child("dry-run", city, newer)
    results.append(("dry run (preview) into an empty city", r))
    r = child("merge", city, newer)
    results.append(("merge into an empty city", r))
    conn = sqlite3.connect(city)
    merged = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    conn.close()

    make_city(city, opts.counties)
    child("merge", city, older)
    r = child("merge", city, newer)
    results.append(("merge replacing every county's older package", r))

    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "counties": opts.counties,
        "rows_per_county": opts.rows,
        "records_merged": merged,
        "floor": {"what": "python-calamine's bare read of the same 20 sheets", "seconds": floor},
        "results": [{"what": what, **r} for what, r in results],
        "target": "merge into an empty city ≤ 30 s",
    }
    (OUT.parent / "merge.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print()
    print(
        f"{'what':<50} {'rows':>8} {'replaced':>9} {'seconds':>8} {'peak MB':>8} {'worker MB':>9}"
    )
    for what, r in results:
        print(
            f"{what:<50} {int(r['rows']):>8,} {int(r['replaced']):>9,} {r['seconds']:>8.2f} "
            f"{r['peak_mb']:>8.0f} {r['worker_peak_mb']:>9.0f}"
        )
    print(f"{'floor: ' + report['floor']['what']:<69} {floor:>8.2f}")
    print(f"records in the city after the merge: {merged:,}   target: {report['target']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def run(db: Path, out: Path) -> list[dict[str, object]]:
    """For `python -m bench`: export-package of the big database, and the 20-package merge."""
    from bench.__main__ import child as cli_child

    items: list[dict[str, object]] = []
    package = out / "package.xlsx"
    r = cli_child("export-package", "--db", str(db), "--week", "2017-12-5", "--out", str(package))
    items.append(
        {
            "what": "export-package (the whole year's ledger)",
            "seconds": r["seconds"],
            "peak_mb": r["peak_mb"],
        }
    )
    older, newer = prepare(20, 10_000, keep=True)
    floor = calamine_floor(newer)
    city = OUT / "city.sqlite"
    make_city(city, 20)
    m = child("merge", city, newer)
    items.append(
        {
            "what": "merge 20 packages, 200,000 rows, into a city",
            "seconds": m["seconds"],
            "target": "≤ 30 s",
            "peak_mb": max(m["peak_mb"], m["worker_peak_mb"]),
            "floor": "python-calamine's bare read of the 20 sheets",
            "floor_seconds": floor,
        }
    )
    make_city(city, 20)
    child("merge", city, older)
    m = child("merge", city, newer)
    items.append(
        {
            "what": "  the same 20 replacing each county's older package",
            "seconds": m["seconds"],
            "peak_mb": max(m["peak_mb"], m["worker_peak_mb"]),
        }
    )
    return items
