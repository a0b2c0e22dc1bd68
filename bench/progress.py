"""Benchmark of progress and its chart series on a big ledger (issue 13 part A).

    python -m bench.progress [--records 1000000] [--db FILE]

With ``--db`` an existing ledger (a demo of 许昌市) is copied and used; else
one is made with ``demo``. Targets are set on every row (110 % of its
year-end 城镇新增就业人员). Figures, best of 5, of the year's last week:

- ``weekly.compute`` (the floor: progress reads its 本年累计 from it);
- ``progress(session, week)``;
- ``weekly_series`` for 合计 and for one area (the chart: one grouped read of
  the daily tally), against the naive way of calling ``weekly.compute`` for
  each of the year's weeks;
- the one-page progress PDF.

Results go to ``bench/out/progress.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "out" / "progress"


def best(fn: Callable[[], object], n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.progress")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="an existing demo ledger to copy")
    opts = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "progress.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    if opts.db:
        shutil.copyfile(opts.db, db)
    else:
        subprocess.run(
            [sys.executable, "-m", "jiuye_desktop.cli", "demo", "--db", str(db)]
            + ["--records", str(opts.records), "--seed", "1"],
            check=True,
        )

    from jiuye_desktop import progress as prog
    from jiuye_desktop import targets, weekly
    from jiuye_desktop.exports.progress_pdf import render_progress_pdf
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weeks import week_from_key, weeks_of_year

    session = open_session(db)
    session.auto_backup = False
    n = session.db.conn.execute("SELECT count(*) FROM records").fetchone()[0]
    week = week_from_key("2017-12-5")
    first = prog.progress(session, week)
    name = "城镇新增就业人员"
    targets.set_values(
        session,
        2017,
        [(r.area_id or 0, name, int(r.indicators[0].cumulative * 1.1)) for r in first.rows[1:]],
    )
    area = first.rows[2].area_id
    p = prog.progress(session, week)

    def naive() -> None:
        for w in weeks_of_year(2017):
            weekly.compute(session, w)

    figures = {
        "records": n,
        "weekly.compute": best(lambda: weekly.compute(session, week)),
        "progress": best(lambda: prog.progress(session, week)),
        "weekly_series 合计": best(lambda: prog.weekly_series(session, week)),
        "weekly_series one area": best(lambda: prog.weekly_series(session, week, area)),
        "naive: weekly.compute of every week": best(naive, 1),
        "progress PDF": best(lambda: render_progress_pdf(session, p), 2),
    }
    session.close()
    for key, value in figures.items():
        print(f"{key:40} {value:.4f}" if isinstance(value, float) else f"{key:40} {value:,}")
    (OUT.parent / "progress.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
