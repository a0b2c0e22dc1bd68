"""Submitted weeks and adjustments (domain.md §9): reasons, the list, and each one's effect.

The effect of an adjustment is checked against an independent computation:
the weekly table (the tally kept by triggers) computed just before and just
after the change.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from jiuye_desktop import adjustments, selfcheck, weekly
from jiuye_desktop.adjustments import ReasonRequired
from jiuye_desktop.cli import main
from jiuye_desktop.demo_loader import load_demo
from jiuye_desktop.record_edit import EditRefused, edit_fields
from jiuye_desktop.service import Session
from jiuye_desktop.submitted import listed, submit
from jiuye_desktop.weeks import week_from_key, week_of

from .helpers import db_fingerprint, make_id, new_row, write_book, xuchang

SUBMITTED = week_from_key("2017-11-2")  # 2017-11-04 … 2017-11-10
NEXT = week_from_key("2017-11-3")
LATER = week_of(dt.date(2017, 12, 29))


@pytest.fixture
def session(tmp_path: Path) -> Session:
    s = xuchang(tmp_path / "l.sqlite")
    load_demo(s, 1200, year=2017, seed=5)
    yield s
    s.close()


def _ids(s: Session, where: str, params: tuple[object, ...] = ()) -> list[int]:
    sql = f"SELECT id FROM records WHERE {where} ORDER BY id"
    return [r[0] for r in s.db.conn.execute(sql, params)]


def _diff(after: weekly.WeeklyTable, before: weekly.WeeklyTable) -> tuple[int, ...]:
    return tuple(a - b for a, b in zip(after.total, before.total, strict=True))


def test_changes_to_a_submitted_week_need_a_reason(session: Session) -> None:
    submit(session, SUBMITTED)
    locked = _ids(
        session,
        "registered_on <= '2017-11-10' AND record_type = '新就业' AND reemployed = '否' "
        "AND removed_on IS NULL",
    )[0]
    free = _ids(session, "registered_on > '2017-11-10' AND record_type = '新就业'")[0]
    path = session.db.path
    before = db_fingerprint(path)
    with pytest.raises(ReasonRequired, match=f"记录 #{locked}"):
        edit_fields(session, locked, ["失业人员再就业=是"])
    with pytest.raises(ReasonRequired):
        selfcheck.remove_selected(session, [free, locked], "invalid", dt.date(2017, 11, 20))
    with pytest.raises(ReasonRequired, match="2017-11-06"):
        session.add_values(new_row(登记日期="2017-11-06", 公民身份号码=make_id(seq="771")))
    assert db_fingerprint(path) == before
    # A field the table does not count, or a record after the submitted week: no reason.
    edit_fields(session, locked, ["联系电话=13912345678"])
    edit_fields(session, free, ["失业人员再就业=是"])
    session.add_values(new_row(登记日期="2017-11-13", 公民身份号码=make_id(seq="772")))
    assert listed(session, NEXT).items == ()
    # With a reason each is kept.
    edit_fields(session, locked, ["失业人员再就业=是"], "核实后更正")
    assert selfcheck.remove_selected(
        session, [locked], "invalid", dt.date(2017, 11, 20), adjustment_reason="核实为无效"
    )
    with pytest.raises(ReasonRequired):
        selfcheck.restore(session, locked)
    assert selfcheck.restore(session, locked, "误剔除")
    new_id, _ = session.add_values(
        new_row(登记日期="2017-11-06", 公民身份号码=make_id(seq="773")), "补录漏登"
    )
    items = listed(session, NEXT).items
    assert [(a.record, a.reason) for a in items] == [
        (locked, "核实后更正"),
        (locked, "核实为无效"),
        (locked, "误剔除"),
        (new_id, "补录漏登"),
    ]
    assert "失业人员再就业：否→是" in items[0].change
    assert "剔除" in items[1].change and "恢复" in items[2].change
    assert all(a.operator == session.operator and a.at for a in items)


def _random_change(s: Session, rng: random.Random, areas: list[str], k: int) -> None:
    """One change with a reason to a record of the submitted period (or a new one in it)."""
    locked = _ids(s, "registered_on <= '2017-11-10'")
    rid = rng.choice(locked)
    kind = rng.randrange(7)
    reason = f"调整{k}"
    removed = _ids(s, "removed_on IS NOT NULL AND registered_on <= '2017-11-10'")
    if kind == 0:
        edit_fields(s, rid, [f"失业人员再就业={rng.choice('是否')}"], reason)
    elif kind == 1:
        edit_fields(
            s, rid, [f"登记类型={rng.choice(['新就业', '自然减员', '去产能安置'])}"], reason
        )
    elif kind == 2:
        edit_fields(s, rid, [f"所属地区={rng.choice(areas)}"], reason)
    elif kind == 3:  # moved to another day: out of the submitted period, or later in the year
        day = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(365))
        edit_fields(s, rid, [f"登记日期={day.isoformat()}"], reason)
    elif kind == 4 or (kind == 5 and not removed):
        day = dt.date(2017, rng.choice([3, 11, 11, 12]), rng.randrange(1, 29))
        selfcheck.remove_selected(
            s, [rid], rng.choice(["duplicate", "invalid"]), day, adjustment_reason=reason
        )
    elif kind == 5:
        selfcheck.restore(s, rng.choice(removed), reason)
    else:
        day = dt.date(2017, 11, rng.randrange(1, 11))
        row = new_row(
            登记日期=day.isoformat(),
            公民身份号码=make_id(seq=f"{k:03d}"),
            失业人员再就业=rng.choice("是否"),
            就业困难人员=rng.choice("是否"),
        )
        s.add_values(row, reason)


def test_effect_is_the_difference_of_two_tables(session: Session) -> None:
    """Each adjustment's effect on a week = that week's 合计 after minus before the change."""
    rng = random.Random(12)
    areas = [a.name for a in session.areas()]
    submit(session, SUBMITTED)
    weeks = (NEXT, LATER, SUBMITTED)
    seen = {"cumulative": 0, "week": 0}
    for k in range(60):
        before = {w: weekly.compute(session, w) for w in weeks}
        count = len(listed(session, NEXT).items)
        _random_change(session, rng, areas, k)
        for w in weeks:
            items = listed(session, w).items
            after = weekly.compute(session, w)
            if w is SUBMITTED:  # no submission before it: nothing listed
                assert items == ()
                continue
            new = items[count:]
            assert len(new) <= 1
            got = new[0].effect if new else (0,) * 12
            assert got == _diff(after, before[w]), (k, w.label, new)
            seen["cumulative"] += any(got[1::2])
            seen["week"] += any(got[0::2])
    assert seen["cumulative"] > 30 and seen["week"] > 1, seen  # the check had something to check


def test_listed_since_the_last_submission_of_an_earlier_week(session: Session) -> None:
    submit(session, SUBMITTED)
    start_next = weekly.compute(session, NEXT)
    first = _ids(session, "registered_on <= '2017-11-10' AND record_type = '新就业'")
    edit_fields(session, first[0], ["登记类型=自然减员", "减员原因=退休"], "类型登记错误")
    submit(session, NEXT)
    start_later = weekly.compute(session, LATER)
    selfcheck.remove_selected(
        session, first[1:4], "duplicate", dt.date(2017, 11, 22), adjustment_reason="重复登记"
    )
    assert [a.record for a in listed(session, NEXT).items] == first[:4]
    after_next = listed(session, week_from_key("2017-11-4")).items
    assert [a.record for a in after_next] == first[1:4]
    assert listed(session, SUBMITTED).items == ()
    assert listed(session, NEXT).submitted and not listed(session, LATER).submitted
    # Together the adjustments listed explain the whole change since that submission.
    for w, start in ((NEXT, start_next), (LATER, start_later)):
        assert listed(session, w).total == _diff(weekly.compute(session, w), start)
    # A removal dated in the week after NEXT: in 本周实际 of that week, not of NEXT.
    one = after_next[0].effect
    assert one[0] == one[1] == -1 and one[2] == one[3] == -1


def test_an_import_into_a_submitted_week(session: Session, tmp_path: Path) -> None:
    submit(session, SUBMITTED)
    rows = [
        new_row(登记日期="2017-11-13", 公民身份号码=make_id(seq="801")),
        new_row(登记日期="2017-11-07", 公民身份号码=make_id(seq="802")),
        new_row(
            登记日期="2017-02-01",
            公民身份号码=make_id(seq="803"),
            **{"就业（减员）日期": "2017-01-20"},
        ),
    ]
    book = write_book(tmp_path / "late.xlsx", rows)
    before_fp = db_fingerprint(session.db.path)
    from jiuye_desktop.importer import import_workbook

    with pytest.raises(ReasonRequired) as info:
        import_workbook(session, book, workers=1)
    assert info.value.items == ["第 3 行（登记日期 2017-11-07）", "第 4 行（登记日期 2017-02-01）"]
    assert db_fingerprint(session.db.path) == before_fp
    before = weekly.compute(session, NEXT)
    import_workbook(session, book, workers=1, reason="补录")
    items = listed(session, NEXT).items
    assert len(items) == 2 and all("导入新增" in a.change for a in items)
    got = listed(session, NEXT).total
    assert got == (0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    # The row registered after the submitted week is in the table as well, not an adjustment.
    late = _diff(weekly.compute(session, NEXT), before)
    assert tuple(d - g for d, g in zip(late, got, strict=True)) == (1, 1, 1, 1) + (0,) * 8


def test_edit_reads_values_as_the_form(session: Session) -> None:
    rid = _ids(session, "record_type = '新就业' AND removed_on IS NULL AND reemployed = '否'")[0]
    for sets, words in (
        (["生日=1990-01-01"], "没有名为"),
        (["登记类型=临时工"], "不在可选项中"),
        (["所属地区=火星"], "不是本单位的地区"),
        (["登记日期=明天"], "不是可读的日期"),
        (["公民身份号码=4110"], "不能保存"),
        (["失业人员再就业"], "字段=值"),
    ):
        with pytest.raises(EditRefused, match=words):
            edit_fields(session, rid, sets)
    with pytest.raises(EditRefused, match="没有编号为 99999 的记录"):
        edit_fields(session, 99999, ["姓名=张三"])
    result = edit_fields(session, rid, ["失业人员再就业=1", "身份证号=" + make_id(seq="901")])
    assert ("失业人员再就业", "否", "是") in result.changed
    # A type change drops the fields the form hides for the new type.
    edit_fields(session, rid, ["登记类型=自然减员", "减员原因=退休"])
    from jiuye_desktop.browse import record_form_values

    values = record_form_values(session, rid) or {}
    assert values["就业形式"] == "" and values["减员原因"] == "退休"


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.sqlite")
    assert main(["demo", "--db", db, "--records", "800", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["submit", "--db", db, "--week", "2017-11-2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["week"] == {"label": "2017年11月第2周", "start": "2017-11-04", "end": "2017-11-10"}
    assert out["submitted_at"] and out["adjustments"] == []
    s = xuchang_open(db)
    plain = (
        "registered_on <= '2017-11-10' AND record_type = '新就业' AND removed_on IS NULL "
        "AND reemployed = '否' AND hardship = '否' AND overcapacity = '否'"
    )
    rid = _ids(s, plain)[0]
    s.close()
    before = db_fingerprint(Path(db))
    assert (
        main(["edit", "--db", db, "--record", str(rid), "--set", "登记类型=自然减员", "--json"])
        == 1
    )
    captured = capsys.readouterr()
    assert f"记录 #{rid}" in captured.err and "--reason" in captured.err
    assert main(["remove", "--db", db, "--kind", "all", "--date", "2017-11-20"]) == 1
    assert "记录 #" in capsys.readouterr().err
    assert db_fingerprint(Path(db)) == before
    argv = ["edit", "--db", db, "--record", str(rid), "--set", "登记类型=自然减员"]
    assert main([*argv, "--set", "减员原因=退休", "--reason", "核实", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"]
    assert main(["weekly", "--db", db, "--week", "2017-11-3", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["submitted"] is False
    (adj,) = table["adjustments"]
    assert set(adj) == {"record", "change", "reason", "operator", "at", "effect"}
    assert adj["record"] == rid and adj["reason"] == "核实"
    assert adj["effect"] == [0, -2, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert (
        main(["remove", "--db", db, "--kind", "all", "--date", "2017-11-20", "--reason", "自查"])
        == 0
    )
    capsys.readouterr()
    assert main(["weekly", "--db", db, "--week", "2017-11-2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["submitted"] is True
    s = xuchang_open(db)
    gone = _ids(s, "registered_on <= '2017-11-10' AND removed_on = '2017-11-20'")[0]
    s.close()
    before = db_fingerprint(Path(db))
    assert main(["restore", "--db", db, "--record", str(gone)]) == 1
    assert f"记录 #{gone}" in capsys.readouterr().err
    assert db_fingerprint(Path(db)) == before
    assert main(["restore", "--db", db, "--record", str(gone), "--reason", "误剔除"]) == 0
    capsys.readouterr()
    assert main(["weekly", "--db", db, "--week", "2017-11-3"]) == 0
    assert "误剔除" in capsys.readouterr().out
    assert main(["edit", "--db", db, "--record", "424242", "--set", "姓名=张三"]) == 1
    assert "没有编号为 424242 的记录" in capsys.readouterr().err


def xuchang_open(db: str) -> Session:
    from jiuye_desktop.service import open_session

    return open_session(db)


def test_lock_is_per_year() -> None:
    lock = adjustments.Lock({2017: "2017-11-10"})
    assert lock.covers("2017-11-10") and lock.covers("2017-01-01")
    assert not lock.covers("2017-11-11") and not lock.covers("2016-12-30")
    assert not lock.covers(None) and not lock.covers("")


def test_exports_list_the_adjustments(session: Session, tmp_path: Path) -> None:
    import openpyxl

    from jiuye_desktop.exports.annex1_pdf import export_annex1_pdf
    from jiuye_desktop.package import open_package, verify_package
    from jiuye_desktop.package.writer import export_package

    submit(session, SUBMITTED)
    assert _pdf_pages(export_annex1_pdf(session, NEXT, tmp_path / "a.pdf"))[0] == 1
    ids = _ids(session, "registered_on <= '2017-11-10' AND removed_on IS NULL")[:40]
    selfcheck.remove_selected(
        session, ids, "invalid", dt.date(2017, 11, 14), adjustment_reason="核实为虚报"
    )
    pages, text = _pdf_pages(export_annex1_pdf(session, NEXT, tmp_path / "b.pdf"))
    assert pages >= 2
    attached = text.split("\f", 1)[1]
    assert "上报以来的调整（共 40 条）" in attached and "核实为虚报" in attached
    assert f"#{ids[-1]}" in attached  # the table flows over pages: the last row is there too

    out = export_package(session, NEXT, tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(out.path, read_only=True)
    try:
        notes = book["说明"]
        rows = [[c for c in r if c is not None] for r in notes.iter_rows(values_only=True)]
    finally:
        book.close()
    adj = [r for r in rows if r and str(r[0]).startswith("调整") and str(r[0])[2:].isdigit()]
    assert [r[2] for r in adj] == [str(i) for i in ids]
    assert all(r[4] == "核实为虚报" for r in adj)
    total = next(r for r in rows if r and r[0] == "调整合计")
    assert tuple(int(v) for v in total[-12:]) == listed(session, NEXT).total
    # The package still reads and verifies as one (账表一致).
    verify_package(open_package(out.path))


def _pdf_pages(pdf: Path) -> tuple[int, str]:
    """Page count and text (pages separated by form feeds) through poppler."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.fail("需要 poppler-utils（pdftotext）：apt-get install -y poppler-utils")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return int(found.group(1)), text.stdout
