"""Judge the data rows of a ledger sheet, in this process and a helper process, into stages.

The rows below the header are cut into chunks of ``CHUNK`` rows. The first
``OWN_SHARE`` of the chunks are this process's; the rest are handed out by a
shared counter to whichever process is free, so the two share the work
whatever their speed. This process stages its rows in a temp table; the helper
fills ``SLOTS`` slot files in turn and announces each when it is complete. The
importer copies chunks into the ledger in workbook order as soon as they are
ready, all in one transaction (``importer``, ``storage.staging``).

The helper process is started with ``spawn`` (safe from the window's worker
thread and in the Windows bundle) and reads the workbook itself while this
process reads it too: pickling rows between processes costs more than judging
them. If this process dies, the helper notices, removes its slots and ends; if
the helper fails, this process keeps the slots it completed and judges the
rest itself.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import UnitContext, normalize, prepared_row
from .storage import ledger, staging
from .workbook import ImportRefused, Rejected, SheetData, is_empty, read_ledger_sheet

CHUNK = 2_000  # rows per claim
BATCH = 1_000  # judged rows staged at once
#: Below this file size a helper process costs more than it saves (about 12,000 rows).
PARALLEL_FROM_BYTES = 1_500_000
#: Above this size (about 350,000 rows) one process judges alone: each process holds the
#: whole sheet (about 240 MB per 100,000 rows), and two copies would not fit in memory.
PARALLEL_UP_TO_BYTES = 40_000_000
#: Share of the chunks that this process takes before the helper starts (``shared_from``).
OWN_SHARE = 0.15
#: Files the helper's work is spread over: each is copied into the ledger as soon as it is
#: complete (SQLite attaches at most 10 databases; one import transaction cannot attach more).
SLOTS = 8

Claim = Callable[[], int]
log = logging.getLogger(__name__)


class _Stopped(Exception):
    """The helper was told to stop (or its parent is gone)."""


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


def shared_from(chunks: int) -> int:
    """The first chunk that the helper may take; the ones before are this process's alone.

    This process copies its own chunks into the ledger as it goes, as long as
    they are the next ones in workbook order, so it starts with a run of
    chunks of its own; the helper starts after them and the rest is shared.
    """
    return int(chunks * OWN_SHARE)


def _helper_main(
    path: str, digest: str, ctx: UnitContext, slots: list[str], counter: Any, stop: Any, pipe: Any
) -> None:
    """The helper process: read the same workbook, judge claimed chunks into the slot files.

    Messages to the parent: ("sheet", signature) once the sheet is read; ("slot", k,
    {chunk: (rows staged, rows rejected)}) each time slot file k is complete; ("done",)
    at the end; ("error", traceback) instead, when something failed.
    """
    parent = multiprocessing.parent_process()

    def check() -> None:
        if stop.is_set() or (parent is not None and not parent.is_alive()):
            raise _Stopped

    try:
        data = Path(path).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ImportRefused("文件在导入过程中被修改")
        sheet = read_ledger_sheet(Path(path), data)
        del data
        check()
        pipe.send(("sheet", sheet_signature(sheet)))
        chunks = chunk_count(sheet)
        writer = _SlotWriter(slots, per_slot(chunks), pipe)
        try:
            stage_chunks(
                sheet,
                ctx,
                _shared_claim(counter, shared_from(chunks)),
                writer.write,
                check=check,
                done=writer.chunk_done,
            )
            writer.finish()
        finally:
            writer.close()
        message: tuple[Any, ...] | None = ("done",)
    except _Stopped:
        message = None
    except BaseException:  # noqa: BLE001 - reported to the parent, which judges the rows itself
        message = ("error", traceback.format_exc())
    if message is not None:
        with contextlib.suppress(OSError):  # the parent is gone
            pipe.send(message)
    # Stay until the parent has copied the slots; if it dies first, nobody else removes them.
    while not stop.wait(0.2):
        if parent is not None and not parent.is_alive():
            shutil.rmtree(Path(slots[0]).parent, ignore_errors=True)
            return


class _SlotWriter:
    """The helper's writes: ``per`` chunks into each slot file in turn, announced when complete."""

    def __init__(self, slots: list[str], per: int, pipe: Any) -> None:
        self.slots, self.per, self.pipe = slots, per, pipe
        self.k = 0
        self.info: dict[int, tuple[int, list[Rejected]]] = {}  # of the chunks in this slot
        self.counted = (0, 0)  # rows staged and rejected before the current chunk
        self.conn = self._open()

    def _open(self) -> Any:
        conn = staging.open_file(Path(self.slots[self.k]))
        conn.execute("BEGIN")
        return conn

    def write(self, batch: list[tuple[int, ledger.RowAndFindings]]) -> None:
        staging.write(self.conn, batch, "file")

    def chunk_done(self, chunk: int, work: Staged) -> None:
        staged, rejected = self.counted
        self.info[chunk] = (work.count - staged, work.rejected[rejected:])
        self.counted = (work.count, len(work.rejected))
        if len(self.info) >= self.per and self.k + 1 < len(self.slots):
            self._seal()
            self.k += 1
            self.conn = self._open()

    def _seal(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()
        self.pipe.send(("slot", self.k, self.info))
        self.info = {}

    def finish(self) -> None:
        self._seal()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


def per_slot(chunks: int) -> int:
    """Chunks in each slot file: the helper's share spread over ``SLOTS`` files."""
    return max(1, -(-(chunks - shared_from(chunks)) // SLOTS))


def _shared_claim(counter: Any, offset: int) -> Claim:
    def claim() -> int:
        with counter.get_lock():
            n = int(counter.value)
            counter.value = n + 1
        return offset + n

    return claim


class Helper:
    """A helper process judging chunks of the same workbook into its slot files.

    ``ready`` maps each chunk that the helper has finished, in a slot file that
    is complete, to the schema under which that file is attached and to the
    rows it staged and rejected; such a chunk can be copied into the ledger
    while the helper works on.
    """

    def __init__(self, path: Path, digest: str, ctx: UnitContext) -> None:
        mp: Any = multiprocessing.get_context("spawn")
        self.dir = Path(tempfile.mkdtemp(prefix="jiuye-import-"))
        self.slots = [self.dir / f"slot{k}.sqlite" for k in range(SLOTS)]
        self.ready: dict[int, tuple[str, int, list[Rejected]]] = {}
        self.signature: tuple[Any, ...] | None = None
        self.complete = False
        self.failure: str | None = None
        try:
            for slot in self.slots:
                staging.create_file(slot)
            self.counter = mp.Value("i", 0)
            self.stop = mp.Event()
            self.pipe, there = mp.Pipe(duplex=False)
            self.proc = mp.Process(
                target=_helper_main,
                args=(str(path), digest, ctx, [str(p) for p in self.slots], self.counter,
                      self.stop, there),
                daemon=True,
            )  # fmt: skip
            try:
                self.proc.start()
            finally:
                there.close()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def claims(self, chunks: int) -> tuple[Claim, Callable[[], int]]:
        """This process's claim (its own chunks, then shared ones) and how many chunks are handed out."""
        start = shared_from(chunks)
        own = iter(range(start))
        shared = _shared_claim(self.counter, start)
        mine = [0]

        def claim() -> int:
            chunk = next(own, None)
            if chunk is None:
                return shared()
            mine[0] = chunk + 1
            return chunk

        return claim, lambda: mine[0] + int(self.counter.value)

    @property
    def finished(self) -> bool:
        """The helper has reported all its work, or failed."""
        return self.complete or self.failure is not None

    def poll(self, signature: tuple[Any, ...], timeout: float = 0.0) -> None:
        """Take in what the helper has reported (waiting up to ``timeout`` for a first word)."""
        while not self.finished and self.pipe.poll(timeout):
            timeout = 0.0
            try:
                message = self.pipe.recv()
            except (EOFError, OSError) as exc:
                self._failed(f"no word from the helper process: {exc!r}")
                return
            kind = message[0]
            if kind == "sheet":
                self.signature = message[1]
                if self.signature != signature:
                    self._failed(f"the helper read another sheet: {message[1]!r} != {signature!r}")
            elif kind == "slot" and self.signature == signature:
                schema = f"stage{message[1]}"
                for chunk, (count, rejected) in message[2].items():
                    self.ready[chunk] = (schema, count, rejected)
            elif kind == "done" and self.signature == signature:
                self.complete = True
            elif kind == "error":
                self._failed(str(message[1]))
        if not self.finished and not self.proc.is_alive() and not self.pipe.poll():
            self._failed(f"the helper process ended with code {self.proc.exitcode}")

    def _failed(self, why: str) -> None:
        log.warning("导入的辅助进程失败，其余的行由本进程判断。%s", why)
        self.failure = why  # the slots it completed before stay good

    def close(self) -> None:
        """Stop the helper and remove its slots. A helper that has not finished (the import
        was refused or cancelled meanwhile) is terminated: its work is thrown away."""
        self.stop.set()
        if not self.finished:
            self.proc.terminate()
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=2)
        with contextlib.suppress(OSError):
            self.pipe.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_helper(
    path: Path, digest: str, ctx: UnitContext, size: int, workers: int | None
) -> Helper | None:
    """A helper for a large workbook on a machine with two cores or more (``workers`` forces 1 or 2)."""
    if workers is None:
        fits = PARALLEL_FROM_BYTES <= size <= PARALLEL_UP_TO_BYTES
        workers = 2 if fits and (os.cpu_count() or 1) >= 2 else 1
    if workers < 2:
        return None
    try:
        return Helper(path, digest, ctx)
    except (OSError, RuntimeError):  # no process could be started: judge everything here
        return None
