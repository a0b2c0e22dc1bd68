"""Whether each subordinate area's package of a week is here: delivered, late, missing, or
failed (a file of that unit failed a check of a merge in this process, kept in memory only)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .domain import Week
from .package.format import KeyChanged
from .service import Session
from .storage import ledger, packages_sql


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that failed a check in this process (kept in memory only)."""

    file: str
    message: str
    at: str
    unit_code: str | None = None
    unit_name: str | None = None
    week: Week | None = None
    key_change: KeyChanged | None = None  # signed by another key than the one pinned

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "message": self.message,
            "unit": self.unit_code,
            "week": self.week.key if self.week else None,
        }
        if self.key_change is not None:
            out["key_change"] = {
                "pinned": self.key_change.pinned,
                "offered": self.key_change.offered,
            }
        return out


# --- Failures remembered in memory --------------------------------------------------------------

_failures: dict[str, list[Failure]] = {}
_failures_lock = threading.Lock()


def _db_key(session: Session) -> str:
    path = str(session.db.path)
    return path if path == ":memory:" else str(Path(path).resolve())


def remember(session: Session, failures: Sequence[Failure]) -> None:
    with _failures_lock:
        _failures.setdefault(_db_key(session), []).extend(failures)


def recent_failures(session: Session) -> list[Failure]:
    """Files that failed a check in this process, for this database, oldest first."""
    with _failures_lock:
        return list(_failures.get(_db_key(session), []))


def forget_failures(session: Session) -> None:
    with _failures_lock:
        _failures.pop(_db_key(session), None)


# --- Completeness ----------------------------------------------------------------------------------

STATUS_NAMES = {
    "delivered": "已报送",
    "late": "迟报",
    "missing": "未报送",
    "failed": "未通过检查",
}


@dataclass(frozen=True, slots=True)
class AreaStatus:
    """Whether a subordinate area's package for a week is here (completeness view)."""

    code: str
    name: str
    status: str  # delivered | late | missing | failed
    package_week: str | None = None  # label of the week of the package that covers it
    received_at: str | None = None
    file_name: str | None = None
    rows: int | None = None
    message: str = ""

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "status": self.status,
            "status_name": self.status_name,
            "package_week": self.package_week,
            "received_at": self.received_at,
            "file": self.file_name,
            "rows": self.rows,
            "message": self.message,
        }


def completeness(
    session: Session, week: Week, failures: Sequence[Failure] | None = None
) -> list[AreaStatus]:
    """For each subordinate area: its package for ``week`` delivered, late, missing or failed.

    A package covers the week when it is of the same year and its week ends
    on or after this one's end (a later package carries the whole year so
    far). The earliest such package received decides: delivered when
    received on or before the week's last day (its Friday), late after.
    Without one, a file of that unit that failed a check in this process
    (``failures``, default: those remembered) and was meant to cover the week
    makes it failed; otherwise it is missing.
    """
    conn = session.db.conn
    subs = [a for _, a in ledger.list_areas(conn) if not a.is_self]
    codes = [a.code for a in subs if a.code]
    packages = packages_sql.packages_of_units(conn, codes, week.year)
    fails = recent_failures(session) if failures is None else list(failures)
    end = week.end.isoformat()
    out: list[AreaStatus] = []
    for area in subs:
        covering = sorted(
            (p for p in packages if p.unit_code == area.code and p.week_end >= end),
            key=lambda p: (p.received_at, p.id),
        )
        failed = [
            f
            for f in fails
            if f.unit_code and f.unit_code == area.code and _failure_covers(f, week)
        ]
        if covering:
            first = covering[0]
            status = "delivered" if first.received_at[:10] <= end else "late"
            note = f"之后有文件未通过检查：{failed[-1].message}" if failed else ""
            out.append(
                AreaStatus(
                    area.code,
                    area.name,
                    status,
                    first.week_label,
                    first.received_at,
                    first.file_name,
                    first.row_count,
                    note,
                )
            )
        elif failed:
            f = failed[-1]
            out.append(
                AreaStatus(
                    area.code,
                    area.name,
                    "failed",
                    f.week.label if f.week else None,
                    f.at,
                    f.file,
                    None,
                    f.message,
                )
            )
        else:
            out.append(AreaStatus(area.code, area.name, "missing"))
    return out


def _failure_covers(failure: Failure, week: Week) -> bool:
    return failure.week is None or (failure.week.year == week.year and failure.week.end >= week.end)
