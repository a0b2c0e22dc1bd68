"""The window on the big database, offscreen: start to grid, scroll to the end, search, week.

    python -m bench.window DB        # prints the figures of one fresh process

Each step is timed until its repaint has been processed. Targets (issue 3):
grid shown ≤ 2 s after start; scrolling to the last row, searching an ID and
switching the week each ≤ 0.3 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.memory import peak_mb

PROJECT = Path(__file__).resolve().parent.parent


def measure(db: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from jiuye_desktop.browse import BrowseQuery
    from jiuye_desktop.service import open_session
    from jiuye_desktop.weeks import next_week, week_from_key
    from ui.app import configure_application
    from ui.main_window import MainWindow, Page
    from ui.state import AppState

    app = QApplication(sys.argv[:1])
    configure_application(app)
    session = open_session(db)
    window = MainWindow(AppState(db, session))
    window.resize(1366, 768)
    window.show()
    table = window.ledger.table
    table.viewport().repaint()
    app.processEvents()
    shown = time.perf_counter() - t0

    t = time.perf_counter()
    table.scrollToBottom()
    table.viewport().repaint()
    app.processEvents()
    scroll = time.perf_counter() - t
    last = window.ledger.model.rowCount() - 1

    id_number = session.db.conn.execute(
        "SELECT id_number FROM records WHERE id = (SELECT max(id) / 2 FROM records)"
    ).fetchone()[0]
    t = time.perf_counter()
    window.ledger.apply_query(BrowseQuery(text=id_number))
    table.viewport().repaint()
    app.processEvents()
    search = time.perf_counter() - t
    found = window.ledger.model.rowCount()

    weekly = window.page(Page.WEEKLY)
    week = week_from_key("2017-11-2")
    weekly.set_week(week)  # type: ignore[attr-defined]
    app.processEvents()
    t = time.perf_counter()
    weekly.set_week(next_week(week))  # type: ignore[attr-defined]
    weekly.repaint()
    app.processEvents()
    switch = time.perf_counter() - t
    window.close()
    session.close()
    return {
        "shown": shown,
        "scroll": scroll,
        "search": search,
        "switch": switch,
        "last_row": last,
        "found": found,
        "peak_mb": peak_mb(),
    }


def run(db: Path, out: Path) -> list[dict[str, Any]]:
    """For `python -m bench`: one fresh process on the big database."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.window", str(db)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench.window failed:\n{proc.stderr[-3000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    peak = r["peak_mb"]
    return [
        {
            "what": "window: start → ledger grid shown (offscreen)",
            "seconds": r["shown"],
            "target": "≤ 2 s",
            "peak_mb": peak,
        },
        {
            "what": f"window: scroll to the last row ({r['last_row'] + 1:,} rows)",
            "seconds": r["scroll"],
            "target": "≤ 0.3 s",
        },
        {
            "what": f"window: search an ID ({r['found']} found)",
            "seconds": r["search"],
            "target": "≤ 0.3 s",
        },
        {
            "what": "window: switch the weekly table's week",
            "seconds": r["switch"],
            "target": "≤ 0.3 s",
        },
    ]


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
