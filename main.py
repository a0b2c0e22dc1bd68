"""就业实名台账: no arguments opens the window; otherwise runs the command line."""

from __future__ import annotations

import sys


def main() -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # spawned demo workers in the Windows bundle re-run this exe
    if len(sys.argv) > 1:
        from jiuye_desktop.cli import main as cli_main

        return cli_main(sys.argv[1:])
    from ui.app import run

    return run()


if __name__ == "__main__":
    raise SystemExit(main())
