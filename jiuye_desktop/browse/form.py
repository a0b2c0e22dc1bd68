"""What the entry form asks of the ledger (no Qt here): which fields apply
(:func:`form_fields`), whether an ID can be saved (:func:`read_form_id`), who
already has a record this year (:func:`person_records`) and which employers
start with what was typed (:func:`employer_suggestions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import domain
from ..domain import FieldKind, Record, Situation, required_headers, shown_headers
from ..records import dup_key, record_values
from ..service import Session
from ..storage import browse_sql, ledger
from ..validation import normalize_id_text, normalize_yes_no, read_id

# --- The entry form ------------------------------------------------------------------------------

#: The form's fields in the order the clerk types them (template headers): the person, the
#: ID first, then the registration and what its type asks for (``domain.FIELDS``).
FORM_FIELDS: tuple[str, ...] = tuple(f.header for f in domain.FORM_FIELDS)
YES_NO_FIELDS = tuple(f.header for f in domain.FIELDS if f.kind == FieldKind.YES_NO)
DATE_FIELDS = tuple(f.header for f in domain.FIELDS if f.kind == FieldKind.DATE)

#: Choices offered by the form. ``所属地区`` comes from the unit (:func:`area_choices`).
FORM_CHOICES: dict[str, tuple[str, ...]] = {f.header: f.choices for f in domain.FIELDS if f.choices}
#: Choice fields where text outside the list is kept as written (domain.md §3).
FREE_TEXT_FIELDS = frozenset(f.header for f in domain.FIELDS if f.free_text)


def _situation(values: Mapping[str, str]) -> Situation:
    return Situation(
        (values.get("登记类型") or "").strip(),
        (values.get("就业形式") or "").strip(),
        normalize_yes_no(values.get("就业困难人员") or ""),
        normalize_yes_no(values.get("去产能职工") or ""),
    )


def form_fields(values: Mapping[str, str]) -> tuple[str, ...]:
    """The fields that apply to a record with these values, in form order (domain.md §3).

    减员原因 only for 自然减员; 困难人员类别 only when 就业困难人员 is 是; 原企业名称
    and 安置方式 for 去产能安置 and for a 新就业 of a 去产能职工; the employment
    fields and flags only for 新就业.
    """
    return shown_headers(_situation(values))


def form_required(values: Mapping[str, str]) -> frozenset[str]:
    """The fields a record with these values must have (the `*` and `†` of domain.md §3)."""
    return frozenset(required_headers(_situation(values)))


@dataclass(frozen=True, slots=True)
class FormId:
    """An ID as typed in the form.

    ``readable`` is what saving needs: 15 or 18 characters after normalising
    (a wrong check digit is saved and left to the self-check). ``complete`` is
    True once 18 or more characters were typed: nothing more will come, so the
    form can act at once; 15 digits may still be the start of an 18-digit ID.
    ``number`` is the normalised, upgraded ID to put back in the field.
    """

    number: str
    readable: bool
    complete: bool
    problem: str  # why it cannot be saved ('' when it can)
    birth: dt.date | None = None
    sex: str = ""
    note: str = ""  # e.g. the 15-digit upgrade


def read_form_id(text: str) -> FormId:
    typed = normalize_id_text(text)
    if not typed:
        return FormId("", False, False, "请填写公民身份号码")
    if (len(typed) == 15 and typed.isdigit()) or len(typed) == 18:
        res = read_id(typed)
        return FormId(res.number, True, len(typed) == 18, "", res.birth, res.sex, res.note)
    return FormId(
        typed,
        False,
        len(typed) > 18,
        f"公民身份号码应为18位（或15位旧号码），现为{len(typed)}位",
    )


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A record of the same person, briefly."""

    id: int
    name: str
    record_type: str
    event_date: str
    area: str
    registered_on: str
    removed: bool


def person_records(session: Session, id_number: str, year: int) -> list[PersonRecord]:
    """Records of the person with this ID registered in ``year``, and their 自然减员 of any year."""
    conn = session.db.conn
    number = normalize_id_text(id_number)
    if not number:
        return []
    rows = browse_sql.person_rows(conn, number, f"{year:04d}-01-01", f"{year:04d}-12-31")
    return [
        PersonRecord(
            r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] is not None
        )
        for r in rows
    ]


def person_message(
    others: Sequence[PersonRecord],
    record_type: str,
    registered_on: str,
    editing: int | None = None,
) -> str:
    """What the form says about the same person's other records ('' when there are none).

    It says so plainly when saving would make a duplicate (same person, same
    class: one 新就业 and one 去产能安置 a year, one 自然减员 ever; domain.md §5.3).
    """
    others = [o for o in others if o.id != editing]
    if not others:
        return ""
    mine = dup_key(Record(record_type=record_type, registered_on=registered_on))
    active = [o for o in others if not o.removed]
    clash = mine is not None and any(
        dup_key(Record(record_type=o.record_type, registered_on=o.registered_on)) == mine
        for o in active
    )
    year = (registered_on or "")[:4]
    head = f"此人{year}年已有 {len(others)} 条记录" if year else f"此人已有 {len(others)} 条记录"
    if clash:
        head += f"，再登记{record_type}将被自查判为重复"
    return head


def record_form_values(session: Session, record_id: int) -> dict[str, str] | None:
    """A stored record as form values (template header -> text), or None when it does not exist."""
    conn = session.db.conn
    rec = ledger.get_record(conn, record_id)
    if rec is None:
        return None
    values = record_values(rec)
    names = {area.code: area.name for _, area in ledger.list_areas(conn)}
    if rec.area_code in names:
        values["所属地区"] = names[rec.area_code]
    return values


def employer_suggestions(session: Session, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
    """Employers already in the ledger whose name starts with ``prefix``: (name, USCC)."""
    conn = session.db.conn
    prefix = prefix.strip()
    if not prefix:
        return []
    return browse_sql.employer_names(conn, prefix, limit)
