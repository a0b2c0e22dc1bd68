"""Issue 11, item 4: renderers print text, never markup; workbook cells from user text are
text, never formulas. Run through the command line in its own process, read back with the
tools a user has (pdftotext, the PDF's own objects, openpyxl)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jiuye_desktop.exports.cells import pdf_text

from .trust_helpers import run_cli

HOSTILE_NOTE = '<img src="/etc/hostname" width="400" height="400"/><a href="http://example.com/x">点此</a>&amp;<link href="file:///etc/passwd">链接</link><font size="80">大</font>'


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render")
    path = root / "l.sqlite"
    done = run_cli(["demo", "--records", "400", "--seed", "5", "--db", path])
    assert done.returncode == 0, done.stderr
    done = run_cli(
        ["remove", "--kind", "all", "--date", "2017-12-01", "--note", HOSTILE_NOTE, "--db", path]
    )
    assert done.returncode == 0, done.stderr
    return path


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with its streams inflated (reportlab compresses page content)."""
    import re
    import zlib

    out = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(m.group(1)))
    return b"\n".join(out)


def test_a_removal_note_with_markup_is_printed_as_text(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    done = run_cli(["report-selfcheck", "--out", out, "--date", "2017-12-01", "--db", ledger])
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    objects = _pdf_objects(data)
    for marker in (b"/URI", b"/Link", b"/Annot", b"/Launch", b"/EmbeddedFile", b"/Subtype /Image"):
        assert marker not in objects, marker
    if shutil.which("pdftotext"):
        text = (
            subprocess.run(
                ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
            )
            .stdout.replace("\n", "")
            .replace(" ", "")
        )
        assert "<img" in text and "/etc/hostname" in text
        assert '<ahref="http://example.com/x">' in text


def test_pdf_text_escapes_every_tag() -> None:
    assert pdf_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert pdf_text("a\x00b\x07c") == "abc"


def test_a_unit_and_area_named_like_formulas_stay_text(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "c.sqlite"
    formula = '=HYPERLINK("http://x","许昌")'
    assert (
        run_cli(
            ["init", "--unit-code", "411000", "--unit-name", formula, "--level", "city", "--db", db]
        ).returncode
        == 1
    )  # refused at init (unit_identity), nothing made
    done = run_cli(
        [
            "init",
            "--unit-code",
            "411000",
            "--unit-name",
            "许昌市",
            "--level",
            "city",
            "--area",
            "411002:=1+1",
            "--area",
            "411023:@SUM(A1)",
            "--area",
            "411024:+cmd|' /C calc'!A0",
            "--area",
            "411025:-2+3",
            "--db",
            db,
        ]
    )
    assert done.returncode == 0, done.stderr
    # A ledger named before names were checked still exports its name as text.
    with sqlite3.connect(db) as c:
        c.execute("UPDATE unit SET name = ?", (formula,))
    c.close()
    for command, name in (
        (["export-annex1", "--week", "2017-11-2"], "a.xlsx"),
        (["export-package", "--week", "2017-11-2"], "p.xlsx"),
    ):
        out = tmp_path / name
        done = run_cli([*command, "--out", out, "--db", db])
        assert done.returncode == 0, done.stderr
        with zipfile.ZipFile(out) as z:
            for member in z.namelist():
                if member.startswith("xl/worksheets/"):
                    assert b"<f>" not in z.read(member) and b"<f " not in z.read(member), member
        wb = openpyxl.load_workbook(out)
        texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
        assert "=1+1" in texts and "@SUM(A1)" in texts
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (ws.title, c.coordinate, c.value)


def test_an_export_that_cannot_write_its_second_file_writes_neither(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export-annex1 --out X.xlsx --pdf Y.pdf writes both files or neither."""
    from jiuye_desktop.cli.app import main
    from jiuye_desktop.exports import annex1_pdf
    from jiuye_desktop.exports.atomic import ExportError

    out, pdf = tmp_path / "a.xlsx", tmp_path / "a.pdf"
    out.write_bytes(b"the old table")
    args = ["export-annex1", "--week", "2017-11-2", "--out", str(out), "--pdf", str(pdf)]

    def fail(*_a: object, **_k: object) -> bytes:
        raise ExportError("磁盘空间已满，无法写入文件")

    monkeypatch.setattr(annex1_pdf, "render_annex1_pdf", fail)
    assert main([*args, "--db", str(ledger)]) == 1
    assert out.read_bytes() == b"the old table" and not pdf.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
    monkeypatch.undo()
    assert main([*args, "--db", str(ledger)]) == 0
    assert out.read_bytes()[:2] == b"PK" and pdf.read_bytes()[:4] == b"%PDF"


def test_the_second_file_failing_to_move_puts_the_first_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuye_desktop.exports import atomic

    first, second = tmp_path / "a.xlsx", tmp_path / "a.pdf"
    first.write_bytes(b"old")
    real = atomic._replace

    def replace(tmp: Path, target: Path) -> None:
        if target == second:
            raise OSError(28, "No space left on device")
        real(tmp, target)

    monkeypatch.setattr(atomic, "_replace", replace)
    with pytest.raises(atomic.ExportError), atomic.atomic_write_all(first, second) as temps:
        temps[0].write_bytes(b"new")
        temps[1].write_bytes(b"new pdf")
    assert first.read_bytes() == b"old" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
