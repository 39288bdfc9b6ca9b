"""Citizens' mobile numbers at rest: a keyed hash to find a number's bookings and no-shows
by, the masked form to show, and the number itself sealed (Fernet: AES-128-CBC with
HMAC-SHA256) for the one use that needs it, sending a notice. Sealed numbers are erased when
their notices are sent or the day is over; hashes and masks go with the rows they are on.

The hall's key is 32 random bytes made on first use and kept in ``hall_setting``
(``contact_key``), so every server process of the hall reads the same one and a backup
restores it; two derived keys are used, one for the hash and one for the seal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, insert, select

from queue_app.domain.mobile import mask_mobile
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import setting_t

KEY_SETTING = "contact_key"
S = setting_t.c
_READ = select(S.value).where(mine(setting_t), S.key == KEY_SETTING)


@dataclass(frozen=True, slots=True)
class Contact:
    """A mobile number as the store keeps it."""

    digest: str  # keyed hash (hex): the same number gives the same digest in this hall
    masked: str  # 138****1234
    sealed: str  # the number, sealed under the hall's key


class ContactKeys:
    """The hall's keys for mobile numbers."""

    def __init__(self, secret: bytes) -> None:
        self._hash_key = hmac.new(secret, b"queue_app contact hash", hashlib.sha256).digest()
        seal_key = hmac.new(secret, b"queue_app contact seal", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(seal_key))

    def digest(self, number: str) -> str:
        """The keyed hash a number is found by (its bookings, its no-shows)."""
        return hmac.new(self._hash_key, number.encode(), hashlib.sha256).hexdigest()

    def contact(self, number: str) -> Contact:
        """A normalised number (``normalise_mobile``) as the store keeps it."""
        sealed = self._fernet.encrypt(number.encode()).decode()
        return Contact(self.digest(number), mask_mobile(number), sealed)

    def open(self, sealed: str) -> str | None:
        """The number a sealed value holds; None if it was not sealed under this key."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


def hall_keys(conn: Connection, now: float) -> ContactKeys:
    """The hall's contact keys, made on first use (concurrent first uses agree: the first
    row written wins and every process reads it back)."""
    hall = of(conn)
    found = _read(conn)
    if found is None:
        value = base64.b64encode(secrets.token_bytes(32)).decode()
        row = {"hall": hall, "key": KEY_SETTING, "value": f'"{value}"', "set_at": now}
        stmt = insert(setting_t).values(**row)
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(pg_insert(setting_t).values(**row).on_conflict_do_nothing())
        else:
            conn.execute(stmt.prefix_with("OR IGNORE"))
        found = _read(conn)
        assert found is not None
    return ContactKeys(found)


def _read(conn: Connection) -> bytes | None:
    value = conn.execute(_READ, params(conn)).scalar_one_or_none()
    return None if value is None else base64.b64decode(value.strip('"'))
