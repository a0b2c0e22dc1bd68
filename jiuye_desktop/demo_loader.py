"""Fill a database with the synthetic ledger of ``demo`` (through the import pipeline)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator

from .demo import generate_rows
from .records import normalize
from .service import Session, prepare
from .storage import ledger
from .storage.db import now_text


def load_demo(
    session: Session,
    n: int,
    *,
    year: int = 2017,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Generate ``n`` records and store them in one transaction; returns how many."""
    ctx = session.context()
    areas = [(a.code, a.name) for a in ctx.areas]

    def prepared() -> Iterator[ledger.PreparedRecord]:
        for i, row in enumerate(generate_rows(n, year=year, seed=seed, areas=areas)):
            if progress and i % 10000 == 0:
                progress(i, n)
            yield prepare(normalize(row.values, ctx, source_row=None), ctx)

    token = hashlib.sha256(f"demo:{seed}:{n}:{year}:{now_text()}:{os.urandom(8).hex()}".encode())
    with session.db.transaction() as tx:
        import_id = ledger.add_import(
            tx, file_name=f"演示数据（种子{seed}）", sha256=token.hexdigest(), sheet="",
            operator=session.operator, row_count=n, kind="demo",
        )
        count = ledger.insert_records(tx, prepared(), import_id=import_id, operator=session.operator)
        ledger.finish_import(tx, import_id, count, 0)
    return count
