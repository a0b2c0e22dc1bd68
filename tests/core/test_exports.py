"""The stamped Annex 1 sheet (xlsx, PDF), the self-check report PDF and the atomic writer."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import errno
import io
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PIL import Image, ImageDraw
from stdnum.cn import ric

from jiuye_desktop.cli import Refused
from jiuye_desktop.cli.export_commands import register
from jiuye_desktop.domain import INDICATOR_NAMES, Level, WeeklyTable
from jiuye_desktop.exports import ExportError, atomic_write
from jiuye_desktop.exports import annex1_form as form
from jiuye_desktop.exports.annex1_pdf import export_annex1_pdf
from jiuye_desktop.exports.annex1_xlsx import export_annex1_xlsx, write_annex1_sheet
from jiuye_desktop.exports.selfcheck_data import (
    cumulative_ignoring_removals,
    gather,
    mask_id,
    mask_ids_in,
)
from jiuye_desktop.exports.selfcheck_pdf import export_selfcheck_report
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.resources import resources_dir
from jiuye_desktop.selfcheck import remove_flagged
from jiuye_desktop.service import Session, init_database, open_session
from jiuye_desktop.storage import ledger
from jiuye_desktop.weekly import compute
from jiuye_desktop.weeks import week_of
from tests import ledger_queries
from tests.sample_ledgers import samples_dir

REMOVAL_DAY = dt.date(2017, 11, 24)  # a Friday: the end of 2017年11月第4周
WEEK = week_of(REMOVAL_DAY)
FILL_DAY = dt.date(2017, 11, 24)
#: The notice's title and 填表说明, verbatim; the whole notice of shared/seed is read too when
#: it sits beside the checkout (an optional extra).
NOTICE_EXCERPT = Path(__file__).resolve().parents[1] / "data" / "henan-2017-181-annex1-excerpt.txt"
NOTICE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "henan-2017-181-notice.txt"
FULL_ID = re.compile(r"(?<![0-9*])[0-9]{17}[0-9X](?![0-9])")
MASKED_ID = re.compile(r"\b[0-9]{6}\*{8}[0-9]{3}[0-9X]\b")


# --- Fixtures -----------------------------------------------------------------------------------


def _png(kind: str) -> bytes:
    """A red seal (circle and star on transparency) or a blue scribble signature."""
    if kind == "seal":
        im = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
        d = ImageDraw.Draw(im)
        d.ellipse((6, 6, 234, 234), outline=(220, 0, 0, 230), width=10)
        pts = [
            (
                120 + 45 * math.cos(math.radians(-90 + 144 * k)),
                120 + 45 * math.sin(math.radians(-90 + 144 * k)),
            )
            for k in range(5)
        ]
        d.polygon(pts, fill=(220, 0, 0, 230))
    else:
        im = Image.new("RGBA", (200, 70), (0, 0, 0, 0))
        ImageDraw.Draw(im).line(
            [(8, 55), (50, 15), (95, 60), (140, 12), (190, 50)], fill=(0, 0, 140, 255), width=5
        )
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _twin(session: Session) -> tuple[int, str]:
    """Add a record with another ID but the same name and birth date as an active one: a
    plain 新就业 (no flag) of the report's period, so it adds 1 to columns 3–4 only."""
    conn = session.db.conn
    plain = (
        "r.record_type = '新就业' AND r.area_id IS NOT NULL AND r.registered_on <= ? "
        "AND r.reemployed = '否' AND r.hardship = '否' AND r.overcapacity = '否'"
    )
    for _record_id, rec, _area, removed in ledger.iter_records(
        conn, plain, (REMOVAL_DAY.isoformat(),)
    ):
        if removed or len(rec.id_number) != 18 or rec.name == "":
            continue
        seq = f"{(int(rec.id_number[14:17]) + 2) % 1000:03d}"
        body = rec.id_number[:14] + seq
        other = body + ric.calc_check_digit(body + "0")  # it reads 18 characters
        if ledger_queries.record_ids_for_ids(conn, other):
            continue
        twin = dataclasses.replace(rec, id_number=other, id_raw=other, id=None, source_row=None)
        new_id, _ = session.add_record(twin)
        return new_id, rec.name
    raise AssertionError("no record to twin")


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The Xuchang sample ledger imported, checked and cleaned on 2017-11-24."""
    samples = samples_dir()
    db = tmp_path_factory.mktemp("exports") / "ledger.sqlite"
    session = init_database(db, unit_code="411000", unit_name="许昌市", level=Level.CITY)
    try:
        import_workbook(session, samples / "xuchang-2017-ledger.xlsx")
        before = compute(session, WEEK)
        removed = remove_flagged(session, "all", REMOVAL_DAY, note="11月集中调整")
        twin_id, twin_name = _twin(session)
        session.set_profile(
            {
                "unit_head": "王建国",
                "org_head": "李红梅",
                "contact": "陈国胜",
                "contact_phone": "0374-2622931",
            }
        )
    finally:
        session.close()
    yield {"db": db, "before": before, "removed": removed, "twin": (twin_id, twin_name)}


@pytest.fixture
def session(ledger_db: dict[str, Any]) -> Iterator[Session]:
    s = open_session(ledger_db["db"])
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def stamped(session: Session) -> Iterator[Session]:
    """The same ledger with a seal and both signatures, removed again afterwards."""
    for kind in ("seal", "sign_unit", "sign_org"):
        session.set_image(kind, _png("seal" if kind == "seal" else "sign"))
    try:
        yield session
    finally:
        for kind in ("seal", "sign_unit", "sign_org"):
            session.set_image(kind, None)


def _tool(*argv: str) -> str:
    if shutil.which(argv[0]) is None:
        pytest.fail(f"需要 poppler-utils（{argv[0]}）：apt-get install -y poppler-utils")
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path) -> int:
    found = re.search(r"^Pages:\s+(\d+)", _tool("pdfinfo", str(pdf)), re.M)
    assert found, "pdfinfo gave no page count"
    return int(found.group(1))


def _assert_font_embedded(pdf: Path) -> None:
    lines = _tool("pdffonts", str(pdf)).splitlines()[2:]
    assert lines, "no fonts in the PDF"
    assert any("WenQuanYiMicroHei" in line for line in lines)
    for line in lines:
        emb = line.split()[-5]
        assert emb == "yes", f"font not embedded: {line}"


def _notice_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in (NOTICE_EXCERPT, NOTICE) if p.is_file()]


def _notice_notes(text: str) -> list[str]:
    start = text.index("填表说明：")
    return [line.strip() for line in text[start:].splitlines() if line.strip()][:3]


# --- The xlsx sheet ------------------------------------------------------------------------------


def test_notes_are_the_notice_verbatim() -> None:
    texts = _notice_texts()
    assert NOTICE_EXCERPT.is_file() and texts
    for text in texts:
        assert list(form.NOTES) == _notice_notes(text)
        assert form.TITLE in text
    assert "（1栏=3栏-5栏，2栏=4栏-6栏）" in form.NOTES[2]


def test_annex1_xlsx_layout_and_values(session: Session, tmp_path: Path) -> None:
    out = export_annex1_xlsx(session, WEEK, tmp_path / "附件1.xlsx", fill_date=FILL_DAY)
    table = compute(session, WEEK)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["附件1"]
    ws = wb["附件1"]
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "城镇新增就业人员实名制登记统计情况周调度（汇总）表"
    unit_line = [ws.cell(3, c).value for c in range(1, 14) if ws.cell(3, c).value]
    assert unit_line == ["填报单位（公章）：许昌市", "2017年11月第4周", "计量单位：人"]

    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:M2", "A4:A5", "B4:C4", "D4:E4", "F4:G4", "H4:I4", "J4:K4", "L4:M4"} <= merged
    assert "项目" in ws["A4"].value and "地区" in ws["A4"].value
    assert ws["A4"].border.diagonalDown and ws["A4"].border.diagonal.style == "thin"
    assert [ws.cell(4, 2 + 2 * i).value for i in range(6)] == list(INDICATOR_NAMES)
    assert [ws.cell(5, c).value for c in range(2, 14)] == ["本周实际", "本年累计"] * 6
    assert [ws.cell(6, c).value for c in range(1, 14)] == ["甲", *range(1, 13)]

    body = [[ws.cell(r, c).value for c in range(1, 14)] for r in range(7, 7 + 1 + len(table.rows))]
    assert body[0] == ["合计", *table.total]
    assert body[1:] == [[r.name, *r.cells] for r in table.rows]
    assert body[1][0] == "许昌市本级"
    assert any(v < 0 for v in table.total), "the removal week shows negative 本周实际"
    for r in range(7, 7 + len(body)):
        for c in range(2, 14):
            cell = ws.cell(r, c)
            assert cell.data_type == "n" and isinstance(cell.value, int)
    # Thin borders on every table cell; inside a merged range only its outline counts.
    spans = {(r, c): rng for rng in ws.merged_cells.ranges for r, c in rng.cells}
    for r in range(4, 7 + len(body)):
        for c in range(1, 14):
            b, rng = ws.cell(r, c).border, spans.get((r, c))
            outer = {
                "left": rng is None or c == rng.min_col,
                "right": rng is None or c == rng.max_col,
                "top": rng is None or r == rng.min_row,
                "bottom": rng is None or r == rng.max_row,
            }
            for side, on_edge in outer.items():
                if on_edge:
                    assert getattr(b, side).style == "thin", (r, c, side)

    last_body = 6 + len(body)
    sign = [
        ws.cell(last_body + 1, c).value for c in range(1, 14) if ws.cell(last_body + 1, c).value
    ]
    assert sign == ["单位负责人签章：王建国", "机构负责人签章：李红梅", "填表日期：2017年11月24日"]
    notes = [ws.cell(last_body + 2 + k, 1).value for k in range(3)]
    assert notes == _notice_notes(_notice_texts()[0])

    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 1
    assert ws.print_area == f"'附件1'!$A$1:$M${last_body + 4}"
    assert ws.page_margins.footer == pytest.approx(0.3)
    assert ws.page_margins.bottom == pytest.approx(0.9)
    assert ws.column_dimensions["B"].width >= 10 and ws.column_dimensions["A"].width >= 12
    assert not ws._images  # noqa: SLF001 - no seal stored


def test_annex1_xlsx_stamped_images(stamped: Session, tmp_path: Path) -> None:
    out = export_annex1_xlsx(stamped, WEEK, tmp_path / "stamped.xlsx", fill_date=FILL_DAY)
    ws = openpyxl.load_workbook(out)["附件1"]
    images = ws._images  # noqa: SLF001
    assert len(images) == 3
    rows = sorted(img.anchor._from.row + 1 for img in images)  # noqa: SLF001
    sign_row = 7 + 1 + len(compute(stamped, WEEK).rows)
    # The seal sits on the rows around 填报单位（公章）, the signatures on their line.
    assert rows[0] <= 3 and rows[1:] == [sign_row, sign_row]


def test_write_annex1_sheet_reused_in_another_workbook(session: Session) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "实名台账"
    ws = wb.create_sheet("附件1")
    table = compute(session, WEEK)
    write_annex1_sheet(ws, table, profile={}, images={}, fill_date=FILL_DAY)
    assert ws["A2"].value == form.TITLE
    assert ws.cell(7, 2).value == table.total[0]
    assert ws.cell(7 + len(table.rows) + 1, 1).value == "单位负责人签章："


# --- The Annex 1 PDF -----------------------------------------------------------------------------


def test_annex1_pdf_one_page_embedded_font(stamped: Session, tmp_path: Path) -> None:
    out = export_annex1_pdf(stamped, WEEK, tmp_path / "附件1.pdf", fill_date=FILL_DAY)
    assert _pages(out) == 1
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", _tool("pdfinfo", str(out)))
    assert size and (round(float(size[1])), round(float(size[2]))) == (842, 595)  # A4 landscape
    _assert_font_embedded(out)
    text = _tool("pdftotext", "-layout", str(out), "-")
    table = compute(stamped, WEEK)
    assert form.TITLE in text
    # Stamped: the name stands right of the seal, so that the seal covers only the label.
    assert re.search(r"填报单位（公章）：\s+许昌市", text) and "2017年11月第4周" in text
    assert "计量单位：人" in text and "填表日期：2017年11月24日" in text
    assert "（1栏=3栏-5栏，2栏=4栏-6栏）" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.split()}
    assert lines["合计"] == [str(v) for v in table.total]
    for row in table.rows:
        assert lines[row.name] == [str(v) for v in row.cells]


def test_annex1_pdf_many_areas_still_one_page(tmp_path: Path) -> None:
    areas = [(None, f"第{i}街道办事处") for i in range(1, 41)]
    s = init_database(
        tmp_path / "county.sqlite",
        unit_code="411024",
        unit_name="鄢陵县",
        level=Level.COUNTY,
        areas=areas,
    )
    try:
        out = export_annex1_pdf(s, WEEK, tmp_path / "county.pdf", fill_date=FILL_DAY)
    finally:
        s.close()
    assert _pages(out) == 1
    text = _tool("pdftotext", "-layout", str(out), "-")
    assert "第40街道办事处" in text and "填表说明" in text


# --- The self-check report -----------------------------------------------------------------------


def _figures(text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in INDICATOR_NAMES:
            out[parts[0]] = [int(p) for p in parts[1:]]
    return out


def test_selfcheck_report(ledger_db: dict[str, Any], session: Session, tmp_path: Path) -> None:
    out = export_selfcheck_report(session, tmp_path / "自查报告.pdf", report_date=REMOVAL_DAY)
    pages = _pages(out)
    assert pages >= 2
    _assert_font_embedded(out)
    text = _tool("pdftotext", "-layout", str(out), "-")
    assert "《许昌市关于城镇新增就业人员实名登记台账自查情况的报告》" in text
    assert "2017年1月1日至2017年11月24日" in text and "报告日期：2017年11月24日" in text

    figures = _figures(text)
    assert list(figures) == list(INDICATOR_NAMES)
    after = compute(session, WEEK).total[1::2]
    before = ledger_db["before"].total[1::2]
    for i, name in enumerate(INDICATOR_NAMES):
        b, r, a = figures[name]
        assert b - r == a, name
        assert a == after[i], name
    # The twin record added after the removal counts before and after alike.
    assert figures["城镇新就业人员"][0] == before[1] + 1
    removed_new = [
        record_id
        for record_id, _rec, area_id, removed_on in ledger.iter_records(
            session.db.conn, "r.record_type = '新就业' AND r.registered_on <= ?", ("2017-11-24",)
        )
        if removed_on is not None and area_id is not None
    ]
    assert figures["城镇新就业人员"][1] == len(removed_new) > 0

    removed = ledger_db["removed"].as_json()["removed"]
    assert f"共剔除{sum(removed.values())}条" in text.replace("\n", "")
    assert MASKED_ID.search(text)
    assert not FULL_ID.search(text), "a full citizen ID is printed"
    assert "11月集中调整" in text
    assert "待核实的疑似重复记录" in text and ledger_db["twin"][1] in text
    assert "可能是同一人" in text
    assert "联系人：陈国胜" in text and "0374-2622931" in text
    flat = re.sub(r"\s+", "", text)
    assert f"第1页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat


def test_report_data_and_cumulative_ignoring_removals(
    ledger_db: dict[str, Any], session: Session
) -> None:
    data = gather(session, REMOVAL_DAY)
    assert [b - r for b, r in zip(data.before, data.removed, strict=True)] == list(data.after)
    # Before the check = what the week showed before anything was removed (+ the twin).
    before = list(ledger_db["before"].total[1::2])
    before[0] += 1
    before[1] += 1
    assert list(cumulative_ignoring_removals(session, REMOVAL_DAY)) == before
    assert data.by_reason() == ledger_db["removed"].as_json()["removed"]
    assert sum(sum(c.values()) for _, c in data.by_area) == data.removed_total
    assert {r.reason for r in data.removed_rows} == {"重复", "无效", "不完整"}
    assert len(data.review) == 2  # both records of the pair
    # A day before the removal nothing is removed yet.
    early = gather(session, dt.date(2017, 11, 23))
    assert early.removed_total == 0 and early.before == early.after


def test_report_period_of_a_past_year(session: Session) -> None:
    data = gather(session, dt.date(2018, 1, 10))
    assert (data.period_start, data.period_end) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))


def test_mask_id() -> None:
    assert mask_id("41100219850312123X") == "411002********123X"
    assert mask_id("") == ""
    assert mask_ids_in("与第 3 行（身份证号41100219850312123X）相同") == (
        "与第 3 行（身份证号411002********123X）相同"
    )


# --- The command line ----------------------------------------------------------------------------


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Any]]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path)
    common.add_argument("--operator")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true")
    p = argparse.ArgumentParser(prog="jiuye")
    sub = p.add_subparsers(dest="command", required=True)
    return p, register(sub, common, as_json)


def _run(*argv: str) -> dict[str, Any]:
    parser, commands = _parser()
    args = parser.parse_args(list(argv))
    return commands[args.command](args)


def test_cli_export_annex1_and_report(ledger_db: dict[str, Any], tmp_path: Path) -> None:
    db = str(ledger_db["db"])
    got = _run(
        "export-annex1",
        "--db",
        db,
        "--date",
        "2017-11-24",
        "--out",
        str(tmp_path / "a.xlsx"),
        "--pdf",
        str(tmp_path / "a.pdf"),
        "--fill-date",
        "2017-11-24",
        "--json",
    )
    assert got["week"]["label"] == "2017年11月第4周"
    assert Path(got["xlsx"]).is_file() and Path(got["pdf"]).is_file()
    assert got["fill_date"] == "2017-11-24"
    only_pdf = _run(
        "export-annex1", "--db", db, "--week", "2017-11-4", "--out", str(tmp_path / "b.pdf")
    )
    assert only_pdf["xlsx"] is None and only_pdf["out"].endswith("b.pdf")
    assert not (tmp_path / "b.xlsx").exists()

    rep = _run(
        "report-selfcheck", "--db", db, "--out", str(tmp_path / "r.pdf"), "--date", "2017-11-24"
    )
    assert [b - r for b, r in zip(rep["before"], rep["removed"], strict=True)] == rep["after"]
    assert rep["possible_duplicates"] == 2

    with pytest.raises(Refused, match="文件夹"):
        _run(
            "export-annex1",
            "--db",
            db,
            "--date",
            "2017-11-24",
            "--out",
            str(tmp_path / "无此文件夹" / "a.xlsx"),
        )
    with pytest.raises(Refused, match=r"\.xlsx 或 \.pdf"):
        _run("export-annex1", "--db", db, "--date", "2017-11-24", "--out", str(tmp_path / "a.doc"))
    with pytest.raises(SystemExit) as usage:  # a malformed week is wrong usage (exit 2)
        _run("export-annex1", "--db", db, "--week", "2017-13", "--out", str(tmp_path / "c.xlsx"))
    assert usage.value.code == 2
    with pytest.raises(Refused, match=r"\.pdf"):
        _run("report-selfcheck", "--db", db, "--out", str(tmp_path / "r.xlsx"))


# --- The atomic writer ---------------------------------------------------------------------------


def test_failed_save_leaves_no_partial_file(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "附件1.xlsx"
    target.write_bytes(b"old content")

    def boom(self: Any, filename: Any) -> None:
        Path(filename).write_bytes(b"half a workbook")
        raise RuntimeError("boom")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(RuntimeError):
        export_annex1_xlsx(session, WEEK, target)
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["附件1.xlsx"]

    def full(self: Any, filename: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    with pytest.raises(ExportError, match="磁盘空间已满"):
        export_annex1_xlsx(session, WEEK, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["附件1.xlsx"]


def test_locked_target_gives_chinese_message(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "周报.pdf"

    def locked(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ExportError) as exc:
        export_annex1_pdf(session, WEEK, target)
    message = str(exc.value)
    assert str(target) in message and "正被其他程序（如Excel、WPS）打开" in message
    assert list(tmp_path.iterdir()) == []


def test_unwritable_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "是文件夹.xlsx"
    folder.mkdir()
    with pytest.raises(ExportError, match="是一个文件夹"), atomic_write(folder) as tmp:
        tmp.write_bytes(b"x")
    with pytest.raises(ExportError, match="不存在"), atomic_write(tmp_path / "无" / "a.pdf"):
        pass
    existing = tmp_path / "open.xlsx"
    existing.write_bytes(b"x")
    real_open = Path.open

    def excel_holds_it(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self == existing and "a" in mode:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", excel_holds_it)
    with pytest.raises(ExportError, match="WPS"), atomic_write(existing):
        pass
    assert existing.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["open.xlsx", "是文件夹.xlsx"]


def test_bad_image_is_refused(session: Session, tmp_path: Path) -> None:
    table: WeeklyTable = compute(session, WEEK)
    ws = openpyxl.Workbook().active
    with pytest.raises(ExportError, match="公章图片无法读取"):
        write_annex1_sheet(
            ws, table, profile={}, images={"seal": b"\x89PNG\r\n\x1a\nbroken"}, fill_date=FILL_DAY
        )


# --- LibreOffice, as a user opens the file ------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")
def test_libreoffice_prints_the_sheet_on_one_page(stamped: Session, tmp_path: Path) -> None:
    xlsx = export_annex1_xlsx(stamped, WEEK, tmp_path / "annex1.xlsx", fill_date=FILL_DAY)
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{resources_dir() / 'fonts'}</dir><cachedir>{tmp_path / 'fc'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(tmp_path))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    pdf = tmp_path / "out" / "annex1.pdf"
    assert _pages(pdf) == 1
    text = _tool("pdftotext", "-layout", str(pdf), "-")
    table = compute(stamped, WEEK)
    assert form.TITLE in text and "2017年11月第4周" in text
    assert "填表日期：2017年11月24日" in text and "（1栏=3栏-5栏，2栏=4栏-6栏）" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.split()}
    assert lines["合计"] == [str(v) for v in table.total]
    assert lines["长葛市"] == [str(v) for v in table.rows[-1].cells]
