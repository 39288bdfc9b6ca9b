"""A citizen's mobile number (中国大陆手机号): checked, written one way, and masked for
showing (``138****1234``). Pure."""

from __future__ import annotations

import re

from queue_app.domain.refusals import BadMobile

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_COUNTRY = ("+86", "0086", "86")


def normalise_mobile(text: str) -> str | None:
    """The 11 digits of a mainland mobile number, or None when ``text`` is not one.
    Spaces, dashes, brackets and a leading +86 / 0086 / 86 are allowed."""
    s = _SEPARATORS.sub("", text.strip())
    for prefix in _COUNTRY:
        if s.startswith(prefix) and len(s) == len(prefix) + 11:
            s = s[len(prefix) :]
            break
    return s if _MOBILE.fullmatch(s) else None


def mask_mobile(number: str) -> str:
    """``13812341234`` → ``138****1234``: what screens, slips and lists show."""
    return f"{number[:3]}****{number[-4:]}"


def require_mobile(text: str) -> str:
    """``normalise_mobile``, refusing (``BadMobile``) what is not a mobile number."""
    number = normalise_mobile(text)
    if number is None:
        raise BadMobile(said=text[:40])
    return number
