"""End-to-end on the sample ledgers: import, check, remove, weekly.

The generated samples (``tests/sample_ledgers.py``, expectations from the
oracle) always; the hand-made ones of ``shared/samples`` when they are there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiuye_desktop.cli import main

CASES = [
    ("xuchang-2017-ledger.xlsx", "xuchang-2017-expected.json"),
    ("xuchang-2017-ledger-messy.xlsx", "xuchang-2017-messy-expected.json"),
]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


@pytest.mark.parametrize("source", ["generated", "shared"])
@pytest.mark.parametrize(("ledger", "expected"), CASES)
def test_sample_ledger_end_to_end(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    ledger: str,
    expected: str,
    source: str,
) -> None:
    fixture = "samples_dir" if source == "generated" else "shared_samples_dir"
    samples_dir: Path = request.getfixturevalue(fixture)
    exp = json.loads((samples_dir / expected).read_text(encoding="utf-8"))
    db = str(tmp_path / "ledger.sqlite")
    run_json(
        capsys,
        "init",
        "--db",
        db,
        "--unit-code",
        "411000",
        "--unit-name",
        "许昌市",
        "--level",
        "city",
        "--json",
    )

    imported = run_json(capsys, "import", str(samples_dir / ledger), "--db", db, "--json")
    assert imported["imported"] == exp["records"]
    assert imported["rejected"] == []

    # The same content again is refused, and nothing changes.
    assert main(["import", str(samples_dir / ledger), "--db", db, "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["exit"] == 1  # the one JSON document: the error
    assert "已于" in captured.err and "导入过" in captured.err

    check = run_json(capsys, "check", "--db", db, "--json")
    for kind, seqs in exp["defects"].items():
        assert check["summary"][kind] == len(seqs), kind
        flagged = {f["source_row"] for f in check["findings"] if f["kind"] == kind}
        by_row = _seq_by_row(samples_dir / ledger)
        assert sorted(int(by_row[r]) for r in flagged) == sorted(seqs), kind
    dup = next(f for f in check["findings"] if f["kind"] == "duplicate")
    assert isinstance(dup["keeps"], int) and "重复" in dup["message"]

    # Weeks that end before the removal count the defective records.
    for day, week in exp["weeks"].items():
        if week["end"] < exp["removal_date"]:
            _assert_week(run_json(capsys, "weekly", "--date", day, "--db", db, "--json"), week, exp)

    removed = run_json(
        capsys,
        "remove",
        "--kind",
        "all",
        "--date",
        exp["removal_date"],
        "--note",
        "11月集中调整",
        "--db",
        db,
        "--json",
    )
    assert removed["total"] == sum(len(v) for v in exp["defects"].values())

    for day, week in exp["weeks"].items():
        _assert_week(run_json(capsys, "weekly", "--date", day, "--db", db, "--json"), week, exp)

    after = run_json(capsys, "check", "--db", db, "--json")
    assert after["summary"]["duplicate"] == after["summary"]["invalid"] == 0
    assert after["summary"]["incomplete"] == 0


def _assert_week(got: dict, week: dict, exp: dict) -> None:
    assert got["week"]["start"] == week["start"] and got["week"]["end"] == week["end"]
    assert got["total"] == week["total"], got["week"]["label"]
    rows = {r["name"]: r["cells"] for r in got["rows"]}
    assert [r["name"] for r in got["rows"]] == list(exp["areas"].values())
    assert [r["code"] for r in got["rows"]] == list(exp["areas"].keys())
    for name, cells in week["rows"].items():
        assert rows[name] == cells, (got["week"]["label"], name)


def _seq_by_row(path: Path) -> dict[int, str]:
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    )
    header = next(i for i, r in enumerate(rows) if "序号" in r)
    return {i + 1: str(r[0]).removesuffix(".0") for i, r in enumerate(rows) if i > header}
