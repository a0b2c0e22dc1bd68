"""The demo generator's tables: who appears in a ledger, and what a year and its areas allow.

``people()`` holds what depends on nothing but this module: surnames and given
names by frequency, ages at each kind of event, 户籍 and education, 就业形式
and 困难人员类别, each as a weighted table in which a uniform index draws a
value in proportion to its weight. ``tables(year, areas)`` holds what depends
on the year and the unit's areas (not on the seed): days and dates, ID area
prefixes, how 所属地区 is written, employers with valid USCCs. Both are built
once and cached; ``demo`` draws every row from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from random import Random
from typing import TypeVar

from stdnum import numdb
from stdnum.cn import uscc

from .domain import ATTRITION_REASONS, EMPLOYMENT_FORMS, HARDSHIP_CATEGORIES
from .validation import FLEX_MONTHS, add_months

T = TypeVar("T")

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

MOBILE_PREFIXES = tuple(
    str(p)
    for p in (*range(130, 140), 145, 147, *range(150, 154), *range(155, 160), 166, 170, 173)
    + (*range(176, 179), *range(180, 190), 198, 199)
)
LANDLINE_CODES = ("0371", "0374", "0375", "0379", "0391", "0394", "0396")

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
OVERCAPACITY_ENTERPRISES = (
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
class People:
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
def people() -> People:
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

    return People(
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
class Tables:
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
def tables(year: int, areas: tuple[tuple[str, str], ...]) -> Tables:
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
    return Tables(
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
