"""The synthetic ledger generator (jiuye_desktop.demo): realism, defects, workbook."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from stdnum.cn import ric, uscc

from jiuye_desktop.demo import DemoRow, generate_rows
from jiuye_desktop.demo_workbook import write_workbook
from jiuye_desktop.domain import (
    ATTRITION_REASONS,
    EMPLOYMENT_FORMS,
    FORMS_NEEDING_EMPLOYER,
    PLACEMENT_METHODS,
    RECORD_FIELDS,
    REQUIRED_HEADERS,
)
from jiuye_desktop.validation import add_months

XUCHANG = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
HEADERS = [header for _, header in RECORD_FIELDS]
ID_RE = re.compile(r"\d{17}[\dX]")
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
NEW, ATTRITION, PLACEMENT = "新就业", "自然减员", "去产能安置"


def required(values: dict[str, object]) -> list[str]:
    """The `*` and `†` fields of domain.md §3 for this row, written independently."""
    fields = list(REQUIRED_HEADERS)
    rtype = values["登记类型"]
    if rtype == NEW:
        fields += ["就业形式", "联系电话"]
        if values["就业形式"] in FORMS_NEEDING_EMPLOYER:
            fields.append("就业单位名称")
        if values["就业困难人员"] == "是":
            fields.append("困难人员类别")
    if rtype == ATTRITION:
        fields.append("减员原因")
    if rtype == PLACEMENT or (rtype == NEW and values["去产能职工"] == "是"):
        fields += ["原企业名称", "安置方式"]
    return fields


def date_of(values: dict[str, object], header: str = "就业（减员）日期") -> dt.date:
    value = values[header]
    assert isinstance(value, dt.date)
    return value


def age_at(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def problems(values: dict[str, object], known_areas: set[str], year: int = 2017) -> list[str]:
    """Invalid and incomplete findings of domain.md §5.3 for one row (no duplicates)."""
    found = [f"incomplete:{h}" for h in required(values) if values[h] == ""]
    id_number = str(values["公民身份号码"])
    event, registered = values["就业（减员）日期"], values["登记日期"]
    if id_number:
        if not ID_RE.fullmatch(id_number) or ric.calc_check_digit(id_number) != id_number[-1]:
            found.append("invalid:id")
        else:
            birth = ric.get_birth_date(id_number)
            male = int(id_number[16]) % 2 == 1
            if values["性别"] and values["性别"] != ("男" if male else "女"):
                found.append("invalid:sex")
            if isinstance(event, dt.date):
                age = age_at(birth, event)
                if birth <= dt.date(1900, 1, 1) or birth > event or age < 16:
                    found.append("invalid:age")
                elif values["登记类型"] == NEW and age >= (60 if male else 55):
                    found.append("invalid:overage")
    if (
        isinstance(event, dt.date)
        and isinstance(registered, dt.date)
        and (event > registered or event.year != year or registered.year != year)
    ):
        found.append("invalid:dates")
    if values["所属地区"] and values["所属地区"] not in known_areas:
        found.append("invalid:area")
    code = str(values["统一社会信用代码"])
    if code and (not USCC_RE.fullmatch(code) or uscc.calc_check_digit(code[:17]) != code[17]):
        found.append("invalid:uscc")
    phone = str(values["联系电话"])
    if phone and not PHONE_RE.fullmatch(phone):
        found.append("invalid:phone")
    return found


@pytest.fixture(scope="module")
def rows() -> list[DemoRow]:
    return list(generate_rows(5000, seed=11, areas=XUCHANG, defect_rate=0.02))


KNOWN = {code for code, _ in XUCHANG} | {name for _, name in XUCHANG}


def test_same_seed_same_rows() -> None:
    first = list(generate_rows(2000, seed=3, areas=XUCHANG))
    again = list(generate_rows(2000, seed=3, areas=XUCHANG))
    assert first == again


def test_different_seed_different_rows() -> None:
    a = [row.values["公民身份号码"] for row in generate_rows(500, seed=1, areas=XUCHANG)]
    b = [row.values["公民身份号码"] for row in generate_rows(500, seed=2, areas=XUCHANG)]
    assert a != b
    assert len(set(a) & set(b)) < 25


def test_values_hold_every_template_header(rows: list[DemoRow]) -> None:
    for row in rows[:200]:
        assert list(row.values) == HEADERS
        for header, value in row.values.items():
            if header in ("就业（减员）日期", "登记日期"):
                assert isinstance(value, dt.date) or value == ""
            else:
                assert isinstance(value, str)


def test_clean_rows_pass_every_rule(rows: list[DemoRow]) -> None:
    for row in rows:
        if row.defect is None:
            assert problems(row.values, KNOWN) == [], row.values


def test_clean_ids_are_valid_and_agree_with_sex_and_age(rows: list[DemoRow]) -> None:
    clean = [row.values for row in rows if row.defect is None]
    for values in clean:
        id_number = str(values["公民身份号码"])
        assert ID_RE.fullmatch(id_number)
        assert ric.calc_check_digit(id_number) == id_number[-1]
        assert id_number[:2] == "41"  # a Henan area code
        male = int(id_number[16]) % 2 == 1
        assert values["性别"] == ("男" if male else "女")
        event = values["就业（减员）日期"]
        assert isinstance(event, dt.date)
        age = age_at(ric.get_birth_date(id_number), event)
        if values["登记类型"] == NEW:
            assert 18 <= age < (60 if male else 55)
        elif values["登记类型"] == ATTRITION and values["减员原因"] == "退休":
            assert 55 <= age <= 65
        else:
            assert 20 <= age <= 65
    # Some women of 50–54 at 新就业 (a warning only), but few.
    older_women = sum(
        1
        for v in clean
        if v["登记类型"] == NEW
        and v["性别"] == "女"
        and age_at(ric.get_birth_date(str(v["公民身份号码"])), date_of(v)) >= 50
    )
    assert 0 < older_women < 0.03 * len(clean)


def test_no_clean_row_is_a_duplicate(rows: list[DemoRow]) -> None:
    """Per the keep rule, every clean row is the one kept in its group."""
    groups: dict[tuple[str, str], list[DemoRow]] = {}
    for row in rows:
        v = row.values
        if v["公民身份号码"] and v["登记类型"]:
            key = (str(v["公民身份号码"]), str(v["登记类型"]))
            groups.setdefault(key, []).append(row)
    for group in groups.values():
        assert sum(row.defect is None for row in group) <= 1
        if len(group) > 1:
            kept = min(
                group, key=lambda row: (row.values["就业（减员）日期"], row.values["登记日期"])
            )
            assert all(row.defect == "duplicate" for row in group if row is not kept)


def test_record_types_and_flags_in_realistic_shares(rows: list[DemoRow]) -> None:
    clean = [row.values for row in rows if row.defect is None]
    types = Counter(v["登记类型"] for v in clean)
    assert 0.76 < types[NEW] / len(clean) < 0.84
    assert 0.09 < types[ATTRITION] / len(clean) < 0.15
    assert 0.05 < types[PLACEMENT] / len(clean) < 0.11
    new = [v for v in clean if v["登记类型"] == NEW]
    forms = Counter(v["就业形式"] for v in new)
    assert set(forms) == set(EMPLOYMENT_FORMS)
    assert forms.most_common(1)[0][0] == "单位就业"
    assert 0.2 < sum(v["失业人员再就业"] == "是" for v in new) / len(new) < 0.45
    assert 0.06 < sum(v["就业困难人员"] == "是" for v in new) / len(new) < 0.16
    assert 0 < sum(v["去产能职工"] == "是" for v in new) < 0.05 * len(new)
    for v in clean:
        if v["登记类型"] == ATTRITION:
            assert v["减员原因"] in ATTRITION_REASONS
        if v["登记类型"] == PLACEMENT:
            assert v["去产能职工"] == "是" and v["安置方式"] in PLACEMENT_METHODS
        assert v["户籍性质"] in ("城镇", "农村")
        assert 2 <= len(str(v["姓名"])) <= 20


def test_dates_spread_over_the_year(rows: list[DemoRow]) -> None:
    clean = [row.values for row in rows if row.defect is None]
    months = Counter(date_of(v).month for v in clean)
    assert len(months) == 12 and min(months.values()) > 0.03 * len(clean)
    flex = early = 0
    for v in clean:
        event, registered = v["就业（减员）日期"], v["登记日期"]
        assert isinstance(event, dt.date) and isinstance(registered, dt.date)
        assert registered <= dt.date(2017, 12, 31)
        if v["就业形式"] == "灵活就业":
            # Registered from three calendar months after the start, within 30 days,
            # except a few registered too early (the self-check warns about those).
            flex += 1
            due = add_months(event, 3)
            if registered < due:
                early += 1
                assert 0 <= (registered - event).days <= 30
            else:
                assert (registered - due).days <= 30
        else:
            assert 0 <= (registered - event).days <= 30
    assert flex > 100 and 0 < early < 0.08 * flex


def test_areas_by_name_mostly_sometimes_by_code(rows: list[DemoRow]) -> None:
    written = Counter(row.values["所属地区"] for row in rows if row.defect is None)
    by_code = sum(n for area, n in written.items() if str(area).isdigit())
    assert set(written) <= KNOWN
    assert {name for _, name in XUCHANG} <= set(written)
    assert 0.05 < by_code / sum(written.values()) < 0.15


def test_defect_counts_near_the_rate(rows: list[DemoRow]) -> None:
    counts = Counter(row.defect for row in rows)
    for kind in ("duplicate", "invalid", "incomplete"):
        assert 60 <= counts[kind] <= 140, counts  # 5000 × 0.02 = 100 each


def test_invalid_rows_break_exactly_one_rule(rows: list[DemoRow]) -> None:
    kinds: Counter[str] = Counter()
    for row in rows:
        if row.defect == "invalid":
            found = problems(row.values, KNOWN)
            assert len(found) == 1 and found[0].startswith("invalid:"), (found, row.values)
            kinds[found[0]] += 1
    assert len(kinds) == 8  # id (check digit or Excel number), sex, age, overage, dates, …
    excel = [row for row in rows if "E+" in str(row.values["公民身份号码"])]
    assert excel and all(
        re.fullmatch(r"4\.\d{0,14}E\+17", str(r.values["公民身份号码"])) for r in excel
    )


def test_incomplete_rows_miss_exactly_one_required_field(rows: list[DemoRow]) -> None:
    blanked: Counter[str] = Counter()
    for row in rows:
        if row.defect == "incomplete":
            found = problems(row.values, KNOWN)
            assert len(found) == 1 and found[0].startswith("incomplete:"), (found, row.values)
            blanked[found[0]] += 1
    assert len(blanked) >= 6


def test_duplicates_copy_an_earlier_clean_new_employment(rows: list[DemoRow]) -> None:
    earlier: dict[str, dict[str, object]] = {}
    seen_other_area = False
    for row in rows:
        v = row.values
        if row.defect is None and v["登记类型"] == NEW:
            earlier[str(v["公民身份号码"])] = v
        elif row.defect == "duplicate":
            first = earlier[str(v["公民身份号码"])]
            assert problems(v, KNOWN) == []
            assert v["姓名"] == first["姓名"]
            assert v["就业（减员）日期"] == first["就业（减员）日期"]
            assert date_of(first, "登记日期") < date_of(v, "登记日期") <= dt.date(2017, 12, 31)
            seen_other_area |= v["所属地区"] != first["所属地区"]
    assert seen_other_area


def test_no_defects_at_rate_zero() -> None:
    rows = list(generate_rows(1000, seed=5, areas=XUCHANG, defect_rate=0))
    assert all(row.defect is None for row in rows)
    assert len({row.values["公民身份号码"] for row in rows}) == 1000


def test_county_with_townships_without_codes() -> None:
    areas = [("411024", "鄢陵县本级"), ("", "安陵镇"), ("", "马栏镇")]
    known = {"411024", "鄢陵县本级", "安陵镇", "马栏镇"}
    rows = list(generate_rows(1000, seed=2, year=2018, areas=areas))
    assert {row.values["所属地区"] for row in rows if row.defect is None} <= known
    for row in rows:
        if row.defect is None:
            assert problems(row.values, known, year=2018) == []


def test_generation_is_lazy() -> None:
    row = next(generate_rows(10**9, areas=XUCHANG))
    assert row.values["序号"] == "1"


@pytest.mark.parametrize(
    "kwargs", [{"n": -1}, {"areas": []}, {"defect_rate": 0.5}, {"defect_rate": -0.1}]
)
def test_bad_arguments_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"n": 10, "areas": XUCHANG, **kwargs}
    with pytest.raises(ValueError):
        generate_rows(**args)  # type: ignore[arg-type]


def test_write_workbook_round_trips(tmp_path: Path) -> None:
    rows = list(generate_rows(300, seed=4, areas=XUCHANG, defect_rate=0.05))
    path = tmp_path / "ledger.xlsx"
    assert write_workbook(iter(rows), path) == 300
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["实名台账"]
    table = workbook.get_sheet_by_index(0).to_python()
    assert table[0] == HEADERS
    assert len(table) == 301
    for row, cells in zip(rows, table[1:], strict=True):
        for header, cell in zip(HEADERS, cells, strict=True):
            value = row.values[header]
            if header == "序号":
                assert isinstance(cell, (int, float)) and int(cell) == int(str(value))
            else:
                assert cell == value, header  # IDs, phones, USCCs stay text
    assert not list(tmp_path.glob("*.part"))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63))
def test_any_seed_gives_valid_ids(seed: int) -> None:
    for row in generate_rows(60, seed=seed, areas=XUCHANG):
        if row.defect is None:
            id_number = str(row.values["公民身份号码"])
            assert ric.calc_check_digit(id_number) == id_number[-1]
            assert problems(row.values, KNOWN) == []
