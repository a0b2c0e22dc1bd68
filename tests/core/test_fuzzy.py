"""Possible duplicates of the audit rehearsal (domain.md §8): each kind injected into a
ledger is found with its partner named; a clean demo ledger raises few false alarms."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuye_desktop import fuzzy_keys
from jiuye_desktop.demo import generate_rows
from jiuye_desktop.demo_workbook import write_workbook
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.selfcheck import run_check
from jiuye_desktop.validation import id_check_digit

from .helpers import make_id, new_row, xuchang

AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]


@pytest.fixture
def session(tmp_path: Path):
    s = xuchang(tmp_path / "l.sqlite")
    yield s
    s.close()


_PHONES = iter(range(13571624000, 13600000000, 7))  # never a run of 8


def add(session, **kw) -> int:
    """A record; each gets its own phone unless one is given (the default row's is shared)."""
    kw.setdefault("联系电话", str(next(_PHONES)))
    return session.add_values(new_row(**kw))[0]


def possible(session) -> dict[int, list]:
    """Possible-duplicate and phone findings by record."""
    out: dict[int, list] = {}
    for f in run_check(session).findings:
        if f.audit:
            assert f.kind == "warning"
            out.setdefault(f.record, []).append(f)
    return out


def only(found: dict[int, list], record: int, rule: str):
    mine = [f for f in found.get(record, []) if f.audit == rule]
    assert len(mine) == 1, found.get(record)
    return mine[0]


# --- Pure rules ---------------------------------------------------------------------------------


def test_sound_alike_every_reading_tones_ignored() -> None:
    assert fuzzy_keys.sound_alike("王芳", "王方")
    assert fuzzy_keys.sound_alike("曾强", "增强")  # 曾 reads ceng or zeng
    assert fuzzy_keys.sound_alike("单雪", "善雪")  # 单 reads dan, chan or shan
    assert not fuzzy_keys.sound_alike("王芳", "李芳")
    assert not fuzzy_keys.sound_alike("王芳", "王芳芳")
    assert fuzzy_keys.sound_keys("阿依古丽·买买提")  # the middle dot is no reading


def test_made_up_phones_and_the_definition_of_a_run() -> None:
    assert fuzzy_keys.made_up_phone("13888888888")  # 10 equal digits
    assert fuzzy_keys.made_up_phone("13955555555")  # 8 equal digits at the end
    assert fuzzy_keys.made_up_phone("12345678901")  # up, 9 → 0 counts as one more
    assert fuzzy_keys.made_up_phone("13456789012")
    assert fuzzy_keys.made_up_phone("13987654321")  # down
    assert fuzzy_keys.made_up_phone("13910987654")  # down, 0 → 9 counts as one less
    assert fuzzy_keys.made_up_phone("15012345678")  # a run of 8 inside a real-looking number
    for real in ("13800138000", "15100021099", "13812345670", "13955555551", "13777777123"):
        assert fuzzy_keys.made_up_phone(real) == "", real
    assert fuzzy_keys.made_up_phone("0371-66666666") == ""  # landlines are not judged
    assert fuzzy_keys.made_up_phone("037166666666") == ""


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**9),
    st.integers(0, 16),
    st.integers(0, 9),
    st.booleans(),
)
def test_one_edit_ids_finds_the_valid_id(seed: int, pos: int, digit: int, swap: bool) -> None:
    rng = random.Random(seed)
    body = "411002" + f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    valid = body + id_check_digit(body)
    chars = list(valid)
    if swap:
        chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
    else:
        chars[pos] = str(digit)
    typo = "".join(chars)
    if typo == valid or not typo[:17].isdigit() or typo[17] not in "0123456789X":
        return  # not an ID of the form the rule looks at
    candidates = dict(fuzzy_keys.one_edit_ids(typo))
    if typo[:17] + id_check_digit(typo[:17]) == typo:
        return  # the typo happens to be a valid ID itself: not an invalid one
    assert valid in candidates
    for cand in candidates:
        assert cand[17] == id_check_digit(cand[:17])
        diff = [i for i in range(18) if cand[i] != typo[i]]
        assert len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and cand[diff[0]] == typo[diff[1]]
        )


# --- Injected into a city ledger ----------------------------------------------------------------


def test_homophones_in_other_counties_are_found_with_their_partner(session) -> None:
    a = add(session, 姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"))
    b = add(
        session, 姓名="王方", 公民身份号码=make_id("411082", "19900512", "246"), 所属地区="长葛市"
    )
    c = add(session, 姓名="曾强", 公民身份号码=make_id("411025", "19880101", "111"))
    d = add(
        session, 姓名="增强", 公民身份号码=make_id("411081", "19880101", "333"), 所属地区="禹州市"
    )
    # Same sound, another birth date: nothing.
    add(session, 姓名="王舫", 公民身份号码=make_id("411002", "19900513", "128"))
    found = possible(session)
    fa, fb = only(found, a, "homophone"), only(found, b, "homophone")
    assert fa.others == (b,) and fb.others == (a,)
    assert "长葛市" in fa.message and "王方" in fa.message
    assert make_id("411082", "19900512", "246") in fa.message
    assert "魏都区" in fb.message and "王芳" in fb.message
    assert fa.rule == f"同音同生日:{make_id('411082', '19900512', '246')}"
    assert only(found, c, "homophone").others == (d,)
    assert only(found, d, "homophone").others == (c,)
    assert set(found) == {a, b, c, d}


def test_same_name_and_birth_with_another_id(session) -> None:
    a = add(session, 公民身份号码=make_id("411002"))
    b = add(session, 公民身份号码=make_id("411082"), 所属地区="长葛市")
    found = possible(session)
    assert only(found, a, "same_name").others == (b,)
    assert only(found, b, "same_name").others == (a,)
    assert "可能是同一人" in found[a][0].message
    # The key the dismissals of domain.md §5.3 name: the rule's word and the other's ID.
    assert found[a][0].rule == "同名同生日:" + make_id("411082")
    assert set(found) == {a, b}  # the same name is not also reported as a homophone


def test_other_class_or_year_is_no_possible_duplicate(session) -> None:
    add(session, 姓名="王芳", 公民身份号码=make_id("411002", "19600512", "128"))
    add(
        session,
        姓名="王方",
        公民身份号码=make_id("411082", "19600512", "246"),
        登记类型="自然减员",
        减员原因="退休",
        就业形式="",
        联系电话="",
    )
    add(
        session,
        姓名="王方",
        公民身份号码=make_id("411082", "19600512", "248"),
        **{"就业（减员）日期": "2016-05-02", "登记日期": "2016-05-10"},
    )
    assert possible(session) == {}


@pytest.mark.parametrize("edit", ["digit", "swap", "check"])
def test_near_miss_id_names_the_record_and_suggests_the_valid_id(session, edit: str) -> None:
    valid = make_id("411081", "19870623", "457")
    good = add(session, 姓名="李明", 公民身份号码=valid, 所属地区="禹州市")
    if edit == "digit":
        typo = valid[:15] + "8" + valid[16:]  # one digit of the sequence mistyped
    elif edit == "swap":
        typo = valid[:14] + valid[15] + valid[14] + valid[16:]
    else:
        typo = valid[:17] + ("0" if valid[17] != "0" else "1")
    bad = add(session, 姓名="李明", 公民身份号码=typo, 所属地区="襄城县", 联系电话="13700001111")
    add(session, 姓名="李敏", 公民身份号码=typo[:16] + "2" + typo[17])  # another name: no match
    found = possible(session)
    f = only(found, bad, "near_id")
    assert f.others == (good,)
    assert valid in f.message and "禹州市" in f.message
    assert f.rule == f"身份证号相近:{valid}"
    assert ("颠倒" in f.message) == (edit == "swap")
    assert good not in found  # the sound record itself is not flagged


def test_one_phone_for_three_people_across_areas(session) -> None:
    shared = "13912340000"
    a = add(session, 姓名="赵一", 公民身份号码=make_id(seq="101"), 联系电话=shared)
    b = add(
        session, 姓名="钱二", 公民身份号码=make_id(seq="103"), 联系电话=shared, 所属地区="长葛市"
    )
    c = add(
        session, 姓名="孙三", 公民身份号码=make_id(seq="105"), 联系电话=shared, 所属地区="禹州市"
    )
    # Two people sharing a phone is ordinary (a couple).
    add(session, 姓名="李四", 公民身份号码=make_id(seq="107"), 联系电话="13912340001")
    add(session, 姓名="周五", 公民身份号码=make_id(seq="109"), 联系电话="13912340001")
    found = possible(session)
    assert set(found) == {a, b, c}
    fa = only(found, a, "shared_phone")
    assert set(fa.others) == {b, c}
    assert "3个不同的人" in fa.message and "长葛市" in fa.message and "禹州市" in fa.message
    assert fa.rule == f"多人同一电话:{shared}"


def test_one_person_three_times_is_not_three_people(session) -> None:
    phone = "13912340000"
    add(session, 公民身份号码=make_id(seq="101"), 联系电话=phone)
    add(session, 公民身份号码=make_id(seq="101"), 联系电话=phone, 登记日期="2017-06-01")
    add(session, 姓名="钱二", 公民身份号码=make_id(seq="103"), 联系电话=phone)
    assert not any(f.audit == "shared_phone" for fs in possible(session).values() for f in fs)


def test_made_up_phone_is_a_warning_not_invalid(session) -> None:
    a = add(session, 联系电话="13888888888")
    b = add(session, 姓名="钱二", 公民身份号码=make_id(seq="103"), 联系电话="13456789012")
    add(session, 姓名="孙三", 公民身份号码=make_id(seq="105"), 联系电话="13812345670")
    result = run_check(session)
    flagged = {f.record: f for f in result.findings if f.audit == "made_up_phone"}
    assert set(flagged) == {a, b}
    assert "无法接通" in flagged[a].message and flagged[a].rule == "电话疑似编造:13888888888"
    assert result.summary["invalid"] == 0


def test_removed_records_are_left_out(session) -> None:
    import datetime as dt

    from jiuye_desktop.selfcheck import remove_selected

    a = add(session, 姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"))
    b = add(session, 姓名="王方", 公民身份号码=make_id("411082", "19900512", "246"))
    assert set(possible(session)) == {a, b}
    remove_selected(session, [b], "duplicate", dt.date(2017, 11, 24))
    assert possible(session) == {}


def test_check_json_carries_rule_partners_and_key(session) -> None:
    a = add(session, 姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"))
    b = add(session, 姓名="王方", 公民身份号码=make_id("411082", "19900512", "246"))
    items = [f for f in run_check(session).as_json()["findings"] if f["record"] == a]
    assert items[0]["audit"] == "homophone" and items[0]["others"] == [b]
    assert items[0]["rule"] == "同音同生日:" + make_id("411082", "19900512", "246")


def test_clean_demo_ledger_raises_few_false_alarms(tmp_path: Path) -> None:
    """Every demo person is distinct, so each possible duplicate here is a false alarm."""
    s = xuchang(tmp_path / "demo.sqlite")
    book = tmp_path / "clean.xlsx"
    write_workbook(generate_rows(5000, seed=5, areas=AREAS, defect_rate=0), book)
    assert import_workbook(s, book).imported == 5000
    result = run_check(s)
    alarms = {f.record for f in result.findings if f.audit}
    by_rule: dict[str, int] = {}
    for f in result.findings:
        if f.audit:
            by_rule[f.audit] = by_rule.get(f.audit, 0) + 1
    print(f"false alarms in a clean 5,000-record demo ledger: {len(alarms)} records {by_rule}")
    assert len(alarms) <= 50  # at most 1 %
    s.close()


def test_a_pair_is_dismissed_by_its_stable_keys(session) -> None:
    from jiuye_desktop import audit
    from jiuye_desktop.dismissals import DismissError, dismiss

    a = add(session, 姓名="王芳", 公民身份号码=make_id("411002", "19900512", "128"))
    b = add(session, 姓名="王方", 公民身份号码=make_id("411082", "19900512", "246"))
    c = add(session, 联系电话="13888888888", 姓名="周五", 公民身份号码=make_id(seq="107"))
    result = run_check(session)
    pairs = audit.pairs(session, result.findings)
    homophone = next(p for p in pairs if p.rule == "homophone")
    assert {r for r, _k in homophone.findings} == {a, b}
    assert audit.dismiss_pair(session, homophone, "电话核实，不是同一人", result) == 2
    again = run_check(session)
    assert not [f for f in again.findings if f.audit == "homophone"]
    assert {f.record for f, _d in again.dismissed} == {a, b}
    # The made-up phone stays open; a reason is required.
    assert [f.record for f in again.findings if f.audit == "made_up_phone"] == [c]
    with pytest.raises(DismissError):
        dismiss(session, c, "电话疑似编造:13888888888", "  ", result=again)
