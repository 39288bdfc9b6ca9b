"""Password hashes: Argon2id at the OWASP Password Storage Cheat Sheet's level (19 MiB,
2 passes, 1 lane), through argon2-cffi. Hashes of an earlier kind (this project's scrypt)
or with other parameters still verify and are replaced at the next sign-in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP: "Argon2id with a minimum configuration of 19 MiB of memory, an iteration count
# of 2, and 1 degree of parallelism"
OWASP = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = OWASP


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other parameters from now on (the test suite's cheap ones); every hash
    made with other parameters is replaced at its next sign-in."""
    global _hasher
    _hasher = hasher
    _unknown_user_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just verified should be replaced (older kind or parameters)."""
    return stored.startswith("scrypt$") or _hasher.check_needs_rehash(stored)


def verify_unknown_user(password: str) -> None:
    """The work of a verification for a username that does not exist, so that its answer
    takes as long as a wrong password's."""
    verify_password(password, _unknown_user_hash())


@cache
def _unknown_user_hash() -> str:
    return _hasher.hash("no such user: the password never matches")


def _verify_scrypt(password: str, stored: str) -> bool:
    """The scrypt hashes of release 0.1.0: ``scrypt$n$r$p$salt$digest``."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))
