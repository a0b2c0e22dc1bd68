"""``python -m jiuye_desktop.cli …``: the command line without the window."""

from .app import main

raise SystemExit(main())
