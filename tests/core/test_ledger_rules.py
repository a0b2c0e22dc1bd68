"""Self-check keep rule, removals with dates, restore, history, and the weekly algebra."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye_desktop.domain import Record
from jiuye_desktop.selfcheck import remove_flagged, remove_selected, restore, run_check
from jiuye_desktop.storage import ledger
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import previous_week, week_of, weeks_of_year
from tests import ledger_queries

from .helpers import make_id, new_row, xuchang


@pytest.fixture
def session(tmp_path: Path):
    s = xuchang(tmp_path / "l.sqlite")
    yield s
    s.close()


def add(session, **kw) -> int:
    return session.add_values(new_row(**kw))[0]


def test_duplicate_keeps_earliest_event_then_registration_then_entry(session) -> None:
    a = add(session, **{"就业（减员）日期": "2017-03-05", "登记日期": "2017-03-20"})
    b = add(
        session,
        **{"就业（减员）日期": "2017-03-01", "登记日期": "2017-03-25", "所属地区": "长葛市"},
    )
    c = add(session, **{"就业（减员）日期": "2017-03-01", "登记日期": "2017-03-25"})
    found = {f.record: f for f in run_check(session).findings if f.kind == "duplicate"}
    assert set(found) == {a, c}
    assert found[a].keeps == b and found[c].keeps == b
    assert "长葛市" in found[a].message  # the kept record is in another area
    assert "同一人本年已登记新就业" in found[a].message


def test_duplicate_classes(session) -> None:
    # 新就业 in two different years is not a duplicate; 自然减员 twice ever is.
    add(session, **{"就业（减员）日期": "2016-12-01", "登记日期": "2016-12-05"})
    add(session, **{"就业（减员）日期": "2017-03-01", "登记日期": "2017-03-05"})
    old = make_id(birth="19570301", seq="131")
    add(
        session,
        **{
            "公民身份号码": old,
            "登记类型": "自然减员",
            "减员原因": "退休",
            "就业（减员）日期": "2016-03-01",
            "登记日期": "2016-03-05",
        },
    )
    second = add(
        session,
        **{
            "公民身份号码": old,
            "登记类型": "自然减员",
            "减员原因": "退休",
            "就业（减员）日期": "2017-03-01",
            "登记日期": "2017-03-05",
        },
    )
    dups = [f for f in run_check(session).findings if f.kind == "duplicate"]
    assert [f.record for f in dups] == [second]
    assert "自然减员" in dups[0].message


def test_possible_duplicate_is_a_warning_only(session) -> None:
    a = add(session, **{"公民身份号码": make_id(prefix="411002")})
    b = add(session, **{"公民身份号码": make_id(prefix="411082")})
    result = run_check(session)
    warned = {f.record for f in result.findings if "可能是同一人" in f.message}
    assert warned == {a, b}
    assert result.summary["duplicate"] == 0
    assert remove_flagged(session, "all", dt.date(2017, 11, 24)).as_json()["total"] == 0


def test_removal_is_dated_and_restorable_and_kept_in_history(session) -> None:
    keep = add(session)
    dup = add(session, **{"登记日期": "2017-06-01"})
    w_before = compute(session, week_of(dt.date(2017, 11, 17)))
    assert w_before.total[3] == 2
    res = remove_flagged(session, "duplicate", dt.date(2017, 11, 24), "11月集中调整")
    assert res.removed == {"duplicate": 1}
    # Weeks before the removal still count it; the removal week shows −1 this week.
    assert compute(session, week_of(dt.date(2017, 11, 17))).total[3] == 2
    w = compute(session, week_of(dt.date(2017, 11, 24)))
    assert (w.total[2], w.total[3], w.total[0], w.total[1]) == (-1, 1, -1, 1)
    assert ledger_queries.record_status(session.db.conn, dup) == ("2017-11-24", "duplicate")
    assert ledger_queries.record_status(session.db.conn, keep) == (None, None)
    # Never deleted: still there, and the history says what happened.
    assert ledger.get_record(session.db.conn, dup) is not None
    actions = [h["action"] for h in ledger.record_history(session.db.conn, dup)]
    assert actions == ["insert", "remove"]
    assert restore(session, dup)
    assert not restore(session, dup)
    assert compute(session, week_of(dt.date(2017, 11, 24))).total[3] == 2
    actions = [h["action"] for h in ledger.record_history(session.db.conn, dup)]
    assert actions == ["insert", "remove", "restore"]
    assert ledger.removals(session.db.conn) == []


def test_edit_is_kept_with_old_and_new_values(session) -> None:
    rid = add(session)
    rec = ledger.get_record(session.db.conn, rid)
    assert rec is not None
    rec.phone = "13900000000"
    session.edit_record(rid, rec)
    hist = ledger.record_history(session.db.conn, rid)
    assert [(h["action"], h["field"], h["old_value"], h["new_value"]) for h in hist[1:]] == [
        ("edit", "phone", "15100021099", "13900000000")
    ]


def test_remove_selected_and_all_kinds(session) -> None:
    bad = add(session, **{"联系电话": "123"})
    empty = add(session, **{"公民身份号码": make_id(seq="777"), "就业形式": ""})
    result = run_check(session)
    assert result.summary["invalid"] == 1 and result.summary["incomplete"] == 1
    assert remove_selected(session, [bad], "invalid", dt.date(2017, 12, 1), "电话号码错误") == 1
    assert run_check(session).summary["invalid"] == 0
    assert remove_flagged(session, "all", dt.date(2017, 12, 1)).removed == {
        "duplicate": 0,
        "invalid": 0,
        "incomplete": 1,
    }
    assert ledger_queries.record_status(session.db.conn, empty)[1] == "incomplete"


def test_indicators_and_the_column_rule(session) -> None:
    add(
        session,
        **{
            "失业人员再就业": "是",
            "就业困难人员": "是",
            "困难人员类别": "残疾人",
            "去产能职工": "是",
            "原企业名称": "平煤",
            "安置方式": "内部转岗",
        },
    )
    add(
        session,
        **{
            "公民身份号码": make_id(birth="19570301", seq="131"),
            "登记类型": "自然减员",
            "减员原因": "退休",
        },
    )
    add(
        session,
        **{
            "公民身份号码": make_id(seq="555"),
            "登记类型": "去产能安置",
            "原企业名称": "平煤",
            "安置方式": "内部退养",
            "所属地区": "本级",
        },
    )
    t = compute(session, week_of(dt.date(2017, 5, 12)))
    assert list(t.total[1::2]) == [0, 1, 1, 1, 1, 2]
    rows = {r.name: r.cells for r in t.rows}
    assert rows["许昌市本级"][11] == 1 and rows["魏都区"][11] == 1
    assert rows["魏都区"][1] == 0  # 1 新就业 − 1 自然减员


# --- 本周实际 + previous 本年累计 = 本年累计, for any ledger and removals -----------------

day_2017 = st.dates(dt.date(2017, 1, 1), dt.date(2017, 12, 31))
entry = st.tuples(
    st.sampled_from(["新就业", "自然减员", "去产能安置"]),
    st.sampled_from(["许昌市本级", "魏都区", "长葛市", "襄城县"]),
    day_2017,
    st.booleans(),
    st.one_of(st.none(), day_2017),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=25), st.sampled_from(list(weeks_of_year(2017))))
def test_weekly_algebra(entries, week) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        session = xuchang(Path(tmp) / "p.sqlite")
        try:
            ids = []
            for i, (rtype, area, reg, flag, removed_on) in enumerate(entries):
                values = new_row(
                    **{
                        "公民身份号码": make_id(seq=f"{i:03d}"),
                        "登记类型": rtype,
                        "所属地区": area,
                        "就业（减员）日期": reg.isoformat(),
                        "登记日期": reg.isoformat(),
                        "失业人员再就业": "是" if flag else "否",
                        "减员原因": "退休",
                        "原企业名称": "平煤",
                        "安置方式": "内部转岗",
                    }
                )
                ids.append((session.add_values(values)[0], removed_on))
            for rid, removed_on in ids:
                if removed_on is not None:
                    remove_selected(session, [rid], "invalid", removed_on)
            table = compute(session, week)
            prev = previous_week(week)
            for row_i, row in enumerate(table.rows):
                c = row.cells
                assert c[0] == c[2] - c[4] and c[1] == c[3] - c[5]
                if prev is None:
                    assert c[0::2] == c[1::2]
                else:
                    before = compute(session, prev).rows[row_i].cells
                    for k in range(0, 12, 2):
                        assert c[k] + before[k + 1] == c[k + 1]
            assert table.total == tuple(sum(r.cells[k] for r in table.rows) for k in range(12))
            # 本年累计 equals a direct count over the records.
            end = week.end.isoformat()
            alive = [
                e
                for e in entries
                if e[2].isoformat() <= end and (e[4] is None or e[4].isoformat() > end)
            ]
            assert table.total[3] == sum(1 for e in alive if e[0] == "新就业")
            assert table.total[5] == sum(1 for e in alive if e[0] == "自然减员")
            assert table.total[7] == sum(1 for e in alive if e[0] == "新就业" and e[3])
        finally:
            session.close()


_ = Record


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=15), st.data())
def test_tally_kept_by_triggers_equals_counting_the_records(entries, data) -> None:
    """Inserts, removals, restores and edits of date, area and type keep the tally exact."""
    with tempfile.TemporaryDirectory() as tmp:
        session = xuchang(Path(tmp) / "t.sqlite")
        try:
            ids = []
            for i, (rtype, area, reg, flag, removed_on) in enumerate(entries):
                values = new_row(
                    **{
                        "公民身份号码": make_id(seq=f"{i:03d}"),
                        "登记类型": rtype,
                        "所属地区": area,
                        "就业（减员）日期": reg.isoformat(),
                        "登记日期": reg.isoformat(),
                        "失业人员再就业": "是" if flag else "否",
                        "减员原因": "退休",
                        "原企业名称": "平煤",
                        "安置方式": "内部转岗",
                    }
                )
                rid = session.add_values(values)[0]
                ids.append(rid)
                if removed_on is not None:
                    remove_selected(session, [rid], "invalid", removed_on)
            for rid in data.draw(st.lists(st.sampled_from(ids), max_size=5)):
                action = data.draw(st.sampled_from(["restore", "edit"]))
                if action == "restore":
                    restore(session, rid)
                else:
                    rec = ledger.get_record(session.db.conn, rid)
                    assert rec is not None
                    rec.registered_on = data.draw(day_2017).isoformat()
                    rec.area_raw = data.draw(st.sampled_from(["魏都区", "禹州市", "火星区"]))
                    rec.area_code = None
                    rec.record_type = data.draw(st.sampled_from(["新就业", "自然减员", "未知"]))
                    session.edit_record(rid, rec)
            conn = session.db.conn
            for week in list(weeks_of_year(2017))[::4] + [week_of(dt.date(2017, 12, 31))]:
                prev = previous_week(week)
                args = ("2017-01-01", prev.end.isoformat() if prev else None, week.end.isoformat())
                assert _nonzero(ledger.weekly_counts(conn, *args)) == _nonzero(
                    ledger.weekly_counts_by_scan(conn, *args)
                )
        finally:
            session.close()


def _nonzero(rows: list) -> list:
    """Groups whose counts are all zero carry no information (a tally keeps them at 0)."""
    return sorted(tuple(r) for r in rows if r[2] or r[3])


def test_active_removals_newest_first_with_the_record(session) -> None:
    from jiuye_desktop.selfcheck import active_removals

    a = add(session)
    b = add(session, **{"公民身份号码": make_id(seq="888"), "姓名": "李娜"})
    remove_selected(session, [a], "invalid", dt.date(2017, 11, 3), "旧")
    remove_selected(session, [b], "incomplete", dt.date(2017, 11, 24), "新")
    got = active_removals(session)
    assert [(r.record_id, r.name, r.reason, r.note) for r in got] == [
        (b, "李娜", "incomplete", "新"),
        (a, "王伟", "invalid", "旧"),
    ]
    assert got[0].area == "魏都区"
    restore(session, b)
    assert [r.record_id for r in active_removals(session)] == [a]


def test_changing_the_areas_relinks_only_the_records_concerned(session) -> None:
    from jiuye_desktop.selfcheck import run_check

    known = add(session)  # 魏都区
    unknown = add(session, **{"公民身份号码": make_id(seq="901"), "所属地区": "示范区"})
    assert {f.record for f in run_check(session).findings if f.field == "所属地区"} == {unknown}
    week = week_of(dt.date(2017, 5, 12))
    assert compute(session, week).total[3] == 1
    areas = [(a.code, a.name) for a in session.areas() if not a.is_self]
    assert session.set_areas([*areas, (None, "示范区")]) is None
    # The new area takes its record: linked, counted, and no longer invalid.
    assert not [f for f in run_check(session).findings if f.field == "所属地区"]
    rows = {r.name: r.cells for r in compute(session, week).rows}
    assert rows["示范区"][3] == 1 and rows["魏都区"][3] == 1
    assert session.rejudge_areas() == 0  # nothing left to re-link
    # Dropping an area that holds records is refused and changes nothing.
    with pytest.raises(Exception, match="不能删除"):
        session.set_areas([a for a in areas if a[1] != "魏都区"] + [(None, "示范区")])
    assert ledger.get_record(session.db.conn, known) is not None
    assert compute(session, week).total[3] == 2
