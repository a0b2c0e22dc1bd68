"""Changes to what a submitted week covered need a reason and are kept (domain.md §9).

A week marked as submitted (``snapshots.mark_submitted``) fixes, for its year,
the records registered on or before its end: the latest submitted week of a
year is that year's *lock end*. Afterwards

- an edit of a counted field (``COUNTED_COLUMNS``: type, dates, area, the
  是/否 flags) of a record whose 登记日期 before or after the edit is on or
  before its year's lock end,
- a removal or a restore of such a record,
- a new record (typed or imported) with such a 登记日期

needs a reason (调整原因) and is kept as an adjustment: the record, what
changed, the reason, the operator, the time, and the record's counted state
(登记日期, removal date, area, indicator bits) before and after. Without a
reason the change is refused (``ReasonRequired``) and nothing is written.

This module is called inside the transaction that makes the change, after the
change: it compares the states, refuses (the caller's transaction rolls back)
or keeps the adjustments. Listing them with their effect on a week's table is
``submitted``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .domain import FIELD_LABELS, kind_name
from .storage import adjustments_sql
from .storage.adjustments_sql import NOTHING, Counted

#: Record columns whose change alters what the weekly table counts (domain.md §9).
COUNTED_COLUMNS = frozenset(
    {
        "record_type",
        "event_date",
        "event_date_raw",
        "registered_on",
        "registered_on_raw",
        "area_raw",
        "contract",
        "insurance",
        "reemployed",
        "hardship",
        "overcapacity",
    }
)
#: Column -> the words of a change ("what changed").
_LABELS = {
    **FIELD_LABELS,
    "area_raw": "所属地区",
    "event_date_raw": "就业（减员）日期（原文）",
    "registered_on_raw": "登记日期（原文）",
}
_HIDDEN = frozenset({"id_raw", "id_note", "seq", "source_row"})
#: How many records a refusal names before it says how many more there are.
NAMED = 10


class ReasonRequired(Exception):
    """The change touches a submitted week and no reason was given (Chinese message).

    ``items`` names the records (or worksheet rows) concerned.
    """

    def __init__(self, message: str, items: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.items = list(items)


def clean_reason(reason: str | None) -> str:
    return " ".join((reason or "").split())


@dataclass(frozen=True, slots=True)
class Lock:
    """Per year, the end of the latest submitted week."""

    ends: dict[int, str]

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> Lock:
        return cls(adjustments_sql.lock_ends(conn))

    def covers(self, registered_on: str | None) -> bool:
        """True when a record registered on that day is in a submitted week's table."""
        if not registered_on or len(registered_on) < 10 or not registered_on[:4].isdigit():
            return False
        end = self.ends.get(int(registered_on[:4]))
        return end is not None and registered_on <= end

    def describe(self) -> str:
        return "、".join(f"{y}年截至{e}" for y, e in sorted(self.ends.items()))


def _refuse(lead: str, lock: Lock, named: list[str], total: int) -> ReasonRequired:
    listed = "、".join(named[:NAMED])
    more = f"等共 {total} 条" if total > min(len(named), NAMED) else ""
    return ReasonRequired(
        f"{lead}（{lock.describe()}的周报表已标记为已上报），需要填写调整原因：{listed}{more}",
        named,
    )


def _who(record_id: int, name: str, source_row: int | None = None) -> str:
    row = f"，第 {source_row} 行" if source_row else ""
    return f"记录 #{record_id}（{name or '无姓名'}{row}）"


