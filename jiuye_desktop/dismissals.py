"""Dismissed findings: a warning marked as checked (已核实, domain.md §5.3).

**How a finding is identified.** A dismissal names a record and a *finding
key*. The key is the finding's rule (``Finding.rule``, ``CheckFinding.rule``,
``"rule"`` in ``check --json``):

- warnings of one record on its own: the ``validation.RULE_*`` constants
  (``灵活就业登记过早``, ``女性50至54周岁``, ``身份证号地区码``, ``无去产能任务``);
- warnings about a pair of records: ``pair_key(rule, other ID)``, e.g.
  ``同名同生日:411002198503121234``. The other record is named by its person's
  normalised ID, not by its database id, because ids differ between the
  county's ledger and the city's merged copy while the ID travels with it.
  New pair rules (homophones, near-miss IDs, shared phones …) pick a rule word
  and build their key the same way (for a phone shared by several people, the
  phone number takes the place of the ID);
- a single-record warning that always names the same other thing uses the
  rule word alone (``去产能重复计算``).

A key is stable across recomputations (the message may change, the key does
not), so a dismissal stays valid until the finding itself goes away. Only
findings of kind ``warning`` can be dismissed: duplicate, invalid and
incomplete findings are fixed or removed, never waved through.

A dismissal is kept with its reason, operator and time, is listed in the
record's history, and travels in the export package (the 核实说明 column of
实名台账), so the city sees it as checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .domain import FINDING_KIND_NAMES, FindingKind
from .service import Session
from .storage import dismissals_sql
from .storage.db import now_text

if TYPE_CHECKING:
    from .selfcheck import CheckFinding, CheckResult

#: Pair warnings computed by the self-check over the whole ledger.
RULE_SAME_NAME_BIRTH = "同名同生日"
RULE_OVERCAPACITY_TWICE = "去产能重复计算"

#: What ``--finding`` accepts to mean every open warning of the record.
ALL_WARNINGS = ("warning", "警告", "可能重复", "possible_duplicate")
_NOT_DISMISSIBLE = {
    **{k.value: k for k in (FindingKind.DUPLICATE, FindingKind.INVALID, FindingKind.INCOMPLETE)},
    **{
        FINDING_KIND_NAMES[k]: k
        for k in (FindingKind.DUPLICATE, FindingKind.INVALID, FindingKind.INCOMPLETE)
    },
}
MAX_REASON = 200


class DismissError(ValueError):
    """A dismissal refused (Chinese message): nothing was stored."""


def pair_key(rule: str, other: str) -> str:
    """The key of a warning about a pair: its rule and the other person's ID (or phone)."""
    return f"{rule}:{other}"


def finding_key(f: CheckFinding) -> str:
    """The key a dismissal of this finding names (its rule; its field when it has none)."""
    return f.rule or f.field


@dataclass(frozen=True, slots=True)
class Dismissal:
    record_id: int
    key: str
    message: str
    reason: str
    operator: str
    at: str
    origin_unit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.record_id,
            "finding": self.key,
            "message": self.message,
            "reason": self.reason,
            "operator": self.operator,
            "at": self.at,
        }


def _from_row(row: Sequence[Any]) -> Dismissal:
    return Dismissal(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6])


def all_dismissals(session: Session) -> list[Dismissal]:
    return [_from_row(r) for r in dismissals_sql.all_dismissals(session.db.conn)]


def of_record(session: Session, record_id: int) -> list[Dismissal]:
    return [_from_row(r) for r in dismissals_sql.of_record(session.db.conn, record_id)]


def is_dismissed(session: Session, record_id: int, key: str) -> bool:
    return dismissals_sql.exists(session.db.conn, record_id, key)


def clean_reason(reason: str) -> str:
    """The reason on one line; refused when empty or too long."""
    text = " ".join(reason.split())
    if not text:
        raise DismissError("请填写核实理由（已核实的依据，例如“电话核实，确已连续工作3个月”）")
    if len(text) > MAX_REASON:
        raise DismissError(f"核实理由不能超过{MAX_REASON}个字（现为{len(text)}个字）")
    return text


def dismiss(
    session: Session,
    record_id: int,
    key: str,
    reason: str,
    *,
    result: CheckResult | None = None,
) -> list[Dismissal]:
    """Mark open warnings of a record as checked; returns what was dismissed.

    ``key`` is a finding key (see the module's text) or one of ``ALL_WARNINGS``
    for every open warning of the record. ``result`` is a self-check already
    run (the window has one); without it the self-check runs here.

    Raises:
        DismissError: the record does not exist, the key names a duplicate,
            invalid or incomplete finding (those are fixed or removed), or no
            open warning of the record has that key; nothing is stored.
    """
    conn = session.db.conn
    key = key.strip()
    if not dismissals_sql.record_exists(conn, record_id):
        raise DismissError(f"没有编号为 {record_id} 的记录")
    if key in _NOT_DISMISSIBLE:
        name = FINDING_KIND_NAMES[_NOT_DISMISSIBLE[key]]
        raise DismissError(
            f"“{name}”问题不能标记为已核实：重复、无效和不完整的记录须改正或剔除，"
            "只有警告和可能重复可以核实后保留"
        )
    text = clean_reason(reason)
    if result is None:
        from .selfcheck import run_check  # (the self-check itself reads dismissals)

        result = run_check(session)
    mine = [f for f in result.findings if f.record == record_id]
    if key in ALL_WARNINGS:
        chosen = [f for f in mine if f.kind == FindingKind.WARNING.value]
    else:
        chosen = [f for f in mine if finding_key(f) == key]
        if not chosen:  # a field's name (就业形式 …) names the record's warnings on it
            chosen = [f for f in mine if f.field == key and f.kind == FindingKind.WARNING.value]
        if chosen and chosen[0].kind != FindingKind.WARNING.value:
            name = FINDING_KIND_NAMES[FindingKind(chosen[0].kind)]
            raise DismissError(
                f"记录 #{record_id} 的“{key}”是{name}问题（{chosen[0].message}），不能标记为已核实："
                "须改正或剔除"
            )
    if not chosen:
        open_keys = [finding_key(f) for f in mine if f.kind == FindingKind.WARNING.value]
        already = is_dismissed(session, record_id, key)
        if already:
            raise DismissError(f"记录 #{record_id} 的“{key}”已经标记为已核实")
        if open_keys:
            raise DismissError(
                f"记录 #{record_id} 没有“{key}”这条警告；未核实的警告有：{'、'.join(open_keys)}"
            )
        raise DismissError(f"记录 #{record_id} 没有未核实的警告")
    at = now_text()
    items = [
        Dismissal(record_id, finding_key(f), f.message, text, session.operator, at)
        for f in dict((finding_key(f), f) for f in chosen).values()
    ]
    with session.db.transaction() as tx:
        dismissals_sql.insert(
            tx, ((d.record_id, d.key, d.message, d.reason, d.operator, d.at, None) for d in items)
        )
    return items
