"""Reading a merge's packages: in this process, or in two worker processes for a large merge.

A merge reads every file twice over: first its 说明 (to order the packages
by week and check them against this unit), then its rows (read, hashed,
judged as the unit judges them, and their weekly table checked against the
package's 附件1). For a large merge both readings run in ``WORKERS``
processes started with ``spawn`` (safe from the window's worker thread and in
the Windows bundle), while this process only checks and writes: the first
reading of all files at once, the second a few packages ahead of the writes
(a province's 28 packages never sit in memory together).

Each file's container check (``workbook.inspect_workbook``) runs once: the
second reading of the same bytes (same SHA-256) skips it, and the merge
refuses a file whose bytes changed between the two readings.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from .completeness import Failure
from .package import JudgedPackage, Package, PackageError, judge_file, judge_package, open_package
from .package.reader import peek_package
from .storage.db import now_text

#: Read packages in worker processes when there is this much to read (and two cores).
PARALLEL_FROM_BYTES = 4 * 1024 * 1024
WORKERS = 2

Progress = Callable[[int, int], None]
Judge = Callable[[], JudgedPackage]
#: An opened package and its password.
Opened = tuple[Package, str | None]


def password_for(
    path: Path, password: str | None, passwords: Mapping[str, str] | None
) -> str | None:
    """The password of one file: by the path as given, resolved, or the file name."""
    if passwords:
        for key in (str(path), str(path.resolve()), path.name):
            if key in passwords:
                return passwords[key]
    return password


class PackageReader:
    """The packages of one merge, read here or in worker processes (a context manager:
    leaving it stops the workers)."""

    def __init__(self, paths: Sequence[Path], secrets: Sequence[str | None]) -> None:
        self.paths = list(paths)
        self.secrets = list(secrets)
        size = 0
        for path in self.paths:
            with contextlib.suppress(OSError):
                size += path.stat().st_size
        parallel = len(paths) >= 2 and size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) >= 2
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            self._pool = ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn")
            )

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def open_all(self, progress: Progress | None = None) -> tuple[list[Opened], list[Failure]]:
        """Every file opened and its 说明 read, in the order given; and the files that fail."""
        opened: list[Opened] = []
        failures: list[Failure] = []
        total = len(self.paths) * 2
        pool = self._pool
        futures = (
            [
                pool.submit(peek_package, str(p), s)
                for p, s in zip(self.paths, self.secrets, strict=True)
            ]
            if pool is not None
            else []
        )
        for i, (path, secret) in enumerate(zip(self.paths, self.secrets, strict=True)):
            if pool is not None:
                got = futures[i].result()
            else:
                try:
                    got = open_package(path, secret)
                except PackageError as exc:
                    got = str(exc)
            if isinstance(got, str):
                failures.append(Failure(path.name, got, now_text()))
            else:
                opened.append((got, secret))
            if progress:
                progress(i + 1, total)
        return opened, failures

    def judges(
        self, opened: Sequence[Opened], cancelled: Callable[[], bool] | None
    ) -> Generator[Judge, None, None]:
        """For each package in order, a call that returns it judged, its weekly table
        checked against its 附件1 (or raises PackageError)."""
        pool = self._pool
        if pool is None:
            for pkg, _ in opened:
                yield functools.partial(_judge_here, pkg, cancelled)
            return
        queue = iter(opened)
        pending: deque[tuple[Package, Future[Packed]]] = deque()

        def submit_next() -> None:
            item = next(queue, None)
            if item is not None:
                pkg, secret = item
                future = pool.submit(_judge_packed, str(pkg.path), secret, pkg.head.sha256)
                pending.append((pkg, future))

        for _ in range(WORKERS + 1):
            submit_next()
        try:
            while pending:
                pkg, future = pending.popleft()
                submit_next()
                yield functools.partial(_same_bytes, pkg, future)
        finally:
            for _, future in pending:
                future.cancel()


def _judge_here(pkg: Package, cancelled: Callable[[], bool] | None) -> JudgedPackage:
    return judge_package(pkg, cancelled=cancelled)


#: A judged package as it crosses from a worker: without its rows, and the rows marshalled
#: (plain tuples of text, numbers and None: ``marshal`` writes them five times faster than
#: ``pickle``, between processes of one interpreter).
Packed = tuple[JudgedPackage, bytes]


def _judge_packed(path: str, password: str | None, inspected_sha: str) -> Packed:
    judged = judge_file(path, password, inspected_sha)
    rows = marshal.dumps(judged.rows)
    judged.rows = []
    return judged, rows


def _same_bytes(pkg: Package, future: Future[Packed]) -> JudgedPackage:
    """A worker's judged package, refused when the file changed since its 说明 was read."""
    judged, rows = future.result()
    judged.rows = marshal.loads(rows)
    if judged.head.sha256 != pkg.head.sha256:
        raise PackageError(f"文件“{pkg.name}”在合并过程中被改动过，已拒绝。请重新合并")
    return judged
