"""Run one command line in this process and report its wall time and peak memory.

Usage: python -m bench._child RESULT.json -- ARGS…  (ARGS as for main.py)
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time

from bench.memory import ChildPeaks, peak_mb


def main() -> int:
    out_path = sys.argv[1]
    args = sys.argv[sys.argv.index("--") + 1 :]
    from jiuye_desktop.cli import main as cli_main

    sink = io.StringIO()
    with ChildPeaks() as workers:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(sink):
            code = cli_main(args)
        seconds = time.perf_counter() - t0
    peak = peak_mb()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "code": code,
                "seconds": seconds,
                "peak_mb": peak,
                "worker_peak_mb": workers.largest_mb,
                "stdout_bytes": len(sink.getvalue()),
                # CPU seconds (all threads; worker processes apart): on a busy machine the
                # wall time says more about the other processes than about this one.
                "cpu_seconds": own.ru_utime + own.ru_stime,
                "worker_cpu_seconds": kids.ru_utime + kids.ru_stime,
            },
            fh,
        )
    return code


if __name__ == "__main__":
    raise SystemExit(main())
