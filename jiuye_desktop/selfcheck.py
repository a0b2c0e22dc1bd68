"""The self-check (自查) of domain.md §5.3 over the whole ledger, and removal by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import adjustments, audit
from .dismissals import RULE_OVERCAPACITY_TWICE, Dismissal, all_dismissals, finding_key
from .domain import REMOVAL_REASONS, FindingKind, RecordType, kind_rank
from .service import Session
from .storage import ledger

Progress = Callable[[int, int], None]

_DUP_WHAT = {
    RecordType.NEW.value: "同一人本年已登记新就业",
    RecordType.PLACEMENT.value: "同一人本年已登记去产能安置",
    RecordType.ATTRITION.value: "同一人已登记自然减员",
}


@dataclass(frozen=True, slots=True)
class CheckFinding:
    record: int
    source_row: int | None
    name: str
    id_number: str
    area: str
    kind: str
    field: str
    message: str
    keeps: int | None = None
    # A warning's stable key, the one a dismissal names (e.g. 同音同生日:<the other's ID>);
    # for the audit rehearsal's warnings (audit.py) also the rule and the other records.
    rule: str = ""
    audit: str = ""  # fuzzy.RULE_LABELS / audit.RULE_LABELS key: same_name, homophone …
    others: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "record": self.record,
            "source_row": self.source_row,
            "name": self.name,
            "id_number": self.id_number,
            "area": self.area,
            "kind": self.kind,
            "field": self.field,
            "message": self.message,
        }
        if self.keeps is not None:
            out["keeps"] = self.keeps
        if self.rule:
            out["rule"] = self.rule
        if self.audit:
            out.update(audit=self.audit, others=list(self.others))
        return out


@dataclass
class CheckResult:
    """The open findings, and the warnings dismissed as checked (with their dismissal)."""

    findings: list[CheckFinding] = field(default_factory=list)
    dismissed: list[tuple[CheckFinding, Dismissal]] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Distinct records per kind."""
        sets: dict[str, set[int]] = {k.value: set() for k in FindingKind}
        for f in self.findings:
            sets[f.kind].add(f.record)
        return {k: len(v) for k, v in sets.items()}

    def record_ids(self, kind: str) -> list[int]:
        kinds = {r.value for r in REMOVAL_REASONS} if kind == "all" else {kind}
        seen: dict[int, None] = {}
        for f in self.findings:
            if f.kind in kinds:
                seen.setdefault(f.record, None)
        return list(seen)

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "findings": [f.as_json() for f in self.findings],
            "dismissed": [
                {**f.as_json(), "reason": d.reason, "operator": d.operator, "at": d.at}
                for f, d in self.dismissed
            ],
        }


def _where(brief: dict[str, Any], other: dict[str, Any], same_area: bool) -> str:
    place = "" if same_area else (other.get("area") or "")
    if other.get("source_row"):
        return f"{place}第 {other['source_row']} 行"
    return f"{place}记录 #{other.get('id')}"


def run_check(session: Session, progress: Progress | None = None) -> CheckResult:
    """Run the whole self-check on the records not removed."""
    conn = session.db.conn
    if progress:
        progress(0, 3)
    losers = ledger.duplicate_losers(conn)
    if progress:
        progress(1, 3)
    double = ledger.overcapacity_double(conn)
    ids = {i for pair in losers for i in pair} | {i for pair in double for i in pair}
    brief = ledger.record_brief(conn, sorted(ids))
    for key, value in brief.items():
        value["id"] = key
    found: list[CheckFinding] = []
    for record_id, keeper in losers:
        me, kept = brief[record_id], brief[keeper]
        same = me["area_id"] == kept["area_id"] and me["origin_unit"] == kept["origin_unit"]
        what = _DUP_WHAT.get(me["record_type"], "同一人重复登记")
        found.append(
            CheckFinding(
                record_id,
                me["source_row"],
                me["name"],
                me["id_number"],
                me["area"] or "",
                FindingKind.DUPLICATE.value,
                "公民身份号码",
                f"与{_where(me, kept, same)}重复（{what}）",
                keeper,
            )
        )
    # The audit rehearsal's warnings (domain.md §8): possible duplicates, phones, samples.
    for p in audit.findings(conn):
        found.append(
            CheckFinding(
                p.record,
                p.source_row,
                p.name,
                p.id_number,
                p.area,
                FindingKind.WARNING.value,
                p.field,
                p.message,
                rule=p.key,
                audit=p.rule,
                others=p.partners,
            )
        )
    for record_id, other_id in double:
        me, other = brief[record_id], brief[other_id]
        same = me["area_id"] == other["area_id"] and me["origin_unit"] == other["origin_unit"]
        found.append(
            CheckFinding(
                record_id,
                me["source_row"],
                me["name"],
                me["id_number"],
                me["area"] or "",
                FindingKind.WARNING.value,
                "登记类型",
                f"同一人本年在{_where(me, other, same)}已登记新就业且去产能职工为“是”，"
                "去产能职工安置人数（第11–12栏）会重复计算，请核实",
                rule=RULE_OVERCAPACITY_TWICE,
            )
        )
    if progress:
        progress(2, 3)
    for rid, kind, fld, message, name, idn, area, row, rule in ledger.stored_findings(conn):
        found.append(CheckFinding(rid, row, name, idn, area or "", kind, fld, message, rule=rule))
    found.sort(key=lambda f: (f.record, kind_rank(f.kind)))
    checked = {(d.record_id, d.key): d for d in all_dismissals(session)}
    result = CheckResult()
    for f in found:
        d = checked.get((f.record, finding_key(f))) if f.kind == "warning" else None
        if d is None:
            result.findings.append(f)
        else:
            result.dismissed.append((f, d))
    if progress:
        progress(3, 3)
    return result


