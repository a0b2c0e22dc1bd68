"""Peak memory of this process, and of the worker processes it starts.

``ru_maxrss`` survives exec on Linux: a process started by a large parent
reports the parent's peak. ``VmHWM`` in /proc/self/status belongs to this
process's own address space, so it is used where it exists.

Worker processes (the demo's judges, the import's helper, the merge's
judges) are watched by ``ChildPeaks``: a thread that reads each descendant's
``VmHWM`` every few milliseconds. ``VmHWM`` only grows, so the last reading
before a worker ends is its peak (to within the worker's last milliseconds).
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path


def _hwm_kb(status: Path) -> int | None:
    try:
        with open(status, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def peak_mb() -> float:
    kb = _hwm_kb(Path("/proc/self/status"))
    if kb is not None:
        return kb / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(c) for c in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return out


class ChildPeaks:
    """The largest peak (MB) among the descendants of this process while it runs."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ChildPeaks:
        if Path("/proc/self/task").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            todo = _children(me)
            while todo:
                pid = todo.pop()
                kb = _hwm_kb(Path(f"/proc/{pid}/status"))
                if kb is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), kb)
                todo += _children(pid)

    @property
    def largest_mb(self) -> float | None:
        return max(self.peaks.values()) / 1024 if self.peaks else None
