"""What a hall handles (its windows, narrowed by ``handles``), the city file, and where a
matter a hall does not handle is handled instead."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from queue_app.domain.catalog import Catalog
from queue_app.domain.city import Elsewhere, Referral, hours_text, referrals_of
from queue_app.domain.hall import Coverage, Hall, Hours, Serves, parse_hall
from queue_app.loaders import (
    LoadError,
    load_city,
    load_city_halls,
    load_elsewhere,
    load_hall_for,
)
from tests.conftest import FIXTURES, REPO

CITY = REPO / "windows" / "city.yaml"


def _mini(**changes: object) -> dict:
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _estate_hall() -> dict:
    """A hall of one 不动产 window besides the undifferentiated one."""
    return _mini(
        hall={"code": "estate", "name": "不动产中心", "address": "北路 1 号", "phone": "110"},
        ticket_classes=[{"prefix": "A", "name": "综合业务"}],
        windows=[
            {"number": 1, "name": "综合", "kind": "undifferentiated", "serves": {"all": True}},
        ],
        handles={"domains": ["不动产"]},
    )


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ------------------------------------------------------------------ handles
def test_a_hall_handles_what_its_windows_serve_less_its_exceptions(mini_catalog: Catalog) -> None:
    plain = parse_hall(_mini())
    assert Coverage(plain, mini_catalog).handled == {"M-SBK", "M-YL", "M-GT", "M-SP", "M-HZ"}
    narrowed = parse_hall(_mini(handles={"except_domains": ["出入境"], "except_matters": ["M-YL"]}))
    cov = Coverage(narrowed, mini_catalog)
    assert cov.handled == {"M-SBK", "M-GT", "M-SP"}
    assert cov.by_window[4] == frozenset()  # the 出入境 window has nothing left
    assert cov.windows_for({"M-HZ"}) == []  # so no ticket is issued for it
    only = parse_hall(_mini(handles={"departments": ["SP"]}))
    assert Coverage(only, mini_catalog).handled == {"M-GT", "M-SP"}


@pytest.mark.parametrize(
    ("handles", "field", "message"),
    [
        ({"except_domains": ["公积金"]}, "handles.except_domains[0]", "unknown domain '公积金'"),
        ({"departments": ["XX"]}, "handles.departments[0]", "unknown department code 'XX'"),
        ({"except_matters": ["M-NO"]}, "handles.except_matters[0]", "unknown matter code"),
        ({"except_domain": ["出入境"]}, "handles.except_domain", "unknown field"),
        ({"domains": "社保"}, "handles.domains", "expected a list"),
    ],
)
def test_a_broken_handles_says_file_line_and_field(
    tmp_path: Path, mini_catalog: Catalog, handles: dict, field: str, message: str
) -> None:
    path = _write(tmp_path / "hall.yaml", _mini(handles=handles))
    with pytest.raises(LoadError) as e:
        load_hall_for(path, mini_catalog)
    first = str(e.value).splitlines()[0]
    line = next(
        i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("handles:")
    )
    assert first.startswith(f"{path}:"), first
    assert field in first and message in first, first
    assert int(first.split(":")[1]) >= line  # on the handles section or in it


def test_a_window_left_with_nothing_to_serve_is_an_error(
    tmp_path: Path, mini_catalog: Catalog
) -> None:
    path = _write(tmp_path / "hall.yaml", _mini(handles={"except_domains": ["出入境"]}))
    with pytest.raises(LoadError) as e:
        load_hall_for(path, mini_catalog)
    assert "windows[3] (出入境窗口).serves: window 4 serves nothing this hall handles" in str(
        e.value
    )


def test_address_and_phone_are_optional(mini_hall: Hall) -> None:
    assert mini_hall.hall.address == "" and mini_hall.hall.phone == ""
    hall = parse_hall(_mini(hall={"code": "x1", "name": "厅", "address": "南路 2 号"}))
    assert hall.hall.address == "南路 2 号"


# ------------------------------------------------------------------ where instead
def test_another_hall_first_then_a_referral_then_nowhere(mini_catalog: Catalog) -> None:
    here = parse_hall(_mini(handles={"except_domains": ["社保"], "except_matters": ["M-SP"]}))
    estate = parse_hall(_estate_hall())
    police = Referral(name="出入境接待大厅", phone="120", handles=Serves(domains=["出入境"]))
    social = Referral(name="社保局", handles=Serves(departments=["RS"]))
    elsewhere = Elsewhere(mini_catalog, [here, estate], [police, social])
    r = referrals_of(here, elsewhere)
    assert r.hall == "mini-hall"
    assert set(r.not_handled) == {"M-SBK", "M-YL", "M-SP", "M-BDC"}
    assert r.handled("M-GT") and r.where("M-GT") == []
    # a hall of the city before any referral: the estate hall serves 不动产
    (bdc,) = r.where("M-BDC")
    assert (bdc.name, bdc.address, bdc.phone, bdc.hall) == (
        "不动产中心",
        "北路 1 号",
        "110",
        "estate",
    )
    assert bdc.hours == "周一至周五 09:00-17:30（12:00-13:30 午休）"
    # no hall handles 社保 (the estate hall's `handles` leaves it out): the referral
    assert [p.name for p in r.where("M-SBK")] == ["社保局"]
    assert r.where("M-SBK")[0].hall is None
    # nowhere known: not handled here, and no place to name
    assert r.not_handled["M-SP"] == () and r.where("M-SP") == []
    # the hall itself is never a place for its own matters, even when listed in the city
    assert all(p.hall != "mini-hall" for p in r.places.values())


def test_without_a_city_a_hall_only_knows_what_it_does_not_handle(
    mini_hall: Hall, mini_catalog: Catalog
) -> None:
    r = referrals_of(mini_hall, Elsewhere(mini_catalog))
    assert r.not_handled == {"M-BDC": ()} and r.places == {}


def test_a_hall_that_names_a_matter_in_handles_goes_first(mini_catalog: Catalog) -> None:
    """Two halls handle 不动产: the one whose ``handles`` names it (a centre for it) is
    offered first, whatever the city file's order."""
    here = parse_hall(_mini())
    general = parse_hall(
        _mini(
            hall={"code": "general", "name": "综合厅"},
            ticket_classes=[{"prefix": "A", "name": "综合业务"}],
            windows=[{"number": 1, "name": "全能", "kind": "green", "serves": {"all": True}}],
        )
    )
    estate = parse_hall(_estate_hall())
    r = referrals_of(here, Elsewhere(mini_catalog, [general, estate]))
    assert [p.hall for p in r.where("M-BDC")] == ["estate", "general"]


def test_hours_as_a_citizen_reads_them() -> None:
    assert hours_text(Hours(open="08:30", close="17:00")) == "周一至周五 08:30-17:00"
    assert hours_text(Hours(weekdays=[1, 3], open="09:00", close="12:00")) == (
        "周一、周三 09:00-12:00"
    )
    assert hours_text(Hours(weekdays=[6, 7], open="09:00", close="12:00")) == (
        "周六、周日 09:00-12:00"
    )


# ------------------------------------------------------------------ the city file
def test_the_city_file_loads_its_halls_and_referrals(real_catalog: Catalog) -> None:
    city = load_city(CITY, real_catalog)
    assert city.city.code == "guang-an-district"
    files = [Path(f) for f in city.hall_files]
    assert [f.name for f in files] == [
        "default.yaml",
        "property-centre.yaml",
        "township.yaml",
        "township-east.yaml",
    ]
    assert all(f.is_file() and f.parent == CITY.parent for f in files)
    _, halls = load_city_halls(CITY, real_catalog)
    codes = [h.hall.code for h in halls]
    assert codes[0] == "district-hall" and "township-centre" in codes
    (chegs,) = city.referrals
    assert "车辆管理所" in chegs.name and chegs.handles.domains == ["车驾管"]


def test_the_city_sends_each_hall_somewhere_for_what_it_does_not_handle(
    real_catalog: Catalog,
) -> None:
    elsewhere = load_elsewhere(CITY, real_catalog)
    _, halls = load_city_halls(CITY, real_catalog)
    by_code = {h.hall.code: h for h in halls}
    district = referrals_of(by_code["district-hall"], elsewhere)
    domains = {real_catalog.matter(c).domain for c in district.not_handled}
    assert domains == {"住房公积金", "车驾管"}
    for code in district.not_handled:
        where = district.where(code)
        assert where, code  # every matter the district refers has a place
        if real_catalog.matter(code).domain == "住房公积金":
            assert where[0].hall == "property-centre"
        else:
            assert where[0].hall is None and "车辆管理所" in where[0].name
    township = referrals_of(by_code["township-centre"], elsewhere)
    for code in township.not_handled:
        assert township.where(code), real_catalog.matter(code).name
    estate = next(c for c in township.not_handled if real_catalog.matter(c).domain == "不动产")
    assert township.where(estate)[0].hall == "property-centre"  # the centre first


