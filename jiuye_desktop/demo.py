"""Synthetic ledgers: realistic rows for demos, benchmarks and tests.

``generate_rows`` yields rows of the import template (domain.md §3) as a clerk
would type them: Chinese names, valid citizen IDs with Henan area codes, valid
USCCs, mobile numbers, dates spread over the year. A small share of rows carry
exactly one defect of the self-check (domain.md §5.3) on purpose, and say so in
``DemoRow.defect``; every other row passes the self-check.

Pure: no database, no global random state, the same seed gives the same rows.
Speed matters (a million rows for the benchmarks), so every choice is an index
into a precomputed table and nothing per row is heavier than a string format.

Over 500 lines on purpose: the generator's tables (names, employers, areas,
dates) and its one loop are kept together for speed and for one seed to mean
one ledger.
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from random import Random
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from stdnum import numdb
from stdnum.cn import ric, uscc

from .domain import (
    ATTRITION_REASONS,
    EMPLOYMENT_FORMS,
    FIELDS,
    HARDSHIP_CATEGORIES,
    NO,
    YES,
    FieldKind,
    RecordType,
    Situation,
    required_headers,
)
from .validation import FLEX_MONTHS, add_months

T = TypeVar("T")
_Maker = Callable[[int, int, str], tuple[dict[str, object], int, int]]
_TypePicker = Callable[[], int]
_Random = Callable[[], float]

#: Template headers in order: the keys of ``DemoRow.values``.
HEADERS: tuple[str, ...] = tuple(f.header for f in FIELDS)

DEFECT_KINDS = ("duplicate", "invalid", "incomplete")

#: Henan county-level codes used as ID prefixes besides the unit's own areas:
#: people move, so a ledger always holds IDs from elsewhere in the province.
OTHER_HENAN_CODES = (
    "410102",  # 郑州 中原区
    "410105",  # 郑州 金水区
    "410202",  # 开封 龙亭区
    "410302",  # 洛阳 老城区
    "410402",  # 平顶山 新华区
    "410502",  # 安阳 文峰区
    "411023",  # 许昌县 (now 建安区; IDs keep the old code)
    "411102",  # 漯河 源汇区
    "411122",  # 临颍县
    "411302",  # 南阳 宛城区
    "411402",  # 商丘 梁园区
    "411502",  # 信阳 浉河区
    "411602",  # 周口 川汇区
    "411702",  # 驻马店 驿城区
)

# Henan's surnames by frequency tier: (weight, surnames).
_SURNAME_TIERS = (
    (28, "王李张"),
    (20, "刘"),
    (12, "陈杨"),
    (8, "赵郭孙马"),
    (6, "周黄高"),
    (5, "吴徐胡朱宋"),
    (4, "郑韩田冯于董程曹许魏"),
    (3, "何罗梁谢袁苏杜任吕丁姚崔范贾史孟牛侯付白闫"),
    (2, "彭卢蒋沈乔邢郝段雷秦常岳薛申耿"),
    (1, "娄樊翟司庞焦尚"),
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "令狐", "公孙", "司徒")
_MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩建国志海林峰亮东文俊宇博晨旭阳龙凯帅振永广新卫学金彬航宏锋洋涛坤森"
_FEMALE_GIVEN = (
    "芳娜敏静丽艳娟霞燕玲红桂英梅兰萍婷雪慧琳颖洁倩欣怡佳雨璐瑶晶莉琴凤秀珍丹玉蕾月彤悦璇"
)
_NEUTRAL_GIVEN = "子一文志晓春秋天思宏嘉佳俊家明永新海"
#: Characters a clerk's input method may not offer at once (生僻字 in names).
_RARE_GIVEN = "堃喆淼犇旻玥祎赟珺婧昇彧翀琛沅垚燚晟"
_ETHNIC_NAMES = ("阿依古丽·买买提", "艾力·吐尔逊", "马木提·阿不都", "古丽娜尔·艾山")

_MOBILE_PREFIXES = tuple(
    str(p)
    for p in (*range(130, 140), 145, 147, *range(150, 154), *range(155, 160), 166, 170, 173)
    + (*range(176, 179), *range(180, 190), 198, 199)
)
_LANDLINE_CODES = ("0371", "0374", "0375", "0379", "0391", "0394", "0396")

# Employer brands with their industry (新就业产业).
_BRANDS = (
    ("瑞贝卡", "第二产业"),
    ("黄河鲸", "第二产业"),
    ("远东传动", "第二产业"),
    ("众品食业", "第二产业"),
    ("森源电气", "第二产业"),
    ("许继电气", "第二产业"),
    ("金汇不锈钢", "第二产业"),
    ("恒达机械", "第二产业"),
    ("华通线缆", "第二产业"),
    ("宏达纺织", "第二产业"),
    ("天伦建材", "第二产业"),
    ("豫通电缆", "第二产业"),
    ("鑫源食品", "第二产业"),
    ("中原发制品", "第二产业"),
    ("胖东来商贸", "第三产业"),
    ("德信物流", "第三产业"),
    ("万家福超市", "第三产业"),
    ("新世纪酒店", "第三产业"),
    ("安泰物业", "第三产业"),
    ("顺达运输", "第三产业"),
    ("康宁医药", "第三产业"),
    ("华夏电子商务", "第三产业"),
    ("绿源农业", "第一产业"),
    ("丰收种植专业合作社", "第一产业"),
)
_COMPANY_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
_PUBLIC_EMPLOYERS = (
    "人力资源和社会保障局",
    "城市管理局",
    "环境卫生管理处",
    "社区服务中心",
    "劳动保障事务所",
    "园林绿化管理处",
)
_SMALL_BUSINESSES = ("烩面馆", "便利店", "汽车修理部", "服装店", "五金店", "美发店", "农资店")
_OVERCAPACITY_ENTERPRISES = (
    "平顶山天安煤业股份有限公司十三矿",
    "平煤神马集团某煤矿",
    "河南能源化工集团永煤公司",
    "郑州煤炭工业（集团）有限责任公司",
    "义马煤业集团股份有限公司",
    "河南能源化工集团焦煤公司",
    "安阳钢铁集团有限责任公司",
    "禹州市梁北煤矿",
)
_EXTRA_HARDSHIP = ("城镇低保人员", "大龄失业人员", "长期失业人员")
_EDUCATION = (
    ("初中及以下", 25),
    ("高中", 15),
    ("中专", 15),
    ("大专", 20),
    ("本科", 20),
    ("研究生", 3),
)
_UNKNOWN_AREAS = ("火星区", "月球县", "测试区", "不详区", "外省某县")

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ID_CHECK_CHARS = "0123456789X"

# Record types as small ints so that the hot loop compares ints.
_NEW, _ATTRITION, _PLACEMENT = 0, 1, 2
_TYPE_NAMES = (RecordType.NEW.value, RecordType.ATTRITION.value, RecordType.PLACEMENT.value)

# What a row must allow so that an invalid defect can be injected cleanly.
#: Share of 灵活就业 rows registered less than three months after they began
#: (a warning of the self-check, domain.md §5.3); the others wait the three months.
FLEX_EARLY_SHARE = 0.04

_SP_NONE, _SP_UNDER16, _SP_OVERAGE, _SP_USCC, _SP_EVENT_AFTER_REG = range(5)

#: Invalid defects, one per defective row.
_INVALID_KINDS = (
    "check_digit",
    "excel_number",
    "sex",
    "under16",
    "overage",
    "event_after_registration",
    "uscc",
    "phone",
    "area",
)

_SEQ_SLOTS = 499  # sequence numbers per (prefix, birth date, sex): 001…997 / 002…998
_RESERVOIR = 1024  # earlier clean 新就业 rows kept to copy as duplicates


@dataclass(frozen=True, slots=True)
class DemoRow:
    """One synthetic ledger row.

    ``values`` maps every template header to what a clerk would write: text,
    or a ``datetime.date`` for 就业（减员）日期 and 登记日期 (``""`` when blank).
    ``defect`` is ``None`` for a clean row, else the one defect injected on
    purpose: ``"duplicate"``, ``"invalid"`` or ``"incomplete"``.
    """

    values: dict[str, object]
    defect: str | None


def _expand(pairs: Iterable[tuple[T, float]]) -> tuple[T, ...]:
    """A table in which each value appears in proportion to its weight."""
    out: list[T] = []
    for value, weight in pairs:
        out.extend([value] * round(weight * 4))
    return tuple(out)


def _mix(parts: Iterable[tuple[float, Sequence[T]]], size: int = 4096) -> tuple[T, ...]:
    """A table of about ``size`` entries taking each part in proportion to its share.

    Entries are taken evenly through each part, so a part that is itself a
    weighted table keeps its proportions.
    """
    chosen = [(share, part) for share, part in parts if share > 0 and part]
    total = sum(share for share, _ in chosen)
    out: list[T] = []
    for share, part in chosen:
        count = max(1, round(size * share / total))
        out.extend(part[k * len(part) // count] for k in range(count))
    return tuple(out)


def _ages(*spans: tuple[int, int, float]) -> tuple[int, ...]:
    """An age table from (first, last, weight per year) spans."""
    return _expand((age, w) for lo, hi, w in spans for age in range(lo, hi + 1))


def _org_code(body: str) -> str:
    """GB 11714 organisation code: 8 digits and their check character."""
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _uscc(head: str, region: str, rng: Random) -> str:
    """A valid USCC (GB 32100) for registration authority/type ``head``."""
    body = head + region + _org_code(f"{rng.randrange(10**8):08d}")
    return body + uscc.calc_check_digit(body)


def _county_start(code: str) -> int | None:
    """First year of a county-level code per stdnum's table; None if not one."""
    if len(code) != 6 or not code.isdigit() or code.endswith("00"):
        return None
    parts = numdb.get("cn/loc").info(code)
    county = next((p["county"] for _, p in parts if "county" in p), None)
    if not county:
        return None
    starts = []
    for name in county.split(","):
        start = name[1:].split("-")[0] if name.startswith("[") else ""
        starts.append(int(start) if start else 0)
    return min(starts)


