"""Domain types of the real-name ledger (domain.md §2–§5).

Over 500 lines on purpose: this is the floor that every layer reads, and most of it is
``FIELDS``, the one table of the record's fields (header, synonyms, kind, choices,
required/shown, form place, grid column, width; about 160 lines of declarations), written
in the vocabulary beside it (record types, finding kinds and their words, indicators,
choices) and read by the few types built on it (``Record``, ``Week``, ``WeeklyTable``).
Cutting the table from its vocabulary, or the types from the table, would give modules
that always change together and a second place to look for what a field is; there is no
logic here to separate, only declarations.

Plain dataclasses and constants; no I/O. Chinese strings here are the domain's
own words (record types, headers, indicator names) as they appear on the forms.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntFlag, StrEnum


class Level(StrEnum):
    """Level of a reporting unit (domain.md §2)."""

    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"


LEVEL_NAMES = {Level.COUNTY: "县级", Level.CITY: "市级", Level.PROVINCE: "省级"}


class RecordType(StrEnum):
    """登记类型 (domain.md §3)."""

    NEW = "新就业"
    ATTRITION = "自然减员"
    PLACEMENT = "去产能安置"


class FindingKind(StrEnum):
    """Kinds of self-check findings (domain.md §5.3), most serious first: this order is how
    every list, count and colour legend of findings is ordered."""

    DUPLICATE = "duplicate"
    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    WARNING = "warning"


FINDING_KIND_NAMES = {
    FindingKind.DUPLICATE: "重复",
    FindingKind.INVALID: "无效",
    FindingKind.INCOMPLETE: "不完整",
    FindingKind.WARNING: "提示",
}

#: Removal reasons are the three removable finding kinds.
REMOVAL_REASONS = (FindingKind.DUPLICATE, FindingKind.INVALID, FindingKind.INCOMPLETE)

_KIND_RANK: dict[str, int] = {k.value: i for i, k in enumerate(FindingKind)}
_KIND_WORDS: dict[str, str] = {k.value: name for k, name in FINDING_KIND_NAMES.items()}


def kind_name(kind: str | None) -> str:
    """The Chinese word of a finding kind or removal reason (``duplicate`` → 重复); any
    other text as it is."""
    return _KIND_WORDS.get(kind or "", kind or "")


def kind_rank(kind: str) -> int:
    """Where a kind stands in ``FindingKind``'s order (0 = most serious); unknown ones last."""
    return _KIND_RANK.get(kind, len(_KIND_RANK))


class Indicator(IntFlag):
    """Which Annex 1 indicators a record counts in, stored as a bit mask."""

    NEW = 1  # 城镇新就业人员
    ATTRITION = 2  # 城镇自然减员人数
    REEMPLOYED = 4  # 失业人员再就业人数
    HARDSHIP = 8  # 就业困难人员就业人数
    OVERCAPACITY = 16  # 去产能职工安置人数


#: Indicators 2–6 of Annex 1 in column order, each counted from the records;
#: indicator 1 is derived (附件1 填表说明（三）: 1栏=3栏-5栏，2栏=4栏-6栏).
COUNTED_INDICATORS = (
    Indicator.NEW,
    Indicator.ATTRITION,
    Indicator.REEMPLOYED,
    Indicator.HARDSHIP,
    Indicator.OVERCAPACITY,
)

#: The six indicators of Annex 1 in column order; each has 本周实际 and 本年累计.
INDICATOR_NAMES = (
    "城镇新增就业人员",
    "城镇新就业人员",
    "城镇自然减员人数",
    "失业人员再就业人数",
    "就业困难人员就业人数",
    "去产能职工安置人数",
)
WEEK_COLUMN, YEAR_COLUMN = "本周实际", "本年累计"
ANNEX1_COLUMNS = tuple(f"{n}/{p}" for n in INDICATOR_NAMES for p in (WEEK_COLUMN, YEAR_COLUMN))


# --- The record ----------------------------------------------------------------

