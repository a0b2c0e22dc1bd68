"""The backups folder of a ledger: where its backups live, their names, listing, rotation.

Backups live in ``backups/<ledger file name>/`` beside the database (one
folder per ledger file: two ledgers in one folder never share or mix their
backups), named ``<stem>-YYYYmmdd-HHMMSS[-N]-<reason>.sqlite``; a name is
reserved by creating it exclusively, so two backups in one second (even by two
processes) never collide. Rotation keeps the newest
``KEEP_LAST`` and, older than those, the newest of each ISO week, so a year of
work is never more than a week away.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

KEEP_LAST = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}(?:-\d+)?)-(?P<reason>[a-z0-9-]+)\.sqlite$")

REASONS = {
    "start": "启动时",
    "import": "导入前",
    "merge": "汇总前",
    "migration": "升级前",
    "restore": "恢复前",
    "manual": "手动",
}


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)


def backup_dir(db_path: Path) -> Path:
    """The backups of one ledger file: ``backups/<its file name>/`` beside it."""
    path = Path(db_path).resolve()
    return path.parent / "backups" / path.name


def _legacy_dir(db_path: Path) -> Path | None:
    """``backups/`` itself, where earlier versions put the backups of every ledger of the
    folder: read only when no other ledger file of the folder has the same stem."""
    path = Path(db_path).resolve()
    folder = path.parent / "backups"
    if not folder.is_dir():
        return None
    for other in path.parent.iterdir():
        if other != path and other.stem == path.stem and other.is_file():
            return None
    return folder


def reserve(folder: Path, stem: str, stamp: str, reason: str) -> Path:
    """A new backup name, made exclusively (``-1``, ``-2`` … within one second)."""
    n = 0
    while True:
        name = (
            f"{stem}-{stamp}-{reason}.sqlite" if n == 0 else f"{stem}-{stamp}-{n}-{reason}.sqlite"
        )
        target = folder / name
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            n += 1
            continue
        os.close(fd)
        return target


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of this database, newest first."""
    found: list[tuple[dt.datetime, int, int, BackupInfo]] = []
    stem = Path(db_path).stem
    files = [
        p
        for folder in (backup_dir(db_path), _legacy_dir(db_path))
        if folder is not None and folder.is_dir()
        for p in folder.glob("*.sqlite")
    ]
    for path in files:
        m = _NAME.match(path.name)
        if not m or m["stem"] != stem:
            continue
        stamp = m["stamp"][:15]
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        serial = int(m["stamp"][16:] or 0)  # same second: -1, -2 … in order made
        st = path.stat()
        found.append(
            (taken, serial, st.st_mtime_ns, BackupInfo(path, taken, m["reason"], st.st_size))
        )
    found.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    return [b for _, _, _, b in found]


def rotate(db_path: Path, keep_last: int = KEEP_LAST) -> list[Path]:
    """Delete old backups: keep the newest ``keep_last`` and the newest of each older week."""
    backups = list_backups(db_path)
    keep = {b.path for b in backups[:keep_last]}
    weeks_seen: set[tuple[int, int]] = set()
    for b in backups[keep_last:]:
        week = b.taken_at.isocalendar()[:2]
        if week not in weeks_seen:
            weeks_seen.add(week)
            keep.add(b.path)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed
