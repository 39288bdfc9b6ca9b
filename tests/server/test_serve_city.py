"""``queue-app serve --city``: one process serving every hall of a city file on one
database, each at /halls/<code>, the first also at /; its staff made per hall by the
command."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from queue_app.client import HallClient
from tests.cli.test_cli import run
from tests.conftest import FIXTURES, midday_hall
from tests.server.live import LiveServer, made_for_test, sqlite_url

PW = "city-password"


def city_files(directory: Path) -> tuple[Path, list[Path]]:
    """Two copies of the mini hall (open now, on the real clock) and a city file of them."""
    base = yaml.safe_load(midday_hall(directory).read_text(encoding="utf-8"))
    halls = []
    for code, name in (("north", "北区大厅"), ("south", "南区大厅")):
        base["hall"] = {**base["hall"], "code": code, "name": name}
        path = directory / f"{code}.yaml"
        path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
        halls.append(path)
    city = directory / "city.yaml"
    city.write_text(
        yaml.safe_dump(
            {
                "city": {"code": "two-halls", "name": "两厅"},
                "halls": [{"file": h.name} for h in halls],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return city, halls


def test_serve_city_serves_each_hall_at_its_path(tmp_path: Path) -> None:
    city, (north, south) = city_files(tmp_path)
    server = LiveServer(sqlite_url(tmp_path), hall=north, serve_args=("--city", str(city)))
    env = {"QUEUE_APP_CATALOG": server.env["QUEUE_APP_CATALOG"], "QUEUE_APP_STAFF_PASSWORD": PW}
    for hall in (north, south):  # each hall's accounts, the operator's way
        r = run(
            "--db", server.db, "--hall", str(hall), "staff", "add", "desk1", "--role", "desk",
            env=env,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
    server.start()
    try:
        assert httpx.get(f"{server.url}/halls/south/api/hall").json()["hall"]["code"] == "south"
        assert httpx.get(f"{server.url}/api/hall").json()["hall"]["code"] == "north"
        with HallClient(f"{server.url}/halls/south") as south_desk:
            south_desk.sign_in("desk1", PW)
            assert south_desk.issue(["M-SBK"]).ticket.number == "A001"
            assert south_desk.issue(["M-SBK"]).ticket.number == "A002"
        with HallClient(f"{server.url}/halls/north") as north_desk:
            north_desk.sign_in("desk1", PW)
            assert north_desk.issue(["M-SBK"]).ticket.number == "A001"
        catalog = {"QUEUE_APP_CATALOG": server.env["QUEUE_APP_CATALOG"]}
        r = run("--db", server.db, "--hall", str(south), "ticket", "list", env=catalog)
        assert r.returncode == 0 and "A002" in r.stdout and r.stdout.count("A00") == 2, r.stdout
        page = httpx.get(f"{server.url}/halls/south/display")
        assert page.status_code == 200 and 'data-root="/halls/south"' in page.text
    finally:
        server.stop()
    assert "/halls/south" in server.output()


def test_two_hall_files_of_one_code_are_refused(tmp_path: Path) -> None:
    _, (north, _) = city_files(tmp_path)
    db = sqlite_url(tmp_path)
    made_for_test(db)
    r = run(
        "--lang", "en", "serve", "--db", db, "--hall", str(north), "--hall", str(north),
        env={"QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml")},
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip() == "two hall files give one hall code: north"
