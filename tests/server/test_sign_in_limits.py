"""Sign-in under attack (issue 13, item 1): a limit per account name and per address that
grows, shared through the database; the same work for an unknown name; Argon2id at the
OWASP level, older hashes replaced at the next sign-in; hashing on threads of its own;
``staff passwd``; locked names on the manager's API and screen."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from queue_app.domain.refusals import BadCredentials, SignInLocked
from queue_app.server import HallServer
from queue_app.server.service import HASHING_AT_ONCE
from queue_app.store import Store, passwords, sign_in_limits
from queue_app.store.staff import Role, add_staff, set_password, sign_in
from queue_app.store.tables import session_t, staff_t
from tests.conftest import Clock
from tests.server.conftest import PASSWORD
from tests.server.conftest import sign_in as api_sign_in

WRONG = "wrong-password-1"


def fail(store: Store, username: str, address: str | None, times: int) -> None:
    for _ in range(times):
        with pytest.raises(BadCredentials):
            sign_in(store, username, WRONG, None, address)


def stored_hash(store: Store, username: str) -> str:
    with store.engine.connect() as conn:
        found = conn.execute(
            select(staff_t.c.password_hash).where(
                staff_t.c.hall == store.code, staff_t.c.username == username
            )
        ).scalar_one()
    return str(found)


def test_five_failures_lock_the_account_and_each_further_one_doubles_it(
    store: Store, clock: Clock
) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    fail(store, "boss", None, 4)
    assert sign_in(store, "boss", PASSWORD, None, "10.0.0.2").username == "boss"  # resets
    fail(store, "boss", None, 5)  # the fifth in a row locks for 30 s
    with pytest.raises(SignInLocked) as e:
        sign_in(store, "boss", PASSWORD, None, "10.0.0.3")  # the right password, too
    assert e.value.params == {"seconds": 30} and e.value.headers() == {"Retry-After": "30"}
    assert e.value.status == 429
    clock.advance(31)
    fail(store, "boss", "10.0.0.3", 1)  # the sixth: 60 s
    with pytest.raises(SignInLocked) as e:
        sign_in(store, "boss", PASSWORD, None, "10.0.0.4")
    assert e.value.params == {"seconds": 60}
    assert [(k.kind, k.name, k.failures) for k in sign_in_limits.locks(store)] == [
        ("account", "boss", 6)
    ]
    clock.advance(61)
    assert sign_in(store, "boss", PASSWORD, None, "10.0.0.4").username == "boss"
    assert sign_in_limits.locks(store) == []
    assert [sign_in_limits.lock_seconds(n) for n in (4, 5, 6, 7, 20)] == [0, 30, 60, 120, 900]


def test_an_unknown_name_locks_like_a_real_one(store: Store) -> None:
    """A lock tells nothing of which accounts exist."""
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    for name in ("boss", "nobody"):
        fail(store, name, None, 5)
        with pytest.raises(SignInLocked) as e:
            sign_in(store, name, WRONG, None)
        assert e.value.params == {"seconds": 30}


def test_five_failures_from_one_address_lock_that_address_only(store: Store) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    for n in range(5):
        fail(store, f"guess{n}", "10.0.0.9", 1)  # five names, one address
    with pytest.raises(SignInLocked):
        sign_in(store, "boss", PASSWORD, None, "10.0.0.9")
    assert sign_in(store, "boss", PASSWORD, None, "10.0.0.10").username == "boss"
    assert ("address", "10.0.0.9") in {(k.kind, k.name) for k in sign_in_limits.locks(store)}


def test_staff_passwd_sets_a_new_password_ends_sessions_and_lifts_the_lock(
    store: Store,
) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    sign_in(store, "boss", PASSWORD, None)
    fail(store, "boss", None, 5)
    set_password(store, "boss", "a-new-password-7")
    with store.engine.connect() as conn:
        assert conn.execute(select(session_t).where(session_t.c.hall == store.code)).all() == []
    with pytest.raises(BadCredentials):
        sign_in(store, "boss", PASSWORD, None)
    assert sign_in(store, "boss", "a-new-password-7", None).username == "boss"


class CountingHasher(PasswordHasher):
    """Argon2id as configured, counting verifications and noting their parameters."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified.append(str(hash).split("$")[3])  # m=...,t=...,p=...
        return super().verify(hash, password)


TEST_HASHER = passwords._hasher  # the suite's cheap parameters (tests/conftest.py)


@pytest.fixture()
def counting() -> Iterator[CountingHasher]:
    hasher = CountingHasher(time_cost=1, memory_cost=64, parallelism=1)
    passwords.use_hasher(hasher)
    yield hasher
    passwords.use_hasher(TEST_HASHER)


