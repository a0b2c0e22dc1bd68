"""Domain types of the real-name ledger (domain.md §2–§5).

Plain dataclasses and constants; no I/O. Chinese strings here are the domain's
own words (record types, headers, indicator names) as they appear on the forms.
"""

from __future__ import annotations

import datetime as dt
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

#: Record fields in template order: (attribute, template header).
RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("seq", "序号"),
    ("name", "姓名"),
    ("id_number", "公民身份号码"),
    ("sex", "性别"),
    ("area", "所属地区"),
    ("record_type", "登记类型"),
    ("event_date", "就业（减员）日期"),
    ("employment_form", "就业形式"),
    ("employer", "就业单位名称"),
    ("uscc", "统一社会信用代码"),
    ("contract", "签订劳动合同"),
    ("insurance", "缴纳社会保险"),
    ("reemployed", "失业人员再就业"),
    ("hardship", "就业困难人员"),
    ("hardship_category", "困难人员类别"),
    ("overcapacity", "去产能职工"),
    ("former_enterprise", "原企业名称"),
    ("placement_method", "安置方式"),
    ("attrition_reason", "减员原因"),
    ("hukou", "户籍性质"),
    ("education", "学历"),
    ("industry", "新就业产业"),
    ("phone", "联系电话"),
    ("registered_on", "登记日期"),
    ("remark", "备注"),
)
FIELD_LABELS: dict[str, str] = dict(RECORD_FIELDS)

#: Headers a workbook must have (the `*` fields of domain.md §3).
REQUIRED_HEADERS = ("姓名", "公民身份号码", "所属地区", "登记类型", "就业（减员）日期")

#: Synonyms of template headers as offices write them (domain.md §3).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "公民身份号码": ("身份证号", "身份证号码", "公民身份证号码", "身份证"),
    "就业（减员）日期": ("就业日期", "就业时间", "减员日期", "就业(减员)日期", "就业（减员）时间"),
    "所属地区": ("地区",),
    "就业单位名称": ("就业单位",),
    "统一社会信用代码": ("社会信用代码", "单位统一社会信用代码"),
    "联系电话": ("电话", "手机号码", "联系方式"),
    "登记日期": ("登记时间",),
}

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


@dataclass(slots=True)
class Record:
    """One ledger row as stored: normalised values plus what was written.

    Dates are ISO strings (``YYYY-MM-DD``) or ``None``; ``*_raw`` keeps text
    that could not be read so that the self-check can name it.
    """

    name: str = ""
    id_number: str = ""
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
    id_raw: str = ""
    id_note: str = ""  # e.g. 15 位号码已升级, or why the ID is damaged
    source_row: int | None = None
    id: int | None = None  # database id, once stored


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
