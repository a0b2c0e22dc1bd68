"""Build ``resources/divisions.csv``, the shipped Henan division table.

Developer script, not part of the application. Source: python-stdnum's
``stdnum/cn/loc.dat`` (GB/T 2260 codes with their history, taken from the
Chinese Wikipedia lists), read through ``stdnum.numdb`` so that the file format
is parsed by the same code stdnum itself uses.

Usage::

    .venv/bin/python tools/build_divisions.py            # (re)write the CSV
    .venv/bin/python tools/build_divisions.py --check    # fail if it is stale
    .venv/bin/python tools/build_divisions.py --loc other/loc.dat

Output columns: ``code,name,kind,parent,valid_from,valid_to,direct``

- one row per name period of a code: ``411023`` 许昌县 1986–2016 and ``411003``
  建安区 2016– are separate rows; a code renamed in place (``410311`` 郊区
  1983–1999, 洛龙区 2000–) has one row per name;
- ``kind``: ``province`` (410000), ``city`` (xxxx00: the prefecture-level cities
  and the former 地区, plus 济源 419001), ``county`` (every other code);
- ``parent``: ``code[:4] + "00"`` for counties, ``410000`` for cities and for
  the units under 4190 (省直辖县级行政单位), empty for the province;
- ``valid_from`` / ``valid_to``: inclusive years from stdnum's ``[A-B]`` (empty
  = open end). stdnum, like ``stdnum.cn.ric``, treats both ends as inclusive, so
  in the year of a change both the old and the new code are valid (2016: 许昌县
  and 建安区);
- ``direct``: 1 for the province's directly administered units (济源 and the
  10 省直管县 of 2017). The flag is per code, not split by period: it says
  "reports to the province", which is how the application uses it.

Left out on purpose (they are never reporting areas): the ``xx01 市辖区`` codes
and ``419000 省直辖县级行政单位`` (a grouping code, not a unit). Kept: the old
``郊区``/``市区`` names and the former 地区 (4121xx–4130xx), since citizen IDs
still carry those codes. They are all closed periods, i.e. not current.
``jiuye_desktop.divisions.ever_existed`` does not depend on this file's
omissions: it reads all of stdnum's codes, of every province.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from stdnum import numdb

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "resources" / "divisions.csv"
HEADER = ["code", "name", "kind", "parent", "valid_from", "valid_to", "direct"]

PROVINCE = "41"

#: The 17 prefecture-level cities of 2017 (domain.md §2).
CITIES_2017 = {
    "410100": "郑州市",
    "410200": "开封市",
    "410300": "洛阳市",
    "410400": "平顶山市",
    "410500": "安阳市",
    "410600": "鹤壁市",
    "410700": "新乡市",
    "410800": "焦作市",
    "410900": "濮阳市",
    "411000": "许昌市",
    "411100": "漯河市",
    "411200": "三门峡市",
    "411300": "南阳市",
    "411400": "商丘市",
    "411500": "信阳市",
    "411600": "周口市",
    "411700": "驻马店市",
}
JIYUAN = "419001"

#: The 10 directly administered counties (省直管县) of 2017, domain.md §2.
DIRECT_COUNTIES_2017 = {
    "410181": "巩义市",
    "410225": "兰考县",
    "410482": "汝州市",
    "410526": "滑县",
    "410728": "长垣县",
    "411381": "邓州市",
    "411481": "永城市",
    "411525": "固始县",
    "411628": "鹿邑县",
    "411729": "新蔡县",
}
#: Codes flagged direct=1: the above, 济源, the other 4190xx units, and 长垣市
#: 410783, which replaced 长垣县 410728 in 2019 and stayed directly administered.
DIRECT_EXTRA = {"410783"}

#: Codes never written (not reporting areas; see the module docstring).
SKIP_CODES = {"419000"}

#: Corrections of stdnum's data, by (code, name): (valid_from, valid_to).
#: 410104 reads ``[1983-1982]向阳回族区``, an inverted range; the district was
#: renamed 管城回族区 in 1983, so the old name gets an open start.
FIXES: dict[tuple[str, str], tuple[int | None, int | None]] = {
    ("410104", "向阳回族区"): (None, 1982),
}

#: Periods true in 2017 that stdnum lacks, added by hand as
#: (code, name, valid_from, valid_to). stdnum 2.2 has everything the 2017 checks
#: below need (长垣县 410728 [1986-2019] and 长垣市 410783 [2019-] included), so
#: this is empty; the checks fail loudly if a future stdnum drops something.
MANUAL: list[tuple[str, str, int | None, int | None]] = []


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: int | None
    valid_to: int | None
    direct: bool

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )

    def as_csv(self) -> list[str]:
        return [
            self.code,
            self.name,
            self.kind,
            self.parent or "",
            "" if self.valid_from is None else str(self.valid_from),
            "" if self.valid_to is None else str(self.valid_to),
            "1" if self.direct else "0",
        ]


def parse_periods(value: str) -> list[tuple[str, int | None, int | None]]:
    """``"[1983-2004]郊区,[2005-2013]金明区"`` → [(name, from, to), ...]."""
    periods: list[tuple[str, int | None, int | None]] = []
    for part in value.split(","):
        part = part.strip()
        if not part.startswith("["):
            periods.append((part, None, None))
            continue
        years, name = part[1:].split("]", 1)
        start, end = years.split("-")
        periods.append((name.strip(), int(start) if start else None, int(end) if end else None))
    return periods


def henan_entries(db: numdb.NumDB) -> list[tuple[str, str]]:
    """(6-digit code, raw ``county`` value) of every Henan entry in the table."""
    entries: list[tuple[str, str]] = []
    for _length, low, high, _props, children in db.prefixes:
        if not low <= PROVINCE <= high:
            continue
        for _clen, clow, chigh, cprops, _grand in children:
            if clow != chigh:  # loc.dat has no ranges; refuse to guess if one appears
                raise SystemExit(f"unexpected code range {PROVINCE}{clow}-{chigh}")
            entries.append((PROVINCE + clow, cprops.get("county", "")))
    return entries


def kind_of(code: str, name: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00") or (code == JIYUAN and name == "济源市"):
        return "city"
    return "county"


def parent_of(code: str, kind: str) -> str | None:
    if kind == "province":
        return None
    if kind == "city" or code.startswith("4190"):
        return "410000"
    return code[:4] + "00"


def is_direct(code: str) -> bool:
    return code in DIRECT_COUNTIES_2017 or code in DIRECT_EXTRA or code.startswith("4190")


def build_rows(db: numdb.NumDB) -> list[Row]:
    raw: list[tuple[str, str, int | None, int | None]] = []
    for code, value in henan_entries(db):
        if code in SKIP_CODES:
            continue
        for name, start, end in parse_periods(value):
            if name == "市辖区":
                continue
            if (code, name) in FIXES:
                start, end = FIXES[(code, name)]
            elif start is not None and end is not None and start > end:
                raise SystemExit(f"inverted years for {code} {name}: add it to FIXES")
            raw.append((code, name, start, end))
    raw.extend(MANUAL)
    rows = []
    for code, name, start, end in raw:
        kind = kind_of(code, name)
        rows.append(Row(code, name, kind, parent_of(code, kind), start, end, is_direct(code)))
    rows.sort(key=lambda r: (r.code, -1 if r.valid_from is None else r.valid_from))
    return rows


def check(rows: list[Row]) -> None:
    """The facts of domain.md §2 must hold in 2017."""

    def in_2017(code: str) -> Row:
        found = [r for r in rows if r.code == code and r.valid_in(2017)]
        if len(found) != 1:
            raise SystemExit(f"{code}: {len(found)} rows valid in 2017")
        return found[0]

    for code, name in CITIES_2017.items():
        row = in_2017(code)
        assert (row.name, row.kind, row.direct) == (name, "city", False), row
    jiyuan = in_2017(JIYUAN)
    assert (jiyuan.name, jiyuan.kind, jiyuan.direct) == ("济源市", "city", True), jiyuan
    for code, name in DIRECT_COUNTIES_2017.items():
        row = in_2017(code)
        assert (row.name, row.kind, row.direct) == (name, "county", True), row
    xuchang = sorted(
        (r.code, r.name)
        for r in rows
        if r.parent == "411000" and r.kind == "county" and r.valid_in(2017)
    )
    assert xuchang == [
        ("411002", "魏都区"),
        ("411003", "建安区"),
        ("411024", "鄢陵县"),
        ("411025", "襄城县"),
        ("411081", "禹州市"),
        ("411082", "长葛市"),
    ], xuchang
    seen: set[tuple[str, int | None]] = set()
    for r in rows:  # one code never has two periods starting in the same year
        assert (r.code, r.valid_from) not in seen, r
        seen.add((r.code, r.valid_from))


def render(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(r.as_csv() for r in rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loc", type=Path, help="a loc.dat to read instead of stdnum's")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)

    if args.loc:
        with args.loc.open(encoding="utf-8") as fp:
            db = numdb.read(fp)
    else:
        db = numdb.get("cn/loc")
    rows = build_rows(db)
    check(rows)
    text = render(rows)

    county_2017 = sum(1 for r in rows if r.kind == "county" and r.valid_in(2017))
    summary = f"{len(rows)} rows, {county_2017} county-level units valid in 2017 (+ 济源)"
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run tools/build_divisions.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date: {summary}")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.output}: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
