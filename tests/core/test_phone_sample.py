"""The telephone sample (电话抽查, domain.md §8): reproducible from its seed whatever the row
order, at least one per area, masked on the call sheet, summarised as an independent count
says, and a record not confirmed flagged in the self-check."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jiuye_desktop.cli import main
from jiuye_desktop.demo import generate_rows
from jiuye_desktop.phone_sample import (
    CONFIRMED,
    NOT_REACHED,
    OUTCOMES,
    SampleError,
    draw,
    get_sample,
    list_samples,
    record_outcome,
    summary,
)
from jiuye_desktop.records import normalize, prepared_row
from jiuye_desktop.selfcheck import remove_selected, run_check
from jiuye_desktop.storage import ledger

from .helpers import xuchang

AREAS = [
    ("411000", "许昌市本级"),
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
DAY = dt.date(2017, 11, 24)


def fill(session, rows) -> None:
    ctx = session.context()
    items = [prepared_row(normalize(r.values, ctx), ctx) for r in rows]
    with session.db.transaction() as tx:
        imp = ledger.add_import(
            tx,
            file_name="测试",
            sha256=os.urandom(16).hex(),
            sheet="",
            operator="测试",
            row_count=len(items),
            kind="demo",
        )
        ledger.insert_rows(tx, items, import_id=imp, operator="测试")


@pytest.fixture(scope="module")
def rows():
    return list(generate_rows(3000, seed=3, areas=AREAS))


@pytest.fixture
def session(tmp_path: Path, rows):
    s = xuchang(tmp_path / "l.sqlite")
    fill(s, rows)
    yield s
    s.close()


def content(rec) -> tuple:
    return (rec.id_number or rec.id_raw, rec.record_type, rec.registered_on, rec.name)


def population(session, day: dt.date = DAY) -> dict[int, list]:
    """Independent of the module: the counted 再就业/困难/去产能 records per area id."""
    out: dict[int, list] = {}
    for rid, rec, area_id, removed_on in ledger.iter_records(session.db.conn):
        if area_id is None or not rec.registered_on:
            continue
        if not f"{day.year}-01-01" <= rec.registered_on <= day.isoformat():
            continue
        if removed_on is not None and removed_on <= day.isoformat():
            continue
        new = rec.record_type == "新就业"
        if (
            new and (rec.reemployed == "是" or rec.hardship == "是" or rec.overcapacity == "是")
        ) or rec.record_type == "去产能安置":
            out.setdefault(area_id, []).append((rid, rec))
    return out


def test_share_per_area_at_least_one_and_reproducible(session) -> None:
    pop = population(session)
    a = draw(session, DAY, seed=7, share=0.05)
    assert a.population == sum(len(v) for v in pop.values())
    by_area: dict[str, list[int]] = {}
    for item in a.items:
        by_area.setdefault(item.area_code, []).append(item.record)
    codes = {i: a_.code for i, a_ in ledger.list_areas(session.db.conn)}
    expected = {codes[k]: math.ceil(len(v) * 0.05) for k, v in pop.items()}
    assert {k: len(v) for k, v in by_area.items()} == expected
    members = {rid for v in pop.values() for rid, _ in v}
    assert {i.record for i in a.items} <= members
    # The same seed draws the same records; another seed others.
    b = draw(session, DAY, seed=7, share=0.05)
    assert b.id != a.id and [i.record for i in b.items] == [i.record for i in a.items]
    c = draw(session, DAY, seed=8, share=0.05)
    assert {i.record for i in c.items} != {i.record for i in a.items}
    assert [s.sample.seed for s in list_samples(session)] == [8, 7, 7]


def test_per_area_takes_all_of_a_small_area_and_one_from_a_tiny_one(tmp_path: Path, rows) -> None:
    s = xuchang(tmp_path / "small.sqlite")
    # 长葛市 gets a single counted record; every other area many.
    keep = [r for r in rows if r.values["所属地区"] not in ("长葛市", "411082")]
    one = next(
        r
        for r in rows
        if r.values["所属地区"] in ("长葛市", "411082")
        and r.values["失业人员再就业"] == "是"
        and str(r.values["登记日期"]) <= DAY.isoformat()
        and not r.defect
    )
    fill(s, [*keep, one])
    sample = draw(s, DAY, seed=1, per_area=3)
    counts: dict[str, int] = {}
    for item in sample.items:
        counts[item.area_code] = counts.get(item.area_code, 0) + 1
    assert counts["411082"] == 1
    assert all(n == 3 for code, n in counts.items() if code != "411082")
    assert draw(s, DAY, seed=1, share=0.001).items  # a tiny share still takes one per area
    s.close()


def test_the_draw_does_not_depend_on_the_order_of_rows(tmp_path: Path, rows) -> None:
    forward, backward = xuchang(tmp_path / "f.sqlite"), xuchang(tmp_path / "b.sqlite")
    fill(forward, rows)
    fill(backward, list(reversed(rows)))
    drawn = []
    for s in (forward, backward):
        sample = draw(s, DAY, seed=42, share=0.1)
        recs = {rid: rec for rid, rec, _, _ in ledger.iter_records(s.db.conn)}
        drawn.append(sorted(content(recs[i.record]) for i in sample.items))
        s.close()
    assert drawn[0] == drawn[1]


def test_removed_and_later_records_are_not_drawn(session) -> None:
    pop = population(session)
    victims = [rid for v in pop.values() for rid, _ in v[:2]]
    remove_selected(session, victims, "duplicate", dt.date(2017, 11, 20))
    sample = draw(session, DAY, seed=3, share=1)
    assert not {i.record for i in sample.items} & set(victims)
    assert len(sample.items) == sum(len(v) for v in population(session).values())
    early = draw(session, dt.date(2017, 3, 1), seed=3, share=1)
    assert len(early.items) == sum(
        len(v) for v in population(session, dt.date(2017, 3, 1)).values()
    )


def test_outcomes_summarised_against_an_independent_count_and_flagged(session) -> None:
    sample = draw(session, DAY, seed=11, per_area=6)
    rng = random.Random(5)
    chosen: dict[int, str] = {}
    for item in sample.items:
        if rng.random() < 0.85:
            chosen[item.record] = rng.choice(OUTCOMES)
            record_outcome(session, sample.id, item.record, chosen[item.record], "备注")
    result = summary(session, sample.id).as_json()
    area_of = {i.record: i.area_code for i in sample.items}
    for row in [*result["rows"], result["total"]]:
        mine = [r for r in area_of if row["area"] in ("total", area_of[r])]
        outcomes = [chosen.get(r) for r in mine]
        reached = [o for o in outcomes if o and o not in NOT_REACHED]
        confirmed = [o for o in reached if o in CONFIRMED]
        assert row["sampled"] == len(mine)
        assert row["reached"] == len(reached)
        assert row["confirmed"] == len(confirmed)
        assert row["not_confirmed"] == len(reached) - len(confirmed)
        assert row["pending"] == outcomes.count(None)
        expected_share = round(len(confirmed) / len(reached), 4) if reached else None
        assert row["share"] == expected_share
    # Every outcome other than a confirmation flags its record in the self-check.
    flagged = {f.record: f for f in run_check(session).findings if f.audit == "sample"}
    assert set(flagged) == {r for r, o in chosen.items() if o not in CONFIRMED}
    some = next(iter(flagged.values()))
    assert chosen[some.record] in some.message and f"种子 {sample.seed}" in some.message
    assert some.kind == "warning"
    # A later confirmation clears the flag; bad input changes nothing.
    record_outcome(session, sample.id, some.record, "属实")
    assert some.record not in {f.record for f in run_check(session).findings if f.audit == "sample"}
    with pytest.raises(SampleError):
        record_outcome(session, sample.id, some.record, "不知道")
    with pytest.raises(SampleError):
        record_outcome(session, sample.id + 99, some.record, "未就业")


def test_call_sheet_is_masked_escaped_and_shows_the_seed(tmp_path: Path, session) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("需要 poppler-utils（pdftotext）：apt-get install -y poppler-utils")
    from jiuye_desktop.exports.sample_pdf import render_call_sheet

    sample = draw(session, DAY, seed=2024, per_area=2)
    first = sample.items[0]
    with session.db.transaction() as tx:  # hostile text in a field the sheet prints
        tx.execute("UPDATE records SET employer = ? WHERE id = ?", ("A&B<公司>&amp;", first.record))
    sample = get_sample(session, sample.id)
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(render_call_sheet(sample, "许昌市"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "随机种子：2024" in text and "电话抽查呼叫单" in text
    assert "A&B<公司>&amp;" in text
    for item in sample.items:
        assert item.id_number not in text
        masked = item.id_number[:6] + "********" + item.id_number[-4:]
        assert masked in text
        assert item.phone in text
    areas = {i.area_name for i in sample.items}
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert int(re.search(r"Pages:\s+(\d+)", pages.stdout).group(1)) >= len(areas)  # type: ignore[union-attr]
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    assert "WenQuanYi" in fonts.stdout and " yes yes " in fonts.stdout


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows) -> None:
    db = tmp_path / "c.sqlite"
    s = xuchang(db)
    fill(s, rows)
    s.close()
    out = tmp_path / "sheet.pdf"
    base = ["--db", str(db)]
    assert main(["sample", *base, "--date", "2017-11-24", "--share", "5%", "--seed", "7",
                 "--out", str(out), "--json"]) == 0  # fmt: skip
    got = json.loads(capsys.readouterr().out)
    assert got["sample"] == 1 and got["seed"] == 7 and got["date"] == "2017-11-24"
    assert out.exists() and got["records"]
    assert set(got["records"][0]) >= {"record", "area", "indicator"}
    rec = got["records"][0]["record"]
    assert main(["sample-result", *base, "--sample", "1", "--record", str(rec),
                 "--outcome", "2", "--note", "已离职"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["sample-summary", *base, "--sample", "1", "--json"]) == 0
    summ = json.loads(capsys.readouterr().out)
    assert summ["total"]["sampled"] == len(got["records"])
    assert summ["total"]["reached"] == 1 and summ["total"]["not_confirmed"] == 1
    assert main(["sample-result", *base, "--sample", "1", "--record", "999999",
                 "--outcome", "属实"]) == 1  # fmt: skip
    assert "不在" in capsys.readouterr().err
    assert main(["sample", *base, "--date", "2017-11-24", "--indicator", "城镇自然减员人数",
                 "--per-area", "2", "--seed", "1"]) == 1  # fmt: skip
    assert main(["sample", *base, "--date", "2017-11-24", "--share", "0", "--seed", "1"]) == 2
    again = tmp_path / "again.pdf"
    assert main(["sample-sheet", *base, "--sample", "1", "--out", str(again)]) == 0
    assert again.exists()
    assert main(["sample-list", *base, "--json"]) == 0
    capsys.readouterr()