EMPLOYMENT_FORMS = ("单位就业", "灵活就业", "自主创业", "公益性岗位", "其他")
FORMS_NEEDING_EMPLOYER = ("单位就业", "公益性岗位")
HARDSHIP_CATEGORIES = (
    "零就业家庭成员",
    "距法定退休年龄10年以内的登记失业人员",
    "连续失业半年以上的登记失业人员",
    "困难家庭高校毕业生",
    "就业困难的被征地农民",
    "残疾人",
    "其他",
)
PLACEMENT_METHODS = (
    "内部转岗",
    "内部退养",
    "解除劳动合同",
    "转岗就业创业",
    "公益性岗位托底",
    "其他",
)
ATTRITION_REASONS = ("退休", "死亡", "因伤病丧失劳动能力", "其他自然原因")
YES, NO = "是", "否"


class FieldKind(StrEnum):
    """How a field's text is read and offered."""

    TEXT = "text"
    YES_NO = "yes_no"  # 是/否
    DATE = "date"
    ID = "id"  # 公民身份号码 (§5.1)
    CHOICE = "choice"  # one of ``Field.choices`` (所属地区: the unit's areas)
    CODE = "code"  # a code or number: USCC, phone


@dataclass(frozen=True, slots=True)
class Situation:
    """What decides which fields a record has and needs: its type and three answers."""

    record_type: str = ""
    employment_form: str = ""
    hardship: str = ""  # 就业困难人员
    overcapacity: str = ""  # 去产能职工


def _always(_s: Situation) -> bool:
    return True


def _never(_s: Situation) -> bool:
    return False


def _new(s: Situation) -> bool:
    return s.record_type == RecordType.NEW


def _attrition(s: Situation) -> bool:
    return s.record_type == RecordType.ATTRITION


def _new_with_employer(s: Situation) -> bool:
    return _new(s) and s.employment_form in FORMS_NEEDING_EMPLOYER


def _hardship(s: Situation) -> bool:
    return _new(s) and s.hardship == YES


