"""``queue-app staff``: the windows an account may sit at, who sits where, releasing a
seat (issue 13, item 2), on a real SQLite file as the server's operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.store.staff import sign_in
from tests.cli.test_cli import run
from tests.conftest import FIXTURES
from tests.server.live import LiveServer, sqlite_url

PW = "pw-123456"


def test_windows_seats_and_release(mini_env: dict[str, str]) -> None:
    def q(*args: str) -> tuple[int, str, str]:
        r = run("--lang", "en", *args, env=mini_env)
        return r.returncode, r.stdout, r.stderr

    assert q("db", "upgrade")[0] == 0
    assert (
        q("staff", "add", "zhang", "--role", "clerk", "--windows", "1-2", "--password", PW)[0] == 0
    )
    code, _, err = q("staff", "add", "li", "--role", "clerk", "--windows", "2-", "--password", PW)
    assert code == 1 and '"2-" is not a list of windows' in err
    code, _, err = q("staff", "windows", "zhang", "1,9")
    assert code == 1 and "window 9" in err.lower()
    code, said, _ = q("staff", "windows", "zhang", "2, 3")
    assert code == 0 and "zhang may sit at windows: 2-3" in said
    code, said, _ = q("--json", "staff", "list")
    assert json.loads(said)[0]["windows"] == [2, 3]
    assert q("staff", "seats")[1] == "no one is signed in at a window\n"

    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    hall = load_hall_for(Path(mini_env["QUEUE_APP_HALL"]), catalog)
    store = Store(mini_env["QUEUE_APP_DB"], catalog, hall)
    try:
        sign_in(store, "zhang", PW, 3)  # a terminal signs in at window 3
    finally:
        store.dispose()
    code, said, _ = q("staff", "seats")
    assert code == 0 and "zhang" in said and "3" in said
    code, said, _ = q("staff", "release", "3")
    assert code == 0 and said == "window 3 released: zhang signed out\n"
    code, _, err = q("staff", "release", "3")
    assert code == 1 and "No one is signed in at window 3" in err
    code, said, _ = q("staff", "windows", "zhang", "any")
    assert code == 0 and "windows: any" in said

    store = Store(mini_env["QUEUE_APP_DB"], catalog, hall)
    try:
        sign_in(store, "zhang", PW, 2)
        assert q("--actor", "wang", "staff", "disable", "zhang")[0] == 0
        ended = store.events()[-1]
        assert (ended.kind, ended.window, ended.actor) == ("signed_out", 2, "wang")
        assert q("staff", "seats")[1] == "no one is signed in at a window\n"
    finally:
        store.dispose()


def test_staff_numbers_and_display_names(mini_env: dict[str, str]) -> None:
    """``staff add --staff-number --display-name`` and ``staff edit`` on the database: a
    bad staff number refused before anything is written, a value taken off with ""."""

    def q(*args: str) -> tuple[int, str, str]:
        r = run("--lang", "en", *args, env=mini_env)
        return r.returncode, r.stdout, r.stderr

    assert q("db", "upgrade")[0] == 0
    code, _, err = q("staff", "add", "li", "--role", "clerk", "--staff-number", "03 12")
    assert code == 1 and "A staff number is 1 to 16 letters, digits or hyphens" in err, err
    assert "Traceback" not in err
    code, said, err = q(
        "--json", "staff", "add", "zhang", "--role", "clerk", "--name", "张伟",
        "--staff-number", "0312", "--password", PW,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(said) == {
        "username": "zhang",
        "role": "clerk",
        "staff_number": "0312",
        "display_name": None,
    }
    code, said, _ = q("staff", "edit", "zhang", "--display-name", "张女士")
    assert code == 0 and said == "zhang: 张伟 · staff no. 0312 · window screens show 张女士\n"
    code, _, err = q("staff", "edit", "zhang", "--staff-number", "工号12")
    assert code == 1 and "bad_staff_number" in err and "letters, digits or hyphens" in err
    code, said, _ = q("--json", "staff", "list")
    assert [(a["username"], a["staff_number"], a["display_name"]) for a in json.loads(said)] == [
        ("zhang", "0312", "张女士")
    ]
    code, said, _ = q("staff", "edit", "zhang", "--display-name", "", "--full-name", "张伟明")
    assert code == 0 and " ".join(said.split()) == (  # the console may wrap a long line
        "zhang: 张伟明 · staff no. 0312 · window screens show the full name as the hall shows names"
    )
    code, _, err = q("staff", "edit", "zhang")
    assert code == 2 and "give --full-name, --staff-number or --display-name" in err
    code, _, err = q("staff", "edit", "nobody", "--staff-number", "7")
    assert code == 1 and "There is no account nobody" in err
    code, said, _ = q("staff", "list")
    assert "0312" in said and "张伟明" in said
    r = run("staff", "edit", "zhang", "--staff-number", "A 1", env=mini_env)
    assert r.returncode == 1 and "工号为 1 至 16 位字母、数字或连字符" in r.stderr, r.stderr


def test_staff_edit_through_the_server(tmp_path: Path) -> None:
    """``--server``: a manager changes a clerk's staff number over the API; the desk may not."""
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts((("boss", "manager"), ("c1", "clerk"), ("d1", "desk")), PW)
    server.start()
    try:
        as_ = {"QUEUE_APP_PASSWORD": PW, "QUEUE_APP_SERVER": server.url}
        r = run("--lang", "en", "--user", "boss", "staff", "edit", "c1",
                "--staff-number", "A-07", "--display-name", "李先生", env=as_)  # fmt: skip
        assert r.returncode == 0 and "c1:" in r.stdout and "A-07" in r.stdout, r.stderr
        r = run("--lang", "en", "--user", "d1", "staff", "edit", "c1", "--staff-number", "9",
                env=as_)  # fmt: skip
        assert r.returncode == 1 and "forbidden" in r.stderr, r.stderr
        r = run("--lang", "en", "--user", "boss", "staff", "edit", "c1", "--staff-number",
                "#1", env=as_)  # fmt: skip
        assert r.returncode == 1 and "letters, digits or hyphens" in r.stderr, r.stderr
    finally:
        server.stop()
    here = {k: server.env[k] for k in ("QUEUE_APP_CATALOG", "QUEUE_APP_HALL")}
    r = run("--json", "staff", "list", env={**here, "QUEUE_APP_DB": server.db})
    (c1,) = [a for a in json.loads(r.stdout) if a["username"] == "c1"]
    assert (c1["staff_number"], c1["display_name"]) == ("A-07", "李先生")
