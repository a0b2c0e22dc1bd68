"""browse.py: the grid's ids, filters, sorts and pages, and the entry form's look-ups (no Qt)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jiuye_desktop import browse
from jiuye_desktop.browse import BrowseQuery, Status
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.selfcheck import remove_selected, restore
from jiuye_desktop.storage import browse_sql
from jiuye_desktop.weeks import week_of

from .helpers import make_id, new_row, xuchang

IDS_BY_SQL = "SELECT id FROM records r {where} ORDER BY {order}"


@pytest.fixture
def session(tmp_path: Path):
    s = xuchang(tmp_path / "l.sqlite")
    yield s
    s.close()


@pytest.fixture
def sample(session, samples_dir: Path):
    import_workbook(session, samples_dir / "xuchang-2017-ledger.xlsx")
    return session


def sql_ids(session, where: str = "", order: str = "r.id", params: tuple = ()) -> list[int]:
    sql = IDS_BY_SQL.format(where=f"WHERE {where}" if where else "", order=order)
    return [r[0] for r in session.db.conn.execute(sql, params)]


def ids(session, **kw) -> list[int]:
    return list(browse.record_ids(session, BrowseQuery(**kw)))


# --- Ids, sorts and filters ----------------------------------------------------------------------


def test_grid_columns_and_their_sql_agree():
    assert tuple(browse_sql.VALUE_SQL) == browse.COLUMN_KEYS
    sortable = {c.key for c in browse.COLUMNS if c.sortable}
    assert sortable == set(browse_sql.SORT_SQL)


def test_default_view_is_every_record_by_id_without_a_scan(sample):
    result = browse.record_ids(sample, BrowseQuery())
    assert isinstance(result, range)
    assert list(result) == sql_ids(sample)
    assert len(result) == 630
    assert ids(sample, descending=True) == sql_ids(sample, order="r.id DESC")


def test_ids_with_a_gap_are_read_from_the_table(sample):
    conn = sample.db.conn
    conn.execute(
        "INSERT INTO records (id, name, registered_on, created_at) "
        "VALUES (5000, '补录', '2017-12-01', '2017-12-01 09:00:00')"
    )
    result = browse.record_ids(sample, BrowseQuery())
    assert not isinstance(result, range)
    assert list(result) == sql_ids(sample)
    assert list(result)[-1] == 5000


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("name", "r.name {d}, r.id {d}"),
        ("id_number", "r.id_number {d}, r.id {d}"),
        ("area", "r.area_id {d}, r.id {d}"),
        ("record_type", "r.record_type {d}, r.id {d}"),
        ("event_date", "r.event_date {d}, r.id {d}"),
        ("employer", "r.employer {d}, r.id {d}"),
        ("phone", "r.phone {d}, r.id {d}"),
        ("registered_on", "r.registered_on {d}, r.id {d}"),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_a_column_is_the_sql_order(sample, key, order, descending):
    d = "DESC" if descending else "ASC"
    expected = sql_ids(sample, order=order.format(d=d))
    got = ids(sample, sort=key, descending=descending)
    assert got == expected
    assert got != sql_ids(sample)  # really reordered


def test_sort_by_status_puts_removed_last(sample):
    remove_selected(sample, [3, 7], "invalid", dt.date(2017, 11, 20), note="测试")
    got = ids(sample, sort="status")
    assert got[-2:] == [3, 7]
    assert ids(sample, sort="status", descending=True)[:2] == [7, 3]


def test_unsortable_or_unknown_column_is_refused(sample):
    with pytest.raises(ValueError):
        ids(sample, sort="findings")
    with pytest.raises(ValueError):
        ids(sample, sort="name; DROP TABLE records")


def test_filters_match_sql(sample):
    area_id = dict((n, i) for i, n in browse.area_choices(sample))["魏都区"]
    assert ids(sample, area_id=area_id) == sql_ids(sample, "area_id = ?", params=(area_id,))
    assert ids(sample, record_type="自然减员") == sql_ids(sample, "record_type = '自然减员'")
    week = week_of(dt.date(2017, 11, 8))
    expected = sql_ids(
        sample, "registered_on BETWEEN ? AND ?", params=(str(week.start), str(week.end))
    )
    assert 0 < len(expected) < 630
    assert ids(sample, week=week) == expected
    both = ids(sample, week=week, area_id=area_id, sort="name")
    assert both == sql_ids(
        sample,
        "registered_on BETWEEN ? AND ? AND area_id = ?",
        "r.name, r.id",
        (str(week.start), str(week.end), area_id),
    )


def test_status_filter(sample):
    remove_selected(sample, [3, 7, 9], "duplicate", dt.date(2017, 11, 20))
    assert ids(sample, status=Status.REMOVED) == [3, 7, 9]
    active = ids(sample, status=Status.ACTIVE)
    assert len(active) == 627 and 3 not in active
    restore(sample, 7)
    assert ids(sample, status=Status.REMOVED) == [3, 9]


def test_finding_kind_filters(sample):
    conn = sample.db.conn
    for kind in ("invalid", "incomplete", "warning"):
        expected = sql_ids(
            sample, "id IN (SELECT record_id FROM record_findings WHERE kind = ?)", params=(kind,)
        )
        assert expected, kind
        assert ids(sample, finding_kind=kind) == expected
    from jiuye_desktop.storage import ledger

    losers = sorted(i for i, _ in ledger.duplicate_losers(conn))
    assert losers
    assert ids(sample, finding_kind="duplicate") == losers
    with pytest.raises(ValueError):
        ids(sample, finding_kind="nonsense")


def test_unknown_area_filter(session):
    session.add_values(new_row(所属地区="火星区"))
    session.add_values(new_row(公民身份号码=make_id(seq="124")))
    assert ids(session, area_id=browse.UNKNOWN_AREA) == [1]


# --- Search ----------------------------------------------------------------------------------


def test_search_by_id_phone_name_and_employer(session):
    a = session.add_values(new_row(姓名="王伟", 公民身份号码=make_id(seq="121")))[0]
    b = session.add_values(
        new_row(
            姓名="王小明",
            公民身份号码=make_id(birth="19900101", seq="231"),
            联系电话="13912345678",
            就业形式="单位就业",
            就业单位名称="许昌瑞贝卡发制品有限公司",
        )
    )[0]
    c = session.add_values(new_row(姓名="李四", 公民身份号码=make_id(birth="19920202", seq="341")))[
        0
    ]
    assert ids(session, text=make_id(seq="121")) == [a]
    assert ids(session, text=make_id(seq="121")[:12]) == [a]  # an ID's beginning
    assert ids(session, text="139 1234") == [b]  # a phone's beginning, spaces ignored
    assert ids(session, text="王") == [a, b]  # a name's beginning
    assert ids(session, text="瑞贝卡") == [b]  # any part of an employer
    assert ids(session, text="李四") == [c]
    assert ids(session, text="赵") == []
    d = session.add_values(
        new_row(
            姓名="赵六", 公民身份号码=make_id(birth="19930303", seq="451"), 联系电话="0374-2961234"
        )
    )[0]
    assert ids(session, text="0374-296") == [d]  # a landline's beginning


def test_search_reads_ids_as_clerks_type_them(session):
    x_id = make_id(seq="100")
    while not x_id.endswith("X"):  # find a sequence whose check digit is X
        x_id = make_id(seq=f"{int(x_id[14:17]) + 1:03d}")
    rid = session.add_values(new_row(公民身份号码=x_id))[0]
    assert ids(session, text=x_id.lower()) == [rid]
    assert ids(session, text="４" + x_id[1:]) == [rid]  # a full-width digit
    old = "411002850312123"  # 15-digit form of 41100219850312123?
    upgraded = session.add_values(new_row(公民身份号码=old))[0]
    assert ids(session, text=old) == [upgraded]


# --- Pages ---------------------------------------------------------------------------------


def test_fetch_rows_gives_column_texts_status_and_findings(sample):
    conn = sample.db.conn
    remove_selected(sample, [5], "duplicate", dt.date(2017, 11, 20), note="与第2行重复")
    (invalid,) = conn.execute(
        "SELECT MIN(record_id) FROM record_findings WHERE kind = 'invalid' AND record_id > 5"
    ).fetchone()
    rows = browse.fetch_rows(sample, [1, 5, invalid, 99999])
    assert set(rows) == {1, invalid, 5}
    one = rows[1]
    assert len(one.values) == len(browse.COLUMNS)
    col = {k: i for i, k in enumerate(browse.COLUMN_KEYS)}
    name, idn, area = conn.execute(
        "SELECT r.name, r.id_number, a.name FROM records r JOIN areas a ON a.id = r.area_id "
        "WHERE r.id = 1"
    ).fetchone()
    assert one.values[col["id"]] == "1"
    assert one.values[col["name"]] == name
    assert one.values[col["id_number"]] == idn
    assert one.values[col["area"]] == area
    assert one.values[col["status"]] == "有效"
    assert not one.removed and one.removal == ""
    five = rows[5]
    assert five.removed
    assert five.values[col["status"]] == "已剔除（重复）"
    assert five.removal == "已剔除（重复，2017-11-20）：与第2行重复"
    three = rows[invalid]  # a record flagged invalid
    assert three.worst_kind == "invalid"
    assert three.values[col["findings"]].startswith("无效")
    assert "无效｜" in browse.findings_text(three)


def test_counts(sample):
    remove_selected(sample, [1, 2], "invalid", dt.date(2017, 11, 20))
    c = browse.counts(sample)
    assert (c.total, c.removed, c.active) == (630, 2, 628)


def test_week_choices_are_past_weeks_of_years_with_records(sample):
    weeks = browse.week_choices(sample, today=dt.date(2018, 1, 10))
    labels = [w.label for w in weeks]
    assert labels[0] == "2018年1月第2周"  # latest first, nothing after today
    assert "2017年11月第2周" in labels
    assert labels[-1] == "2017年1月第1周"
    assert "2018年1月第3周" not in labels


# --- History -----------------------------------------------------------------------------


def test_history_in_words(session):
    rid = session.add_values(new_row())[0]
    record, _ = session.judge(new_row(姓名="王维"))
    session.edit_record(rid, record)
    remove_selected(session, [rid], "incomplete", dt.date(2017, 11, 20), note="补不齐")
    restore(session, rid)
    entries = browse.history(session, rid)
    assert [e.action for e in entries] == ["录入", "修改", "剔除", "恢复"]
    edit = entries[1]
    assert (edit.field, edit.old, edit.new) == ("姓名", "王伟", "王维")
    assert entries[2].new == "不完整 2017-11-20 补不齐"
    assert entries[3].old == "不完整 2017-11-20"
    assert all(e.operator == session.operator for e in entries)


# --- The entry form's questions ------------------------------------------------------------


def test_form_fields_follow_the_type_and_flags():
    base = browse.form_fields({})
    assert "减员原因" not in base and "就业形式" not in base
    assert base[0] == "公民身份号码"
    new = browse.form_fields({"登记类型": "新就业"})
    assert {"就业形式", "就业单位名称", "失业人员再就业", "就业困难人员", "去产能职工"} <= set(new)
    assert "困难人员类别" not in new and "原企业名称" not in new and "减员原因" not in new
    flagged = browse.form_fields({"登记类型": "新就业", "就业困难人员": "是", "去产能职工": "1"})
    assert {"困难人员类别", "原企业名称", "安置方式"} <= set(flagged)
    attrition = browse.form_fields({"登记类型": "自然减员"})
    assert "减员原因" in attrition and "就业形式" not in attrition
    placement = browse.form_fields({"登记类型": "去产能安置"})
    assert {"原企业名称", "安置方式"} <= set(placement) and "就业单位名称" not in placement
    assert list(flagged) == [f for f in browse.FORM_FIELDS if f in flagged]  # form order


def test_form_required():
    assert "联系电话" in browse.form_required({"登记类型": "新就业"})
    assert "就业单位名称" in browse.form_required({"登记类型": "新就业", "就业形式": "单位就业"})
    assert "就业单位名称" not in browse.form_required(
        {"登记类型": "新就业", "就业形式": "灵活就业"}
    )
    assert "减员原因" in browse.form_required({"登记类型": "自然减员"})


def test_read_form_id():
    empty = browse.read_form_id("  ")
    assert not empty.readable and empty.problem
    short = browse.read_form_id("41100219850312")
    assert not short.readable and not short.complete and "14位" in short.problem
    old = browse.read_form_id("411002850312123")
    assert old.readable and old.number == make_id() and old.note
    assert not old.complete  # 15 digits may still become 18
    assert old.sex == "男" and old.birth == dt.date(1985, 3, 12)
    bad_check = browse.read_form_id(make_id()[:17] + ("0" if make_id()[17] != "0" else "1"))
    assert bad_check.readable and bad_check.complete
    assert bad_check.problem == ""  # saved; the self-check says why
    too_long = browse.read_form_id(make_id() + "1")
    assert not too_long.readable and too_long.complete


def test_person_records_this_year_and_the_duplicate_message(session):
    pid = make_id(seq="555")
    first = session.add_values(new_row(公民身份号码=pid, 登记日期="2017-05-10"))[0]
    session.add_values(
        new_row(公民身份号码=pid, 登记日期="2016-05-10", **{"就业（减员）日期": "2016-05-02"})
    )
    attrition = session.add_values(
        new_row(
            公民身份号码=pid,
            登记类型="自然减员",
            登记日期="2015-03-01",
            减员原因="退休",
            **{"就业（减员）日期": "2015-02-27"},
        )
    )[0]
    found = browse.person_records(session, pid.lower(), 2017)
    assert [p.id for p in found] == [attrition, first]  # 2016's 新就业 is another year
    assert found[1].area == "魏都区" and found[1].record_type == "新就业" and not found[1].removed
    message = browse.person_message(found, "新就业", "2017-11-01")
    assert "此人2017年已有 2 条记录" in message and "重复" in message
    assert "重复" not in browse.person_message(found[1:], "去产能安置", "2017-11-01")
    assert browse.person_message(found[1:], "新就业", "2017-11-01", editing=first) == ""
    assert browse.person_records(session, make_id(seq="556"), 2017) == []


def test_employer_suggestions(session):
    session.add_values(
        new_row(就业形式="单位就业", 就业单位名称="许昌瑞贝卡发制品有限公司", 统一社会信用代码="")
    )
    session.add_values(
        new_row(
            公民身份号码=make_id(seq="222"),
            就业形式="单位就业",
            就业单位名称="许昌瑞贝卡发制品有限公司",
            统一社会信用代码="91411000MA40ABCD1X",
        )
    )
    session.add_values(
        new_row(公民身份号码=make_id(seq="333"), 就业形式="单位就业", 就业单位名称="许继电气")
    )
    assert browse.employer_suggestions(session, "许昌") == [
        ("许昌瑞贝卡发制品有限公司", "91411000MA40ABCD1X")
    ]
    assert [n for n, _ in browse.employer_suggestions(session, "许")] == [
        "许昌瑞贝卡发制品有限公司",
        "许继电气",
    ]
    assert browse.employer_suggestions(session, "许", limit=1) == [
        ("许昌瑞贝卡发制品有限公司", "91411000MA40ABCD1X")
    ]
    assert browse.employer_suggestions(session, "  ") == []


def test_record_form_values_use_the_area_name(session):
    rid = session.add_values(new_row(所属地区="411002"))[0]
    values = browse.record_form_values(session, rid)
    assert values is not None
    assert values["所属地区"] == "魏都区"
    assert values["姓名"] == "王伟"
    assert browse.record_form_values(session, 999) is None
