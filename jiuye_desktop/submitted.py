"""Submitting a week, and the adjustments a table lists since the last submission (domain.md §9).

Definitions (written down in docs/decisions.md):

- **Since the last submission.** For the table of week W, the last submission
  is the latest submission (标记为已上报) of the submitted week with the latest
  end before W starts. The adjustments listed are those made after it
  (``adjustments.after_snapshot`` is the newest submission when the change was
  made, so the order does not depend on the clock). A week with no submitted
  week before it lists none.
- **Effect.** The weekly table is a sum over records, so a change of one
  record changes the table by that record's contribution after minus before.
  An adjustment's effect on the table of week W is the 合计 row of W computed
  with the record's counted state after the change minus the same with its
  state before: 12 numbers in Annex 1's column order. Its 本年累计 columns are
  the change in W's 本年累计; its 本周实际 columns the change in W's 本周实际
  (non-zero only when the change falls into W, e.g. a removal dated in W).
  The sum of the effects of the adjustments listed is therefore exactly the
  difference between W's table now and W's table computed without them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .domain import COUNTED_INDICATORS, Week
from .service import Session
from .snapshots import mark_submitted
from .storage import adjustments_sql
from .storage.adjustments_sql import Counted
from .weekly import _cells, compute


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change to what a submitted week covered, with its effect on one week's table."""

    record: int
    name: str
    change: str
    reason: str
    operator: str
    at: str
    effect: tuple[int, ...]  # the 12 columns of Annex 1 (合计 row)

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "change": self.change,
            "reason": self.reason,
            "operator": self.operator,
            "at": self.at,
            "effect": list(self.effect),
        }


@dataclass(frozen=True, slots=True)
class Adjustments:
    """The adjustments a week's table lists, and whether that week was submitted."""

    week: Week
    submitted: bool
    since_label: str  # the week whose submission they follow ('' when none)
    since_at: str
    items: tuple[Adjustment, ...]

    @property
    def total(self) -> tuple[int, ...]:
        return tuple(sum(a.effect[i] for a in self.items) for i in range(12))


def _counts_at(state: Counted, day: str, year: str) -> int:
    """The indicator bits ``state`` counts in 本年累计 on ``day`` (0: nowhere); domain.md §4."""
    reg = state.registered_on
    if not state.ind or state.area_id is None or not reg or reg[:4] != year or reg > day:
        return 0
    if state.removed_on is not None and max(reg, state.removed_on) <= day:
        return 0
    return state.ind


def effect(before: Counted, after: Counted, week: Week) -> tuple[int, ...]:
    """The 12 cells of ``week``'s 合计 row with ``after`` minus the same with ``before``."""
    year = f"{week.year:04d}"
    end = week.end.isoformat()
    prev = None
    if week.start != dt.date(week.year, 1, 1):
        prev = (week.start - dt.timedelta(days=1)).isoformat()
    cum = [0] * len(COUNTED_INDICATORS)
    before_week = [0] * len(COUNTED_INDICATORS)
    for sign, state in ((1, after), (-1, before)):
        at_end = _counts_at(state, end, year)
        at_prev = _counts_at(state, prev, year) if prev else 0
        for i, ind in enumerate(COUNTED_INDICATORS):
            if at_end & ind:
                cum[i] += sign
            if at_prev & ind:
                before_week[i] += sign
    return _cells(cum, before_week)


def listed(session: Session, week: Week) -> Adjustments:
    """The adjustments the table of ``week`` lists, with their effect on it."""
    conn = session.db.conn
    last = adjustments_sql.previous_submission(conn, week.start.isoformat())
    submitted = adjustments_sql.week_submitted(conn, week.key)
    if last is None:
        return Adjustments(week, submitted, "", "", ())
    items = tuple(
        Adjustment(
            a["record"],
            a["name"],
            a["change"],
            a["reason"],
            a["operator"],
            a["at"],
            effect(a["before"], a["after"], week),
        )
        for a in adjustments_sql.since(conn, int(last["id"]))
    )
    return Adjustments(week, submitted, last["label"], last["submitted_at"], items)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    week: Week
    submitted_at: str
    adjustments: Adjustments

    def as_json(self) -> dict[str, Any]:
        return {
            "week": {
                "label": self.week.label,
                "start": self.week.start.isoformat(),
                "end": self.week.end.isoformat(),
            },
            "submitted_at": self.submitted_at,
            "adjustments": [a.as_json() for a in self.adjustments.items],
        }


def submit(session: Session, week: Week) -> SubmitResult:
    """Mark ``week``'s table as submitted; the adjustments it carries are those listed
    just before (since the last submission of an earlier week)."""
    table = compute(session, week)
    carried = listed(session, week)
    snap_id = mark_submitted(session, table)
    return SubmitResult(week, adjustments_sql.submitted_at(session.db.conn, snap_id), carried)


def adjustments_text(adj: Adjustments) -> list[str]:
    """Plain-text lines of the list (terminal, 说明 sheet)."""
    if not adj.items:
        return []
    lines = [f"自{adj.since_label}上报（{adj.since_at}）以来的调整 {len(adj.items)} 条："]
    for a in adj.items:
        lines.append(
            f"记录 #{a.record} {a.name}：{a.change}；原因：{a.reason}；{a.operator} {a.at}；"
            f"对本年累计的影响：{effect_words(a.effect)}"
        )
    return lines


def notes_rows(adj: Adjustments) -> list[list[str]]:
    """The adjustments as rows of text cells for the package's 说明 sheet.

    Column A of each row is 调整 or 调整N, never a key of the 说明 (the reader
    takes the first cell as a key and keeps the first value of each).
    """
    from .domain import ANNEX1_COLUMNS

    if not adj.since_label:
        return []
    head = f"自{adj.since_label}上报（{adj.since_at}）以来的调整"
    if not adj.items:
        return [["调整", f"{head}：无"]]
    rows = [
        ["调整", f"{head}：{len(adj.items)} 条；影响为本周报表合计行按变动后与变动前分别计算之差"],
        ["调整序号", "变动内容", "记录", "姓名", "调整原因", "操作员", "时间", *ANNEX1_COLUMNS],
    ]
    for i, a in enumerate(adj.items, start=1):
        rows.append(
            [f"调整{i}", a.change, str(a.record), a.name, a.reason, a.operator, a.at]
            + [str(v) for v in a.effect]
        )
    rows.append(["调整合计", "", "", "", "", "", "", *(str(v) for v in adj.total)])
    return rows


def effect_words(effect: tuple[int, ...]) -> str:
    """``城镇新增就业人员 -1，城镇新就业人员 -1`` of the 本年累计 columns ('无' when none)."""
    from .domain import INDICATOR_NAMES

    parts = [
        f"{name} {effect[2 * i + 1]:+d}"
        for i, name in enumerate(INDICATOR_NAMES)
        if effect[2 * i + 1]
    ]
    return "，".join(parts) if parts else "无"


def in_submitted_week(session: Session, registered_on: str | None) -> bool:
    """True when a record registered on that day is covered by a submitted week's table."""
    from .adjustments import Lock

    return Lock.read(session.db.conn).covers(registered_on)


def check_reason(
    session: Session, record_ids: list[int], *, action: str, reason: str | None
) -> None:
    """``adjustments.check_reason`` on the session's ledger (for work done in several steps)."""
    from .adjustments import check_reason as check

    check(session.db.conn, record_ids, action=action, reason=reason)
