"""The shipped Henan division table (domain.md §2)."""

from __future__ import annotations

import csv

import pytest

from jiuye_desktop import divisions
from jiuye_desktop.divisions import (
    Division,
    default_areas,
    ever_existed,
    henan_units,
    is_direct,
    lookup,
    name_of,
    province_areas,
    resolve_area_name,
)
from jiuye_desktop.resources import resource_path

CITIES = {
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
DIRECT_COUNTIES = {
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


def test_csv_has_the_documented_columns() -> None:
    with resource_path("divisions.csv").open(encoding="utf-8", newline="") as fp:
        header = next(csv.reader(fp))
    assert header == ["code", "name", "kind", "parent", "valid_from", "valid_to", "direct"]


def test_xuchang_default_areas_2017() -> None:
    assert default_areas("411000", 2017) == [
        ("411002", "魏都区"),
        ("411003", "建安区"),
        ("411024", "鄢陵县"),
        ("411025", "襄城县"),
        ("411081", "禹州市"),
        ("411082", "长葛市"),
    ]
    assert default_areas("411000") == default_areas("411000", 2017)


def test_xuchang_before_jian_an_had_xuchang_county() -> None:
    codes = [code for code, _ in default_areas("411000", 2010)]
    assert "411023" in codes
    assert "411003" not in codes


def test_zhengzhou_lists_gongyi_but_no_city_districts() -> None:
    areas = dict(default_areas("410100", 2017))
    assert areas["410181"] == "巩义市"  # its county-level units, directly administered or not
    assert "410101" not in areas
    assert areas["410102"] == "中原区"
    assert areas["410108"] == "惠济区"
    assert areas["410185"] == "登封市"


@pytest.mark.parametrize("code", ["419001", "411002", "410181", "999999", "", "419000"])
def test_no_default_areas_for_jiyuan_counties_and_unknown_codes(code: str) -> None:
    assert default_areas(code, 2017) == []


def test_every_direct_county_is_listed_under_its_city() -> None:
    listed = {code for city in CITIES for code, _ in default_areas(city)}
    assert set(DIRECT_COUNTIES) <= listed


def test_henan_units_2017_has_the_province_then_cities_and_jiyuan_first() -> None:
    province, *units = henan_units(2017)
    assert (province.code, province.name, province.kind) == ("410000", "河南省", "province")
    cities = [d for d in units if d.kind == "city"]
    assert {d.code: d.name for d in cities} == {**CITIES, "419001": "济源市"}
    assert units[: len(cities)] == cities
    assert [d.code for d in cities] == sorted(d.code for d in cities)
    counties = units[len(cities) :]
    assert all(d.kind == "county" for d in counties)
    assert [d.code for d in counties] == sorted(d.code for d in counties)
    assert all(d.name != "市辖区" for d in units)


def test_jiyuan_is_a_direct_city_level_unit() -> None:
    jiyuan = lookup("419001", 2017)
    assert jiyuan is not None
    assert (jiyuan.name, jiyuan.kind, jiyuan.direct) == ("济源市", "city", True)


def test_direct_counties_flagged() -> None:
    units = {d.code: d for d in henan_units(2017)}
    for code, name in DIRECT_COUNTIES.items():
        assert units[code].name == name
        assert units[code].kind == "county"
        assert units[code].direct, code
    direct = {d.code for d in units.values() if d.direct and d.kind == "county"}
    assert direct == set(DIRECT_COUNTIES)
    assert not any(units[code].direct for code in CITIES)


def test_changyuan_became_a_city_in_2019() -> None:
    assert name_of("410728", 2017) == "长垣县"
    assert name_of("410783", 2017) is None
    later = lookup("410783", 2020)
    assert later is not None
    assert later.name == "长垣市"
    assert later.direct


def test_xuchang_county_is_historical() -> None:
    assert ever_existed("411023")
    assert lookup("411023", 2017) is None
    old = lookup("411023", 2010)
    assert old == Division("411023", "许昌县", "county", "411000", 1986, 2016, False)
    assert name_of("411003", 2017) == "建安区"
    assert name_of("411003", 2010) is None


def test_lookup_latest_period_and_renamed_codes() -> None:
    latest = lookup("410311")
    assert latest is not None
    assert latest.name == "洛龙区"
    assert name_of("410311", 1990) == "郊区"
    assert lookup("411023") is not None  # a closed code still has a latest period
    assert lookup("999999") is None


def test_ever_existed() -> None:
    assert ever_existed("411082")
    assert ever_existed("411002")
    assert ever_existed("110101")  # Beijing 东城区: other provinces count too
    assert ever_existed("410101")  # 市辖区 codes appear on real IDs
    assert not ever_existed("419999")
    assert not ever_existed("410199")
    assert not ever_existed("")


def test_resolve_area_name() -> None:
    assert resolve_area_name("许昌县")[0] == "411023"
    assert resolve_area_name("魏都区") == ["411002"]
    assert resolve_area_name(" 建安区 ") == ["411003"]
    assert resolve_area_name("济源市")[0] == "419001"
    assert resolve_area_name("许昌市")[0] == "411000"
    assert resolve_area_name("不存在县") == []
    assert resolve_area_name("") == []


def test_count_of_county_level_units_2017() -> None:
    counties = [d for d in henan_units(2017) if d.kind == "county"]
    print(f"Henan county-level units valid in 2017: {len(counties)} (+ 济源)")
    assert 157 <= len(counties) <= 159
    per_city = sum(len(default_areas(code)) for code in CITIES)
    assert per_city == len(counties)


def test_table_is_loaded_once() -> None:
    assert divisions._all() is divisions._all()
    assert divisions._ever_codes() is divisions._ever_codes()


def test_the_province_has_its_28_areas_in_the_notices_order() -> None:
    areas = province_areas(2017)
    assert len(areas) == 28
    assert areas[:17] == list(CITIES.items())
    assert areas[17] == ("419001", "济源市")
    assert dict(areas[18:]) == DIRECT_COUNTIES
    assert [c for c, _ in areas[18:]] == sorted(DIRECT_COUNTIES)
    assert default_areas("410000", 2017) == areas
    assert all(is_direct(code) for code, _ in areas[17:])
    assert not any(is_direct(code) for code in CITIES)
