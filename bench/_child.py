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


def main() -> int:
    out_path = sys.argv[1]
    args = sys.argv[sys.argv.index("--") + 1 :]
    from jiuye_desktop.cli import main as cli_main

    sink = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        code = cli_main(args)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"code": code, "seconds": seconds, "peak_mb": peak_mb,
                   "stdout_bytes": len(sink.getvalue())}, fh)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