def _place(area_name: str) -> str:
    """Short place name for employer names: 许昌市本级 → 许昌, 魏都区 → 魏都."""
    for suffix in ("市本级", "本级", "街道办事处", "街道", "市", "区", "县", "镇", "乡"):
        if area_name.endswith(suffix) and len(area_name) - len(suffix) >= 2:
            return area_name[: -len(suffix)]
    return area_name


@dataclass(frozen=True, slots=True)
class _People:
    """Who appears in a ledger: tables that depend on nothing but this module."""

    surnames: tuple[str, ...]  # also whole 少数民族 names, which contain "·"
    given: tuple[tuple[str, ...], tuple[str, ...]]  # given names of (women, men)
    new: tuple[tuple[bool, int], ...]  # (male, age) at 新就业
    attrition: tuple[tuple[str, bool, int], ...]  # (减员原因, male, age)
    placement: tuple[tuple[str, bool, int], ...]  # (安置方式, male, age)
    hukou_edu: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]  # (新就业, others)
    forms: tuple[str, ...]
    hardship: tuple[str, ...]


@cache
def _people() -> _People:
    common = _expand((name, float(w)) for w, names in _SURNAME_TIERS for name in names)
    surnames = _mix(
        ((0.9945, common), (0.005, _COMPOUND_SURNAMES), (0.0005, _ETHNIC_NAMES)), size=20_000
    )

    def given_names(chars: str) -> tuple[str, ...]:
        return _mix(
            (
                (0.35, tuple(chars)),
                (0.65 * 0.99, tuple(a + b for a in chars for b in chars)),
                (0.65 * 0.01, tuple(a + b for a in chars for b in _RARE_GIVEN)),
            ),
            size=16_384,
        )

    new_m = _ages((18, 21, 2), (22, 30, 6), (31, 40, 5), (41, 50, 3), (51, 55, 1.5), (56, 59, 0.5))
    new_f = _ages((18, 21, 2), (22, 30, 6), (31, 40, 5), (41, 49, 2.5))
    new = _mix(
        (
            (0.55, tuple((True, a) for a in new_m)),
            (0.45 * 0.97, tuple((False, a) for a in new_f)),
            # Women 50–54 only raise a warning at 新就业: keep a few.
            (0.45 * 0.03, tuple((False, a) for a in range(50, 55))),
        )
    )
    # 减员原因 → its share and the ages (men, women) at the event.
    attrition_ages = {
        "退休": (
            80,
            _ages((60, 60, 20), (61, 62, 3), (63, 65, 1)),
            _ages((55, 55, 15), (56, 59, 2), (60, 60, 6)),
        ),
        "死亡": (12, _ages((40, 65, 1)), _ages((40, 65, 1))),
        "因伤病丧失劳动能力": (5, _ages((40, 59, 1)), _ages((40, 54, 1))),
        "其他自然原因": (3, _ages((50, 65, 1)), _ages((50, 65, 1))),
    }
    assert set(attrition_ages) == set(ATTRITION_REASONS)
    attrition = _mix(
        (share * (0.6 if male else 0.4), tuple((reason, male, a) for a in (m if male else f)))
        for reason, (share, m, f) in attrition_ages.items()
        for male in (True, False)
    )
    early_retired = (_ages((50, 59, 1)), _ages((45, 54, 1)))
    working = (_ages((22, 34, 1), (35, 50, 2), (51, 54, 1)), _ages((22, 34, 1), (35, 49, 2)))
    placement = _mix(
        (
            share * (0.8 if male else 0.2),
            tuple(
                (method, male, a)
                for a in (early_retired if method == "内部退养" else working)[0 if male else 1]
            ),
        )
        for method, share in (("内部转岗", 40), ("内部退养", 25), ("解除劳动合同", 20), ("其他", 5))
        for male in (True, False)
    )
    education = _expand((e, float(w)) for e, w in _EDUCATION)

    def hukou_edu(urban: float) -> tuple[tuple[str, str], ...]:
        return _mix(
            (
                (urban, tuple(("城镇", e) for e in education)),
                (1 - urban, tuple(("农村", e) for e in education)),
            )
        )

    return _People(
        surnames=surnames,
        given=(
            given_names(_FEMALE_GIVEN + _NEUTRAL_GIVEN),
            given_names(_MALE_GIVEN + _NEUTRAL_GIVEN),
        ),
        new=new,
        attrition=attrition,
        placement=placement,
        hukou_edu=(hukou_edu(0.55), hukou_edu(0.85)),
        forms=_expand(zip(EMPLOYMENT_FORMS, (46.0, 20.0, 16.0, 12.0, 6.0), strict=True)),
        hardship=_expand(
            [*((c, 12.0) for c in HARDSHIP_CATEGORIES), *((c, 4.0) for c in _EXTRA_HARDSHIP)]
        ),
    )


