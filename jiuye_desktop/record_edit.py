"""The entry form, scripted: change named fields of one record (``edit --set 字段=值``).

Values are read the way the form reads them: a field is named by its template
header (or a synonym); a choice is one of the form's items (是/否 spellings and
the item's number accepted, a free-text choice kept as written); 所属地区 is
one of the unit's areas; a date is a readable date; the ID must be readable,
as the form refuses to save without one. The fields that do not apply to the
record's type afterwards are dropped, as the form hides them. Saving goes
through ``Session.edit_record``: a counted change of a record in a submitted
week needs a reason (domain.md §9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import browse
from .domain import HEADER_SYNONYMS, YES, Finding
from .service import Session
from .validation import normalize_yes_no, parse_date


class EditRefused(Exception):
    """The edit cannot be made as asked (Chinese message); nothing was changed."""


_HEADER_OF = {syn: header for header, syns in HEADER_SYNONYMS.items() for syn in syns}


@dataclass
class EditResult:
    record: int
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (header, old, new)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "changed": [{"field": h, "old": o, "new": n} for h, o, n in self.changed],
            "findings": [
                {"kind": f.kind.value, "field": f.field, "message": f.message}
                for f in self.findings
            ],
        }


def parse_set(text: str) -> tuple[str, str]:
    """``字段=值`` -> (template header, value as written)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise EditRefused(f"“{text}”应写成 字段=值，例如 失业人员再就业=是")
    header = _HEADER_OF.get(name, name)
    if header not in browse.FORM_FIELDS:
        raise EditRefused(f"没有名为“{name}”的字段；可修改的字段：{'、'.join(browse.FORM_FIELDS)}")
    return header, value.strip()


def _read_value(session: Session, header: str, value: str) -> str:
    """The value as the form would settle it, or EditRefused."""
    if not value:
        return ""
    if header == "公民身份号码":
        form_id = browse.read_form_id(value)
        if not form_id.readable:
            raise EditRefused(f"公民身份号码“{value}”不能保存：{form_id.problem}")
        return value
    if header in browse.DATE_FIELDS:
        day = parse_date(value)
        if day is None:
            raise EditRefused(f"{header}“{value}”不是可读的日期，应为 YYYY-MM-DD")
        return day.isoformat()
    if header == "所属地区":
        names = [name for _, name in browse.area_choices(session)]
        if session.context().resolve_area(value) is None:
            raise EditRefused(f"所属地区“{value}”不是本单位的地区；可选：{'、'.join(names)}")
        return value
    items = browse.FORM_CHOICES.get(header)
    if items is None:
        return value
    text = normalize_yes_no(value) if items == (YES, "否") else value
    if text in items:
        return text
    if text.isdigit() and 1 <= int(text) <= len(items):
        return items[int(text) - 1]
    if header in browse.FREE_TEXT_FIELDS:
        return value
    raise EditRefused(f"{header}“{value}”不在可选项中：{'、'.join(items)}")


def edit_fields(
    session: Session, record_id: int, sets: Sequence[str], reason: str | None = None
) -> EditResult:
    """Change the named fields of a record as the form would save them.

    Raises:
        EditRefused: no such record, an unknown field or a value the form would not take.
        adjustments.ReasonRequired: a counted change in a submitted week without a reason.
    """
    stored = browse.record_form_values(session, record_id)
    if stored is None:
        raise EditRefused(f"没有编号为 {record_id} 的记录")
    if not sets:
        raise EditRefused("没有要修改的字段（--set 字段=值）")
    values = dict(stored)
    for text in sets:
        header, value = parse_set(text)
        values[header] = _read_value(session, header, value)
    form_id = browse.read_form_id(values.get("公民身份号码", ""))
    if not form_id.readable:
        raise EditRefused(f"记录 #{record_id} 的公民身份号码不能保存：{form_id.problem}")
    shown = browse.form_fields(values)
    kept = {h: v for h, v in values.items() if h in shown and v}
    if stored.get("序号"):  # not a form field; kept as it was
        kept["序号"] = stored["序号"]
    changed = [
        (h, stored.get(h, ""), kept.get(h, ""))
        for h in browse.FORM_FIELDS
        if (stored.get(h, "") or "") != (kept.get(h, "") or "") and (h in shown or stored.get(h))
    ]
    record, _ = session.judge(dict(kept))
    findings = session.edit_record(record_id, record, reason)
    return EditResult(record_id, changed, findings)
