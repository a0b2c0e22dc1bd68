"""Fill a database with the synthetic ledger of ``demo`` (through the import pipeline).

Rows go through the same ``normalize`` and ``prepared_row`` as an imported
workbook. For large counts two worker processes judge the rows (each takes
every other row of the same generated sequence) while this process writes
them, so both cores work; the result is the same rows as in one process.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any

from .demo import generate_rows
from .records import UnitContext, normalize, prepared_row
from .service import Session
from .storage import ledger
from .storage.db import now_text

PARALLEL_FROM = 50_000  # below this, starting processes costs more than it saves
BATCH = 2_000
WORKERS = 2


def _prepared_rows(
    ctx: UnitContext, n: int, year: int, seed: int, shard: int = 0, shards: int = 1
) -> Iterator[ledger.RowAndFindings]:
    areas = [(a.code, a.name) for a in ctx.areas]
    for i, row in enumerate(generate_rows(n, year=year, seed=seed, areas=areas)):
        if i % shards == shard:
            yield prepared_row(normalize(row.values, ctx, source_row=None), ctx)


def _worker(
    ctx: UnitContext, n: int, year: int, seed: int, shard: int, shards: int, conn: object
) -> None:
    batch: list[ledger.RowAndFindings] = []
    for item in _prepared_rows(ctx, n, year, seed, shard, shards):
        batch.append(item)
        if len(batch) >= BATCH:
            conn.send(batch)  # type: ignore[attr-defined]
            batch = []
    conn.send(batch)  # type: ignore[attr-defined]
    conn.send(None)  # type: ignore[attr-defined]
    conn.close()  # type: ignore[attr-defined]


def _parallel_rows(
    ctx: UnitContext, n: int, year: int, seed: int, progress: Callable[[int, int], None] | None
) -> Iterator[ledger.RowAndFindings]:
    mp: Any = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    pipes, procs = [], []
    for shard in range(WORKERS):
        here, there = mp.Pipe(duplex=False)
        proc = mp.Process(
            target=_worker, args=(ctx, n, year, seed, shard, WORKERS, there), daemon=True
        )
        proc.start()
        there.close()
        pipes.append(here)
        procs.append(proc)
    done = 0
    try:
        open_pipes = list(pipes)
        while open_pipes:
            for pipe in list(open_pipes):
                batch = pipe.recv()
                if batch is None:
                    open_pipes.remove(pipe)
                    continue
                done += len(batch)
                if progress:
                    progress(done, n)
                yield from batch
        for proc in procs:
            proc.join()
            if proc.exitcode:
                raise RuntimeError(f"demo worker failed with exit code {proc.exitcode}")
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()


def load_demo(
    session: Session,
    n: int,
    *,
    year: int = 2017,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool | None = None,
) -> int:
    """Generate ``n`` records and store them in one transaction; returns how many."""
    ctx = session.context()
    if parallel is None:
        parallel = n >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
    items = (
        _parallel_rows(ctx, n, year, seed, progress)
        if parallel
        else _prepared_rows(ctx, n, year, seed)
    )
    token = hashlib.sha256(f"demo:{seed}:{n}:{year}:{now_text()}:{os.urandom(8).hex()}".encode())
    with session.db.transaction() as tx:
        import_id = ledger.add_import(
            tx,
            file_name=f"演示数据（种子{seed}）",
            sha256=token.hexdigest(),
            sheet="",
            operator=session.operator,
            row_count=n,
            kind="demo",
        )
        count = ledger.insert_rows(tx, items, import_id=import_id, operator=session.operator)
        ledger.finish_import(tx, import_id, count, 0)
    return count
