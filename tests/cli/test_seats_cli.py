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