@dataclass(frozen=True, slots=True)
class _Tables:
    """What depends on the year and the areas (not on the seed)."""

    days: tuple[dt.date, ...]
    day_md: tuple[int, ...]  # month*100+day of each day of the year
    dates: tuple[tuple[int, int], ...]  # weighted (event, registration) day indices
    flex_dates: tuple[tuple[int, int], ...]  # the same for 灵活就业: registered after 3 months
    prev_workday: tuple[int, ...]
    md_key: tuple[int, ...]  # the 365 birth month/days of a common year
    md_text: tuple[str, ...]
    prefixes: tuple[str, ...]  # ID area prefixes
    min_birth_year: tuple[int, ...]  # per prefix: born earlier → the code is too new
    old_prefixes: tuple[int, ...]  # prefixes any adult may carry
    area_draw: tuple[tuple[int, str, int], ...]  # weighted (area, 所属地区 as written, prefix)
    area_names: tuple[str, ...]
    area_codes: tuple[str, ...]  # the code, or the name when the area has none
    unknown_areas: tuple[str, ...]
    employers: tuple[tuple[str, str, str], ...]  # weighted (name, USCC, 新就业产业)
    public_employers: tuple[tuple[str, str], ...]
    small_businesses: tuple[tuple[str, str], ...]


