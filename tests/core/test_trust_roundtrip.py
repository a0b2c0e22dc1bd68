"""Issue 11, item 8: random cell text through import → export-package → merge → PDFs, without
a crash and with the text preserved (markup characters, formulas, CJK, emoji, format
characters, line breaks)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jiuye_desktop.domain import Level
from jiuye_desktop.exports.selfcheck_data import gather
from jiuye_desktop.exports.selfcheck_pdf import render_selfcheck_pdf
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.merge import merge_packages
from jiuye_desktop.package import export_package
from jiuye_desktop.selfcheck import remove_selected
from jiuye_desktop.service import init_database
from jiuye_desktop.weeks import week_from_key

from .helpers import make_id, new_row, write_book

WEEK = week_from_key("2017-11-2")
_counter = itertools.count()

cell_text = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc", "Cn")),
        st.sampled_from(list("<>&\"'=+-@\n\t") + ["<img src=x>", "&amp;", "=1+1", "\u200b"]),
    ),
    min_size=1,
    max_size=20,
).map("".join)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(remark=cell_text, employer=cell_text, note=cell_text)
def test_random_text_survives_import_package_merge_and_pdfs(
    root: Path, remark: str, employer: str, note: str
) -> None:
    # A cell starting with "=" in the workbook given to import is a formula the clerk typed
    # (its value is what Excel computed); the note, typed in the program, may start with it.
    assume(remark.strip() and employer.strip())
    assume(not remark.startswith("=") and not employer.startswith("="))
    here = root / str(next(_counter))
    here.mkdir()
    county = init_database(
        here / "c.sqlite",
        unit_code="411082",
        unit_name="长葛市",
        level=Level.COUNTY,
        areas=[(None, "石固镇")],
    )
    city = init_database(
        here / "x.sqlite", unit_code="411000", unit_name="许昌市", level=Level.CITY
    )
    county.auto_backup = city.auto_backup = False
    try:
        book = write_book(
            here / "in.xlsx",
            [
                new_row(
                    所属地区="石固镇",
                    公民身份号码=make_id("411082"),
                    备注=remark,
                    就业单位名称=employer,
                    登记日期="2017-05-10",
                ),
                new_row(所属地区="石固镇", 公民身份号码=make_id("411082", "19900101", "777")),
            ],
        )
        import_workbook(county, book, workers=1)
        stored = county.db.conn.execute(
            "SELECT remark, employer FROM records ORDER BY id LIMIT 1"
        ).fetchone()
        assert stored == (remark.strip(), employer.strip())
        second = county.db.conn.execute("SELECT max(id) FROM records").fetchone()[0]
        remove_selected(county, [second], "invalid", dt.date(2017, 6, 1), note=note)
        package = here / "p.xlsx"
        export_package(county, WEEK, package)
        merge_packages(city, [package])
        got = city.db.conn.execute(
            "SELECT remark, employer FROM records WHERE removed_on IS NULL"
        ).fetchone()
        assert got == stored
        merged_note = city.db.conn.execute("SELECT note FROM removals").fetchone()[0]
        assert merged_note == county.db.conn.execute("SELECT note FROM removals").fetchone()[0]
        for session in (county, city):
            pdf = render_selfcheck_pdf(gather(session, dt.date(2017, 11, 10)))
            assert pdf.startswith(b"%PDF") and b"/URI" not in pdf
    finally:
        county.close()
        city.close()