def _overcapacity(s: Situation) -> bool:
    return (_new(s) and s.overcapacity == YES) or s.record_type == RecordType.PLACEMENT


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the record (domain.md §3): everything the program knows about it.

    ``raw`` names the attribute keeping the text as written when the value could
    not be read; ``form`` is the field's place in the entry form (0: not there);
    ``grid`` puts it among the ledger grid's columns; ``width`` is its column width
    in the workbooks the program writes.
    """

    attr: str
    header: str
    kind: FieldKind = FieldKind.TEXT
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    free_text: bool = False  # text outside ``choices`` is kept as written
    is_required: Callable[[Situation], bool] = _never  # the `*` and `†` of domain.md §3
    is_shown: Callable[[Situation], bool] = _always  # whether the form offers it
    form: int = 0
    grid: bool = False
    raw: str = ""
    width: int = 0

    def required(self, situation: Situation) -> bool:
        return self.is_required(situation)

    def shown(self, situation: Situation) -> bool:
        return self.form > 0 and self.is_shown(situation)


_YN = (YES, NO)
_T, _C = FieldKind.TEXT, FieldKind.CHOICE

#: THE field table: every field of the record in template order (the import template's
#: columns, the package's 实名台账). Validation, completeness, the entry form, the grid,
#: the demo, the package and the reports read it; nothing else lists the fields.
FIELDS: tuple[Field, ...] = (
    Field("seq", "序号", width=7),
    Field("name", "姓名", is_required=_always, form=2, grid=True, width=10),
    Field(
        "id_number",
        "公民身份号码",
        FieldKind.ID,
        synonyms=("身份证号", "身份证号码", "公民身份证号码", "身份证"),
        is_required=_always,
        form=1,
        grid=True,
        raw="id_raw",
        width=21,
    ),
    Field("sex", "性别", _C, choices=("男", "女"), form=3, grid=True),
    Field(
        "area",
        "所属地区",
        _C,
        synonyms=("地区",),
        is_required=_always,
        form=4,
        grid=True,
        raw="area_raw",
        width=14,
    ),  # fmt: skip
    Field(
        "record_type",
        "登记类型",
        _C,
        choices=tuple(t.value for t in RecordType),
        is_required=_always,
        form=8,
        grid=True,
        width=11,
    ),  # fmt: skip
    Field(
        "event_date",
        "就业（减员）日期",
        FieldKind.DATE,
        synonyms=("就业日期", "就业时间", "减员日期", "就业(减员)日期", "就业（减员）时间"),
        is_required=_always,
        form=9,
        grid=True,
        raw="event_date_raw",
        width=13,
    ),
    Field(
        "employment_form",
        "就业形式",
        _C,
        choices=EMPLOYMENT_FORMS,
        is_required=_new,
        is_shown=_new,
        form=10,
        grid=True,
    ),  # fmt: skip
    Field(
        "employer",
        "就业单位名称",
        synonyms=("就业单位",),
        is_required=_new_with_employer,
        is_shown=_new,
        form=11,
        grid=True,
        width=26,
    ),  # fmt: skip
    Field(
        "uscc",
        "统一社会信用代码",
        FieldKind.CODE,
        synonyms=("社会信用代码", "单位统一社会信用代码"),
        is_shown=_new,
        form=12,
        width=21,
    ),  # fmt: skip
    Field("contract", "签订劳动合同", FieldKind.YES_NO, choices=_YN, is_shown=_new, form=13),
    Field("insurance", "缴纳社会保险", FieldKind.YES_NO, choices=_YN, is_shown=_new, form=14),
    Field("reemployed", "失业人员再就业", FieldKind.YES_NO, choices=_YN, is_shown=_new, form=16),
    Field("hardship", "就业困难人员", FieldKind.YES_NO, choices=_YN, is_shown=_new, form=17),
    Field(
        "hardship_category",
        "困难人员类别",
        _C,
        choices=HARDSHIP_CATEGORIES,
        free_text=True,
        is_required=_hardship,
        is_shown=_hardship,
        form=18,
        width=22,
    ),  # fmt: skip
    Field("overcapacity", "去产能职工", FieldKind.YES_NO, choices=_YN, is_shown=_new, form=19),
    Field(
        "former_enterprise",
        "原企业名称",
        is_required=_overcapacity,
        is_shown=_overcapacity,
        form=20,
        width=24,
    ),  # fmt: skip
    Field(
        "placement_method",
        "安置方式",
        _C,
        choices=PLACEMENT_METHODS,
        is_required=_overcapacity,
        is_shown=_overcapacity,
        form=21,
    ),  # fmt: skip
    Field(
        "attrition_reason",
        "减员原因",
        _C,
        choices=ATTRITION_REASONS,
        is_required=_attrition,
        is_shown=_attrition,
        form=22,
    ),  # fmt: skip
    Field("hukou", "户籍性质", _C, choices=("城镇", "农村"), free_text=True, form=6),
    Field(
        "education",
        "学历",
        _C,
        choices=("初中及以下", "高中", "中专", "大专", "本科", "研究生"),
        free_text=True,
        form=7,
    ),  # fmt: skip
    Field(
        "industry",
        "新就业产业",
        _C,
        choices=("第一产业", "第二产业", "第三产业"),
        free_text=True,
        is_shown=_new,
        form=15,
    ),  # fmt: skip
    Field(
        "phone",
        "联系电话",
        FieldKind.CODE,
        synonyms=("电话", "手机号码", "联系方式"),
        is_required=_new,
        form=5,
        grid=True,
        width=14,
    ),  # fmt: skip
    Field(
        "registered_on",
        "登记日期",
        FieldKind.DATE,
        synonyms=("登记时间",),
        form=23,
        grid=True,
        raw="registered_on_raw",
        width=12,
    ),  # fmt: skip
    Field("remark", "备注", form=24, width=16),
)
FIELD_BY_HEADER: dict[str, Field] = {f.header: f for f in FIELDS}
FIELD_BY_ATTR: dict[str, Field] = {f.attr: f for f in FIELDS}

#: Record fields in template order: (attribute, template header).
RECORD_FIELDS: tuple[tuple[str, str], ...] = tuple((f.attr, f.header) for f in FIELDS)
FIELD_LABELS: dict[str, str] = dict(RECORD_FIELDS)

#: Headers a workbook must have (the `*` fields of domain.md §3: required whatever the record).
REQUIRED_HEADERS: tuple[str, ...] = tuple(f.header for f in FIELDS if f.is_required is _always)

#: Synonyms of template headers as offices write them (domain.md §3).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {f.header: f.synonyms for f in FIELDS if f.synonyms}


def required_headers(situation: Situation) -> list[str]:
    """Template headers a record in this situation must fill (the `*` and `†`): the fields
    of one rule together, the rules in the order of their first field."""
    return [f.header for f in required_fields_of(situation)]


@functools.lru_cache(maxsize=1024)
def required_fields_of(situation: Situation) -> tuple[Field, ...]:
    """The fields of ``required_headers`` (cached: every imported or merged row asks, and
    rows share a few situations)."""
    by_rule: dict[Callable[[Situation], bool], list[Field]] = {}
    for f in FIELDS:
        if f.required(situation):
            by_rule.setdefault(f.is_required, []).append(f)
    return tuple(f for fields in by_rule.values() for f in fields)


def shown_headers(situation: Situation) -> tuple[str, ...]:
    """Template headers the entry form offers for a record in this situation, in form order."""
    return tuple(f.header for f in FORM_FIELDS if f.shown(situation))


#: The entry form's fields in the order the clerk types them.
FORM_FIELDS: tuple[Field, ...] = tuple(sorted((f for f in FIELDS if f.form), key=lambda f: f.form))


@dataclass(slots=True)
class Record:
    """One ledger row as stored: normalised values plus what was written.

    Dates are ISO strings (``YYYY-MM-DD``) or ``None``; ``*_raw`` keeps text
    that could not be read so that the self-check can name it. The fields' order is the
    ledger's column order (``storage.ledger.RECORD_COLUMNS``): the order in which one
    save's changes are listed in a record's history.
    """

    name: str = ""
    id_number: str = ""
    id_raw: str = ""
    id_note: str = ""  # e.g. 15 位号码已升级, or why the ID is damaged
    sex: str = ""
    area_code: str | None = None
    area_raw: str = ""
    record_type: str = ""
    event_date: str | None = None
    event_date_raw: str = ""
    employment_form: str = ""
    employer: str = ""
    uscc: str = ""
    contract: str = ""
    insurance: str = ""
    reemployed: str = ""
    hardship: str = ""
    hardship_category: str = ""
    overcapacity: str = ""
    former_enterprise: str = ""
    placement_method: str = ""
    attrition_reason: str = ""
    hukou: str = ""
    education: str = ""
    industry: str = ""
    phone: str = ""
    registered_on: str | None = None
    registered_on_raw: str = ""
    remark: str = ""
    seq: str = ""
    source_row: int | None = None
    id: int | None = None  # database id, once stored


def template_text(record: Record, field: Field) -> str:
    """A field of a record as template text: the value, else the text as written (所属地区:
    the text as written, else the area's code)."""
    if field.attr == "area":
        return record.area_raw or (record.area_code or "")
    value = getattr(record, field.attr)
    if not value and field.raw:
        value = getattr(record, field.raw)
    return str(value or "")


@dataclass(frozen=True, slots=True)
class Finding:
    """One self-check finding: the record, the kind, the field, a Chinese message."""

    kind: FindingKind
    field: str  # template header (Chinese) of the field concerned
    message: str
    record_id: int | None = None
    keeps: int | None = None  # for duplicates: the record kept instead
    rule: str = ""  # warnings: the rule's key (dismissals.py); empty otherwise


@dataclass(frozen=True, slots=True)
class Area:
    """A row of the weekly table: 本级 (same code as the unit) or a subordinate area."""

    code: str
    name: str
    position: int = 0
    is_self: bool = False


@dataclass(frozen=True, slots=True)
class Unit:
    """The reporting unit (填报单位) a database belongs to."""

    code: str
    name: str
    level: Level


@dataclass(frozen=True, slots=True)
class Week:
    """A reporting week: Saturday–Friday clipped to the calendar year (domain.md §4)."""

    year: int
    month: int  # month of its Friday
    ordinal: int  # ordinal of that Friday in the month
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月第{self.ordinal}周"

    @property
    def key(self) -> str:
        """The command line's ``YYYY-MM-N`` form."""
        return f"{self.year}-{self.month:02d}-{self.ordinal}"


@dataclass(frozen=True, slots=True)
class WeeklyRow:
    code: str
    name: str
    cells: tuple[int, ...]  # the 12 columns of Annex 1


@dataclass(frozen=True, slots=True)
class WeeklyTable:
    """Annex 1 computed from the ledger: 合计 then 本级 then the areas."""

    unit: Unit
    week: Week
    rows: tuple[WeeklyRow, ...]
    total: tuple[int, ...]
    columns: tuple[str, ...] = ANNEX1_COLUMNS