@lru_cache(maxsize=8)
def _tables(year: int, areas: tuple[tuple[str, str], ...]) -> _Tables:
    first = dt.date(year, 1, 1)
    days = tuple(first + dt.timedelta(d) for d in range((dt.date(year + 1, 1, 1) - first).days))
    last = len(days) - 1
    prev_workday = tuple(
        i - (d.weekday() - 4) if d.weekday() >= 5 and i >= d.weekday() - 4 else i
        for i, d in enumerate(days)
    )
    # More hiring after the Spring Festival, at graduation and in the year-end
    # push; fewer events at weekends. Registration follows within 30 days, on a
    # working day when it can, never before the event nor after Dec 31.
    month_weight = (5, 4, 10, 9, 8, 9, 11, 9, 9, 7, 9, 10)
    event_days = _expand(
        (i, month_weight[d.month - 1] * (0.5 if d.weekday() >= 5 else 1.0))
        for i, d in enumerate(days)
    )
    delays = _expand((d, 31.0 - d) for d in range(31))
    table_rng = Random(year)
    dates = []
    for _ in range(1 << 15):
        ev = event_days[int(table_rng.random() * len(event_days))]
        reg = prev_workday[min(last, ev + delays[int(table_rng.random() * len(delays))])]
        dates.append((ev, max(ev, reg)))
    # 灵活就业 counts after three calendar months of work (domain.md §5.3): such a
    # record is registered from that day on, within 30 days, so its event lies
    # in January–September.
    flex_dates = []
    for _ in range(1 << 13):
        ev = event_days[int(table_rng.random() * len(event_days))]
        due = (add_months(days[ev], FLEX_MONTHS) - first).days
        if due > last:
            continue
        reg = min(last, due + delays[int(table_rng.random() * len(delays))])
        reg = prev_workday[reg] if prev_workday[reg] >= due else reg
        flex_dates.append((ev, reg))
    common = [dt.date(2001, 1, 1) + dt.timedelta(d) for d in range(365)]

    own = [code for code, _ in areas]
    prefixes: list[str] = []
    min_birth: list[int] = []
    for code in dict.fromkeys([*own, *OTHER_HENAN_CODES]):
        start = _county_start(code)
        if start is not None:
            prefixes.append(code)
            # An ID keeps the code in force when the first card was issued
            # (about age 16; first-generation cards from the late 1980s), so a
            # code created in 2016 such as 411003 建安区 is not on adults' IDs.
            min_birth.append(start - 16 if start > 1991 else 0)
    old = tuple(i for i, m in enumerate(min_birth) if m == 0)
    local_old = tuple(i for i in old if prefixes[i] in own) or old
    everyone = tuple(range(len(prefixes)))
    area_draw = _mix(
        (
            (1.2 if i == 0 else 1.0) * form_share,
            tuple(
                (i, written, p)
                for p in _mix(
                    (
                        (
                            0.7,
                            (prefixes.index(code),)
                            if code in prefixes and min_birth[prefixes.index(code)] == 0
                            else local_old,  # 本级 of a city, a township, a code too new
                        ),
                        (0.3, everyone),
                    ),
                    size=100,
                )
            ),
        )
        for i, (code, name) in enumerate(areas)
        for written, form_share in ((name, 0.9), (code, 0.1))
        if written
    )

    names = tuple(name for _, name in areas)
    rng = Random(f"jiuye-demo-{year}-{'|'.join(own)}")
    unit_region = own[0] if len(own[0]) == 6 and own[0].isdigit() else "410000"
    places: dict[str, str] = {}  # place → registration region of employers named after it
    for code, name in areas:
        places.setdefault(_place(name), code if len(code) == 6 and code.isdigit() else unit_region)
    employers = []
    for b, (brand, industry) in enumerate(_BRANDS):
        for p, (place, region) in enumerate(places.items()):
            suffix = _COMPANY_SUFFIXES[(b + p) % 3] if (b * 7 + p) % 4 == 0 else "有限公司"
            # Big local employers recur much more often than small ones.
            weight = 12 / (1 + b % 8) / (1 + p / 2)
            employers.append(((place + brand + suffix, _uscc("91", region, rng), industry), weight))
    public = tuple(
        (name.removesuffix("本级") + office, _uscc("12" if k % 2 else "11", unit_region, rng))
        for name in names
        for k, office in enumerate(_PUBLIC_EMPLOYERS)
    )
    small = tuple(
        (f"{place}{surname}记{kind}", _uscc("92", region, rng))
        for place, region in places.items()
        for surname in "王李张刘老"
        for kind in _SMALL_BUSINESSES
    )
    known = set(names) | set(own)
    return _Tables(
        days=days,
        day_md=tuple(d.month * 100 + d.day for d in days),
        dates=tuple(dates),
        flex_dates=tuple(flex_dates),
        prev_workday=prev_workday,
        md_key=tuple(d.month * 100 + d.day for d in common),
        md_text=tuple(f"{d.month:02d}{d.day:02d}" for d in common),
        prefixes=tuple(prefixes),
        min_birth_year=tuple(min_birth),
        old_prefixes=old,
        area_draw=area_draw,
        area_names=names,
        area_codes=tuple(code or name for code, name in areas),
        unknown_areas=tuple(a for a in _UNKNOWN_AREAS if a not in known) or ("火星区甲",),
        employers=_expand(employers),
        public_employers=public,
        small_businesses=small,
    )


