"""`demo` fills a database through the import pipeline; in parallel the same rows."""

from __future__ import annotations

from pathlib import Path

from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.selfcheck import run_check

from .helpers import xuchang


def _content(session) -> list[tuple]:
    return sorted(
        session.db.conn.execute(
            "SELECT name, id_number, record_type, registered_on, area_id, ind, dup_key FROM records"
        ).fetchall()
    )


def test_parallel_and_serial_demo_store_the_same_ledger(tmp_path: Path) -> None:
    a, b = xuchang(tmp_path / "a.sqlite"), xuchang(tmp_path / "b.sqlite")
    assert load_demo(a, 3000, seed=5, parallel=False) == 3000
    assert load_demo(b, 3000, seed=5, parallel=True) == 3000
    assert _content(a) == _content(b)
    assert run_check(a).summary == run_check(b).summary
    kinds = {t for (t,) in a.db.conn.execute("SELECT DISTINCT record_type FROM records")}
    assert {"新就业", "自然减员", "去产能安置"} <= kinds
    a.close()
    b.close()
