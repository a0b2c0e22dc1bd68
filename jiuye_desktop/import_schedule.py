"""The import's two processes: which one judges which chunk, and when chunks are copied.

The chunks of the first ``OWN_SHARE`` belong to this process; the rest are
handed out by a shared counter to whichever process is free, so the two share
the work whatever their speed. The helper process is started with ``spawn``
(safe from the window's worker thread and in the Windows bundle) and reads the
workbook itself while this process reads it too: pickling rows between
processes costs more than judging them. It fills ``SLOTS`` slot files in turn
and announces each when it is complete.

``ChunkSchedule`` copies chunks into the ledger strictly in workbook order,
each as soon as it and every chunk before it are judged: this process's own
from its temp stage, the helper's from its slot files once a slot is
complete. If this process dies, the helper notices, removes its slots and
ends; if the helper fails, this process keeps the slots it completed and
judges the rest itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .import_rows import Claim, Staged, chunk_count, chunk_rows, sheet_signature, stage_chunks
from .records import UnitContext
from .storage import ledger, staging
from .workbook import ImportRefused, Rejected, SheetData, read_ledger_sheet

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

log = logging.getLogger(__name__)


def shared_from(chunks: int) -> int:
    """The first chunk that the helper may take; the ones before are this process's alone.

    This process copies its own chunks into the ledger as it goes, as long as
    they are the next ones in workbook order, so it starts with a run of
    chunks of its own; the helper starts after them and the rest is shared.
    """
    return int(chunks * OWN_SHARE)


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


class ChunkSchedule:
    """The chunks of one sheet between this process, the helper and the ledger.

    ``theirs`` counts the helper's rows copied into the ledger; ``handed()``
    says how many chunks were handed out so far (for progress).
    """

    def __init__(self, sheet: SheetData, helper: Helper | None, copier: staging.Copier) -> None:
        self.sheet = sheet
        self.helper = helper
        self.copier = copier
        self.chunks = chunk_count(sheet)
        self.signature = sheet_signature(sheet)
        self.own: set[int] = set()  # chunks judged here, in the temp stage
        self.theirs = Staged()  # the helper's rows that are in the ledger
        self.next_copy = 0  # chunks before this one are in the ledger already
        self.claim: Claim
        if helper is not None:
            self.claim, self._handed = helper.claims(self.chunks)
        else:
            self.claim = iter(range(self.chunks + 1)).__next__
            self._handed = lambda: self.next_copy  # everything is copied as it is judged

    def handed(self) -> int:
        return self._handed()

    def copy_ready(self) -> None:
        """Copy every chunk that is judged and whose predecessors are in the ledger."""
        helper = self.helper
        if helper is not None:
            helper.poll(self.signature)
        while self.next_copy < self.chunks:
            chunk = self.next_copy
            if chunk in self.own:
                self.copier.copy("temp", *chunk_rows(self.sheet, chunk))
            elif helper is not None and chunk in helper.ready:
                schema, count, rejected = helper.ready[chunk]
                self.copier.copy(schema, *chunk_rows(self.sheet, chunk))
                self.theirs.chunks.append(chunk)
                self.theirs.count += count
                self.theirs.rejected += rejected
            else:
                return
            self.next_copy += 1

    def _judged_here(self, chunk: int, _work: Staged) -> None:
        self.own.add(chunk)
        self.copy_ready()

    def run(
        self,
        ctx: UnitContext,
        write: Callable[[list[tuple[int, ledger.RowAndFindings]]], None],
        check: Callable[[], None],
    ) -> Staged:
        """Judge this process's chunks and copy all of them; returns what was judged here.

        ``write`` stages a batch of judged rows; ``check`` reports progress and
        may raise to stop.
        """
        sheet, helper = self.sheet, self.helper
        mine = stage_chunks(sheet, ctx, self.claim, write, check=check, done=self._judged_here)
        if helper is not None and len(mine.chunks) < self.chunks:
            while not helper.finished:  # copy the helper's slots as they come
                helper.poll(self.signature, timeout=0.05)
                self.copy_ready()
                check()
            if helper.failure is not None:  # judge here what it had not completed
                rest = [
                    c
                    for c in range(self.next_copy, self.chunks)
                    if c not in self.own and c not in helper.ready
                ]
                again = stage_chunks(
                    sheet, ctx, iter([*rest, self.chunks]).__next__, write, check=check,
                    done=self._judged_here,
                )  # fmt: skip
                mine.count += again.count
                mine.rejected += again.rejected
            self.copy_ready()
        if self.next_copy != self.chunks:
            raise RuntimeError(
                f"{self.chunks - self.next_copy} chunks of the import were not copied"
            )
        return mine


# The helper process: it reads the same workbook and judges the chunks it claims into its
# slot files.


class _Stopped(Exception):
    """The helper was told to stop (or its parent is gone)."""


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
        sheet = read_ledger_sheet(Path(path), data, checked=True)  # the bytes the parent checked
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