def generate_rows(
    n: int,
    *,
    year: int = 2017,
    seed: int = 0,
    areas: Sequence[tuple[str, str]],
    defect_rate: float = 0.01,
) -> Iterator[DemoRow]:
    """Yield ``n`` synthetic ledger rows of ``year``.

    Args:
        n: number of rows.
        year: the ledger year; every event and registration date lies in it.
        seed: the same seed (and arguments) gives the same rows.
        areas: the unit's areas as (code, name), 本级 first; 所属地区 is mostly
            the name, sometimes the code. A code may be empty (a township).
        defect_rate: share of rows of *each* defect kind (duplicate, invalid,
            incomplete), so at most 1/3.

    Raises:
        ValueError: on a negative ``n``, no areas, a year out of range or a
            rate outside [0, 1/3].
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if not areas:
        raise ValueError("at least one area (本级) is needed")
    if not 0 <= defect_rate <= 1 / 3:
        raise ValueError("defect_rate must lie in [0, 1/3]")
    if not 1980 <= year <= 9000:
        raise ValueError("year out of range")
    tables = _tables(year, tuple((str(code), str(name)) for code, name in areas))
    return _rows(n, year, Random(seed), tables, _people(), defect_rate)


def _rows(
    n: int, year: int, rng: Random, t: _Tables, people: _People, rate: float
) -> Iterator[DemoRow]:
    """The generator behind ``generate_rows``; closures keep every lookup local."""
    r = rng.random
    days, day_md, prev_workday = t.days, t.day_md, t.prev_workday
    dates, n_dates = t.dates, len(t.dates)
    flex_dates, n_flex = t.flex_dates, len(t.flex_dates)
    last = len(days) - 1
    md_key, md_text = t.md_key, t.md_text
    prefixes, min_birth, old = t.prefixes, t.min_birth_year, t.old_prefixes
    n_old = len(old)
    area_draw, n_area_draw = t.area_draw, len(t.area_draw)
    area_names, area_codes, n_areas = t.area_names, t.area_codes, len(t.area_names)
    employers, public, small = t.employers, t.public_employers, t.small_businesses
    n_emp, n_pub, n_small = len(employers), len(public), len(small)
    surnames, given = people.surnames, people.given
    n_sur = len(surnames)
    new_people, attr_people, place_people = people.new, people.attrition, people.placement
    n_new, n_attr, n_place = len(new_people), len(attr_people), len(place_people)
    hukou_edu = people.hukou_edu
    forms, n_forms = people.forms, len(people.forms)
    hardship, n_hard = people.hardship, len(people.hardship)
    enterprises, n_ent = _OVERCAPACITY_ENTERPRISES, len(_OVERCAPACITY_ENTERPRISES)
    mobiles = tuple(int(p) * 10**8 for p in _MOBILE_PREFIXES)
    mobile_span = len(mobiles) * 10**8
    calc = ric.calc_check_digit
    n_years = 72
    by0 = year - n_years + 1  # birth years by0 … year
    # How many IDs were handed out per (prefix, sex, birth date): no ID is reused.
    counters = array("H", bytes(2 * len(prefixes) * 2 * n_years * 365))

    def pick_type() -> int:
        u = r()
        return _NEW if u < 0.80 else _ATTRITION if u < 0.92 else _PLACEMENT

    def make(rtype: int, special: int, seq: str) -> tuple[dict[str, object], int, int]:
        """A clean row of ``rtype``; ``special`` bends it for one invalid defect."""
        form = ""
        if rtype == _NEW:
            form = "单位就业" if special == _SP_USCC else forms[int(r() * n_forms)]
        if special == _SP_EVENT_AFTER_REG:
            ev = 1 + int(r() * last)
            reg = ev - 1 - int(r() * min(30, ev))
        elif form == "灵活就业" and r() >= FLEX_EARLY_SHARE:
            ev, reg = flex_dates[int(r() * n_flex)]
        else:  # (a few 灵活就业 registered too early: the self-check warns)
            ev, reg = dates[int(r() * n_dates)]

        reason = method = ""
        if rtype == _NEW:
            if special == _SP_UNDER16:
                male, age = r() < 0.55, 14 + int(r() * 2)
            elif special == _SP_OVERAGE:
                male = r() < 0.55
                age = 60 + int(r() * 3) if male else 55 + int(r() * 4)
            else:
                male, age = new_people[int(r() * n_new)]
        elif rtype == _ATTRITION:
            reason, male, age = attr_people[int(r() * n_attr)]
        else:
            method, male, age = place_people[int(r() * n_place)]

        # The citizen ID: area, birth date, sequence (odd for men), check digit.
        ai, area, pi = area_draw[int(r() * n_area_draw)]
        emd = day_md[ev]
        doy = int(r() * 365)
        while True:
            by = year - age - (md_key[doy] > emd)
            if by < min_birth[pi]:
                pi = old[int(r() * n_old)]
            key = ((pi * 2 + male) * n_years + by - by0) * 365 + doy
            count = counters[key]
            if count < _SEQ_SLOTS:
                break
            doy = (doy + 1) % 365
        counters[key] = count + 1
        serial = ((count * 263 + key) % _SEQ_SLOTS) * 2 + (1 if male else 2)
        id17 = f"{prefixes[pi]}{by}{md_text[doy]}{serial:03d}"
        id_number = id17 + calc(id17 + "0")

        name = surnames[int(r() * n_sur)]
        if "·" not in name:
            names = given[male]
            name += names[int(r() * len(names))]
        u = 0.0 if rtype == _NEW else r()
        if u < 0.9:
            x = int(r() * mobile_span)
            phone = str(mobiles[x // 100_000_000] + x % 100_000_000)
        elif u < 0.95:
            phone = f"{_LANDLINE_CODES[int(r() * 7)]}-{int(r() * 9e6) + 1_000_000}"
        else:
            phone = ""
        he = hukou_edu[rtype != _NEW]
        hukou, edu = he[int(r() * len(he))]

        employer = code = contract = insurance = industry = remark = ""
        reemployed = hard = category = overcap = enterprise = ""
        if rtype == _NEW:
            u = r()
            if form == "单位就业":
                employer, code, industry = employers[int(r() * n_emp)]
                if u < 0.1 and special != _SP_USCC:
                    code = ""
                contract = YES if u < 0.92 else NO
                insurance = YES if u < 0.7 or u >= 0.96 else NO
            elif form == "公益性岗位":
                employer, code = public[int(r() * n_pub)]
                industry = "第三产业"
                contract = insurance = YES
            else:
                if form == "自主创业" and u < 0.25:
                    employer, code = small[int(r() * n_small)]
                industry = "第三产业" if u < 0.8 else "第二产业" if u < 0.95 else "第一产业"
            u = r()
            hard = YES if u < 0.11 else NO
            # Most 困难人员 were registered unemployed; about 32% of all are 再就业.
            reemployed = YES if u < 0.09 or 0.11 <= u < 0.34 else NO
            if u < 0.11:
                # Categories tied to age: near retirement, or a recent graduate.
                for _ in range(3):
                    category = hardship[int(r() * n_hard)]
                    if category.startswith("距法定"):
                        if age >= (50 if male else 40):
                            break
                    elif category != "困难家庭高校毕业生" or age <= 28:
                        break
                else:
                    category = "连续失业半年以上的登记失业人员"
            if u > 0.98:
                overcap = YES
                enterprise = enterprises[int(r() * n_ent)]
                method = "公益性岗位托底" if form == "公益性岗位" else "转岗就业创业"
            else:
                overcap = NO
            if age <= 24 and edu in ("大专", "本科", "研究生") and r() < 0.3:
                remark = "高校毕业生"
            elif form == "自主创业" and hukou == "农村" and r() < 0.1:
                remark = "返乡创业"
        elif rtype == _PLACEMENT:
            overcap = YES
            enterprise = enterprises[int(r() * n_ent)]

        values: dict[str, object] = {
            "序号": seq,
            "姓名": name,
            "公民身份号码": id_number,
            "性别": "男" if male else "女",
            "所属地区": area,
            "登记类型": _TYPE_NAMES[rtype],
            "就业（减员）日期": days[ev],
            "就业形式": form,
            "就业单位名称": employer,
            "统一社会信用代码": code,
            "签订劳动合同": contract,
            "缴纳社会保险": insurance,
            "失业人员再就业": reemployed,
            "就业困难人员": hard,
            "困难人员类别": category,
            "去产能职工": overcap,
            "原企业名称": enterprise,
            "安置方式": method,
            "减员原因": reason,
            "户籍性质": hukou,
            "学历": edu,
            "新就业产业": industry,
            "联系电话": phone,
            "登记日期": days[reg],
            "备注": remark,
        }
        return values, reg, ai

    def other_area(ai: int) -> str:
        aj = (ai + 1 + int(r() * (n_areas - 1))) % n_areas
        return area_codes[aj] if r() < 0.1 else area_names[aj]

    # Algorithm R: a bounded, uniform sample of the earlier clean 新就业 rows
    # that are not registered on Dec 31 (a copy must be registered later).
    reservoir: list[tuple[dict[str, object], int, int]] = []
    admitted = 0
    excel_seen: set[str] = set()  # IDs shown as Excel numbers so far
    r1, r2, r3 = rate, 2 * rate, 3 * rate
    for i in range(n):
        seq = str(i + 1)
        u = r()
        if u >= r3 or (u < r1 and not reservoir):
            rtype = pick_type()
            values, reg, ai = make(rtype, _SP_NONE, seq)
            if rtype == _NEW and reg < last and r3:
                admitted += 1
                if len(reservoir) < _RESERVOIR:
                    reservoir.append((dict(values), reg, ai))
                else:
                    j = int(r() * admitted)
                    if j < _RESERVOIR:
                        reservoir[j] = (dict(values), reg, ai)
            yield DemoRow(values, None)
        elif u < r1:
            # The same person registered again later, maybe by another area.
            original, oreg, ai = reservoir[int(r() * len(reservoir))]
            values = dict(original)
            reg = min(last, oreg + 1 + int(r() * r() * 45))
            if oreg < prev_workday[reg]:
                reg = prev_workday[reg]
            values["序号"] = seq
            values["登记日期"] = days[reg]
            if n_areas > 1 and r() < 0.3:
                values["所属地区"] = other_area(ai)
            yield DemoRow(values, "duplicate")
        elif u < r2:
            values = _invalid(make, pick_type, r, t.unknown_areas, excel_seen, seq)
            yield DemoRow(values, "invalid")
        else:
            values = make(pick_type(), _SP_NONE, seq)[0]
            blanks = _required(values)
            values[blanks[int(r() * len(blanks))]] = ""
            yield DemoRow(values, "incomplete")


def _required(values: dict[str, object]) -> list[str]:
    """The required fields (domain.md §3, * and †) that this row fills."""
    return required_headers(
        Situation(
            str(values["登记类型"]),
            str(values["就业形式"]),
            str(values["就业困难人员"]),
            str(values["去产能职工"]),
        )
    )


def _excel_number(digits: str) -> str:
    """How Excel shows a number given by its leading significant digits: 4.11002E+17."""
    mantissa = digits.rstrip("0") or "0"
    return f"{mantissa[0]}.{mantissa[1:]}E+17".replace(".E", "E")


def _invalid(
    make: _Maker,
    pick_type: _TypePicker,
    r: _Random,
    unknown: tuple[str, ...],
    excel_seen: set[str],
    seq: str,
) -> dict[str, object]:
    """A row that breaks exactly one invalid rule of domain.md §5.3."""
    kind = _INVALID_KINDS[int(r() * len(_INVALID_KINDS))]
    if kind == "under16":
        return make(_NEW, _SP_UNDER16, seq)[0]
    if kind == "overage":
        return make(_NEW, _SP_OVERAGE, seq)[0]
    if kind == "event_after_registration":
        return make(pick_type(), _SP_EVENT_AFTER_REG, seq)[0]
    if kind == "uscc":
        values = make(_NEW, _SP_USCC, seq)[0]
        code = str(values["统一社会信用代码"])
        wrong = _USCC_ALPHABET.replace(code[-1], "")
        values["统一社会信用代码"] = code[:-1] + wrong[int(r() * len(wrong))]
        return values
    values = make(pick_type(), _SP_NONE, seq)[0]
    id_number = str(values["公民身份号码"])
    if kind == "excel_number":
        # General format shows 6 significant digits, the cell keeps 15. Two
        # damaged rows never show the same text: the self-check must not take
        # them for one person.
        shown = (
            _excel_number(str(round(int(id_number[:7]) / 10))),
            _excel_number(str(round(int(id_number[:16]) / 10))),
        )
        for text in shown if r() < 0.5 else shown[::-1]:
            if text not in excel_seen:
                excel_seen.add(text)
                values["公民身份号码"] = text
                return values
        kind = "check_digit"
    if kind == "check_digit":
        wrong = _ID_CHECK_CHARS.replace(id_number[-1], "")
        values["公民身份号码"] = id_number[:-1] + wrong[int(r() * len(wrong))]
    elif kind == "sex":
        values["性别"] = "女" if values["性别"] == "男" else "男"
    elif kind == "phone":
        phone = f"1{3 + int(r() * 7)}{int(r() * 1e9):09d}"
        values["联系电话"] = (
            "1234567",
            phone[:-1],
            phone + str(int(r() * 10)),
            f"{int(r() * 9e6) + 1000000}",
        )[int(r() * 4)]
    else:  # area
        values["所属地区"] = unknown[int(r() * len(unknown))]
    return values


#: Columns written as text whatever they look like (Excel would eat digits).
_TEXT_HEADERS = tuple(f.header for f in FIELDS if f.kind in (FieldKind.ID, FieldKind.CODE))


def write_workbook(rows: Iterable[DemoRow], path: Path, *, sheet: str = "实名台账") -> int:
    """Write rows as an import-template workbook; return the number of rows written.

    The header row holds every template header; IDs, USCCs and phones are text
    cells formatted ``@`` (so that editing them in Excel keeps every digit);
    dates are date cells; blanks are empty cells; 序号 is a number. The file
    appears only when complete: it is written beside ``path``, then renamed.
    """
    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for col, field in enumerate(FIELDS, 1):
        header = field.header
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = field.width or 2 * len(header) + 2
        if header in _TEXT_HEADERS:
            dim.number_format = "@"
    ws.freeze_panes = "C2"
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)

    text_cols = frozenset(HEADERS.index(h) for h in _TEXT_HEADERS)
    count = 0
    for row in rows:
        values = row.values
        out: list[object] = []
        for col, header in enumerate(HEADERS):
            value = values.get(header, "")
            if value == "" or value is None:
                out.append(None)
            elif col in text_cols:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.number_format = "@"
                out.append(cell)
            elif col == 0 and isinstance(value, str) and value.isdigit():
                out.append(int(value))
            else:
                out.append(value)
        ws.append(out)
        count += 1
    part = path.with_name(path.name + ".part")
    try:
        wb.save(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return count
