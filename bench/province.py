"""Benchmark of the province (issue 13): 28 packages, 1,100,000 rows; a 200,000-record export.

    python -m bench.province [--keep]

Inputs are built once and kept under ``bench/out/province/`` (``--keep`` reuses
them; building takes minutes): for each of the province's 28 areas a ledger
filled with the demo generator (the 17 cities 52,000 records each with their
default areas, 济源 16,000, the 10 directly administered counties 20,000
each: 1,100,000 in all), its package of the year's last week exported, the
ledger removed; and a 200,000-record city ledger (许昌).

Figures, each command in a fresh process (``bench.__main__.child``):

- ``merge`` of the 28 packages into a new province ledger (target ≤ 90 s,
  peak ≤ 1.5 GB, the workers' peaks in brackets);
- the province's weekly table and progress at 1,100,000 records (slowest of
  four weeks, best of 5; target ≤ 0.5 s);
- ``export-package`` of the 200,000-record city ledger (target ≤ 15 s), beside
  its floor measured in the same run: the same rows read from SQLite, and
  written by XlsxWriter in its streaming (constant_memory) mode.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "out" / "province"
LAST = "2017-12-6"  # the short week of 30–31 December: every record of the year
CITY_ROWS, JIYUAN_ROWS, COUNTY_ROWS = 52_000, 16_000, 20_000
EXPORT_ROWS = 200_000


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def plan() -> list[tuple[str, str, int]]:
    """(code, name, records) of the 28 packages."""
    from jiuye_desktop.divisions import is_direct, lookup, province_areas

    out = []
    for code, name in province_areas(2017):
        division = lookup(code, 2017)
        city = division is not None and division.kind == "city"
        rows = (JIYUAN_ROWS if is_direct(code) else CITY_ROWS) if city else COUNTY_ROWS
        out.append((code, name, rows))
    return out


def prepare(keep: bool) -> list[Path]:
    """The 28 packages (built unless kept)."""
    from jiuye_desktop.demo_loader import load_demo
    from jiuye_desktop.divisions import default_areas, lookup
    from jiuye_desktop.domain import Level
    from jiuye_desktop.package import export_package
    from jiuye_desktop.service import init_database
    from jiuye_desktop.weeks import week_from_key

    OUT.mkdir(parents=True, exist_ok=True)
    files = []
    for i, (code, name, rows) in enumerate(plan(), start=1):
        path = OUT / f"{code}-{LAST}.xlsx"
        files.append(path)
        if keep and path.exists():
            continue
        division = lookup(code, 2017)
        city = division is not None and division.kind == "city"
        db = OUT / f"{code}.sqlite"
        _remove(db)
        session = init_database(
            db,
            unit_code=code,
            unit_name=name,
            level=Level.CITY if city else Level.COUNTY,
            areas=default_areas(code) if city else [(None, f"{name}城关镇")],
        )
        session.auto_backup = False
        load_demo(session, rows, seed=1000 + i)
        export_package(session, week_from_key(LAST), path)
        session.close()
        _remove(db)
        print(f"  {name}: {rows:,} records, package written", flush=True)
    return files


def city_ledger(keep: bool) -> Path:
    """The 200,000-record city ledger of the export figure (built unless kept)."""
    from bench.__main__ import child

    db = OUT / "city-200k.sqlite"
    if keep and db.exists():
        return db
    _remove(db)
    child("demo", "--db", str(db), "--records", str(EXPORT_ROWS), "--seed", "5")
    return db


def province_db(path: Path) -> Path:
    from jiuye_desktop.domain import Level
    from jiuye_desktop.service import init_database

    _remove(path)
    init_database(path, unit_code="410000", unit_name="河南省", level=Level.PROVINCE).close()
    return path


def best_of(n: int, fn: Any) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def export_floor(db: Path) -> tuple[float, float]:
    """(seconds to read the rows from SQLite, seconds for XlsxWriter to write them)."""
    import xlsxwriter

    from jiuye_desktop.package import LEDGER_HEADERS
    from jiuye_desktop.package.writer import _sheet_rows
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weeks import week_from_key

    session = open_session(db)
    try:
        t0 = time.perf_counter()
        rows = list(_sheet_rows(session, week_from_key(LAST)))  # the bare read of the cells
        read = time.perf_counter() - t0
    finally:
        session.close()
    out = OUT / "floor-xlsxwriter.xlsx"
    t0 = time.perf_counter()
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("实名台账")
    sheet.write_row(0, 0, LEDGER_HEADERS)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value)
    book.close()
    return read, time.perf_counter() - t0


PARTS = ("merge", "tables", "export")


def run(
    db: Path | None = None,
    out: Path | None = None,
    keep: bool = True,
    parts: tuple[str, ...] = PARTS,
) -> Iterator[dict[str, object]]:
    """The figures, as rows of ``bench.__main__.Report`` (``db``, ``out``: unused, for
    ``python -m bench``, which calls every part the same way)."""
    from bench.__main__ import child

    henan = OUT / "henan.sqlite"
    if "merge" in parts or not henan.exists():
        t0 = time.perf_counter()
        files = prepare(keep)
        print(f"  province inputs ready in {time.perf_counter() - t0:.0f} s", flush=True)
        m = child("merge", "--db", str(province_db(henan)), *map(str, files))
    conn = sqlite3.connect(henan)
    n = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    conn.close()
    if "merge" in parts:
        yield {
            "what": f"province: merge 28 packages, {n:,} rows" + _cpu(m),
            "seconds": m["seconds"],
            "target": "≤ 90 s",
            "peak_mb": m["peak_mb"],
            "worker_peak_mb": m.get("worker_peak_mb"),
        }
    if "tables" in parts:
        yield from _tables(henan, n)
    if "export" in parts:
        yield from _export(keep)


def _tables(henan: Path, n: int) -> Iterator[dict[str, object]]:
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weekly import compute
    from jiuye_desktop.weeks import week_from_key

    session = open_session(henan)
    session.auto_backup = False
    weeks = [week_from_key(k) for k in ("2017-01-1", "2017-06-1", "2017-11-4", "2017-12-5")]
    t_weekly = max(best_of(5, lambda w=w: compute(session, w)) for w in weeks)
    yield {
        "what": f"province: weekly table, {n:,} records (slowest of 4 weeks, best of 5)",
        "seconds": t_weekly,
        "target": "≤ 0.5 s",
    }
    try:
        from jiuye_desktop.progress import progress
    except ImportError:  # part A not merged: the weekly table alone
        progress = None
    if progress is not None:
        t_progress = max(best_of(5, lambda w=w: progress(session, w)) for w in weeks)
        yield {
            "what": f"province: progress, {n:,} records (slowest of 4 weeks, best of 5)",
            "seconds": t_progress,
            "target": "≤ 0.5 s",
        }
    t_drill = best_of(3, lambda: _drill(session, weeks[-1]))
    yield {
        "what": "province: drill-down into 郑州 (weekly --area 410100, best of 3)",
        "seconds": t_drill,
    }
    session.close()


def _export(keep: bool) -> Iterator[dict[str, object]]:
    from bench.__main__ import child

    city = city_ledger(keep)
    read, write = export_floor(city)
    r = child("export-package", "--db", str(city), "--week", LAST, "--out", str(OUT / "city.xlsx"))
    yield {
        "what": f"export-package of a {EXPORT_ROWS:,}-record city ledger" + _cpu(r),
        "seconds": r["seconds"],
        "target": "≤ 15 s",
        "peak_mb": r["peak_mb"],
        "floor": f"SQLite read {read:.2f} s + XlsxWriter streaming write {write:.2f} s",
        "floor_seconds": read + write,
    }


def _cpu(r: dict[str, Any]) -> str:
    """The CPU seconds of a child (and of its workers), beside its wall time."""
    if "cpu_seconds" not in r:
        return ""
    workers = r.get("worker_cpu_seconds") or 0.0
    extra = f" + {workers:.0f} s in its workers" if workers >= 1 else ""
    return f" (CPU {r['cpu_seconds']:.0f} s{extra})"


def _drill(session: Any, week: Any) -> None:
    from jiuye_desktop.province import area_breakdown

    area_breakdown(session, week, "410100")


def main() -> int:
    from bench.__main__ import Report

    parser = argparse.ArgumentParser(prog="bench.province")
    parser.add_argument("--keep", action="store_true", help="reuse the inputs under bench/out")
    parser.add_argument("--prepare-only", action="store_true", help="build the inputs and stop")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="which figures: merge,tables,export"
    )
    opts = parser.parse_args()
    if opts.prepare_only:
        prepare(opts.keep)
        city_ledger(opts.keep)
        return 0
    rep = Report()
    for item in run(keep=opts.keep, parts=tuple(opts.parts.split(","))):
        rep.add(**item)  # type: ignore[arg-type]
    (OUT.parent / "province.json").write_text(json.dumps(rep.rows, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
