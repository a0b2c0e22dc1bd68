"""A record's history in words: what changed, when and by whom."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import FIELD_LABELS, kind_name
from ..service import Session
from ..storage import ledger


def _text(value: object) -> str:
    return "" if value is None else str(value)


# --- A record's history ---------------------------------------------------------------------------

_ACTION_NAMES = {
    "insert": "录入",
    "edit": "修改",
    "remove": "剔除",
    "restore": "恢复",
    "import": "导入",
    "merge": "合并",
    "dismiss": "已核实",
}
_COLUMN_LABELS = {
    **FIELD_LABELS,
    "area_raw": "所属地区",
    "id_raw": "公民身份号码（原文）",
    "id_note": "身份证号说明",
    "event_date_raw": "就业（减员）日期（原文）",
    "registered_on_raw": "登记日期（原文）",
    "removal_reason": "状态",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: str
    operator: str
    action: str  # Chinese
    field: str  # Chinese, '' for the whole record
    old: str
    new: str


def _removal_words(text: str | None) -> str:
    """``duplicate 2017-11-20 note`` → ``重复 2017-11-20 note``."""
    if not text:
        return ""
    head, _, rest = text.partition(" ")
    return f"{kind_name(head)} {rest}".strip()


def history(session: Session, record_id: int) -> list[HistoryEntry]:
    """What changed in a record, when and by whom, oldest first, in words."""
    conn = session.db.conn
    out = []
    for h in ledger.record_history(conn, record_id):
        action = h["action"]
        old, new = _text(h["old_value"]), _text(h["new_value"])
        if action in ("remove", "restore"):
            old, new = _removal_words(old), _removal_words(new)
        elif action in ("import", "merge") and new:
            new = f"来自“{new}”"
        out.append(
            HistoryEntry(
                at=_text(h["at"]),
                operator=_text(h["operator"]),
                action=_ACTION_NAMES.get(action, action),
                field=_COLUMN_LABELS.get(h["field"] or "", h["field"] or ""),
                old=old,
                new=new,
            )
        )
    return out