@dataclass(frozen=True, slots=True)
class RemoveResult:
    kind: str
    date: str
    removed: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date,
            "removed": self.removed,
            "total": sum(self.removed.values()),
        }


def remove_flagged(
    session: Session,
    kind: str,
    date: dt.date,
    note: str = "",
    result: CheckResult | None = None,
    reason: str | None = None,
) -> RemoveResult:
    """Remove every record the self-check flags with ``kind`` (or all three kinds) on a date.

    A record flagged with several kinds is removed once, for the first of
    duplicate, invalid, incomplete. ``reason`` (调整原因) is needed when some of
    them are in a submitted week (domain.md §9).

    Raises:
        adjustments.ReasonRequired: such records and no reason (nothing removed).
    """
    if kind not in ("all", *(r.value for r in REMOVAL_REASONS)):
        raise ValueError(f"剔除类别“{kind}”不对，应为 duplicate、invalid、incomplete 或 all")
    result = result or run_check(session)
    wanted = [r.value for r in REMOVAL_REASONS] if kind == "all" else [kind]
    items: dict[int, tuple[int, str, str]] = {}
    for f in sorted(result.findings, key=lambda f: kind_rank(f.kind)):
        if f.kind in wanted and f.record not in items:
            items[f.record] = (f.record, f.kind, f.message)
    counts = {k: 0 for k in wanted}
    with session.db.transaction() as tx:
        before = adjustments.before_states(tx, list(items))
        ledger.remove_records(
            tx,
            list(items.values()),
            removed_on=date.isoformat(),
            note=note,
            operator=session.operator,
        )
        by_reason = {i: r for i, r, _ in items.values()}
        adjustments.after_status_change(
            tx,
            before,
            action="remove",
            reason=reason,
            operator=session.operator,
            describe=lambda i, old, new: adjustments.removal_text(by_reason[i])(i, old, new),
        )
    for _, reason_code, _ in items.values():
        counts[reason_code] += 1
    return RemoveResult(kind, date.isoformat(), counts)


def remove_selected(
    session: Session,
    record_ids: list[int],
    reason: str,
    date: dt.date,
    note: str = "",
    message: str = "",
    adjustment_reason: str | None = None,
) -> int:
    """Remove chosen records for one reason on a date (the self-check screen); returns how many.

    Raises:
        adjustments.ReasonRequired: some are in a submitted week and no
            ``adjustment_reason`` was given (nothing removed).
    """
    if reason not in {r.value for r in REMOVAL_REASONS}:
        raise ValueError(f"剔除原因“{reason}”不对，应为 duplicate、invalid 或 incomplete")
    with session.db.transaction() as tx:
        before = adjustments.before_states(tx, record_ids)
        done = ledger.remove_records(
            tx,
            [(i, reason, message) for i in record_ids],
            removed_on=date.isoformat(),
            note=note,
            operator=session.operator,
        )
        adjustments.after_status_change(
            tx,
            before,
            action="remove",
            reason=adjustment_reason,
            operator=session.operator,
            describe=adjustments.removal_text(reason),
        )
        return done


@dataclass(frozen=True, slots=True)
class RemovedRecord:
    """An active removal with the removed record's brief (the self-check screen's list)."""

    record_id: int
    source_row: int | None
    name: str
    id_number: str
    area: str
    reason: str
    removed_on: str
    note: str
    operator: str
    message: str


def active_removals(session: Session) -> list[RemovedRecord]:
    """Removals not undone, newest first."""
    conn = session.db.conn
    items = ledger.removals(conn)
    brief = ledger.record_brief(conn, [m["record_id"] for m in items])
    out = []
    for m in sorted(items, key=lambda m: (m["removed_on"], m["id"]), reverse=True):
        b = brief.get(m["record_id"], {})
        out.append(
            RemovedRecord(
                m["record_id"],
                b.get("source_row"),
                b.get("name") or "",
                b.get("id_number") or "",
                b.get("area") or "",
                m["reason"],
                m["removed_on"],
                m["note"] or "",
                m["operator"] or "",
                m["message"] or "",
            )
        )
    return out


def restore(session: Session, record_id: int, reason: str | None = None) -> bool:
    """Undo a record's removal; False when it was not removed."""
    return bool(restore_many(session, [record_id], reason))


def restore_many(session: Session, record_ids: list[int], reason: str | None = None) -> list[int]:
    """Undo the removal of records, all or none; returns those that were removed.

    Raises:
        adjustments.ReasonRequired: some are in a submitted week and no reason (nothing restored).
    """
    with session.db.transaction() as tx:
        before = adjustments.before_states(tx, record_ids)
        done = [i for i in record_ids if ledger.restore_record(tx, i, operator=session.operator)]
        adjustments.after_status_change(
            tx,
            before,
            action="restore",
            reason=reason,
            operator=session.operator,
            describe=adjustments.restore_text,
        )
    return done