def _city(tmp_path: Path, **changes: object) -> Path:
    (tmp_path / "mini.yaml").write_text(
        (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _write(tmp_path / "estate.yaml", _estate_hall())
    data: dict = {
        "city": {"code": "mini-city", "name": "小城"},
        "halls": [{"file": "mini.yaml"}, {"file": "estate.yaml"}],
        "referrals": [{"name": "出入境", "handles": {"domains": ["出入境"]}}],
    }
    data.update(changes)
    return _write(tmp_path / "city.yaml", data)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"halls": [{"file": "nowhere.yaml"}]}, "halls[0].file", "file not found"),
        ({"halls": []}, "halls", "at least 1 item"),
        (
            {"halls": [{"file": "mini.yaml"}, {"file": "mini.yaml"}]},
            "halls[1].file",
            "listed twice",
        ),
        (
            {"referrals": [{"name": "车管所", "handles": {"domains": ["车驾管"]}}]},
            "referrals[0] (车管所).handles.domains[0]",
            "unknown domain '车驾管'",
        ),
        (
            {"referrals": [{"name": "车管所", "handles": {}}]},
            "referrals[0] (车管所).handles",
            "at least one",
        ),
        ({"referrals": [{"name": "车管所"}]}, "referrals[0] (车管所).handles", "required field"),
        ({"city": {"code": "Mini City", "name": "小城"}}, "city.code", "small letters"),
        ({"town": "x"}, "town", "unknown field"),
    ],
)
def test_a_broken_city_file_says_file_line_and_field(
    tmp_path: Path, mini_catalog: Catalog, changes: dict, field: str, message: str
) -> None:
    path = _city(tmp_path, **changes)
    with pytest.raises(LoadError) as e:
        load_city(path, mini_catalog)
    first = str(e.value).splitlines()[0]
    assert first.startswith(f"{path}:"), first
    assert f": {field}: " in first and message in first, first


def test_halls_of_one_city_may_not_share_a_code(tmp_path: Path, mini_catalog: Catalog) -> None:
    path = _city(tmp_path)
    estate = _estate_hall()
    estate["hall"]["code"] = "mini-hall"
    _write(tmp_path / "estate.yaml", estate)
    with pytest.raises(LoadError) as e:
        load_city_halls(path, mini_catalog)
    assert f"{path}:" in str(e.value)
    assert "halls[1].file: hall code 'mini-hall' is already the code of halls[0]" in str(e.value)


def test_a_hall_file_of_the_city_that_is_broken_is_named(
    tmp_path: Path, mini_catalog: Catalog
) -> None:
    path = _city(tmp_path)
    (tmp_path / "estate.yaml").write_text("hall: [", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        load_city_halls(path, mini_catalog)
    assert str(e.value).startswith(f"{tmp_path / 'estate.yaml'}:")