def test_an_unknown_name_costs_one_verification_like_a_wrong_password(
    store: Store, counting: CountingHasher
) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    fail(store, "boss", None, 1)
    fail(store, "nobody", None, 1)
    assert counting.verified == ["m=64,t=1,p=1"] * 2


def test_the_hash_is_argon2id_at_the_owasp_level() -> None:
    h = passwords.OWASP
    assert (h.type.name, h.memory_cost, h.time_cost, h.parallelism) == ("ID", 19456, 2, 1)


def test_older_hashes_are_replaced_at_the_next_sign_in(
    store: Store, counting: CountingHasher
) -> None:
    # release 0.1.0's scrypt hash of "boss-password", and one with weaker argon2 parameters
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"boss-password", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    assert passwords.verify_password("boss-password", old)  # the kind it was: still verified
    add_staff(store, "boss", Role.MANAGER, "boss-password")
    add_staff(store, "desk", Role.DESK, "desk-password")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("desk-password")
    with store.engine.begin() as conn:
        for name, value in (("boss", old), ("desk", weak)):
            account = (staff_t.c.hall == store.code) & (staff_t.c.username == name)
            conn.execute(update(staff_t).where(account).values(password_hash=value))
    for name, pw in (("boss", "boss-password"), ("desk", "desk-password")):
        sign_in(store, name, pw, None)
        renewed = stored_hash(store, name)
        assert renewed.startswith("$argon2id$v=19$m=64,t=1,p=1$"), renewed
        assert not passwords.needs_rehash(renewed)
        sign_in(store, name, pw, None)  # and it still verifies
        assert stored_hash(store, name) == renewed  # not replaced again


@pytest.mark.anyio
async def test_the_api_answers_429_with_retry_after_and_the_manager_sees_the_lock(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    add_staff(store, "d1", Role.DESK, PASSWORD)
    token = await api_sign_in(anon, "boss")
    codes = []
    for _ in range(6):
        r = await anon.post("/api/auth/sign-in", json={"username": "d1", "password": WRONG})
        codes.append(r.status_code)
    assert codes == [401] * 5 + [429]
    assert r.json()["error"]["code"] == "sign_in_locked"
    assert int(r.headers["Retry-After"]) == 30
    r = await anon.get("/api/staff/locks", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert {(k["kind"], k["name"]) for k in r.json()} == {
        ("account", "d1"),
        ("address", "127.0.0.1"),  # the in-process client's address
    }
    r = await anon.get("/api/staff/locks", headers={"Authorization": f"Bearer {token}x"})
    assert r.status_code == 401


@pytest.mark.anyio
async def test_hashing_runs_on_its_own_threads_a_bounded_number_at_once(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> None:
    names = [f"desk{n}" for n in range(12)]
    for name in names:
        add_staff(store, name, Role.DESK, PASSWORD)
    seen: list[tuple[str, int]] = []
    running = 0
    guard = threading.Lock()
    real = passwords._hasher

    class Watching(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            nonlocal running
            with guard:
                running += 1
                seen.append((threading.current_thread().name, running))
            try:
                return real.verify(hash, password)
            finally:
                with guard:
                    running -= 1

    passwords.use_hasher(Watching(time_cost=1, memory_cost=8, parallelism=1))
    try:
        await asyncio.gather(*(api_sign_in(anon, name) for name in names))
    finally:
        passwords.use_hasher(real)
    assert len(seen) == len(names)
    assert all(thread.startswith("hashing") for thread, _ in seen), seen
    assert max(at_once for _, at_once in seen) <= HASHING_AT_ONCE


def test_staff_passwd_on_the_command_line(tmp_path: Path) -> None:
    from tests.cli.test_cli import run

    db = f"sqlite:///{tmp_path / 'hall.db'}"
    assert run("--db", db, "db", "upgrade").returncode == 0
    r = run("--db", db, "staff", "add", "boss", "--role", "manager", "--password", PASSWORD)
    assert r.returncode == 0, r.stderr
    r = run("--db", db, "staff", "passwd", "boss", "--password", "a-new-password-7")
    assert r.returncode == 0 and "boss" in r.stdout, r.stderr
    r = run("--db", db, "staff", "passwd", "nobody", "--password", "a-new-password-7")
    assert r.returncode == 1 and "nobody" in r.stderr, r.stderr
    r = run("--db", db, "staff", "passwd", "boss", "--password", "short")
    assert r.returncode == 1 and "8" in r.stderr, r.stderr
