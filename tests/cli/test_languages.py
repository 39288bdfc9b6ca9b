"""Every command speaks the language asked for: with ``--lang en`` no Chinese is printed
but the hall's own data (the names of matters, departments, domains, bundles, the hall, its
windows and ticket classes, and what the test typed); Chinese by default."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from queue_app.cli import app
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.loaders import (
    default_catalog_path,
    default_demand_path,
    default_hall_path,
    load_catalog,
    load_demand_for,
    load_hall_for,
)
from tests.conftest import FIXTURES, hall_file, midday_hall

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
TYPED = ("休息", "王经理")  # a pause reason and a staff name the test gives


def data_names(catalog: Catalog, hall: Hall) -> set[str]:
    """The hall's and the catalog's own names: data, shown as they are in any language."""
    return {
        catalog.catalog.name,
        *(m.name for m in catalog.matters),
        *(d.name for d in catalog.departments),
        *catalog.domains,
        *(b.name for b in catalog.bundles),
        hall.hall.name,
        *(w.name for w in hall.windows),
        *(c.name for c in hall.ticket_classes),
    }


def chinese_outside(text: str, data: Iterable[str]) -> list[str]:
    """The runs of Chinese in ``text`` once the data names are taken out."""
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, "")
    return CJK.findall(text)


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(midday_hall(tmp_path)),  # on the real clock
        "QUEUE_APP_DB": hall_file(tmp_path / "hall.db"),
        "QUEUE_APP_LANG": "",
        "QUEUE_APP_SERVER": "",
        "COLUMNS": "200",
    }


def runner(env: dict[str, str], lang: str) -> Any:
    def q(*args: str) -> Any:
        return CliRunner().invoke(app, ["--lang", lang, *args], env=env)

    return q


# (arguments, exit code): every command, with its refusals and bad input
HALL_DAY = [
    (("catalog", "check"), 0),
    (("catalog", "stats"), 0),
    (("catalog", "search", "sbk"), 0),
    (("catalog", "search", "xyz123"), 0),
    (("hall", "check", str(FIXTURES / "mini_hall.yaml")), 0),
    (("window", "call-next", "1"), 1),  # closed: a refusal
    (("window", "open", "1"), 0),
    (("window", "call-next", "1"), 0),  # nothing waiting
    (("ticket", "issue", "M-SBK", "--priority", "老年人"), 0),
    (("ticket", "issue", "--bundle", "GR-TX"), 0),
    (("ticket", "issue", "NOPE"), 1),
    (("ticket", "list"), 0),
    (("window", "call-next", "1"), 0),
    (("window", "recall", "1"), 0),
    (("window", "start", "1"), 0),
    (("window", "finish", "1", "--outcome", "办结"), 0),
    (("window", "call-next", "1"), 0),
    (("window", "start", "1"), 0),
    (("window", "transfer", "1", "--to-window", "2", "--reason", "休息"), 0),
    (("window", "open", "2"), 0),
    (("window", "call-next", "2"), 0),
    (("window", "no-show", "2"), 0),
    (("ticket", "requeue", "A001"), 0),
    (("ticket", "cancel", "A001"), 0),
    (("ticket", "show", "V001"), 0),
    (("window", "pause", "2", "--reason", "休息"), 0),
    (("window", "list"), 0),
    (("window", "resume", "2"), 0),
    (("window", "serve", "1", "--like", "4"), 0),
    (("window", "serve", "1", "--restore"), 0),
    (("window", "serve", "1"), 2),
    (("window", "close", "2"), 0),
    (("hall", "targets"), 0),
    (("hall", "targets", "--wait", "15"), 0),
    (("hall", "targets", "--restore", "--wait", "15"), 2),
    (("day", "status"), 0),
    (("bookings", "close", "--reason", "休息"), 0),
    (("bookings", "close", "--day", "2020-01-01"), 1),  # past: a refusal
    (("bookings", "closures"), 0),
    (("bookings", "list"), 0),
    (("bookings", "reopen", "0123456789ab"), 1),
    (("day", "open-late", "23:59"), 0),
    (("day", "open-late", "25:00"), 2),
    (("day", "close", "yesterday"), 2),
    (("day", "close"), 0),
    (
        (
            "staff",
            "add",
            "boss",
            "--role",
            "manager",
            "--name",
            "王经理",
            "--password",
            "pw-123456",
        ),
        0,
    ),
    (("staff", "add", "x", "--role", "boss", "--password", "pw-123456"), 1),
    (("staff", "add", "zh", "--role", "clerk", "--windows", "1-2", "--password", "pw-123456"), 0),
    (("staff", "windows", "zh", "2-x"), 1),
    (("staff", "windows", "zh", "any"), 0),
    (("staff", "edit", "zh", "--staff-number", "0312", "--display-name", "王经理"), 0),
    (("staff", "edit", "zh", "--staff-number", "03 12"), 1),
    (("staff", "edit", "zh"), 2),
    (("staff", "seats"), 0),
    (("staff", "release", "1"), 1),
    (("staff", "list"), 0),
    (("staff", "disable", "boss"), 0),
    (("db", "current"), 0),
    (("db", "upgrade"), 0),
    (("db", "history"), 0),
    (("desk",), 2),  # not a terminal
    (("manager",), 2),
    (("display",), 2),
    (("window", "1"), 2),
    (("demo",), 2),
    (("serve", "--port", "http"), 2),
    (("serve", "--clock-start", "tomorrow"), 2),
    (("--server", "http://127.0.0.1:9", "day", "status"), 2),  # no --user
    (("simulate", "--policy", "fastest"), 2),
    (("staffing", "--extra-from", "9am"), 2),
]
# on the default hall and catalog (their data is the default's): slow, so few days
DEFAULT_HALL = [
    (("simulate", "--days", "1", "--estimate-days", "1"), 0),
    (("simulate", "--days", "1", "--compare", "layouts", "--estimate-days", "0"), 0),
    (("simulate", "--days", "1", "--compare", "policies", "--estimate-days", "0"), 0),
    (("staffing", "--days", "1"), 0),
    (("demo", "--plain", "--tickets", "30"), 0),
]


def run_all(
    env: dict[str, str], lang: str, tmp_path: Path, mini: tuple[Catalog, Hall]
) -> list[tuple[tuple[str, ...], str, set[str]]]:
    """Every command's output in ``lang``, with the data names it may show."""
    q = runner(env, lang)
    said = []
    mini_data = data_names(*mini) | set(TYPED)
    for args, code in HALL_DAY:
        r = q(*args)
        assert r.exit_code == code, (args, r.output)
        said.append((args, r.output, mini_data))
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    demand = load_demand_for(default_demand_path(), catalog)
    big_data = data_names(catalog, hall) | {demand.demand.name, "临时增开窗口"}
    default_env = {**env, "QUEUE_APP_CATALOG": "", "QUEUE_APP_HALL": ""}
    q = runner(default_env, lang)
    for args, code in DEFAULT_HALL:
        r = q(*args)
        assert r.exit_code == code, (args, r.output)
        said.append((args, r.output, big_data))
    return said


@pytest.fixture()
def mini(tmp_path: Path, env: dict[str, str]) -> tuple[Catalog, Hall]:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    return catalog, load_hall_for(env["QUEUE_APP_HALL"], catalog)


def test_in_english_no_chinese_but_the_halls_data(
    env: dict[str, str], tmp_path: Path, mini: tuple[Catalog, Hall]
) -> None:
    found = {
        " ".join(args): chinese
        for args, output, data in run_all(env, "en", tmp_path, mini)
        if (chinese := chinese_outside(output, data))
    }
    assert not found, found


def test_in_chinese_by_default(env: dict[str, str], mini: tuple[Catalog, Hall]) -> None:
    def q(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=env)

    r = q("window", "call-next", "1")
    assert r.exit_code == 1 and "未开放" in r.output and "not open" not in r.output, r.output
    assert q("window", "open", "1").output == "1 号窗口：开放中\n"
    r = q("ticket", "issue", "M-SBK", "--priority", "elderly")
    assert "V001 等候中 [老年人]" in r.output and "前面 0 人 · 预计等候" in r.output, r.output
    assert "可办理窗口 1" in r.output
    assert "请 V001 号到 1 号窗口" in q("window", "call-next", "1").output
    assert q("hall", "targets").output == "等候目标 20 分钟 · 办理目标 40 分钟\n"
    assert "部门：4" in q("catalog", "stats").output
    r = q("window", "list")
    assert "状态" in r.output and "叫号中" in r.output, r.output
    r = q("day", "status")
    assert "已叫号 1" in r.output, r.output
    r = q("db", "history")
    assert "（最新）" in r.output, r.output
