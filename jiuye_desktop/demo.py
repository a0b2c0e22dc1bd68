"""Synthetic ledgers: realistic rows for demos, benchmarks and tests.

``generate_rows`` yields rows of the import template (domain.md §3) as a clerk
would type them: Chinese names, valid citizen IDs with Henan area codes, valid
USCCs, mobile numbers, dates spread over the year. A small share of rows carry
exactly one defect of the self-check (domain.md §5.3) on purpose, and say so in
``DemoRow.defect``; every other row passes the self-check.

Pure: no database, no global random state, the same seed gives the same rows.
Speed matters (a million rows for the benchmarks), so every choice is an index
into a precomputed table and nothing per row is heavier than a string format.

The tables it draws from (names, ages, employers, areas, dates) are built once
in ``demo_tables``; ``demo_workbook.write_workbook`` writes the rows as an
import-template workbook.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from random import Random

from stdnum.cn import ric

from . import demo_tables
from .demo_tables import LANDLINE_CODES, MOBILE_PREFIXES, OVERCAPACITY_ENTERPRISES
from .domain import FIELDS, NO, YES, RecordType, Situation, required_headers

_Maker = Callable[[int, int, str], tuple[dict[str, object], int, int]]
_TypePicker = Callable[[], int]
_Random = Callable[[], float]

#: Template headers in order: the keys of ``DemoRow.values``.
HEADERS: tuple[str, ...] = tuple(f.header for f in FIELDS)

DEFECT_KINDS = ("duplicate", "invalid", "incomplete")

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
    tables = demo_tables.tables(year, tuple((str(code), str(name)) for code, name in areas))
    return _rows(n, year, Random(seed), tables, demo_tables.people(), defect_rate)


def _rows(
    n: int, year: int, rng: Random, t: demo_tables.Tables, people: demo_tables.People, rate: float
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
    enterprises, n_ent = OVERCAPACITY_ENTERPRISES, len(OVERCAPACITY_ENTERPRISES)
    mobiles = tuple(int(p) * 10**8 for p in MOBILE_PREFIXES)
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
            phone = f"{LANDLINE_CODES[int(r() * 7)]}-{int(r() * 9e6) + 1_000_000}"
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
