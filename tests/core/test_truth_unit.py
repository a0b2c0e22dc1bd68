"""Issue 12 item 7: the unit's identity is checked at creation and changed only with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_an_unknown_code_is_refused_unless_confirmed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "u.sqlite"
    code, out, _ = _run(
        capsys,
        "init",
        "--db",
        str(db),
        "--unit-code",
        "419999",
        "--unit-name",
        "某县",
        "--level",
        "county",
    )
    assert code == 1 and "--unknown-code" in out["error"] and "419999" in out["error"]
    assert not db.exists()
    # Confirmed, but the level cannot be inferred from an unknown code.
    code, out, _ = _run(
        capsys,
        "init",
        "--db",
        str(db),
        "--unit-code",
        "419999",
        "--unit-name",
        "某县",
        "--unknown-code",
    )
    assert code == 1 and "--level" in out["error"] and not db.exists()
    code, out, _ = _run(
        capsys, "init", "--db", str(db), "--unit-code", "419999", "--unit-name", "某县",
        "--level", "county", "--unknown-code",
    )  # fmt: skip
    assert code == 0 and out["unit"] == {"code": "419999", "name": "某县", "level": "county"}


@pytest.mark.parametrize(
    ("unit_code", "level"), [("411082", "county"), ("411000", "city"), ("411023", "county")]
)
def test_the_level_is_inferred_from_a_known_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], unit_code: str, level: str
) -> None:
    # 411023 许昌县 no longer exists (now 411003 建安区): any year of the list counts.
    code, out, _ = _run(
        capsys,
        "init",
        "--db",
        str(tmp_path / "u.sqlite"),
        "--unit-code",
        unit_code,
        "--unit-name",
        "某地",
    )
    assert code == 0 and out["unit"]["level"] == level


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+许昌", "-1", "@SUM", "  "])
def test_a_formula_like_or_empty_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    db = tmp_path / "u.sqlite"
    code, out, _ = _run(
        capsys, "init", "--db", str(db), "--unit-code", "411000", "--unit-name", name
    )
    assert code == 1 and "单位名称" in out["error"] and not db.exists()


def test_changing_the_identity_needs_a_reason_and_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "u.sqlite")
    assert (
        _run(capsys, "init", "--db", db, "--unit-code", "411023", "--unit-name", "许昌县")[0] == 0
    )
    code, out, _ = _run(capsys, "unit", "--db", db, "--code", "411003", "--name", "建安区")
    assert code == 1 and "原因" in out["error"]
    code, out, _ = _run(capsys, "unit", "--db", db, "--code", "419999", "--reason", "改代码")
    assert code == 1 and "--unknown-code" in out["error"]
    code, out, _ = _run(capsys, "unit", "--db", db, "--name", "=A1", "--reason", "改名")
    assert code == 1 and "公式" in out["error"]
    code, out, _ = _run(capsys, "unit", "--db", db)
    assert out["unit"]["code"] == "411023" and out["history"] == []
    code, out, err = _run(
        capsys, "unit", "--db", db, "--operator", "王科长", "--code", "411003", "--name", "建安区",
        "--reason", "2016年许昌县撤县设区",
    )  # fmt: skip
    assert code == 0 and out["unit"] == {"code": "411003", "name": "建安区", "level": "county"}
    assert [(c["field"], c["old"], c["new"]) for c in out["changed"]] == [
        ("code", "411023", "411003"),
        ("name", "许昌县", "建安区"),
    ]
    assert "已发出的上报文件仍带原来的" in err
    assert [(h["field"], h["reason"], h["operator"]) for h in out["history"]] == [
        ("code", "2016年许昌县撤县设区", "王科长"),
        ("name", "2016年许昌县撤县设区", "王科长"),
    ]
    weekly = _run(capsys, "weekly", "--db", db, "--date", "2017-11-10")[1]
    assert weekly["unit"] == {"code": "411003", "name": "建安区"}
    assert weekly["rows"][0]["name"] == "建安区本级"