def _names(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
    from .storage import ledger

    return {i: (b["name"], b["source_row"]) for i, b in ledger.record_brief(conn, ids).items()}


def describe_edit(changes: Iterable[tuple[str, str, str]]) -> str:
    """``登记类型：新就业→自然减员；…`` of ``ledger.update_record``'s changes, counted ones first."""
    items = [c for c in changes if c[0] not in _HIDDEN]
    items.sort(key=lambda c: c[0] not in COUNTED_COLUMNS)
    return "；".join(f"修改{_LABELS.get(c, c)}：{o or '空'}→{n or '空'}" for c, o, n in items)


def after_edit(
    conn: sqlite3.Connection,
    record_id: int,
    before: Counted,
    changes: Sequence[tuple[str, str, str]],
    *,
    reason: str | None,
    operator: str,
) -> bool:
    """Judge an edit just made (inside its transaction); True when it was kept as an adjustment.

    Raises:
        ReasonRequired: a counted change of a record in a submitted week without a reason.
    """
    after = adjustments_sql.counted(conn, [record_id])[record_id]
    counted = after != before or any(c in COUNTED_COLUMNS for c, _, _ in changes)
    if not counted:
        return False
    lock = Lock.read(conn)
    if not (lock.covers(before.registered_on) or lock.covers(after.registered_on)):
        return False
    text = clean_reason(reason)
    if not text:
        name, row = _names(conn, [record_id]).get(record_id, ("", None))
        raise _refuse("修改的记录登记在已上报的周内", lock, [_who(record_id, name, row)], 1)
    adjustments_sql.add(
        conn,
        [(record_id, "edit", describe_edit(changes), before, after)],
        reason=text,
        operator=operator,
    )
    return True


def after_insert(
    conn: sqlite3.Connection, record_id: int, *, reason: str | None, operator: str
) -> bool:
    """Judge a record just typed in (inside its transaction); True when kept as an adjustment."""
    after = adjustments_sql.counted(conn, [record_id])[record_id]
    lock = Lock.read(conn)
    if not lock.covers(after.registered_on):
        return False
    text = clean_reason(reason)
    if not text:
        raise _refuse(
            f"新增记录的登记日期{after.registered_on}在已上报的周内",
            lock,
            [f"登记日期 {after.registered_on}"],
            1,
        )
    change = f"新增记录（登记日期{after.registered_on}）"
    adjustments_sql.add(
        conn, [(record_id, "insert", change, NOTHING, after)], reason=text, operator=operator
    )
    return True


def before_states(conn: sqlite3.Connection, record_ids: Sequence[int]) -> dict[int, Counted]:
    """The counted states of records about to be removed or restored."""
    return adjustments_sql.counted(conn, record_ids)


def after_status_change(
    conn: sqlite3.Connection,
    before: dict[int, Counted],
    *,
    action: str,
    reason: str | None,
    operator: str,
    describe: Callable[[int, Counted, Counted], str],
) -> int:
    """Judge removals or restores just made (inside their transaction); returns how many
    were kept as adjustments.

    Raises:
        ReasonRequired: some of them are records in a submitted week and no reason was given.
    """
    after = adjustments_sql.counted(conn, list(before))
    lock = Lock.read(conn)
    touched = [
        i
        for i, old in before.items()
        if i in after and after[i] != old and lock.covers(old.registered_on)
    ]
    if not touched:
        return 0
    text = clean_reason(reason)
    if not text:
        raise _refuse_records(conn, lock, action, touched)
    return adjustments_sql.add(
        conn,
        [(i, action, describe(i, before[i], after[i]), before[i], after[i]) for i in touched],
        reason=text,
        operator=operator,
    )


def _refuse_records(
    conn: sqlite3.Connection, lock: Lock, action: str, touched: list[int]
) -> ReasonRequired:
    names = _names(conn, touched[:NAMED])
    what = {"remove": "要剔除", "restore": "要恢复"}.get(action, "要修改")
    return _refuse(
        f"{what}的记录中有登记在已上报的周内的",
        lock,
        [_who(i, *names.get(i, ("", None))) for i in touched[:NAMED]],
        len(touched),
    )


def check_reason(
    conn: sqlite3.Connection, record_ids: Sequence[int], *, action: str, reason: str | None
) -> None:
    """Before removing or restoring records in several steps: refuse at once when some
    are in a submitted week and there is no reason.

    Raises:
        ReasonRequired: naming those records.
    """
    if clean_reason(reason):
        return
    lock = Lock.read(conn)
    if not lock.ends:
        return
    states = adjustments_sql.counted(conn, record_ids)
    touched = [i for i, st in states.items() if lock.covers(st.registered_on)]
    if touched:
        raise _refuse_records(conn, lock, action, touched)


def removal_text(reason_code: str) -> Callable[[int, Counted, Counted], str]:
    """Words of a removal for ``after_status_change``."""
    label = kind_name(reason_code)

    def describe(_i: int, _old: Counted, new: Counted) -> str:
        return f"剔除（{label}，剔除日期{new.removed_on}）"

    return describe


def restore_text(_i: int, old: Counted, _new: Counted) -> str:
    return f"恢复已剔除的记录（原剔除日期{old.removed_on}）"


def last_record_id(conn: sqlite3.Connection) -> int:
    """The highest record id: an import's records come after it."""
    return adjustments_sql.last_record_id(conn)


def after_import(
    conn: sqlite3.Connection,
    import_id: int,
    after_id: int,
    *,
    reason: str | None,
    operator: str,
) -> int:
    """Judge the records of an import just copied (inside its transaction); returns how
    many were kept as adjustments.

    Raises:
        ReasonRequired: rows registered in a submitted week, no reason; names the rows.
    """
    lock = Lock.read(conn)
    if not lock.ends:
        return 0
    total, first = adjustments_sql.locked_import_rows(conn, import_id, after_id, lock.ends, NAMED)
    if not total:
        return 0
    text = clean_reason(reason)
    if not text:
        named = [(f"第 {row} 行" if row else "一行") + f"（登记日期 {day}）" for row, day in first]
        raise _refuse("导入文件中有登记日期在已上报的周内的行", lock, named, total)
    return adjustments_sql.add_import(
        conn, import_id, after_id, lock.ends, reason=text, operator=operator
    )
