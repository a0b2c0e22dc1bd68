"""What the ledger grid and the entry form ask of the ledger (no Qt here).

The grid holds the record ids that :func:`record_ids` returns for a filter and
sort (SQL does both) and asks :func:`fetch_rows` for one page of values at a
time, so a million records open and scroll without a pause. The entry form
asks which fields apply (:func:`form_fields`), whether an ID can be saved
(:func:`read_form_id`), who already has a record this year
(:func:`person_records`) and which employers start with what was typed
(:func:`employer_suggestions`).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .domain import (
    ATTRITION_REASONS,
    EMPLOYMENT_FORMS,
    FIELD_LABELS,
    FINDING_KIND_NAMES,
    HARDSHIP_CATEGORIES,
    NO,
    PLACEMENT_METHODS,
    YES,
    FindingKind,
    Record,
    RecordType,
    Week,
)
from .records import dup_key, record_values
from .storage import browse_sql, ledger
from .validation import normalize_id_text, normalize_yes_no, read_id, required_fields
from .weeks import weeks_of_year

# --- The grid's columns ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    sortable: bool = True


#: The grid's columns in order, with their Chinese titles.
COLUMNS: tuple[Column, ...] = (
    Column("id", "编号"),
    Column("name", "姓名"),
    Column("id_number", "公民身份号码"),
    Column("sex", "性别"),
    Column("area", "所属地区"),
    Column("record_type", "登记类型"),
    Column("event_date", "就业（减员）日期"),
    Column("employment_form", "就业形式"),
    Column("employer", "就业单位名称"),
    Column("phone", "联系电话"),
    Column("registered_on", "登记日期"),
    Column("status", "状态"),
    Column("findings", "问题", sortable=False),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


class Status(StrEnum):
    """Which records the grid shows by removal status."""

    ALL = "all"
    ACTIVE = "active"
    REMOVED = "removed"


STATUS_NAMES = {Status.ALL: "全部状态", Status.ACTIVE: "有效", Status.REMOVED: "已剔除"}

#: Area filter value for records whose area is not one of the unit's.
UNKNOWN_AREA = -1


@dataclass(frozen=True, slots=True)
class BrowseQuery:
    """The grid's search, filters and sort.

    ``text`` made of digits matches the start of a 公民身份号码 or a 联系电话
    (longer than 12 characters: an ID only; with a ``-``: a landline only; a
    15-digit ID also finds its 18-digit form); other text matches the start of
    a 姓名 or any part of a 就业单位名称. ``finding_kind`` is a ``FindingKind``
    value; ``duplicate`` asks the self-check's duplicate query (whole ledger).
    """

    text: str = ""
    area_id: int | None = None  # or UNKNOWN_AREA
    record_type: str | None = None
    week: Week | None = None  # by 登记日期
    status: Status = Status.ALL
    finding_kind: str | None = None
    sort: str = "id"
    descending: bool = False


_ID_LIKE = re.compile(r"[0-9X\-]+")
#: 12 digits: a landline with a 4-digit area code and an 8-digit number.
_LONGEST_PHONE = 12


def _filter(conn: sqlite3.Connection, query: BrowseQuery) -> browse_sql.IdFilter:
    text = query.text.strip()
    id_prefix, phone_prefix, name_prefix, employer_part = "", "", "", ""
    id_exact: tuple[str, ...] = ()
    if text:
        as_id = normalize_id_text(text)
        if _ID_LIKE.fullmatch(as_id):
            if "-" in as_id:  # a landline such as 0374-2961234
                phone_prefix = as_id
            elif len(as_id) > _LONGEST_PHONE:  # longer than any phone: an ID
                id_prefix = as_id
            else:
                id_prefix = phone_prefix = as_id
            if len(as_id) == 15:
                upgraded = read_id(as_id)
                id_exact = (upgraded.number,)
        else:
            name_prefix = unicodedata.normalize("NFKC", text).replace(" ", "")
            employer_part = text
    only_ids = None
    stored_kind = query.finding_kind
    if query.finding_kind == FindingKind.DUPLICATE:
        only_ids = [loser for loser, _keeper in ledger.duplicate_losers(conn)]
        stored_kind = None
    elif query.finding_kind is not None and query.finding_kind not in FINDING_KIND_NAMES:
        raise ValueError(f"未知的问题类别“{query.finding_kind}”")
    return browse_sql.IdFilter(
        id_prefix=id_prefix,
        phone_prefix=phone_prefix,
        id_exact=id_exact,
        name_prefix=name_prefix,
        employer_part=employer_part,
        area_id=query.area_id if query.area_id not in (None, UNKNOWN_AREA) else None,
        unknown_area=query.area_id == UNKNOWN_AREA,
        record_type=query.record_type or None,
        registered_from=query.week.start.isoformat() if query.week else None,
        registered_to=query.week.end.isoformat() if query.week else None,
        removed={Status.ALL: None, Status.ACTIVE: False, Status.REMOVED: True}[query.status],
        finding_kind=stored_kind,
        only_ids=only_ids,
    )


def record_ids(conn: sqlite3.Connection, query: BrowseQuery) -> Sequence[int]:
    """Ids of the records the grid shows, in its order.

    A ``range`` when every record is shown by id (no scan at all), otherwise an
    ``array('q')``.

    Raises:
        ValueError: the sort column is not sortable or the finding kind unknown.
    """
    if query.sort not in browse_sql.SORT_SQL:
        raise ValueError(f"不能按“{query.sort}”排序")
    return browse_sql.select_ids(conn, _filter(conn, query), query.sort, query.descending)


# --- One page of rows ------------------------------------------------------------------------

_REASON_NAMES = {k.value: v for k, v in FINDING_KIND_NAMES.items()}
_KIND_ORDER = {"invalid": 0, "incomplete": 1, "warning": 2}


@dataclass(frozen=True, slots=True)
class GridRow:
    """One record as the grid shows it: texts in ``COLUMNS`` order and what they mean."""

    values: tuple[str, ...]
    removed: bool
    removal: str  # e.g. 已剔除（重复，2017-11-20）：备注
    findings: tuple[tuple[str, str, str], ...]  # the record's own (kind, field, message)

    @property
    def worst_kind(self) -> str | None:
        """The most serious own finding kind: invalid, incomplete, warning, or None."""
        kinds = sorted({k for k, _, _ in self.findings}, key=lambda k: _KIND_ORDER.get(k, 9))
        return kinds[0] if kinds else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def fetch_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, GridRow]:
    """The grid rows of some records (a page), keyed by id."""
    status_col = COLUMN_KEYS.index("status")
    findings_col = COLUMN_KEYS.index("findings")
    out: dict[int, GridRow] = {}
    for page_row in browse_sql.fetch_page(conn, ids):
        values = [_text(v) for v in page_row.values]
        removed = page_row.removed_on is not None
        removal = ""
        if removed:
            reason = _REASON_NAMES.get(page_row.removal_reason or "", page_row.removal_reason or "")
            removal = f"已剔除（{reason}，{page_row.removed_on}）"
            if page_row.removal_note:
                removal += f"：{page_row.removal_note}"
            values[status_col] = f"已剔除（{reason}）"
        else:
            values[status_col] = "有效"
        kinds = sorted({k for k, _, _ in page_row.findings}, key=lambda k: _KIND_ORDER.get(k, 9))
        values[findings_col] = "、".join(_REASON_NAMES.get(k, k) for k in kinds)
        out[page_row.id] = GridRow(tuple(values), removed, removal, page_row.findings)
    return out


def findings_text(row: GridRow) -> str:
    """The record's own findings, one per line (for a tooltip)."""
    return "\n".join(
        f"{_REASON_NAMES.get(k, k)}｜{fld}：{msg}"
        for k, fld, msg in sorted(row.findings, key=lambda f: _KIND_ORDER.get(f[0], 9))
    )


