"""Judge the data rows of a ledger sheet, chunk by chunk, into a stage.

The rows below the header are cut into chunks of ``CHUNK`` rows; a claim
hands out chunk numbers (``import_schedule`` decides whose they are: this
process's, or the helper process's that reads the same workbook). Judged rows
are written in batches to a stage: a temp table here, slot files in the
helper. The importer copies the stages into the ledger in workbook order, all
in one transaction (``importer``, ``storage.staging``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .records import UnitContext, normalize, prepared_row
from .storage import ledger
from .workbook import Rejected, SheetData, is_empty

CHUNK = 2_000  # rows per claim
BATCH = 1_000  # judged rows staged at once

Claim = Callable[[], int]


@dataclass
class Staged:
    """What one process judged: its chunks, the rows it staged and the rows it rejected."""

    chunks: list[int] = field(default_factory=list)
    count: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def chunk_count(sheet: SheetData) -> int:
    return -(-data_rows(sheet) // CHUNK)


def data_rows(sheet: SheetData) -> int:
    """Rows below the header (empty ones included)."""
    return max(sheet.height - sheet.header_row - 1, 0)


def chunk_rows(sheet: SheetData, chunk: int) -> tuple[int, int]:
    """First and last Excel row number of a chunk."""
    first = sheet.header_row + 2 + chunk * CHUNK
    return first, first + CHUNK - 1


def sheet_signature(sheet: SheetData) -> tuple[Any, ...]:
    """What both processes must agree on to share the rows of one sheet."""
    return (sheet.name, sheet.header_row, sorted(sheet.columns.items()), sheet.height)


def stage_chunks(
    sheet: SheetData,
    ctx: UnitContext,
    claim: Claim,
    write: Callable[[list[tuple[int, ledger.RowAndFindings]]], None],
    *,
    check: Callable[[], None] | None = None,
    done: Callable[[int, Staged], None] | None = None,
) -> Staged:
    """Judge and stage the rows of every chunk that ``claim`` hands to this process.

    ``claim`` returns chunk numbers in increasing order (a number past the
    last chunk ends the work). ``done`` is told of each chunk once it is
    staged (with the work so far); ``check`` runs after it and may raise to stop. Completely empty
    rows are not rows the clerk wrote and are skipped; a row with content but
    no field of a record (only 序号) is rejected with its row number.
    """
    out = Staged()
    last_chunk = chunk_count(sheet)
    cols = dict(sheet.columns)
    all_cols = list(cols.values())
    content_cols = [c for h, c in cols.items() if h != "序号"]
    # Cells keyed by template header; other columns get keys that no header has.
    keys = [f"\0{c}" for c in range(max(all_cols) + 1)]
    for header, c in cols.items():
        keys[c] = header
    name_col = cols["姓名"]
    first_excel = sheet.header_row + 2
    batch: list[tuple[int, ledger.RowAndFindings]] = []
    current = claim()
    if current >= last_chunk:
        return out
    with gc_paused():
        # Every row is read (merged cells carry values down the same way in every
        # process); only the rows of claimed chunks are judged.
        for excel_row, row in sheet.rows():
            chunk = (excel_row - first_excel) // CHUNK
            if chunk != current:
                if chunk < current:
                    continue
                write(batch)
                batch = []
                out.chunks.append(current)
                if done:
                    done(current, out)
                if check:
                    check()
                current = claim()
                if current >= last_chunk:
                    return out
                if chunk != current:
                    continue
            width = len(row)
            if name_col >= width or is_empty(row[name_col]):  # a written name settles both
                if all(c >= width or is_empty(row[c]) for c in all_cols):
                    continue
                if all(c >= width or is_empty(row[c]) for c in content_cols):
                    out.rejected.append(Rejected(excel_row, "只有序号，没有其他内容，不是一条记录"))
                    continue
            values = dict(zip(keys, row, strict=False))  # a short row lacks its last keys: empty
            batch.append(
                (excel_row, prepared_row(normalize(values, ctx, source_row=excel_row), ctx))
            )
            out.count += 1
            if len(batch) >= BATCH:
                write(batch)
                batch = []
        write(batch)
        out.chunks.append(current)
        if done:
            done(current, out)
    return out


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while rows are judged.

    Judging a row makes about a hundred objects and no reference cycles, so
    reference counting frees everything; the collector would only walk the
    live objects again and again (it costs a fifth of the judging time).
    It is switched back on afterwards, whatever happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
