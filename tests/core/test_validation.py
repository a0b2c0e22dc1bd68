"""Rules of domain.md §5: IDs, USCC, phone, dates, and findings of one record."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from jiuye_desktop.domain import FindingKind, Record
from jiuye_desktop.validation import (
    age_on,
    id_check_digit,
    id_text_from_number,
    parse_date,
    phone_ok,
    read_id,
    record_findings,
    uscc_check_char,
    uscc_error,
)

bodies = st.from_regex(
    r"\A41[0-9]{4}(19[0-9]{2}|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"
)


@given(bodies)
def test_check_digit_makes_a_valid_id(body: str) -> None:
    number = body + id_check_digit(body)
    assert read_id(number).ok
    # stdnum's own digit (it expects the full number) agrees.
    assert ric.calc_check_digit(number) == number[17]


@given(bodies, st.sampled_from("0123456789X"))
def test_any_other_check_digit_is_invalid(body: str, digit: str) -> None:
    right = id_check_digit(body)
    res = read_id(body + digit)
    assert res.ok == (digit == right)
    if digit != right:
        assert "校验位" in res.error


@given(bodies)
def test_fifteen_digit_id_is_upgraded(body: str) -> None:
    old = body[:6] + body[8:17]
    if body[6:8] != "19":
        return
    res = read_id(old)
    assert res.ok and res.number == body + id_check_digit(body)
    assert "15位" in res.note


def test_normalisation_spaces_fullwidth_and_lower_x() -> None:
    number = "41010219880413716X"
    assert read_id(number).ok
    assert read_id(" 410102 19880413 716x ").number == number
    assert read_id("４１０１０２１９８８０４１３７１６ｘ").number == number


def test_genuine_id_with_newer_area_code_is_valid() -> None:
    """411082 (长葛市, 1993–) with birth 1990: stdnum's validate rejects it, we must not."""
    body = "41108219900101123"
    number = body + id_check_digit(body)
    assert read_id(number).ok


def test_id_stored_as_a_number_is_damaged() -> None:
    text = id_text_from_number(4.11002198503121e17)
    assert text == "4.11002E+17"
    res = read_id(text)
    assert not res.ok and "Excel" in res.error
    assert "17位" in read_id("41100219850312123").error
    # A 15-digit old ID survives as a number.
    assert id_text_from_number(410102840221288.0) == "410102840221288"


def test_impossible_birth_dates() -> None:
    body = "41100219850230123"  # 30 February
    assert "不是有效日期" in read_id(body + id_check_digit(body)).error
    body = "41100218991231123"
    assert "1900" in read_id(body + id_check_digit(body)).error


def test_uscc_letter_prefixes_accepted_when_check_holds() -> None:
    for prefix in ("Y1", "A1", "N2", "91"):
        first17 = prefix + "4110005794366"[:13] + "XY"[:2]
        first17 = (first17 + "00000000000000000")[:17]
        code = first17 + uscc_check_char(first17)
        assert uscc_error(code) == "", code
        wrong = uscc_check_char(first17)
        bad = first17 + ("0" if wrong != "0" else "1")
        assert "校验位" in uscc_error(bad)
    assert "18位" in uscc_error("91411000")
    assert "字符" in uscc_error("91411000757516O76X")


def test_phone_forms() -> None:
    assert phone_ok("15100021099") and phone_ok("0374-2622931") and phone_ok("03742622931")
    assert not phone_ok("1234567") and not phone_ok("12100021099") and not phone_ok("151000210")


def test_date_forms() -> None:
    want = dt.date(2017, 11, 3)
    for value in (
        "2017-11-03",
        "2017/11/3",
        "2017.11.3",
        "20171103",
        "2017年11月3日",
        " 2017-11-3 ",
        43042,
        43042.0,
        "43042",
        dt.datetime(2017, 11, 3, 0, 0),
        want,
    ):
        assert parse_date(value) == want, value
    for value in ("", "明天", "2017-02-30", "2017-13-01", True):
        assert parse_date(value) is None, value


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
)
def test_age_is_full_years(birth: dt.date, day: dt.date) -> None:
    if day < birth:
        return
    age = age_on(birth, day)
    assert age >= 0
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        birthday = dt.date(birth.year + age, 3, 1)
    assert birthday <= day


def _new(**kw: object) -> Record:
    body = "41100219850312123"
    base = dict(
        name="王伟",
        id_number=body + id_check_digit(body),
        sex="",
        area_raw="魏都区",
        area_code="411002",
        record_type="新就业",
        event_date="2017-05-02",
        registered_on="2017-05-10",
        employment_form="灵活就业",
        phone="15100021099",
    )
    base.update(kw)
    rec = Record(**base)  # type: ignore[arg-type]
    rec.id_raw = rec.id_number
    return rec


def kinds(rec: Record, **kw: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in record_findings(rec, area_known=True, **kw):  # type: ignore[arg-type]
        out.setdefault(f.kind.value, []).append(f.field)
    return out


def test_clean_record_has_only_the_flexible_employment_warning() -> None:
    assert kinds(_new()) == {"warning": ["就业形式"]}
    assert kinds(_new(employment_form="自主创业")) == {}


def test_required_fields_follow_type_and_flags() -> None:
    got = kinds(_new(employment_form="单位就业", employer="", hardship="是", phone=""))
    assert sorted(got["incomplete"]) == ["困难人员类别", "就业单位名称", "联系电话"]
    att = kinds(_new(record_type="自然减员", employment_form="", phone=""))
    assert att == {"incomplete": ["减员原因"]}
    plc = kinds(_new(record_type="去产能安置", employment_form="", phone=""))
    assert sorted(plc["incomplete"]) == ["原企业名称", "安置方式"]


def test_invalid_rules() -> None:
    assert "invalid" in kinds(_new(sex="女"))  # the ID says 男 (odd 17th digit)
    assert kinds(_new(event_date="2017-05-20"))["invalid"] == ["就业（减员）日期"]
    assert kinds(_new(event_date="2016-12-30"))["invalid"] == ["就业（减员）日期"]
    assert kinds(_new(uscc="91411000757516076Y"))["invalid"] == ["统一社会信用代码"]
    assert kinds(_new(phone="1234567"))["invalid"] == ["联系电话"]
    young = "41100220050312123"
    assert "invalid" in kinds(_new(id_number=young + id_check_digit(young)))
    old_man = "41100219560312123"  # 61 at the event
    assert "invalid" in kinds(_new(id_number=old_man + id_check_digit(old_man)))
    # The same man at 61 may retire (自然减员): no age limit there.
    assert "invalid" not in kinds(
        _new(
            id_number=old_man + id_check_digit(old_man),
            record_type="自然减员",
            attrition_reason="退休",
        )
    )
    unknown = record_findings(_new(area_raw="火星区", area_code=None), area_known=False)
    assert [f.field for f in unknown if f.kind == FindingKind.INVALID] == ["所属地区"]


def test_women_50_to_54_warned_55_invalid() -> None:
    w52 = "41100219650312122"  # even 17th digit: 女
    got = kinds(_new(id_number=w52 + id_check_digit(w52), employment_form="自主创业"))
    assert got == {"warning": ["公民身份号码"]}
    w55 = "41100219620312122"
    assert "invalid" in kinds(_new(id_number=w55 + id_check_digit(w55)))


def test_overcapacity_warning_only_without_task() -> None:
    rec = _new(
        record_type="去产能安置",
        former_enterprise="平煤",
        placement_method="内部转岗",
        employment_form="",
        phone="",
    )
    assert kinds(rec, has_overcapacity_task=True) == {}
    assert kinds(rec, has_overcapacity_task=False) == {"warning": ["去产能职工"]}


def test_the_field_table_says_what_is_required_and_shown() -> None:
    from jiuye_desktop.domain import REQUIRED_HEADERS, Situation, required_headers, shown_headers

    star = ["姓名", "公民身份号码", "所属地区", "登记类型", "就业（减员）日期"]
    assert list(REQUIRED_HEADERS) == star
    new = Situation("新就业", "单位就业", "是", "是")
    assert required_headers(new) == [
        *star, "就业形式", "联系电话", "就业单位名称", "困难人员类别", "原企业名称", "安置方式"
    ]  # fmt: skip
    assert required_headers(Situation("新就业", "灵活就业", "否", "否")) == [
        *star, "就业形式", "联系电话"
    ]  # fmt: skip
    assert required_headers(Situation("自然减员")) == [*star, "减员原因"]
    assert required_headers(Situation("去产能安置")) == [*star, "原企业名称", "安置方式"]
    shown = shown_headers(Situation("自然减员"))
    assert "减员原因" in shown and "就业形式" not in shown and "序号" not in shown
    assert shown[0] == "公民身份号码" and shown[-1] == "备注"
    assert "困难人员类别" in shown_headers(new)
    assert "困难人员类别" not in shown_headers(Situation("新就业", "单位就业", "否", "否"))
