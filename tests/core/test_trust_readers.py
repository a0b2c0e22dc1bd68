"""Issue 11, item 3: readers that cannot be crashed. Each hostile workbook is given to the
command line in its own process (an allocation abort there would kill it, not the tests):
exit 1 with a Chinese message, no traceback, the ledger unchanged."""

from __future__ import annotations

import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jiuye_desktop.workbook import WorkbookRefused, inspect_workbook, read_workbook_file

from .helpers import new_row, write_book
from .trust_helpers import assert_refused, run_cli, sha


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readers") / "l.sqlite"
    done = run_cli(
        ["init", "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city", "--db", path]
    )
    assert done.returncode == 0, done.stderr
    return path


def _rewrite(src: Path, dst: Path, edit: dict[str, bytes]) -> Path:
    """A copy of a workbook with some members' bytes replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, edit.get(item.filename, zin.read(item.filename)))
    return dst


def _sheet_member(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def sparse_sheet(tmp_path: Path) -> Path:
    """A real ledger with one more cell, at XFD1048576: 5 KB on disk."""
    path = write_book(tmp_path / "sparse.xlsx", [new_row()])
    wb = openpyxl.load_workbook(path)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 20_000
    return path


def test_a_sparse_sheet_with_a_cell_at_xfd1048576_is_refused(
    ledger_path: Path, tmp_path: Path
) -> None:
    before = sha(ledger_path)
    err = assert_refused(run_cli(["import", sparse_sheet(tmp_path), "--db", ledger_path]), 1)
    assert "超出台账可能的大小" in err
    assert sha(ledger_path) == before


def test_a_sheet_that_lies_about_its_dimension_is_refused(
    ledger_path: Path, tmp_path: Path
) -> None:
    sparse = sparse_sheet(tmp_path)
    member = _sheet_member(sparse)
    with zipfile.ZipFile(sparse) as z:
        xml = z.read(member)
    lying = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:W2"/>', xml)
    assert lying != xml
    path = _rewrite(sparse, tmp_path / "lying.xlsx", {member: lying})
    assert_refused(run_cli(["import", path, "--db", ledger_path]), 1, "超出台账可能的大小")
    without = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml)
    path = _rewrite(sparse, tmp_path / "nodim.xlsx", {member: without})
    assert_refused(run_cli(["import", path, "--db", ledger_path]), 1, "超出台账可能的大小")


def test_a_member_that_inflates_beyond_what_it_declares_is_refused(
    ledger_path: Path, tmp_path: Path
) -> None:
    """A zip bomb whose directory says 1 KB: 300 MB of XML inflate from its stream."""
    good = write_book(tmp_path / "g.xlsx", [new_row()])
    member = _sheet_member(good)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item.filename, src.read(item.filename))
        with dst.open(member, "w") as fh:
            fh.write(src.read(member)[:-20])
            chunk = b"<row/>" * (1 << 18)
            for _ in range(200):
                fh.write(chunk)
    # Declare 1 KB in the local header and the central directory (sizes are little-endian).
    data = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo(member)
    real = info.file_size
    assert real > 300_000_000
    for m in re.finditer(re.escape(struct.pack("<I", real)), bytes(data)):
        data[m.start() : m.start() + 4] = struct.pack("<I", 1024)
    bomb.write_bytes(bytes(data))
    assert bomb.stat().st_size < 2_000_000
    err = assert_refused(run_cli(["import", bomb, "--db", ledger_path]), 1)
    assert "压缩炸弹" in err or "已损坏" in err


def test_a_shared_string_table_declaring_billions_is_refused(tmp_path: Path) -> None:
    good = write_book(tmp_path / "g.xlsx", [new_row()])
    xml = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    path = _rewrite(good, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": xml})
    with zipfile.ZipFile(path, "a") as z:
        if "xl/sharedStrings.xml" not in z.namelist():
            z.writestr("xl/sharedStrings.xml", xml)
    with pytest.raises(WorkbookRefused, match="共享字符串"):
        inspect_workbook(path.name, path.read_bytes())


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    good = write_book(tmp_path / "g.xlsx", [new_row()])
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        for i in range(10_001):
            dst.writestr(f"x/{i}", b"")
    with pytest.raises(WorkbookRefused, match="部件"):
        inspect_workbook(path.name, path.read_bytes())


def test_a_genuine_workbook_passes(tmp_path: Path) -> None:
    good = write_book(tmp_path / "g.xlsx", [new_row() for _ in range(50)])
    inspect_workbook(good.name, read_workbook_file(good))


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_non_regular_files_are_refused_at_once(
    ledger_path: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "fifo":
        path = tmp_path / "pipe.xlsx"
        os.mkfifo(path)
    elif kind == "folder":
        path = tmp_path / "folder.xlsx"
        path.mkdir()
    else:
        path = Path("/dev/zero")
    for command in (["import", path], ["merge", path]):
        err = assert_refused(run_cli([*command, "--db", ledger_path], timeout=30), 1)
        assert "不是" in err


def test_merge_gets_the_same_checks(ledger_path: Path, tmp_path: Path) -> None:
    before = sha(ledger_path)
    err = assert_refused(run_cli(["merge", sparse_sheet(tmp_path), "--db", ledger_path]), 1)
    assert "超出台账可能的大小" in err
    assert sha(ledger_path) == before


def _one_sheet_book(sheet_xml: bytes) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (b'<row r="2"><c r="ZZ60000" t="n"><v>1</v></c></row>', True),  # 60,000 x 702 cells
        (b'<row r="2"><c r="ZZ50000" t="n"><v>1</v></c></row>', False),  # 50,000 x 702
        (b'<row r="2"><c\tr="ZZ60000" t="n"><v>1</v></c></row>', True),  # a tab before r=
        (b'<row r="2"><c\nr="AAA60000" t="n"><v>1</v></c></row>', True),
        (b'<row r="2"><c r="A1048577"/></row>', True),  # beyond Excel's last row
        (b'<x:row r="1048577"><x:c r="A2"/></x:row>', True),  # a prefixed row element
        (b'<row\tr="1048577"><c r="A2"/></row>', True),
        (b'<row r="1048576"><c r="AZ1"/></row>', True),  # 1,048,576 x 52 cells
        (b'<row r="700000"><c r="AZ1"/></row>', False),  # 700,000 x 52
    ],
)
def test_the_container_check_reads_every_way_of_writing_a_reference(
    body: bytes, refused: bool
) -> None:
    """The quick path (a plain space before r=, rows without a prefix) and the general one
    find the same extent."""
    xml = b'<worksheet xmlns="x"><sheetData>' + body + b"</sheetData></worksheet>"
    data = _one_sheet_book(xml)
    if refused:
        with pytest.raises(WorkbookRefused, match="超出台账可能的大小"):
            inspect_workbook("t.xlsx", data)
    else:
        inspect_workbook("t.xlsx", data)
