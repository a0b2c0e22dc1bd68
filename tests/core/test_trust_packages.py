"""Issue 11, item 2: signed packages, tried as a forger would (real files, the command line in
its own process): a package edited and re-digested, re-signed with another key, its
导出时间 moved, a sheet added, an unsigned package of the previous version; and the key
pinned on first merge, refused when it changes, accepted by a person."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jiuye_desktop import signing
from jiuye_desktop.merge import MergeRefused, merge_packages
from jiuye_desktop.package import format as fmt
from jiuye_desktop.service import open_session

from .trust_helpers import assert_refused, resign, run_cli, sha

WEEK = "2017-11-2"


def _ok(args: list[object]) -> str:
    done = run_cli([str(a) for a in args])
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def units(tmp_path: Path) -> dict[str, Path]:
    county = tmp_path / "changge.sqlite"
    city = tmp_path / "xuchang.sqlite"
    _ok(
        ["init", "--unit-code", "411082", "--unit-name", "长葛市", "--level", "county", "--area",
         "石固镇", "--db", county]
    )  # fmt: skip
    _ok(["demo", "--records", "200", "--seed", "2", "--db", county])
    _ok(["init", "--unit-code", "411000", "--unit-name", "许昌市", "--level", "city", "--db", city])
    package = tmp_path / "长葛市.xlsx"
    _ok(["export-package", "--week", WEEK, "--out", package, "--db", county])
    return {"county": county, "city": city, "package": package, "dir": tmp_path}


def _county_key(county: Path) -> Ed25519PrivateKey:
    with sqlite3.connect(county) as c:
        raw = c.execute("SELECT private_key FROM signing_key").fetchone()[0]
    c.close()
    return Ed25519PrivateKey.from_private_bytes(bytes(raw))


def _notes(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {str(r[0]): str(r[1]) for r in wb["说明"].iter_rows(values_only=True) if r[0] and r[1]}


def _set_note(path: Path, key: str, value: str) -> None:
    wb = openpyxl.load_workbook(path)
    for row in wb["说明"].iter_rows():
        if row[0].value == key:
            row[1].value = value
    wb.save(path)


def test_the_preview_shows_the_fingerprint_and_the_first_merge_pins_it(units: dict) -> None:
    fingerprint = _notes(units["package"])["公钥指纹"]
    shown = json.loads(_ok(["keys", "--show", "--json", "--db", units["county"]]))
    assert shown["fingerprint"] == fingerprint and len(fingerprint) == 24
    preview = run_cli(["merge", units["package"], "--dry-run", "--db", units["city"]])
    assert preview.returncode == 0 and fingerprint in preview.stdout and "首次" in preview.stdout
    listed = json.loads(_ok(["keys", "--list", "--json", "--db", units["city"]]))
    assert listed["pinned"] == []  # a preview pins nothing
    _ok(["merge", units["package"], "--db", units["city"]])
    listed = json.loads(_ok(["keys", "--list", "--json", "--db", units["city"]]))
    assert [k["fingerprint"] for k in listed["pinned"]] == [fingerprint]
    assert [h["action"] for h in listed["history"] if h["unit_code"] == "411082"] == ["pin"]


def test_a_forged_package_with_a_recomputed_digest_is_refused(units: dict) -> None:
    _ok(["merge", units["package"], "--db", units["city"]])
    forged = units["dir"] / "forged.xlsx"
    forged.write_bytes(units["package"].read_bytes())
    wb = openpyxl.load_workbook(forged)
    wb["实名台账"]["B2"] = "李四"  # a name changed
    wb.save(forged)
    before = sha(units["city"])
    # 1. The digest recomputed, the county's public key left in place: the signature fails.
    resign(forged, public=signing.decode_public(_notes(units["package"])["公钥（Ed25519）"]))
    err = assert_refused(run_cli(["merge", forged, "--db", units["city"]]), 1, "签名不符")
    # 2. Re-signed with the forger's own key: another key than the one pinned.
    theirs = resign(forged)
    err = assert_refused(run_cli(["merge", forged, "--db", units["city"]]), 1, "公钥")
    assert theirs in err and _notes(units["package"])["公钥指纹"] in err
    assert sha(units["city"]) == before


def test_every_sheet_is_covered(units: dict) -> None:
    for edit in ("annex", "notes", "new sheet", "drop row"):
        path = units["dir"] / f"{edit}.xlsx"
        path.write_bytes(units["package"].read_bytes())
        wb = openpyxl.load_workbook(path)
        if edit == "annex":
            wb["附件1"]["A2"] = "改过的标题"
        elif edit == "notes":
            wb["说明"]["A2"] = "说明被改过"
        elif edit == "new sheet":
            wb.create_sheet("附注")["A1"] = "另加的内容"
        else:
            wb["实名台账"].delete_rows(3)
        wb.save(path)
        assert_refused(run_cli(["merge", path, "--db", units["city"]]), 1, "被修改过")


def test_a_county_that_really_changed_its_key_is_accepted_by_a_person(units: dict) -> None:
    _ok(["merge", units["package"], "--db", units["city"]])
    old = _notes(units["package"])["公钥指纹"]
    # The county's computer was replaced: a new ledger, a new key, the same records.
    with sqlite3.connect(units["county"]) as c:
        c.execute("DELETE FROM signing_key")
    c.close()
    later = units["dir"] / "later.xlsx"
    _ok(["export-package", "--week", "2017-11-3", "--out", later, "--db", units["county"]])
    new = _notes(later)["公钥指纹"]
    assert new != old
    err = assert_refused(run_cli(["merge", later, "--db", units["city"]]), 1, new, old)
    assert "keys --accept 411082" in err
    # Accepting a key for another unit, or from a file of another unit, is refused.
    assert_refused(run_cli(["keys", "--accept", "411023", later, "--db", units["city"]]), 1)
    key_file = units["dir"] / "长葛市公钥.json"
    _ok(["keys", "--export", key_file, "--db", units["county"]])
    _ok(["keys", "--accept", "411082", key_file, "--db", units["city"]])
    _ok(["merge", later, "--db", units["city"]])
    listed = json.loads(_ok(["keys", "--list", "--json", "--db", units["city"]]))
    accepted = [h for h in listed["history"] if h["action"] == "accept"]
    assert accepted[-1]["old_fingerprint"] == old and accepted[-1]["new_fingerprint"] == new


def test_export_time_unreadable_or_in_the_future_is_refused(units: dict) -> None:
    key = _county_key(units["county"])  # even the county's own key cannot make these pass
    for value, words in (("2999-01-01 00:00:00", "晚于现在"), ("上周五", "无法识别")):
        path = units["dir"] / "time.xlsx"
        path.write_bytes(units["package"].read_bytes())
        _set_note(path, "导出时间", value)
        resign(path, key)
        assert_refused(run_cli(["merge", path, "--db", units["city"]]), 1, words)
    # A genuine package re-signed by the county's own key still merges (the test is fair).
    path = units["dir"] / "same.xlsx"
    path.write_bytes(units["package"].read_bytes())
    resign(path, key)
    _ok(["merge", path, "--db", units["city"]])


def test_an_unsigned_package_of_the_previous_version_is_refused(units: dict) -> None:
    path = units["dir"] / "old.xlsx"
    path.write_bytes(units["package"].read_bytes())
    wb = openpyxl.load_workbook(path)
    ws = wb["说明"]
    for row in list(ws.iter_rows()):
        if row[0].value == "格式版本":
            row[1].value = "1"
        if row[0].value in fmt.SIGNATURE_KEYS:
            row[0].value = row[1].value = None
    wb.save(path)
    assert_refused(run_cli(["merge", path, "--db", units["city"]]), 1, "旧版本", "重新导出")


def test_an_older_ledger_gets_its_key_on_first_use(units: dict) -> None:
    with sqlite3.connect(units["county"]) as c:
        c.execute("DELETE FROM signing_key")
    c.close()
    session = open_session(units["county"])
    try:
        first = signing.own_key(session)
        assert signing.own_key(session) == first  # made once
    finally:
        session.close()


def test_the_core_refuses_a_changed_key_with_both_fingerprints(units: dict) -> None:
    city = open_session(units["city"])
    city.auto_backup = False
    try:
        merge_packages(city, [units["package"]])
        forged = units["dir"] / "f.xlsx"
        forged.write_bytes(units["package"].read_bytes())
        resign(forged)
        with pytest.raises(MergeRefused) as info:
            merge_packages(city, [forged])
        change = info.value.failures[0].key_change
        assert change is not None and change.unit_code == "411082"
        assert change.pinned == _notes(units["package"])["公钥指纹"]
    finally:
        city.close()
