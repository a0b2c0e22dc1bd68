"""Peak memory of this process.

``ru_maxrss`` survives exec on Linux: a process started by a large parent
reports the parent's peak. ``VmHWM`` in /proc/self/status belongs to this
process's own address space, so it is used where it exists.
"""

from __future__ import annotations

import resource


def peak_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
