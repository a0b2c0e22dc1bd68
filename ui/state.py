"""What every screen shares: the database path and the GUI thread's session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jiuye_desktop.service import Session, open_session


@dataclass
class AppState:
    """The open ledger. ``session`` belongs to the GUI thread; a worker thread
    opens its own with ``open_worker_session()`` (a sqlite connection belongs to
    one thread)."""

    db_path: Path
    session: Session

    def open_worker_session(self) -> Session:
        return open_session(self.db_path, operator=self.session.operator)
