"""``queue-app staff add --role kiosk``: the self-service kiosk's account (issue 16)."""

from __future__ import annotations

from tests.cli.test_cli import run

PW = "pw-123456"


def test_a_kiosk_account_is_added_and_a_wrong_role_names_it(mini_env: dict[str, str]) -> None:
    def q(*args: str) -> tuple[int, str, str]:
        r = run("--lang", "en", *args, env=mini_env)
        return r.returncode, r.stdout, r.stderr

    assert q("db", "upgrade")[0] == 0
    code, said, _ = q("staff", "add", "kiosk1", "--role", "kiosk", "--password", PW)
    assert code == 0 and said == "added kiosk1 (kiosk)\n"
    code, _, err = q("staff", "add", "x1", "--role", "boss", "--password", PW)
    assert code == 1 and "expected desk, clerk, manager, display, city, kiosk or rater" in err
