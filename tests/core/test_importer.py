"""Import: header synonyms, date forms, area forms, damaged IDs, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from jiuye_desktop.domain import HEADER_SYNONYMS
from jiuye_desktop.importer import ImportRefused, import_workbook
from jiuye_desktop.selfcheck import run_check
from jiuye_desktop.storage import ledger, staging

from .helpers import TEMPLATE, db_fingerprint, make_id, new_row, write_book, xuchang


@pytest.fixture
def session(tmp_path: Path):
    s = xuchang(tmp_path / "l.sqlite")
    yield s
    s.close()


def _records(session) -> list:
    return [rec for _, rec, _, _ in ledger.iter_records(session.db.conn)]


@pytest.mark.parametrize("header", sorted(HEADER_SYNONYMS))
def test_every_header_synonym_is_recognised(session, tmp_path: Path, header: str) -> None:
    for synonym in HEADER_SYNONYMS[header]:
        path = write_book(
            tmp_path / f"{synonym}.xlsx",
            [new_row(备注=synonym)],
            rename={header: synonym},
            title_rows=2,
        )
        result = import_workbook(session, path)
        assert result.imported == 1
        assert result.header_row == 3
        assert header in result.mapping, synonym
    recs = _records(session)
    assert all(r.name == "王伟" and r.event_date == "2017-05-02" for r in recs)
    assert all(r.id_number == make_id() for r in recs)


def test_headers_in_any_order_with_spaces_and_stars(session, tmp_path: Path) -> None:
    headers = list(reversed(TEMPLATE))
    path = write_book(
        tmp_path / "rev.xlsx",
        [new_row()],
        headers,
        rename={"姓名": " 姓 名* ", "就业（减员）日期": "就业(减员)日期"},
    )
    assert import_workbook(session, path).imported == 1
    assert _records(session)[0].name == "王伟"


def test_date_forms_and_serials(session, tmp_path: Path) -> None:
    forms = [
        dt.date(2017, 11, 3),
        dt.datetime(2017, 11, 3),
        "2017-11-03",
        "2017/11/3",
        "2017.11.3",
        "20171103",
        "2017年11月3日",
        43042,
        "43042",
    ]
    rows = [
        new_row(
            **{
                "公民身份号码": make_id(seq=f"{i:03d}"),
                "就业（减员）日期": f,
                "登记日期": "2017-11-20",
            }
        )
        for i, f in enumerate(forms)
    ]
    path = write_book(tmp_path / "dates.xlsx", rows)
    # A real serial-number date cell as Excel stores it: a number with a date format.
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws.cell(row=len(rows) + 1, column=TEMPLATE.index("登记日期") + 1).value = 43059  # 2017-11-20
    wb.save(path)
    assert import_workbook(session, path).imported == len(forms)
    recs = _records(session)
    assert [r.event_date for r in recs] == ["2017-11-03"] * len(forms)
    assert {r.registered_on for r in recs} == {"2017-11-20"}
    assert not [f for f in run_check(session).findings if f.kind == "invalid"]


def test_unreadable_date_becomes_an_invalid_finding_not_a_lost_row(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "bad.xlsx", [new_row(**{"就业（减员）日期": "十一月三日"})])
    assert import_workbook(session, path).imported == 1
    found = run_check(session).findings
    assert [(f.kind, f.field) for f in found] == [("invalid", "就业（减员）日期")]
    assert "十一月三日" in found[0].message and found[0].source_row == 2


def test_areas_by_code_name_and_self(session, tmp_path: Path) -> None:
    written = ["许昌市本级", "本级", "许昌市", "411000", "魏都区", "411002", 411082, "长葛市 "]
    rows = [
        new_row(公民身份号码=make_id(seq=f"{i:03d}"), 所属地区=a) for i, a in enumerate(written)
    ]
    assert import_workbook(session, write_book(tmp_path / "a.xlsx", rows)).imported == len(rows)
    codes = [r.area_code for r in _records(session)]
    assert codes == ["411000"] * 4 + ["411002"] * 2 + ["411082"] * 2


def test_id_stored_as_number_is_imported_and_flagged(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "num.xlsx", [new_row(公民身份号码=411002198503121234)])
    assert import_workbook(session, path).imported == 1
    found = [f for f in run_check(session).findings if f.kind == "invalid"]
    assert len(found) == 1 and "Excel" in found[0].message


def test_row_with_only_a_number_is_rejected_with_its_row(session, tmp_path: Path) -> None:
    rows = [new_row(), {"序号": 2}, {}, new_row(公民身份号码=make_id(seq="456"))]
    result = import_workbook(session, write_book(tmp_path / "gap.xlsx", rows))
    assert result.imported == 2
    # The wholly empty row 4 is not a row anybody wrote: skipped, not reported.
    assert [(r.row, "只有序号" in r.reason) for r in result.rejected] == [(3, True)]
    assert [r.source_row for r in _records(session)] == [2, 5]


def test_same_content_twice_is_refused(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "once.xlsx", [new_row()])
    import_workbook(session, path)
    before = db_fingerprint(session.db.path)
    copy = tmp_path / "renamed.xlsx"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(ImportRefused, match="导入过"):
        import_workbook(session, copy)
    assert db_fingerprint(session.db.path) == before


def _refused(session, path: Path, *words: str) -> None:
    before = db_fingerprint(session.db.path)
    with pytest.raises(ImportRefused) as info:
        import_workbook(session, path)
    message = str(info.value)
    assert path.name in message
    for w in words:
        assert w in message
    assert db_fingerprint(session.db.path) == before


def test_not_a_workbook(session, tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是Excel文件", encoding="utf-8")
    _refused(session, path, "不是Excel工作簿")


def test_truncated_download(session, tmp_path: Path) -> None:
    good = write_book(tmp_path / "g.xlsx", [new_row()] * 50)
    path = tmp_path / "half.xlsx"
    path.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    _refused(session, path, "损坏")


def test_workbook_without_template_headers(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "other.xlsx", [{"a": 1}], headers=["a", "b", "c"])
    _refused(session, path, "没有找到台账表头")


def test_empty_sheet(session, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    _refused(session, path)


def test_header_without_data(session, tmp_path: Path) -> None:
    _refused(session, write_book(tmp_path / "hdr.xlsx", []), "没有数据行")


@pytest.mark.parametrize(
    "missing", ["姓名", "公民身份号码", "所属地区", "登记类型", "就业（减员）日期"]
)
def test_each_required_header_missing_is_named(session, tmp_path: Path, missing: str) -> None:
    headers = [h for h in TEMPLATE if h != missing]
    _refused(
        session, write_book(tmp_path / "m.xlsx", [new_row()], headers), "缺少必需的列", missing
    )


def test_first_sheet_with_headers_is_used(session, tmp_path: Path) -> None:
    path = write_book(tmp_path / "two.xlsx", [new_row()])
    wb = openpyxl.load_workbook(path)
    cover = wb.create_sheet("封面", 0)
    cover["A1"] = "许昌市2017年实名台账"
    wb.save(path)
    result = import_workbook(session, path)
    assert (result.imported, result.sheet) == (1, "实名台账")


def test_failure_mid_write_leaves_nothing(session, tmp_path: Path, monkeypatch) -> None:
    rows = [new_row(公民身份号码=make_id(seq=f"{i:03d}")) for i in range(30)]
    path = write_book(tmp_path / "boom.xlsx", rows)
    before = db_fingerprint(session.db.path)
    real = staging.Copier.copy
    copied: list[int] = []

    def explode(self, schema, lo, hi):
        real(self, schema, lo, hi)  # the rows are in the ledger's transaction …
        copied.append(session.db.conn.execute("SELECT count(*) FROM records").fetchone()[0])
        raise OSError("disk gone")  # … when the disk goes

    monkeypatch.setattr(staging.Copier, "copy", explode)
    with pytest.raises(OSError):
        import_workbook(session, path)
    assert copied == [30]
    assert db_fingerprint(session.db.path) == before
    monkeypatch.setattr(staging.Copier, "copy", real)
    assert import_workbook(session, path).imported == 30


def test_header_below_empty_rows_and_right_of_an_empty_column(session, tmp_path: Path) -> None:
    """calamine counts the height of the used range (from the header), but walks the rows
    from the sheet's first row: the import must read every row and name Excel's rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "实名台账"
    rows = [
        new_row(公民身份号码=make_id(seq=f"{i:03d}"), 姓名=f"王{'一二三'[i]}") for i in range(3)
    ]
    for c, header in enumerate(TEMPLATE, start=2):  # header on row 8, from column B
        ws.cell(8, c, header)
        for i, row in enumerate(rows):
            ws.cell(9 + i, c, row.get(header))
    path = tmp_path / "low.xlsx"
    wb.save(path)
    result = import_workbook(session, path)
    assert (result.imported, result.header_row, result.mapping["姓名"]) == (3, 8, "C")
    assert [(r.source_row, r.name) for r in _records(session)] == [
        (9, "王一"),
        (10, "王二"),
        (11, "王三"),
    ]


def test_merged_cells_in_the_data_fill_their_range(session, tmp_path: Path) -> None:
    rows = [new_row(公民身份号码=make_id(seq=f"{i:03d}")) for i in range(3)]
    path = write_book(tmp_path / "merged.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    col = openpyxl.utils.get_column_letter(TEMPLATE.index("所属地区") + 1)
    ws[f"{col}2"] = "长葛市"
    ws.merge_cells(f"{col}2:{col}4")
    wb.save(path)
    assert import_workbook(session, path).imported == 3
    assert [r.area_code for r in _records(session)] == ["411082"] * 3