# --- Filter choices and counts -----------------------------------------------------------------


def area_choices(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(area id, name) of the unit's areas in table order: 本级 first."""
    return [(area_id, area.name) for area_id, area in ledger.list_areas(conn)]


def week_choices(conn: sqlite3.Connection, today: dt.date | None = None) -> list[Week]:
    """Reporting weeks of the years that have records (and of this year), latest first.

    Weeks after ``today`` are left out: nothing can be registered in them yet.
    """
    today = today or dt.date.today()
    low, high = browse_sql.registered_span(conn)
    years = {today.year}
    if low and high:
        years |= set(range(int(low[:4]), int(high[:4]) + 1))
    weeks = [w for year in sorted(years) for w in weeks_of_year(year) if w.start <= today]
    return weeks[::-1]


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    removed: int

    @property
    def active(self) -> int:
        return self.total - self.removed


def counts(conn: sqlite3.Connection) -> Counts:
    total, removed = browse_sql.record_counts(conn)
    return Counts(total, removed)


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
    return f"{_REASON_NAMES.get(head, head)} {rest}".strip()


def history(conn: sqlite3.Connection, record_id: int) -> list[HistoryEntry]:
    """What changed in a record, when and by whom, oldest first, in words."""
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


# --- The entry form ------------------------------------------------------------------------------

#: The form's fields in the order the clerk types them (template headers): the person, the
#: ID first, then the registration and what its type asks for.
FORM_FIELDS: tuple[str, ...] = (
    "公民身份号码",
    "姓名",
    "性别",
    "所属地区",
    "联系电话",
    "户籍性质",
    "学历",
    "登记类型",
    "就业（减员）日期",
    "就业形式",
    "就业单位名称",
    "统一社会信用代码",
    "签订劳动合同",
    "缴纳社会保险",
    "新就业产业",
    "失业人员再就业",
    "就业困难人员",
    "困难人员类别",
    "去产能职工",
    "原企业名称",
    "安置方式",
    "减员原因",
    "登记日期",
    "备注",
)
YES_NO_FIELDS = ("签订劳动合同", "缴纳社会保险", "失业人员再就业", "就业困难人员", "去产能职工")
DATE_FIELDS = ("就业（减员）日期", "登记日期")

#: Choices offered by the form. ``所属地区`` comes from the unit (:func:`area_choices`).
FORM_CHOICES: dict[str, tuple[str, ...]] = {
    "性别": ("男", "女"),
    "登记类型": tuple(t.value for t in RecordType),
    "就业形式": EMPLOYMENT_FORMS,
    **{f: (YES, NO) for f in YES_NO_FIELDS},
    "困难人员类别": HARDSHIP_CATEGORIES,
    "安置方式": PLACEMENT_METHODS,
    "减员原因": ATTRITION_REASONS,
    "户籍性质": ("城镇", "农村"),
    "学历": ("初中及以下", "高中", "中专", "大专", "本科", "研究生"),
    "新就业产业": ("第一产业", "第二产业", "第三产业"),
}
#: Choice fields where text outside the list is kept as written (domain.md §3).
FREE_TEXT_FIELDS = frozenset({"困难人员类别", "户籍性质", "学历", "新就业产业"})

_ALWAYS = (
    "公民身份号码",
    "姓名",
    "性别",
    "所属地区",
    "登记类型",
    "就业（减员）日期",
    "户籍性质",
    "学历",
    "联系电话",
    "登记日期",
    "备注",
)
_NEW_ONLY = (
    "就业形式",
    "就业单位名称",
    "统一社会信用代码",
    "签订劳动合同",
    "缴纳社会保险",
    "失业人员再就业",
    "就业困难人员",
    "去产能职工",
    "新就业产业",
)


def form_fields(values: Mapping[str, str]) -> tuple[str, ...]:
    """The fields that apply to a record with these values, in form order (domain.md §3).

    减员原因 only for 自然减员; 困难人员类别 only when 就业困难人员 is 是; 原企业名称
    and 安置方式 for 去产能安置 and for a 新就业 of a 去产能职工; the employment
    fields and flags only for 新就业.
    """
    rtype = (values.get("登记类型") or "").strip()
    shown = set(_ALWAYS)
    if rtype == RecordType.NEW:
        shown.update(_NEW_ONLY)
        if normalize_yes_no(values.get("就业困难人员") or "") == YES:
            shown.add("困难人员类别")
        if normalize_yes_no(values.get("去产能职工") or "") == YES:
            shown.update(("原企业名称", "安置方式"))
    elif rtype == RecordType.ATTRITION:
        shown.add("减员原因")
    elif rtype == RecordType.PLACEMENT:
        shown.update(("原企业名称", "安置方式"))
    return tuple(f for f in FORM_FIELDS if f in shown)


def form_required(values: Mapping[str, str]) -> frozenset[str]:
    """The fields a record with these values must have (the `*` and `†` of domain.md §3)."""
    rec = Record(
        record_type=(values.get("登记类型") or "").strip(),
        employment_form=(values.get("就业形式") or "").strip(),
        hardship=normalize_yes_no(values.get("就业困难人员") or ""),
        overcapacity=normalize_yes_no(values.get("去产能职工") or ""),
    )
    return frozenset(required_fields(rec))


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


def person_records(conn: sqlite3.Connection, id_number: str, year: int) -> list[PersonRecord]:
    """Records of the person with this ID registered in ``year``, and their 自然减员 of any year."""
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


def record_form_values(conn: sqlite3.Connection, record_id: int) -> dict[str, str] | None:
    """A stored record as form values (template header -> text), or None when it does not exist."""
    rec = ledger.get_record(conn, record_id)
    if rec is None:
        return None
    values = record_values(rec)
    names = {area.code: area.name for _, area in ledger.list_areas(conn)}
    if rec.area_code in names:
        values["所属地区"] = names[rec.area_code]
    return values


def employer_suggestions(
    conn: sqlite3.Connection, prefix: str, limit: int = 20
) -> list[tuple[str, str]]:
    """Employers already in the ledger whose name starts with ``prefix``: (name, USCC)."""
    prefix = prefix.strip()
    if not prefix:
        return []
    return browse_sql.employer_names(conn, prefix, limit)
