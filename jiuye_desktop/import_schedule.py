"""The import's chunk scheduling: who judges which chunk, and when judged chunks are copied.

This process claims chunks (with a helper process: its own share first, then
shared ones from the counter; ``import_rows``). Chunks go into the ledger
strictly in workbook order, each as soon as it and every chunk before it are
judged: this process's own from its temp stage, the helper's from its slot
files once a slot is complete. If the helper fails, this process judges what
it had not completed.
"""

from __future__ import annotations

from collections.abc import Callable

from . import import_rows
from .import_rows import Claim, Helper, Staged
from .records import UnitContext
from .storage import ledger, staging
from .workbook import SheetData


class ChunkSchedule:
    """The chunks of one sheet between this process, the helper and the ledger.

    ``theirs`` counts the helper's rows copied into the ledger; ``handed()``
    says how many chunks were handed out so far (for progress).
    """

    def __init__(self, sheet: SheetData, helper: Helper | None, copier: staging.Copier) -> None:
        self.sheet = sheet
        self.helper = helper
        self.copier = copier
        self.chunks = import_rows.chunk_count(sheet)
        self.signature = import_rows.sheet_signature(sheet)
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
                self.copier.copy("temp", *import_rows.chunk_rows(self.sheet, chunk))
            elif helper is not None and chunk in helper.ready:
                schema, count, rejected = helper.ready[chunk]
                self.copier.copy(schema, *import_rows.chunk_rows(self.sheet, chunk))
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
        mine = import_rows.stage_chunks(
            sheet, ctx, self.claim, write, check=check, done=self._judged_here
        )
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
                again = import_rows.stage_chunks(
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
